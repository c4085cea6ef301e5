// Loading a JSON file against a schema, with errors a maintainer can act on:
// `hall.json: windows[3].floor: unknown floor 3F`.
import { readFileSync } from 'node:fs';
import type { z } from 'zod';

export class ConfigError extends Error {
  constructor(readonly file: string, readonly problems: string[]) {
    super(`${file}: ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

export function formatPath(path: PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out || '(top level)';
}

/** Reads `file` (or validates `value` if given, naming it `file`) against `schema`. */
export function loadJsonFile<S extends z.ZodType>(file: string, schema: S, value?: unknown): z.infer<S> {
  let data = value;
  if (data === undefined) {
    let text: string;
    try { text = readFileSync(file, 'utf8'); } catch (e) {
      throw new ConfigError(file, [`cannot read: ${(e as Error).message}`]);
    }
    try { data = JSON.parse(text); } catch (e) {
      throw new ConfigError(file, [`not valid JSON: ${(e as Error).message}`]);
    }
  }
  const r = schema.safeParse(data);
  if (!r.success) throw new ConfigError(file, r.error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`));
  return r.data;
}
