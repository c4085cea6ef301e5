// `manyi demo --traffic`: simulated citizens and staff move the hall on their own
// through the simulated hardware, as people would: citizens press the kiosks'
// buttons (or use the touch page) and the kiosks print every ticket into
// MANYI_PRINT_DIR; clerks sign in at their staff page and work the keypad;
// citizens press the rating pad. Seen from an outside MQTT client, every request
// comes from a kiosk's or a counter's own session, never from the traffic.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallEvent, KioskReply, WindowState } from '../../firmware/protocol/messages.ts';
import { decodeEscPos } from '../../kiosk/preview/decode.ts';
import { startDemo, type DemoProcess } from './demo-process.ts';

const H = 'manyi/v1/demo-hospital';
const printDir = mkdtempSync(join(tmpdir(), 'manyi-printed-'));
let demo: DemoProcess;
beforeAll(async () => {
  demo = await startDemo(['--traffic', '--rate', '240', '--service-scale', '0.05', '--seed', '7', '--free-windows', '16'],
    { MANYI_PRINT_DIR: printDir, MANYI_PRINT_PREVIEW: '0' });
}, 60_000);
afterAll(async () => { await demo?.stop('SIGKILL'); });

describe('demo traffic', () => {
  it('citizens get printed tickets from the kiosks; clerks call them from their keypads; citizens rate on the pads', async () => {
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${demo.mqtt}`, { protocolVersion: 4, reconnectPeriod: 0 });
    const calls: CallEvent[] = [];
    const issued = new Set<string>();
    const requestIds: Record<'kiosk' | 'command' | 'rating', string[]> = { kiosk: [], command: [], rating: [] };
    const ratingIds = new Set<string>();
    let ratingsAccepted = 0;
    const staffed = new Set<string>();
    let freeWindowTouched = false;
    const printed = () => readdirSync(printDir).filter((f) => f.endsWith('.bin'));
    const enough = () => new Set(calls.map((c) => c.window)).size >= 3 && ratingsAccepted >= 2 && staffed.size >= 8 && printed().length >= 5;
    const done = new Promise<void>((resolve) => {
      client.on('message', (topic, payload) => {
        const msg = JSON.parse(payload.toString()) as Record<string, unknown>;
        if (topic.startsWith(`${H}/window/16/`) && (topic.endsWith('/command') || topic.endsWith('/rating'))) freeWindowTouched = true;
        if (topic === `${H}/call`) calls.push(CallEvent.parse(msg));
        else if (/\/kiosk\/[^/]+\/request$/.test(topic)) requestIds.kiosk.push(String(msg.id));
        else if (/\/kiosk\/[^/]+\/reply$/.test(topic)) {
          const r = KioskReply.parse(msg);
          if (r.ok && r.ticket) issued.add(r.ticket.no);
        } else if (topic.endsWith('/command')) requestIds.command.push(String(msg.id));
        else if (topic.endsWith('/rating')) { requestIds.rating.push(String(msg.id)); ratingIds.add(String(msg.id)); }
        else if (topic.endsWith('/reply') && ratingIds.has(String(msg.id)) && msg.ok === true) ratingsAccepted++;
        else if (topic.endsWith('/state') && topic.includes('/window/')) {
          const s = WindowState.parse(msg);
          if (s.status === 'open' && s.staff) staffed.add(topic);
        }
        if (enough()) resolve();
      });
    });
    await client.subscribeAsync([`${H}/call`, `${H}/kiosk/+/request`, `${H}/kiosk/+/reply`, `${H}/window/+/command`, `${H}/window/+/rating`, `${H}/window/+/reply`, `${H}/window/+/state`], { qos: 1 });
    const timeout = new Promise<never>((_r, reject) => setTimeout(() => reject(new Error(
      `after 60 s: ${calls.length} calls at ${new Set(calls.map((c) => c.window)).size} windows, ${ratingsAccepted} ratings, ${staffed.size} staffed windows, ${printed().length} printed`,
    )), 60_000));
    await Promise.race([done, timeout]);
    await client.endAsync(true);

    // Nobody published for the kiosks or the windows: every request is a kiosk's or a counter's own
    // (their requesters name themselves in the id), so each ticket went through a kiosk and its printer.
    expect(requestIds.kiosk.length).toBeGreaterThan(0);
    expect(requestIds.kiosk.filter((id) => !/^kiosk:k[12]:requests-/.test(id))).toEqual([]);
    expect(requestIds.command.filter((id) => !/^counter-\d+-/.test(id))).toEqual([]);
    expect(requestIds.rating.filter((id) => !/^counter-\d+-/.test(id))).toEqual([]);
    // The window left free for a person was never commanded by the simulated staff.
    expect(freeWindowTouched).toBe(false);
    // No number is called twice as a first call.
    const first = calls.filter((c) => !c.recall).map((c) => c.no);
    expect(new Set(first).size).toBe(first.length);
    // The printed tickets are real ESC/POS: each names a ticket the controller issued.
    const files = printed();
    for (const f of files.slice(0, 5)) {
      const doc = decodeEscPos(readFileSync(join(printDir, f)));
      const text = doc.items.flatMap((i) => (i.kind === 'line' ? i.spans.map((s) => s.text) : [])).join('\n');
      const no = /-([A-Z]\d{3})\.bin$/.exec(f)?.[1];
      expect(no, f).toBeTruthy();
      expect(text).toContain(no);
      expect(doc.items.some((i) => i.kind === 'qr')).toBe(true);
    }
    expect(files.some((f) => issued.has(/-([A-Z]\d{3})\.bin$/.exec(f)![1]))).toBe(true);
  }, 90_000);
});
