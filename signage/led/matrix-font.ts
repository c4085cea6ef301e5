// A 3×5 pixel font for MAX7219 8×8 matrix chains: each character takes a
// 4-column cell (3 lit + 1 gap), so a 32×8 window board shows 8 characters
// ("A023  12") and a 64×8 lobby strip 16. Columns are bytes, bit 0 = top row;
// glyphs sit on rows 1–5. Because every glyph is distinct, the columns a board
// shows decode back to exactly one text.

const GLYPHS: Record<string, string[]> = {
  // each glyph: 5 rows of 3 pixels ('#' lit)
  '0': ['###', '#.#', '#.#', '#.#', '###'], '1': ['.#.', '##.', '.#.', '.#.', '###'],
  '2': ['##.', '..#', '.#.', '#..', '###'], '3': ['##.', '..#', '.#.', '..#', '##.'],
  '4': ['#.#', '#.#', '###', '..#', '..#'], '5': ['###', '#..', '##.', '..#', '##.'],
  '6': ['.##', '#..', '###', '#.#', '###'], '7': ['###', '..#', '.#.', '.#.', '.#.'],
  '8': ['###', '#.#', '.#.', '#.#', '###'], '9': ['###', '#.#', '###', '..#', '##.'],
  A: ['.#.', '#.#', '###', '#.#', '#.#'], B: ['##.', '#.#', '##.', '#.#', '##.'],
  C: ['.##', '#..', '#..', '#..', '.##'], D: ['##.', '#.#', '#.#', '#.#', '##.'],
  E: ['###', '#..', '##.', '#..', '###'], F: ['###', '#..', '##.', '#..', '#..'],
  G: ['.##', '#..', '#.#', '#.#', '.##'], H: ['#.#', '#.#', '###', '#.#', '#.#'],
  I: ['###', '.#.', '.#.', '.#.', '###'], J: ['..#', '..#', '..#', '#.#', '.#.'],
  K: ['#.#', '#.#', '##.', '#.#', '#.#'], L: ['#..', '#..', '#..', '#..', '###'],
  M: ['#.#', '###', '###', '#.#', '#.#'], N: ['##.', '#.#', '#.#', '#.#', '#.#'],
  O: ['.#.', '#.#', '#.#', '#.#', '.#.'], P: ['##.', '#.#', '##.', '#..', '#..'],
  Q: ['.#.', '#.#', '#.#', '##.', '.##'], R: ['##.', '#.#', '##.', '#.#', '#.#'],
  S: ['.##', '#..', '.#.', '..#', '##.'], T: ['###', '.#.', '.#.', '.#.', '.#.'],
  U: ['#.#', '#.#', '#.#', '#.#', '###'], V: ['#.#', '#.#', '#.#', '#.#', '.#.'],
  W: ['#.#', '#.#', '###', '###', '#.#'], X: ['#.#', '#.#', '.#.', '#.#', '#.#'],
  Y: ['#.#', '#.#', '.#.', '.#.', '.#.'], Z: ['###', '..#', '.#.', '#..', '###'],
  ' ': ['...', '...', '...', '...', '...'], '-': ['...', '...', '###', '...', '...'],
  '>': ['#..', '.#.', '..#', '.#.', '#..'], ':': ['...', '.#.', '...', '.#.', '...'],
  '.': ['...', '...', '...', '...', '.#.'], ',': ['...', '...', '...', '.#.', '#..'],
  '/': ['..#', '..#', '.#.', '#..', '#..'], '?': ['##.', '..#', '.#.', '...', '.#.'],
  '(': ['.#.', '#..', '#..', '#..', '.#.'], ')': ['.#.', '..#', '..#', '..#', '.#.'],
  '+': ['...', '.#.', '###', '.#.', '...'], '%': ['#.#', '..#', '.#.', '#..', '#.#'],
  '=': ['...', '###', '...', '###', '...'], '!': ['.#.', '.#.', '.#.', '...', '.#.'],
};

function columnsOf(rows: string[]): number[] {
  const cols = [0, 0, 0];
  rows.forEach((r, y) => { for (let x = 0; x < 3; x++) if (r[x] === '#') cols[x] |= 1 << (y + 1); });
  return cols;
}

const COLS = new Map<string, number[]>(Object.entries(GLYPHS).map(([c, rows]) => [c, columnsOf(rows)]));
const BY_COLS = new Map<string, string>([...COLS].map(([c, cols]) => [cols.join(','), c]));

export const CELL_WIDTH = 4;
export const FONT_CHARS = [...COLS.keys()];

/** Text → pixel columns (bit 0 = top row), 4 per character; unknown characters become `?`. */
export function renderColumns(text: string): number[] {
  const out: number[] = [];
  for (const ch of text.toUpperCase()) out.push(...(COLS.get(ch) ?? COLS.get('?')!), 0);
  return out;
}

/** Pixel columns laid out in 4-wide cells → text ('' for a cell that is no glyph). */
export function decodeColumns(cols: number[]): string {
  let out = '';
  for (let i = 0; i + 3 <= cols.length; i += CELL_WIDTH) out += BY_COLS.get(cols.slice(i, i + 3).join(',')) ?? '?';
  return out;
}

/**
 * Pixel columns → MAX7219 row registers for a chain of 8×8 devices in
 * `moduleRows` rows (8 or 16 pixels high): the chain runs along the top row of
 * modules, left to right, then along the bottom row. Device d shows columns
 * 8·(d mod perRow)…+7 of its module row; row register r holds pixel row r of it
 * with the leftmost column in bit 7 (the FC-16 module's orientation). A column
 * is a bit mask, bit 0 = the top pixel.
 */
export function columnsToRows(cols: number[], devices: number, moduleRows: 1 | 2 = 1): number[][] {
  const perRow = Math.ceil(devices / moduleRows);
  const rows: number[][] = [];
  for (let d = 0; d < devices; d++) {
    const band = Math.floor(d / perRow);
    const x0 = (d % perRow) * 8;
    const dev: number[] = [];
    for (let r = 0; r < 8; r++) {
      let v = 0;
      for (let x = 0; x < 8; x++) if ((cols[x0 + x] ?? 0) & (1 << (band * 8 + r))) v |= 0x80 >> x;
      dev.push(v);
    }
    rows.push(dev);
  }
  return rows;
}

/** The reverse of `columnsToRows`. */
export function rowsToColumns(rows: number[][], moduleRows: 1 | 2 = 1): number[] {
  const perRow = Math.ceil(rows.length / moduleRows);
  const cols: number[] = Array(perRow * 8).fill(0);
  rows.forEach((dev, d) => {
    const band = Math.floor(d / perRow);
    const x0 = (d % perRow) * 8;
    for (let x = 0; x < 8; x++) for (let r = 0; r < 8; r++) if (dev[r] & (0x80 >> x)) cols[x0 + x] |= 1 << (band * 8 + r);
  });
  return cols;
}
