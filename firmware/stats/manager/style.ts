// The manager's page style: plain, readable on a office monitor and on paper.
export const MANAGER_CSS = `
:root { --c1: #2f6fb3; --c2: #e08a1e; --c3: #c0392b; --grid: #e3e6ea; --muted: #667; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 "WenQuanYi Zen Hei", "Noto Sans CJK SC", system-ui, sans-serif; color: #1c2430; background: #f6f7f9; }
header { background: #1f3b5c; color: #fff; padding: 12px 20px; }
header h1 { margin: 0 0 8px; font-size: 20px; }
header form { display: flex; flex-wrap: wrap; gap: 10px; align-items: center; }
header a { color: #cfe3ff; }
header .range { margin: 6px 0 0; opacity: .85; }
main { padding: 16px 20px; max-width: 1400px; }
h2 { font-size: 16px; margin: 18px 0 8px; }
.kpis { display: grid; grid-template-columns: repeat(auto-fill, minmax(130px, 1fr)); gap: 8px; }
.kpi { background: #fff; border-radius: 6px; padding: 8px 10px; box-shadow: 0 1px 2px #0001; }
.kpi span { display: block; color: var(--muted); font-size: 12px; }
.kpi b { font-size: 20px; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(460px, 1fr)); gap: 12px; margin-top: 14px; }
.chart { background: #fff; border-radius: 6px; width: 100%; height: auto; box-shadow: 0 1px 2px #0001; }
.chart .grid { stroke: var(--grid); }
.chart .tick, .chart .legend { font-size: 11px; fill: #445; }
.chart .bar.c1, .chart .key.c1 { fill: var(--c1); opacity: .8; }
.chart .line { stroke-width: 2; }
.chart .line.c1 { stroke: var(--c1); } .chart .line.c2 { stroke: var(--c2); } .chart .line.c3 { stroke: var(--c3); }
.chart .dot.c1 { fill: var(--c1); } .chart .dot.c2, .chart .key.c2 { fill: var(--c2); } .chart .dot.c3, .chart .key.c3 { fill: var(--c3); }
.chart .r0 { fill: #1e8449; } .chart .r1 { fill: #7dcea0; } .chart .r2 { fill: #f4d03f; } .chart .r3 { fill: #eb984e; } .chart .r4 { fill: #c0392b; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; background: #fff; font-size: 13px; }
th, td { padding: 4px 8px; border-bottom: 1px solid var(--grid); text-align: right; white-space: nowrap; }
thead th { background: #eef1f5; text-align: center; }
tbody th { text-align: left; }
tr.star { background: #fff6d6; font-weight: bold; }
.live .cols { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; }
.wins { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 8px; }
.win { background: #fff; border: 2px solid #bbb; border-radius: 6px; padding: 4px 8px; min-width: 56px; text-align: center; font-weight: bold; }
.win small { display: block; font-weight: normal; font-size: 11px; }
.win.open { border-color: #1e8449; } .win.paused { border-color: #e08a1e; } .win.closed { opacity: .5; }
td.over { color: var(--c3); font-weight: bold; }
.alerts { list-style: none; padding: 0; margin: 0; max-height: 260px; overflow-y: auto; }
.alert { background: #fff; border-left: 4px solid var(--c2); margin-bottom: 4px; padding: 4px 8px; }
.alert.unsatisfied-rating, .alert.device-offline, .alert.printer-paper-out { border-left-color: var(--c3); }
.muted, .empty { color: var(--muted); }
@media print { header form { display: none; } }
`;
