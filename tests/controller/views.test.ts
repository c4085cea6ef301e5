// What the controller publishes, rule by rule, from a fresh engine each time:
// the hall state (queues, waits, windows, recent calls), a window's state (staff,
// serving, the rating pad's window), a call's words, wait alerts, a ticket's
// status, the kiosk's reply (advice, status link), and how the model keeps count
// (priority ratio, service-time means, recent calls, transfers, day rollover).
import { describe, expect, it } from 'vitest';
import { HallEngine } from '../../firmware/controller/engine.ts';
import { MemoryStore } from '../../firmware/eventlog/store.ts';
import type { Alert, CallEvent, WindowCommand } from '../../firmware/protocol/messages.ts';
import { localToMs } from '../../firmware/lib/time.ts';
import { hall, at, DAY, TZ } from './helpers.ts';

let n = 0;
const id = () => `v${++n}`;
const cmd = (action: WindowCommand['action'], extra: Partial<WindowCommand> = {}): WindowCommand => ({ id: id(), action, ...extra });
const iso = (s: number) => new Date(at(s)).toISOString().replace('Z', '').replace(/T(\d\d)/, (_, h) => `T${String((Number(h) + 8) % 24).padStart(2, '0')}`) + '+08:00';
function issue(e: HallEngine, service: string, s: number, extra: { priority?: boolean; kiosk?: string } = {}): string {
  const r = e.kiosk(extra.kiosk ?? 'k1', { op: 'ticket', id: id(), service, ...(extra.priority ? { priority: 'priority' as const } : {}) }, at(s));
  if (!r.ok || !r.ticket) throw new Error(JSON.stringify(r));
  return r.ticket.no;
}
const ok = (r: { ok: boolean }) => { if (!r.ok) throw new Error(JSON.stringify(r)); return r; };

describe('hall state', () => {
  it('counts each service\'s queue, its longest wait and whether it takes tickets now', () => {
    const e = new HallEngine({ hall, policy: 'dedicated' });
    issue(e, 'registration', 0);
    issue(e, 'registration', 30);
    issue(e, 'payment', 60);
    const hs = e.hallState(at(100));
    expect(hs.at).toBe(iso(100));
    const reg = hs.services.find((s) => s.id === 'registration')!;
    expect(reg).toMatchObject({ name: hall.services[0]!.name, waiting: 2, longestWaitS: 100, letter: 'A', open: true });
    expect(hs.services.find((s) => s.id === 'payment')).toMatchObject({ waiting: 1, longestWaitS: 40, letter: 'B' });
    expect(hs.services.find((s) => s.id === 'discharge')).toMatchObject({ waiting: 0, longestWaitS: 0, open: true });
    // nobody open: a pessimistic guess, four service times per citizen including the next one
    expect(reg.estWaitS).toBe(3 * 32 * 4);
    expect(hs.services.find((s) => s.id === 'payment')!.estWaitS).toBe(2 * 75 * 4);
    // before 08:00 discharge takes no tickets; registration does from 07:30
    const early = e.hallState(localToMs(DAY, 7 * 3600 + 45 * 60, TZ));
    expect(early.services.find((s) => s.id === 'discharge')!.open).toBe(false);
    expect(early.services.find((s) => s.id === 'registration')!.open).toBe(true);
    expect(e.hallState(localToMs(DAY, 12 * 3600 + 30 * 60, TZ)).services.find((s) => s.id === 'enquiry')!.open).toBe(false);
  });

  it('lists every window with its status and the ticket it serves, and the last ten calls newest first', () => {
    const e = new HallEngine({ hall, policy: 'dedicated' });
    for (let i = 0; i < 12; i++) issue(e, 'registration', i);
    ok(e.window('1', cmd('open'), at(20)));
    ok(e.window('2', cmd('open'), at(20)));
    ok(e.window('2', cmd('pause'), at(21)));
    for (let i = 0; i < 11; i++) {
      ok(e.window('1', cmd('call-next'), at(30 + i * 10)));
      if (i < 10) ok(e.window('1', cmd('no-show'), at(31 + i * 10)));
    }
    const hs = e.hallState(at(200));
    expect(hs.windows).toHaveLength(16);
    expect(hs.windows[0]).toEqual({ id: '1', name: '1', floor: '1F', status: 'open', serving: 'A011' });
    expect(hs.windows[1]).toEqual({ id: '2', name: '2', floor: '1F', status: 'paused', serving: null });
    expect(hs.windows[2]).toMatchObject({ status: 'closed', serving: null });
    expect(hs.recentCalls).toHaveLength(10);
    expect(hs.recentCalls![0]).toEqual({ no: 'A011', window: '1', service: 'registration', at: iso(130) });
    expect(hs.recentCalls!.at(-1)!.no).toBe('A002');
    // a recall is a call again: it goes to the top
    ok(e.window('1', cmd('recall'), at(140)));
    expect(e.hallState(at(141)).recentCalls![0]).toEqual({ no: 'A011', window: '1', service: 'registration', at: iso(140) });
  });

  it('advises another floor\'s windows when a queue is long, and self-service where there is one', () => {
    const e = new HallEngine({ hall, policy: 'dedicated' });
    // 25 payment tickets, payment's own windows closed, window 11 (2F, overflow payment) open and idle
    for (let i = 0; i < 25; i++) issue(e, 'payment', i);
    ok(e.window('11', cmd('open'), at(30)));
    const hs = e.hallState(at(40));
    expect(hs.advice.find((a) => a.service === 'payment')).toEqual({
      service: 'payment', windows: ['11'],
      text: { zh: '收费：25人等候，约30分钟；2F 11号窗口也办理收费，约1分钟', en: 'Payment: 25 waiting, about 30 min; 2F windows 11 also take payment, about 1 min' },
    });
    expect(hs.advice.find((a) => a.service === 'registration')).toBeUndefined(); // nobody waiting, nobody to send
    // enquiry has no window open to overflow to: self-service instead
    const e2 = new HallEngine({ hall });
    for (let i = 0; i < 25; i++) issue(e2, 'enquiry', i);
    const adv = e2.hallState(at(40)).advice.find((a) => a.service === 'enquiry')!;
    expect(adv.windows).toEqual([]);
    expect(adv.text.zh).toMatch(/^医保咨询：25人等候，约\d+分钟；也可使用一楼大厅医保自助机$/);
    expect(adv.text.en).toMatch(/^Insurance enquiries: 25 waiting, about \d+ min; you may also use the insurance self-service machines in the 1F lobby$/);
  });
});

