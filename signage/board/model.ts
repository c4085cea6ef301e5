// What a lobby board shows, from what the controller publishes: the hall
// state (retained: a rebooted board has it at once, with `recentCalls`), each
// call as it happens, and the windows' retained states. The board's
// configuration picks its floor, services and windows; other floors' queues
// are summarised so citizens are pointed to them. No hall state for
// `staleAfterMs` = the controller is silent: the view says so (the role
// decides with a ControllerWatch, which also counts the controller's health).
import { decode, CallEvent, HallState, WindowState, type CallEvent as CallT, type HallState as HallT, type WindowState as WinT } from '../../firmware/protocol/index.ts';
import type { HallConfig } from '../../firmware/config/hall.ts';

export interface BoardFilter { floor?: string; services?: string[]; windows?: string[] }

export interface ShownCall {
  no: string; window: string; windowName: string; floor: string; floorName: { zh: string; en: string };
  service: string; at: string; recall: boolean;
}

export interface BoardView {
  hall: { zh: string; en: string };
  floor: string | null;
  at: string | null;
  /** The hall's clock when this view was made (epoch ms) and its time zone: the page's clock shows hall time, not the browser's. */
  now: number;
  timeZone: string;
  stale: boolean;
  /** Newest first; [0] is shown large for a few seconds after it arrives. */
  calls: ShownCall[];
  services: Array<{ id: string; name: { zh: string; en: string }; waiting: number; estWaitS: number; longestWaitS: number; windows: string[] }>;
  windows: Array<{ id: string; name: string; floor: string; status: string; serving: string | null; staff: string | null }>;
  others: Array<{ floor: string; floorName: { zh: string; en: string }; services: Array<{ name: { zh: string; en: string }; waiting: number; estWaitS: number }> }>;
  advice: Array<{ service: string; text: { zh: string; en: string }; windows: string[] }>;
}

export class BoardModel {
  hallState: HallT | null = null;
  lastStateAt = -Infinity;
  private calls: ShownCall[] = [];
  private windowStates = new Map<string, WinT>();
  private readonly shownWindows: Set<string>;
  private readonly shownServices: Set<string>;

  constructor(private readonly hall: HallConfig, private readonly filter: BoardFilter = {}, private readonly opts: { staleAfterMs?: number; keepCalls?: number } = {}) {
    const wins = hall.windows.filter((w) =>
      (filter.windows ? filter.windows.includes(w.id) : true) && (filter.floor ? w.floor === filter.floor : true));
    this.shownWindows = new Set(wins.map((w) => w.id));
    this.shownServices = new Set(filter.services ?? wins.flatMap((w) => [...w.own, ...w.overflow]));
  }

  /** Takes a hall state; false (and nothing changed) if it is not one. */
  /** Takes a hall state: decoded by the bus already, or raw bytes to check here. */
  takeHallState(payload: HallT | Buffer | string, now: number): boolean {
    const r = decoded(payload, HallState);
    if (!r.ok) return false;
    this.hallState = r.value;
    this.lastStateAt = now;
    // A rebooted board learns the last calls from the retained state.
    for (const c of [...(r.value.recentCalls ?? [])].reverse()) this.addCall({ ...c, recall: false }, false);
    return true;
  }

  /** Takes a call event; returns the call as shown, or null if invalid. */
  takeCall(payload: CallT | Buffer | string): ShownCall | null {
    const r = decoded(payload, CallEvent);
    if (!r.ok) return null;
    return this.addCall(r.value, true);
  }

  takeWindowState(window: string, payload: WinT | Buffer | string): boolean {
    const r = decoded(payload, WindowState);
    if (!r.ok) return false;
    this.windowStates.set(window, r.value);
    return true;
  }

  private addCall(c: Pick<CallT, 'no' | 'window' | 'service' | 'at' | 'recall'>, live: boolean): ShownCall | null {
    // The same call (retained list, then live event, or a QoS 1 duplicate) is listed once;
    // a recall moves it to the top again.
    const dup = this.calls.findIndex((x) => x.no === c.no && x.window === c.window);
    if (dup >= 0) {
      if (!live) return this.calls[dup];
      if (!c.recall && this.calls[dup].at === c.at) return this.calls[dup];
      this.calls.splice(dup, 1);
    }
    const w = this.hall.windows.find((x) => x.id === c.window);
    const floor = w?.floor ?? '';
    const floorName = this.hall.floors.find((f) => f.id === floor)?.name ?? { zh: floor, en: floor };
    const shown: ShownCall = { no: c.no, window: c.window, windowName: w?.name ?? c.window, floor, floorName, service: c.service, at: c.at, recall: c.recall };
    if (live) this.calls.unshift(shown);
    else {
      // retained history: insert by time
      const i = this.calls.findIndex((x) => Date.parse(x.at) < Date.parse(c.at));
      this.calls.splice(i < 0 ? this.calls.length : i, 0, shown);
    }
    this.calls.length = Math.min(this.calls.length, this.opts.keepCalls ?? 8);
    return shown;
  }

  stale(now: number): boolean {
    return now - this.lastStateAt > (this.opts.staleAfterMs ?? 5000);
  }

  /** `stale`: the caller's verdict on the controller (ControllerWatch); default: hall state age. */
  view(now: number, stale = this.stale(now)): BoardView {
    const h = this.hallState;
    const floorOf = (id: string) => this.hall.windows.find((w) => w.id === id)?.floor ?? '';
    const services = (h?.services ?? []).filter((s) => this.shownServices.has(s.id)).map((s) => ({
      id: s.id, name: s.name, waiting: s.waiting, estWaitS: s.estWaitS, longestWaitS: s.longestWaitS,
      windows: this.hall.windows.filter((w) => this.shownWindows.has(w.id) && (w.own.includes(s.id) || w.overflow.includes(s.id))).map((w) => w.name),
    }));
    const windows = (h?.windows ?? []).filter((w) => this.shownWindows.has(w.id)).map((w) => {
      const ws = this.windowStates.get(w.id);
      return { id: w.id, name: w.name, floor: w.floor, status: ws?.status ?? w.status, serving: ws ? ws.serving?.no ?? null : w.serving, staff: ws?.staff?.name ?? null };
    });
    // Other floors: their services and queues, so this floor's board points to them.
    const others: BoardView['others'] = [];
    if (this.filter.floor && h) {
      for (const f of this.hall.floors.filter((x) => x.id !== this.filter.floor)) {
        const ids = new Set(this.hall.windows.filter((w) => w.floor === f.id).flatMap((w) => w.own));
        const svc = h.services.filter((s) => ids.has(s.id)).map((s) => ({ name: s.name, waiting: s.waiting, estWaitS: s.estWaitS }));
        if (svc.length) others.push({ floor: f.id, floorName: f.name, services: svc });
      }
    }
    return {
      hall: this.hall.hall.name,
      floor: this.filter.floor ?? null,
      at: h?.at ?? null,
      now, timeZone: this.hall.hall.timezone,
      stale,
      calls: this.calls.slice(),
      services, windows, others,
      advice: (h?.advice ?? []).filter((a) => this.shownServices.has(a.service) || a.windows.some((w) => this.shownWindows.has(w) || floorOf(w) === this.filter.floor)),
    };
  }
}

/** A value the bus already validated passes as it is; bytes are decoded and checked. */
function decoded<T>(payload: T | Buffer | string, schema: Parameters<typeof decode<T>>[1]): { ok: true; value: T } | { ok: false } {
  if (typeof payload === 'string' || Buffer.isBuffer(payload)) return decode(payload, schema);
  return { ok: true, value: payload };
}
