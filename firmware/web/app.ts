// A small HTTP + WebSocket host that every role mounts its pages on. On a real
// board each role has its own; the demo hall mounts every role on one (port 8080).
// Plain node:http and `ws`: the pages are few and the boards small.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';

export type Params = Record<string, string>;
export type Handler = (req: IncomingMessage, res: ServerResponse, params: Params, url: URL) => void | Promise<void>;
export type SocketHandler = (ws: WebSocket, req: IncomingMessage, params: Params, url: URL) => void;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json; charset=utf-8', '.png': 'image/png',
  '.svg': 'image/svg+xml', '.ico': 'image/x-icon', '.wav': 'audio/wav',
};

interface Route<H> { method: string; re: RegExp; keys: string[]; handler: H }

/** `/window/:id` → a regex with named keys. */
function compile(pattern: string): { re: RegExp; keys: string[] } {
  const keys: string[] = [];
  const src = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/:(\w+)/g, (_m, k: string) => {
    keys.push(k);
    return '([^/]+)';
  });
  return { re: new RegExp(`^${src}/?$`), keys };
}

export class WebApp {
  readonly server: Server;
  private routes: Route<Handler>[] = [];
  private sockets: Route<SocketHandler>[] = [];
  private wss = new WebSocketServer({ noServer: true });
  private upgradeFallbacks: Array<(req: IncomingMessage, socket: Duplex, head: Buffer) => boolean> = [];

  constructor() {
    this.server = createServer((req, res) => void this.dispatch(req, res));
    this.server.on('upgrade', (req, socket, head) => this.upgrade(req, socket, head));
  }

  route(method: string, pattern: string, handler: Handler): this {
    this.routes.push({ method, ...compile(pattern), handler });
    return this;
  }
  get(pattern: string, handler: Handler): this { return this.route('GET', pattern, handler); }
  post(pattern: string, handler: Handler): this { return this.route('POST', pattern, handler); }

  /** Serves a file from disk (pages, scripts) at `pattern`. */
  file(pattern: string, path: string): this {
    return this.get(pattern, async (_req, res) => {
      try {
        const body = await readFile(path);
        res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream', 'cache-control': 'no-cache' });
        res.end(body);
      } catch {
        sendJson(res, 404, { error: 'not found' });
      }
    });
  }

  /** A WebSocket endpoint at `pattern`. */
  socket(pattern: string, handler: SocketHandler): this {
    this.sockets.push({ method: 'GET', ...compile(pattern), handler });
    return this;
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
    const url = new URL(req.url ?? '/', 'http://localhost');
    for (const r of this.routes) {
      if (r.method !== req.method) continue;
      const m = r.re.exec(url.pathname);
      if (!m) continue;
      const params: Params = {};
      r.keys.forEach((k, i) => { params[k] = decodeURIComponent(m[i + 1]); });
      try {
        await r.handler(req, res, params, url);
      } catch (e) {
        if (!res.headersSent) sendJson(res, 500, { error: (e as Error).message });
        else res.end();
      }
      return;
    }
    sendJson(res, 404, { error: `no page at ${url.pathname}` });
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    for (const r of this.sockets) {
      const m = r.re.exec(url.pathname);
      if (!m) continue;
      const params: Params = {};
      r.keys.forEach((k, i) => { params[k] = decodeURIComponent(m[i + 1]); });
      this.wss.handleUpgrade(req, socket, head, (ws) => r.handler(ws, req, params, url));
      return;
    }
    for (const fn of this.upgradeFallbacks) if (fn(req, socket, head)) return;
    socket.destroy();
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(text);
}

export async function readBody(req: IncomingMessage, limit = 64 * 1024): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > limit) throw new Error('request body too large');
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Sends a JSON message to every open socket in `clients`. */
export function broadcast(clients: Iterable<WebSocket>, msg: unknown): void {
  const text = JSON.stringify(msg);
  for (const c of clients) if (c.readyState === 1) c.send(text);
}
