#!/usr/bin/env node
// The `manyi` command. Boards run the TypeScript sources directly through tsx,
// so an installed board and a checkout run the same files.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
await main(process.argv);
