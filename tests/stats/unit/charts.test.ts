// The manager page's SVG charts (firmware/stats/manager/charts.ts), drawn on the
// server: axes rounded up to a readable maximum, bars and lines placed by value,
// gaps that break a line, thinned category labels, legends, and escaping.
import { describe, expect, it } from 'vitest';
import { barLineChart, esc, stackedBars } from '../../../firmware/stats/manager/charts.ts';

const all = (svg: string, re: RegExp) => [...svg.matchAll(re)].map((m) => m.slice(1));
// The chart area: 640 × 240, plot from x 48 to 592 and y 16 (top) to 208 (zero).
const ZERO = 208, TOP = 16;

describe('bar and line chart', () => {
  it('rounds the left axis up to 1, 2, 2.5 or 5 times a power of ten and draws each bar to scale', () => {
    const svg = barLineChart({ title: 'Arrivals', categories: ['8:00', '9:00', '10:00'], bars: { label: 'n', values: [23, null, 12.5], cls: 'c1' }, lines: [] });
    expect(svg.startsWith('<svg class="chart " viewBox="0 0 640 240" role="img" xmlns="http://www.w3.org/2000/svg"><title>Arrivals</title>')).toBe(true);
    // 23 → axis to 25, ticks every quarter, labels rounded.
    expect(all(svg, /<text x="44" y="([\d.]+)" text-anchor="end" class="tick">([^<]*)<\/text>/g)).toEqual([['212', '0'], ['164', '6'], ['116', '13'], ['68', '19'], ['20', '25']]);
    expect(all(svg, /<line x1="48" x2="592" y1="([\d.]+)" y2="[\d.]+" class="grid"\/>/g).flat()).toEqual(['208', '160', '112', '64', '16']);
    const bars = all(svg, /<rect class="bar c1" x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"><title>([^<]*)<\/title><\/rect>/g);
    // Three slots of 181.3 px (544 ÷ 3); a bar is 70 % of its slot, centred; null draws nothing.
    expect(bars).toEqual([
      ['75.2', (ZERO - (192 * 23) / 25).toFixed(1), '126.9', ((192 * 23) / 25).toFixed(1), '8:00: 23'],
      ['437.9', (ZERO - (192 * 12.5) / 25).toFixed(1), '126.9', '96.0', '10:00: 12.5'],
    ]);
    expect(svg).not.toContain('class="tick" x="44" y="212" text-anchor="start"'); // no right axis without lines
  });

  it('picks the smallest nice maximum at or above the largest value', () => {
    const top = (v: number) => all(barLineChart({ title: '', categories: ['a'], bars: { label: '', values: [v], cls: 'c1' }, lines: [], leftFmt: String }), /text-anchor="end" class="tick">([^<]*)</g).at(-1)![0];
    expect([1, 1.5, 2, 2.2, 2.5, 3, 5, 7, 10, 11, 0.3, 0].map(top)).toEqual(['1', '2', '2', '2.5', '2.5', '5', '5', '10', '10', '20', '0.5', '1']);
    expect(top(0.03)).toBe('0.05');
    expect(top(499)).toBe('500');
    expect(top(-4)).toBe('1'); // negative values draw from an axis of 1
  });

  it('puts lines on a right axis of their own, breaking them at gaps, with a dot per value', () => {
    const svg = barLineChart({
      title: 't', categories: ['a', 'b', 'c', 'd', 'e'], bars: { label: 'Bars', values: [1, 2, 3, 4, 10], cls: 'c1' },
      lines: [{ label: 'Open', values: [2, 4, null, 1, null], cls: 'c2' }],
    });
    // Right axis: 4 → 5, labels to one decimal.
    expect(all(svg, /<text x="596" y="[\d.]+" text-anchor="start" class="tick">([^<]*)<\/text>/g).flat()).toEqual(['0', '1.3', '2.5', '3.8', '5']);
    // Slot width 108.8: centres at 102.4, 211.2, …
    expect(all(svg, /<polyline class="line c2" fill="none" points="([^"]*)"\/>/g).flat()).toEqual([
      `102.4,${(ZERO - (192 * 2) / 5).toFixed(1)} 211.2,${(ZERO - (192 * 4) / 5).toFixed(1)}`, `428.8,${(ZERO - 192 / 5).toFixed(1)}`,
    ]);
    expect(all(svg, /<circle class="dot c2" cx="([\d.]+)" cy="([\d.]+)" r="2.5"\/>/g)).toEqual([
      ['102.4', (ZERO - (192 * 2) / 5).toFixed(1)], ['211.2', (ZERO - (192 * 4) / 5).toFixed(1)], ['428.8', (ZERO - 192 / 5).toFixed(1)],
    ]);
    expect(svg).toContain(`<rect class="bar c1" x="499.5" y="${TOP.toFixed(1)}" width="76.2" height="192.0">`); // 10 fills the axis
    // Legend: one key per labelled series, 150 px apart.
    expect(svg).toContain('<g transform="translate(56,20)"><rect class="c1 key" width="10" height="10"/><text x="14" y="9" class="legend">Bars</text></g>');
    expect(svg).toContain('<g transform="translate(206,20)"><rect class="c2 key" width="10" height="10"/><text x="14" y="9" class="legend">Open</text></g>');
  });

  it('without bars, gives the left axis to the lines and draws no right axis', () => {
    const svg = barLineChart({ title: 't', categories: ['a', 'b'], bars: { label: '', values: [], cls: 'c1' }, lines: [{ label: 'Mean', values: [3, 7.2], cls: 'c1' }, { label: '', values: [null, null], cls: 'c3' }], cls: 'waits' });
    expect(svg).toContain('<svg class="chart waits"');
    expect(all(svg, /text-anchor="end" class="tick">([^<]*)</g).flat()).toEqual(['0', '2.5', '5', '7.5', '10']);
    expect(svg).not.toContain('text-anchor="start" class="tick"');
    expect(svg).not.toContain('class="bar');
    expect(svg).not.toContain('polyline class="line c3"');
    expect(svg.match(/class="legend"/g)).toHaveLength(1); // the unlabelled series has no key
  });

  it('labels every category up to 16, and every n-th beyond so that at most 16 show', () => {
    const labels = (n: number) => all(barLineChart({ title: '', categories: Array.from({ length: n }, (_, i) => `c${i}`), bars: { label: '', values: [], cls: 'c1' }, lines: [] }), /y="224" text-anchor="middle">([^<]*)</g).flat();
    expect(labels(16)).toHaveLength(16);
    expect(labels(17)).toEqual(['c0', 'c2', 'c4', 'c6', 'c8', 'c10', 'c12', 'c14', 'c16']);
    expect(labels(33)).toEqual(['c0', 'c3', 'c6', 'c9', 'c12', 'c15', 'c18', 'c21', 'c24', 'c27', 'c30']);
    expect(labels(0)).toEqual([]);
    const one = barLineChart({ title: '', categories: ['only'], bars: { label: '', values: [], cls: 'c1' }, lines: [] });
    expect(one).toContain('<text class="tick" x="320.0" y="224" text-anchor="middle">only</text>');
  });
});

