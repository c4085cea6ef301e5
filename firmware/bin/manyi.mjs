#!/usr/bin/env node
// The `manyi` command. A board (and `npm start`) runs the compiled JavaScript that
// `npm run build` writes to dist/app/ (this file's copy is dist/firmware/bin/);
// a source checkout runs the TypeScript through tsx (a development dependency,
// never on a board).
import { existsSync } from 'node:fs';

const compiled = new URL('../../app/main.js', import.meta.url);
let main;
if (existsSync(compiled)) {
  ({ main } = await import(compiled.href));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../cli/main.ts'));
}
await main(process.argv);
