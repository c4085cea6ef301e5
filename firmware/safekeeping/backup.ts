// `manyi backup` and `manyi restore`: the controller's database (the event log,
// day summaries, stored replies) copied with SQLite's online backup API, so a
// backup taken while the controller issues tickets is consistent (one snapshot,
// pages copied under SQLite's own locks, the WAL included), never a torn file copy.
//
// A backup is written beside its destination and renamed in when complete and
// checked (`PRAGMA integrity_check`), so a crash or a full disk never leaves a
// half-written file under the backup's name. A restore checks the backup the same
// way and that this manyi can read its schema, then copies it into the live
// database through the same API; the controller must be restarted afterwards
// (its engine replays today's events on start).
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { EVENTLOG_VERSION, eventLogVersion } from '../eventlog/table.ts';

/**
 * All pages in one step: copied a hundred pages at a time (the library's default),
 * a copy restarts whenever the controller commits in between, and a busy hall
 * commits every second. One step holds a read snapshot (WAL: the controller keeps
 * writing meanwhile) and takes ~1 s per 100 MB here.
 */
const ONE_STEP = { progress: () => 0x7fffffff };

export interface BackupResult { file: string; bytes: number; events: number; days: number; ms: number }

/** What a database holds, for the report and for checking a copy. */
export function describe(file: string): { events: number; days: number; lastSeq: number; schema: number } {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const schema = eventLogVersion(db);
    if (schema === 0) return { events: 0, days: 0, lastSeq: 0, schema };
    const r = db.prepare('SELECT count(*) AS events, count(DISTINCT day) AS days, coalesce(max(seq), 0) AS lastSeq FROM events').get() as { events: number; days: number; lastSeq: number };
    return { ...r, schema };
  } finally { db.close(); }
}

/** Throws unless `file` is a sound SQLite database this manyi can read. */
export function check(file: string): void {
  let db: Database.Database;
  try { db = new Database(file, { readonly: true, fileMustExist: true }); } catch (e) { throw new Error(`${file}: not a readable database: ${(e as Error).message}`); }
  try {
    let result: string;
    try { result = (db.pragma('integrity_check', { simple: true }) as string); } catch (e) { throw new Error(`${file}: not a database: ${(e as Error).message}`); }
    if (result !== 'ok') throw new Error(`${file}: integrity check failed: ${result}`);
    const v = eventLogVersion(db);
    if (v === 0) throw new Error(`${file}: holds no event log`);
    if (v > EVENTLOG_VERSION) throw new Error(`${file}: event log schema ${v} is newer than this manyi reads (${EVENTLOG_VERSION})`);
  } finally { db.close(); }
}

/** An online, consistent copy of the controller's database at `dest`. */
export async function backup(src: string, dest: string): Promise<BackupResult> {
  const started = performance.now();
  if (!existsSync(src)) throw new Error(`${src}: no such database`);
  mkdirSync(dirname(dest), { recursive: true });
  const part = `${dest}.part`;
  rmSync(part, { force: true });
  const db = new Database(src, { readonly: true, fileMustExist: true });
  try {
    await db.backup(part, ONE_STEP);
  } catch (e) {
    rmSync(part, { force: true });
    throw new Error(`backup of ${src} failed (nothing written to ${dest}): ${(e as Error).message}`);
  } finally { db.close(); }
  // A backup is one self-contained file: no -wal or -shm beside it.
  const copy = new Database(part);
  try { copy.pragma('journal_mode = DELETE'); } finally { copy.close(); }
  try { check(part); } catch (e) { rmSync(part, { force: true }); throw e; }
  renameSync(part, dest);
  const d = describe(dest);
  return { file: dest, bytes: statSync(dest).size, events: d.events, days: d.days, ms: performance.now() - started };
}

/** Brings `backupFile` back as the database at `dbFile` (stop the controller first, start it after). */
export async function restore(backupFile: string, dbFile: string): Promise<{ events: number; days: number }> {
  check(backupFile);
  mkdirSync(dirname(dbFile), { recursive: true });
  const src = new Database(backupFile, { readonly: true, fileMustExist: true });
  try {
    // The backup API writes the destination under SQLite's locks, WAL and all.
    await src.backup(dbFile, ONE_STEP);
  } finally { src.close(); }
  check(dbFile);
  const d = describe(dbFile);
  return { events: d.events, days: d.days };
}
