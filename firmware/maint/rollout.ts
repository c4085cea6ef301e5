// `manyi rollout`: offers a signed bundle to devices in waves (1, then 2, 4, 8 …),
// waits for each wave to report `healthy`, and stops at the first failure, naming
// the device and its reason. Devices in later waves are never offered the bundle.
import type { Bus } from '../bus/types.ts';
import type { UpdateStatus, UpdateOffer } from '../protocol/messages.ts';
import type { BundleFile } from '../update/bundle.ts';
import { randomBytes } from 'node:crypto';
import { systemClock } from '../lib/time.ts';

export interface RolloutOptions {
  /** The maintainer's bus (its hall is the one rolled out to). */
  bus: Bus;
  bundle: BundleFile;
  /** Base URL the archive is served at (ends with `/`). */
  baseUrl: string;
  devices: string[];
  /** Per wave: how long a device has to report healthy (default 10 min). */
  waveTimeoutMs?: number;
  /** Size of the first wave (default 1); each next wave doubles. */
  firstWave?: number;
  /** Install inside opening hours too. */
  force?: boolean;
  onProgress?: (line: string) => void;
}

export type RolloutResult =
  | { ok: true; updated: string[] }
  | { ok: false; updated: string[]; failed: { device: string; state: string; reason: string }; notOffered: string[] };

export function waves(devices: string[], first = 1): string[][] {
  const out: string[][] = [];
  let size = Math.max(1, first);
  for (let i = 0; i < devices.length; i += size, size *= 2) out.push(devices.slice(i, i + size));
  return out;
}

/** Resolves `--to`: `all`, a role name, or a comma list of device ids, from the retained statuses. */
export async function resolveTargets(bus: Bus, to: string, listenMs = 1500): Promise<string[]> {
  const known = new Map<string, string>();
  const owner = `rollout-targets-${randomBytes(6).toString('hex')}`;
  await bus.on(owner, 'device-status', 'any', (s, from) => known.set(from.device, s.role));
  await new Promise((r) => setTimeout(r, listenMs));
  await bus.removeOwner(owner);
  const hall = bus.hall;
  const ids = [...known.keys()].sort();
  if (to === 'all') return ids.filter((d) => known.get(d) !== 'controller').concat(ids.filter((d) => known.get(d) === 'controller'));
  if (['controller', 'kiosk', 'counter', 'board'].includes(to)) return ids.filter((d) => known.get(d) === to);
  const list = to.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = list.filter((d) => !known.has(d));
  if (unknown.length) throw new Error(`unknown device(s): ${unknown.join(', ')} (no retained status in hall ${hall})`);
  return list;
}

export async function rollout(o: RolloutOptions): Promise<RolloutResult> {
  const say = o.onProgress ?? (() => {});
  const offerId = `rollout-${o.bundle.manifest.version}-${systemClock.now().toString(36)}`.slice(0, 64);
  const offer: UpdateOffer = {
    id: offerId, version: o.bundle.manifest.version, url: o.baseUrl + o.bundle.archive,
    sha256: o.bundle.manifest.sha256, size: o.bundle.manifest.size, signature: o.bundle.signature, ...(o.force ? { force: true } : {}),
  };
  const outcome = new Map<string, UpdateStatus>();
  let notify = () => {};
  const owner = `rollout-${offerId}`;
  await o.bus.on(owner, 'device-update-status', 'any', (s, from) => {
    if (s.id === offerId && ['healthy', 'rolled-back', 'failed'].includes(s.state)) { outcome.set(from.device, s); notify(); }
  });
  const updated: string[] = [];
  try {
    const plan = waves(o.devices, o.firstWave);
    for (const [i, wave] of plan.entries()) {
      say(`wave ${i + 1}/${plan.length}: ${wave.join(', ')}`);
      const sent = await Promise.all(wave.map((d) => o.bus.publish('device-update', { device: d }, offer)));
      if (sent.includes(false)) throw new Error('the broker did not take the offer (connection lost?)');
      const deadline = performance.now() + (o.waveTimeoutMs ?? 600_000);
      // Wait until every device of the wave answered, one failed, or time is up.
      for (;;) {
        const bad = wave.find((d) => outcome.get(d) && outcome.get(d)!.state !== 'healthy');
        const later = plan.slice(i + 1).flat();
        if (bad) {
          const s = outcome.get(bad)!;
          updated.push(...wave.filter((d) => outcome.get(d)?.state === 'healthy'));
          return { ok: false, updated, failed: { device: bad, state: s.state, reason: s.error ?? s.state }, notOffered: later };
        }
        if (wave.every((d) => outcome.get(d)?.state === 'healthy')) break;
        const left = deadline - performance.now();
        if (left <= 0) {
          const silent = wave.find((d) => !outcome.get(d))!;
          updated.push(...wave.filter((d) => outcome.get(d)?.state === 'healthy'));
          return { ok: false, updated, failed: { device: silent, state: 'timeout', reason: `no healthy report within ${Math.round((o.waveTimeoutMs ?? 600_000) / 1000)} s` }, notOffered: later };
        }
        await new Promise<void>((r) => { const t = setTimeout(r, Math.min(left, 1000)); notify = () => { clearTimeout(t); r(); }; });
      }
      updated.push(...wave);
      say(`wave ${i + 1}: healthy`);
    }
    return { ok: true, updated };
  } finally {
    await o.bus.removeOwner(owner);
  }
}
