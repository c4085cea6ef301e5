// The page behind a ticket's QR code (firmware/controller/status-page/) over HTTP and
// its live socket, with a stand-in source of ticket status: which addresses it
// answers, what the JSON and the socket carry, that the socket gets only changes
// of its own ticket, that hostile text in the hall's names is escaped, and that
// the engine's status fits the page's schema. The browser rendering is in
// tests/kiosk/status-page.test.ts (Chromium).
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { HallEngine } from '../../firmware/controller/engine.ts';
import { engineTicketSource, mountTicketStatusPage, statusView, TicketStatus } from '../../firmware/controller/status-page/status-page.ts';
import { STATUS_SCRIPT } from '../../firmware/controller/status-page/html.ts';
import { MemoryStore } from '../../firmware/eventlog/store.ts';
import type { HallConfig } from '../../firmware/config/hall.ts';
import { WebApp } from '../../firmware/web/app.ts';
import { at, DAY, hall } from './helpers.ts';

type Status = TicketStatus;

/** A source of ticket status a test sets by hand; counts reads and listeners. */
function stubSource() {
  const tickets = new Map<string, Status>();
  const listeners = new Set<() => void>();
  const reads: string[] = [];
  let broken = false;
  return {
    tickets, listeners, reads,
    breakIt() { broken = true; },
    status(day: string, no: string) { reads.push(`${day}/${no}`); if (broken) throw new Error('store gone'); return tickets.get(`${day}/${no}`) ?? null; },
    onChange(l: () => void) { listeners.add(l); return () => { listeners.delete(l); }; },
    set(key: string, s: Status) { tickets.set(key, s); for (const l of listeners) l(); },
    poke() { for (const l of listeners) l(); },
  };
}

const open: Array<{ close(): Promise<void> | void }> = [];
afterEach(async () => { while (open.length) await open.pop()!.close(); });

async function page(h: HallConfig = hall) {
  const source = stubSource();
  const web = new WebApp();
  const mounted = mountTicketStatusPage(web, source, h);
  const port = await web.listen(0, '127.0.0.1');
  open.push(web, mounted);
  return { source, mounted, base: `http://127.0.0.1:${port}`, ws: `ws://127.0.0.1:${port}` };
}

