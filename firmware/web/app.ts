// A small HTTP + WebSocket host that every role mounts its pages on. On a real
// board each role has its own; the demo hall mounts every role on one (port 8080).
//
// Plain node:http and `ws`, hardened here once for every page: a counter or kiosk
// must fit in ~60 MB and a framework costs ~20 MB (STACK.md). Every parse of a
// request (target, path, parameters, headers, body, WebSocket handshake and
// frames) happens inside the error path and answers 400; heads, bodies,
// connections and WebSockets per address are bounded; a last-resort handler
// logs and keeps serving. Nothing a request carries can end the process.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { DEFAULT_LIMITS, PerKeyCounter, isLoopback, normalAddress, type WebLimits } from './limits.ts';
import { setSecurityHeaders } from './headers.ts';

export type Params = Record<string, string>;
export type Handler = (req: IncomingMessage, res: ServerResponse, params: Params, url: URL) => void | Promise<void>;
export type SocketHandler = (ws: WebSocket, req: IncomingMessage, params: Params, url: URL) => void;

/** Thrown by a handler (or readBody) to answer with this status and message. */
export class HttpError extends Error {
  constructor(readonly status: number, message: string) { super(message); }
}

export interface RouteOptions {
  /** Answer only requests from this machine (a kiosk's own screen); others get 403. */
  loopbackOnly?: boolean;
}

export interface WebAppOptions {
  limits?: Partial<WebLimits>;
  /** Serve HTTPS with this key and certificate (PEM). */
  tls?: { key: Buffer | string; cert: Buffer | string };
  /** Where the last-resort handler reports (default: stderr). */
  log?: { error(obj: object, msg: string): void; warn(obj: object, msg: string): void };
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json; charset=utf-8', '.png': 'image/png',
  '.svg': 'image/svg+xml', '.ico': 'image/x-icon', '.wav': 'audio/wav',
};

interface Route<H> { method: string; re: RegExp; keys: string[]; handler: H; opts: RouteOptions; pattern: string }

/** `/window/:id` → a regex with named keys. */
function compile(pattern: string): { re: RegExp; keys: string[] } {
  const keys: string[] = [];
  const src = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/:(\w+)/g, (_m, k: string) => {
    keys.push(k);
    return '([^/]+)';
  });
  return { re: new RegExp(`^${src}/?$`), keys };
}

/** Parses a request target; throws HttpError(400) on anything malformed. */
function parseTarget(raw: string | undefined): URL {
  const target = raw ?? '/';
  // Origin-form only ("/path?query"): absolute-form and authority-form are for proxies.
  if (!target.startsWith('/') || target.startsWith('//')) throw new HttpError(400, 'bad request target');
  try {
    return new URL(target, 'http://localhost');
  } catch {
    throw new HttpError(400, 'bad request target');
  }
}

function matchParams(r: Route<unknown>, m: RegExpExecArray): Params {
  const params: Params = {};
  r.keys.forEach((k, i) => {
    try { params[k] = decodeURIComponent(m[i + 1]); } catch { throw new HttpError(400, `bad percent-encoding in ${k}`); }
  });
  return params;
}

const stderrLog = {
  error: (obj: object, msg: string) => process.stderr.write(`${JSON.stringify({ level: 'error', msg, ...obj })}\n`),
  warn: (obj: object, msg: string) => process.stderr.write(`${JSON.stringify({ level: 'warn', msg, ...obj })}\n`),
};

export class WebApp {
  readonly server: Server;
  readonly limits: WebLimits;
  readonly secure: boolean;
  private routes: Route<Handler>[] = [];
  private sockets: Route<SocketHandler>[] = [];
  private wss: WebSocketServer;
  private upgradeFallbacks: Array<(req: IncomingMessage, socket: Duplex, head: Buffer) => boolean> = [];
  private perAddress: PerKeyCounter;
  private wsPerAddress: PerKeyCounter;
  private log: NonNullable<WebAppOptions['log']>;

