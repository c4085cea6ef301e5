// The manager's page in Chinese and English.
export type Lang = 'zh' | 'en';

const T = {
  title: ['管理看板', 'Manager'],
  from: ['从', 'From'], to: ['至', 'To'], show: ['查看', 'Show'], today: ['今天', 'Today'],
  live: ['实时', 'Live'], range: ['统计区间', 'Range'], days: ['天', 'days'],
  issued: ['取号', 'Issued'], served: ['办结', 'Served'], noShows: ['过号', 'No-shows'], transferred: ['转办', 'Transferred'],
  meanWait: ['平均等候', 'Mean wait'], p95Wait: ['95%等候', 'Wait p95'], withinLimit: ['限时内叫号', 'Called within limit'],
  meanService: ['平均办理', 'Mean service'], serviceOver: ['办理超时', 'Service over limit'], walk: ['走到窗口', 'Walk to window'],
  satisfaction: ['满意率', 'Satisfaction'], ratedShare: ['评价率', 'Rated'],
  idle: ['空闲', 'Idle'], paused: ['暂停', 'Paused'], busy: ['办理中', 'Busy'],
  arrivalsChart: ['每小时到达人数与开放窗口', 'Arrivals per hour and windows open'],
  arrivals: ['到达', 'Arrivals'], windowsOpen: ['开放窗口', 'Windows open'],
  waitsChart: ['全天等候时间（分钟，按到达时刻）', 'Waits through the day (min, by arrival)'],
  mean: ['平均', 'Mean'], p95: ['95%', 'p95'],
  satChart: ['各窗口满意度', 'Satisfaction per window'],
  daysChart: ['每日取号与办结', 'Issued and served per day'],
  services: ['业务', 'Services'], windows: ['窗口', 'Windows'], staff: ['工作人员', 'Staff'], hours: ['时段', 'Hours'],
  service: ['业务', 'Service'], window: ['窗口', 'Window'], person: ['姓名', 'Name'], hour: ['时段', 'Hour'],
  ranking: ['月度服务之星排名', 'Service star of the month'], rank: ['名次', 'Rank'], score: ['得分', 'Score'], rated: ['评价数', 'Ratings'],
  notRanked: ['评价不足', 'too few ratings'],
  queue: ['当前排队', 'Queues now'], waiting: ['等候', 'Waiting'], estWait: ['预计等候', 'Est. wait'], longest: ['最长等候', 'Longest wait'],
  status: ['状态', 'Status'], serving: ['正在办理', 'Serving'], open: ['开放', 'open'], closed: ['关闭', 'closed'],
  alerts: ['告警', 'Alerts'], noAlerts: ['无告警', 'No alerts'],
  csv: ['导出CSV', 'CSV'], json: ['JSON', 'JSON'], noData: ['该区间无数据', 'No events in this range'],
  min: ['分', 'min'], s: ['秒', 's'], wait: ['等候', 'wait'],
  staffing: ['排班建议：每小时各业务所需窗口', 'Staffing: windows needed per service and hour'],
  staffingFrom: ['依据本厅记录的同一星期日数：', 'From this hall\'s recorded days of that weekday:'],
  staffingCheck: ['（Erlang C；用仿真检验：', '(Erlang C; checked by simulation with'],
  staffingNone: ['尚无该星期日的记录。', 'No days of that weekday recorded yet.'],
  staffingPending: ['正在根据记录计算，请稍后刷新。', 'Being worked out from the recorded days: reload in a moment.'],
  'very-satisfied': ['非常满意', 'Very satisfied'], satisfied: ['满意', 'Satisfied'], basic: ['基本满意', 'Basic'],
  unsatisfied: ['不满意', 'Unsatisfied'], 'very-unsatisfied': ['非常不满意', 'Very unsatisfied'],
  definitions: ['满意率 =（非常满意+满意）÷ 评价数；评价率 = 评价数 ÷ 办结数；等候从到达算起至首次叫号。',
    'Satisfaction = (very satisfied + satisfied) ÷ ratings; rated = ratings ÷ served; wait runs from arrival to the first call.'],
} as const;

export type Key = keyof typeof T;
/** Every label of the page (tests check each has both languages). */
export const KEYS = Object.keys(T) as Key[];
export const t = (lang: Lang, k: Key): string => T[k][lang === 'zh' ? 0 : 1];
