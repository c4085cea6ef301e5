// The update agent every board runs. Takes the retained offer on
// `device/{id}/update`, installs it into the inactive slot, restarts, and confirms
// health within a deadline; otherwise switches back and reports `rolled-back`.
// Progress goes, retained, to `device/{id}/update/status`.
import type { Bus } from '../bus/types.ts';
import type { UpdateOffer, UpdateStatus, Role } from '../protocol/messages.ts';
import { installOffer, linkSharedModules, UpdateRefused, type InstallStep } from './install.ts';
import { currentSlot, readJournal, slotVersion, switchTo, writeJournal } from './slots.ts';
import { systemClock, type Clock } from '../lib/time.ts';

export interface UpdateAgentOptions {
  /** The device's bus (its hall is the device's). */
  bus: Bus;
  device: string;
  role: Role;
  /** Folder with slots/a, slots/b, current (e.g. /opt/manyi). */
  root: string;
  /** Ed25519 public key, hex (DeviceConfig.updateKey). Without it every offer is refused. */
  publicKey: string | undefined;
  /** Restarts the board's software into `current` (systemd on a Pi, a child process in tests). */
  restart: () => Promise<void>;
  /** Resolves true once the running version works (role started, broker connected…), false if it cannot. */
  healthy: () => Promise<boolean>;
  /** How long a new version has to become healthy (default 120 s). */
  healthDeadlineMs?: number;
  /** For kiosks and counters: the reason installs are refused now (inside opening hours), or null. */
  busyReason?: () => string | null;
  fetch?: typeof fetch;
  onStep?: (step: InstallStep) => void | Promise<void>;
  log?: { info(o: object, m?: string): void; warn(o: object, m?: string): void };
  /** The board's clock (status times, the trial version's health deadline). */
  clock?: Clock;
}

const noLog = { info() {}, warn() {} };

/**
 * `restart` for a board under systemd. manyi.service runs as its own user, which
 * may not ask systemd to restart a unit: the process stops itself instead (SIGTERM:
 * the runtime stops cleanly and exits) and the unit's Restart=always starts it
 * again, running update-boot-check first, from the slot `current` now points at.
 */
export function systemdRestart(): () => Promise<void> {
  return async () => { process.kill(process.pid, 'SIGTERM'); };
}

function withDeadline(p: Promise<boolean>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    p.then((v) => { clearTimeout(t); resolve(v); }, () => { clearTimeout(t); resolve(false); });
  });
}

export async function startUpdateAgent(opts: UpdateAgentOptions): Promise<{ stop(): Promise<void> }> {
  const { bus, device, root } = opts;
  const log = opts.log ?? noLog;
  const clock = opts.clock ?? systemClock;
  const deadline = opts.healthDeadlineMs ?? 120_000;
  const owner = `update-agent:${device}`;
  let busy: Promise<void> = Promise.resolve();
  let stopped = false;

  const report = async (s: Omit<UpdateStatus, 'at'>): Promise<void> => {
    const msg: UpdateStatus = { ...s, at: new Date(clock.now()).toISOString() };
    log.info({ update: msg }, `update ${s.version}: ${s.state}${s.error ? ` (${s.error})` : ''}`);
    await bus.publish('device-update-status', { device }, msg);
  };

  /** Confirms (or rolls back) a version that was switched to and restarted. */
  async function confirm(): Promise<void> {
    const j = readJournal(root);
    const p = j.pending;
    if (!p) {
      if (j.last?.state === 'rolled-back') await report({ id: j.last.id, version: j.last.version, state: 'rolled-back', error: j.last.error });
      return;
    }
    if (currentSlot(root) !== p.slot) return; // bootCheck already switched back and journaled it
    const ok = await withDeadline(opts.healthy(), Math.max(0, p.since + p.deadlineMs - clock.now()));
    if (ok) {
      writeJournal(root, { last: { id: p.id, version: p.version, state: 'healthy' } });
      await report({ id: p.id, version: p.version, state: 'healthy' });
      return;
    }
    const why = `version ${p.version} did not report healthy within ${Math.round(p.deadlineMs / 1000)} s`;
    switchTo(root, p.previous);
    writeJournal(root, { last: { id: p.id, version: p.version, state: 'rolled-back', error: why } });
    await opts.restart();
    await report({ id: p.id, version: p.version, state: 'rolled-back', error: why });
  }

  async function handle(offer: UpdateOffer): Promise<void> {
    const j = readJournal(root);
    if (j.last?.id === offer.id || j.pending?.id === offer.id) return; // a retained offer seen again
    const cur = currentSlot(root);
    if (cur && slotVersion(root, cur) === offer.version) {
      writeJournal(root, { ...j, last: { id: offer.id, version: offer.version, state: 'healthy' } });
      return report({ id: offer.id, version: offer.version, state: 'healthy' });
    }
    const fail = (error: string) => {
      writeJournal(root, { ...readJournal(root), last: { id: offer.id, version: offer.version, state: 'failed', error } });
      return report({ id: offer.id, version: offer.version, state: 'failed', error });
    };
    if (!opts.publicKey) return fail('this board has no update key (updateKey in its configuration)');
    const why = (opts.role === 'kiosk' || opts.role === 'counter') && !offer.force ? opts.busyReason?.() : null;
    if (why) return fail(`refused: ${why}; offer again after hours or with force`);
    await report({ id: offer.id, version: offer.version, state: 'downloading' });
    try {
      await installOffer({
        root, publicKey: opts.publicKey, offer, deadlineMs: deadline, clock, fetch: opts.fetch, prepare: linkSharedModules(root),
        onStep: async (s) => {
          if (s === 'downloaded') await report({ id: offer.id, version: offer.version, state: 'verifying' });
          if (s === 'unpacking') await report({ id: offer.id, version: offer.version, state: 'installing' });
          await opts.onStep?.(s);
        },
      });
    } catch (e) {
      if (!(e instanceof UpdateRefused)) log.warn({ err: e }, 'update install error');
      return fail((e as Error).message);
    }
    await report({ id: offer.id, version: offer.version, state: 'restarting' });
    await opts.restart();
    await confirm();
  }

  // A trial boot of a freshly installed version: confirm it before taking new offers.
  busy = confirm().catch((e) => log.warn({ err: e }, 'update confirmation error'));
  await busy;
  await bus.on(owner, 'device-update', { device }, (offer) => {
    if (stopped) return;
    busy = busy.then(() => handle(offer)).catch((e) => log.warn({ err: e }, 'update agent error'));
  }, (err) => log.warn({ error: err.message }, 'invalid update offer ignored'));

  return {
    async stop() {
      stopped = true;
      await bus.removeOwner(owner);
      await busy;
    },
  };
}
