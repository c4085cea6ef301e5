// The slots' rules at their edges: what counts as a slot, which slot the boot check
// falls back to, which reason a rollback gives when both limits are reached at
// once, leftovers with content in them, a trial in either slot, a first install
// on a fresh card or over an old one, and durable writes that close their files.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  SLOTS, bootCheck, currentSlot, initSlots, readJournal, slotDir, switchTo, writeDurable, writeJournal,
} from '../../firmware/update/slots.ts';

const board = () => mkdtempSync(join(tmpdir(), 'manyi-slots-'));
function install(root: string, slot: 'a' | 'b', version: string): void {
  mkdirSync(slotDir(root, slot), { recursive: true });
  writeFileSync(join(slotDir(root, slot), 'VERSION'), `${version}\n`);
}

describe('slots', () => {
  it('are a and b, and current pointing anywhere else is no slot', () => {
    expect(SLOTS).toEqual(['a', 'b']);
    const root = board();
    install(root, 'a', '1.0.0');
    mkdirSync(join(root, 'slots', 'c'), { recursive: true });
    symlinkSync(join('slots', 'c'), join(root, 'current'));
    expect(currentSlot(root)).toBeNull();
  });

  it('keep a trial in either slot in the journal', () => {
    const root = board();
    for (const [slot, previous] of [['a', 'b'], ['b', 'a']] as const) {
      const pending = { id: `o-${slot}`, version: '2.0.0', slot, previous, since: 1, deadlineMs: 2, boots: 0 };
      writeJournal(root, { pending });
      expect(readJournal(root)).toEqual({ pending });
    }
  });
});

describe('boot check', () => {
  it('falls back to slot a when current points nowhere and only a is complete', () => {
    const root = board();
    install(root, 'a', '1.0.0');
    expect(bootCheck(root, { now: 0 })).toEqual({ slot: 'a', version: '1.0.0' });
    expect(currentSlot(root)).toBe('a');
  });

  it('leaves a current slot that has no VERSION (half installed) for the complete one', () => {
    const root = board();
    install(root, 'a', '1.0.0');
    mkdirSync(slotDir(root, 'b'), { recursive: true });
    symlinkSync(join('slots', 'b'), join(root, 'current'));
    expect(bootCheck(root, { now: 0 })).toEqual({ slot: 'a', version: '1.0.0' });
    expect(currentSlot(root)).toBe('a');
  });

  it('removes leftovers that have files in them', () => {
    const root = board();
    initSlots(root, '1.0.0', () => undefined);
    for (const d of ['b.new/firmware', 'a.old/firmware']) {
      mkdirSync(join(root, 'slots', d), { recursive: true });
      writeFileSync(join(root, 'slots', d, 'x.mjs'), 'half');
    }
    bootCheck(root, { now: 0 });
    expect(readdirSync(join(root, 'slots'))).toEqual(['a']);
  });

  it('names the deadline when the last allowed start is also past it', () => {
    const root = board();
    initSlots(root, '1.0.0', () => undefined);
    install(root, 'b', '2.0.0');
    switchTo(root, 'b');
    writeJournal(root, { pending: { id: 'o', version: '2.0.0', slot: 'b', previous: 'a', since: 0, deadlineMs: 1_000, boots: 2 } });
    // Third start of three (allowed), but after the deadline: the deadline is the reason.
    expect(bootCheck(root, { maxBoots: 3, now: 5_000 }).rolledBack).toBe('version 2.0.0 was not confirmed healthy in time');
  });
});

describe('first install', () => {
  it('makes the folders on a fresh card, and writes VERSION as one line', () => {
    const root = join(board(), 'opt', 'manyi');
    initSlots(root, '1.0.0', (dir) => writeFileSync(join(dir, 'app.mjs'), '1'));
    expect(currentSlot(root)).toBe('a');
    expect(readFileSync(join(slotDir(root, 'a'), 'VERSION'), 'utf8')).toBe('1.0.0\n');
  });

  it('over an old one replaces slot a whole', () => {
    const root = board();
    initSlots(root, '1.0.0', (dir) => { mkdirSync(join(dir, 'old')); writeFileSync(join(dir, 'old', 'stale.mjs'), 'old'); });
    initSlots(root, '1.1.0', (dir) => writeFileSync(join(dir, 'app.mjs'), 'new'));
    expect(readdirSync(slotDir(root, 'a')).sort()).toEqual(['VERSION', 'app.mjs']);
  });
});

describe('durable writes', () => {
  it('close every file they open', () => {
    const dir = board();
    const open = () => readdirSync('/proc/self/fd').length;
    writeDurable(join(dir, 'warm'), 'x');
    const before = open();
    for (let i = 0; i < 20; i++) writeDurable(join(dir, 'f'), `v${i}`);
    expect(open()).toBe(before);
    expect(readFileSync(join(dir, 'f'), 'utf8')).toBe('v19');
  });
});
