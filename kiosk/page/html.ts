// The kiosk touch page (portrait 1080×1920 touch screen). Targets are large and sit
// in the lower two thirds, text is big and high-contrast, so a citizen in a
// wheelchair can read and reach everything.
import { esc } from '../../firmware/web/html.ts';

/** The page's script, served at /kiosk/{kiosk}/kiosk.js (no inline script: the CSP forbids it). */
export const KIOSK_SCRIPT = new URL('./kiosk.js', import.meta.url).pathname;

export function kioskHtml(kioskId: string): string {
  return `<!doctype html><html lang="zh"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>manyi kiosk ${esc(kioskId)}</title>
<style>
*{box-sizing:border-box}
body{margin:0;font-family:'WenQuanYi Zen Hei','Noto Sans CJK SC',sans-serif;background:#f3f5f8;color:#111;min-height:100vh;display:flex;flex-direction:column}
header{background:#0b4f8a;color:#fff;padding:24px 32px;display:flex;justify-content:space-between;align-items:center;gap:16px}
header h1{font-size:40px;margin:0}
.langs button{font-size:28px;min-width:120px;min-height:72px;border-radius:12px;border:3px solid #fff;background:transparent;color:#fff;margin-left:8px}
.langs button[aria-pressed=true]{background:#fff;color:#0b4f8a;font-weight:bold}
#printer{font-size:28px;padding:16px 32px;background:#ffe08a;display:none}
#printer.bad{display:block;background:#ffb3b3}
#printer.warn{display:block}
main{flex:1;display:flex;flex-direction:column;justify-content:flex-end;padding:24px 32px 48px}
h2{font-size:34px;margin:8px 0 16px}
#menu{display:grid;grid-template-columns:1fr 1fr;gap:24px}
button.svc{min-height:180px;font-size:44px;border-radius:20px;border:0;background:#1769c2;color:#fff;padding:16px;text-align:left}
button.svc small{display:block;font-size:26px;margin-top:8px;opacity:.9}
button.svc:disabled{background:#c8ccd2;color:#333}
#appt{margin-top:32px;display:flex;gap:16px;align-items:center;flex-wrap:wrap}
#appt input{font-size:36px;min-height:88px;flex:1;min-width:300px;padding:0 16px;border:3px solid #0b4f8a;border-radius:12px}
#appt select,#appt button{font-size:32px;min-height:88px;border-radius:12px;padding:0 24px}
#appt button{background:#0b4f8a;color:#fff;border:0}
#msg{font-size:30px;color:#a00;min-height:40px;margin-top:12px}
#ticket{position:fixed;inset:0;background:rgba(0,0,0,.6);display:none;align-items:center;justify-content:center}
#ticket.show{display:flex}
#ticket .card{background:#fff;border-radius:24px;padding:40px;width:min(90vw,800px);text-align:center;font-size:32px}
#ticket-no{font-size:120px;font-weight:bold;margin:8px 0;color:#0b4f8a}
#ticket-qr svg{width:320px;height:320px}
#ticket-help{background:#ffe08a;padding:16px;border-radius:12px;margin:16px 0}
#ticket button{font-size:36px;min-height:96px;min-width:300px;border-radius:16px;border:0;background:#1769c2;color:#fff}
</style></head><body>
<header><h1 id="hall"></h1><div class="langs"><button id="lang-zh" aria-pressed="true">中文</button><button id="lang-en" aria-pressed="false">English</button></div></header>
<div id="printer" role="status"></div>
<main>
<h2 id="pick"></h2>
<div id="menu"></div>
<div id="appt"><input id="appt-code" autocomplete="off"><select id="appt-service"></select><button id="appt-go"></button></div>
<div id="msg" role="alert"></div>
</main>
<div id="ticket" role="dialog"><div class="card">
<div id="ticket-status"></div><div id="ticket-no"></div><div id="ticket-service"></div><div id="ticket-info"></div>
<div id="ticket-help"></div><div id="ticket-qr"></div><button id="ticket-close"></button></div></div>
<script src="/kiosk/${esc(kioskId)}/kiosk.js"></script></body></html>`;
}
