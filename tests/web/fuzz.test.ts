// Hostile HTTP and WebSocket input to every route of every role, on the demo hall's
// one web host (where every role mounts its pages, as on their own boards): broken
// request targets and percent-encodings, every method, oversized heads and bodies,
// lying lengths, bad JSON, bad WebSocket handshakes and frames. The host answers
// each with a 4xx (never a 500, never a crash), and a citizen still gets a ticket.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { startDemoHall, type DemoHall } from '../../firmware/demo/hall.ts';
import { frame, pool, raw, wsHandshake } from './raw.ts';

let demo: DemoHall;
let port: number;
const errors: unknown[] = [];
const onUncaught = (e: unknown) => errors.push(e);

beforeAll(async () => {
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onUncaught);
  demo = await startDemoHall({
    port: 0, mqttPort: 0, host: '127.0.0.1', dataDir: mkdtempSync(join(tmpdir(), 'manyi-fuzz-')),
    log: pino({ level: 'silent' }),
  });
  port = demo.httpPort;
}, 60_000);

afterAll(async () => {
  await demo?.stop();
  process.off('uncaughtException', onUncaught);
  process.off('unhandledRejection', onUncaught);
});

/** A concrete path for a route pattern (`/t/:day/:no` → `/t/2026-01-01/A001`). */
function concrete(pattern: string): string {
  return pattern.replace(/:day/g, '2026-01-01').replace(/:no/g, 'A001').replace(/:group/g, 'services').replace(/:name/g, 'x.tar.gz').replace(/:(\w+)/g, 'x');
}

/** Variants of a path with its last segment (or each `:param`) made hostile. */
function hostilePaths(pattern: string): string[] {
  const p = concrete(pattern);
  const segs = p.split('/');
  const last = segs.length - 1;
  const withLast = (s: string) => [...segs.slice(0, last), s].join('/');
  const bad = ['%ZZ', '%', '%E0%A4%A', '%C0%AF', '..%2F..%2Fetc%2Fpasswd', '%00', '<script>alert(1)</script>', 'a'.repeat(8000), '%F0%9F%98%80', '%uD800'];
  const out = bad.map(withLast);
  // Every parameter of the pattern broken in turn (e.g. the day of `/t/:day/:no`).
  pattern.split('/').forEach((s, i) => { if (s.startsWith(':')) out.push(segs.map((x, j) => (j === i ? '%ZZ' : x)).join('/')); });
  out.push(`${p}?${'q=%ZZ&'.repeat(20)}`, `${p}?from=%ZZ&to=<b>&lang=%00&format=%ZZ&month=9999-99`, `${p}/%2e%2e/%2e%2e`, `${p}//`, `${p}#frag`);
  return out;
}

const BODIES = [
  '', 'null', '[]', '{', '{"a":', 'true', '"str"', '123', '{"__proto__":{"polluted":1}}', '{"constructor":{"prototype":{"x":1}}}',
  JSON.stringify({ action: 'open', staff: '<img src=x onerror=alert(1)>' }), JSON.stringify({ service: 'x'.repeat(5000) }),
  JSON.stringify({ service: 'registration', appointment: "'; DROP TABLE events; --" }), JSON.stringify({ code: null }), JSON.stringify({ state: 'paper-out' }),
  '['.repeat(50_000) + ']'.repeat(50_000), '\u0000\u0001\u0002', Buffer.from([0xff, 0xfe, 0xfd]).toString('latin1'),
];

function request(method: string, path: string, body = '', headers: Record<string, string> = {}): string {
  const h = { host: 'x', connection: 'close', 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body, 'latin1')), ...headers };
  return `${method} ${path} HTTP/1.1\r\n${Object.entries(h).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n${body}`;
}

