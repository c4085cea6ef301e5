// The firmware version a device reports in its status: MANYI_VERSION (set by the
// update agent when it starts a new bundle) or package.json's version.
import { readFileSync } from 'node:fs';

let cached: string | undefined;

export function firmwareVersion(): string {
  if (process.env.MANYI_VERSION) return process.env.MANYI_VERSION;
  if (cached) return cached;
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    cached = pkg.version ?? '0.0.0';
  } catch {
    cached = '0.0.0';
  }
  return cached;
}
