// Topic builders and the one parser for `manyi/v1/{hall}/…`. Every sender builds
// its topics here and every receiver parses them here, so a typo cannot split the
// hall into two halves that never hear each other.

export const PROTOCOL_ROOT = 'manyi/v1';

/** `{hall}`, `{kiosk}`, `{window}`, `{device}` per the contract. */
export const NAME_RE = /^[a-z0-9][a-z0-9-]{0,47}$/;

export function isName(s: unknown): s is string {
  return typeof s === 'string' && NAME_RE.test(s);
}

function name(kind: string, s: string): string {
  if (!isName(s)) throw new Error(`invalid ${kind} name ${JSON.stringify(s)}: expected [a-z0-9][a-z0-9-]{0,47}`);
  return s;
}

export function hallRoot(hall: string): string {
  return `${PROTOCOL_ROOT}/${name('hall', hall)}`;
}

export const topics = {
  kioskRequest: (hall: string, kiosk: string) => `${hallRoot(hall)}/kiosk/${name('kiosk', kiosk)}/request`,
  kioskReply: (hall: string, kiosk: string) => `${hallRoot(hall)}/kiosk/${name('kiosk', kiosk)}/reply`,
  windowCommand: (hall: string, win: string) => `${hallRoot(hall)}/window/${name('window', win)}/command`,
  windowRating: (hall: string, win: string) => `${hallRoot(hall)}/window/${name('window', win)}/rating`,
  windowReply: (hall: string, win: string) => `${hallRoot(hall)}/window/${name('window', win)}/reply`,
  windowState: (hall: string, win: string) => `${hallRoot(hall)}/window/${name('window', win)}/state`,
  hallState: (hall: string) => `${hallRoot(hall)}/state`,
  call: (hall: string) => `${hallRoot(hall)}/call`,
  alert: (hall: string) => `${hallRoot(hall)}/alert`,
  deviceStatus: (hall: string, dev: string) => `${hallRoot(hall)}/device/${name('device', dev)}/status`,
  deviceHealth: (hall: string, dev: string) => `${hallRoot(hall)}/device/${name('device', dev)}/health`,
  deviceUpdate: (hall: string, dev: string) => `${hallRoot(hall)}/device/${name('device', dev)}/update`,
  deviceUpdateStatus: (hall: string, dev: string) => `${hallRoot(hall)}/device/${name('device', dev)}/update/status`,
};

/** Subscription filters a receiver needs. */
export const filters = {
  kioskRequests: (hall: string) => `${hallRoot(hall)}/kiosk/+/request`,
  windowCommands: (hall: string) => `${hallRoot(hall)}/window/+/command`,
  windowRatings: (hall: string) => `${hallRoot(hall)}/window/+/rating`,
  windowStates: (hall: string) => `${hallRoot(hall)}/window/+/state`,
  deviceStatuses: (hall: string) => `${hallRoot(hall)}/device/+/status`,
  deviceHealths: (hall: string) => `${hallRoot(hall)}/device/+/health`,
  deviceUpdateStatuses: (hall: string) => `${hallRoot(hall)}/device/+/update/status`,
  all: (hall: string) => `${hallRoot(hall)}/#`,
};

export type ParsedTopic =
  | { hall: string; kind: 'kiosk-request' | 'kiosk-reply'; kiosk: string }
  | { hall: string; kind: 'window-command' | 'window-rating' | 'window-reply' | 'window-state'; window: string }
  | { hall: string; kind: 'hall-state' | 'call' | 'alert' }
  | { hall: string; kind: 'device-status' | 'device-health' | 'device-update' | 'device-update-status'; device: string };

const KIOSK_KINDS: Record<string, 'kiosk-request' | 'kiosk-reply'> = { request: 'kiosk-request', reply: 'kiosk-reply' };
const WINDOW_KINDS: Record<string, 'window-command' | 'window-rating' | 'window-reply' | 'window-state'> = {
  command: 'window-command', rating: 'window-rating', reply: 'window-reply', state: 'window-state',
};
const HALL_KINDS: Record<string, 'hall-state' | 'call' | 'alert'> = { state: 'hall-state', call: 'call', alert: 'alert' };
const DEVICE_KINDS: Record<string, 'device-status' | 'device-health' | 'device-update'> = {
  status: 'device-status', health: 'device-health', update: 'device-update',
};

/** Parses a contract topic; returns null for anything that is not one (never throws). */
export function parseTopic(topic: string): ParsedTopic | null {
  const parts = topic.split('/');
  if (parts.length < 4 || parts[0] !== 'manyi' || parts[1] !== 'v1' || !isName(parts[2])) return null;
  const hall = parts[2];
  const rest = parts.slice(3);
  if (rest.length === 1 && HALL_KINDS[rest[0]]) return { hall, kind: HALL_KINDS[rest[0]] };
  if (rest.length === 3 && rest[0] === 'kiosk' && isName(rest[1]) && KIOSK_KINDS[rest[2]]) {
    return { hall, kind: KIOSK_KINDS[rest[2]], kiosk: rest[1] };
  }
  if (rest.length === 3 && rest[0] === 'window' && isName(rest[1]) && WINDOW_KINDS[rest[2]]) {
    return { hall, kind: WINDOW_KINDS[rest[2]], window: rest[1] };
  }
  if (rest[0] === 'device' && isName(rest[1])) {
    if (rest.length === 3 && DEVICE_KINDS[rest[2]]) return { hall, kind: DEVICE_KINDS[rest[2]], device: rest[1] };
    if (rest.length === 4 && rest[2] === 'update' && rest[3] === 'status') return { hall, kind: 'device-update-status', device: rest[1] };
  }
  return null;
}

/** Which retained flag and QoS a topic kind is published with (contract: "Rules"). */
export function publishOptions(kind: ParsedTopic['kind']): { qos: 0 | 1; retain: boolean } {
  const retained = kind === 'window-state' || kind === 'hall-state' || kind === 'device-status' || kind === 'device-update' || kind === 'device-update-status';
  return { qos: kind === 'device-health' ? 0 : 1, retain: retained };
}
