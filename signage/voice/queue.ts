// Calls are spoken one after another: a new call waits for the one being
// spoken (never cuts it off), a recall is spoken again, a duplicate delivery
// of the same call is not, and a pause between calls keeps a burst
// intelligible. The queue is bounded: in a long burst the oldest waiting
// ordinary calls give way (they are still on the screens), and while calls
// are waiting the English is left out so the Mandarin keeps up.
import type { HallConfig } from '../../firmware/config/hall.ts';
import { systemClock, type Clock } from '../../firmware/lib/time.ts';
import type { Logger } from 'pino';
import { callPhrases } from './phrases.ts';
import type { Speaker } from './speaker.ts';

export interface QueuedCall { no: string; window: string; recall: boolean; at: string; enqueuedAt: number }

export interface VoiceQueueOptions {
  /** Silence between two calls, ms. */
  gapMs?: number;
  /** Silence between the Mandarin and the English, ms. */
  langGapMs?: number;
  /** Most calls waiting; beyond it the oldest ordinary one is dropped. */
  maxWaiting?: number;
  /** Say it in English too. */
  english?: boolean;
  /** Leave out the English while at least this many calls wait (default 2). */
  englishUpTo?: number;
  /** The board's clock (the demo's is shifted); default the system clock. */
  clock?: Clock;
}

export class VoiceQueue {
  private waiting: QueuedCall[] = [];
  private running = false;
  private closed = false;
  private recent = new Set<string>();
  /** When each call began to be spoken (for the benchmark), newest last. */
  readonly started: Array<{ no: string; window: string; recall: boolean; enqueuedAt: number; startedAt: number }> = [];
  private idleWaiters: Array<() => void> = [];
  private dropped = 0;
  private lastDropLog = -Infinity;

  constructor(private readonly hall: HallConfig, private readonly speaker: Speaker, private readonly opts: VoiceQueueOptions = {}, private readonly log?: Logger) {}

  private now(): number { return (this.opts.clock ?? systemClock).now(); }

  get length(): number { return this.waiting.length; }

  /** Queues a call; returns false if it was a duplicate of one already queued or spoken. */
  enqueue(call: { no: string; window: string; recall: boolean; at: string }): boolean {
    if (this.closed) return false;
    const key = `${call.no}|${call.window}|${call.at}|${call.recall}`;
    if (this.recent.has(key)) return false;
    this.recent.add(key);
    if (this.recent.size > 200) this.recent.delete(this.recent.values().next().value!);
    this.waiting.push({ ...call, enqueuedAt: this.now() });
    const max = this.opts.maxWaiting ?? 12;
    while (this.waiting.length > max) {
      const i = this.waiting.findIndex((c) => !c.recall);
      this.waiting.splice(i < 0 ? 0 : i, 1);
      this.dropped++;
      if (this.now() - this.lastDropLog > 60_000) {
        this.lastDropLog = this.now();
        this.log?.warn({ droppedSoFar: this.dropped }, 'voice: more calls than can be spoken; older ones are shown but not spoken');
      }
    }
    if (!this.running) void this.run();
    return true;
  }

  /** Resolves when nothing is being spoken or waiting. */
  idle(): Promise<void> {
    if (!this.running && this.waiting.length === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  private async run(): Promise<void> {
    this.running = true;
    let first = true;
    while (this.waiting.length && !this.closed) {
      if (!first) await sleep(this.opts.gapMs ?? 800);
      first = false;
      // close() may have emptied the queue while we slept between calls.
      const call = this.waiting.shift();
      if (!call || this.closed) break;
      this.started.push({ no: call.no, window: call.window, recall: call.recall, enqueuedAt: call.enqueuedAt, startedAt: this.now() });
      if (this.started.length > 500) this.started.splice(0, 100);
      const english = this.opts.english !== false && this.waiting.length < (this.opts.englishUpTo ?? 2);
      const phrases = callPhrases(this.hall, call).filter((u) => u.lang === 'zh' || english);
      for (let i = 0; i < phrases.length && !this.closed; i++) {
        if (i) await sleep(this.opts.langGapMs ?? 300);
        try { await this.speaker.speak(phrases[i]); } catch (e) {
          this.log?.error({ err: (e as Error).message }, 'voice: cannot speak');
        }
      }
    }
    this.running = false;
    for (const w of this.idleWaiters.splice(0)) w();
  }

  close(): void {
    this.closed = true;
    this.waiting = [];
    this.speaker.close();
  }
}

function sleep(ms: number): Promise<void> { return new Promise((r) => setTimeout(r, ms)); }
