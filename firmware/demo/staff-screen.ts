// What a simulated clerk sees: the window's staff page, signed in with the
// clerk's id and PIN as the production rules need (the controller checks the
// PIN), followed live over the page's own WebSocket. The clerk works the desk's
// keypad and reads the answer to each key, the window's state and the rating
// pad from this screen, as a person at the desk reads the page.
import WebSocket from 'ws';
import type { KeypadKey } from '../../hw-specs/schema.ts';
import type { RatingScore, WindowState } from '../protocol/messages.ts';
import type { LogEntry } from '../counter/unit.ts';

/** The parts of the staff page's view (firmware/counter/staff-page.ts) a clerk reads. */
export interface StaffView {
  state: WindowState | null;
  lost: boolean;
  pad: { phase: 'dark' | 'lit' | 'reason' | 'thanks'; ticket: string | null; scores: RatingScore[]; asking: unknown } | null;
  history: LogEntry[];
}

export class SignInError extends Error {}

const entryKey = (e: LogEntry | undefined) => (e ? `${e.at}|${e.source}|${e.what}|${e.ok}|${e.detail}` : '');

export class StaffScreen {
  view: StaffView | null = null;
  closed = false;
  private readonly waiters = new Set<() => void>();

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => {
      try {
        const m = JSON.parse(String(data)) as { type?: string; view?: StaffView };
        if (m.type === 'view' && m.view) this.view = m.view;
      } catch { return; }
      this.wake();
    });
    ws.on('close', () => { this.closed = true; this.wake(); });
    ws.on('error', () => { /* 'close' follows */ });
  }

  /** Signs `staff` in at `window` on the page at `base` (http://host:port) and opens its live view. */
  static async open(base: string, window: string, staff: string, pin: string, timeoutMs = 15_000): Promise<StaffScreen> {
    const page = `${base}/window/${encodeURIComponent(window)}`;
    const signal = AbortSignal.timeout(timeoutMs);
    const first = await fetch(`${page}/session`, { signal });
    if (!first.ok) throw new SignInError(`staff page of window ${window}: ${first.status}`);
    let cookie = cookies(first);
    const { csrf } = (await first.json()) as { csrf: string };
    const res = await fetch(`${page}/sign-in`, {
      method: 'POST', signal,
      headers: { cookie, origin: base, 'x-csrf-token': csrf, 'content-type': 'application/json' },
      body: JSON.stringify({ staff, pin }),
    });
    const body = (await res.json().catch(() => ({}))) as { ok?: boolean; error?: { message?: string } };
    if (!res.ok || !body.ok) throw new SignInError(`sign-in at window ${window} as ${staff}: ${res.status} ${body.error?.message ?? ''}`.trim());
    cookie = cookies(res) || cookie;
    const ws = new WebSocket(`${page.replace(/^http/, 'ws')}/ws`, { headers: { cookie, origin: base } });
    const screen = new StaffScreen(ws);
    const shown = await screen.waitFor((v) => v, timeoutMs);
    if (!shown) { screen.close(); throw new SignInError(`window ${window}: the staff page showed nothing`); }
    return screen;
  }

  /** The first value `pick` finds in the view, now or as it changes; null after `timeoutMs` or when the page closes. */
  waitFor<T>(pick: (v: StaffView) => T | null | undefined | false, timeoutMs: number): Promise<T | null> {
    return new Promise((resolve) => {
      const check = () => {
        if (this.closed) return done(null);
        const hit = this.view ? pick(this.view) : null;
        if (hit) done(hit);
      };
      const done = (v: T | null) => { clearTimeout(t); this.waiters.delete(check); resolve(v); };
      const t = setTimeout(() => done(null), timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  /** A mark in the page's answer list: `answer(mark, …)` finds what came after it. */
  mark(): string { return entryKey(this.view?.history[0]); }

  /** The first answer from `source` newer than `mark` whose action is one of `what`. */
  answer(mark: string, source: LogEntry['source'], what: readonly string[], timeoutMs: number): Promise<LogEntry | null> {
    return this.waitFor((v) => {
      const at = v.history.findIndex((e) => entryKey(e) === mark);
      const fresh = at >= 0 ? v.history.slice(0, at) : v.history; // not found: it scrolled off, all is new
      // Oldest first: the answer to this press, not a later one.
      return [...fresh].reverse().find((e) => e.source === source && what.some((w) => e.what === w || e.what.startsWith(`${w} `)));
    }, timeoutMs);
  }

  /** Presses `key` (through `press`) and waits for the page to show the answer to it. */
  async key(press: (key: KeypadKey) => Promise<boolean>, key: KeypadKey, answers: readonly string[], timeoutMs = 15_000): Promise<LogEntry | null> {
    const mark = this.mark();
    if (!(await press(key))) return null;
    return this.answer(mark, 'keypad', answers, timeoutMs);
  }

  private wake(): void { for (const w of [...this.waiters]) w(); }

  close(): void {
    this.closed = true;
    this.ws.close();
    this.wake();
  }
}

function cookies(res: Response): string {
  return res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
}
