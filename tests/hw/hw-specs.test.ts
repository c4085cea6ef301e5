import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HwSpec, listBoardSpecs, loadBoardSpec, HW_SPECS_DIR } from '../../hw-specs/schema.ts';
import { loadHallConfig } from '../../firmware/config/hall.ts';

describe('hw-specs', () => {
  it('has a valid spec for every board type, each with a wiring page', () => {
    const names = listBoardSpecs();
    const types = new Set(names.map((n) => loadBoardSpec(n).type));
    expect([...types].sort()).toEqual(['board', 'controller', 'counter', 'kiosk']);
    for (const n of names) {
      const s = loadBoardSpec(n);
      expect(readFileSync(join(HW_SPECS_DIR, s.wiring), 'utf8')).toMatch(/BCM|Arduino|GPIO/);
    }
  });

  it('kiosk buttons name services of the demo hall', () => {
    const k = loadBoardSpec('kiosk-pi4', 'kiosk');
    const services = loadHallConfig().services.map((s) => s.id);
    expect(k.printer.paperMm).toBe(80);
    for (const b of k.buttons) expect(services).toContain(b.service);
  });

  it('the default counter pad has the national scale\'s five levels and a display to ask for the reason', () => {
    const pad = loadBoardSpec('counter-pi-zero', 'counter').ratingPad;
    expect(pad.keys.map((k) => k.score)).toEqual(['very-satisfied', 'satisfied', 'basic', 'unsatisfied', 'very-unsatisfied']);
    expect(pad.display).toMatchObject({ devices: 16, rows: 2, cs: 9 });
    expect(loadBoardSpec('counter-pi-zero-5', 'counter').ratingPad.keys).toHaveLength(5);
  });

  it('refuses a pad display on one of the LED board\'s pins', () => {
    const raw = JSON.parse(readFileSync(join(HW_SPECS_DIR, 'counter-pi-zero.json'), 'utf8'));
    raw.ratingPad.display.cs = raw.ledBoard.pins.cs;
    const r = HwSpec.safeParse(raw);
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toContain('already a pin of the LED board');
  });

  it('refuses a spec that wires two parts to one pin, naming the file and path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hwspec-'));
    const bad = JSON.parse(readFileSync(join(HW_SPECS_DIR, 'counter-pi-zero.json'), 'utf8'));
    bad.keypad.recall.bcm = bad.keypad['call-next'].bcm;
    writeFileSync(join(dir, 'counter-pi-zero.json'), JSON.stringify(bad));
    expect(() => loadBoardSpec('counter-pi-zero', 'counter', dir)).toThrow(/counter-pi-zero\.json: keypad\.recall: BCM 5 is already used by keypad\.call-next/);
  });

  it('refuses a four-button pad with a very-unsatisfied key and a wrong board type', () => {
    const raw = JSON.parse(readFileSync(join(HW_SPECS_DIR, 'counter-pi-zero.json'), 'utf8'));
    raw.ratingPad.buttons = 4;
    raw.ratingPad.keys = raw.ratingPad.keys.slice(0, 4);
    expect(HwSpec.safeParse(raw).success).toBe(true);   // a legacy four-button pad
    raw.ratingPad.keys[3].score = 'very-unsatisfied';
    expect(HwSpec.safeParse(raw).success).toBe(false);
    expect(() => loadBoardSpec('kiosk-pi4', 'counter')).toThrow(/expected a counter spec/);
    expect(() => loadBoardSpec('../etc/passwd')).toThrow(/invalid spec name/);
  });
});
