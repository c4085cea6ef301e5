// The staff page's script (firmware/counter/page/staff.html). Every value from the
// controller, the hall file or a person goes through esc() before it reaches markup.
const base = location.pathname.replace(/\/$/, '');
const SCORE = { 'very-satisfied': ['非常满意', '#22c55e'], 'satisfied': ['满意', '#84cc16'], 'basic': ['基本满意', '#eab308'], 'unsatisfied': ['不满意', '#f97316'], 'very-unsatisfied': ['非常不满意', '#ef4444'] };
let v = null;
const esc = (x) => String(x ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
const $ = (id) => document.getElementById(id);
let csrf = null;
async function post(path, body) {
  const r = await fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': csrf || '' }, body: JSON.stringify(body) });
  const j = await r.json().catch(() => ({}));
  if (r.status === 401 || r.status === 403) { if (path !== '/sign-in') await session(); }
  if (j.csrf) csrf = j.csrf;
  return j;
}
document.querySelectorAll('button[data-a]').forEach((b) => b.onclick = async () => {
  const r = await post('/action', { action: b.dataset.a });
  if (b.dataset.a === 'close' && r.ok) await session();
});
$('signOut').onclick = async () => { await post('/sign-out', {}); await session(); };
$('loginForm').onsubmit = async (e) => {
  e.preventDefault();
  $('loginMsg').textContent = '';
  const r = await post('/sign-in', { staff: $('staffId').value.trim(), pin: $('pin').value });
  $('pin').value = '';
  if (r.ok) await session();
  else $('loginMsg').textContent = (r.error && r.error.message) || '登录失败 sign-in refused';
};
let ws = null;
async function session() {
  const s = await (await fetch(base + '/session')).json();
  csrf = s.csrf;
  $('login').hidden = s.signedIn;
  $('desk').hidden = !s.signedIn;
  $('who').textContent = s.staff ? '· ' + s.staff : '';
  document.body.dataset.signedIn = String(s.signedIn);
  if (s.signedIn && !ws) connect();
  if (!s.signedIn && ws) { const w = ws; ws = null; w.onclose = null; w.close(); }
}
$('transfer').onclick = () => post('/action', { action: 'transfer', service: $('target').value });
$('target').onchange = () => post('/transfer-target', { service: $('target').value || null });
$('callTicket').onclick = () => post('/action', { action: 'call', ticket: $('ticketNo').value.trim().toUpperCase() });

// 7-segment digit as SVG: bit 6..0 = segments a..g, bit 7 = dp.
function seg(code) {
  const on = (b) => (code >> b) & 1 ? '#ff3b1f' : '#2a0a05';
  const H = (x, y, b) => `<polygon points="${x+4},${y} ${x+28},${y} ${x+32},${y+4} ${x+28},${y+8} ${x+4},${y+8} ${x},${y+4}" fill="${on(b)}"/>`;
  const V = (x, y, b) => `<polygon points="${x+4},${y} ${x+8},${y+4} ${x+8},${y+26} ${x+4},${y+30} ${x},${y+26} ${x},${y+4}" fill="${on(b)}"/>`;
  return `<svg width="44" height="72" viewBox="-2 -2 44 72">${H(2,0,6)}${V(30,4,5)}${V(30,34,4)}${H(2,60,3)}${V(0,34,2)}${V(0,4,1)}${H(2,30,0)}<circle cx="39" cy="66" r="3" fill="${on(7)}"/></svg>`;
}
function matrix(cols) {
  const px = 9; let s = `<svg width="${cols.length*px}" height="${8*px}">`;
  cols.forEach((c, x) => { for (let y = 0; y < 8; y++) s += `<circle cx="${x*px+px/2}" cy="${y*px+px/2}" r="${px/2-1}" fill="${(c>>y)&1 ? '#ff3b1f' : '#2a0a05'}"/>`; });
  return s + '</svg>';
}
function render() {
  if (!v) return;
  $('title').textContent = `${v.window.floor} · ${v.window.name}号窗口 Window ${v.window.name}`;
  const s = v.state;
  $('status').innerHTML = v.lost ? '<span class="lost">与控制器失去联系 — controller unreachable</span>'
    : s ? `状态 ${esc(s.status)}${s.staff ? ' · ' + esc(s.staff.name || s.staff.id) : ''} · 正在办理 serving: <b>${s.serving ? esc(s.serving.no) + (s.serving.startedAt ? ' (办理中 started)' : ' (已呼叫 called)') : '—'}</b> · 评价 rating: ${esc(s.rating)}` : '…';
  const b = v.board;
  if (b && b.cells) $('board').innerHTML = b.kind === 'digits' ? b.cells.map((c) => seg(Number(c))).join('') : matrix(b.cells.map(Number));
  else $('board').textContent = b ? b.text : '';
  $('boardText').textContent = b ? `"${b.text}"` : '';
  if (v.pad) {
    $('pad').innerHTML = v.pad.scores.filter((sc) => SCORE[sc]).map((sc) => { const [zh, col] = SCORE[sc]; const lit = v.pad.lit[sc];
      return `<div class="lamp ${lit ? 'on' : ''} ${v.simulated ? 'sim' : ''}" data-s="${esc(sc)}" style="${lit ? `background:${col};color:${col};border-color:${col}` : ''}"><span style="color:${lit ? '#111' : '#aaa'}">${zh}</span></div>`; }).join('');
    // The pad asks the citizen for a reason itself; staff only see that it does (textContent: no markup).
    $('padPhase').textContent = { dark: '熄灭 dark', lit: `亮起，等待评价 ${v.pad.ticket}`, thanks: '谢谢 thanks',
      reason: `市民正在评价器上选择原因 the citizen is choosing a reason on the pad${v.pad.asking ? ': ' + v.pad.asking.zh + ' ' + v.pad.asking.en : ''}` }[v.pad.phase] || '';
    if (v.simulated) document.querySelectorAll('.lamp').forEach((l) => l.onclick = () => post('/sim/pad', { score: l.dataset.s }));
  }
  if (!$('target').options.length) {
    $('target').innerHTML = '<option value="">转移到… target</option>' + v.services.map((x) => `<option value="${esc(x.id)}">${esc(x.name.zh)} ${esc(x.name.en)}</option>`).join('');
  }
  $('target').value = v.transferTarget || '';
  $('parked').innerHTML = v.parked.map((n) => `<button class="plain" data-p="${esc(n)}">${esc(n)}</button>`).join('');
  document.querySelectorAll('button[data-p]').forEach((b) => b.onclick = () => post('/action', { action: 'call', ticket: b.dataset.p }));
  $('history').innerHTML = v.history.map((h) => `<tr><td>${esc(new Date(h.at).toLocaleTimeString())}</td><td>${esc(h.source)}</td><td>${esc(h.what)}</td><td class="${h.ok ? 'ok' : 'err'}">${esc(h.detail)}</td></tr>`).join('');
}
function connect() {
  ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + base + '/ws');
  ws.onmessage = (e) => { const m = JSON.parse(e.data); if (m.type === 'view') { v = m.view; render(); } };
  ws.onclose = () => { ws = null; setTimeout(session, 1000); };
}
session();
