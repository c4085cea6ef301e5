// STK500 version 1, the protocol of the Uno's and Nano's bootloaders (optiboot and
// the older ATmegaBOOT): sync, check the chip's signature, write the image page by
// page, read every page back, leave programming mode (which starts the sketch).
import type { SerialLink } from './serial-link.ts';

const Cmd = {
  OK: 0x10, INSYNC: 0x14, EOP: 0x20,
  GET_SYNC: 0x30, ENTER_PROGMODE: 0x50, LEAVE_PROGMODE: 0x51,
  LOAD_ADDRESS: 0x55, PROG_PAGE: 0x64, READ_PAGE: 0x74, READ_SIGN: 0x75,
} as const;

export interface BoardProfile {
  name: string;
  /** The bootloader's baud rate. */
  baud: number;
  signature: Buffer;
  pageSize: number;
  flashSize: number;
}

export const BOARDS: Record<string, BoardProfile> = {
  uno: { name: 'Arduino Uno (optiboot)', baud: 115200, signature: Buffer.from([0x1e, 0x95, 0x0f]), pageSize: 128, flashSize: 32256 },
  nano: { name: 'Arduino Nano (ATmega328P, new bootloader)', baud: 115200, signature: Buffer.from([0x1e, 0x95, 0x0f]), pageSize: 128, flashSize: 30720 },
  'nano-old': { name: 'Arduino Nano (ATmega328P, old bootloader)', baud: 57600, signature: Buffer.from([0x1e, 0x95, 0x0f]), pageSize: 128, flashSize: 30720 },
};

export type FlashStep = 'reset' | 'sync' | 'signature' | 'write' | 'verify' | 'done';

export class Stk500 {
  constructor(private link: SerialLink, private timeoutMs = 500) {}

  /** Sends a command; expects INSYNC, `replyLen` bytes, OK. */
  private async cmd(bytes: number[] | Buffer, replyLen = 0): Promise<Buffer> {
    await this.link.write(Buffer.concat([Buffer.from(bytes), Buffer.from([Cmd.EOP])]));
    const r = await this.link.read(replyLen + 2, this.timeoutMs);
    if (r[0] !== Cmd.INSYNC || r[r.length - 1] !== Cmd.OK) throw new Error(`bootloader out of sync (answered ${r.toString('hex')})`);
    return r.subarray(1, 1 + replyLen);
  }

  /** Pulses DTR/RTS to reset the board into its bootloader, then syncs (a few tries). */
  async resetAndSync(tries = 5): Promise<void> {
    await this.link.set({ dtr: false, rts: false });
    await new Promise((r) => setTimeout(r, 250));
    await this.link.set({ dtr: true, rts: true });
    await new Promise((r) => setTimeout(r, 50));
    let last: Error | undefined;
    for (let i = 0; i < tries; i++) {
      this.link.discard();
      try { await this.cmd([Cmd.GET_SYNC]); return; } catch (e) { last = e as Error; }
    }
    throw new Error(`no STK500 bootloader answered (${last?.message}): check the port, the board type (--board) and the USB cable`);
  }

  /**
   * The chip's signature. Sent first after the sync, it also clears the line: a slow
   * bootloader (Optiboot blinks its LED before it reads) may still answer GET_SYNCs of
   * tries that timed out. Its replies come in order, so every INSYNC OK before the
   * signature's reply is such a late answer: skipped, until the reply with the signature.
   */
  async signature(): Promise<Buffer> {
    await this.link.write(Buffer.from([Cmd.READ_SIGN, Cmd.EOP]));
    for (let late = 0; ; late++) {
      const r = await this.link.read(2, this.timeoutMs);
      if (r[0] === Cmd.INSYNC && r[1] === Cmd.OK && late < 16) continue;   // a late GET_SYNC answer
      if (r[0] !== Cmd.INSYNC) throw new Error(`bootloader out of sync (answered ${r.toString('hex')})`);
      const rest = await this.link.read(3, this.timeoutMs);
      if (rest[2] !== Cmd.OK) throw new Error(`bootloader out of sync (answered ${Buffer.concat([r, rest]).toString('hex')})`);
      return Buffer.from([r[1], rest[0], rest[1]]);
    }
  }

  async enter(): Promise<void> { await this.cmd([Cmd.ENTER_PROGMODE]); }
  async leave(): Promise<void> { await this.cmd([Cmd.LEAVE_PROGMODE]); }

  /** Byte address; the bootloader takes word addresses. */
  private async load(addr: number): Promise<void> {
    const w = addr >> 1;
    await this.cmd([Cmd.LOAD_ADDRESS, w & 0xff, (w >> 8) & 0xff]);
  }

  async writePage(addr: number, data: Buffer): Promise<void> {
    await this.load(addr);
    await this.cmd(Buffer.concat([Buffer.from([Cmd.PROG_PAGE, data.length >> 8, data.length & 0xff, 0x46]), data]));
  }

  async readPage(addr: number, len: number): Promise<Buffer> {
    await this.load(addr);
    return this.cmd([Cmd.READ_PAGE, len >> 8, len & 0xff, 0x46], len);
  }
}

/** Flashes and verifies an image; `progress` hears each step. */
export async function programImage(link: SerialLink, board: BoardProfile, image: Buffer, progress: (s: FlashStep, detail?: string) => void = () => {}): Promise<void> {
  if (image.length === 0) throw new Error('the image is empty');
  if (image.length > board.flashSize) throw new Error(`the image (${image.length} bytes) does not fit ${board.name} (${board.flashSize} bytes)`);
  const stk = new Stk500(link);
  progress('reset');
  await stk.resetAndSync();
  progress('sync');
  const sig = await stk.signature();
  if (!sig.equals(board.signature)) throw new Error(`chip signature ${sig.toString('hex')} is not ${board.name}'s ${board.signature.toString('hex')}: wrong --board?`);
  progress('signature', sig.toString('hex'));
  await stk.enter();
  try {
    for (let a = 0; a < image.length; a += board.pageSize) {
      await stk.writePage(a, image.subarray(a, a + board.pageSize));
    }
    progress('write', `${image.length} bytes`);
    for (let a = 0; a < image.length; a += board.pageSize) {
      const want = image.subarray(a, a + board.pageSize);
      const got = await stk.readPage(a, want.length);
      if (!got.equals(want)) throw new Error(`verify failed at 0x${a.toString(16)}: the flash does not hold what was written`);
    }
    progress('verify');
  } finally {
    await stk.leave().catch(() => undefined);
  }
  progress('done');
}
