// The contract's access rules (PROTOCOL.md "Access"), derived from the contract
// table (firmware/protocol/contract.ts: who may publish and read each kind): what
// each identity may publish and read, as MQTT topic filters. The embedded broker
// asks `canPublish`/`canSubscribe`; the Mosquitto `acl_file` is generated from the
// same `grants()`, so the two brokers cannot drift apart.
import { CONTRACT, KINDS, READS_WHOLE_HALL, SELF_HOLE, filterOf, hallRoot, holes, type Kind, type Party } from '../protocol/contract.ts';
import type { DeviceIdentity } from './identity.ts';

export interface Grants {
  /** Filters the identity may publish on (each names concrete topics or `+` levels). */
  publish: string[];
  /** Filters the identity may read; a subscription must lie inside one of them. */
  read: string[];
}

/** The parties an identity speaks as, most specific first, with the ids it binds. */
function partiesOf(who: DeviceIdentity): { parties: Party[]; self: Record<string, string> } {
  const self: Record<string, string> = {};
  const parties: Party[] = [];
  if (!['controller', 'kiosk', 'counter', 'board', 'maintainer'].includes(who.role)) return { parties, self };
  if (who.role !== 'maintainer') { parties.push('device:self'); self.device = who.device; }
  if (who.role === 'kiosk' && who.kiosk) { parties.push('kiosk:self'); self.kiosk = who.kiosk; }
  if (who.role === 'counter' && who.window) { parties.push('counter:self'); self.window = who.window; }
  if (who.role === 'controller') parties.push('controller');
  if (who.role === 'maintainer') parties.push('maintainer');
  parties.push('any');
  return { parties, self };
}

/** The filter a party may use for a kind: its own ids fixed, every other hole open. */
function filterFor(kind: Kind, hall: string, party: Party, self: Record<string, string>): string | null {
  const hole = SELF_HOLE[party];
  if (!hole) return filterOf(kind, hall, 'any');
  if (!holes(kind).includes(hole)) return null; // e.g. `kiosk:self` on a topic with no {kiosk}
  return filterOf(kind, hall, { [hole]: self[hole] } as never);
}

/** Everything an identity may do, from the contract table. Unknown roles get nothing. */
export function grants(who: DeviceIdentity): Grants {
  const { parties, self } = partiesOf(who);
  const g: Grants = { publish: [], read: [] };
  if (parties.length === 0) return g;
  const add = (list: string[], f: string | null) => { if (f && !list.includes(f)) list.push(f); };
  const wholeHall = parties.some((p) => READS_WHOLE_HALL.includes(p));
  for (const p of parties) {
    for (const kind of KINDS) {
      const row = CONTRACT[kind];
      if ((row.publish as readonly Party[]).includes(p)) add(g.publish, filterFor(kind, who.hall, p, self));
      if (!wholeHall && (row.read as readonly Party[]).includes(p)) add(g.read, filterFor(kind, who.hall, p, self));
    }
  }
  if (wholeHall) g.read = [`${hallRoot(who.hall)}/#`];
  return g;
}

/** True when a concrete topic matches an MQTT filter (`+`, `#`). */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return i === f.length - 1;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

/** True when every topic matched by `inner` is also matched by `outer`. */
export function filterWithin(outer: string, inner: string): boolean {
  const o = outer.split('/');
  const n = inner.split('/');
  for (let i = 0; i < o.length; i++) {
    if (o[i] === '#') return i === o.length - 1;
    if (i >= n.length) return false;
    if (n[i] === '#') return false; // inner reaches deeper than this outer level allows
    if (o[i] === '+') continue;
    if (n[i] === '+' || n[i] !== o[i]) return false;
  }
  return o.length === n.length;
}

function validTopic(topic: string): boolean {
  return topic.length > 0 && !topic.includes('+') && !topic.includes('#') && !topic.startsWith('$') && !topic.includes('\0');
}

/** Grants per identity object (treated as immutable): a broker asks about the same client on every message. */
const cache = new WeakMap<DeviceIdentity, Grants>();
function cachedGrants(who: DeviceIdentity): Grants {
  let g = cache.get(who);
  if (!g) { g = grants(who); cache.set(who, g); }
  return g;
}

export function canPublish(who: DeviceIdentity, topic: string): boolean {
  if (!validTopic(topic)) return false;
  return cachedGrants(who).publish.some((f) => topicMatches(f, topic));
}

/** A subscription is allowed when it lies entirely inside what the identity may read. */
export function canSubscribe(who: DeviceIdentity, filter: string): boolean {
  if (filter.length === 0 || filter.startsWith('$') || filter.includes('\0')) return false;
  return cachedGrants(who).read.some((f) => filterWithin(f, filter));
}

/** Mosquitto `acl_file` text for these identities: one `user` block each, from `grants()`. */
export function mosquittoAcl(identities: DeviceIdentity[]): string {
  const lines = ['# Generated by `manyi` from the contract table (firmware/protocol/contract.ts). Do not edit: re-run `manyi mosquitto-files`.', ''];
  for (const who of identities) {
    const g = grants(who);
    lines.push(`user ${who.device}`);
    for (const f of g.publish) lines.push(`topic write ${f}`);
    for (const f of g.read) lines.push(`topic read ${f}`);
    lines.push('');
  }
  return lines.join('\n');
}
