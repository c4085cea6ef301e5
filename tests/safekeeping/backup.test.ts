// `manyi backup` while the controller writes, `manyi restore`, and the statistics
// of the restored database compared with the original's.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { loadHallConfig } from '../../firmware/config/hall.ts';
import { HallEngine } from '../../firmware/controller/engine.ts';
import { SqliteStore, writeEvents } from '../../firmware/eventlog/sqlite-store.ts';
import { localToMs, VirtualClock } from '../../firmware/lib/time.ts';
import { backup, restore } from '../../firmware/safekeeping/backup.ts';
import { rangeStats } from '../../firmware/stats/range.ts';
import { StatsStore } from '../../firmware/stats/store.ts';
import { synthesizeDay } from '../../firmware/stats/synthetic.ts';

const hall = loadHallConfig();
const dir = mkdtempSync(join(tmpdir(), 'manyi-backup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const DAYS = ['2026-11-16', '2026-11-17', '2026-11-18'];
const TODAY = '2026-11-19';
const BIN = new URL('../../firmware/bin/manyi.mjs', import.meta.url).pathname;

describe('manyi backup and restore', () => {
  it('copies the database while the controller issues tickets, and the restored copy gives the same statistics', async () => {
    const live = join(dir, 'controller.db');
    const clock = new VirtualClock(localToMs(TODAY, 9 * 3600, hall.hall.timezone));
    const store = new SqliteStore(live, { clock });
    DAYS.forEach((d, i) => writeEvents(store.db, synthesizeDay(hall, d, { tickets: 250, seed: i + 1 })));
    const engine = new HallEngine({ hall, store, clock });
    // The controller keeps issuing tickets while the backup runs.
    let issued = 0;
    let writing = true;
    const writer = (async () => {
      while (writing) {
        const r = engine.kiosk('k1', { op: 'ticket', id: `t${issued}`, service: hall.services[issued % hall.services.length].id }, undefined, { sender: 'kiosk/k1', topic: 't' });
        if (r.ok) issued++;
        clock.advance(1000);
        await new Promise((res) => setImmediate(res));
      }
    })();
    while (issued < 20) await new Promise((res) => setTimeout(res, 5));
    const b = await backup(live, join(dir, 'backups', 'controller-1.db'));
    writing = false;
    await writer;
    expect(b.days).toBe(DAYS.length + 1);
    expect(existsSync(`${b.file}.part`)).toBe(false);

    const restored = join(dir, 'restored', 'controller.db');
    const r = await restore(b.file, restored);
    expect(r.events).toBe(b.events);
    const now = () => clock.now();
    const a = new StatsStore(store.db, hall, now);
    const c = new StatsStore(new Database(restored, { readonly: true }), hall, now);
    expect(rangeStats(c, DAYS[0], DAYS[DAYS.length - 1])).toEqual(rangeStats(a, DAYS[0], DAYS[DAYS.length - 1]));
    // Today's events in the copy are exactly the first ones the controller wrote.
    const todays = (db: Database.Database) => db.prepare('SELECT seq, data FROM events WHERE day = ? ORDER BY seq').all(TODAY);
    const copyToday = todays(c.db);
    expect(copyToday.length).toBeGreaterThan(0);
    expect(todays(store.db).slice(0, copyToday.length)).toEqual(copyToday);
    c.db.close();
    store.close();

    // A controller started on the restored database resumes today where the copy ends.
    const back = new HallEngine({ hall, store: new SqliteStore(restored, { clock }), clock });
    expect(back.hallState().services.reduce((n, s) => n + s.waiting, 0)).toBe(copyToday.filter((e) => (e as { data: string }).data.includes('"ticket-issued"')).length);
  });

  it('refuses to restore what is not a sound event log, and changes nothing', async () => {
    const target = join(dir, 'target.db');
    const good = new SqliteStore(target, { clock: new VirtualClock(Date.parse('2026-11-19T02:00:00Z')) });
    writeEvents(good.db, synthesizeDay(hall, DAYS[0], { tickets: 50, seed: 9 }));
    good.close();
    const before = new Database(target, { readonly: true }).prepare('SELECT count(*) AS n FROM events').get();
    const junk = join(dir, 'junk.db');
    writeFileSync(junk, Buffer.alloc(8192, 7));
    await expect(restore(junk, target)).rejects.toThrow(/not a (readable )?database/);
    const other = join(dir, 'other.db');
    new Database(other).exec('CREATE TABLE x(a)');
    await expect(restore(other, target)).rejects.toThrow(/holds no event log/);
    const newer = join(dir, 'newer.db');
    copyFileSync(target, newer);
    new Database(newer).prepare("UPDATE meta SET value = '99' WHERE key = 'schema'").run();
    await expect(restore(newer, target)).rejects.toThrow(/schema 99 is newer/);
    expect(new Database(target, { readonly: true }).prepare('SELECT count(*) AS n FROM events').get()).toEqual(before);
    await expect(backup(join(dir, 'missing.db'), join(dir, 'x.db'))).rejects.toThrow(/no such database/);
  });

  it('works from the command line', () => {
    const db = join(dir, 'cli', 'controller.db');
    mkdirSync(join(dir, 'cli'));
    const s = new SqliteStore(db, { clock: new VirtualClock(Date.parse('2026-11-19T02:00:00Z')) });
    writeEvents(s.db, synthesizeDay(hall, DAYS[1], { tickets: 40, seed: 3 }));
    s.close();
    const b = spawnSync(process.execPath, [BIN, 'backup', '--db', db], { encoding: 'utf8' });
    expect(b.status, b.stderr).toBe(0);
    const files = readdirSync(join(dir, 'cli', 'backups'));
    expect(files, files.join(' ')).toHaveLength(1);
    expect(b.stdout).toMatch(/events over 1 days/);
    const r = spawnSync(process.execPath, [BIN, 'restore', '--from', join(dir, 'cli', 'backups', files[0]), '--db', join(dir, 'cli', 'again.db')], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/restored from .*start the controller again/);
  });
});
