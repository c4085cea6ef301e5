// The lobby's voice through ALSA, as a board plays it: espeak-ng's WAV piped to
// aplay. No sound card here: ALSA's `null` device takes the samples (what aplay
// accepts and finishes), and its `file` plugin keeps them, so the test checks the
// samples that went through ALSA are the speech espeak-ng made.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadHallConfig } from '../../firmware/config/hall.ts';
import { callPhrases } from '../../signage/voice/phrases.ts';
import { EspeakSpeaker } from '../../signage/voice/speaker.ts';
import { VoiceQueue } from '../../signage/voice/queue.ts';

const hall = loadHallConfig();

/** The PCM samples of a WAV file (after its `data` chunk header). */
function pcm(wav: Buffer): Buffer {
  const at = wav.indexOf('data', 12, 'latin1');
  return wav.subarray(at + 8);
}

describe('voice through ALSA (aplay)', () => {
  it('plays a call in Mandarin and English on the null device, in order, one after the other', async () => {
    const speaker = new EspeakSpeaker({ alsaDevice: 'null' });
    const q = new VoiceQueue(hall, speaker, { gapMs: 10, langGapMs: 5 });
    q.enqueue({ no: 'A023', window: '5', recall: false, at: new Date().toISOString() });
    q.enqueue({ no: 'B101', window: '6', recall: true, at: new Date().toISOString() });
    await q.idle();
    expect(q.started.map((s) => s.no)).toEqual(['A023', 'B101']);
    speaker.close();
  });

  it('what goes through ALSA is the speech espeak-ng made for the call', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'manyi-alsa-'));
    const file = join(dir, 'played.raw');
    const [zh] = callPhrases(hall, { no: 'A023', window: '5' });
    const speaker = new EspeakSpeaker({ alsaDevice: `file:FILE=${file},FORMAT=raw` });
    await speaker.speak(zh);
    const played = readFileSync(file);
    const made = pcm(await speaker.synthesize(zh));
    expect(made.length).toBeGreaterThan(22050); // over half a second of 16-bit speech at 22 kHz
    // ALSA pads the last period with silence; everything before it is the speech, sample for sample.
    expect(played.length).toBeGreaterThanOrEqual(made.length);
    expect(played.subarray(0, made.length).equals(made)).toBe(true);
  });

  it('says clearly when the ALSA device is not there, and the queue goes on', async () => {
    const speaker = new EspeakSpeaker({ alsaDevice: 'no-such-device' });
    const [zh] = callPhrases(hall, { no: 'A023', window: '5' });
    await expect(speaker.speak(zh)).rejects.toThrow(/aplay exited 1: .*no-such-device/s);
    // A long announcement: espeak-ng is still writing when aplay has gone (EPIPE), and nothing crashes.
    await expect(speaker.speak({ lang: 'zh', text: zh.text.repeat(30) })).rejects.toThrow(/aplay exited 1/);
    await new Promise((r) => setTimeout(r, 300));
    const q = new VoiceQueue(hall, speaker, { gapMs: 5, langGapMs: 5 });
    q.enqueue({ no: 'A024', window: '5', recall: false, at: new Date().toISOString() });
    q.enqueue({ no: 'A025', window: '5', recall: false, at: new Date().toISOString() });
    await q.idle();
    expect(q.started.map((s) => s.no)).toEqual(['A024', 'A025']);
  });
});
