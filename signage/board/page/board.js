// The lobby board's script (signage/board/page/index.html). Every value from the
// hall state, a call or the hall file goes through esc() before it reaches markup.
const params = new URLSearchParams(location.search);
const fixedLang = params.get('lang'); // zh | en | (none: alternate)
const FLASH_MS = Number(params.get('flashMs') || 6000);
let lang = fixedLang === 'en' ? 'en' : 'zh';
let view = null, flashTimer = null, lastMsgAt = Date.now(), socketUp = false;
// The hall's clock minus this browser's, from the last view: the clock shows hall
// time in the hall's zone (a demo's shifted clock, a screen set to another zone).
let skewMs = 0;
const T = {
  zh: { now: '正在呼叫', recent: '最近呼叫', svc: '排队情况', svcName: '业务', waiting: '等候人数', wait: '预计等候', min: '分钟', advice: '温馨提示', stale: '信息暂停更新，请以窗口屏为准', again: '再次呼叫', none: '暂无呼叫',
        status: { open: '空闲', paused: '暂停', closed: '关闭' }, other: '其他楼层' },
  en: { now: 'Now calling', recent: 'Recent calls', svc: 'Queues', svcName: 'Service', waiting: 'Waiting', wait: 'Est. wait', min: 'min', advice: 'Advice', stale: 'Information may be out of date — see the window displays', again: 'Calling again', none: 'No calls yet',
        status: { open: 'Free', paused: 'Paused', closed: 'Closed' }, other: 'Other floors' },
};
const $ = (id) => document.getElementById(id);
const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
const where = (c) => lang === 'zh' ? `请到 ${esc(c.floorName.zh)} ${esc(c.windowName)}号窗口` : `Window ${esc(c.windowName)}, ${esc(c.floorName.en)}`;
const mins = (s) => Math.max(1, Math.round(s / 60));
function render() {
  const t = T[lang];
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  $('nowLabel').textContent = t.now; $('svcLabel').textContent = t.svc; $('adviceLabel').textContent = t.advice;
  $('stale').textContent = t.stale;
  if (!view) { document.body.classList.add('no-advice'); return; }
  $('hall').textContent = view.hall[lang];
  $('floor').textContent = view.floor || '';
  document.body.classList.toggle('stale', view.stale || !socketUp);
  const [first, ...rest] = view.calls;
  $('now').className = first ? '' : 'empty';
  $('now').querySelector('.no').textContent = first ? first.no : '----';
  $('now').querySelector('.where').innerHTML = first ? where(first) : t.none;
  $('recent').innerHTML = rest.slice(0, 5).map((c) => `<div><span class="rno">${esc(c.no)}</span><span class="rwhere fit">${where(c)}</span></div>`).join('');
  // As many whole rows as the panel has room for at this size: never half a call.
  const recent = $('recent');
  while (recent.lastElementChild && recent.lastElementChild.offsetTop + recent.lastElementChild.offsetHeight > recent.offsetTop + recent.clientHeight) recent.lastElementChild.remove();
  $('services').innerHTML = '<colgroup><col><col class="n"><col class="n"></colgroup>' + `<tr><th>${t.svcName}</th><th class="n">${t.waiting}</th><th class="n">${t.wait}</th></tr>` +
    view.services.map((s) => `<tr><td class="name"><span>${esc(s.name[lang])}</span></td><td class="n">${esc(s.waiting)}</td><td class="n">${s.waiting ? esc(mins(s.estWaitS)) + ' ' + t.min : '—'}</td></tr>`).join('');
  $('windows').innerHTML = view.windows.map((w) => `<div class="win ${esc(w.status)}"><b>${esc(w.name)}</b> <span class="s">${w.status === 'open' ? esc(w.serving || t.status.open) : esc(t.status[w.status])}</span></div>`).join('');
  $('others').innerHTML = view.others.length ? `${t.other}: ` + view.others.map((o) => `${esc(o.floorName[lang])} ` + o.services.map((s) => `${esc(s.name[lang])} ${esc(s.waiting)}`).join(' · ')).join('；') : '';
  const advice = view.advice.map((a) => a.text[lang]).join('　　');
  $('advice').textContent = advice;
  // No advice, no footer: a label with nothing after it says nothing.
  document.body.classList.toggle('no-advice', !advice);
}
/** Scales the 1920×1080 layout to the screen it is shown on. */
function fit() {
  const s = Math.min(innerWidth / 1920, innerHeight / 1080);
  document.body.style.transform = s === 1 ? '' : `scale(${s})`;
}
addEventListener('resize', () => { fit(); render(); });
fit();
function flash(c) {
  const f = $('flash');
  f.querySelector('.again').textContent = c.recall ? T[lang].again : '';
  f.querySelector('.no').textContent = c.no;
  f.querySelector('.where').innerHTML = where(c);
  f.classList.remove('on'); void f.offsetWidth; f.classList.add('on');
  clearTimeout(flashTimer);
  flashTimer = setTimeout(() => f.classList.remove('on'), FLASH_MS);
}
function connect() {
  const ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + location.pathname.replace(/\/$/, '') + '/ws');
  ws.onopen = () => { socketUp = true; };
  ws.onmessage = (e) => {
    lastMsgAt = Date.now();
    const m = JSON.parse(e.data);
    view = m.view;
    if (typeof view.now === 'number') skewMs = view.now - Date.now();
    tick();
    render();
    if (m.type === 'call') {
      flash(m.call);
      // For tests and the benchmark: which call is shown, and when (epoch ms).
      document.body.dataset.lastCall = m.call.no;
      window.__shown = { no: m.call.no, at: performance.timeOrigin + performance.now() };
      window.dispatchEvent(new CustomEvent('manyi-call', { detail: window.__shown }));
    }
  };
  ws.onclose = () => { socketUp = false; render(); setTimeout(connect, 1000); };
}
function tick() {
  if (!view) return; // no hall time known yet: no clock rather than a wrong one
  const d = new Date(Date.now() + skewMs);
  let text;
  try { text = d.toLocaleTimeString('zh-CN', { hour12: false, timeZone: view.timeZone }); } catch { text = d.toLocaleTimeString('zh-CN', { hour12: false }); }
  $('clock').textContent = text;
}
setInterval(tick, 1000); tick();
if (!fixedLang) setInterval(() => { lang = lang === 'zh' ? 'en' : 'zh'; render(); }, 10000);
render();
connect();