describe('window state', () => {
  it('names the staff member signed in, serving since the call, started when started', () => {
    const e = new HallEngine({ hall, policy: 'dedicated' });
    issue(e, 'registration', 0);
    expect(e.windowState('3', at(1))).toEqual({ status: 'closed', serving: null, rating: 'idle', at: iso(1) });
    ok(e.window('3', cmd('open', { staff: 's002' }), at(2)));
    expect(e.windowState('3', at(3))).toEqual({ status: 'open', serving: null, rating: 'idle', at: iso(3), staff: { id: 's002', name: '李娜' } });
    ok(e.window('3', cmd('call-next'), at(10)));
    expect(e.windowState('3', at(11)).serving).toEqual({ no: 'A001', service: 'registration', calledAt: iso(10) });
    ok(e.window('3', cmd('start'), at(15)));
    expect(e.windowState('3', at(16)).serving).toEqual({ no: 'A001', service: 'registration', calledAt: iso(10), startedAt: iso(15) });
    // a staff id the hall does not list is shown by id alone
    ok(e.window('4', cmd('open', { staff: 'visitor-9' }), at(17)));
    expect(e.windowState('4', at(18)).staff).toEqual({ id: 'visitor-9' });
    // closing signs the staff member out
    ok(e.window('4', cmd('close'), at(19)));
    expect(e.windowState('4', at(20)).staff).toBeUndefined();
    expect(() => e.windowState('99')).toThrow(/no window 99/);
  });

  it('asks for a rating from complete until rating.windowS later, or until rated', () => {
    const e = new HallEngine({ hall, policy: 'dedicated' });
    issue(e, 'registration', 0);
    issue(e, 'registration', 1);
    ok(e.window('1', cmd('open'), at(2)));
    ok(e.window('1', cmd('call-next'), at(3)));
    ok(e.window('1', cmd('start'), at(4)));
    ok(e.window('1', cmd('complete'), at(10)));
    const until = iso(10 + hall.rating.windowS);
    expect(e.windowState('1', at(11))).toMatchObject({ rating: 'waiting', ratingFor: 'A001', ratingUntil: until });
    expect(e.windowState('1', at(10 + hall.rating.windowS) - 1)).toMatchObject({ rating: 'waiting' });
    const late = e.windowState('1', at(10 + hall.rating.windowS));
    expect(late.rating).toBe('idle');
    expect(late.ratingFor).toBeUndefined();
    expect(late.ratingUntil).toBeUndefined();
    // calling the next citizen does not end the pad's minute; a rating does
    ok(e.window('1', cmd('call-next'), at(12)));
    expect(e.windowState('1', at(13))).toMatchObject({ rating: 'waiting', ratingFor: 'A001', serving: { no: 'A002' } });
    ok(e.rate('1', { id: id(), ticket: 'A001', score: 'satisfied' }, at(14)));
    expect(e.windowState('1', at(15))).toMatchObject({ rating: 'idle', serving: { no: 'A002' } });
  });
});

