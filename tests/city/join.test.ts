// A hall joins the city by a block in its controller's configuration, nothing else:
// the file is checked (paths relative to it, errors naming the field), and the
// controller that `manyi run` starts from it ships its log to the city.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../firmware/broker/embedded.ts';
import { loadCityLink } from '../../firmware/city/link.ts';
import { startCity, type CityService } from '../../firmware/city/service.ts';
import { loadDeviceConfig } from '../../firmware/runtime/config.ts';
import { runDevice } from '../../firmware/runtime/device.ts';
import { loadPeople, savePeople, setPerson } from '../../firmware/security/people.ts';
import { startMosquitto, type RunningMosquitto } from '../setup/mosquitto.ts';
import { startPostgres, type RunningPostgres } from '../setup/postgres.ts';
import { cityLog, quiet, until } from './helpers.ts';

let dir: string;
let pgs: RunningPostgres;
let cityBroker: RunningMosquitto;
let hallBroker: EmbeddedBroker;
let city: CityService;
let dbUrl: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'manyi-city-join-'));
  [pgs, cityBroker, hallBroker] = await Promise.all([startPostgres(), startMosquitto(), startEmbeddedBroker({ port: 0, host: '127.0.0.1' })]);
  dbUrl = await pgs.createDatabase('join_test');
  city = await startCity({ db: dbUrl, broker: { url: cityBroker.url }, log: quiet });
});

afterAll(async () => {
  await city?.stop();
  await hallBroker?.close();
  await cityBroker?.stop();
  await pgs?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const board = (city: unknown) => ({
  device: 'controller', role: 'controller', hall: 'demo-hospital', broker: { url: hallBroker.url }, dataDir: 'data', city,
});

describe("a hall's city block", () => {
  it('is checked when the configuration loads: paths relative to the file, errors naming the field', () => {
    const file = join(dir, 'board.json');
    writeFileSync(file, JSON.stringify(board({ url: 'mqtts://city.example:8883', username: 'demo-hospital', password: 'p', ca: 'certs/city-ca.pem' })));
    const { device } = loadDeviceConfig(file);
    expect(device.city).toMatchObject({ url: 'mqtts://city.example:8883', ca: join(dir, 'certs/city-ca.pem'), batch: 500, window: 4 });
    writeFileSync(file, JSON.stringify(board({ url: 'http://city.example', batch: 5000 })));
    expect(() => loadDeviceConfig(file)).toThrow(/city\.url: must be an mqtt[\s\S]*city\.batch/);
    // The same block on its own (manyi controller --city FILE, manyi demo --city FILE).
    const own = join(dir, 'city.json');
    writeFileSync(own, JSON.stringify({ city: { url: 'mqtt://127.0.0.1:1884', ca: 'ca.pem' } }));
    expect(loadCityLink(own)).toMatchObject({ url: 'mqtt://127.0.0.1:1884', ca: join(dir, 'ca.pem') });
  });

  it('is all a controller started by the runtime needs to ship its log to the city', async () => {
    const file = join(dir, 'board.json');
    writeFileSync(file, JSON.stringify(board({ url: cityBroker.url, reconnectMaxS: 0.5 })));
    const { device, hall } = loadDeviceConfig(file);
    // As in a hall: the staff member is in the controller's people file (what `manyi staff add`
    // writes, {dataDir}/people.json) and opens the window with their id and PIN.
    const staffId = hall.staff[0]!.id;
    const peopleFile = join(dir, 'data', 'people.json');
    savePeople(peopleFile, setPerson(loadPeople(peopleFile), { id: staffId, role: 'staff' }, '482913', new Date()));
    const dev = await runDevice({ device, hall, log: quiet });
    try {
      const staff = await mqtt.connectAsync(hallBroker.url, { protocolVersion: 4 });
      const replies: unknown[] = [];
      staff.on('message', (_t, m) => replies.push(JSON.parse(m.toString())));
      await staff.subscribeAsync('manyi/v1/demo-hospital/window/1/reply', { qos: 1 });
      await staff.publishAsync('manyi/v1/demo-hospital/window/1/command', JSON.stringify({ id: 'join-1', action: 'open', staff: staffId, pin: '482913' }), { qos: 1 });
      const reply = await until('the controller answers the sign-in', () => replies.find((r) => (r as { id?: string }).id === 'join-1'));
      expect(reply).toMatchObject({ ok: true });
      await staff.endAsync();
      const got = await until('the window opening reaches the city', async () => {
        const l = await cityLog(dbUrl, 'demo-hospital');
        return l.rows.find((r) => (r.data as { kind: string }).kind === 'window-status') ? l : null;
      });
      expect(got.acked).toBeGreaterThan(0);
      const cfg = await until('its configuration too', async () =>
        (await city.store.pool.query("SELECT config->'hall'->>'id' AS id FROM city_halls WHERE hall = 'demo-hospital' AND config IS NOT NULL")).rows[0]);
      expect(cfg.id).toBe('demo-hospital');
      // The controller's health says how its city link is doing (maintainers see it).
      await until('health reports the link in sync', () => {
        const c = dev.health().city as { connected: boolean; synced: boolean; behind: number } | undefined;
        return c?.connected && c.synced && c.behind === 0;
      });
    } finally {
      await dev.stop();
    }
  });
});
