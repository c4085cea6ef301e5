// The ticket status page's script (firmware/controller/status-page/html.ts): live position and
// where to go, set with textContent only.
const hall = { zh: document.body.dataset.hallZh, en: document.body.dataset.hallEn };
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
  const ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + location.pathname.replace(/\/$/, '') + '/live');
  ws.onopen = () => { $('live').textContent = T.live; };
  ws.onmessage = (e) => show(JSON.parse(e.data));
  ws.onclose = () => { $('live').textContent = T.lost; setTimeout(connect, 3000); };
}
connect();
