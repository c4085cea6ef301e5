// The update module's rules without processes or a broker: the two slots and the
// boot check (a trial version gets `maxBoots` starts or until its deadline, then
// the previous one comes back), the signed manifest (one canonical byte string;
// any change breaks the signature), and the opening-hours rule.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ed from '@noble/ed25519';
import { describe, expect, it } from 'vitest';
import { loadHallConfig } from '../../firmware/config/hall.ts';
import { localToMs } from '../../firmware/lib/time.ts';
import { openingHoursReason } from '../../firmware/update/hours.ts';
import { MANIFEST_FORMAT, manifestBytes, signManifest, verifyManifest } from '../../firmware/update/manifest.ts';
import {
  bootCheck, currentSlot, initSlots, other, readJournal, slotDir, slotVersion, switchTo, writeDurable, writeJournal,
} from '../../firmware/update/slots.ts';

const board = () => mkdtempSync(join(tmpdir(), 'manyi-slots-'));
function install(root: string, slot: 'a' | 'b', version: string): void {
  mkdirSync(slotDir(root, slot), { recursive: true });
  writeFileSync(join(slotDir(root, slot), 'VERSION'), `${version}\n`);
}
const trial = (over: Partial<NonNullable<ReturnType<typeof readJournal>['pending']>> = {}) => ({
  id: 'offer-2', version: '2.0.0', slot: 'b' as const, previous: 'a' as const, since: 1_000, deadlineMs: 60_000, boots: 0, ...over,
});

describe('install slots', () => {
  it('sets up slot a with a first version and points current at it', () => {
    const root = board();
    initSlots(root, '1.0.0', (dir) => writeFileSync(join(dir, 'app.mjs'), '// v1'));
    expect(currentSlot(root)).toBe('a');
    expect(readlinkSync(join(root, 'current'))).toBe(join('slots', 'a'));
    expect(slotVersion(root, 'a')).toBe('1.0.0');
    expect(readFileSync(join(slotDir(root, 'a'), 'app.mjs'), 'utf8')).toBe('// v1');
    expect(slotVersion(root, 'b')).toBeNull();
    expect(other('a')).toBe('b');
    expect(other('b')).toBe('a');
  });

  it('switches only to a complete slot', () => {
    const root = board();
    initSlots(root, '1.0.0', () => undefined);
    expect(() => switchTo(root, 'b')).toThrow(/slot b holds no complete version/);
    mkdirSync(slotDir(root, 'b'), { recursive: true });
    writeFileSync(join(slotDir(root, 'b'), 'VERSION'), '  \n'); // a blank VERSION is no version
    expect(slotVersion(root, 'b')).toBeNull();
    expect(() => switchTo(root, 'b')).toThrow();
    install(root, 'b', '2.0.0');
    switchTo(root, 'b');
    expect(currentSlot(root)).toBe('b');
    expect(existsSync(join(root, 'current.new'))).toBe(false);
  });

  it('reads no slot from a missing or foreign current link, and an empty journal from a missing or bad file', () => {
    const root = board();
    expect(currentSlot(root)).toBeNull();
    expect(readJournal(root)).toEqual({});
    writeFileSync(join(root, 'journal.json'), '{"pending": 3}');
    expect(readJournal(root)).toEqual({});
    writeJournal(root, { last: { id: 'o1', version: '1.1.0', state: 'healthy' } });
    expect(readJournal(root)).toEqual({ last: { id: 'o1', version: '1.1.0', state: 'healthy' } });
    expect(() => writeJournal(root, { bogus: true } as never)).toThrow();
    expect(readJournal(root)).toEqual({ last: { id: 'o1', version: '1.1.0', state: 'healthy' } });
  });

  it('writes a file durably: the content replaces the old one whole, no temp file is left', () => {
    const dir = board();
    const f = join(dir, 'x.json');
    writeDurable(f, 'one');
    writeDurable(f, 'two');
    expect(readFileSync(f, 'utf8')).toBe('two');
    expect(existsSync(`${f}.tmp`)).toBe(false);
  });
});

