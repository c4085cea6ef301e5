// Global test set-up: the artifacts folder (screenshots, ticket previews) that CI keeps,
// and the window-board firmware and its simavr harness brought up to date with their
// sources (`make` does nothing when they are), so a test file run alone with
// `npx vitest` never drives a harness or a .hex older than the checkout.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';

export const ARTIFACTS = new URL('../artifacts/', import.meta.url).pathname;
const ARDUINO = new URL('../../firmware/arduino/', import.meta.url).pathname;

export default function setup(): void {
  mkdirSync(ARTIFACTS, { recursive: true });
  try {
    execFileSync('make', ['-s', '-C', ARDUINO], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    // Without gcc-avr or libsimavr-dev the simavr tests say what is missing; the rest run.
    const err = e as { stderr?: Buffer; message: string };
    process.stderr.write(`tests/setup/global.ts: make -C firmware/arduino failed: ${err.stderr?.toString().trim() || err.message}\n`);
  }
}
