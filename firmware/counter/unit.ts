// The window's own unit, hardware-independent: it follows its retained
// `window/{w}/state`, keeps the LED board and the rating pad in step with it,
// turns keypad keys and staff-page buttons into commands, and sends each rating
// as the citizen gave it on the pad (a low score with the reason the citizen
// chose there, or without one: staff never choose it).
import type { Logger } from 'pino';
import type { Bus } from '../bus/types.ts';
import { Requester } from '../bus/requester.ts';
import type { RatingScore, WindowAction, WindowReply, WindowState as WindowStateT } from '../protocol/index.ts';
import type { HallConfig } from '../config/hall.ts';
import type { Clock } from '../lib/time.ts';
import type { KeypadKey } from '../../hw-specs/schema.ts';
import type { WindowDisplay } from '../../signage/led/window-display.ts';
import type { RatingPad } from './rating-pad.ts';
import { ControllerWatch } from '../bus/controller-watch.ts';

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
  bus: Bus;
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
  readonly requester: Requester;
  readonly watch: ControllerWatch;
  private lastServed: string | null = null;
  private timers: NodeJS.Timeout[] = [];
  private listeners = new Set<() => void>();
  private readonly staleAfterMs: number;
  private readonly windowName: string;
  private readonly owner: string;

  constructor(private readonly d: UnitDeps, opts: UnitOptions = {}) {
    const w = d.hall.windows.find((x) => x.id === d.window);
    if (!w) throw new Error(`counter: window ${d.window} is not in the hall configuration (${d.hall.windows.map((x) => x.id).join(', ')})`);
    this.windowName = w.name;
    this.staleAfterMs = opts.staleAfterMs ?? 25_000;
    this.owner = `counter:${d.window}`;
    // device + boot time + sequence: unique across restarts of this board.
    this.requester = new Requester(d.bus, { owner: d.device, retryMs: opts.retryMs, timeoutMs: opts.timeoutMs, closedMessage: 'counter stopped' });
    this.watch = new ControllerWatch(d.bus, `${this.owner}:watch`, d.clock, this.staleAfterMs, () => this.checkStale());
    d.display.showLost();
    d.pad?.onRating((r) => void this.sendRating(r.ticket, r.score, r.reason));
  }

  async start(): Promise<void> {
    const { bus, window, log } = this.d;
    bus.onDisconnect(this.owner, () => this.setLost(true));
    await Promise.all([
      bus.on(this.owner, 'window-state', { window }, (s, _f, meta) => {
        this.state = s;
        if (s.serving) this.lastServed = s.serving.no;
        this.heard(meta.retained);
        this.render();
      }, (err, _f, meta) => log.warn({ topic: meta.topic, problem: err.message }, 'counter: bad window state ignored')),
      bus.on(this.owner, 'hall-state', {}, (_s, _f, meta) => this.heard(meta.retained),
        (err, _f, meta) => log.warn({ topic: meta.topic, problem: err.message }, 'counter: bad hall state ignored')),
      this.watch.start(),
    ]);
    this.timers.push(setInterval(() => this.checkStale(), Math.min(1000, this.staleAfterMs / 2)));
  }

  /** Calls `cb` after any change the staff page shows. */
  onChange(cb: () => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  private changed(): void { for (const cb of [...this.listeners]) cb(); }

  private heard(retained: boolean): void {
    this.watch.alive(retained);
    this.checkStale();
  }

  private checkStale(): void {
    if (this.d.bus.connected) this.setLost(this.watch.stale());
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
      const reply = await this.requester.request('window-command', { window: this.d.window }, req);
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
      const reply = await this.requester.request('window-rating', { window: this.d.window }, { ticket, score, ...(reason ? { reason } : {}) });
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
    void this.d.bus.removeOwner(this.owner);
    void this.watch.stop();
    void this.requester.close();
    this.listeners.clear();
  }
}
