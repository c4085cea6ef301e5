import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { loadHallConfig } from '../../firmware/config/hall.ts';
import { callPhrases, spellTicket, zhNumber } from '../../signage/voice/phrases.ts';
import { EspeakSpeaker, SimSpeaker } from '../../signage/voice/speaker.ts';
import { VoiceQueue } from '../../signage/voice/queue.ts';

const hall = loadHallConfig();
const at = (s: number) => new Date(Date.UTC(2026, 10, 26, 1, 0, s)).toISOString();

describe('voice calls', () => {
  it('says the ticket digit by digit, the floor and the window, in Mandarin then English', () => {
    expect(zhNumber('12')).toBe('十二');
    expect(zhNumber('5')).toBe('五');
    expect(zhNumber('20')).toBe('二十');
    expect(spellTicket('A023', 'zh')).toBe('A零二三');
    const [zh, en] = callPhrases(hall, { no: 'A023', window: '15' });
    expect(zh).toEqual({ lang: 'zh', text: '请A零二三号到二楼十五号窗口' });
    expect(en.text).toBe('Number A, zero, two, three, please go to window 15, 2F.');
    expect(callPhrases(hall, { no: 'B101', window: '6', recall: true })[0].text).toBe('再次呼叫，请B一零一号到一楼六号窗口');
  });

  it('never overlaps: a burst is spoken in order, each call whole, paced; recalls are spoken again; duplicates are not', async () => {
    const speaker = new SimSpeaker({ msPerChar: 1 });
    const q = new VoiceQueue(hall, speaker, { gapMs: 20, langGapMs: 5 });
    q.enqueue({ no: 'A001', window: '1', recall: false, at: at(0) });
    q.enqueue({ no: 'A002', window: '2', recall: false, at: at(1) });
    expect(q.enqueue({ no: 'A002', window: '2', recall: false, at: at(1) })).toBe(false); // QoS 1 duplicate
    q.enqueue({ no: 'A001', window: '1', recall: true, at: at(2) });
    await q.idle();
    expect(speaker.overlaps).toBe(0);
    expect(speaker.spoken.map((s) => s.text)).toEqual([
      '请A零零一号到一楼一号窗口', 'Number A, zero, zero, one, please go to window 1, 1F.',
      '请A零零二号到一楼二号窗口', 'Number A, zero, zero, two, please go to window 2, 1F.',
      '再次呼叫，请A零零一号到一楼一号窗口', 'Calling again: Number A, zero, zero, one, please go to window 1, 1F.',
    ]);
    for (let i = 1; i < speaker.spoken.length; i++) {
      expect(speaker.spoken[i].startedAt).toBeGreaterThanOrEqual(speaker.spoken[i - 1].endedAt);
    }
    // the pause between two calls
    expect(speaker.spoken[2].startedAt - speaker.spoken[1].endedAt).toBeGreaterThanOrEqual(18);
  });

  it('a long burst keeps the queue bounded: the oldest ordinary calls give way, never a waiting recall', async () => {
    const speaker = new SimSpeaker({ msPerChar: 0 });
    const q = new VoiceQueue(hall, speaker, { gapMs: 0, langGapMs: 0, maxWaiting: 3, english: false });
    // All enqueued before anything finishes: A001 is being spoken, the rest wait.
    q.enqueue({ no: 'A001', window: '1', recall: false, at: at(0) });
    q.enqueue({ no: 'A001', window: '1', recall: true, at: at(1) }); // the oldest waiting call is a recall
    for (let i = 2; i <= 6; i++) q.enqueue({ no: `A00${i}`, window: '2', recall: false, at: at(i) });
    expect(q.length).toBe(3);
    await q.idle();
    expect(speaker.spoken.map((s) => s.text)).toEqual([
      '请A零零一号到一楼一号窗口',
      '再次呼叫，请A零零一号到一楼一号窗口', // kept, though it waited longest
      '请A零零五号到一楼二号窗口', // A002–A004 gave way, oldest first
      '请A零零六号到一楼二号窗口',
    ]);
  });

  it('a queue full of recalls drops the oldest recall', async () => {
    const speaker = new SimSpeaker({ msPerChar: 0 });
    const q = new VoiceQueue(hall, speaker, { gapMs: 0, langGapMs: 0, maxWaiting: 2, english: false });
    q.enqueue({ no: 'A001', window: '1', recall: false, at: at(0) });
    for (let i = 2; i <= 4; i++) q.enqueue({ no: `A00${i}`, window: '1', recall: true, at: at(i) });
    await q.idle();
    expect(speaker.spoken.map((s) => s.text)).toEqual([
      '请A零零一号到一楼一号窗口', '再次呼叫，请A零零三号到一楼一号窗口', '再次呼叫，请A零零四号到一楼一号窗口',
    ]);
  });

  it('speaks the call in Mandarin: espeak-ng reads every syllable as its pinyin, with its tone; the English in English', async () => {
    expect(() => new EspeakSpeaker({ espeakPath: '/nonexistent/espeak-ng', player: 'espeak' })).toThrow(/espeak-ng is not installed: run `apt-get install -y espeak-ng`/);
    const sp = new EspeakSpeaker({ player: 'espeak' });
    const [zh, en] = callPhrases(hall, { no: 'A023', window: '5' });
    // 请A零二三号到一楼五号窗口, as a clerk would say it:
    const pinyin = 'qing3 A ling2 er4 san1 hao4 dao4 yi1 lou2 wu3 hao4 chuang1 kou3'.split(' ');
    const heard = syllables(await sp.phonemes(zh));
    // espeak-ng's own reading of that pinyin (the Mandarin voice takes pinyin with tone numbers)
    expect(heard).toEqual(syllables(espeakPhonemes('cmn-latn-pinyin', pinyin.join(' '))));
    // and the tones, read off the pitch digits: 55 → 1, 35 → 2, 21(4) → 3, 51 → 4
    expect(heard.map((s, i) => (/\d$/.test(pinyin[i]!) ? toneOf(s) : null)))
      .toEqual(pinyin.map((p) => (/\d$/.test(p) ? Number(p.at(-1)) : null)));
    const english = await sp.phonemes(en);
    expect(english).not.toMatch(/\d\d/); // no Mandarin pitch contours (55, 214…): an English voice
    expect(english).toContain("w'IndoU"); // "window"
    // and the WAV the player would get is speech, not silence
    const wav = await sp.synthesize(zh);
    expect(wav.subarray(0, 4).toString()).toBe('RIFF');
    expect(wav.length).toBeGreaterThan(20_000);
  });
});

