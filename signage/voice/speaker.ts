// Speaking an utterance, start to finish. The real adapter runs espeak-ng
// (offline, on the Pi) and plays its WAV through aplay; the simulated twin
// records what would be said and when, taking about as long as speech would.
import { spawn, spawnSync } from 'node:child_process';
import type { Utterance } from './phrases.ts';

export interface Speaker {
  /** Resolves when the utterance has been spoken (never overlaps: callers await it). */
  speak(u: Utterance): Promise<void>;
  close(): void;
}

export interface SpokenRecord extends Utterance { startedAt: number; endedAt: number }

/**
 * Records instead of speaking. An utterance lasts about as long as speech:
 * a Chinese character is a syllable (~250 ms), a Latin letter ~60 ms;
 * `msPerChar` overrides both (tests).
 */
export class SimSpeaker implements Speaker {
  readonly spoken: SpokenRecord[] = [];
  private busy = false;
  overlaps = 0;
  private listeners = new Set<(r: SpokenRecord) => void>();

  constructor(private readonly opts: { msPerChar?: number; maxMs?: number; now?: () => number } = {}) {}

  onSpoken(cb: (r: SpokenRecord) => void): () => void { this.listeners.add(cb); return () => this.listeners.delete(cb); }

  /** How long speaking `u` takes, ms. */
  durationMs(u: Utterance): number {
    const cjk = (u.text.match(/[\u3400-\u9fff]/g) ?? []).length;
    return Math.min(
      this.opts.msPerChar !== undefined ? u.text.length * this.opts.msPerChar : cjk * 250 + (u.text.length - cjk) * 60,
      this.opts.maxMs ?? 8000);
  }

  async speak(u: Utterance): Promise<void> {
    if (this.busy) this.overlaps++; // the queue must never let this happen
    this.busy = true;
    const now = this.opts.now ?? Date.now;
    const startedAt = now();
    await new Promise((r) => setTimeout(r, this.durationMs(u)));
    const rec = { ...u, startedAt, endedAt: now() };
    this.spoken.push(rec);
    this.busy = false;
    for (const cb of [...this.listeners]) cb(rec);
  }

  close(): void { this.listeners.clear(); }
}

export interface EspeakOptions {
  /** Voices: espeak-ng's `cmn` misreads many characters; `cmn-latn-pinyin` reads them right. */
  zhVoice?: string;
  enVoice?: string;
  /** Words per minute. */
  speed?: number;
  /** ALSA device for aplay (`default`, `plughw:1,0`). */
  alsaDevice?: string;
  /** `aplay`: pipe the WAV to aplay (the default); `espeak`: let espeak-ng play it itself. */
  player?: 'aplay' | 'espeak';
  espeakPath?: string;
}

/** Checks that a program runs; returns why not, in words a maintainer can act on. */
export function checkProgram(cmd: string, args: string[], pkg: string): string | null {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 5000 });
  if (r.error) {
    return (r.error as NodeJS.ErrnoException).code === 'ENOENT'
      ? `${cmd} is not installed: run \`apt-get install -y ${pkg}\``
      : `${cmd} does not run: ${r.error.message}`;
  }
  return r.status === 0 ? null : `${cmd} failed: ${(r.stderr || r.stdout).trim()}`;
}

export class EspeakSpeaker implements Speaker {
  private readonly o: Required<EspeakOptions>;
  private current: ReturnType<typeof spawn>[] = [];

  constructor(opts: EspeakOptions = {}) {
    this.o = { zhVoice: 'cmn-latn-pinyin', enVoice: 'en', speed: 150, alsaDevice: 'default', player: 'aplay', espeakPath: 'espeak-ng', ...opts };
    const missing = checkProgram(this.o.espeakPath, ['--version'], 'espeak-ng')
      ?? (this.o.player === 'aplay' ? checkProgram('aplay', ['--version'], 'alsa-utils') : null);
    if (missing) throw new Error(`voice: ${missing}`);
  }

  /** espeak-ng's arguments for `u`; `out`: play it, write the WAV to stdout, or print its phonemes. */
  private args(u: Utterance, out: 'play' | 'wav' | 'phonemes'): string[] {
    const mode = out === 'wav' ? ['--stdout'] : out === 'phonemes' ? ['-q', '-x'] : [];
    return ['-v', u.lang === 'zh' ? this.o.zhVoice : this.o.enVoice, '-s', String(this.o.speed), ...mode, '--', u.text];
  }

  /**
   * The phonemes espeak-ng speaks for `u`, with the voice and arguments `speak`
   * uses (its `-x` mnemonics; in Mandarin one word per syllable, tone as pitch
   * digits, e.g. `tS;h'i21N_|` for qǐng): what a listener hears, without a sound card.
   */
  phonemes(u: Utterance): Promise<string> {
    return this.run(this.args(u, 'phonemes')).then((b) => b.toString('utf8').trim());
  }

  private run(args: string[]): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const p = spawn(this.o.espeakPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      let err = '';
      p.stdout.on('data', (d: Buffer) => out.push(d));
      p.stderr.on('data', (d: Buffer) => { err += d; });
      p.on('error', reject);
      p.on('close', (code) => (code === 0 ? resolve(Buffer.concat(out)) : reject(new Error(`espeak-ng exited ${code}: ${err.trim()}`))));
    });
  }

  /** The WAV espeak-ng makes for `u` (tests and the bench use this; no sound card needed). */
  synthesize(u: Utterance): Promise<Buffer> {
    return this.run(this.args(u, 'wav'));
  }

  speak(u: Utterance): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = (procs: ReturnType<typeof spawn>[]) => { this.current = this.current.filter((p) => !procs.includes(p)); };
      if (this.o.player === 'espeak') {
        const p = spawn(this.o.espeakPath, this.args(u, 'play'), { stdio: 'ignore' });
        this.current.push(p);
        p.on('error', (e) => { done([p]); reject(e); });
        p.on('close', () => { done([p]); resolve(); });
        return;
      }
      const synth = spawn(this.o.espeakPath, this.args(u, 'wav'), { stdio: ['ignore', 'pipe', 'ignore'] });
      const play = spawn('aplay', ['-q', '-D', this.o.alsaDevice], { stdio: ['pipe', 'ignore', 'pipe'] });
      this.current.push(synth, play);
      synth.stdout.pipe(play.stdin);
      // aplay that cannot open its device exits at once: espeak-ng's next write to
      // it fails (EPIPE), which must not take the board down; aplay's exit says why.
      play.stdin.on('error', () => {});
      let err = '';
      play.stderr.on('data', (d: Buffer) => { err += d; });
      synth.on('error', (e) => { done([synth, play]); play.kill(); reject(e); });
      play.on('error', (e) => { done([synth, play]); reject(e); });
      play.on('close', (code) => {
        done([synth, play]);
        if (code === 0) { resolve(); return; }
        synth.kill();
        reject(new Error(`aplay exited ${code}: ${err.trim()}`));
      });
    });
  }

  close(): void { for (const p of this.current) p.kill(); this.current = []; }
}
