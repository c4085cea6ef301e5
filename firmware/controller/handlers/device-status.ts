// `device/{device}/status`: online/offline (the last will), for supervision's
// device-offline alerts. No reply; a bad one is only logged.
import type { InboundHandler } from './context.ts';

export const deviceStatus: InboundHandler<'device-status'> = {
  kind: 'device-status',
  onMessage: (c, status, from) => c.devices.status(from.device, status, c.clock.now()),
  onInvalid: (c, err, from) => c.log.warn({ device: from.device, kind: 'status', error: err.message }, 'bad device message'),
};
