// The hall's side of the city link: ships the controller's event log to the
// city's broker, treating the log as its outbox. It never holds events of its own:
// on every connection it says `hello`, the city answers with the last seq it
// holds, and the forwarder sends what follows, a few batches ahead of the acks.
// A batch the city does not acknowledge in time (a city instance died, the broker
// restarted) is sent again from the last ack; repeats are skipped by the city. So
// an outage of any length costs nothing but the time to catch up, and the hall
// never waits for the city: the forwarder only reads the log.
//
// It also keeps the city's view of the hall current with retained messages: the
// hall's configuration, its open alerts and its devices (each re-sent on every
// connection, since a restarted broker may have lost them), and each closed day's
// totals from the hall's own statistics, which the city checks its figures against.
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteStore } from '../eventlog/sqlite-store.ts';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { HallConfig } from '../config/hall.ts';
import { isoLocal, type Clock } from '../lib/time.ts';
import type { Alert } from '../protocol/messages.ts';
import { createBackoff, type BackoffOptions } from '../runtime/backoff.ts';
import { firmwareVersion } from '../runtime/version.ts';
import { finalize } from '../stats/figures.ts';
import { prevDay, StatsStore } from '../stats/store.ts';
import { CityLink, type CityLinkInput } from './link.ts';
import { TableLink } from '../bus/table-link.ts';
import { CITY_CONTRACT, CITY_TOPICS, cityTopic, type Ack, type CityKind, type DeviceList } from './protocol.ts';

export { CityLink, type CityLinkInput } from './link.ts';


export interface ForwarderOptions {
  hall: HallConfig;
  /** The controller's event log (read, never written): the outbox. */
  events: SqliteStore;
  link: CityLinkInput;
  clock: Clock;
  log: Logger;
  /** Alerts raised in the hall now (the supervisor's list). */
  alerts?: () => Alert[];
  /** Devices as the controller last heard them. */
  devices?: () => DeviceList['devices'];
  backoff?: BackoffOptions;
  /** Milliseconds between looks at the log for new events (besides `notify()`). */
  pollMs?: number;
}

export interface ForwarderStatus {
  connected: boolean;
  /** The city answered this connection's hello. */
  synced: boolean;
  /** Last seq the city acknowledged. */
  acked: number;
  /** Last seq sent. */
  sent: number;
  /** Last seq in the hall's log. */
  last: number;
  /** Events the city does not hold yet. */
  behind: number;
}

interface InFlight { last: number; sentAt: number }

export class CityForwarder {
  private readonly link: CityLink;
  private client?: MqttClient;
  /** The session's messages, decoded against the city link's table (firmware/bus/table-link.ts). */
  private session?: TableLink<typeof CITY_CONTRACT, { hall: string }>;
  private synced = false;
  private helloId = '';
  private helloAt = 0;
  private acked = 0;
  private sent = 0;
  private inflight: InFlight[] = [];
  private timer?: NodeJS.Timeout;
  private lastAlerts = '';
  private lastDevices = '';
  private devicesAt = 0;
  private reportedToday = '';
  private toReport: string[] = [];
  private stats?: StatsStore;
  private readonly bounds_: BetterSqlite3.Statement;
  private readonly hallId: string;
  private stopped = false;
  private corrupt = false;

  constructor(private readonly o: ForwarderOptions) {
    this.link = CityLink.parse(o.link);
    this.hallId = o.hall.hall.id;
    this.bounds_ = o.events.db.prepare('SELECT COALESCE(MIN(seq), 0) AS first, COALESCE(MAX(seq), 0) AS last FROM events');
  }

  /** Starts connecting in the background; never waits for the city (the hall serves without it). */
  start(): void {
    const l = this.link;
    const maxMs = l.reconnectMaxS * 1000;
    const backoff = createBackoff({ initialMs: Math.min(1000, maxMs), maxMs, ...this.o.backoff });
    const opts: IClientOptions = {
      protocolVersion: 4, clean: true, keepalive: 30, connectTimeout: 10_000, reconnectPeriod: 1000,
      clientId: `manyi-hall-${this.hallId}-${randomBytes(3).toString('hex')}`,
      resubscribe: true,
    };
    if (l.username !== undefined) opts.username = l.username;
    if (l.password !== undefined) opts.password = l.password;
    if (l.ca) opts.ca = readFileSync(l.ca);
    const client = mqtt.connect(l.url, opts);
    this.client = client;
    client.prependListener('close', () => { client.options.reconnectPeriod = backoff.next(); });
    client.on('connect', () => {
      (client.stream as { setNoDelay?: (v: boolean) => void }).setNoDelay?.(true);
      backoff.reset();
      this.o.log.info({ city: l.url }, 'city link up');
      this.onConnect();
    });
    client.on('close', () => { this.synced = false; this.inflight = []; });
    client.on('offline', () => this.o.log.warn({ city: l.url }, 'city unreachable; the hall keeps its events and retries'));
    client.on('error', (e) => { if (!this.stopped) this.o.log.warn({ err: e.message }, 'city link error'); });
    const session = this.session = new TableLink(client, CITY_CONTRACT, CITY_TOPICS, {
      maxBytes: 4096,
      onReject: (r) => { if (r.reason === 'invalid') this.o.log.warn({ error: r.message }, 'city: bad acknowledgement'); },
    });
    session.on('ack', (a, from) => { if (from.hall === this.hallId) this.onAck(a); });
    this.timer = setInterval(() => this.tick(), this.o.pollMs ?? 500);
    this.timer.unref();
  }

  /** New events were stored: send them now rather than at the next poll. */
  notify(): void {
    if (this.synced) this.pump();
  }

