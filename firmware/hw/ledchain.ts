// LEDCHAIN, the host's side of our window-board firmware's Firmata extension
// (firmware/arduino/window-board/ledchain.h): a whole MAX7219 frame, a register
// of every device, the intensity or shutdown, each in one SysEx message.
// A board reports it by its firmware name; stock StandardFirmata does not, and
// the caller falls back to johnny-five's pin writes.

export const LEDCHAIN = 0x0c;
export const LEDCHAIN_SUB = { CONFIG: 0, FRAME: 1, REGISTER: 2, INTENSITY: 3, SHUTDOWN: 4, QUERY: 5 } as const;
/** The name our firmware reports (REPORT_FIRMWARE). */
export const FIRMWARE_NAME = 'manyi-window';
export const LEDCHAIN_CHAINS = 2;
export const LEDCHAIN_MAX_DEVICES = 16;

/** What of a firmata.js board (johnny-five's `board.io`) the extension needs. */
export interface FirmataLike {
  firmware?: { name?: string; version?: { major: number; minor: number } };
  sysexCommand?(message: number[]): unknown;
  sysexResponse?(command: number, handler: (this: unknown, data: number[]) => void): unknown;
  on(event: string, cb: (...a: unknown[]) => void): unknown;
  off?(event: string, cb: (...a: unknown[]) => void): unknown;
  removeListener?(event: string, cb: (...a: unknown[]) => void): unknown;
}

/** True when the board's firmware is ours (it has LEDCHAIN). */
export function reportsLedChain(io: unknown): io is FirmataLike & Required<Pick<FirmataLike, 'sysexCommand'>> {
  const f = io as FirmataLike | null;
  return !!f && typeof f.sysexCommand === 'function' && typeof f.firmware?.name === 'string' && f.firmware.name.startsWith(FIRMWARE_NAME);
}

/** Firmata's Encoder7Bit: 8-bit bytes into 7-bit SysEx data bytes. */
export function to7bit(data: ArrayLike<number>): number[] {
  const out: number[] = [];
  let shift = 0;
  let previous = 0;
  for (let i = 0; i < data.length; i++) {
    const byte = data[i] & 0xff;
    if (shift === 0) {
      out.push(byte & 0x7f);
      shift = 1;
      previous = byte >> 7;
    } else {
      out.push(((byte << shift) & 0x7f) | previous);
      if (shift === 6) { out.push(byte >> 1); shift = 0; } else { shift++; previous = byte >> (8 - shift); }
    }
  }
  if (shift > 0) out.push(previous);
  return out;
}

/** The reverse of `to7bit`. */
export function from7bit(enc: ArrayLike<number>): number[] {
  const n = (enc.length * 7) >> 3;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const j = i << 3;
    const pos = Math.floor(j / 7);
    const shift = j % 7;
    out.push(((enc[pos] >> shift) | ((enc[pos + 1] ?? 0) << (7 - shift))) & 0xff);
  }
  return out;
}

export interface ChainPins { data: number; clock: number; cs: number }

/** SysEx bodies (between F0 and F7) of each LEDCHAIN message. */
export const ledchain = {
  config: (chain: number, devices: number, p: ChainPins) => [LEDCHAIN, LEDCHAIN_SUB.CONFIG, chain, devices, p.data, p.clock, p.cs],
  /** `rows[d][r]` = row register DIGIT0+r of device d. */
  frame: (chain: number, rows: number[][]) => [LEDCHAIN, LEDCHAIN_SUB.FRAME, chain, ...to7bit(rows.flatMap((d) => Array.from({ length: 8 }, (_v, r) => d[r] ?? 0)))],
  register: (chain: number, reg: number, values: number[]) => [LEDCHAIN, LEDCHAIN_SUB.REGISTER, chain, reg & 0x0f, ...to7bit(values)],
  intensity: (chain: number, level: number) => [LEDCHAIN, LEDCHAIN_SUB.INTENSITY, chain, Math.max(0, Math.min(15, Math.round(level)))],
  shutdown: (chain: number, on: boolean) => [LEDCHAIN, LEDCHAIN_SUB.SHUTDOWN, chain, on ? 1 : 0],
  query: () => [LEDCHAIN, LEDCHAIN_SUB.QUERY],
};

/** Bytes a SysEx body takes on the serial line (F0 … F7). */
export function sysexBytes(body: number[]): number { return body.length + 2; }

// firmata.js keeps SysEx reply handlers in one table for every board: register
// ours once and hand each reply to the listeners of the board it came from.
const replyListeners = new WeakMap<object, Set<(data: number[]) => void>>();
const tables = new WeakSet<object>();

/** Calls `cb` with each LEDCHAIN reply (the bytes after the command byte) from `io`. */
export function onLedChainReply(io: FirmataLike, cb: (data: number[]) => void): () => void {
  const table = (io.constructor as { SYSEX_RESPONSE?: Record<number, unknown> }).SYSEX_RESPONSE;
  if (typeof io.sysexResponse === 'function' && table && !tables.has(table)) {
    tables.add(table);
    if (!table[LEDCHAIN]) {
      io.sysexResponse(LEDCHAIN, function (this: unknown, data: number[]) {
        for (const l of replyListeners.get(this as object) ?? []) l(data);
      });
    }
  }
  let set = replyListeners.get(io);
  if (!set) replyListeners.set(io, (set = new Set()));
  set.add(cb);
  return () => { set!.delete(cb); };
}

/**
 * Calls `cb` when the board announces itself again after the handshake: it
 * reset (power, brown-out, a DTR pulse) and lost its chain configuration.
 */
export function onBoardRestart(io: FirmataLike, cb: () => void): () => void {
  const h = () => cb();
  io.on('queryfirmware', h);
  return () => { (io.off ?? io.removeListener)?.call(io, 'queryfirmware', h); };
}