describe('calls, alerts and ticket status', () => {
  it('words a call with the window\'s floor, in both languages', () => {
    const e = new HallEngine({ hall, policy: 'dedicated' });
    const calls: CallEvent[] = [];
    e.onCall((c) => calls.push(c));
    issue(e, 'discharge', 0);
    ok(e.window('12', cmd('open'), at(1)));
    ok(e.window('12', cmd('call-next'), at(2)));
    ok(e.window('12', cmd('recall'), at(3)));
    expect(calls).toEqual([
      { no: 'C001', window: '12', service: 'discharge', at: iso(2), recall: false, text: { zh: '请C001号到2楼12号窗口', en: 'Ticket C001, please go to window 12, 2F' }, floor: '2F', windowName: '12' },
      { no: 'C001', window: '12', service: 'discharge', at: iso(3), recall: true, text: { zh: '请C001号到2楼12号窗口', en: 'Ticket C001, please go to window 12, 2F' }, floor: '2F', windowName: '12' },
    ]);
  });

  it('raises a wait alert past the limit with the minutes in both languages, and clears it naming the window', () => {
    const e = new HallEngine({ hall, policy: 'dedicated' });
    const alerts: Alert[] = [];
    e.onAlert((a) => alerts.push(a));
    issue(e, 'registration', 0);
    e.tick(at(900)); // exactly the limit: not over it
    expect(alerts).toEqual([]);
    e.tick(at(901));
    expect(alerts).toEqual([{
      id: `wait-over-limit/${DAY}/A001`, kind: 'wait-over-limit', at: iso(901), subject: 'A001', state: 'raised', service: 'registration', ticket: 'A001',
      message: 'A001（挂号）已等候15分钟，超过15分钟 / A001 (Registration) has waited 15 min, over the 15 min limit',
    }]);
    ok(e.window('2', cmd('open'), at(950)));
    ok(e.window('2', cmd('call-next'), at(960)));
    expect(alerts[1]).toEqual({
      id: `wait-over-limit/${DAY}/A001`, kind: 'wait-over-limit', at: iso(960), subject: 'A001', state: 'cleared', service: 'registration', ticket: 'A001', window: '2',
      message: 'A001 已叫号 / A001 has been called to window 2',
    });
    // a ticket that never waited too long clears nothing
    issue(e, 'registration', 970);
    ok(e.window('2', cmd('no-show'), at(971)));
    ok(e.window('2', cmd('call-next'), at(972)));
    expect(alerts).toHaveLength(2);
  });

  it('tells a ticket where to go only once it is called, and its place while it waits', () => {
    const e = new HallEngine({ hall, policy: 'dedicated' });
    const a = issue(e, 'payment', 0);
    const b = issue(e, 'payment', 1);
    expect(e.ticketStatus(DAY, b)).toMatchObject({ no: b, service: 'payment', state: 'waiting', ahead: 1 });
    expect(e.ticketStatus(DAY, b)!.window).toBeUndefined();
    ok(e.window('15', cmd('open'), at(2)));
    ok(e.window('15', cmd('call-next'), at(3)));
    expect(e.ticketStatus(DAY, a)).toEqual({ no: a, service: 'payment', state: 'called', ahead: 0, estWaitS: 0, window: '15', windowName: '15', floor: '2F' });
    expect(e.ticketStatus(DAY, b)).toMatchObject({ state: 'waiting', ahead: 0 });
    ok(e.window('15', cmd('start'), at(4)));
    expect(e.ticketStatus(DAY, a)).toMatchObject({ state: 'serving', window: '15', floor: '2F' });
    ok(e.window('15', cmd('complete'), at(5)));
    expect(e.ticketStatus(DAY, a)).toMatchObject({ state: 'done', window: '15' });
    ok(e.window('15', cmd('call-next'), at(6)));
    ok(e.window('15', cmd('park'), at(7)));
    const parked = e.ticketStatus(DAY, b)!;
    expect(parked).toEqual({ no: b, service: 'payment', state: 'parked', ahead: 0, estWaitS: 0 });
    expect(e.ticketStatus(DAY, 'B404')).toBeNull();
    expect(e.ticketStatus('2026-11-25', a)).toBeNull();
  });
});

