export { evaluateAlerts, isOpenHours, type SupervisionInput, type SupervisionOptions } from './evaluate.ts';
export { AlertTracker, Supervisor } from './tracker.ts';
export { DeviceWatch, RecentRatings, supervisionInput, type ModelView } from './sources.ts';
