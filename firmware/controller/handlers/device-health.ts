// `device/{device}/health`: uptime and role health (a kiosk's printer), for
// supervision's printer alerts. No reply; a bad one is only logged.
import type { InboundHandler } from './context.ts';

export const deviceHealth: InboundHandler<'device-health'> = {
  kind: 'device-health',
  onMessage: (c, health, from) => c.devices.health(from.device, health, c.clock.now()),
  onInvalid: (c, err, from) => c.log.warn({ device: from.device, kind: 'health', error: err.message }, 'bad device message'),
};