/** A live socket that keeps what it receives; `next(n)` waits (with a deadline) for the n-th message. */
async function live(url: string) {
  const ws = new WebSocket(url);
  const got: any[] = [];
  let closed: { code: number; reason: string } | null = null;
  ws.on('message', (d) => got.push(JSON.parse(String(d))));
  ws.on('close', (code, reason) => { closed = { code, reason: String(reason) }; });
  ws.on('error', () => {});
  const until = async (what: string, ok: () => boolean) => {
    const deadline = Date.now() + 10_000;
    while (!ok()) {
      if (Date.now() > deadline) throw new Error(`socket: no ${what}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  open.push({ close: () => ws.close() });
  return { ws, got, next: (n: number) => until(`message ${n}`, () => got.length >= n), closed: async () => { await until('close', () => closed !== null); return closed!; } };
}

const waiting: Status = { no: 'B023', service: 'payment', state: 'waiting', ahead: 3, estWaitS: 250 };

describe('the ticket page\'s addresses', () => {
  it('serves the page for a well-formed day and number, uncached, with the number and the hall\'s names', async () => {
    const { base } = await page();
    const r = await fetch(`${base}/t/${DAY}/B023`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(r.headers.get('cache-control')).toBe('no-cache');
    const html = await r.text();
    expect(html).toContain('<div id="no">B023</div>');
    expect(html).toContain(`<title>B023 · ${hall.hall.name.zh}</title>`);
    expect(html).toContain(`data-hall-zh="${hall.hall.name.zh}" data-hall-en="${hall.hall.name.en}"`);
    expect(html).toContain('<script src="/t/status.js"></script>');
    expect(html).not.toMatch(/<script>/); // no inline script: the CSP forbids it
  });

  it('serves its script from the file next to it', async () => {
    const { base } = await page();
    expect(STATUS_SCRIPT.endsWith('/firmware/controller/status-page/status.js')).toBe(true);
    const r = await fetch(`${base}/t/status.js`);
    expect(r.status).toBe(200);
    expect(await r.text()).toBe(readFileSync(STATUS_SCRIPT, 'utf8'));
  });

  it('escapes hostile text in the hall\'s names', async () => {
    const evil = '<script>alert("x")</script>&\'';
    const { base } = await page({ ...hall, hall: { ...hall.hall, name: { zh: evil, en: evil } } });
    const html = await (await fetch(`${base}/t/${DAY}/A001`)).text();
    expect(html).not.toContain('<script>alert');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;');
  });

  it('refuses malformed days and numbers on the page, the JSON and the socket, without asking the source', async () => {
    const { base, ws, source } = await page();
    const bad = [
      ['yesterday', 'A001'], ['2026-11-2', 'A001'], ['2026-11-266', 'A001'], ['x2026-11-26', 'A001'], ['2026-11-26x', 'A001'],
      ['20261-11-26', 'A001'], ['2026-111-26', 'A001'], ['2026-11-261', 'A001'], [DAY, 'a1'], [DAY, '%3Cscript%3E'], [DAY, 'A0011x'],
    ];
    for (const [day, no] of bad) {
      for (const path of [`/t/${day}/${no}`, `/t/${day}/${no}/json`]) {
        const r = await fetch(`${base}${path}`);
        expect([path, r.status]).toEqual([path, 404]);
        expect(await r.json()).toEqual({ error: 'no such ticket' });
      }
    }
    const s = await live(`${ws}/t/yesterday/A001/live`);
    expect(await s.closed()).toEqual({ code: 1008, reason: 'no such ticket' });
    const s2 = await live(`${ws}/t/${DAY}/a1/live`);
    expect((await s2.closed()).code).toBe(1008);
    expect(s.got).toEqual([]);
    expect(source.reads).toEqual([]);
  });
});

describe('what the page shows', () => {
  it('gives the status with the service\'s and the floor\'s names as JSON; an unknown ticket is a 404 that says so', async () => {
    const { base, source } = await page();
    source.set(`${DAY}/B023`, { ...waiting, state: 'called', ahead: 0, estWaitS: 0, window: '12', windowName: 'Twelve', floor: '2F' });
    const r = await fetch(`${base}/t/${DAY}/B023/json`);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({
      day: DAY, found: true, no: 'B023', service: 'payment', state: 'called', ahead: 0, estWaitS: 0, window: '12', windowName: 'Twelve', floor: '2F',
      serviceName: hall.services.find((s) => s.id === 'payment')!.name, floorName: { zh: '2楼', en: '2F' },
    });
    const nf = await fetch(`${base}/t/${DAY}/A999/json`);
    expect(nf.status).toBe(404);
    expect(await nf.json()).toEqual({ day: DAY, no: 'A999', found: false });
    expect(source.reads).toEqual([`${DAY}/B023`, `${DAY}/A999`]);
  });

  it('answers "not found" when the source fails, rather than an error page', async () => {
    const { base, source } = await page();
    source.set(`${DAY}/B023`, waiting);
    source.breakIt();
    const r = await fetch(`${base}/t/${DAY}/B023/json`);
    expect(r.status).toBe(404);
    expect(await r.json()).toEqual({ day: DAY, no: 'B023', found: false });
  });

  it('names a floor or service the hall does not list by its id, and shows no floor before the call', () => {
    expect(statusView(hall, DAY, 'B023', { ...waiting, floor: '9F', service: 'x-ray' })).toMatchObject({
      found: true, serviceName: { zh: 'x-ray', en: 'x-ray' }, floorName: { zh: '9F', en: '9F' },
    });
    expect(statusView(hall, DAY, 'B023', waiting)).toMatchObject({ found: true, floorName: null, serviceName: hall.services[1]!.name });
    expect(statusView(hall, DAY, 'D001', { ...waiting, no: 'D001', service: 'enquiry', floor: '1F' })).toMatchObject({
      serviceName: hall.services.find((s) => s.id === 'enquiry')!.name, floorName: { zh: '1楼', en: '1F' },
    });
    expect(statusView(hall, DAY, 'B023', null)).toEqual({ day: DAY, no: 'B023', found: false });
  });
});

describe('the live socket', () => {
  it('sends the status at once, then only changes of its own ticket', async () => {
    const { ws, source } = await page();
    source.set(`${DAY}/B023`, waiting);
    const s = await live(`${ws}/t/${DAY}/B023/live`);
    await s.next(1);
    expect(s.got[0]).toMatchObject({ day: DAY, found: true, no: 'B023', ahead: 3 });
    source.set(`${DAY}/A001`, { no: 'A001', service: 'registration', state: 'waiting', ahead: 0, estWaitS: 0 }); // another ticket
    source.poke(); // a change elsewhere: the same status again
    source.set(`${DAY}/B023`, { ...waiting, ahead: 2 });
    await s.next(2);
    source.set(`${DAY}/B023`, { ...waiting, state: 'called', ahead: 0, estWaitS: 0, window: '12', floor: '2F' });
    await s.next(3);
    expect(s.got.map((g) => [g.state, g.ahead])).toEqual([['waiting', 3], ['waiting', 2], ['called', 0]]);
  });

  it('tells an unknown ticket so, then shows it once it exists', async () => {
    const { ws, source } = await page();
    const s = await live(`${ws}/t/${DAY}/C005/live`);
    await s.next(1);
    expect(s.got[0]).toEqual({ day: DAY, no: 'C005', found: false });
    source.set(`${DAY}/C005`, { no: 'C005', service: 'discharge', state: 'waiting', ahead: 1, estWaitS: 300 });
    await s.next(2);
    expect(s.got[1]).toMatchObject({ found: true, no: 'C005', ahead: 1 });
  });

  it('forgets a socket once it closes, and on close() closes every socket and stops listening', async () => {
    const { ws, source, mounted } = await page();
    source.set(`${DAY}/B023`, waiting);
    const a = await live(`${ws}/t/${DAY}/B023/live`);
    const b = await live(`${ws}/t/${DAY}/A001/live`);
    await a.next(1);
    await b.next(1);
    a.ws.close();
    await a.closed();
    // the server learns of the close a moment later: wait until a change reads only b's ticket
    const deadline = Date.now() + 10_000;
    for (;;) {
      source.reads.length = 0;
      source.poke();
      if (source.reads.length === 1) break;
      if (Date.now() > deadline) throw new Error(`still reading ${source.reads.join(', ')}`);
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(source.reads).toEqual([`${DAY}/A001`]);
    expect(source.listeners.size).toBe(1);
    mounted.close();
    expect(source.listeners.size).toBe(0);
    expect((await b.closed()).code).toBe(1005);
  });
});

describe('the engine as the page\'s source', () => {
  it('reads the engine\'s status of a ticket and follows its changes; every state fits the page\'s schema', () => {
    const e = new HallEngine({ hall, store: new MemoryStore(), policy: 'dedicated' });
    const source = engineTicketSource(e);
    let changes = 0;
    const off = source.onChange(() => { changes++; });
    e.kiosk('k1', { op: 'ticket', id: 't1', service: 'registration' }, at(0));
    e.kiosk('k1', { op: 'ticket', id: 't2', service: 'registration' }, at(1));
    expect(changes).toBe(2);
    expect(source.status(DAY, 'A002')).toMatchObject({ no: 'A002', state: 'waiting', ahead: 1 });
    expect(source.status(DAY, 'A404')).toBeNull();
    const seen: Status[] = [];
    const check = () => { const s = source.status(DAY, 'A001')!; seen.push(s); expect(TicketStatus.parse(s)).toEqual(s); };
    check();
    e.window('1', { id: 'o', action: 'open' }, at(2));
    for (const [i, action] of (['call-next', 'start', 'complete'] as const).entries()) { e.window('1', { id: action, action }, at(3 + i)); check(); }
    e.window('1', { id: 'c2', action: 'call-next' }, at(10));
    e.window('1', { id: 'ns', action: 'no-show' }, at(11));
    const ns = source.status(DAY, 'A002')!;
    expect(TicketStatus.parse(ns)).toEqual(ns);
    expect([...seen.map((s) => s.state), ns.state]).toEqual(['waiting', 'called', 'serving', 'done', 'no-show']);
    expect(seen[1]).toMatchObject({ window: '1', floor: '1F' });
    expect(changes).toBe(8); // two tickets, open, three steps, call, no-show
    off();
    e.kiosk('k1', { op: 'ticket', id: 't3', service: 'registration' }, at(20));
    expect(changes).toBe(8);
  });

  it('the schema takes every state a ticket can be in, and no other, and no negative figures', () => {
    for (const state of ['waiting', 'called', 'serving', 'done', 'no-show', 'parked'] as const) {
      expect(TicketStatus.safeParse({ ...waiting, state }).success).toBe(true);
    }
    expect(TicketStatus.safeParse({ ...waiting, state: 'lost' }).success).toBe(false);
    expect(TicketStatus.safeParse({ ...waiting, state: '' }).success).toBe(false);
    expect(TicketStatus.safeParse({ ...waiting, ahead: -1 }).success).toBe(false);
    expect(TicketStatus.safeParse({ ...waiting, ahead: 1.5 }).success).toBe(false);
    expect(TicketStatus.safeParse({ ...waiting, estWaitS: -1 }).success).toBe(false);
    expect(TicketStatus.safeParse({ ...waiting, ahead: 0, estWaitS: 0 }).success).toBe(true);
    expect(TicketStatus.safeParse({ ...waiting, no: 'b1' }).success).toBe(false);
    expect(TicketStatus.safeParse({}).success).toBe(false);
  });
});
