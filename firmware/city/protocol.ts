// What a hall and the city say to each other on the city's broker, under
// `manyi/v1/{hall}/city/…` (documented in firmware/protocol/README.md, "City").
// Plain MQTT 3.1.1/5 QoS 1 messages, so Mosquitto or a broker cluster (EMQX)
// carries them; one set of schemas that the forwarder and the city both import.
//
// The hall's event log is the outbox: the forwarder sends batches that say which
// seq they follow (`after`), the city stores a batch only when it follows what it
// already holds (nothing in between is missing) and answers with `ack` = the last
// seq it holds. A hall that reconnects says `hello` and resumes after the seq the
// city names. Duplicates are skipped by seq, so resending is always safe.
import { z } from 'zod';
import { HallConfig } from '../config/hall.ts';
import { Alert, IsoTime, Name, RequestId, Role } from '../protocol/messages.ts';
import { hallRoot, isName, PROTOCOL_ROOT } from '../protocol/topics.ts';
import { DayParam } from '../stats/range.ts';
import { HallEvent } from '../eventlog/schema.ts';
import type { LinkTopics } from '../bus/table-link.ts';

/** Largest batch a forwarder sends and the city takes (events). */
export const MAX_BATCH = 1000;
/** Largest city message the city parses (bytes): a full batch of large events fits. */
export const MAX_CITY_PAYLOAD = 4 * 1024 * 1024;

const Seq = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
/** Service days the city files (partitions by month): a wrong clock cannot make it create a partition for year 9999. */
const CityDay = DayParam.refine((d) => d >= '2000-01-01' && d <= '2099-12-31', 'day outside 2000–2099');

/** One event of the hall's log as the city files it: the event as the controller stored it (the log's own schema). */
export const LoggedEvent = z.object({
  seq: Seq.min(1),
  e: HallEvent,
}).strict().superRefine((x, ctx) => {
  const d = CityDay.safeParse(x.e.day);
  if (!d.success) ctx.addIssue({ code: 'custom', path: ['e', 'day'], message: d.error.issues[0].message });
});
export type LoggedEvent = z.infer<typeof LoggedEvent>;

export const EventBatch = z.object({
  /** The seq the first event follows in the hall's log (0 = the log's start): nothing lies between. */
  after: Seq,
  /** The last seq in the hall's log when the batch was sent (how far behind the city is). */
  logLast: Seq.optional(),
  events: z.array(LoggedEvent).min(1).max(MAX_BATCH),
}).strict().superRefine((b, ctx) => {
  let prev = b.after;
  b.events.forEach((ev, i) => {
    if (ev.seq <= prev) ctx.addIssue({ code: 'custom', path: ['events', i, 'seq'], message: `seq ${ev.seq} does not follow ${prev}` });
    prev = ev.seq;
  });
});
export type EventBatch = z.infer<typeof EventBatch>;

/** Hall → city on every (re)connection: "where shall I resume?" */
export const Hello = z.object({
  id: RequestId,
  at: IsoTime,
  /** The hall's log: its first and last seq now (0 when empty). */
  first: Seq,
  last: Seq,
  version: z.string().max(64),
}).strict();
export type Hello = z.infer<typeof Hello>;

/** City → hall: every event up to `seq` is stored. `hello` answers that hello; `refused` a batch that left a gap. */
export const Ack = z.object({
  seq: Seq,
  hello: RequestId.optional(),
  refused: z.boolean().optional(),
  at: IsoTime,
}).strict();
export type Ack = z.infer<typeof Ack>;

/** Hall → city, retained: the hall's configuration (services, windows, limits, staff names). */
export const HallInfo = z.object({ at: IsoTime, config: HallConfig }).strict();
export type HallInfo = z.infer<typeof HallInfo>;

/** Hall → city, retained: the alerts raised in the hall right now (replaces the last list). */
export const OpenAlerts = z.object({ at: IsoTime, alerts: z.array(Alert).max(5000) }).strict();
export type OpenAlerts = z.infer<typeof OpenAlerts>;

export const DeviceRow = z.object({
  id: Name,
  role: Role.optional(),
  online: z.boolean(),
  lastSeen: IsoTime,
  printer: z.string().max(32).optional(),
}).strict();
/** Hall → city, retained: the hall's devices as the controller last heard them. */
export const DeviceList = z.object({ at: IsoTime, devices: z.array(DeviceRow).max(5000) }).strict();
export type DeviceList = z.infer<typeof DeviceList>;

