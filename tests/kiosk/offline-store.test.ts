// The kiosk's offline number blocks on disk, rule by rule and without a broker:
// a number is issued at most once, even across restarts and a torn last write; a
// ticket is on disk before it is handed out; handed-over tickets leave the
// pending list; days and services never mix.
import { appendFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OfflineStore } from '../../kiosk/offline/store.ts';

const DAY = '2026-11-26';
const fresh = () => join(mkdtempSync(join(tmpdir(), 'manyi-offline-')), 'sub', 'offline.jsonl');
const at = (m: number) => `2026-11-26T09:${String(m).padStart(2, '0')}:00.000+08:00`;
const lines = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));

describe('OfflineStore', () => {
  it('starts empty, creating its folder; takes nothing without a block', () => {
    const file = fresh();
    const s = new OfflineStore(file);
    expect(s.skipped).toBe(0);
    expect(s.available(DAY, 'payment')).toBe(0);
    expect(s.pending()).toEqual([]);
    expect(s.take({ service: 'payment', day: DAY, issuedAt: at(0) })).toBeNull();
    expect(readFileSync(file, 'utf8')).toBe(''); // nothing recorded for a refusal
    s.close();
    s.close(); // twice is harmless
  });

  it('issues the block in order, records each ticket on disk before returning it, with every field', () => {
    const file = fresh();
    const s = new OfflineStore(file);
    s.addBlock({ service: 'payment', day: DAY, numbers: ['B010', 'B011'] });
    expect(s.available(DAY, 'payment')).toBe(2);
    const t = s.take({ service: 'payment', day: DAY, issuedAt: at(1), priority: 'priority', appointment: 'AP-7', lang: 'en' });
    expect(t).toEqual({ no: 'B010', service: 'payment', day: DAY, issuedAt: at(1), priority: 'priority', appointment: 'AP-7', lang: 'en' });
    expect(lines(file)).toEqual([
      { t: 'block', block: { service: 'payment', day: DAY, numbers: ['B010', 'B011'] } },
      { t: 'issued', ticket: t },
    ]);
    expect(s.available(DAY, 'payment')).toBe(1);
    expect(s.take({ service: 'payment', day: DAY, issuedAt: at(2), priority: 'normal' })).toMatchObject({ no: 'B011', priority: 'normal' });
    expect(s.take({ service: 'payment', day: DAY, issuedAt: at(3) })).toBeNull();
    expect(s.pending().map((p) => p.no)).toEqual(['B010', 'B011']);
    s.close();
  });

  it('keeps days and services apart', () => {
    const s = new OfflineStore(fresh());
    s.addBlock({ service: 'payment', day: DAY, numbers: ['B001'] });
    s.addBlock({ service: 'registration', day: DAY, numbers: ['A001', 'A002'] });
    s.addBlock({ service: 'payment', day: '2026-11-27', numbers: ['B001', 'B002', 'B003'] });
    expect([s.available(DAY, 'payment'), s.available(DAY, 'registration'), s.available('2026-11-27', 'payment')]).toEqual([1, 2, 3]);
    expect(s.take({ service: 'registration', day: DAY, issuedAt: at(1) })!.no).toBe('A001');
    expect([s.available(DAY, 'payment'), s.available(DAY, 'registration'), s.available('2026-11-27', 'payment')]).toEqual([1, 1, 3]);
    // B001 of the 27th is another ticket than B001 of the 26th
    expect(s.take({ service: 'payment', day: DAY, issuedAt: at(2) })!.no).toBe('B001');
    expect(s.available('2026-11-27', 'payment')).toBe(3);
    s.close();
  });

  it('never brings back an issued number: not from the same block offered again, not after a restart', () => {
    const file = fresh();
    const a = new OfflineStore(file);
    a.addBlock({ service: 'payment', day: DAY, numbers: ['B010', 'B011', 'B012'] });
    a.take({ service: 'payment', day: DAY, issuedAt: at(1) });
    // a retried reserve returns the same block: only unused numbers stay, none twice
    a.addBlock({ service: 'payment', day: DAY, numbers: ['B010', 'B011', 'B012', 'B013'] });
    expect(a.available(DAY, 'payment')).toBe(3);
    const before = lines(file).length;
    a.addBlock({ service: 'payment', day: DAY, numbers: ['B010'] }); // nothing new: nothing written
    expect(lines(file).length).toBe(before);
    a.close();

    const b = new OfflineStore(file);
    expect(b.available(DAY, 'payment')).toBe(3);
    const got = [1, 2, 3, 4].map((m) => b.take({ service: 'payment', day: DAY, issuedAt: at(m) })?.no ?? null);
    expect(got).toEqual(['B011', 'B012', 'B013', null]);
    b.close();
    const c = new OfflineStore(file);
    expect(c.available(DAY, 'payment')).toBe(0);
    expect(c.pending().map((p) => p.no)).toEqual(['B010', 'B011', 'B012', 'B013']);
    c.close();
  });

  it('drops a handed-over ticket from the pending list, on disk too; handing over an unknown one writes nothing', () => {
    const file = fresh();
    const a = new OfflineStore(file);
    a.addBlock({ service: 'payment', day: DAY, numbers: ['B010', 'B011', 'B012'] });
    for (const m of [1, 2, 3]) a.take({ service: 'payment', day: DAY, issuedAt: at(m) });
    a.markHanded(DAY, 'B011');
    expect(a.pending().map((p) => p.no)).toEqual(['B010', 'B012']);
    const n = lines(file).length;
    a.markHanded(DAY, 'B011'); // again
    a.markHanded('2026-11-27', 'B010'); // another day's B010 was never issued
    a.markHanded(DAY, 'B099');
    expect(lines(file).length).toBe(n);
    expect(a.pending().map((p) => p.no)).toEqual(['B010', 'B012']);
    // pending() is a copy: a caller cannot change the store through it
    a.pending().pop();
    expect(a.pending()).toHaveLength(2);
    a.close();
    const b = new OfflineStore(file);
    expect(b.pending().map((p) => p.no)).toEqual(['B010', 'B012']);
    b.close();
  });

  it('hands over one day\'s ticket without touching the same number of another day', () => {
    const file = fresh();
    const a = new OfflineStore(file);
    a.addBlock({ service: 'payment', day: DAY, numbers: ['B001'] });
    a.addBlock({ service: 'payment', day: '2026-11-27', numbers: ['B001'] });
    a.take({ service: 'payment', day: DAY, issuedAt: at(1) });
    a.take({ service: 'payment', day: '2026-11-27', issuedAt: '2026-11-27T09:00:00.000+08:00' });
    a.markHanded(DAY, 'B001');
    expect(a.pending().map((p) => `${p.day}/${p.no}`)).toEqual(['2026-11-27/B001']);
    a.close();
    const b = new OfflineStore(file);
    expect(b.pending().map((p) => `${p.day}/${p.no}`)).toEqual(['2026-11-27/B001']);
    b.close();
  });

  it('reads past a torn or foreign line, counting it, and keeps what came before and after', () => {
    const file = fresh();
    const a = new OfflineStore(file);
    a.addBlock({ service: 'payment', day: DAY, numbers: ['B010', 'B011', 'B012'] });
    a.take({ service: 'payment', day: DAY, issuedAt: at(1) });
    a.close();
    appendFileSync(file, '{"t":"issued","ticket":{"no":"B01'); // power cut mid-write
    appendFileSync(file, '\n\n   \n{"t":"dance"}\n');
    appendFileSync(file, `${JSON.stringify({ t: 'issued', ticket: { no: 'B011', service: 'payment', day: DAY, issuedAt: at(2) } })}\n`);
    const b = new OfflineStore(file);
    expect(b.skipped).toBe(2);
    expect(b.pending().map((p) => p.no)).toEqual(['B010', 'B011']);
    expect(b.available(DAY, 'payment')).toBe(1);
    // and it appends after the damage, on a line of its own
    expect(b.take({ service: 'payment', day: DAY, issuedAt: at(3) })!.no).toBe('B012');
    b.close();
    const c = new OfflineStore(file);
    expect(c.skipped).toBe(2);
    expect(c.pending().map((p) => p.no)).toEqual(['B010', 'B011', 'B012']);
    c.close();
  });

  it('refuses a bad block or ticket without recording it', () => {
    const file = fresh();
    const s = new OfflineStore(file);
    expect(() => s.addBlock({ service: 'payment', day: '26/11/2026', numbers: ['B010'] })).toThrow();
    expect(() => s.addBlock({ service: 'payment', day: DAY, numbers: ['010'] })).toThrow();
    expect(readFileSync(file, 'utf8')).toBe('');
    s.addBlock({ service: 'payment', day: DAY, numbers: ['B010'] });
    expect(() => s.take({ service: 'payment', day: DAY, issuedAt: 'yesterday' })).toThrow();
    expect(() => s.take({ service: 'payment', day: DAY, issuedAt: at(1), appointment: '' })).toThrow();
    expect(() => s.take({ service: 'payment', day: DAY, issuedAt: at(1), appointment: 'x'.repeat(65) })).toThrow();
    expect(s.available(DAY, 'payment')).toBe(1);
    expect(s.pending()).toEqual([]);
    expect(lines(file)).toHaveLength(1);
    expect(s.take({ service: 'payment', day: DAY, issuedAt: at(1), appointment: 'x'.repeat(64) })!.appointment).toHaveLength(64);
    s.close();
  });

  it('writes nothing once closed', () => {
    const file = fresh();
    const s = new OfflineStore(file);
    s.addBlock({ service: 'payment', day: DAY, numbers: ['B010'] });
    s.close();
    expect(() => s.take({ service: 'payment', day: DAY, issuedAt: at(1) })).toThrow();
    expect(lines(file)).toHaveLength(1);
  });

  it('skips a record whose day or ticket is malformed, counting it', () => {
    const file = fresh();
    new OfflineStore(file).close();
    const bad = [`${DAY}x`, `x${DAY}`, '26-11-2026', '2026-1-26', '2026-11-2', 'yyyy-mm-dd', '2026-ab-26', '2026-11-ab'];
    appendFileSync(file, bad.map((day) => JSON.stringify({ t: 'issued', ticket: { no: 'B001', service: 'payment', day, issuedAt: at(1) } })).join('\n') + '\n');
    appendFileSync(file, `${JSON.stringify({ t: 'issued', ticket: { no: 'B002', service: 'payment', day: DAY, issuedAt: at(1), appointment: '' } })}\n`);
    appendFileSync(file, `${JSON.stringify({ t: 'issued', ticket: { no: 'B003', service: 'payment', day: DAY, issuedAt: at(1), appointment: 'x'.repeat(65) } })}\n`);
    appendFileSync(file, `${JSON.stringify({ t: 'issued', ticket: { no: 'B004', service: 'payment', day: DAY, issuedAt: at(1), appointment: 'x'.repeat(64) } })}\n`);
    const s = new OfflineStore(file);
    expect(s.skipped).toBe(bad.length + 2);
    expect(s.pending().map((p) => p.no)).toEqual(['B004']);
    s.close();
  });

  it('replays a file written before: blocks after issues do not revive issued numbers', () => {
    const file = fresh();
    const s0 = new OfflineStore(file); // creates the folder and the file
    s0.close();
    appendFileSync(file, [
      { t: 'block', block: { service: 'payment', day: DAY, numbers: ['B010', 'B011'] } },
      { t: 'issued', ticket: { no: 'B010', service: 'payment', day: DAY, issuedAt: at(1) } },
      { t: 'block', block: { service: 'payment', day: DAY, numbers: ['B010', 'B011', 'B012'] } },
      { t: 'handed', day: DAY, no: 'B010' },
      // a ticket from a number this file never reserved (an older file, another kiosk's block): takes no number away
      { t: 'issued', ticket: { no: 'B099', service: 'payment', day: DAY, issuedAt: at(1) } },
      { t: 'handed', day: DAY, no: 'B099' },
    ].map((r) => JSON.stringify(r)).join('\n') + '\n');
    const s = new OfflineStore(file);
    expect(s.available(DAY, 'payment')).toBe(2);
    expect(s.pending()).toEqual([]);
    expect(s.take({ service: 'payment', day: DAY, issuedAt: at(2), priority: 'normal' })).toMatchObject({ no: 'B011', priority: 'normal' });
    s.close();
  });
});
