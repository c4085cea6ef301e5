// The kiosk touch page's script (kiosk/page/html.ts): menu, language, appointment
// check-in and the ticket on screen; text set with textContent only (the QR code is
// the SVG our own server drew).
const BASE = location.pathname.replace(/\/$/, '');
const T = {
  zh: { pick: '请选择业务', closed: '暂停取号', hours: '办理时间', waiting: (n) => '等候 ' + n + ' 人', code: '预约码', go: '预约签到',
        ahead: (n) => '前面还有 ' + n + ' 人', wait: (m) => '预计等候约 ' + m + ' 分钟', printed: '请取走您的号票', notPrinted: '号票未能打印，请拍下此页或扫码',
        offline: '离线出票：请留意叫号屏', ok: '好的', windows: '服务窗口：', printer: { 'paper-low': '打印纸即将用完', 'paper-out': '打印机缺纸：号票将显示在屏幕上', 'cover-open': '打印机盖未关：号票将显示在屏幕上', offline: '打印机离线：号票将显示在屏幕上' },
        err: { 'service-closed': '该业务现在不办理', 'offline-no-numbers': '暂时无法取号，请到服务台', 'bad-request': '输入有误' } },
  en: { pick: 'Choose a service', closed: 'Closed', hours: 'Hours', waiting: (n) => n + ' waiting', code: 'Appointment code', go: 'Check in',
        ahead: (n) => n + ' ahead of you', wait: (m) => 'About ' + m + ' min wait', printed: 'Please take your ticket', notPrinted: 'Your ticket could not be printed: take a photo or scan the code',
        offline: 'Issued offline: watch the call boards', ok: 'OK', windows: 'Windows: ', printer: { 'paper-low': 'Printer paper is running low', 'paper-out': 'Printer out of paper: tickets are shown on screen', 'cover-open': 'Printer cover open: tickets are shown on screen', offline: 'Printer offline: tickets are shown on screen' },
        err: { 'service-closed': 'This service is closed now', 'offline-no-numbers': 'No tickets right now: please ask at the desk', 'bad-request': 'Please check what you typed' } },
};
let lang = null, state = null, closeTimer = null;
const $ = (id) => document.getElementById(id);
function render() {
  if (!state) return;
  // The kiosk's language until the citizen picks one here (the hall's, or the last one picked).
  if (!lang) lang = state.lang === 'en' ? 'en' : 'zh';
  const t = T[lang];
  document.documentElement.lang = lang;
  $('hall').textContent = state.hall[lang];
  $('pick').textContent = t.pick;
  $('lang-zh').setAttribute('aria-pressed', String(lang === 'zh'));
  $('lang-en').setAttribute('aria-pressed', String(lang === 'en'));
  const p = state.printer;
  $('printer').className = !p || p === 'ok' ? '' : p === 'paper-low' ? 'warn' : 'bad';
  $('printer').dataset.state = p || '';
  $('printer').textContent = p && p !== 'ok' ? t.printer[p] : '';
  const menu = $('menu'); menu.textContent = '';
  const sel = $('appt-service'); const keep = sel.value; sel.textContent = '';
  for (const s of state.services) {
    const b = document.createElement('button');
    b.className = 'svc'; b.dataset.service = s.id; b.disabled = !s.open;
    b.textContent = s.name[lang];
    const sm = document.createElement('small');
    sm.textContent = s.open ? (s.waiting == null ? '' : t.waiting(s.waiting)) : t.closed + ' · ' + t.hours + ' ' + s.hours.map((h) => h.open + '–' + h.close).join(', ');
    b.appendChild(sm);
    b.onclick = () => pull({ service: s.id });
    menu.appendChild(b);
    if (s.open) { const o = document.createElement('option'); o.value = s.id; o.textContent = s.name[lang]; sel.appendChild(o); }
  }
  if (keep) sel.value = keep;
  $('appt-code').placeholder = t.code; $('appt-go').textContent = t.go; $('ticket-close').textContent = t.ok;
}
async function pull(body) {
  $('msg').textContent = '';
  const res = await fetch(BASE + '/api/ticket', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...body, lang }) });
  const r = await res.json();
  const t = T[lang];
  // The controller's words come as "中文 / English": show the screen's language.
  if (!r.ok) { const m = String(r.message || ''); $('msg').textContent = t.err[r.code] || (m.includes(' / ') ? m.split(' / ')[lang === 'zh' ? 0 : 1] : m); return; }
  const svc = state.services.find((s) => s.id === r.ticket.service);
  $('ticket-status').textContent = r.printed ? t.printed : t.notPrinted;
  $('ticket-no').textContent = r.ticket.no;
  $('ticket-service').textContent = svc ? svc.name[lang] : r.ticket.service;
  $('ticket-info').textContent = r.offline ? t.offline : t.ahead(r.ticket.ahead) + ' · ' + t.wait(Math.max(1, Math.round(r.ticket.estWaitS / 60)));
  $('ticket-help').style.display = r.printed ? 'none' : 'block';
  $('ticket-help').textContent = r.help ? r.help[lang] : '';
  $('ticket-qr').innerHTML = r.printed || !r.qrSvg ? '' : r.qrSvg;
  $('ticket').className = 'show';
  $('ticket').dataset.printed = String(r.printed);
  clearTimeout(closeTimer);
  closeTimer = setTimeout(closeTicket, r.printed ? 10000 : 60000);
}
function closeTicket() { $('ticket').className = ''; }
$('ticket-close').onclick = closeTicket;
// The kiosk remembers the language picked here: its buttons print in it too.
function pickLang(l) {
  lang = l; render();
  fetch(BASE + '/api/lang', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ lang: l }) }).catch(() => {});
}
$('lang-zh').onclick = () => pickLang('zh');
$('lang-en').onclick = () => pickLang('en');
$('appt-go').onclick = () => {
  const code = $('appt-code').value.trim();
  if (!code) return;
  pull({ service: $('appt-service').value, appointment: code }).then(() => { $('appt-code').value = ''; });
};
$('appt-code').onkeydown = (e) => { if (e.key === 'Enter') $('appt-go').click(); }; // scanners type the code and Enter
function connect() {
  const ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + BASE + '/live');
  ws.onmessage = (e) => { state = JSON.parse(e.data); render(); document.body.dataset.ready = '1'; };
  ws.onclose = () => setTimeout(connect, 2000);
}
connect();
