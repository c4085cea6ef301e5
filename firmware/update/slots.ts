// Two install slots and an atomic switch. Layout under `root`:
//   slots/a, slots/b      two complete software trees, each with a VERSION file
//   current -> slots/a    the one that boots (a symlink, replaced by rename: atomic)
//   journal.json          an install awaiting confirmation, or the last outcome
// Invariant: `current` only ever points at a complete slot, so a power cut at any
// moment leaves something bootable; `bootCheck()` (run before each start) tidies
// half-done work and rolls back a trial version that keeps failing to start.
import { existsSync, mkdirSync, readFileSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync, openSync, fsyncSync, closeSync, readdirSync } from 'node:fs';
import { join, basename, dirname } from 'node:path';
import { z } from 'zod';
import { systemClock } from '../lib/time.ts';

export type Slot = 'a' | 'b';
export const SLOTS: Slot[] = ['a', 'b'];

export const Journal = z.object({
  /** Installed and switched to, not yet confirmed healthy. */
  pending: z.object({
    id: z.string(), version: z.string(), slot: z.enum(['a', 'b']), previous: z.enum(['a', 'b']),
    since: z.number(), deadlineMs: z.number(), boots: z.number().int().min(0),
  }).optional(),
  /** The last finished offer, so a retained offer is not installed twice. */
  last: z.object({ id: z.string(), version: z.string(), state: z.enum(['healthy', 'rolled-back', 'failed']), error: z.string().optional() }).optional(),
}).strict();
export type Journal = z.infer<typeof Journal>;

export const slotDir = (root: string, s: Slot) => join(root, 'slots', s);
export const other = (s: Slot): Slot => (s === 'a' ? 'b' : 'a');

function fsyncDir(dir: string): void {
  try { const fd = openSync(dir, 'r'); fsyncSync(fd); closeSync(fd); } catch { /* not all filesystems allow it */ }
}

/** Writes a file durably: temp file, fsync, rename, fsync the folder. */
export function writeDurable(file: string, text: string): void {
  const tmp = `${file}.tmp`;
  const fd = openSync(tmp, 'w');
  try { writeFileSync(fd, text); fsyncSync(fd); } finally { closeSync(fd); }
  renameSync(tmp, file);
  fsyncDir(dirname(file));
}

export function slotVersion(root: string, s: Slot): string | null {
  try { return readFileSync(join(slotDir(root, s), 'VERSION'), 'utf8').trim() || null; } catch { return null; }
}

/** The slot `current` points at, or null if there is none. */
export function currentSlot(root: string): Slot | null {
  try {
    const s = basename(readlinkSync(join(root, 'current')));
    return s === 'a' || s === 'b' ? s : null;
  } catch { return null; }
}

/** Points `current` at a slot by renaming a fresh symlink over it (atomic on POSIX). */
export function switchTo(root: string, s: Slot): void {
  if (!slotVersion(root, s)) throw new Error(`slot ${s} holds no complete version`);
  const tmp = join(root, 'current.new');
  rmSync(tmp, { force: true });
  symlinkSync(join('slots', s), tmp);
  renameSync(tmp, join(root, 'current'));
  fsyncDir(root);
}

export function readJournal(root: string): Journal {
  try { return Journal.parse(JSON.parse(readFileSync(join(root, 'journal.json'), 'utf8'))); } catch { return {}; }
}

export function writeJournal(root: string, j: Journal): void {
  writeDurable(join(root, 'journal.json'), JSON.stringify(Journal.parse(j)));
}

/** Creates the layout around a first tree (e.g. the SD card image's software) in slot a. */
export function initSlots(root: string, version: string, populate: (dir: string) => void): void {
  mkdirSync(join(root, 'slots'), { recursive: true });
  const dir = slotDir(root, 'a');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  populate(dir);
  writeDurable(join(dir, 'VERSION'), version + '\n');
  switchTo(root, 'a');
}

export interface BootDecision { slot: Slot; version: string; rolledBack?: string }

/**
 * Run before every start (systemd ExecStartPre, or the test's supervisor): removes
 * half-written leftovers, makes `current` point at a complete slot, and counts the
 * starts of a trial version; past `maxBoots` unconfirmed starts, or past its
 * deadline, it switches back to the previous slot.
 */
export function bootCheck(root: string, opts: { maxBoots?: number; now?: number } = {}): BootDecision {
  const maxBoots = opts.maxBoots ?? 3;
  const now = opts.now ?? systemClock.now();
  mkdirSync(join(root, 'slots'), { recursive: true });
  for (const f of readdirSync(join(root, 'slots'))) if (f.endsWith('.new') || f.endsWith('.old')) rmSync(join(root, 'slots', f), { recursive: true, force: true });
  rmSync(join(root, 'current.new'), { force: true });
  rmSync(join(root, 'download.part'), { force: true });
  let cur = currentSlot(root);
  if (!cur || !slotVersion(root, cur)) {
    const good = SLOTS.find((s) => slotVersion(root, s));
    if (!good) throw new Error(`${root}: no slot holds a complete version: reinstall the board`);
    switchTo(root, good);
    cur = good;
  }
  const j = readJournal(root);
  if (j.pending && j.pending.slot === cur) {
    const boots = j.pending.boots + 1;
    const expired = now > j.pending.since + j.pending.deadlineMs;
    if ((boots > maxBoots || expired) && slotVersion(root, j.pending.previous)) {
      const why = boots > maxBoots ? `version ${j.pending.version} failed to start ${maxBoots} times` : `version ${j.pending.version} was not confirmed healthy in time`;
      switchTo(root, j.pending.previous);
      writeJournal(root, { last: { id: j.pending.id, version: j.pending.version, state: 'rolled-back', error: why } });
      return { slot: j.pending.previous, version: slotVersion(root, j.pending.previous)!, rolledBack: why };
    }
    writeJournal(root, { ...j, pending: { ...j.pending, boots } });
  } else if (j.pending) {
    // Switched back already (or never switched): the trial is over.
    writeJournal(root, { last: { id: j.pending.id, version: j.pending.version, state: 'rolled-back', error: 'the board started the previous version' } });
  }
  return { slot: cur, version: slotVersion(root, cur)! };
}
