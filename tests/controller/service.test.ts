// The controller over MQTT, the same scenario against the embedded aedes broker
// and against Mosquitto: replies, retained states, calls, idempotency, concurrency.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import pino from 'pino';
import { startEmbeddedBroker } from '../../firmware/broker/embedded.ts';
import { startController } from '../../firmware/controller/service.ts';
import { MqttBus } from '../../firmware/bus/mqtt-bus.ts';
import { topics } from '../../firmware/protocol/topics.ts';
import { HallState, KioskReply, WindowReply, WindowState, CallEvent } from '../../firmware/protocol/messages.ts';
import { VirtualClock } from '../../firmware/lib/time.ts';
import { startMosquitto } from '../setup/mosquitto.ts';
import { Probe } from './probe.ts';
import { hall, at } from './helpers.ts';

const brokers = {
  embedded: async () => { const b = await startEmbeddedBroker({ port: 0, host: '127.0.0.1' }); return { url: b.url, stop: () => b.close() }; },
  mosquitto: async () => { const m = await startMosquitto(); return { url: m.url, stop: () => m.stop() }; },
};

let halls = 0;

for (const [name, start] of Object.entries(brokers)) {
  describe(`controller over MQTT (${name})`, () => {
    // One broker for the file; each test runs its own hall on it (its own id, so its
    // own topics, controller, store, windows and numbers), whatever ran before it.
    let broker: { url: string; stop(): Promise<void> };
    beforeAll(async () => { broker = await start(); });
    afterAll(async () => { await broker?.stop(); });
    const cleanups: Array<() => Promise<void>> = [];
    afterEach(async () => { while (cleanups.length) await cleanups.pop()!(); });

    async function ownHall() {
      const H = `svc-${name}-${++halls}`;
      const h = { ...hall, hall: { ...hall.hall, id: H } };
      const clock = new VirtualClock(at(0));
      const ctlClient = await mqtt.connectAsync(broker.url, { protocolVersion: 4, reconnectPeriod: 0 });
      const ctl = await startController({ hall: h, dbPath: ':memory:', bus: new MqttBus(ctlClient, h.hall.id), clock, log: pino({ level: 'silent' }), policy: 'dedicated', tickMs: 50 });
      const probe = await Probe.connect(broker.url, `manyi/v1/${H}/#`);
      cleanups.push(async () => { await probe.end(); await ctl.stop(); await ctlClient.endAsync(true); });
      const hand = async (filter: string) => { const p = await Probe.connect(broker.url, filter); cleanups.push(() => p.end()); return p; };
      return {
        H, clock, ctl, probe, hand,
        kiosk: (k: string) => topics.kioskRequest(H, k),
        win: (w: string) => topics.windowCommand(H, w),
      };
    }

    it('issues tickets, calls, serves and rates through the contract', async () => {
      const { H, clock, probe, hand, kiosk, win } = await ownHall();
      const t1 = await probe.request(kiosk('k1'), { id: 'q1', service: 'registration' });
      expect(KioskReply.parse(t1.reply)).toMatchObject({ ok: true, ticket: { no: 'A001', service: 'registration', ahead: 0 } });
      const t2 = await probe.request(kiosk('k2'), { id: 'q1', service: 'registration', priority: 'normal', lang: 'en' });
      expect(t2.reply.ticket).toMatchObject({ no: 'A002', ahead: 1 });

      expect((await probe.request(win('1'), { id: 'o1', action: 'open', staff: 's001' })).reply).toEqual({ id: 'o1', ok: true });
      const from = probe.messages.length;
      const c = await probe.request(win('1'), { id: 'c1', action: 'call-next' });
      expect(WindowReply.parse(c.reply)).toEqual({ id: 'c1', ok: true, ticket: { no: 'A001', service: 'registration' } });
      const call = await probe.waitFor((m) => m.topic === topics.call(H), 5000, from);
      expect(CallEvent.parse(JSON.parse(call.payload))).toMatchObject({ no: 'A001', window: '1', text: { zh: '请A001号到1楼1号窗口' } });
      const ws = await probe.waitFor((m) => m.topic === topics.windowState(H, '1') && JSON.parse(m.payload).serving?.no === 'A001', 5000, from);
      expect(WindowState.parse(JSON.parse(ws.payload))).toMatchObject({ status: 'open', staff: { id: 's001' } });

      await probe.request(win('1'), { id: 's1', action: 'start' });
      await probe.request(win('1'), { id: 'd1', action: 'complete' });
      const rate = await probe.request(topics.windowRating(H, '1'), { id: 'r1', ticket: 'A001', score: 'very-satisfied' });
      expect(rate.reply).toEqual({ id: 'r1', ok: true, ticket: { no: 'A001', service: 'registration' } });
      const again = await probe.request(topics.windowRating(H, '1'), { id: 'r2', ticket: 'A001', score: 'basic' });
      expect(again.reply.error.code).toBe('rating-closed');

      // a board that connects now gets the retained truth at once
      const from2 = probe.messages.length;
      clock.advance(2000);
      await probe.waitFor((m) => m.topic === topics.hallState(H), 5000, from2);
      const board = await hand(`manyi/v1/${H}/state`);
      const hs = HallState.parse(JSON.parse((await board.waitFor((m) => m.retain)).payload));
      expect(hs.services.find((s) => s.id === 'registration')?.waiting).toBe(1);
      expect(hs.windows.find((w) => w.id === '1')).toMatchObject({ status: 'open', serving: null });
      expect(hs.recentCalls?.[0]).toMatchObject({ no: 'A001', window: '1' });
    });

    it('answers a repeated id with the first reply, byte for byte, and changes nothing', async () => {
      const { probe, kiosk, win } = await ownHall();
      const first = await probe.request(kiosk('k7'), { id: 'same', service: 'payment' });
      const second = await probe.request(kiosk('k7'), { id: 'same', service: 'payment' });
      expect(second.raw).toBe(first.raw);
      // even if the repeat differs: the id is what identifies the request
      const third = await probe.request(kiosk('k7'), { id: 'same', service: 'registration' });
      expect(third.raw).toBe(first.raw);
      const next = await probe.request(kiosk('k7'), { id: 'other', service: 'payment' });
      expect(next.reply.ticket.no).toBe(`B${String(Number(first.reply.ticket.no.slice(1)) + 1).padStart(3, '0')}`);
      const w1 = await probe.request(win('2'), { id: 'x', action: 'open' });
      const w2 = await probe.request(win('2'), { id: 'x', action: 'open' });
      expect(w2.raw).toBe(w1.raw);
      expect(w1.reply.ok).toBe(true);
    });

    it('answers a repeated refused request with the same refusal, though the hall changed since', async () => {
      const { ctl, probe, kiosk, win } = await ownHall();
      await probe.request(kiosk('k1'), { id: 'rt1', service: 'registration' });
      const refused = await probe.request(win('4'), { id: 'rc1', action: 'call-next' });
      expect(refused.reply).toMatchObject({ id: 'rc1', ok: false, error: { code: 'window-closed' } });
      expect((await probe.request(win('4'), { id: 'ro1', action: 'open' })).reply.ok).toBe(true);
      // run again, rc1 would now call the ticket: the repeat is the same request, so the same refusal
      const again = await probe.request(win('4'), { id: 'rc1', action: 'call-next' });
      expect(again.raw).toBe(refused.raw);
      expect(ctl.engine.windowState('4').serving).toBeNull();
      expect((await probe.request(win('4'), { id: 'rc2', action: 'call-next' })).reply).toMatchObject({ ok: true, ticket: { service: 'registration' } });
    });

    it('answers bad input with bad-request on the sender reply topic', async () => {
      const { H, probe, kiosk, win } = await ownHall();
      const bad = await probe.request(kiosk('k1'), { id: 'b1', service: 'registration', op: 'dance' });
      expect(bad.reply).toMatchObject({ id: 'b1', ok: false, error: { code: 'bad-request' } });
      const from = probe.messages.length;
      await probe.client.publishAsync(win('3'), '{"action":', { qos: 1 });
      const r = await probe.waitFor((m) => m.topic === topics.windowReply(H, '3'), 5000, from);
      expect(JSON.parse(r.payload)).toMatchObject({ id: null, ok: false, error: { code: 'bad-request' } });
      expect((await probe.request(win('3'), { id: 'n1', action: 'call' })).reply.error.message).toMatch(/ticket/);
    });

    it('gives no ticket to two windows: every window presses call-next at once', async () => {
      const { ctl, probe, hand, kiosk, win } = await ownHall();
      const ids = hall.windows.map((w) => w.id);
      const hands = await Promise.all(ids.map(() => hand(`manyi/v1/${ctl.engine.hall.hall.id}/window/+/reply`)));
      await Promise.all(ids.map((w, i) => hands[i]!.request(win(w), { id: `open-${w}`, action: 'open' })));
      for (let i = 0; i < 8; i++) await probe.request(kiosk('k3'), { id: `cc${i}`, service: i % 2 ? 'payment' : 'registration' });
      const waiting = () => (ctl.engine.model.queues.get('registration')!.length + ctl.engine.model.queues.get('payment')!.length);
      expect(waiting()).toBe(8);
      const replies = await Promise.all(ids.map((w, i) => hands[i]!.request(win(w), { id: `next-${w}`, action: 'call-next' })));
      const got = replies.map((r) => r.reply.ticket?.no).filter(Boolean);
      expect(got.sort()).toEqual(['A001', 'A002', 'A003', 'A004', 'B001', 'B002', 'B003', 'B004']);
      expect(waiting()).toBe(0);
      // each ticket is called at exactly the window that was told so; the others were told "none"
      replies.forEach((r, i) => {
        if (r.reply.ticket) expect(ctl.engine.ticketStatus(ctl.engine.day, r.reply.ticket.no)).toMatchObject({ state: 'called', window: ids[i] });
        else expect(r.reply).toEqual({ id: `next-${ids[i]}`, ok: true, ticket: null });
      });
    });

    it('gives no ticket to two windows: every window calls the same number at once', async () => {
      const { ctl, probe, hand, kiosk, win } = await ownHall();
      // windows 1–10 serve registration (own or overflow)
      const ids = hall.windows.filter((w) => w.own.includes('registration') || w.overflow.includes('registration')).map((w) => w.id);
      expect(ids.length).toBeGreaterThanOrEqual(10);
      const hands = await Promise.all(ids.map(() => hand(`manyi/v1/${ctl.engine.hall.hall.id}/window/+/reply`)));
      await Promise.all(ids.map((w, i) => hands[i]!.request(win(w), { id: `open-${w}`, action: 'open' })));
      const no = (await probe.request(kiosk('k1'), { id: 'one', service: 'registration' })).reply.ticket.no as string;
      const replies = await Promise.all(ids.map((w, i) => hands[i]!.request(win(w), { id: `call-${w}`, action: 'call', ticket: no })));
      const winners = replies.map((r, i) => (r.reply.ok ? ids[i] : null)).filter(Boolean);
      expect(winners).toHaveLength(1);
      for (const r of replies) if (!r.reply.ok) expect(r.reply.error).toEqual({ code: 'wrong-state', message: `${no} is called` });
      expect(ctl.engine.ticketStatus(ctl.engine.day, no)).toMatchObject({ state: 'called', window: winners[0] });
      for (const w of ids) if (w !== winners[0]) expect(ctl.engine.windowState(w).serving).toBeNull();
    });

    it('publishes supervision alerts: a device gone offline, an unsatisfied rating', async () => {
      const { H, ctl, probe, kiosk, win } = await ownHall();
      const from = probe.messages.length;
      await probe.client.publishAsync(topics.deviceStatus(H, 'kiosk-9'), JSON.stringify({ state: 'offline', role: 'kiosk', version: '0.1.0', at: '2026-11-26T08:00:00+08:00' }), { qos: 1 });
      const off = await probe.waitFor((m) => m.topic === topics.alert(H) && JSON.parse(m.payload).kind === 'device-offline', 5000, from);
      expect(JSON.parse(off.payload)).toMatchObject({ state: 'raised', device: 'kiosk-9' });
      const no = (await probe.request(kiosk('k8'), { id: 'sv1', service: 'registration' })).reply.ticket.no;
      await probe.request(win('2'), { id: 'svo', action: 'open' });
      await probe.request(win('2'), { id: 'svc', action: 'call', ticket: no });
      await probe.request(win('2'), { id: 'svs', action: 'start' });
      await probe.request(win('2'), { id: 'svd', action: 'complete' });
      await probe.request(topics.windowRating(H, '2'), { id: 'svr', ticket: no, score: 'very-unsatisfied', reason: 'attitude' });
      const bad = await probe.waitFor((m) => m.topic === topics.alert(H) && JSON.parse(m.payload).kind === 'unsatisfied-rating', 5000, from);
      expect(JSON.parse(bad.payload)).toMatchObject({ ticket: no, window: '2' });
      expect(ctl.activeAlerts().map((a) => a.kind)).toEqual(expect.arrayContaining(['device-offline', 'unsatisfied-rating']));
    });

    it('gives no number twice under a burst from every kiosk', async () => {
      const { H, hand, kiosk } = await ownHall();
      const kiosks = ['k1', 'k2', 'k3', 'k4', 'k5', 'k6'];
      const hands = await Promise.all(kiosks.map(() => hand(`manyi/v1/${H}/kiosk/+/reply`)));
      const replies = await Promise.all(kiosks.flatMap((k, i) =>
        Array.from({ length: 40 }, (_, j) => hands[i]!.request(kiosk(k), { id: `burst-${j}`, service: j % 2 ? 'enquiry' : 'discharge' }))));
      const nos = replies.map((r) => r.reply.ticket.no as string);
      expect(nos.length).toBe(240);
      expect(new Set(nos).size).toBe(240);
      const c = nos.filter((n) => n.startsWith('C')).map((n) => Number(n.slice(1))).sort((a, b) => a - b);
      expect(c).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
    }, 30_000); // 240 persisted requests: over vitest's 5 s on a loaded machine (seen at load 6); the test is about numbers, not speed
  });
}
