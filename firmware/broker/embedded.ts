// The hall's own MQTT broker: aedes over TCP and over WebSocket (for the lobby
// board's page and the staff pages), and over TLS when the hall has a certificate.
// One process, no Mosquitto to install on the controller board; a hall that already
// runs Mosquitto points devices there instead (manyi mosquitto-files).
//
// It refuses before it buffers (guard.ts: packet sizes, CONNECT deadline), caps
// connections per address, backs off failed logins per address and per user name
// before any hash is computed (throttle.ts), and drops the retained flag wherever
// the contract does not retain.
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { Aedes, type AedesOptions, type Client } from 'aedes';
import { MqttClient, type IClientOptions } from 'mqtt';
import { Duplex as DuplexStream } from 'node:stream';
import { WebSocketServer, createWebSocketStream } from 'ws';
import type { WebApp } from '../web/app.ts';
import { normalAddress, PerKeyCounter } from '../web/limits.ts';
import type { BrokerAuth, DeviceIdentity } from '../security/identity.ts';
import { Gate, Throttle, type ThrottleOptions } from '../security/throttle.ts';
import { parseTopic, publishOptions } from '../protocol/topics.ts';
import { DEFAULT_GUARD, guardConnection, type GuardLimits, type GuardRefusal } from './guard.ts';

export interface EmbeddedBrokerOptions {
  /** TCP port (0 = any free port; default 1883). */
  port?: number;
  host?: string;
  /** Mount MQTT over WebSocket on this web host at `wsPath` (WSS when the host serves HTTPS). */
  web?: WebApp;
  wsPath?: string;
  /** MQTT over TLS (default port 8883), with this key and certificate (PEM). */
  tls?: { key: Buffer | string; cert: Buffer | string; port?: number; host?: string };
  /** Without it every client may do everything (the demo, a bench). */
  auth?: BrokerAuth;
  /** With `auth`: admit clients that give no user name from 127.0.0.1/::1 (mosquitto_sub in the demo). */
  anonymousLoopback?: boolean;
  /** Packet-size and CONNECT limits (guard.ts); `false` turns the guard off (a benchmark's "before"). */
  guard?: Partial<GuardLimits> | false;
  /** Open connections from one address (default 32 with `auth`; unbounded without). */
  connectionsPerAddress?: number;
  /** Failed-login back-off (per address and per user name). */
  throttle?: Partial<ThrottleOptions>;
  /** Password checks at once (each is an scrypt hash); more wait, past 32 waiting are refused. */
  concurrentLogins?: number;
  /** Told about each refused connection (tests, logs). */
  onRefuse?: (why: GuardRefusal | 'address-cap' | 'throttled' | 'busy', address: string) => void;
  now?: () => number;
}

export interface EmbeddedBroker {
  url: string;
  port: number;
  wsUrl?: string;
  tlsUrl?: string;
  tlsPort?: number;
  aedes: Aedes;
  /** An MQTT client inside this process, over an in-memory pipe: no port, no password (the controller's own). */
  connectInternal(opts: IClientOptions): Promise<MqttClient>;
  /** The same in-process client, returned at once (a device session attaches its bus before it connects). */
  internalClient(opts: IClientOptions): MqttClient;
  close(): Promise<void>;
}

/** Who a client is: an authenticated device, or a trusted local anonymous client. */
type Admitted = { kind: 'device'; id: DeviceIdentity } | { kind: 'local' };

const LOOPBACK = new Set(['127.0.0.1', '::1']);

function refusal(message: string, returnCode: number) {
  return Object.assign(new Error(message), { returnCode }) as Error & { returnCode: 4 | 5 | 3 };
}

/** The contract retains only states, statuses and update offers: a retained request would replay on every reconnect. */
function dropUnwantedRetain(packet: { topic: string; retain: boolean }): void {
  if (!packet.retain) return;
  const t = parseTopic(packet.topic);
  if (!t || !publishOptions(t.kind).retain) packet.retain = false;
}

interface AuthDeps {
  /** In-process clients (the controller inside `manyi controller`): admitted without a password. */
  trusted: WeakSet<object>;
  auth: BrokerAuth;
  anonymousLoopback: boolean;
  remote: WeakMap<object, string>;
  byAddress: Throttle;
  byUser: Throttle;
  gate: Gate;
  onRefuse?: EmbeddedBrokerOptions['onRefuse'];
}

