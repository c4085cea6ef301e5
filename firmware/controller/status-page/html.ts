// The phone page of one ticket. Bilingual by the phone's language, live over WebSocket.
import type { HallConfig } from '../../config/hall.ts';
import { esc } from '../../web/html.ts';

/** The page's script, served at /t/status.js (no inline script: the CSP forbids it). */
export const STATUS_SCRIPT = new URL('./status.js', import.meta.url).pathname;


export function statusHtml(hall: HallConfig, day: string, no: string): string {
  return `<!doctype html><html><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(no)} · ${esc(hall.hall.name.zh)}</title>
<style>
body{margin:0;font-family:'WenQuanYi Zen Hei','Noto Sans CJK SC',sans-serif;background:#f3f5f8;color:#111;text-align:center}
header{background:#0b4f8a;color:#fff;padding:12px;font-size:18px}
#no{font-size:72px;font-weight:bold;color:#0b4f8a;margin:16px 0 0}
#service{font-size:22px}
#state{font-size:26px;margin:20px 12px;padding:16px;border-radius:12px;background:#fff}
#state.called{background:#1a7f37;color:#fff;font-size:32px}
#figures{font-size:22px;line-height:1.6}
#live{font-size:14px;color:#666;margin-top:24px}
</style></head><body data-hall-zh="${esc(hall.hall.name.zh)}" data-hall-en="${esc(hall.hall.name.en)}">
<header id="hall"></header>
<div id="no">${esc(no)}</div><div id="service"></div>
<div id="state"></div><div id="figures"></div><div id="live"></div>
<script src="/t/status.js"></script></body></html>`;
}