describe('the kiosk\'s reply', () => {
  it('gives the place, the windows that serve it (own first), the day, and a status link when the hall has a public URL', () => {
    const withUrl = { ...hall, publicUrl: 'https://hall.example/q//' };
    const e = new HallEngine({ hall: withUrl, policy: 'dedicated' });
    const r = e.kiosk('k2', { op: 'ticket', id: id(), service: 'discharge', priority: 'priority' }, at(5));
    expect(r).toMatchObject({ ok: true, ticket: {
      no: 'C001', service: 'discharge', issuedAt: iso(5), ahead: 0, day: DAY, priority: true,
      windows: ['11', '12', '13', '14', '15', '16'], statusUrl: `https://hall.example/q/t/${DAY}/C001`,
    } });
    expect((r as { ticket: { advice?: unknown } }).ticket.advice).toBeUndefined();
    const plain = new HallEngine({ hall, policy: 'dedicated' }).kiosk('k2', { op: 'ticket', id: id(), service: 'discharge' }, at(5));
    expect((plain as { ticket: Record<string, unknown> }).ticket.statusUrl).toBeUndefined();
    expect((plain as { ticket: Record<string, unknown> }).ticket.priority).toBe(false);
  });

  it('adds the advice once this ticket\'s estimated wait reaches the hall\'s threshold', () => {
    const e = new HallEngine({ hall, policy: 'dedicated' });
    ok(e.window('11', cmd('open'), at(0)));
    const replies = Array.from({ length: 10 }, (_, i) => e.kiosk('k1', { op: 'ticket', id: id(), service: 'payment' }, at(1 + i)) as { ticket: { ahead: number; estWaitS: number; advice?: { zh: string } } });
    expect(replies[8]!.ticket).toMatchObject({ ahead: 8, estWaitS: 525 });
    expect(replies[8]!.ticket.advice).toBeUndefined();
    expect(replies[9]!.ticket).toMatchObject({ ahead: 9, estWaitS: hall.thresholds.adviceWaitS, advice: { zh: expect.stringContaining('11号窗口也办理收费') } });
  });
});

