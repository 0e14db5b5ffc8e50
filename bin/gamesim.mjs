#!/usr/bin/env node
// The installed command runs the compiled CLI (dist/, made by `npm run build`; an installed
// package ships it). In a source checkout that has not been built, it runs the TypeScript
// sources through tsx instead.
import { existsSync } from 'node:fs';

process.env.GAMESIM_CLI = '1';
const compiled = new URL('../dist/src/cli.js', import.meta.url);
if (existsSync(compiled)) await import(compiled.href);
else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli.ts');
}
