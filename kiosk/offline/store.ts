// Offline number blocks, kept on disk. The controller reserves blocks of numbers
// for this kiosk in advance; offline, the kiosk issues from them. Every change is
// one JSON line appended and fsync'd BEFORE it takes effect (a ticket is recorded
// before it is printed), so a power cut can neither reuse a number nor lose an
// offline ticket. Replaying the file rebuilds the state.
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { IsoTime, Lang, NumberBlock, ServiceId, TicketNo } from '../../firmware/protocol/messages.ts';

const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
export const OfflineTicket = z.object({
  no: TicketNo,
  service: ServiceId,
  day: Day,
  issuedAt: IsoTime,
  priority: z.enum(['normal', 'priority']).optional(),
  appointment: z.string().min(1).max(64).optional(),
  lang: Lang.optional(),
});
export type OfflineTicket = z.infer<typeof OfflineTicket>;

const Record_ = z.discriminatedUnion('t', [
  z.object({ t: z.literal('block'), block: NumberBlock }),
  z.object({ t: z.literal('issued'), ticket: OfflineTicket }),
  z.object({ t: z.literal('handed'), day: Day, no: TicketNo }),
]);
type Rec = z.infer<typeof Record_>;

const key = (day: string, service: string) => `${day}/${service}`;

export class OfflineStore {
  /** Unused reserved numbers per day/service, in the order they were reserved. */
  private free = new Map<string, string[]>();
  private used = new Set<string>(); // `${day}/${no}` of every number ever issued or reserved-and-used
  private pendingList: OfflineTicket[] = [];
  private fd: number;
  /** Lines that could not be read back (a torn last write); reported, not fatal. */
  readonly skipped: number = 0;

  constructor(readonly file: string) {
    mkdirSync(dirname(file), { recursive: true });
    if (existsSync(file)) {
      let skipped = 0;
      for (const line of readFileSync(file, 'utf8').split('\n')) {
        if (!line.trim()) continue;
        let rec: Rec;
        try { rec = Record_.parse(JSON.parse(line)); } catch { skipped++; continue; }
        this.apply(rec);
      }
      this.skipped = skipped;
    }
    this.fd = openSync(file, 'a');
  }

  private apply(rec: Rec): void {
    if (rec.t === 'block') {
      const k = key(rec.block.day, rec.block.service);
      const list = this.free.get(k) ?? [];
      for (const no of rec.block.numbers) if (!this.used.has(`${rec.block.day}/${no}`) && !list.includes(no)) list.push(no);
      this.free.set(k, list);
    } else if (rec.t === 'issued') {
      const t = rec.ticket;
      this.used.add(`${t.day}/${t.no}`);
      const list = this.free.get(key(t.day, t.service));
      if (list) { const i = list.indexOf(t.no); if (i >= 0) list.splice(i, 1); }
      this.pendingList.push(t);
    } else {
      this.pendingList = this.pendingList.filter((p) => !(p.day === rec.day && p.no === rec.no));
    }
  }

  private append(rec: Rec): void {
    writeSync(this.fd, `${JSON.stringify(rec)}\n`);
    fsyncSync(this.fd);
    this.apply(rec);
  }

  /** Numbers left for `service` on `day`. */
  available(day: string, service: string): number { return this.free.get(key(day, service))?.length ?? 0; }

  addBlock(block: NumberBlock): void {
    const b = NumberBlock.parse(block);
    // A number this kiosk already issued must never come back into use.
    const fresh = b.numbers.filter((no) => !this.used.has(`${b.day}/${no}`));
    if (fresh.length) this.append({ t: 'block', block: { ...b, numbers: fresh } });
  }

  /** Takes the next reserved number and records the ticket (fsync'd) before returning it. */
  take(t: Omit<OfflineTicket, 'no'>): OfflineTicket | null {
    const list = this.free.get(key(t.day, t.service));
    if (!list?.length) return null;
    const ticket = OfflineTicket.parse({ ...t, no: list[0] });
    this.append({ t: 'issued', ticket });
    return ticket;
  }

  /** Offline tickets not yet handed over, in issue order. */
  pending(): OfflineTicket[] { return [...this.pendingList]; }

  markHanded(day: string, no: string): void {
    if (this.pendingList.some((p) => p.day === day && p.no === no)) this.append({ t: 'handed', day, no });
  }

  close(): void { try { closeSync(this.fd); } catch { /* closed */ } }
}
