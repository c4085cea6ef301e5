// Pictures of LED strips for the test artifacts: pixel columns (bit 0 = top) as lit red dots.
import { writeFileSync } from 'node:fs';
import { PNG } from 'pngjs';

/** Writes `frames` (each a list of columns `height` pixels high) one under another, as a PNG. */
export function writeStripPng(file: string, frames: number[][], height: number, dot = 8): void {
  const width = Math.max(...frames.map((f) => f.length));
  const gap = dot * 2;
  const png = new PNG({ width: width * dot + dot * 2, height: frames.length * (height * dot + gap) + gap });
  png.data.fill(0);
  for (let i = 3; i < png.data.length; i += 4) png.data[i] = 255;
  frames.forEach((cols, f) => {
    const top = gap + f * (height * dot + gap);
    cols.forEach((c, x) => {
      for (let y = 0; y < height; y++) {
        const on = (c >> y) & 1;
        for (let dy = 1; dy < dot - 1; dy++) for (let dx = 1; dx < dot - 1; dx++) {
          const i = ((top + y * dot + dy) * png.width + dot + x * dot + dx) * 4;
          png.data[i] = on ? 255 : 48; png.data[i + 1] = on ? 40 : 8; png.data[i + 2] = on ? 20 : 4;
        }
      }
    });
  });
  writeFileSync(file, PNG.sync.write(png));
}
