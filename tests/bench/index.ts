// `npm run bench [-- --only NAME[,NAME]]`: runs every tests/bench/*.bench.ts in
// turn. Each exports `default async function (args: string[]): Promise<void>` that
// prints its own table.
import { readdirSync } from 'node:fs';

const dir = new URL('./', import.meta.url);
const args = process.argv.slice(2);
const onlyAt = args.indexOf('--only');
const only = onlyAt >= 0 ? new Set(args[onlyAt + 1]?.split(',')) : null;
const files = readdirSync(dir).filter((f) => f.endsWith('.bench.ts')).sort();
for (const f of files) {
  const name = f.replace(/\.bench\.ts$/, '');
  if (only && !only.has(name)) continue;
  console.log(`\n=== bench: ${name} ===`);
  const mod = (await import(new URL(f, dir).href)) as { default: (a: string[]) => Promise<void> };
  await mod.default(args);
}
process.exit(0);
