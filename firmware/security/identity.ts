// Who a connected MQTT client is, once authenticated. The broker asks the
// access rules (firmware/security/acl.ts) about every publish and subscribe.
import type { Role } from '../protocol/messages.ts';

export interface DeviceIdentity {
  /** Device id, as in `device/{device}/…`. */
  device: string;
  role: Role | 'maintainer';
  hall: string;
  /** The kiosk id a kiosk may publish for. */
  kiosk?: string;
  /** The window a counter may publish for. */
  window?: string;
}

export interface BrokerAuth {
  /** Resolves to the identity, or null to refuse the connection. */
  authenticate(clientId: string, username: string | undefined, password: Buffer | undefined): Promise<DeviceIdentity | null>;
  canPublish(who: DeviceIdentity, topic: string): boolean;
  canSubscribe(who: DeviceIdentity, filter: string): boolean;
}