describe('how the model keeps count', () => {
  it('learns each service\'s time from today\'s services, weighted against the configured prior', () => {
    const e = new HallEngine({ hall, policy: 'dedicated' });
    const prior = hall.services[0]!.expectedServiceS; // 32 s
    expect(e.model.routingServices.get('registration')!.meanServiceS).toBe(prior);
    issue(e, 'registration', 0);
    issue(e, 'registration', 1);
    ok(e.window('1', cmd('open'), at(2)));
    ok(e.window('1', cmd('call-next'), at(3)));
    ok(e.window('1', cmd('start'), at(10)));
    ok(e.window('1', cmd('complete'), at(10 + 92)));
    expect(e.model.routingServices.get('registration')!.meanServiceS).toBe((prior * 3 + 92) / 4);
    expect(e.model.servedToday('registration')).toEqual({ count: 1, meanS: 92 });
    ok(e.window('1', cmd('call-next'), at(200)));
    ok(e.window('1', cmd('start'), at(200)));
    ok(e.window('1', cmd('complete'), at(212)));
    expect(e.model.routingServices.get('registration')!.meanServiceS).toBe((prior * 3 + 92 + 12) / 5);
    expect(e.model.servedToday('registration')).toEqual({ count: 2, meanS: 52 });
    expect(e.model.servedToday('payment')).toEqual({ count: 0, meanS: 0 });
    // a new day starts from the prior again
    e.tick(localToMs('2026-11-27', 8 * 3600, TZ));
    expect(e.model.routingServices.get('registration')!.meanServiceS).toBe(prior);
    expect(e.model.servedToday('registration')).toEqual({ count: 0, meanS: 0 });
  });

  it('counts ordinary calls since the last priority one per service; a recall or a call by number from the parked list does not count again', () => {
    const e = new HallEngine({ hall, policy: 'dedicated' });
    issue(e, 'registration', 0);
    issue(e, 'registration', 1, { priority: true });
    issue(e, 'payment', 2);
    ok(e.window('1', cmd('open'), at(3)));
    ok(e.window('1', cmd('call-next'), at(4))); // A001, ordinary
    expect(e.model.ordinarySincePriority.get('registration')).toBe(1);
    ok(e.window('1', cmd('recall'), at(5)));
    expect(e.model.ordinarySincePriority.get('registration')).toBe(1);
    ok(e.window('1', cmd('park'), at(6)));
    ok(e.window('1', cmd('call', { ticket: 'A001' }), at(7))); // back from parked: not a new ordinary call
    expect(e.model.ordinarySincePriority.get('registration')).toBe(1);
    ok(e.window('1', cmd('no-show'), at(8)));
    ok(e.window('1', cmd('call-next'), at(9))); // A002, priority
    expect(e.model.ordinarySincePriority.get('registration')).toBe(0);
    expect(e.model.ordinarySincePriority.get('payment')).toBeUndefined();
  });

  it('transfers keep the citizen\'s place by issue time among the new service\'s queue', () => {
    const e = new HallEngine({ hall, policy: 'dedicated' });
    issue(e, 'payment', 10);
    const a = issue(e, 'registration', 20);
    issue(e, 'payment', 30);
    issue(e, 'payment', 40);
    ok(e.window('1', cmd('open'), at(50)));
    ok(e.window('1', cmd('call', { ticket: a }), at(51)));
    ok(e.window('1', cmd('transfer', { service: 'payment' }), at(52)));
    expect(e.model.queues.get('payment')!.map((t) => t.no)).toEqual(['B001', a, 'B002', 'B003']);
    expect(e.windowState('1', at(53)).serving).toBeNull();
    expect(e.ticketStatus(DAY, a)).toMatchObject({ state: 'waiting', service: 'payment', ahead: 1 });
    // and a ticket issued at the very same moment as one waiting goes after it
    const same = new HallEngine({ hall, policy: 'dedicated' });
    issue(same, 'payment', 10);
    issue(same, 'payment', 10);
    expect(same.model.queues.get('payment')!.map((t) => t.no)).toEqual(['B001', 'B002']);
  });

  it('keeps windows open over midnight but forgets the day\'s tickets, numbers, blocks, ratio and calls', () => {
    const store = new MemoryStore();
    const e = new HallEngine({ hall, store, policy: 'dedicated' });
    issue(e, 'registration', 0);
    e.kiosk('k1', { op: 'reserve', id: id(), service: 'registration', count: 2 }, at(1));
    ok(e.window('1', cmd('open', { staff: 's001' }), at(2)));
    ok(e.window('1', cmd('call-next'), at(3)));
    const next = localToMs('2026-11-27', 8 * 3600, TZ);
    const hs = e.hallState(next);
    expect(hs.windows[0]).toMatchObject({ status: 'open', serving: null });
    expect(hs.recentCalls).toEqual([]);
    expect(e.model.blocks.size).toBe(0);
    expect(e.model.ordinarySincePriority.size).toBe(0);
    expect(e.windowState('1', next)).toMatchObject({ status: 'open', staff: { id: 's001' }, serving: null });
    expect((e.kiosk('k1', { op: 'ticket', id: id(), service: 'registration' }, next) as { ticket: { no: string } }).ticket.no).toBe('A001');
    // and a restart replays the same: yesterday's window status, today's events
    const again = new HallEngine({ hall, store, policy: 'dedicated' });
    expect(again.day).toBe('2026-11-27');
    expect(again.windowState('1', next + 1000)).toMatchObject({ status: 'open', serving: null });
    expect(again.model.queues.get('registration')!.map((t) => t.no)).toEqual(['A001']);
  });
});
