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

  it('a long burst keeps the queue bounded without dropping recalls', async () => {
    const speaker = new SimSpeaker({ msPerChar: 0 });
    const q = new VoiceQueue(hall, speaker, { gapMs: 0, langGapMs: 0, maxWaiting: 3, english: false });
    q.enqueue({ no: 'A001', window: '1', recall: true, at: at(0) });
    for (let i = 2; i <= 9; i++) q.enqueue({ no: `A00${i}`, window: '1', recall: false, at: at(i) });
    q.enqueue({ no: 'A005', window: '1', recall: true, at: at(20) });
    await q.idle();
    const said = speaker.spoken.map((s) => s.text);
    expect(said.length).toBeLessThanOrEqual(5);
    expect(said.at(-1)).toContain('再次呼叫');
  });

  it('espeak-ng (installed here and by .ci/run) synthesises the Mandarin call offline; a missing engine is reported clearly', async () => {
    expect(() => new EspeakSpeaker({ espeakPath: '/nonexistent/espeak-ng', player: 'espeak' })).toThrow(/espeak-ng is not installed: run `apt-get install -y espeak-ng`/);
    const sp = new EspeakSpeaker({ player: 'espeak' });
    const wav = await sp.synthesize(callPhrases(hall, { no: 'A023', window: '5' })[0]);
    expect(wav.subarray(0, 4).toString()).toBe('RIFF');
    expect(wav.length).toBeGreaterThan(20_000); // about a second or more of speech
  });
});

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