function authHooks(d: AuthDeps): Partial<AedesOptions> {
  const admitted = new WeakMap<Client, Admitted>();
  /** Where each user name last logged in: a device at its usual address is not locked out by strangers using its name. */
  const lastGood = new Map<string, string>();
  const mayPublish = (client: Client | null, topic: string): boolean => {
    if (topic.startsWith('$SYS/')) return false;
    const a = client ? admitted.get(client) : undefined;
    if (!a) return false;
    return a.kind === 'local' || d.auth.canPublish(a.id, topic);
  };
  return {
    authenticate(client, username, password, done) {
      const addr = normalAddress(d.remote.get(client.conn));
      if (d.trusted.has(client.conn) || (username === undefined && d.anonymousLoopback && LOOPBACK.has(addr))) {
        admitted.set(client, { kind: 'local' });
        return done(null, true);
      }
      const user = username ?? '';
      // A name under attack is still checked from its usual address or from an address
      // that never failed: strangers using a device's name must not lock the device out.
      const usual = lastGood.get(user) === addr;
      const clean = d.byAddress.failures(addr) === 0;
      // No hash for a throttled address or name: refusing is cheap, hashing is not.
      if (!d.byAddress.begin(addr) || (!usual && !d.byUser.begin(user) && !clean)) {
        d.onRefuse?.('throttled', `${addr} ${user}`);
        return done(refusal('too many failed logins: try again later', 5), false);
      }
      d.gate.run<DeviceIdentity | null | 'busy'>(() => d.auth.authenticate(client.id, username, password), 'busy', usual).then(
        (id) => {
          if (id === 'busy') { d.onRefuse?.('busy', addr); return done(refusal('server busy', 3), false); }
          if (!id) return done(refusal('bad user name or password', 4), false);
          d.byAddress.success(addr);
          d.byUser.success(user);
          lastGood.set(user, addr);
          if (lastGood.size > 10_000) lastGood.delete(lastGood.keys().next().value!);
          admitted.set(client, { kind: 'device', id });
          done(null, true);
        },
        (err: unknown) => done(refusal(`authentication failed: ${(err as Error).message}`, 3), false),
      );
    },
    // Runs for wills too, where `client` may be null: then refuse.
    authorizePublish(client, packet, callback) {
      if (!mayPublish(client, packet.topic)) return callback(new Error(`not allowed to publish on ${packet.topic}`));
      dropUnwantedRetain(packet);
      callback(null);
    },
    authorizeSubscribe(client, sub, callback) {
      const a = admitted.get(client);
      const ok = a && (a.kind === 'local' || d.auth.canSubscribe(a.id, sub.topic));
      // A null subscription answers the refusal code (0x80) and keeps the session.
      callback(null, ok ? sub : null);
    },
  };
}

/** Keeps aedes' default refusal of client publishes to `$SYS/` when nothing else is set. */
const openHooks: Partial<AedesOptions> = {
  authorizePublish(client, packet, callback) {
    if (client && packet.topic.startsWith('$SYS/')) return callback(new Error('$SYS/ is reserved'));
    dropUnwantedRetain(packet);
    callback(null);
  },
};

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => { server.off('error', reject); resolve((server.address() as AddressInfo).port); });
  });
}

