// The window's own unit, hardware-independent: it follows its retained
// `window/{w}/state`, keeps the LED board and the rating pad in step with it,
// turns keypad keys and staff-page buttons into commands, and sends each rating
// as the citizen gave it on the pad (a low score with the reason the citizen
// chose there, or without one: staff never choose it).
import type { MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import {
  decode, parseTopic, topics, HallState, WindowState,
  type RatingScore, type WindowAction, type WindowReply, type WindowState as WindowStateT,
} from '../protocol/index.ts';
import type { HallConfig } from '../config/hall.ts';
import type { Clock } from '../lib/time.ts';
import type { KeypadKey } from '../../hw-specs/schema.ts';
import type { WindowDisplay } from '../../signage/led/window-display.ts';
import type { RatingPad } from './rating-pad.ts';
import { WindowRequester } from './requester.ts';
import { ControllerWatch } from '../../signage/liveness.ts';

export interface ActionRequest { action: WindowAction; ticket?: string; service?: string; staff?: string; pin?: string }

export interface LogEntry { at: number; source: 'keypad' | 'page' | 'pad'; what: string; ok: boolean; detail: string }

export interface UnitOptions {
  /** No sign of the controller (hall state, its health) for this long = unreachable, ms. */
  staleAfterMs?: number;
  retryMs?: number;
  timeoutMs?: number;
}

export interface UnitDeps {
  hall: HallConfig;
  window: string;
  device: string;
  mqtt: MqttClient;
  log: Logger;
  clock: Clock;
  display: WindowDisplay;
  pad: RatingPad | null;
}

export class CounterUnit {
  state: WindowStateT | null = null;
  lost = true;
  transferTarget: string | null = null;
  parked: string[] = [];
  readonly history: LogEntry[] = [];
  readonly requester: WindowRequester;
  readonly watch: ControllerWatch;
  private lastServed: string | null = null;
  private timers: NodeJS.Timeout[] = [];
  private listeners = new Set<() => void>();
  private readonly staleAfterMs: number;
  private readonly windowName: string;
  private readonly onMessage: (topic: string, payload: Buffer, packet: { retain?: boolean }) => void;
  private readonly onOffline: () => void;

  constructor(private readonly d: UnitDeps, opts: UnitOptions = {}) {
    const w = d.hall.windows.find((x) => x.id === d.window);
    if (!w) throw new Error(`counter: window ${d.window} is not in the hall configuration (${d.hall.windows.map((x) => x.id).join(', ')})`);
    this.windowName = w.name;
    this.staleAfterMs = opts.staleAfterMs ?? 25_000;
    this.requester = new WindowRequester(d.mqtt, d.hall.hall.id, d.window, d.device, { retryMs: opts.retryMs, timeoutMs: opts.timeoutMs });
    this.watch = new ControllerWatch(d.mqtt, d.hall.hall.id, d.clock, this.staleAfterMs);
    this.onMessage = (topic, payload, packet) => this.message(topic, payload, packet.retain === true);
    this.onOffline = () => this.setLost(true);
    d.display.showLost();
    d.pad?.onRating((r) => void this.sendRating(r.ticket, r.score, r.reason));
  }

  async start(): Promise<void> {
    const { mqtt, hall, window } = this.d;
    mqtt.on('message', this.onMessage);
    mqtt.on('offline', this.onOffline);
    mqtt.on('close', this.onOffline);
    const h = hall.hall.id;
    await mqtt.subscribeAsync([topics.windowState(h, window), topics.windowReply(h, window), topics.hallState(h)], { qos: 1 });
    await this.watch.start();
    this.timers.push(setInterval(() => this.checkStale(), Math.min(1000, this.staleAfterMs / 2)));
  }

  /** Calls `cb` after any change the staff page shows. */
  onChange(cb: () => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  private changed(): void { for (const cb of [...this.listeners]) cb(); }

  private message(topic: string, payload: Buffer, retained: boolean): void {
    const t = parseTopic(topic);
    if (!t || t.hall !== this.d.hall.hall.id) return;
    if (this.watch.handle(t, payload)) { this.checkStale(); return; }
    if (t.kind === 'window-reply' && t.window === this.d.window) { this.requester.handleReply(payload); return; }
    if (t.kind === 'hall-state') {
      const r = decode(payload, HallState);
      if (!r.ok) { this.d.log.warn({ topic, problem: r.message }, 'counter: bad hall state ignored'); return; }
      this.heard(retained);
      return;
    }
    if (t.kind === 'window-state' && t.window === this.d.window) {
      const r = decode(payload, WindowState);
      if (!r.ok) { this.d.log.warn({ topic, problem: r.message }, 'counter: bad window state ignored'); return; }
      this.state = r.value;
      if (r.value.serving) this.lastServed = r.value.serving.no;
      this.heard(retained);
      this.render();
    }
  }

  private heard(retained: boolean): void {
    this.watch.alive(retained);
    this.checkStale();
  }

  private checkStale(): void {
    if (this.d.mqtt.connected) this.setLost(this.watch.stale());
  }

  private setLost(lost: boolean): void {
    if (this.lost === lost) return;
    this.lost = lost;
    if (lost) this.d.log.warn({ window: this.d.window }, 'counter: controller unreachable, board shows ----');
    this.render();
  }

  /** Puts the board and the pad in step with what is known. */
  private render(): void {
    const s = this.state;
    const disp = this.d.display;
    if (this.lost || !s) disp.showLost();
    else if (s.status === 'closed') disp.showClosed();
    else if (s.status === 'paused') disp.showPaused();
    else if (s.serving) disp.showServing(s.serving.no, this.windowName);
    else disp.showIdle(this.windowName);
    if (this.d.pad && s && !this.lost) {
      const ticket = s.ratingFor ?? this.lastServed;
      if (s.rating === 'waiting' && ticket) this.d.pad.open(ticket, s.ratingUntil ? Date.parse(s.ratingUntil) : Infinity);
      else this.d.pad.close();
    }
    this.changed();
  }

  /** A keypad key, mapped onto the command it means now. */
  key(key: KeypadKey): Promise<WindowReply | null> {
    const s = this.state;
    switch (key) {
      case 'complete':
        return this.act({ action: s?.serving && !s.serving.startedAt ? 'start' : 'complete' }, 'keypad');
      case 'pause':
        return this.act({ action: s?.status === 'paused' ? 'resume' : 'pause' }, 'keypad');
      case 'transfer':
        if (!this.transferTarget) {
          this.record('keypad', 'transfer', false, 'choose the target service on the staff page first');
          return Promise.resolve(null);
        }
        return this.act({ action: 'transfer', service: this.transferTarget }, 'keypad');
      default:
        return this.act({ action: key }, 'keypad');
    }
  }

  /** Sends one command and records its answer. Never throws. */
  async act(req: ActionRequest, source: LogEntry['source'] = 'page'): Promise<WindowReply | null> {
    const parking = req.action === 'park' ? this.state?.serving?.no : undefined;
    try {
      const reply = await this.requester.command(req);
      if (reply.ok) {
        if (parking && !this.parked.includes(parking)) this.parked.push(parking);
        if (req.action === 'call' && req.ticket) this.parked = this.parked.filter((p) => p !== req.ticket);
        this.record(source, req.action, true, reply.ticket ? reply.ticket.no : reply.ticket === null ? 'nobody waiting' : 'done');
      } else {
        this.record(source, req.action, false, `${reply.error.code}: ${reply.error.message}`);
      }
      return reply;
    } catch (e) {
      this.record(source, req.action, false, (e as Error).message);
      return null;
    }
  }

  setTransferTarget(service: string | null): void {
    if (service !== null && !this.d.hall.services.some((s) => s.id === service)) throw new Error(`unknown service ${service}`);
    this.transferTarget = service;
    this.changed();
  }

  private async sendRating(ticket: string, score: RatingScore, reason?: string): Promise<WindowReply | null> {
    try {
      const reply = await this.requester.rating({ ticket, score, ...(reason ? { reason } : {}) });
      this.record('pad', `rating ${score}${reason ? ` (${reason})` : ''}`, reply.ok, reply.ok ? `${ticket} rated` : `${reply.error.code}: ${reply.error.message}`);
      return reply;
    } catch (e) {
      this.record('pad', `rating ${score}`, false, (e as Error).message);
      return null;
    }
  }

  private record(source: LogEntry['source'], what: string, ok: boolean, detail: string): void {
    this.history.unshift({ at: this.d.clock.now(), source, what, ok, detail });
    this.history.length = Math.min(this.history.length, 20);
    if (!ok) this.d.log.info({ window: this.d.window, what, detail }, 'counter: request refused or failed');
    this.changed();
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.d.mqtt.off('message', this.onMessage);
    this.d.mqtt.off('offline', this.onOffline);
    this.d.mqtt.off('close', this.onOffline);
    this.requester.close();
    this.listeners.clear();
  }
}
