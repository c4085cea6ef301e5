// A controller whose disk fills up, on a small size-capped filesystem (a 6 MB
// tmpfs mounted by the test; the suite runs as root here and in CI): it refuses
// new tickets with a clear reply and an alert, keeps serving the tickets it issued,
// answers `internal` (changing nothing) when a write finds no space at all, and
// loses nothing it acknowledged.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, openSync, rmSync, statfsSync, writeSync, closeSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import mqtt from 'mqtt';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../firmware/broker/embedded.ts';
import { startController } from '../../firmware/controller/service.ts';
import { DiskGuard, watchDisk } from '../../firmware/safekeeping/disk-guard.ts';
import { MqttBus } from '../../firmware/bus/mqtt-bus.ts';
import { VirtualClock } from '../../firmware/lib/time.ts';
import { topics } from '../../firmware/protocol/topics.ts';
import { Probe } from '../controller/probe.ts';
import { at, hall } from '../controller/helpers.ts';

const mnt = mkdtempSync(join(tmpdir(), 'manyi-small-disk-'));
let broker: EmbeddedBroker;
beforeAll(async () => {
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=6m,mode=0755', 'tmpfs', mnt]);
  broker = await startEmbeddedBroker({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await broker?.close();
  try { execFileSync('umount', [mnt]); } catch { /* not mounted */ }
  rmdirSync(mnt);
});

const free = () => { const s = statfsSync(mnt); return Number(s.bavail) * Number(s.bsize); };

/** Grows a filler file until `leave` bytes are free (0: until the disk says no). */
function fill(file: string, leave: number): void {
  const fd = openSync(file, 'a');
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    while (free() > leave) {
      try { writeSync(fd, chunk, 0, Math.min(chunk.length, Math.max(4096, free() - leave))); } catch { break; } // ENOSPC
    }
  } finally { closeSync(fd); }
}

describe('the controller on a full disk', () => {
  it('refuses new tickets with a clear reply and an alert, serves issued ones, and loses nothing acknowledged', async () => {
    const H = hall.hall.id;
    const db = join(mnt, 'controller.db');
    const clock = new VirtualClock(at(3600));
    const client = await mqtt.connectAsync(broker.url, { protocolVersion: 4, reconnectPeriod: 0 });
    const bus = new MqttBus(client, hall.hall.id);
    // The controller role's disk-guard part (firmware/controller/role.ts), measuring often.
    const disk = new DiskGuard({ dir: mnt, minFreeBytes: 2 * 1048576 });
    const watch = watchDisk(disk, { publish: (a) => void bus.publish('alert', {}, a), now: () => clock.now(), timezone: hall.hall.timezone, log: pino({ level: 'silent' }), everyMs: 200 });
    const ctl = await startController({ hall, dbPath: db, bus, clock, log: pino({ level: 'silent' }), tickMs: 40, supervise: false, disk });
    const probe = await Probe.connect(broker.url, `manyi/v1/${H}/#`);
    let n = 0;
    const ask = async (topic: string, body: Record<string, unknown>) => {
      const id = `d${++n}`;
      const from = probe.messages.length;
      probe.client.publish(topic, JSON.stringify({ id, ...body }), { qos: 1 });
      const m = await probe.waitFor((x) => x.topic.endsWith('/reply') && JSON.parse(x.payload).id === id, 5000, from);
      return JSON.parse(m.payload) as { ok: boolean; ticket?: { no: string }; error?: { code: string; message: string } };
    };
    const ticket = () => ask(topics.kioskRequest(H, 'k1'), { service: hall.services[0].id });
    const acknowledged: string[] = [];
    try {
      for (let i = 0; i < 4; i++) { const r = await ticket(); expect(r.ok).toBe(true); acknowledged.push(r.ticket!.no); }
      const w = hall.windows.find((x) => x.own.includes(hall.services[0].id))!.id;
      expect((await ask(topics.windowCommand(H, w), { action: 'open', staff: hall.staff[0].id })).ok).toBe(true);

      // The disk runs low: an alert, and tickets are refused with a reason a person can read.
      fill(join(mnt, 'filler-1'), 1 * 1048576);
      const raised = await probe.waitFor((m) => m.topic === topics.alert(H) && JSON.parse(m.payload).kind === 'disk-full', 5000);
      expect(JSON.parse(raised.payload)).toMatchObject({ state: 'raised', subject: 'controller' });
      expect(disk.active().map((a) => a.kind)).toContain('disk-full');
      const refused = await ticket();
      expect(refused).toMatchObject({ ok: false, error: { code: 'disk-full' } });
      expect(refused.error!.message).toMatch(/No new tickets: the hall controller's storage is full/);
      // …while the citizens who hold tickets are still called.
      const called = await ask(topics.windowCommand(H, w), { action: 'call-next' });
      expect(called).toMatchObject({ ok: true, ticket: { no: acknowledged[0] } });

      // No space at all: a write that cannot be stored is answered `internal` and changes nothing.
      fill(join(mnt, 'filler-2'), 0);
      const failed = await ask(topics.windowCommand(H, w), { action: 'start' });
      if (!failed.ok) expect(failed.error!.code).toBe('internal');
      const state = ctl.engine.windowState(w);

      // Space comes back: the alert clears and tickets are issued again.
      rmSync(join(mnt, 'filler-1')); rmSync(join(mnt, 'filler-2'));
      const cleared = await probe.waitFor((m) => m.topic === topics.alert(H) && JSON.parse(m.payload).state === 'cleared', 5000);
      expect(JSON.parse(cleared.payload).kind).toBe('disk-full');
      const again = await ticket();
      expect(again.ok).toBe(true);
      acknowledged.push(again.ticket!.no);
      if (!failed.ok) expect(ctl.engine.windowState(w)).toEqual(state); // the failed start changed nothing
    } finally {
      await probe.end();
      watch.stop();
      await ctl.stop();
      await client.endAsync(true);
    }
    // Every ticket the controller acknowledged is in its log.
    const log = new Database(db, { readonly: true });
    const issued = (log.prepare("SELECT ticket FROM events WHERE kind = 'ticket-issued' ORDER BY seq").all() as Array<{ ticket: string }>).map((r) => r.ticket);
    log.close();
    expect(issued).toEqual(acknowledged);
  });
});