export async function startEmbeddedBroker(opts: EmbeddedBrokerOptions = {}): Promise<EmbeddedBroker> {
  const remote = new WeakMap<object, string>();
  const trusted = new WeakSet<object>();
  const now = opts.now ?? Date.now;
  const hooks = opts.auth
    ? authHooks({
      auth: opts.auth, trusted, anonymousLoopback: opts.anonymousLoopback ?? false, remote, onRefuse: opts.onRefuse,
      byAddress: new Throttle({ freeFailures: 10, ...opts.throttle }, now),
      byUser: new Throttle(opts.throttle, now),
      gate: new Gate(opts.concurrentLogins ?? 2, 32),
    })
    : openHooks;
  const guard = opts.guard === false ? null : { ...DEFAULT_GUARD, ...opts.guard };
  const aedes = await Aedes.createBroker({
    ...hooks,
    connectTimeout: guard?.connectDeadlineMs ?? 30_000,
    maxClientsIdLength: 64,
  } as AedesOptions);

  // Streams by connection, to lift the pre-auth limits once aedes admits the client.
  const admitters = new WeakMap<object, () => void>();
  aedes.on('client', (client) => admitters.get(client.conn)?.());

  const cap = opts.connectionsPerAddress ?? (opts.auth ? 32 : Infinity);
  const perAddress = new PerKeyCounter(cap);
  /** Hands a connection to aedes through the guard, if its address has room. */
  const accept = (conn: Duplex, address: string | undefined, req?: IncomingMessage): void => {
    const addr = normalAddress(address);
    conn.on('error', () => conn.destroy());
    if (!perAddress.take(addr)) { opts.onRefuse?.('address-cap', addr); conn.destroy(); return; }
    conn.once('close', () => perAddress.release(addr));
    let stream: Duplex = conn;
    if (guard) {
      const g = guardConnection(conn, guard, (why) => opts.onRefuse?.(why, addr));
      stream = g.stream;
      admitters.set(stream, g.admitted);
    }
    remote.set(stream, addr);
    aedes.handle(stream, req as never);
  };

  // noDelay on the server side; each client sets its own (STACK.md: 88 ms stall otherwise).
  const server: Server = createServer({ noDelay: true }, (sock: Socket) => {
    sock.setNoDelay(true);
    accept(sock, sock.remoteAddress);
  });
  const host = opts.host ?? '0.0.0.0';
  const port = await listen(server, opts.port ?? 1883, host);
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;

  let tlsServer: Server | undefined;
  let tlsPort: number | undefined;
  if (opts.tls) {
    tlsServer = createTlsServer({ key: opts.tls.key, cert: opts.tls.cert, minVersion: 'TLSv1.2', handshakeTimeout: 5_000 }, (sock: TLSSocket) => {
      sock.setNoDelay(true);
      accept(sock, sock.remoteAddress);
    }) as unknown as Server;
    tlsServer.on('tlsClientError', (_e, sock: Duplex) => sock.destroy());
    tlsPort = await listen(tlsServer, opts.tls.port ?? 8883, opts.tls.host ?? host);
  }

  let closed = false;
  let wss: WebSocketServer | undefined;
  let wsUrl: string | undefined;
  if (opts.web) {
    const web = opts.web;
    const wsPath = opts.wsPath ?? '/mqtt';
    const ws = new WebSocketServer({ noServer: true, maxPayload: guard?.maxPacketBytes ?? 100 * 1024 * 1024 });
    wss = ws;
    web.onUpgrade((req: IncomingMessage, socket: Duplex, head: Buffer) => {
      let path: string;
      try { path = new URL(req.url ?? '/', 'http://localhost').pathname; } catch { return false; }
      if (path !== wsPath) return false;
      if (closed) { socket.destroy(); return true; }
      (socket as Socket).setNoDelay?.(true);
      ws.handleUpgrade(req, socket, head, (conn) => {
        conn.on('error', () => conn.terminate());
        const stream = createWebSocketStream(conn);
        accept(stream, (socket as Socket).remoteAddress, req);
      });
      return true;
    });
    const a = web.server.address() as AddressInfo | null;
    if (a && typeof a === 'object') wsUrl = `${web.secure ? 'wss' : 'ws'}://127.0.0.1:${a.port}${wsPath}`;
  }

  const internalClient = (o: IClientOptions) => new MqttClient(() => {
    const [ours, theirs] = memoryPipe();
    trusted.add(ours);
    remote.set(ours, 'internal');
    aedes.handle(ours);
    return theirs;
  }, { protocolVersion: 4, reconnectPeriod: 1000, ...o });

  return {
    url: `mqtt://${urlHost}:${port}`,
    port,
    wsUrl,
    tlsPort,
    tlsUrl: tlsPort ? `mqtts://${opts.tls?.host && opts.tls.host !== '0.0.0.0' ? opts.tls.host : 'localhost'}:${tlsPort}` : undefined,
    aedes,
    internalClient: (o) => internalClient(o),
    connectInternal(o) {
      const client = internalClient(o);
      return new Promise((resolve, reject) => {
        client.once('connect', () => resolve(client));
        client.once('error', reject);
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      if (wss) for (const c of wss.clients) c.terminate();
      server.close();
      tlsServer?.close();
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
    },
  };
}

/** Two connected in-memory streams: what one writes, the other reads. */
function memoryPipe(): [DuplexStream, DuplexStream] {
  let a: DuplexStream, b: DuplexStream;
  const make = (peer: () => DuplexStream) => new DuplexStream({
    read() {},
    write(chunk, _enc, cb) { peer().push(chunk); cb(); },
    final(cb) { peer().push(null); cb(); },
    destroy(err, cb) { const p = peer(); if (!p.destroyed) p.destroy(); cb(err); },
  });
  a = make(() => b);
  b = make(() => a);
  return [a, b];
}
