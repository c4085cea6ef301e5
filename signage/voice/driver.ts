// The lobby's voice as the hardware kit gives it: espeak-ng through ALSA on a
// board, a simulated speaker (timed like speech, recording what it said) in the
// demo and tests. Chosen here, once, not in the board role.
import { EspeakSpeaker, SimSpeaker, type Speaker } from './speaker.ts';

/** Throws (with what is missing) when a real board has no espeak-ng or aplay. */
export function createSpeaker(o: { simulated: boolean; alsaDevice?: string }): Speaker {
  return o.simulated ? new SimSpeaker() : new EspeakSpeaker({ alsaDevice: o.alsaDevice });
}
