// The one printer interface every adapter (USB, serial, network, simulated) meets.
import type { DeviceHealth } from '../../firmware/protocol/messages.ts';

export type PrinterState = NonNullable<DeviceHealth['printer']>;
export const PRINTER_STATES: readonly PrinterState[] = ['ok', 'paper-low', 'paper-out', 'cover-open', 'offline'];

/** States in which a ticket cannot come out of the printer. */
export function canPrint(s: PrinterState): boolean { return s === 'ok' || s === 'paper-low'; }

export class PrinterError extends Error {
  constructor(readonly state: PrinterState, message: string) { super(message); }
}

export interface Printer {
  /** Sends a ticket's bytes; resolves when the last byte has left for the printer. `label` names the job (sim files). */
  print(bytes: Buffer, label?: string): Promise<void>;
  /** Asks the printer for its real-time status (DLE EOT 1–4). */
  status(): Promise<PrinterState>;
  close(): Promise<void>;
}

/** A byte pipe to a printer: a serial port, a TCP socket, the kernel's /dev/usb/lp0. */
export interface ByteLink {
  write(bytes: Buffer): Promise<void>;
  /** Calls `cb` with each chunk the printer sends back; returns an unsubscribe. */
  onData(cb: (chunk: Buffer) => void): () => void;
  close(): Promise<void>;
}
