// The other printer adapters: network (raw TCP 9100) against a socket that answers
// DLE EOT like a printer, USB through the kernel's device file (a plain file here),
// and the simulated printer the demo uses, which keeps .bin and .png of each ticket
// in MANYI_PRINT_DIR.
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadBoardSpec } from '../../hw-specs/schema.ts';
import { createKioskRole } from '../../kiosk/role.ts';
import { LinkPrinter } from '../../kiosk/printer/link-printer.ts';
import { tcpLink, usbLpLink } from '../../kiosk/printer/links.ts';
import { epsonStatusBytes, SimPrinter } from '../../kiosk/printer/sim.ts';
import { PrinterError, type PrinterState } from '../../kiosk/printer/types.ts';
import { decodeEscPos, docLines } from '../../kiosk/preview/decode.ts';
import { kioskHarness, until } from './helpers.ts';
import { readQrPng } from './qr.ts';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => { while (cleanups.length) await cleanups.pop()!(); });

describe('network printer on TCP 9100', () => {
  it('prints and reads status over one socket; a printer that is gone is offline', async () => {
    let state: PrinterState = 'ok';
    const received: Buffer[] = [];
    const socks = new Set<Socket>();
    const server = createServer((s) => {
      socks.add(s);
      s.on('data', (d) => {
        const data: number[] = [];
        for (let i = 0; i < d.length; i++) {
          if (d[i] === 0x10 && d[i + 1] === 0x04) { s.write(Buffer.from([epsonStatusBytes(state)[d[i + 2] - 1]])); i += 2; } else data.push(d[i]);
        }
        if (data.length) received.push(Buffer.from(data));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as AddressInfo).port;
    const printer = new LinkPrinter(tcpLink('127.0.0.1', port, 500), { statusTimeoutMs: 200 });
    cleanups.push(() => printer.close());
    expect(await printer.status()).toBe('ok');
    await printer.print(Buffer.from('B007\n'));
    await until(() => Buffer.concat(received).toString() === 'B007\n', 2000, 'bytes at the printer');
    state = 'cover-open';
    expect(await printer.status()).toBe('cover-open');
    await expect(printer.print(Buffer.from('B008\n'))).rejects.toBeInstanceOf(PrinterError);
    for (const s of socks) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
    expect(await printer.status()).toBe('offline');
  });
});

describe('USB printer through /dev/usb/lp0', () => {
  it('writes the ticket to the device file; no status reply reads as offline', async () => {
    const dev = join(mkdtempSync(join(tmpdir(), 'manyi-lp-')), 'lp0');
    writeFileSync(dev, '');
    const link = await usbLpLink(dev);
    const printer = new LinkPrinter(link, { statusTimeoutMs: 100, checkBeforePrint: false });
    cleanups.push(() => printer.close());
    await printer.print(Buffer.from('C001\n'));
    expect(readFileSync(dev).toString()).toContain('C001\n');
    expect(await printer.status()).toBe('offline');
  });
});

describe('simulated printer', () => {
  it('keeps .bin and .png of each ticket in MANYI_PRINT_DIR, from the kiosk-pi4 spec', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'manyi-printed-'));
    process.env.MANYI_PRINT_DIR = dir;
    cleanups.push(() => { delete process.env.MANYI_PRINT_DIR; });
    const h = await kioskHarness({ spec: 'kiosk-pi4' });
    const kiosk = await createKioskRole({ previews: true })(h.ctx);
    cleanups.push(async () => { await kiosk.stop(); await h.close(); });
    expect(loadBoardSpec('kiosk-pi4', 'kiosk').printer.paperMm).toBe(80);
    const r = await kiosk.pull({ service: 'payment', lang: 'en' });
    if (!r.ok) throw new Error(r.message);
    expect(r.printed).toBe(true);
    await (kiosk.printer as SimPrinter).flushPreviews();
    const files = readdirSync(dir).sort();
    const bin = files.find((f) => f.endsWith(`${r.ticket.no}.bin`))!;
    expect(files).toContain(bin.replace(/\.bin$/, '.png'));
    expect(docLines(decodeEscPos(readFileSync(join(dir, bin))))).toContain(r.ticket.no);
    expect(readQrPng(readFileSync(join(dir, bin.replace(/\.bin$/, '.png'))))).toBe(r.statusUrl);
    // Told paper-out (as the demo does, over HTTP), it refuses, health says so, and the ticket is shown instead.
    const sim = `http://127.0.0.1:${h.webPort}/kiosk/k1/sim/printer`;
    const tell = (body: string) => fetch(sim, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect((await tell('{"state":"on-fire"}')).status).toBe(400);
    expect(await (await tell('{"state":"paper-out"}')).json()).toEqual({ state: 'paper-out' });
    const r2 = await kiosk.pull({ service: 'payment', lang: 'en' });
    expect(r2.ok && r2.printed).toBe(false);
    await until(() => h.health.printer === 'paper-out', 3000, 'health');
  });
});
