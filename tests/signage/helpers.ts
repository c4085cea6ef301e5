// Test rig for the signage and counter roles: an embedded broker, a role
// context, and a stand-in controller that publishes retained states and answers
// commands (until the real controller is used in the end-to-end tests).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import pino from 'pino';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../firmware/broker/embedded.ts';
import { loadHallConfig, type HallConfig } from '../../firmware/config/hall.ts';
import { systemClock } from '../../firmware/lib/time.ts';
import { DeviceConfig, type RoleContext } from '../../firmware/runtime/role.ts';
import { WebApp } from '../../firmware/web/app.ts';
import { topics, type HallState, type WindowState } from '../../firmware/protocol/index.ts';
import { MqttBus } from '../../firmware/bus/mqtt-bus.ts';
import { createHardware } from '../../firmware/hw/kit.ts';
import { loadBoardSpec } from '../../hw-specs/schema.ts';
import { DEFAULT_SPECS, DRIVERS } from '../../firmware/runtime/roles.ts';

export const HALL: HallConfig = loadHallConfig();
export const H = HALL.hall.id;

export async function connect(url: string, clientId?: string): Promise<MqttClient> {
  const c = await mqtt.connectAsync(url, { protocolVersion: 4, clientId, reconnectPeriod: 200 });
  (c.stream as unknown as { setNoDelay?(b: boolean): void }).setNoDelay?.(true);
  c.on('connect', () => (c.stream as unknown as { setNoDelay?(b: boolean): void }).setNoDelay?.(true));
  return c;
}

export async function startBroker(): Promise<EmbeddedBroker> {
  return startEmbeddedBroker({ port: 0, host: '127.0.0.1' });
}

export async function makeContext(broker: EmbeddedBroker, device: Partial<DeviceConfig> & { device: string; role: DeviceConfig['role'] }, web?: WebApp) {
  const cfg = DeviceConfig.parse({ hall: H, broker: { url: broker.url }, simulated: true, ...device });
  const client = await connect(broker.url, device.device);
  const app = web ?? new WebApp();
  const port = web ? 0 : await app.listen(0, '127.0.0.1');
  const health: Record<string, unknown> = {};
  const specName = cfg.spec ?? DEFAULT_SPECS[cfg.role];
  const hw = createHardware(specName ? loadBoardSpec(specName) : undefined, { simulated: cfg.simulated, drivers: DRIVERS });
  const ctx: RoleContext = {
    hall: HALL, device: cfg, bus: new MqttBus(client, HALL.hall.id), web: app, hw, log: pino({ level: 'silent' }), clock: systemClock,
    dataDir: mkdtempSync(join(tmpdir(), 'manyi-test-')), setHealth: (f) => Object.assign(health, f),
  };
  return { ctx, port, health, async close() { await hw.close(); await client.endAsync(true); if (!web) await app.close(); } };
}

export function iso(ms = Date.now()): string { return new Date(ms).toISOString(); }

export function windowState(p: Partial<WindowState> = {}): WindowState {
  return { status: 'open', serving: null, rating: 'idle', staff: { id: 's001', name: '王芳' }, ...p };
}

export function hallState(p: Partial<HallState> = {}): HallState {
  return {
    at: iso(),
    services: HALL.services.map((s, i) => ({ id: s.id, name: s.name, waiting: 3 * i + 1, estWaitS: 60 * (i + 1), longestWaitS: 90 * (i + 1) })),
    windows: HALL.windows.map((w) => ({ id: w.id, name: w.name, floor: w.floor, status: 'open' as const, serving: null })),
    advice: [],
    ...p,
  };
}

/** A stand-in controller: records requests, answers them (or not), publishes states. */
export async function fakeController(url: string) {
  const c = await connect(url, 'fake-controller');
  const commands: Array<{ window: string; msg: Record<string, unknown> }> = [];
  const ratings: Array<{ window: string; msg: Record<string, unknown> }> = [];
  let drop = 0; // requests to ignore (to exercise retries)
  const answered = new Map<string, string>();
  let hallTimer: NodeJS.Timeout | null = null;
  c.on('message', (topic, payload) => {
    const m = /window\/([^/]+)\/(command|rating)$/.exec(topic);
    if (!m) return;
    const msg = JSON.parse(payload.toString()) as Record<string, unknown>;
    (m[2] === 'command' ? commands : ratings).push({ window: m[1], msg });
    if (drop > 0) { drop--; return; }
    const key = `${m[1]}/${String(msg.id)}`;
    const reply = answered.get(key) ?? JSON.stringify({ id: msg.id, ok: true, ...(msg.action === 'call-next' ? { ticket: { no: 'A001', service: 'registration' } } : {}) });
    answered.set(key, reply);
    c.publish(topics.windowReply(H, m[1]), reply, { qos: 1 });
  });
  await c.subscribeAsync([`manyi/v1/${H}/window/+/command`, `manyi/v1/${H}/window/+/rating`], { qos: 1 });
  return {
    client: c, commands, ratings,
    /** The commands as a controller acts on them: a retry under the same id counts once. */
    distinct() { return [...new Map(commands.map((x) => [`${x.window}/${String(x.msg.id)}`, x])).values()]; },
    dropNext(n: number) { drop = n; },
    async windowState(w: string, s: WindowState) { await c.publishAsync(topics.windowState(H, w), JSON.stringify(s), { qos: 1, retain: true }); },
    async hallState(s: HallState = hallState()) { await c.publishAsync(topics.hallState(H), JSON.stringify(s), { qos: 1, retain: true }); },
    /** Publishes the hall state every `ms` (as the controller does every second). */
    beat(ms = 100, make: () => HallState = () => hallState()) {
      hallTimer = setInterval(() => void c.publishAsync(topics.hallState(H), JSON.stringify(make()), { qos: 1, retain: true }), ms);
    },
    stopBeat() { if (hallTimer) clearInterval(hallTimer); hallTimer = null; },
    async close() { this.stopBeat(); await c.endAsync(true); },
  };
}

/** Waits until `fn()` is truthy, polling every 5 ms, at most `ms`. */
export async function until<T>(fn: () => T, ms = 3000, what = 'condition'): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * Signs in at a window's staff page as staff do (id + PIN; the controller, or the
 * fake one, checks it); `post`/`get` then carry the session cookie and CSRF token.
 */
export async function staffSession(base: string, staff: string, pin = '1234') {
  let cookie = '';
  const keep = (r: Response) => { for (const c of r.headers.getSetCookie()) cookie = c.split(';')[0]; return r; };
  let csrf = ((await keep(await fetch(`${base}/session`)).json()) as { csrf: string }).csrf;
  const send = async (path: string, body: unknown) => keep(await fetch(base + path, {
    method: 'POST', headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrf }, body: JSON.stringify(body),
  }));
  const signedIn = await (await send('/sign-in', { staff, pin })).json() as { ok: boolean; csrf?: string; error?: { message: string } };
  if (!signedIn.ok) throw new Error(`sign-in at ${base} as ${staff} refused: ${signedIn.error?.message}`);
  csrf = signedIn.csrf!;
  return {
    cookie,
    /** The session cookie as a browser context takes it. */
    browserCookie: (url: string) => { const [name, value] = cookie.split('='); return { name, value, url }; },
    post: async (path: string, body: unknown) => (await send(path, body)).json() as Promise<Record<string, unknown> & { ok: boolean }>,
    postRaw: (path: string, body: unknown) => send(path, body),
    get: async (path: string) => (await fetch(base + path, { headers: { cookie } })).json() as Promise<Record<string, unknown>>,
  };
}