describe('boot check', () => {
  it('removes half-done leftovers and keeps a healthy current slot', () => {
    const root = board();
    initSlots(root, '1.0.0', () => undefined);
    mkdirSync(join(root, 'slots', 'b.new'), { recursive: true });
    mkdirSync(join(root, 'slots', 'a.old'), { recursive: true });
    writeFileSync(join(root, 'current.new'), '');
    writeFileSync(join(root, 'download.part'), 'half');
    expect(bootCheck(root, { now: 5_000 })).toEqual({ slot: 'a', version: '1.0.0' });
    for (const f of ['slots/b.new', 'slots/a.old', 'current.new', 'download.part']) expect(existsSync(join(root, f)), f).toBe(false);
    expect(existsSync(slotDir(root, 'a'))).toBe(true);
  });

  it('points current at a complete slot when it points nowhere, and refuses a board with none', () => {
    const root = board();
    install(root, 'b', '2.0.0');
    expect(bootCheck(root, { now: 0 })).toEqual({ slot: 'b', version: '2.0.0' });
    expect(currentSlot(root)).toBe('b');
    const empty = board();
    expect(() => bootCheck(empty, { now: 0 })).toThrow(/no slot holds a complete version: reinstall the board/);
  });

  it('counts the starts of a trial version, and rolls back after maxBoots unconfirmed starts', () => {
    const root = board();
    initSlots(root, '1.0.0', () => undefined);
    install(root, 'b', '2.0.0');
    switchTo(root, 'b');
    writeJournal(root, { pending: trial() });
    for (let boot = 1; boot <= 2; boot++) {
      expect(bootCheck(root, { maxBoots: 2, now: 2_000 })).toEqual({ slot: 'b', version: '2.0.0' });
      expect(readJournal(root).pending?.boots).toBe(boot);
    }
    const back = bootCheck(root, { maxBoots: 2, now: 2_000 });
    expect(back).toEqual({ slot: 'a', version: '1.0.0', rolledBack: 'version 2.0.0 failed to start 2 times' });
    expect(currentSlot(root)).toBe('a');
    expect(readJournal(root)).toEqual({ last: { id: 'offer-2', version: '2.0.0', state: 'rolled-back', error: 'version 2.0.0 failed to start 2 times' } });
  });

  it('rolls back a trial not confirmed by its deadline, and not a moment before', () => {
    const root = board();
    initSlots(root, '1.0.0', () => undefined);
    install(root, 'b', '2.0.0');
    switchTo(root, 'b');
    writeJournal(root, { pending: trial({ since: 1_000, deadlineMs: 60_000 }) });
    expect(bootCheck(root, { now: 61_000 })).toEqual({ slot: 'b', version: '2.0.0' }); // at the deadline: still on trial
    expect(bootCheck(root, { now: 61_001 })).toMatchObject({ slot: 'a', rolledBack: 'version 2.0.0 was not confirmed healthy in time' });
    expect(readJournal(root).last).toMatchObject({ state: 'rolled-back', error: 'version 2.0.0 was not confirmed healthy in time' });
  });

  it('defaults to three starts', () => {
    const root = board();
    initSlots(root, '1.0.0', () => undefined);
    install(root, 'b', '2.0.0');
    switchTo(root, 'b');
    writeJournal(root, { pending: trial({ boots: 2 }) });
    expect(bootCheck(root, { now: 2_000 })).toEqual({ slot: 'b', version: '2.0.0' });
    expect(bootCheck(root, { now: 2_000 }).rolledBack).toBe('version 2.0.0 failed to start 3 times');
  });

  it('stays on a failing trial when the previous slot is gone (nothing better to run)', () => {
    const root = board();
    install(root, 'b', '2.0.0');
    switchTo(root, 'b');
    writeJournal(root, { pending: trial({ boots: 5 }) });
    expect(bootCheck(root, { maxBoots: 3, now: 2_000 })).toEqual({ slot: 'b', version: '2.0.0' });
    expect(readJournal(root).pending?.boots).toBe(6);
  });

  it('ends a trial the board is no longer on: the previous version is running', () => {
    const root = board();
    initSlots(root, '1.0.0', () => undefined);
    install(root, 'b', '2.0.0');
    writeJournal(root, { pending: trial() }); // switched back by hand, or never switched
    expect(bootCheck(root, { now: 2_000 })).toEqual({ slot: 'a', version: '1.0.0' });
    expect(readJournal(root)).toEqual({ last: { id: 'offer-2', version: '2.0.0', state: 'rolled-back', error: 'the board started the previous version' } });
  });
});

describe('signed manifest', () => {
  const m = { version: '2.0.0', sha256: 'a'.repeat(64), size: 1234 };

  it('signs one canonical byte string, whatever the key order it is given in', async () => {
    expect(new TextDecoder().decode(manifestBytes(m))).toBe(`{"format":"${MANIFEST_FORMAT}","version":"2.0.0","sha256":"${'a'.repeat(64)}","size":1234}`);
    expect(manifestBytes({ size: 1234, sha256: 'a'.repeat(64), version: '2.0.0' })).toEqual(manifestBytes(m));
    expect(() => manifestBytes({ ...m, sha256: 'A'.repeat(64) })).toThrow();
    expect(() => manifestBytes({ ...m, size: 0 })).toThrow();
    expect(() => manifestBytes({ ...m, version: '' })).toThrow();
  });

  it('verifies its own signature and nothing else: another field, key or signature fails, a malformed one is false', async () => {
    const secret = ed.utils.randomSecretKey();
    const pub = Buffer.from(await ed.getPublicKeyAsync(secret)).toString('hex');
    const sig = await signManifest(m, secret);
    expect(await verifyManifest(m, sig, pub)).toBe(true);
    expect(await verifyManifest({ ...m, size: 1235 }, sig, pub)).toBe(false);
    expect(await verifyManifest({ ...m, version: '2.0.1' }, sig, pub)).toBe(false);
    expect(await verifyManifest({ ...m, sha256: 'b'.repeat(64) }, sig, pub)).toBe(false);
    const other = Buffer.from(await ed.getPublicKeyAsync(ed.utils.randomSecretKey())).toString('hex');
    expect(await verifyManifest(m, sig, other)).toBe(false);
    expect(await verifyManifest(m, 'not-base64!', pub)).toBe(false);
    expect(await verifyManifest({ ...m, size: -1 }, sig, pub)).toBe(false); // malformed manifest: false, not a throw
  });
});

describe('opening hours', () => {
  const hall = loadHallConfig(); // 07:30–17:00 in Asia/Shanghai
  const local = (h: number, m = 0, s = 0) => localToMs('2026-11-26', h * 3600 + m * 60 + s, hall.hall.timezone);

  it('makes an install wait inside the hall\'s opening hours, and only there', () => {
    expect(openingHoursReason(hall, local(7, 29, 59))).toBeNull();
    expect(openingHoursReason(hall, local(7, 30))).toBe('inside opening hours (07:30–17:00)');
    expect(openingHoursReason(hall, local(12))).toBe('inside opening hours (07:30–17:00)');
    expect(openingHoursReason(hall, local(16, 59, 59))).toBe('inside opening hours (07:30–17:00)');
    expect(openingHoursReason(hall, local(17))).toBeNull();
    expect(openingHoursReason(hall, local(3))).toBeNull();
  });
});