describe('the web host under hostile input', () => {
  it('answers the three requests that used to end the process with 400', async () => {
    expect((await raw(port, request('GET', '/t/%ZZ/A001'))).status).toBe(400);
    expect((await raw(port, 'GET http://[/x HTTP/1.1\r\nHost: x\r\n\r\n')).status).toBe(400);
    const ws = await raw(port, wsHandshake('/t/%ZZ/A001/live'));
    expect(ws.status).toBe(400);
    expect((await fetch(`http://127.0.0.1:${port}/t/2026-01-01/A001/json`)).status).toBeLessThan(500);
  });

  it('survives thousands of malformed requests to every route and answers each without a 500', async () => {
    const routes = demo.web.mounted();
    expect(routes.length).toBeGreaterThan(50); // every role mounted: kiosks, counters, board, controller
    const jobs: Array<() => Promise<{ what: string; status: number }>> = [];
    const job = (what: string, bytes: string | Buffer | Array<string | Buffer>, waitMs = 3000) =>
      jobs.push(async () => ({ what, status: (await raw(port, bytes, { waitMs })).status }));

    for (const r of routes) {
      const p = concrete(r.pattern);
      for (const hp of hostilePaths(r.pattern)) job(`${r.method} ${hp.slice(0, 80)}`, request(r.method, hp));
      for (const m of ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'HEAD', 'FOO']) job(`${m} ${p}`, request(m, p, m === 'GET' || m === 'HEAD' ? '' : '{}'));
      if (r.method === 'POST') {
        for (const b of BODIES) job(`POST ${p} body ${b.slice(0, 30)}`, request('POST', p, b));
        job(`POST ${p} 1 MB`, request('POST', p, 'x'.repeat(1 << 20)));
        job(`POST ${p} announced 1 GB`, request('POST', p, '', { 'content-length': String(1 << 30) }), 500);
        job(`POST ${p} form`, request('POST', p, 'a=1&b=2', { 'content-type': 'application/x-www-form-urlencoded' }));
        job(`POST ${p} bad chunked`, `POST ${p} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\nZZZ\r\nxx\r\n0\r\n\r\n`);
        job(`POST ${p} CL+TE`, `POST ${p} HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`);
        job(`POST ${p} short body`, request('POST', p, '{"a"', { 'content-length': '100' }), 300);
      }
      job(`GET ${p} huge header`, request('GET', p, '', { 'x-big': 'a'.repeat(40_000) }));
      job(`GET ${p} many headers`, `GET ${p} HTTP/1.1\r\n${Array.from({ length: 300 }, (_, i) => `x-h${i}: ${i}`).join('\r\n')}\r\n\r\n`);
      job(`GET ${p} cookie junk`, request('GET', p, '', { cookie: '%ZZ=%ZZ; =; ;;; a="b' }));
      if (r.socket) {
        job(`WS ${p} no key`, `GET ${p} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n`);
        job(`WS ${p} version 99`, wsHandshake(p).replace('Version: 13', 'Version: 99'));
        for (const hp of hostilePaths(r.pattern).slice(0, 6)) job(`WS ${hp.slice(0, 60)}`, wsHandshake(hp));
        const hs = wsHandshake(p);
        job(`WS ${p} unmasked frame`, [hs, frame(1, Buffer.from('hi'), { mask: false })], 500);
        job(`WS ${p} reserved opcode`, [hs, frame(3, Buffer.from('hi'))], 500);
        job(`WS ${p} rsv bits`, [hs, frame(1, Buffer.from('hi'), { rsv: 7 })], 500);
        job(`WS ${p} 2^62 announced`, [hs, frame(2, Buffer.alloc(0), { lengthOverride: 1n << 62n })], 500);
        job(`WS ${p} 1 MB message`, [hs, frame(2, Buffer.alloc(1 << 20))], 500);
        job(`WS ${p} bad utf-8`, [hs, frame(1, Buffer.from([0xff, 0xfe]))], 500);
        job(`WS ${p} junk`, [hs, frame(1, Buffer.from('{"type":"<script>"}')), Buffer.from('garbage\r\n\r\n')], 500);
      }
    }
    for (const t of ['*', '//evil/x', 'http://[/x', 'http://evil/t/2026-01-01/A001', '/\u0000', '/%', '', 'x'.repeat(20_000)]) job(`target ${t.slice(0, 30)}`, `GET ${t} HTTP/1.1\r\nHost: x\r\n\r\n`);
    job('not http', 'hello\r\n\r\n');
    job('binary', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)));
    job('HTTP/2 preface', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
    job('bad version', 'GET / HTTP/9.9\r\nHost: x\r\n\r\n');

    expect(jobs.length).toBeGreaterThan(2000);
    const results = await pool(16, jobs);
    const fivehundreds = results.filter((r) => r.status >= 500);
    expect(fivehundreds.map((r) => `${r.status} ${r.what}`)).toEqual([]);
    expect(errors).toEqual([]);
  }, 240_000);

  it('refuses every POST from another site, and every POST without a CSRF token but the kiosk screen\'s own', async () => {
    const posts = demo.web.mounted().filter((r) => r.method === 'POST').map((r) => concrete(r.pattern));
    expect(posts.length).toBeGreaterThan(10);
    // A body each route would take, so that only the origin or the token can refuse it.
    const body = JSON.stringify({ service: 'registration', lang: 'en', action: 'call-next', staff: 's001', pin: '1234', state: 'paper-out', score: 'satisfied', key: 'next' });
    // Without a session by design: the kiosk's touch screen (loopback only, same origin, JSON only)
    // and the demo's simulated buttons (loopback only); everything else wants a session's CSRF token.
    const TOKENLESS = /^\/kiosk\/[^/]+\/(api\/(ticket|lang)|sim\/printer)$|^\/window\/[^/]+\/sim\/(pad|key)$/;
    const form = 'id=alice&password=correct-horse-battery&next=%2Fmanager'; // the manager's sign-in and sign-out are forms
    const answered: string[] = [];
    for (const p of posts) {
      const asForm = /^\/log(in|out)$/.test(p);
      const send = (h: Record<string, string>) => raw(port, request('POST', p, asForm ? form : body, { host: `127.0.0.1:${port}`, ...(asForm ? { 'content-type': 'application/x-www-form-urlencoded' } : {}), ...h }));
      const cross = await send({ origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' });
      answered.push(`${cross.status} cross-site ${p}`);
      if (TOKENLESS.test(p)) continue;
      const bare = await send({});
      answered.push(`${bare.status} no token ${p}`);
    }
    expect(answered.filter((a) => !/^(401|403) /.test(a))).toEqual([]);
    expect(answered.filter((a) => a.includes(' no token ')).length).toBeGreaterThan(5);
  });

  it('still gives a citizen a normal ticket afterwards, and serves every page', async () => {
    const base = `http://127.0.0.1:${port}`;
    const res = await fetch(`${base}/kiosk/k1/api/ticket`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ service: 'registration' }) });
    const r = await res.json() as { ok: boolean; ticket?: { no: string } };
    expect(r.ok).toBe(true);
    expect(r.ticket?.no).toMatch(/^A\d{3}$/);
    for (const path of ['/', '/kiosk/k1', '/window/1', '/manager']) expect((await fetch(base + path)).status).toBe(200);
  });

  it('caps connections and WebSockets per address', async () => {
    const { connect } = await import('node:net');
    const cap = demo.web.limits.connectionsPerAddress;
    const socks = await Promise.all(Array.from({ length: cap + 5 }, () => new Promise<import('node:net').Socket>((res) => {
      const s = connect({ port, host: '127.0.0.1' }); s.on('error', () => undefined); s.once('connect', () => res(s));
    })));
    // The ones past the cap are closed by the host at once.
    const closed = await Promise.all(socks.map((s) => new Promise<boolean>((res) => {
      if (s.destroyed) return res(true);
      s.once('close', () => res(true));
      setTimeout(() => res(false), 1000);
    })));
    expect(closed.filter(Boolean).length).toBeGreaterThanOrEqual(5);
    for (const s of socks) s.destroy();
    // Freed: a new request works.
    await expect.poll(async () => (await fetch(`http://127.0.0.1:${port}/kiosk/k1/api/menu`)).status, { timeout: 5000 }).toBe(200);
  });
});
