// The phone page of one ticket. Bilingual by the phone's language, live over WebSocket.
import type { HallConfig } from '../../firmware/config/hall.ts';

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

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
</style></head><body>
<header id="hall"></header>
<div id="no">${esc(no)}</div><div id="service"></div>
<div id="state"></div><div id="figures"></div><div id="live"></div>
<script>
const hall = ${JSON.stringify(hall.hall.name)};
const L = (navigator.language || 'zh').toLowerCase().startsWith('zh') ? 'zh' : 'en';
const T = {
  zh: { waiting: '等候中', called: '请到窗口办理', serving: '正在办理', done: '已办结', 'no-show': '已过号，请到服务台', parked: '暂停，稍后再叫', ahead: (n) => '前面还有 ' + n + ' 人', wait: (m) => '预计等候约 ' + m + ' 分钟', to: (f, w) => '请到' + f + ' ' + w + '号窗口办理', nf: '未找到此号票', live: '实时更新中', lost: '连接中断，正在重连…' },
  en: { waiting: 'Waiting', called: 'Please go to the window', serving: 'Being served', done: 'Done', 'no-show': 'Missed: please ask at the desk', parked: 'Set aside: you will be called again', ahead: (n) => n + ' ahead of you', wait: (m) => 'About ' + m + ' min wait', to: (f, w) => 'Go to ' + f + ' window ' + w, nf: 'Ticket not found', live: 'Live', lost: 'Reconnecting…' },
}[L];
const $ = (id) => document.getElementById(id);
$('hall').textContent = hall[L];
function show(v) {
  document.body.dataset.state = v.found ? v.state : 'not-found';
  if (!v.found) { $('state').textContent = T.nf; $('figures').textContent = ''; return; }
  $('service').textContent = v.serviceName[L];
  const where = v.windowName || v.window;
  const called = v.state === 'called' || v.state === 'serving';
  $('state').className = called ? 'called' : '';
  $('state').textContent = v.state === 'called' && where ? T.to(v.floorName ? v.floorName[L] : '', where) : T[v.state];
  $('figures').textContent = v.state === 'waiting' ? T.ahead(v.ahead) + ' · ' + T.wait(Math.max(1, Math.round(v.estWaitS / 60))) : '';
}
function connect() {
  const ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + location.pathname.replace(/\\/$/, '') + '/live');
  ws.onopen = () => { $('live').textContent = T.live; };
  ws.onmessage = (e) => show(JSON.parse(e.data));
  ws.onclose = () => { $('live').textContent = T.lost; setTimeout(connect, 3000); };
}
connect();
</script></body></html>`;
}
