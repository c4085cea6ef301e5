// The status poller over a serial port from @serialport/binding-mock whose other end
// answers DLE EOT the way an Epson-compatible printer does.
import { afterEach, describe, expect, it } from 'vitest';
import { MockBinding } from '@serialport/binding-mock';
import { serialLink, type SerialBinding } from '../../kiosk/printer/links.ts';
import { LinkPrinter } from '../../kiosk/printer/link-printer.ts';
import { EpsonSerialTwin, type MockPortLike } from '../../kiosk/printer/sim.ts';
import { mapStatus } from '../../kiosk/printer/status.ts';
import { PrinterError, type PrinterState } from '../../kiosk/printer/types.ts';

let n = 0;
afterEach(() => MockBinding.reset());

async function setup(opts: { pieceDelayMs?: number; replyDelayMs?: number; statusTimeoutMs?: number } = {}) {
  const path = `/dev/ttyKIOSK${n++}`;
  MockBinding.createPort(path, { echo: false, record: false });
  let twin!: EpsonSerialTwin;
  // Wrap the mock binding so the twin attaches to the port object the stream opens.
  const binding = {
    ...MockBinding,
    async open(o: Parameters<typeof MockBinding.open>[0]) {
      const port = await MockBinding.open(o);
      twin = new EpsonSerialTwin(port satisfies MockPortLike, opts);
      return port;
    },
  };
  const link = await serialLink(path, 19200, binding as unknown as SerialBinding);
  const printer = new LinkPrinter(link, { statusTimeoutMs: opts.statusTimeoutMs ?? 150 });
  return { twin, printer };
}

describe('printer status over a mock serial port', () => {
  it('reads each state an Epson-compatible printer reports', async () => {
    const { twin, printer } = await setup();
    const seen: PrinterState[] = [];
    for (const s of ['ok', 'paper-low', 'paper-out', 'cover-open', 'offline'] as const) {
      twin.state = s;
      seen.push(await printer.status());
    }
    expect(seen).toEqual(['ok', 'paper-low', 'paper-out', 'cover-open', 'offline']);
    await printer.close();
  });

  it('tolerates replies split into single bytes and arriving late', async () => {
    // Four status queries of 1 + 4 late pieces each: a generous timeout, so that only
    // the splitting and lateness are tested, not how busy the machine is.
    const { twin, printer } = await setup({ pieceDelayMs: 15, replyDelayMs: 40, statusTimeoutMs: 3000 });
    twin.state = 'paper-out';
    expect(await printer.status()).toBe('paper-out');
    twin.state = 'paper-low';
    expect(await printer.status()).toBe('paper-low');
    await printer.close();
  });

  it('a silent printer is offline, and a too-late reply does not count for the next poll', async () => {
    const { twin, printer } = await setup({ replyDelayMs: 220 });
    twin.state = 'cover-open';
    expect(await printer.status()).toBe('offline'); // reply comes after the 150 ms timeout
    twin.opts = {};
    twin.state = 'ok';
    await new Promise((r) => setTimeout(r, 120)); // the late cover-open bytes land now
    expect(await printer.status()).toBe('ok');
    twin.powered = false;
    expect(await printer.status()).toBe('offline');
    await printer.close();
  });

  it('refuses to print on paper-out and prints when paper is back', async () => {
    const { twin, printer } = await setup();
    twin.state = 'paper-out';
    await expect(printer.print(Buffer.from('A001\n'))).rejects.toBeInstanceOf(PrinterError);
    expect(twin.printed).toHaveLength(0);
    twin.state = 'ok';
    await printer.print(Buffer.from('A001\n'));
    expect(Buffer.concat(twin.printed).toString()).toBe('A001\n');
    await printer.close();
  });

  it('maps status bits worst first', () => {
    expect(mapStatus({})).toBe('offline');
    expect(mapStatus({ 1: 0x1a, 2: 0x16, 3: 0x12, 4: 0x72 })).toBe('cover-open');
    expect(mapStatus({ 1: 0x12, 2: 0x12, 3: 0x12, 4: 0x1e })).toBe('paper-low');
    expect(mapStatus({ 1: 0x12 })).toBe('ok');
  });
});
