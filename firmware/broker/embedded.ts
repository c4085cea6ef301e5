// The hall's own MQTT broker: aedes over TCP and over WebSocket (for the lobby
// board's page and the staff pages). One process, no Mosquitto to install on the
// controller board; a hall that already runs Mosquitto points devices there instead.
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { Aedes, type AedesOptions, type Client } from 'aedes';
import { WebSocketServer, createWebSocketStream } from 'ws';
import type { WebApp } from '../web/app.ts';
import type { BrokerAuth, DeviceIdentity } from '../security/identity.ts';

export interface EmbeddedBrokerOptions {
  /** TCP port (0 = any free port; default 1883). */
  port?: number;
  host?: string;
  /** Mount MQTT over WebSocket on this web host at `wsPath`. */
  web?: WebApp;
  wsPath?: string;
  /** Without it every client may do everything (the demo). */
  auth?: BrokerAuth;
  /** With `auth`: admit clients that give no user name from 127.0.0.1/::1 (mosquitto_sub in the demo). */
  anonymousLoopback?: boolean;
}

export interface EmbeddedBroker {
  url: string;
  port: number;
  wsUrl?: string;
  aedes: Aedes;
  close(): Promise<void>;
}

/** Who a client is: an authenticated device, or a trusted local anonymous client. */
type Admitted = { kind: 'device'; id: DeviceIdentity } | { kind: 'local' };

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

function refusal(message: string, returnCode: number) {
  return Object.assign(new Error(message), { returnCode }) as Error & { returnCode: 4 | 5 | 3 };
}

function authHooks(auth: BrokerAuth, anonymousLoopback: boolean, remote: WeakMap<object, string>): Partial<AedesOptions> {
  const admitted = new WeakMap<Client, Admitted>();
  const mayPublish = (client: Client | null, topic: string): boolean => {
    if (topic.startsWith('$SYS/')) return false;
    const a = client ? admitted.get(client) : undefined;
    if (!a) return false;
    return a.kind === 'local' || auth.canPublish(a.id, topic);
  };
  return {
    authenticate(client, username, password, done) {
      if (username === undefined && anonymousLoopback && LOOPBACK.has(remote.get(client.conn) ?? '')) {
        admitted.set(client, { kind: 'local' });
        return done(null, true);
      }
      auth.authenticate(client.id, username, password).then(
        (id) => {
          if (!id) return done(refusal('bad user name or password', 4), false);
          admitted.set(client, { kind: 'device', id });
          done(null, true);
        },
        (err: unknown) => done(refusal(`authentication failed: ${(err as Error).message}`, 3), false),
      );
    },
    // Runs for wills too, where `client` may be null: then refuse.
    authorizePublish(client, packet, callback) {
      if (!mayPublish(client, packet.topic)) return callback(new Error(`not allowed to publish on ${packet.topic}`));
      callback(null);
    },
    authorizeSubscribe(client, sub, callback) {
      const a = admitted.get(client);
      const ok = a && (a.kind === 'local' || auth.canSubscribe(a.id, sub.topic));
      // A null subscription answers the refusal code (0x80) and keeps the session.
      callback(null, ok ? sub : null);
    },
  };
}

/** Keeps aedes' default refusal of client publishes to `$SYS/` when nothing else is set. */
const openHooks: Partial<AedesOptions> = {
  authorizePublish(client, packet, callback) {
    if (client && packet.topic.startsWith('$SYS/')) return callback(new Error('$SYS/ is reserved'));
    callback(null);
  },
};

export async function startEmbeddedBroker(opts: EmbeddedBrokerOptions = {}): Promise<EmbeddedBroker> {
  const remote = new WeakMap<object, string>();
  const hooks = opts.auth ? authHooks(opts.auth, opts.anonymousLoopback ?? false, remote) : openHooks;
  const aedes = await Aedes.createBroker(hooks as AedesOptions);

  // noDelay on the server side; each client sets its own (STACK.md: 88 ms stall otherwise).
  const server: Server = createServer({ noDelay: true }, (sock: Socket) => {
    sock.setNoDelay(true);
    remote.set(sock, sock.remoteAddress ?? '');
    aedes.handle(sock);
  });
  const host = opts.host ?? '0.0.0.0';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 1883, host, () => { server.off('error', reject); resolve(); });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;

  let closed = false;
  let wss: WebSocketServer | undefined;
  let wsUrl: string | undefined;
  if (opts.web) {
    const wsPath = opts.wsPath ?? '/mqtt';
    const ws = new WebSocketServer({ noServer: true });
    wss = ws;
    opts.web.onUpgrade((req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      if (path !== wsPath) return false;
      if (closed) { socket.destroy(); return true; }
      (socket as Socket).setNoDelay?.(true);
      ws.handleUpgrade(req, socket, head, (conn) => {
        const stream = createWebSocketStream(conn);
        stream.on('error', () => stream.destroy());
        remote.set(stream, (socket as Socket).remoteAddress ?? '');
        aedes.handle(stream, req);
      });
      return true;
    });
    const a = opts.web.server.address() as AddressInfo | null;
    if (a && typeof a === 'object') wsUrl = `ws://127.0.0.1:${a.port}${wsPath}`;
  }

  return {
    url: `mqtt://${urlHost}:${port}`,
    port,
    wsUrl,
    aedes,
    async close() {
      if (closed) return;
      closed = true;
      if (wss) for (const c of wss.clients) c.terminate();
      server.close();
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
    },
  };
}