describe('stacked bars', () => {
  it('splits each row into its parts\' shares of the row, skips empty parts and notes the row', () => {
    const svg = stackedBars({
      title: 'Satisfaction', cls: 'satisfaction',
      rows: [{ label: 'W1', parts: [3, 0, 1], note: '75.0%' }, { label: 'W2', parts: [0, 0, 0] }],
      parts: [{ label: 'Good', cls: 'r0' }, { label: 'So-so', cls: 'r1' }, { label: 'Bad', cls: 'r2' }],
    });
    // Height: 16 + 2 rows × 20 + 28.
    expect(svg.startsWith('<svg class="chart satisfaction" viewBox="0 0 640 84" role="img" xmlns="http://www.w3.org/2000/svg"><title>Satisfaction</title>')).toBe(true);
    expect(all(svg, /<rect class="seg (r\d)" x="([\d.]+)" y="(\d+)" width="([\d.]+)" height="(\d+)"><title>([^<]*)<\/title><\/rect>/g)).toEqual([
      ['r0', '56.0', '19', '390.0', '14', 'W1 Good: 3'], // 520 px × 3/4
      ['r2', '446.0', '19', '130.0', '14', 'W1 Bad: 1'],
    ]);
    expect(svg).toContain('<text class="tick" x="50" y="29" text-anchor="end">W1</text>');
    expect(svg).toContain('<text class="tick" x="50" y="49" text-anchor="end">W2</text>');
    expect(svg).toContain('<text class="tick" x="582" y="29">75.0%</text>');
    expect(svg.match(/x="582"/g)).toHaveLength(1); // no note on W2
    expect(svg).toContain('<g transform="translate(56,68)"><rect class="r0 key" width="10" height="10"/><text x="14" y="9" class="legend">Good</text></g>');
    expect(svg).toContain('<g transform="translate(280,68)"><rect class="r2 key" width="10" height="10"/>');
    expect(stackedBars({ title: 't', rows: [], parts: [] })).toContain('<svg class="chart " viewBox="0 0 640 44"');
  });
});

describe('escaping', () => {
  it('writes &, <, > and " as entities, in titles and labels too', () => {
    expect(esc('a & <b> "c"')).toBe('a &amp; &lt;b&gt; &quot;c&quot;');
    expect(esc(5)).toBe('5');
    const svg = barLineChart({ title: '<t>', categories: ['<c>'], bars: { label: '"b"', values: [1], cls: 'c1' }, lines: [] });
    expect(svg).toContain('<title>&lt;t&gt;</title>');
    expect(svg).toContain('<title>&lt;c&gt;: 1</title>');
    expect(svg).toContain('class="legend">&quot;b&quot;</text>');
    expect(stackedBars({ title: 'x', rows: [{ label: 'a&b', parts: [1], note: '<n>' }], parts: [{ label: '<p>', cls: 'r0' }] })).toContain('<title>a&amp;b &lt;p&gt;: 1</title>');
  });
});
