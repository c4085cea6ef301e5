// 7-segment glyphs for MAX7219 digit boards (no-decode mode: bit 7 = DP,
// 6..0 = segments A..G), and the reverse: register bytes back to text.
// Letters that would look like digits on seven segments use their lower-case
// forms (b, d, o, r, t, n…), as every ticket board does, so B023 never reads 8023.

const SEG: Record<string, number> = {
  '0': 0x7e, '1': 0x30, '2': 0x6d, '3': 0x79, '4': 0x33, '5': 0x5b, '6': 0x5f, '7': 0x70, '8': 0x7f, '9': 0x7b,
  ' ': 0x00, '-': 0x01, '_': 0x08,
  A: 0x77, B: 0x1f, C: 0x4e, D: 0x3d, E: 0x4f, F: 0x47, G: 0x5e, H: 0x37, I: 0x06, J: 0x3c, K: 0x57, L: 0x0e,
  M: 0x55, N: 0x15, O: 0x1d, P: 0x67, Q: 0x73, R: 0x05, S: 0x5b, T: 0x0f, U: 0x3e, V: 0x1c, W: 0x2b, X: 0x49,
  Y: 0x3b, Z: 0x6d,
};
const DIGIT_BY_CODE = new Map<number, string>();
const LETTER_BY_CODE = new Map<number, string>();
for (const [ch, code] of Object.entries(SEG)) {
  if (/[0-9 \-_]/.test(ch)) DIGIT_BY_CODE.set(code, ch);
  else LETTER_BY_CODE.set(code, ch);
}

/** Segment byte of one character (unknown characters show blank). */
export function segCode(ch: string): number {
  return SEG[ch.toUpperCase()] ?? 0;
}

/** Text → `width` segment bytes, left to right; longer text is cut. */
export function encodeSeg(text: string, width = 8): number[] {
  const out: number[] = [];
  for (let i = 0; i < width; i++) out.push(i < text.length ? segCode(text[i]) : 0);
  return out;
}

/**
 * Segment bytes (left to right) → text. Codes shared by a digit and a letter
 * (5/S, 2/Z, 3…) are read per word: a word with any letter-only glyph and no
 * digit-only glyph is a word (PAUSE, CLOSEd); otherwise it is a number or a
 * ticket, whose leading letter-only glyphs are its service letters (A023, b105).
 */
export function decodeSeg(codes: number[]): string {
  const chars = codes.map((c) => c & 0x7f);
  let out = '';
  let i = 0;
  while (i < chars.length) {
    if (chars[i] === 0) { out += ' '; i++; continue; }
    let j = i;
    while (j < chars.length && chars[j] !== 0) j++;
    out += decodeWord(chars.slice(i, j));
    i = j;
  }
  return out;
}

function decodeWord(word: number[]): string {
  const digitOnly = word.some((c) => DIGIT_BY_CODE.has(c) && !LETTER_BY_CODE.has(c));
  const letterOnly = word.some((c) => LETTER_BY_CODE.has(c) && !DIGIT_BY_CODE.has(c));
  if (letterOnly && !digitOnly) return word.map((c) => LETTER_BY_CODE.get(c) ?? '?').join('');
  let k = 0;
  let out = '';
  while (k < word.length && k < 2 && LETTER_BY_CODE.has(word[k]) && !DIGIT_BY_CODE.has(word[k])) out += LETTER_BY_CODE.get(word[k++]);
  for (; k < word.length; k++) out += DIGIT_BY_CODE.get(word[k]) ?? LETTER_BY_CODE.get(word[k]) ?? '?';
  return out;
}
