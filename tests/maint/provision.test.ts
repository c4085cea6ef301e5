// `manyi provision` writes a board's configuration that gets it into the hall's
// broker, and nothing else does; `manyi devices` shows what the boards report.
import { describe, it, expect } from 'vitest';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { provision } from '../../firmware/maint/provision.ts';
import { collectDevices, formatDevices } from '../../firmware/maint/devices.ts';
import { DeviceConfig } from '../../firmware/runtime/role.ts';
import { loadRegistry } from '../../firmware/security/registry.ts';
import { FileBrokerAuth } from '../../firmware/security/file-auth.ts';
import { initKeys, readPrivateKey } from '../../firmware/security/keys.ts';
import { startEmbeddedBroker } from '../../firmware/broker/embedded.ts';
import { topics } from '../../firmware/protocol/topics.ts';
import { connect, tempDir } from './helpers.ts';
import { MqttBus } from '../../firmware/bus/mqtt-bus.ts';

describe('provision', () => {
  it('writes a valid board configuration, registers only a hash, and the board gets in', async () => {
    const dir = tempDir();
    const registry = join(dir, 'registry.json');
    const keys = await initKeys(join(dir, 'keys'));
    expect(statSync(keys.privateKey).mode & 0o777).toBe(0o600);
    expect(readPrivateKey(keys.privateKey)).toHaveLength(32);
    await provision({ hall: 'h1', role: 'controller', device: 'ctl', broker: 'mqtt://127.0.0.1:1883', out: join(dir, 'ctl'), registry, updateKey: keys.publicHex });
    const r = await provision({ hall: 'h1', role: 'counter', device: 'counter-w05', window: 'w05', broker: 'mqtt://controller.local:1883', out: join(dir, 'sd'), registry, updateKey: keys.publicHex });
    const cfg = DeviceConfig.parse(JSON.parse(readFileSync(r.configFile, 'utf8')));
    expect(cfg).toMatchObject({ device: 'counter-w05', role: 'counter', hall: 'h1', window: 'w05', updateKey: keys.publicHex, broker: { username: 'counter-w05' } });
    expect(statSync(r.configFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(r.readme, 'utf8')).toContain('counter-w05');
    const regText = readFileSync(registry, 'utf8');
    expect(regText).not.toContain(cfg.broker.password!);
    expect(loadRegistry(registry).devices.map((d) => d.device)).toEqual(['ctl', 'counter-w05']);

    const broker = await startEmbeddedBroker({ port: 0, host: '127.0.0.1', auth: new FileBrokerAuth(registry) });
    try {
      const c = await connect(broker.url, cfg.broker.username, cfg.broker.password);
      c.end(true);
      await expect(connect(broker.url, cfg.broker.username, 'guess')).rejects.toThrow();
      // Provisioned after the broker started: the registry is re-read.
      const k = await provision({ hall: 'h1', role: 'kiosk', device: 'kiosk-1', kiosk: 'k1', broker: 'mqtt://x:1883', out: join(dir, 'k'), registry });
      const kc = await connect(broker.url, 'kiosk-1', k.password);
      kc.end(true);
    } finally { await broker.close(); }
  });

  it('changes nothing on bad options', async () => {
    const dir = tempDir();
    const registry = join(dir, 'registry.json');
    await expect(provision({ hall: 'h1', role: 'counter', device: 'c1', broker: 'mqtt://x', out: join(dir, 'a'), registry })).rejects.toThrow(/needs --window/);
    await expect(provision({ hall: 'h1', role: 'board', device: 'B!', broker: 'mqtt://x', out: join(dir, 'b'), registry })).rejects.toThrow(/device/);
    await expect(provision({ hall: 'h1', role: 'board', device: 'b1', broker: 'not a url', out: join(dir, 'c'), registry })).rejects.toThrow(/not a URL/);
    expect(existsSync(registry)).toBe(false);
    expect(existsSync(join(dir, 'a')) || existsSync(join(dir, 'b')) || existsSync(join(dir, 'c'))).toBe(false);
    await provision({ hall: 'h1', role: 'board', device: 'b1', broker: 'mqtt://x', out: join(dir, 'd'), registry });
    await expect(provision({ hall: 'h1', role: 'board', device: 'b1', broker: 'mqtt://x', out: join(dir, 'e'), registry })).rejects.toThrow(/already registered/);
  });
});

describe('devices', () => {
  it('lists role, version, state, last seen, role health and the last update from the hall', async () => {
    const broker = await startEmbeddedBroker({ port: 0, host: '127.0.0.1' });
    try {
      const pub = await connect(broker.url);
      const at = '2026-11-26T09:00:00+08:00';
      await pub.publishAsync(topics.deviceStatus('h1', 'kiosk-1'), JSON.stringify({ state: 'online', role: 'kiosk', version: '0.3.0', at }), { qos: 1, retain: true });
      await pub.publishAsync(topics.deviceStatus('h1', 'counter-w05'), JSON.stringify({ state: 'offline', role: 'counter', version: '0.2.0', at }), { qos: 1, retain: true });
      await pub.publishAsync(topics.deviceUpdateStatus('h1', 'kiosk-1'), JSON.stringify({ id: 'u1', version: '0.3.0', state: 'healthy' }), { qos: 1, retain: true });
      const me = await connect(broker.url);
      const rowsP = collectDevices(new MqttBus(me, 'h1'), 600);
      // Health is not retained: send it once the first retained status shows the subscription is live.
      await new Promise((r) => me.once('message', r));
      await pub.publishAsync(topics.deviceHealth('h1', 'kiosk-1'), JSON.stringify({ at: '2026-11-26T09:00:05+08:00', uptimeS: 5, rssMB: 60, printer: 'paper-low' }), { qos: 0 });
      const rows = await rowsP;
      expect(rows.map((r) => [r.device, r.role, r.version, r.state])).toEqual([['counter-w05', 'counter', '0.2.0', 'offline'], ['kiosk-1', 'kiosk', '0.3.0', 'online']]);
      const table = formatDevices(rows);
      expect(table).toMatch(/kiosk-1\s+kiosk\s+0\.3\.0\s+online\s+2026-11-26T09:00:05\+08:00\s+printer=paper-low\s+0\.3\.0 healthy/);
      pub.end(true); me.end(true);
    } finally { await broker.close(); }
  });
});
