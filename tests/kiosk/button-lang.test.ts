// The kiosk's service buttons print in the hall's language until a citizen picks one
// on its screen (kiosk-page.test.ts covers the picking): a hall whose language is
// English prints English first from a button pressed before anyone touched the screen.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createKioskRole } from '../../kiosk/role.ts';
import type { SimPrinter } from '../../kiosk/printer/sim.ts';
import { decodeEscPos, docLines } from '../../kiosk/preview/decode.ts';
import { kioskHarness, until } from './helpers.ts';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => { while (cleanups.length) await cleanups.pop()!(); });

describe('kiosk buttons before anyone chose a language', () => {
  for (const lang of ['en', 'zh'] as const) {
    it(`print in the hall's language (${lang})`, async () => {
      process.env.MANYI_PRINT_DIR = mkdtempSync(join(tmpdir(), 'manyi-printed-'));
      cleanups.push(() => { delete process.env.MANYI_PRINT_DIR; });
      const h = await kioskHarness({ spec: 'kiosk-pi4' });
      h.hall.hall.lang = lang;
      const kiosk = await createKioskRole({ previews: false })(h.ctx);
      cleanups.push(async () => { await kiosk.stop(); await h.close(); });
      const sim = h.ctx.hw.sim!;
      expect(await sim.pressService('registration')).toBe(true);
      await until(() => sim.printed().length === 1, 5000, 'a ticket from the button');
      const lines = docLines(decodeEscPos((kiosk.printer as SimPrinter).jobs[0].bytes));
      const [first, second] = lang === 'en' ? ['Registration', '挂号'] : ['挂号', 'Registration'];
      expect(lines.findIndex((l) => l.includes(first))).toBeGreaterThanOrEqual(0);
      expect(lines.findIndex((l) => l.includes(first))).toBeLessThan(lines.findIndex((l) => l.includes(second)));
    });
  }
});
