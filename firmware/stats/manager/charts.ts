// Inline SVG charts for the manager's page, drawn server-side: no script, no
// library, and they print. Each returns one <svg> with a <title> for screen readers.

export const esc = (s: string | number) =>
  String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const W = 640, H = 240, L = 48, R = 48, T = 16, B = 32;

/** A "nice" axis maximum ≥ v. */
function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function frame(title: string, inner: string, cls: string): string {
  return `<svg class="chart ${cls}" viewBox="0 0 ${W} ${H}" role="img" xmlns="http://www.w3.org/2000/svg"><title>${esc(title)}</title>${inner}</svg>`;
}

function yAxis(max: number, side: 'left' | 'right', fmt: (v: number) => string): string {
  const x = side === 'left' ? L : W - R;
  let out = '';
  for (let i = 0; i <= 4; i++) {
    const v = (max * i) / 4;
    const y = H - B - ((H - T - B) * i) / 4;
    if (side === 'left') out += `<line x1="${L}" x2="${W - R}" y1="${y}" y2="${y}" class="grid"/>`;
    out += `<text x="${side === 'left' ? x - 4 : x + 4}" y="${y + 4}" text-anchor="${side === 'left' ? 'end' : 'start'}" class="tick">${esc(fmt(v))}</text>`;
  }
  return out;
}

export interface Series { label: string; values: Array<number | null>; cls: string }

/**
 * Bars (left axis) with lines (right axis) over the same categories, e.g. arrivals
 * per hour against windows open.
 */
export function barLineChart(o: { title: string; categories: string[]; bars: Series; lines: Series[]; leftFmt?: (v: number) => string; rightFmt?: (v: number) => string; cls?: string }): string {
  const n = Math.max(1, o.categories.length);
  const bw = (W - L - R) / n;
  const bmax = niceMax(Math.max(0, ...o.bars.values.map((v) => v ?? 0)));
  const lmax = niceMax(Math.max(0, ...o.lines.flatMap((s) => s.values.map((v) => v ?? 0))));
  const y = (v: number, max: number) => H - B - ((H - T - B) * v) / max;
  const lineFmt = o.rightFmt ?? ((v: number) => String(Math.round(v * 10) / 10));
  // Without bars the lines own the left axis.
  const noBars = o.bars.values.length === 0;
  let inner = noBars ? yAxis(lmax, 'left', lineFmt) : yAxis(bmax, 'left', o.leftFmt ?? ((v) => String(Math.round(v))));
  if (o.lines.length && !noBars) inner += yAxis(lmax, 'right', lineFmt);
  o.bars.values.forEach((v, i) => {
    if (v === null) return;
    const top = y(v, bmax);
    inner += `<rect class="bar ${o.bars.cls}" x="${(L + i * bw + bw * 0.15).toFixed(1)}" y="${top.toFixed(1)}" width="${(bw * 0.7).toFixed(1)}" height="${(H - B - top).toFixed(1)}"><title>${esc(o.categories[i])}: ${esc(v)}</title></rect>`;
  });
  for (const s of o.lines) {
    const pts = s.values.map((v, i) => (v === null ? null : `${(L + i * bw + bw / 2).toFixed(1)},${y(v, lmax).toFixed(1)}`));
    // Gaps (null) break the line into runs.
    const runs: string[][] = [[]];
    for (const p of pts) { if (p) runs[runs.length - 1].push(p); else if (runs[runs.length - 1].length) runs.push([]); }
    for (const r of runs) if (r.length) inner += `<polyline class="line ${s.cls}" fill="none" points="${r.join(' ')}"/>`;
    for (const p of pts) if (p) inner += `<circle class="dot ${s.cls}" cx="${p.split(',')[0]}" cy="${p.split(',')[1]}" r="2.5"/>`;
  }
  const step = Math.ceil(n / 16);
  o.categories.forEach((c, i) => {
    if (i % step === 0) inner += `<text class="tick" x="${(L + i * bw + bw / 2).toFixed(1)}" y="${H - B + 16}" text-anchor="middle">${esc(c)}</text>`;
  });
  const legend = [o.bars, ...o.lines].filter((s) => s.label)
    .map((s, i) => `<g transform="translate(${L + 8 + i * 150},${T + 4})"><rect class="${s.cls} key" width="10" height="10"/><text x="14" y="9" class="legend">${esc(s.label)}</text></g>`).join('');
  return frame(o.title, inner + legend, o.cls ?? '');
}

/** Horizontal stacked bars of shares (each row sums to its total), e.g. ratings per window. */
export function stackedBars(o: { title: string; rows: Array<{ label: string; parts: number[]; note?: string }>; parts: Array<{ label: string; cls: string }>; cls?: string }): string {
  const rowH = 20;
  const h = T + o.rows.length * rowH + 28;
  const x0 = 56, x1 = W - 64;
  let inner = '';
  o.rows.forEach((r, i) => {
    const total = r.parts.reduce((a, b) => a + b, 0);
    const yy = T + i * rowH;
    inner += `<text class="tick" x="${x0 - 6}" y="${yy + 13}" text-anchor="end">${esc(r.label)}</text>`;
    let x = x0;
    r.parts.forEach((p, j) => {
      if (!total || !p) return;
      const w = ((x1 - x0) * p) / total;
      inner += `<rect class="seg ${o.parts[j].cls}" x="${x.toFixed(1)}" y="${yy + 3}" width="${w.toFixed(1)}" height="${rowH - 6}"><title>${esc(r.label)} ${esc(o.parts[j].label)}: ${p}</title></rect>`;
      x += w;
    });
    if (r.note) inner += `<text class="tick" x="${x1 + 6}" y="${yy + 13}">${esc(r.note)}</text>`;
  });
  const legend = o.parts.map((p, i) => `<g transform="translate(${x0 + i * 112},${h - 16})"><rect class="${p.cls} key" width="10" height="10"/><text x="14" y="9" class="legend">${esc(p.label)}</text></g>`).join('');
  return `<svg class="chart ${o.cls ?? ''}" viewBox="0 0 ${W} ${h}" role="img" xmlns="http://www.w3.org/2000/svg"><title>${esc(o.title)}</title>${inner}${legend}</svg>`;
}
