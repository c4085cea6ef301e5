// Statistics over the controller's event store. The page and API are mounted with
// `mountManagerPages` (manager/index.ts: the manager's page, /manager); see API.md.
export { StatsStore, ensureStatsSchema } from './store.ts';
export { rangeStats, staffRanking, checkRange, type RangeStats, type RankEntry } from './range.ts';
export { finalize, type Figures } from './figures.ts';
export { mountStatsApi } from './api.ts';
export { driveWeek, type WeekOptions } from './demo-week.ts';

