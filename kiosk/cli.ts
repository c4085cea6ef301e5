// `manyi ticket preview` (a layout as ESC/POS bytes and a PNG of the paper, without
// a printer) and `manyi ticket decode` (what a .bin a kiosk printed says).
import { InvalidArgumentError, type Command } from 'commander';
import { readFileSync, writeFileSync } from 'node:fs';
import { loadHallConfig, DEMO_HALL_PATH } from '../firmware/config/hall.ts';
import { isoLocal, localDay, systemClock } from '../firmware/lib/time.ts';
import { ticketBytes, PAPER, type Paper } from './ticket/layout.ts';
import { decodeEscPos, docLines, docQrCodes } from './preview/decode.ts';
import { PreviewRenderer } from './preview/render.ts';

function choice<T extends string>(name: string, allowed: readonly T[]) {
  return (v: string): T => {
    if (!(allowed as readonly string[]).includes(v)) throw new InvalidArgumentError(`${name} must be one of ${allowed.join(', ')}, got ${v}`);
    return v as T;
  };
}

interface PreviewOpts { hall: string; service?: string; paper: '58' | '80'; lang: 'zh' | 'en'; qr: 'native' | 'raster'; no?: string; ahead: string; out: string; bin?: string }

export function register(program: Command): void {
  const ticket = program.command('ticket').description('ticket layouts: preview and decode ESC/POS');

  ticket.command('preview')
    .description('lay out a sample ticket and render the paper to PNG (and the bytes to .bin)')
    .option('--hall <file>', 'hall configuration', DEMO_HALL_PATH)
    .option('--service <id>', 'service (default: the first)')
    .option('--paper <mm>', '58 or 80', choice('--paper', ['58', '80'] as const), '80')
    .option('--lang <lang>', 'zh or en', choice('--lang', ['zh', 'en'] as const), 'zh')
    .option('--qr <kind>', 'native (GS ( k) or raster (GS v 0)', choice('--qr', ['native', 'raster'] as const), 'native')
    .option('--no <ticket>', 'ticket number (default: the service letter and 023)')
    .option('--ahead <n>', 'people ahead', '12')
    .option('--out <file>', 'PNG to write', 'ticket.png')
    .option('--bin <file>', 'also write the ESC/POS bytes here')
    .action(async (o: PreviewOpts) => {
      const hall = loadHallConfig(o.hall);
      const svc = o.service ? hall.services.find((s) => s.id === o.service) : hall.services[0];
      if (!svc) throw new Error(`no service ${o.service} in ${o.hall}; services: ${hall.services.map((s) => s.id).join(', ')}`);
      const ahead = Number(o.ahead);
      if (!Number.isInteger(ahead) || ahead < 0) throw new Error(`--ahead must be a whole number, got ${o.ahead}`);
      const now = systemClock.now(), tz = hall.hall.timezone;
      const paper = Number(o.paper) as Paper;
      const bytes = ticketBytes({
        hall, lang: o.lang, paper, qr: o.qr,
        ticket: {
          no: o.no ?? `${svc.letter}023`, service: svc.id, issuedAt: isoLocal(now, tz), day: localDay(now, tz), ahead,
          estWaitS: ahead * svc.expectedServiceS / Math.max(1, hall.windows.filter((w) => w.own.includes(svc.id)).length),
          windows: hall.windows.filter((w) => w.own.includes(svc.id) || w.overflow.includes(svc.id)).map((w) => w.id),
        },
      });
      if (o.bin) writeFileSync(o.bin, bytes);
      await renderTo(bytes, PAPER[paper].dots, o.out);
    });

  ticket.command('decode')
    .description('decode a printed .bin: text lines, QR payloads; optionally render it')
    .argument('<file>', 'ESC/POS bytes')
    .option('--paper <mm>', '58 or 80 (for --out)', choice('--paper', ['58', '80'] as const), '80')
    .option('--out <file>', 'render the paper to this PNG')
    .action(async (file: string, o: { paper: '58' | '80'; out?: string }) => {
      const bytes = readFileSync(file);
      const doc = decodeEscPos(bytes);
      for (const l of docLines(doc)) console.log(l);
      for (const q of docQrCodes(doc)) console.log(`[QR] ${q}`);
      if (doc.unknown.length) console.log(`[${doc.unknown.length} unknown command bytes, first at ${doc.unknown[0]}]`);
      if (o.out) await renderTo(bytes, PAPER[Number(o.paper) as Paper].dots, o.out);
    });
}

async function renderTo(bytes: Buffer, dots: number, out: string): Promise<void> {
  const r = new PreviewRenderer();
  try {
    writeFileSync(out, await r.render(decodeEscPos(bytes), dots));
    console.log(`wrote ${out} (${bytes.length} bytes of ESC/POS)`);
  } finally {
    await r.close();
  }
}
