// Named topic builders and subscription filters, for readers who prefer
// `topics.kioskRequest(hall, k)` to `topicOf('kiosk-request', hall, {kiosk: k})`.
// Every string comes from the contract table (contract.ts); nothing is restated here.
import { filterOf, hallRoot, topicOf } from './contract.ts';

export {
  PROTOCOL_ROOT, NAME_RE, isName, hallRoot, parseTopic, publishOptions, topicOf, filterOf,
  type ParsedTopic,
} from './contract.ts';

export const topics = {
  kioskRequest: (hall: string, kiosk: string) => topicOf('kiosk-request', hall, { kiosk }),
  kioskReply: (hall: string, kiosk: string) => topicOf('kiosk-reply', hall, { kiosk }),
  windowCommand: (hall: string, window: string) => topicOf('window-command', hall, { window }),
  windowRating: (hall: string, window: string) => topicOf('window-rating', hall, { window }),
  windowReply: (hall: string, window: string) => topicOf('window-reply', hall, { window }),
  windowState: (hall: string, window: string) => topicOf('window-state', hall, { window }),
  hallState: (hall: string) => topicOf('hall-state', hall, {}),
  call: (hall: string) => topicOf('call', hall, {}),
  alert: (hall: string) => topicOf('alert', hall, {}),
  deviceStatus: (hall: string, device: string) => topicOf('device-status', hall, { device }),
  deviceHealth: (hall: string, device: string) => topicOf('device-health', hall, { device }),
  deviceUpdate: (hall: string, device: string) => topicOf('device-update', hall, { device }),
  deviceUpdateStatus: (hall: string, device: string) => topicOf('device-update-status', hall, { device }),
};

/** Subscription filters a receiver needs. */
export const filters = {
  kioskRequests: (hall: string) => filterOf('kiosk-request', hall),
  windowCommands: (hall: string) => filterOf('window-command', hall),
  windowRatings: (hall: string) => filterOf('window-rating', hall),
  windowStates: (hall: string) => filterOf('window-state', hall),
  deviceStatuses: (hall: string) => filterOf('device-status', hall),
  deviceHealths: (hall: string) => filterOf('device-health', hall),
  deviceUpdateStatuses: (hall: string) => filterOf('device-update-status', hall),
  all: (hall: string) => `${hallRoot(hall)}/#`,
};