  constructor(opts: WebAppOptions = {}) {
    const l = this.limits = { ...DEFAULT_LIMITS, ...opts.limits };
    this.log = opts.log ?? stderrLog;
    this.secure = !!opts.tls;
    this.perAddress = new PerKeyCounter(l.connectionsPerAddress);
    this.wsPerAddress = new PerKeyCounter(l.socketsPerAddress);
    this.wss = new WebSocketServer({ noServer: true, maxPayload: l.maxSocketMessageBytes });
    const onRequest = (req: IncomingMessage, res: ServerResponse) => {
      this.dispatch(req, res).catch((e: unknown) => this.lastResort(e, req, res));
    };
    const httpOpts = { maxHeaderSize: l.maxHeaderBytes, headersTimeout: l.headersTimeoutMs, requestTimeout: l.requestTimeoutMs, keepAliveTimeout: 5_000 };
    this.server = opts.tls
      ? createTlsServer({ ...httpOpts, key: opts.tls.key, cert: opts.tls.cert, minVersion: 'TLSv1.2' }, onRequest) as unknown as Server
      : createServer(httpOpts, onRequest);
    this.server.maxHeadersCount = 64;
    this.server.maxConnections = l.maxConnections;
    this.server.on(opts.tls ? 'secureConnection' : 'connection', (sock: Socket) => this.admit(sock));
    if (opts.tls) this.server.on('tlsClientError', (_e, sock) => sock.destroy());
    this.server.on('clientError', (_e, sock: Duplex) => {
      // Malformed request line or headers, head too large, timeouts: answer 400 if we still can.
      if ((sock as Socket).writable && !(sock as Socket).destroyed) sock.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      else sock.destroy();
    });
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      try { this.upgrade(req, socket, head); } catch (e) { refuseUpgrade(socket, e instanceof HttpError ? e.status : 500); if (!(e instanceof HttpError)) this.log.error({ err: (e as Error).stack }, 'web: upgrade failed'); }
    });
  }

  /** One address may hold only so many connections. */
  private admit(sock: Socket): void {
    const addr = normalAddress(sock.remoteAddress);
    sock.on('error', () => sock.destroy()); // a reset mid-request is not our error
    if (!this.perAddress.take(addr)) { sock.destroy(); return; }
    sock.once('close', () => this.perAddress.release(addr));
  }

  route(method: string, pattern: string, handler: Handler, opts: RouteOptions = {}): this {
    this.routes.push({ method, ...compile(pattern), handler, opts, pattern });
    return this;
  }
  get(pattern: string, handler: Handler, opts?: RouteOptions): this { return this.route('GET', pattern, handler, opts); }
  post(pattern: string, handler: Handler, opts?: RouteOptions): this { return this.route('POST', pattern, handler, opts); }

  /** Serves a file from disk (pages, scripts) at `pattern`. */
  file(pattern: string, path: string, opts?: RouteOptions): this {
    return this.get(pattern, async (_req, res) => {
      let body: Buffer;
      try { body = await readFile(path); } catch { return sendJson(res, 404, { error: 'not found' }); }
      res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream', 'cache-control': 'no-cache' });
      res.end(body);
    }, opts);
  }

  /** A WebSocket endpoint at `pattern`. */
  socket(pattern: string, handler: SocketHandler, opts: RouteOptions = {}): this {
    this.sockets.push({ method: 'GET', ...compile(pattern), handler, opts, pattern });
    return this;
  }

  /** Every route and socket mounted (the fuzz test walks them). */
  mounted(): Array<{ method: string; pattern: string; socket: boolean; loopbackOnly: boolean }> {
    return [...this.routes.map((r) => ({ method: r.method, pattern: r.pattern, socket: false, loopbackOnly: !!r.opts.loopbackOnly })),
      ...this.sockets.map((r) => ({ method: 'GET', pattern: r.pattern, socket: true, loopbackOnly: !!r.opts.loopbackOnly }))];
  }

  /** Lets another protocol (MQTT over WebSocket) claim upgrades no route took. */
  onUpgrade(fn: (req: IncomingMessage, socket: Duplex, head: Buffer) => boolean): this {
    this.upgradeFallbacks.push(fn);
    return this;
  }

  async listen(port: number, host = '0.0.0.0'): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => { this.server.off('error', reject); resolve(); });
    });
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    for (const c of this.wss.clients) c.terminate();
    this.server.closeAllConnections?.();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    setSecurityHeaders(res, this.secure);
    try {
      const url = parseTarget(req.url);
      const method = req.method === 'HEAD' ? 'GET' : req.method;
      let pathMatched = false;
      for (const r of this.routes) {
        const m = r.re.exec(url.pathname);
        if (!m) continue;
        pathMatched = true;
        if (r.method !== method) continue;
        if (r.opts.loopbackOnly && !isLoopback(req.socket.remoteAddress)) throw new HttpError(403, 'this page answers only on the device itself');
        const params = matchParams(r, m);
        await r.handler(req, res, params, url);
        return;
      }
      if (pathMatched) {
        res.setHeader('allow', [...new Set(this.routes.filter((r) => r.re.test(url.pathname)).map((r) => r.method))].join(', '));
        throw new HttpError(405, 'method not allowed');
      }
      throw new HttpError(404, 'no such page');
    } catch (e) {
      if (e instanceof HttpError) {
        if (!res.headersSent) sendJson(res, e.status, { ok: false, error: { code: codeOf(e.status), message: e.message } });
        else res.destroy();
        // A body left unread must not be taken for the next request on this connection.
        if (!req.complete) res.once('finish', () => req.socket.destroy());
        return;
      }
      throw e;
    }
  }

  /** A handler's bug, not the request's fault: log it, answer 500, keep serving. */
  private lastResort(e: unknown, req: IncomingMessage, res: ServerResponse): void {
    this.log.error({ err: (e as Error)?.stack ?? String(e), method: req.method, url: String(req.url).slice(0, 200) }, 'web: handler failed');
    try {
      if (!res.headersSent) sendJson(res, 500, { ok: false, error: { code: 'internal', message: 'internal error' } });
      else res.destroy();
    } catch { res.destroy(); }
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const url = parseTarget(req.url);
    for (const r of this.sockets) {
      const m = r.re.exec(url.pathname);
      if (!m) continue;
      if (r.opts.loopbackOnly && !isLoopback(req.socket.remoteAddress)) throw new HttpError(403, 'loopback only');
      const params = matchParams(r, m);
      this.acceptSocket(req, socket, head, (ws) => r.handler(ws, req, params, url));
      return;
    }
    for (const fn of this.upgradeFallbacks) if (fn(req, socket, head)) return;
    throw new HttpError(404, 'no such socket');
  }

  /** Completes a WebSocket handshake under the per-address cap; bad frames close that socket only. */
  acceptSocket(req: IncomingMessage, socket: Duplex, head: Buffer, then: (ws: WebSocket) => void): void {
    const addr = normalAddress(req.socket.remoteAddress);
    if (!this.wsPerAddress.take(addr)) throw new HttpError(429, 'too many sockets from this address');
    let released = false;
    const release = () => { if (!released) { released = true; this.wsPerAddress.release(addr); } };
    socket.once('close', release);
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('error', () => ws.terminate()); // invalid frame, too large: that socket ends, nothing else
      ws.once('close', release);
      try { then(ws); } catch (e) {
        this.log.error({ err: (e as Error).stack }, 'web: socket handler failed');
        ws.terminate();
      }
    });
  }
}

