// Intel HEX, as the Arduino toolchain writes a compiled sketch: parsed into one
// flat image from address 0, every record's checksum checked.
export function parseIntelHex(text: string): Buffer {
  const chunks: Array<{ addr: number; data: Buffer }> = [];
  let base = 0;
  let end = 0;
  let sawEof = false;
  const lines = text.split(/\r?\n/);
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim();
    if (!line) continue;
    const where = `line ${i + 1}`;
    if (!/^:([0-9A-Fa-f]{2}){5,}$/.test(line)) throw new Error(`${where}: not an Intel HEX record`);
    const bytes = Buffer.from(line.slice(1), 'hex');
    const len = bytes[0];
    if (bytes.length !== len + 5) throw new Error(`${where}: length ${len} does not match the record`);
    const sum = bytes.reduce((a, b) => (a + b) & 0xff, 0);
    if (sum !== 0) throw new Error(`${where}: bad checksum`);
    const addr = bytes.readUInt16BE(1);
    const type = bytes[3];
    const data = bytes.subarray(4, 4 + len);
    if (type === 0x00) { chunks.push({ addr: base + addr, data }); end = Math.max(end, base + addr + len); }
    else if (type === 0x01) { sawEof = true; break; }
    else if (type === 0x02) base = data.readUInt16BE(0) << 4;
    else if (type === 0x04) base = data.readUInt16BE(0) << 16;
    // 0x03 and 0x05 (start addresses) do not matter to a bootloader.
  }
  if (!sawEof) throw new Error('no end-of-file record: the file is truncated');
  const image = Buffer.alloc(end, 0xff);
  for (const c of chunks) c.data.copy(image, c.addr);
  return image;
}

/** Writes an image as Intel HEX (16 bytes a record), for tests and tools. */
export function toIntelHex(image: Buffer): string {
  const out: string[] = [];
  for (let a = 0; a < image.length; a += 16) {
    const data = image.subarray(a, Math.min(a + 16, image.length));
    const rec = Buffer.concat([Buffer.from([data.length, (a >> 8) & 0xff, a & 0xff, 0]), data]);
    const sum = (0x100 - (rec.reduce((x, y) => (x + y) & 0xff, 0))) & 0xff;
    out.push(':' + Buffer.concat([rec, Buffer.from([sum])]).toString('hex').toUpperCase());
  }
  out.push(':00000001FF');
  return out.join('\n') + '\n';
}
