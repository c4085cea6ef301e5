// Chooses the printer adapter from the kiosk's spec (hw-specs/ `printer.connection`).
import type { PrinterSpec } from '../../hw-specs/schema.ts';
import { LinkPrinter } from './link-printer.ts';
import { serialLink, tcpLink, usbLpLink } from './links.ts';
import { SimPrinter, type SimPrinterOptions } from './sim.ts';
import type { Printer } from './types.ts';

export * from './types.ts';
export { LinkPrinter } from './link-printer.ts';
export { SimPrinter, EpsonSerialTwin, epsonStatusBytes, printDir } from './sim.ts';
export { StatusPoller, StatusReader, mapStatus } from './status.ts';

export async function createPrinter(spec: PrinterSpec, opts: { simulated?: boolean; sim?: SimPrinterOptions } = {}): Promise<Printer> {
  if (opts.simulated) return new SimPrinter({ paperDots: spec.paperMm === 58 ? 384 : 576, ...opts.sim });
  const c = spec.connection;
  switch (c.type) {
    case 'usb': return new LinkPrinter(await usbLpLink(c.path));
    case 'serial': return new LinkPrinter(await serialLink(c.path, c.baudRate));
    case 'network': return new LinkPrinter(tcpLink(c.host, c.port));
  }
}