/** Hall → city: a closed day's totals as the hall's own statistics give them (the city checks its own against them). */
export const DayReport = z.object({
  day: CityDay,
  /** Events of the day the hall folded, and its last seq: the city compares only when it holds the same. */
  events: z.number().int().min(0),
  lastSeq: Seq,
  total: z.record(z.string(), z.unknown()),
}).strict();
export type DayReport = z.infer<typeof DayReport>;

/** Who speaks on the city broker: a hall (its controller's forwarder, only under its own hall id) or the city's instances. */
export type CityParty = 'hall' | 'city';

/**
 * The city link as a table, like the hall's contract (firmware/protocol/contract.ts):
 * topic after `manyi/v1/{hall}/`, schema, QoS, retain, who publishes and reads.
 * The city broker's ACL (access.ts) and the protocol reference's "City" region
 * are derived from it.
 */
export const CITY_CONTRACT = {
  events: { schema: EventBatch, qos: 1, retain: false, publish: 'hall', read: 'city', doc: 'a batch of the hall\'s event log: `{after, events: [{seq, e}]}`, `e` the event as the controller stored it' },
  hello: { schema: Hello, qos: 1, retain: false, publish: 'hall', read: 'city', doc: 'on every connection: where shall the hall resume? Answered by `ack` with `hello` = its id' },
  ack: { schema: Ack, qos: 1, retain: false, publish: 'city', read: 'hall', doc: 'every event up to `seq` is stored; `refused`: a batch left a gap, send again from `seq`' },
  hall: { schema: HallInfo, qos: 1, retain: true, publish: 'hall', read: 'city', doc: 'the hall\'s configuration (services, windows, limits, staff names)' },
  alerts: { schema: OpenAlerts, qos: 1, retain: true, publish: 'hall', read: 'city', doc: 'every alert raised in the hall now (replaces the previous list)' },
  devices: { schema: DeviceList, qos: 1, retain: true, publish: 'hall', read: 'city', doc: 'the hall\'s devices as the controller last heard them' },
  day: { schema: DayReport, qos: 1, retain: false, publish: 'hall', read: 'city', doc: 'a closed day\'s totals from the hall\'s own statistics, which the city checks its figures against' },
} as const satisfies Record<string, { schema: z.ZodType; qos: 0 | 1; retain: boolean; publish: CityParty; read: CityParty; doc: string }>;

export type CityKind = keyof typeof CITY_CONTRACT;
export const CITY_KINDS = Object.keys(CITY_CONTRACT) as CityKind[];

export const cityTopic = (hall: string, kind: CityKind) => `${hallRoot(hall)}/city/${kind}`;

/** What the city's instances subscribe to, as one shared group (each message goes to one instance). */
export function citySubscriptions(group: string): string[] {
  return CITY_KINDS.filter((k) => CITY_CONTRACT[k].read === 'city').map((k) => `$share/${group}/${PROTOCOL_ROOT}/+/city/${k}`);
}

/** Parses `manyi/v1/{hall}/city/{kind}`; null for anything else. */
export function parseCityTopic(topic: string): { hall: string; kind: CityKind } | null {
  const p = topic.split('/');
  if (p.length !== 5 || `${p[0]}/${p[1]}` !== PROTOCOL_ROOT || !isName(p[2]) || p[3] !== 'city') return null;
  const kind = p[4] as CityKind;
  return CITY_KINDS.includes(kind) ? { hall: p[2], kind } : null;
}

/** The city link's topics for its session (firmware/bus/table-link.ts): written and read back. */
export const CITY_TOPICS: LinkTopics<typeof CITY_CONTRACT, { hall: string }> = {
  topicOf: (kind, p) => cityTopic(p.hall, kind),
  parse: parseCityTopic,
};

/** The protocol reference's "City" region (firmware/protocol/README.md, rendered by firmware/maint/protocol-reference.ts). */
export function cityReference(): string[] {
  const who = { hall: 'the hall (its controller)', city: 'the city\'s instances' };
  return [
    '| kind | topic (after `manyi/v1/{hall}/`) | QoS | retained | published by | read by | what |',
    '|---|---|---|---|---|---|---|',
    ...CITY_KINDS.map((k) => {
      const r = CITY_CONTRACT[k];
      return `| \`city-${k}\` | \`city/${k}\` | ${r.qos} | ${r.retain ? 'yes' : 'no'} | ${who[r.publish]} | ${who[r.read]} | ${r.doc} |`;
    }),
  ];
}
