// A city on one machine, for the integration tests, the screenshot and the bench:
// PostgreSQL, the city's Mosquitto (accounts and ACL as `manyi city-account`
// writes them), city instances reaching it through one link, and hall controllers
// (the real controller service over its own embedded broker, SQLite event log)
// that join the city through their own links, which a test can cut.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../firmware/broker/embedded.ts';
import { addCityAccount, cityMosquittoConf } from '../../firmware/city/access.ts';
import type { CityLinkInput } from '../../firmware/city/link.ts';
import { startCity, type CityService } from '../../firmware/city/service.ts';
import { loadHallConfig, type HallConfig } from '../../firmware/config/hall.ts';
import { startController, type Controller } from '../../firmware/controller/service.ts';
import { startCityForwarding, type CityPart } from '../../firmware/city/controller-link.ts';
import { SqliteStore } from '../../firmware/eventlog/sqlite-store.ts';
import { startMosquitto, type RunningMosquitto } from '../setup/mosquitto.ts';
import { startPostgres, type RunningPostgres } from '../setup/postgres.ts';
import { quiet, startLink, type Link } from './helpers.ts';
import { MqttBus } from '../../firmware/bus/mqtt-bus.ts';

export interface City {
  pg: RunningPostgres;
  dbUrl: string;
  broker: RunningMosquitto;
  /** The city instances' way to the broker (retargeted when the broker restarts). */
  cityLink: Link;
  instances: CityService[];
  startInstance(name: string): Promise<CityService>;
  /** A new hall account on the city broker; returns its password. */
  addHall(id: string): string;
  /** Stops the broker (every session and retained message lost) and starts a new one behind the same links. */
  restartBroker(): Promise<void>;
  links: Link[];
  stop(): Promise<void>;
}

export async function startCityStack(o: { durable?: boolean } = {}): Promise<City> {
  const dir = mkdtempSync(join(tmpdir(), 'manyi-city-'));
  const svc = addCityAccount(dir, { service: 'ingest' });
  const passwords = new Map<string, string>();
  const conf = () => ['user root', ...cityMosquittoConf(dir)].join('\n');
  const [pg, broker0] = await Promise.all([startPostgres({ durable: o.durable }), startMosquitto({ config: conf() })]);
  const dbUrl = await pg.createDatabase('city');
  const cityLink = await startLink(broker0.port);
  const links: Link[] = [cityLink];
  const city: City = {
    pg, dbUrl, broker: broker0, cityLink, instances: [], links,
    async startInstance(name) {
      const c = await startCity({
        db: dbUrl, broker: { url: cityLink.url, username: svc.username, password: svc.password }, instance: name, log: quiet, gapWaitMs: 300,
      });
      city.instances.push(c);
      return c;
    },
    addHall(id) {
      const p = addCityAccount(dir, { hall: id }).password;
      passwords.set(id, p);
      // Mosquitto reads its password and ACL files at start and on SIGHUP.
      process.kill(city.broker.pid, 'SIGHUP');
      return p;
    },
    async restartBroker() {
      for (const l of links) l.cut();
      await city.broker.stop();
      city.broker = await startMosquitto({ config: conf() });
      for (const l of links) { l.retarget(city.broker.port); l.restore(); }
    },
    async stop() {
      await Promise.all(city.instances.map((c) => c.stop().catch(() => undefined)));
      for (const l of links) await l.close();
      await city.broker.stop();
      await pg.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return city;
}

/** A clock the test moves (the controller's engine and supervision read it). */
export class TestClock {
  constructor(public t: number) {}
  now(): number { return this.t; }
}

export interface TestHall {
  id: string;
  config: HallConfig;
  dbPath: string;
  clock: TestClock;
  link: Link;
  controller: Controller;
  /** The hall's city part: how far the city has acknowledged its log. */
  city: CityPart;
  store: SqliteStore;
  /** Stops the controller and starts it again on the same database (a hall's restart). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startHall(city: City, id: string, name: { zh: string; en: string }, o: { clock: TestClock; link?: Partial<CityLinkInput> }): Promise<TestHall> {
  const base = loadHallConfig();
  const config: HallConfig = { ...base, hall: { ...base.hall, id, name } };
  const password = city.addHall(id);
  const link = await startLink(city.broker.port);
  city.links.push(link);
  const dir = mkdtempSync(join(tmpdir(), `manyi-hall-${id}-`));
  const dbPath = join(dir, 'controller.db');
  const cityBlock: CityLinkInput = {
    url: link.url, username: id, password, batch: 200, window: 4, ackTimeoutS: 2, reconnectMaxS: 0.3, reportDays: 3, ...o.link,
  };
  let broker: EmbeddedBroker;
  let client: MqttClient;
  const start = async () => {
    broker = await startEmbeddedBroker({ port: 0, host: '127.0.0.1' });
    client = await mqtt.connectAsync(broker.url, { protocolVersion: 4 });
    // NORMAL: no fsync per command (a test, not a hall); the log is the same.
    const store = new SqliteStore(dbPath, { clock: o.clock, synchronous: 'NORMAL' });
    const controller = await startController({ hall: config, dbPath, store, bus: new MqttBus(client, config.hall.id), clock: o.clock, log: quiet, tickMs: 100 });
    // The controller role's city part, on this controller (firmware/controller/role.ts starts the same).
    const city = startCityForwarding({ hall: config, controller, alerts: () => controller.activeAlerts(), store, link: cityBlock, clock: o.clock, log: quiet });
    return { store, controller, city };
  };
  const stopIt = async (h: TestHall) => {
    await h.city.stop();
    await h.controller.stop();
    h.store.close();
    await client.endAsync();
    await broker.close();
  };
  const first = await start();
  const hall: TestHall = {
    id, config, dbPath, clock: o.clock, link, ...first,
    async restart() {
      await stopIt(hall);
      Object.assign(hall, await start());
    },
    async stop() {
      await stopIt(hall);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return hall;
}
