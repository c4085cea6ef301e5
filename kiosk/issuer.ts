// Issues tickets: online through the controller, offline from a reserved number
// block when the controller does not answer in time or the broker is down. Keeps
// the blocks topped up while online and hands offline tickets over, in issue order,
// when the controller is back.
import type { HallConfig } from '../firmware/config/hall.ts';
import type { Clock } from '../firmware/lib/time.ts';
import { isoLocal, localDay } from '../firmware/lib/time.ts';
import type { ErrorCode, IssuedTicket, KioskReply } from '../firmware/protocol/messages.ts';
import { NoReplyError, type Requester, type RequestBody } from '../firmware/bus/requester.ts';
import type { OfflineStore, OfflineTicket } from './offline/store.ts';

export interface TicketRequest {
  service: string;
  lang?: 'zh' | 'en';
  priority?: 'normal' | 'priority';
  appointment?: string;
}

export type IssueResult =
  | { ok: true; ticket: IssuedTicket; offline: boolean }
  | { ok: false; code: ErrorCode | 'offline-no-numbers'; message: string };

export interface IssuerOptions {
  /** How long to wait for the controller before issuing offline, ms. */
  replyTimeoutMs?: number;
  /** Refill a service's block when fewer numbers than this are left. */
  lowWater?: number;
  blockSize?: number;
  log?: { warn(o: unknown, msg?: string): void; info(o: unknown, msg?: string): void };
}

export class TicketIssuer {
  private readonly timeoutMs: number;
  private readonly lowWater: number;
  private readonly blockSize: number;
  private syncing: Promise<void> | null = null;
  private syncAgain = false;

  constructor(
    private readonly requester: Requester,
    private readonly kiosk: string,
    private readonly store: OfflineStore,
    private readonly hall: HallConfig,
    private readonly clock: Clock,
    opts: IssuerOptions = {},
    private readonly log = opts.log,
  ) {
    this.timeoutMs = opts.replyTimeoutMs ?? 2000;
    this.lowWater = opts.lowWater ?? 10;
    this.blockSize = opts.blockSize ?? 30;
  }

  day(): string { return localDay(this.clock.now(), this.hall.hall.timezone); }

  /**
   * One request to the controller: its reply, or null when the broker is down or
   * no reply came in time (sent once more with the same id half-way through).
   * A handover's id is derived from its ticket, so a retry after a crash is the
   * same request and the controller answers it once.
   */
  private async ask(body: RequestBody<'kiosk-request'>, id?: string): Promise<KioskReply | null> {
    if (!this.requester.connected) return null; // offline, mqtt.js would hold the request in its queue
    try {
      return await this.requester.request('kiosk-request', { kiosk: this.kiosk }, body, { id, timeoutMs: this.timeoutMs, retryMs: Math.ceil(this.timeoutMs / 2) });
    } catch (e) {
      // No reply in time, or the kiosk is stopping: the same as an unreachable controller.
      if (!(e instanceof NoReplyError)) this.log?.warn({ err: (e as Error).message }, 'request to the controller failed');
      return null;
    }
  }

  async issue(req: TicketRequest): Promise<IssueResult> {
    if (!this.hall.services.some((s) => s.id === req.service)) {
      return { ok: false, code: 'unknown-service', message: `no service ${req.service} in this hall` };
    }
    // Offline tickets first: while some are not handed over, an online ticket
    // would be filed before them although they were issued earlier.
    if (this.requester.connected && this.store.pending().length) await this.sync();
    if (this.requester.connected && this.store.pending().length === 0) {
      const r = await this.ask({ op: 'ticket', ...req });
      if (r?.ok && r.ticket) { void this.sync(); return { ok: true, ticket: r.ticket, offline: false }; }
      if (r && !r.ok) return { ok: false, code: r.error.code, message: r.error.message };
      if (r) return { ok: false, code: 'internal', message: 'the controller answered without a ticket' };
      this.log?.warn({ service: req.service }, 'controller did not answer; issuing offline');
    }
    return this.issueOffline(req);
  }

  private issueOffline(req: TicketRequest): IssueResult {
    const now = this.clock.now();
    const t = this.store.take({
      service: req.service, day: this.day(), issuedAt: isoLocal(now, this.hall.hall.timezone),
      ...(req.priority ? { priority: req.priority } : {}), ...(req.appointment ? { appointment: req.appointment } : {}),
      ...(req.lang ? { lang: req.lang } : {}),
    });
    if (!t) return { ok: false, code: 'offline-no-numbers', message: 'the controller is unreachable and no reserved numbers are left' };
    return { ok: true, ticket: offlineIssued(this.hall, t), offline: true };
  }

  /** Hands over offline tickets (in issue order) and tops up the blocks; one run at a time. */
  sync(): Promise<void> {
    // A call during a run (e.g. on reconnect while a request of the run is timing
    // out) must not be lost: it makes the run go round once more.
    if (this.syncing) { this.syncAgain = true; return this.syncing; }
    this.syncing = (async () => {
      do { this.syncAgain = false; await this.syncOnce(); } while (this.syncAgain && this.requester.connected);
    })().finally(() => { this.syncing = null; });
    return this.syncing;
  }

  private async syncOnce(): Promise<void> {
    for (const t of this.store.pending()) {
      const { no, day, issuedAt, service, ...rest } = t;
      const r = await this.ask({ op: 'handover', service, ...rest, offline: { no, issuedAt } }, `ho-${day}-${no}`);
      if (!r) return; // still unreachable: try again later, keeping the order
      if (!r.ok && r.error.code === 'internal') return; // the controller could not store it: retry later
      if (!r.ok) this.log?.warn({ no, error: r.error }, 'controller refused an offline ticket');
      this.store.markHanded(day, no);
    }
    const day = this.day();
    for (const s of this.hall.services) {
      if (this.store.available(day, s.id) >= this.lowWater) continue;
      const r = await this.ask({ op: 'reserve', service: s.id, count: this.blockSize });
      if (!r) return;
      if (r.ok && r.block) {
        if (r.block.service === s.id && r.block.day === day) this.store.addBlock(r.block);
        else this.log?.warn({ block: r.block }, 'ignoring a block for another service or day');
      } else if (!r.ok) this.log?.warn({ service: s.id, error: r.error }, 'could not reserve numbers');
    }
  }
}

/** The ticket as printed when offline: no queue position yet, the windows from the hall config. */
export function offlineIssued(hall: HallConfig, t: OfflineTicket): IssuedTicket {
  const windows = hall.windows.filter((w) => w.own.includes(t.service) || w.overflow.includes(t.service)).map((w) => w.id);
  return { no: t.no, service: t.service, issuedAt: t.issuedAt, ahead: 0, estWaitS: 0, windows, day: t.day, ...(t.priority === 'priority' ? { priority: true } : {}) };
}
