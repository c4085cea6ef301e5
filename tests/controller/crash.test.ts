// Crash: run `manyi controller` as a child process, drive a busy hour over MQTT,
// SIGKILL it mid-way, restart it on the same database, and check that everything
// it acknowledged survived, that no number was given twice, and that repeated
// request ids are answered exactly as before.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_HALL_PATH } from '../../firmware/config/hall.ts';
import { topics } from '../../firmware/protocol/topics.ts';
import { Probe } from './probe.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'manyi-crash-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

// The demo hall open around the clock, so the test runs at any hour.
const hallFile = join(dir, 'hall.json');
const hallJson = JSON.parse(readFileSync(DEMO_HALL_PATH, 'utf8'));
hallJson.hours = [{ open: '00:00', close: '23:59' }];
for (const s of hallJson.services) delete s.hours;
writeFileSync(hallFile, JSON.stringify(hallJson));
const H: string = hallJson.hall.id;
const db = join(dir, 'controller.db');

async function startChild(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [join(ROOT, 'firmware/bin/manyi.mjs'), 'controller', '--hall', hallFile, '--db', db,
    '--port', '0', '--ws-port', '0', '--open-broker'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let err = '';
  child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
  const lines = createInterface({ input: child.stdout! });
  const ready = await new Promise<{ mqtt: string }>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`controller not ready in 30 s: ${err.slice(-500)}`)), 30_000);
    lines.on('line', (l) => { try { const j = JSON.parse(l); if (j.ready) { clearTimeout(t); resolve(j); } } catch { /* log line */ } });
    child.once('exit', (code) => { clearTimeout(t); reject(new Error(`controller exited ${code}: ${err.slice(-500)}`)); });
  });
  return { child, url: ready.mqtt };
}

type Ack = { topic: string; body: Record<string, unknown>; raw: string };

describe('crash and restart of manyi controller', () => {
  it('keeps every acknowledged ticket, call and rating; gives no number twice; answers repeats as before', async () => {
    let { child, url } = await startChild();
    const acks: Ack[] = [];
    let killed = false;
    const kiosks = await Promise.all(['k1', 'k2', 'k3', 'k4'].map(() => Probe.connect(url, `manyi/v1/${H}/kiosk/+/reply`)));
    const wins = ['1', '2', '6', '7', '11', '13'];
    const hands = await Promise.all(wins.map(() => Probe.connect(url, `manyi/v1/${H}/window/+/reply`)));
    const ask = async (p: Probe, topic: string, body: Record<string, unknown>) => {
      const r = await p.request(topic, body, 2000);
      if (!killed) acks.push({ topic, body, raw: r.raw });
      return r.reply;
    };
    const services = ['registration', 'payment', 'discharge', 'enquiry'];
    const kioskLoop = async (p: Probe, k: number) => {
      for (let i = 0; !killed && i < 400; i++) {
        await ask(p, topics.kioskRequest(H, `k${k + 1}`), { id: `t${i}`, service: services[(i + k) % 4], ...(i % 7 === 0 ? { priority: 'priority' } : {}) });
        await new Promise((r) => setTimeout(r, 5));
      }
    };
    const windowLoop = async (p: Probe, w: string) => {
      const cmd = (id: string, action: string) => ask(p, topics.windowCommand(H, w), { id, action });
      await cmd('open', 'open');
      for (let i = 0; !killed && i < 400; i++) {
        const c = await cmd(`c${i}`, 'call-next');
        if (!c.ticket) { await new Promise((r) => setTimeout(r, 10)); continue; }
        if (i % 9 === 4) { await cmd(`n${i}`, 'no-show'); continue; }
        await cmd(`s${i}`, 'start');
        await cmd(`d${i}`, 'complete');
        await ask(p, topics.windowRating(H, w), { id: `r${i}`, ticket: c.ticket.no, score: i % 5 === 0 ? 'unsatisfied' : 'satisfied' });
      }
    };
    const loops = [...kiosks.map((p, k) => kioskLoop(p, k)), ...hands.map((p, i) => windowLoop(p, wins[i]!))].map((l) => l.catch(() => undefined));
    // Kill mid-way, with requests in flight.
    const deadline = Date.now() + 30_000;
    while (acks.filter((a) => a.topic.endsWith('/request')).length < 120 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGKILL');
    killed = true;
    await new Promise((r) => child.once('exit', r));
    await Promise.all(loops);
    await Promise.all([...kiosks, ...hands].map((p) => p.end()));
    const ticketAcks = acks.filter((a) => a.topic.endsWith('/request') && JSON.parse(a.raw).ok);
    expect(ticketAcks.length).toBeGreaterThanOrEqual(120);
    expect(acks.some((a) => a.topic.endsWith('/rating'))).toBe(true);

    // Restart on the same database.
    ({ child, url } = await startChild());
    const p = await Probe.connect(url, `manyi/v1/${H}/#`);
    // Every acknowledged request, asked again, gets the same bytes.
    for (const a of acks) expect((await p.request(a.topic, a.body, 5000)).raw).toBe(a.raw);
    // New tickets take numbers nobody has.
    const given = new Set(ticketAcks.map((a) => JSON.parse(a.raw).ticket.no as string));
    for (let i = 0; i < 8; i++) {
      const r = await p.request(topics.kioskRequest(H, 'k9'), { id: `after-${i}`, service: services[i % 4] });
      expect(given.has(r.reply.ticket.no)).toBe(false);
      given.add(r.reply.ticket.no);
    }
    await p.end();
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));

    // The log holds every acknowledged ticket, call and rating, and no number twice.
    const d = new Database(db, { readonly: true });
    const issued = d.prepare("SELECT ticket FROM events WHERE kind = 'ticket-issued'").all() as Array<{ ticket: string }>;
    expect(new Set(issued.map((r) => r.ticket)).size).toBe(issued.length);
    const has = (kind: string, ticket: string, win?: string) =>
      d.prepare(`SELECT count(*) AS n FROM events WHERE kind = ? AND ticket = ?${win ? ' AND "window" = ?' : ''}`).get(...[kind, ticket, ...(win ? [win] : [])]) as { n: number };
    for (const a of ticketAcks) expect(has('ticket-issued', JSON.parse(a.raw).ticket.no).n).toBe(1);
    for (const a of acks) {
      const r = JSON.parse(a.raw);
      const win = a.topic.split('/')[4]!;
      if (a.topic.endsWith('/command') && a.body.action === 'call-next' && r.ticket) expect(has('ticket-called', r.ticket.no, win).n).toBeGreaterThanOrEqual(1);
      if (a.topic.endsWith('/rating') && r.ok) expect(has('rating', r.ticket.no, win).n).toBe(1);
    }
    d.close();
  }, 120_000);
});