  status(): ForwarderStatus {
    const { last } = this.bounds();
    return {
      connected: !!this.client?.connected, synced: this.synced, acked: this.acked, sent: this.sent, last,
      behind: Math.max(0, last - this.acked),
    };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    const c = this.client;
    if (c) await c.endAsync(!c.connected).catch(() => undefined);
  }

  // ---- connection --------------------------------------------------------

  private iso(): string { return isoLocal(this.o.clock.now(), this.o.hall.hall.timezone); }
  private bounds(): { first: number; last: number } { return this.bounds_.get() as { first: number; last: number }; }

  /** QoS and retain as the city link's table has them. */
  private send<K extends CityKind>(kind: K, payload: z.infer<(typeof CITY_CONTRACT)[K]['schema']>): void {
    void this.session?.publish(kind, { hall: this.hallId }, payload);
  }

  private onConnect(): void {
    this.synced = false;
    this.inflight = [];
    this.session!.subscribe([cityTopic(this.hallId, 'ack')]).then(() => {
      this.hello();
      this.send('hall', { at: this.iso(), config: this.o.hall });
      this.lastAlerts = '';
      this.lastDevices = '';
      this.reportedToday = '';
      this.snapshots();
    }, (err: Error) => { this.o.log.warn({ err: err.message }, 'city: cannot subscribe to acknowledgements'); });
  }

  private hello(): void {
    const { first, last } = this.bounds();
    this.helloId = `h-${randomBytes(6).toString('hex')}`;
    this.helloAt = performance.now();
    this.send('hello', { id: this.helloId, at: this.iso(), first, last, version: firmwareVersion() });
  }

  private onAck(a: Ack): void {
    if (a.hello !== undefined) {
      if (a.hello !== this.helloId) return; // an answer to an earlier connection's hello
      const { last } = this.bounds();
      if (a.seq > last) this.o.log.error({ city: a.seq, hall: last }, 'the city holds more of this hall than its log: was the database replaced?');
      this.synced = true;
      this.acked = a.seq;
      this.sent = a.seq;
      this.inflight = [];
      this.o.log.info({ acked: a.seq, behind: Math.max(0, last - a.seq) }, 'city link in sync');
      this.pump();
      return;
    }
    if (!this.synced) return;
    if (a.seq > this.acked) {
      this.acked = a.seq;
      this.inflight = this.inflight.filter((b) => b.last > a.seq);
      if (this.sent < this.acked) this.sent = this.acked;
      if (this.inflight.length) this.inflight[0].sentAt = performance.now();
    }
    if (a.refused) {
      // The city lacks something before a batch we sent (another batch still on its
      // way, or lost): send again from what it holds.
      this.sent = this.acked;
      this.inflight = [];
    }
    this.pump();
  }

  /** Sends batches after `sent` while fewer than `window` are unacknowledged. */
  private pump(): void {
    const c = this.client;
    while (c?.connected && this.synced && this.inflight.length < this.link.window) {
      let rows: ReturnType<SqliteStore['after']>;
      try {
        rows = this.o.events.after(this.sent, this.link.batch);
      } catch (e) {
        // A damaged row: the city must not get a hole, so the link stops here, loudly.
        if (!this.corrupt) this.o.log.error({ after: this.sent, err: (e as Error).message }, 'city link stopped: the event log cannot be read');
        this.corrupt = true;
        return;
      }
      this.corrupt = false;
      if (!rows.length) return;
      this.send('events', { after: this.sent, logLast: this.bounds().last, events: rows.map((r) => ({ seq: r.seq, e: r.event })) });
      this.sent = rows[rows.length - 1].seq;
      this.inflight.push({ last: this.sent, sentAt: performance.now() });
    }
  }

  private tick(): void {
    if (this.stopped || !this.client?.connected) return;
    const timeoutMs = this.link.ackTimeoutS * 1000;
    if (!this.synced) {
      if (performance.now() - this.helloAt > timeoutMs) this.hello(); // no city instance answered yet
      return;
    }
    if (this.inflight.length && performance.now() - this.inflight[0].sentAt > timeoutMs) {
      this.o.log.warn({ acked: this.acked, sent: this.sent }, 'city did not acknowledge in time; sending again from its last ack');
      this.sent = this.acked;
      this.inflight = [];
    }
    this.pump();
    this.snapshots();
  }

  /** Alerts and devices when they changed (devices at least once a minute); closed days' totals once a day. */
  private snapshots(): void {
    if (this.o.alerts) {
      const alerts = this.o.alerts();
      const key = JSON.stringify(alerts);
      if (key !== this.lastAlerts) {
        this.lastAlerts = key;
        this.send('alerts', { at: this.iso(), alerts });
      }
    }
    if (this.o.devices) {
      const devices = this.o.devices();
      const key = JSON.stringify(devices.map((d) => [d.id, d.online, d.printer]));
      if (key !== this.lastDevices || performance.now() - this.devicesAt > 60_000) {
        this.lastDevices = key;
        this.devicesAt = performance.now();
        this.send('devices', { at: this.iso(), devices });
      }
    }
    this.reportDays();
  }

  /** One closed day per tick (folding an uncached busy day takes a few hundred ms: spread them out). */
  private reportDays(): void {
    const n = this.link.reportDays;
    if (!n) return;
    this.stats ??= new StatsStore(this.o.events.db, this.o.hall, () => this.o.clock.now());
    const today = this.stats.today();
    if (this.reportedToday !== today) {
      this.reportedToday = today;
      this.toReport = [];
      for (let i = 0, day = today; i < n; i++) { day = prevDay(day); this.toReport.push(day); }
    }
    const day = this.toReport.shift();
    if (!day || !this.stats.daysWithEvents(day, day).length) return;
    const s = this.stats.day(day);
    this.send('day', { day, events: s.events, lastSeq: s.lastSeq, total: { ...finalize(s.total) } });
  }
}