function codeOf(status: number): string {
  return ({ 400: 'bad-request', 401: 'unauthorized', 403: 'forbidden', 404: 'not-found', 405: 'method-not-allowed', 413: 'too-large', 415: 'unsupported-media-type', 429: 'too-many-requests' } as Record<number, string>)[status] ?? 'error';
}

function refuseUpgrade(socket: Duplex, status: number): void {
  const text = ({ 400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found', 429: 'Too Many Requests' } as Record<number, string>)[status] ?? 'Internal Server Error';
  if (socket.writable) socket.end(`HTTP/1.1 ${status} ${text}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
  else socket.destroy();
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(text);
}

/** Reads a body up to `limit` bytes; HttpError 413 past it (announced or sent), 400 if the client breaks off. */
export async function readBody(req: IncomingMessage, limit = DEFAULT_LIMITS.maxBodyBytes): Promise<string> {
  const announced = Number(req.headers['content-length']);
  if (Number.isFinite(announced) && announced > limit) throw new HttpError(413, `request body larger than ${limit} bytes`);
  let size = 0;
  const chunks: Buffer[] = [];
  try {
    for await (const c of req) {
      size += (c as Buffer).length;
      if (size > limit) throw new HttpError(413, `request body larger than ${limit} bytes`);
      chunks.push(c as Buffer);
    }
  } catch (e) {
    if (e instanceof HttpError) throw e;
    throw new HttpError(400, 'request body broken off');
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Reads a JSON body (`content-type: application/json`); HttpError 400/413/415 otherwise. */
export async function readJson(req: IncomingMessage, limit?: number): Promise<unknown> {
  const type = String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/json') throw new HttpError(415, 'body must be application/json');
  const text = await readBody(req, limit);
  try { return JSON.parse(text); } catch { throw new HttpError(400, 'body is not valid JSON'); }
}

/** Sends a JSON message to every open socket in `clients`. */
export function broadcast(clients: Iterable<WebSocket>, msg: unknown): void {
  const text = JSON.stringify(msg);
  for (const c of clients) if (c.readyState === 1) c.send(text);
}
