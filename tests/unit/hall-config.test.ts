import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_HALL_PATH, loadHallConfig } from '../../firmware/config/hall.ts';
import { ConfigError } from '../../firmware/config/load.ts';

describe('hall configuration', () => {
  it('loads the demo hospital hall: 4 services, 16 windows on two floors', () => {
    const h = loadHallConfig();
    expect(h.services.map((s) => s.letter)).toEqual(['A', 'B', 'C', 'D']);
    expect(h.windows).toHaveLength(16);
    expect(new Set(h.windows.map((w) => w.floor))).toEqual(new Set(['1F', '2F']));
  });
  it('names the file, the path and the problem', () => {
    const bad = JSON.parse(readFileSync(DEMO_HALL_PATH, 'utf8'));
    bad.windows[3].floor = '3F';
    bad.services[1].letter = 'A';
    const file = join(mkdtempSync(join(tmpdir(), 'manyi-')), 'hall.json');
    writeFileSync(file, JSON.stringify(bad));
    try {
      loadHallConfig(file);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const msg = (e as Error).message;
      expect(msg).toContain(file);
      expect(msg).toContain('windows[3].floor: unknown floor 3F');
      expect(msg).toContain('services[1].letter');
    }
  });
});