/** espeak-ng's `-x` output as one entry per spoken word (a Mandarin syllable). */
function syllables(x: string): string[] {
  return x.split(/[\s_|]+/).filter(Boolean);
}
function espeakPhonemes(voice: string, text: string): string {
  const r = spawnSync('espeak-ng', ['-q', '-x', '-v', voice, '--', text], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`espeak-ng: ${r.stderr}`);
  return r.stdout;
}
/** The Mandarin tone of a syllable from espeak-ng's pitch digits. */
function toneOf(syllable: string): number | null {
  const d = /(\d+)/.exec(syllable)?.[1];
  return d === undefined ? null : ({ '55': 1, '35': 2, '21': 3, '214': 3, '51': 4 } as Record<string, number>)[d] ?? null;
}

describe('voice pacing under load', () => {
  it('leaves out the English while calls are waiting, and says it again when the queue is short', async () => {
    const speaker = new SimSpeaker({ msPerChar: 0.2 });
    const q = new VoiceQueue(hall, speaker, { gapMs: 1, langGapMs: 0, englishUpTo: 2 });
    for (let i = 1; i <= 4; i++) q.enqueue({ no: `A00${i}`, window: String(i), recall: false, at: at(i) });
    await q.idle();
    const langs = speaker.spoken.map((s) => `${s.lang}`);
    // A001 starts before the others arrive: both; A002 starts with 2 waiting: Mandarin only;
    // A003 (1 waiting) and A004 (none): both again.
    expect(langs).toEqual(['zh', 'en', 'zh', 'zh', 'en', 'zh', 'en']);
  });

  it('the simulated speaker takes about as long as speech would', () => {
    const speaker = new SimSpeaker();
    const [zh, en] = callPhrases(hall, { no: 'A023', window: '5' });
    expect(speaker.durationMs(zh)).toBeGreaterThanOrEqual(3000); // 12 syllables at ~4 a second
    expect(speaker.durationMs(en)).toBeGreaterThanOrEqual(2500);
  });
});
