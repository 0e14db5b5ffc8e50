#!/usr/bin/env node
// The installed command: register tsx so the TypeScript sources run as they are.
import { register } from 'tsx/esm/api';

register();
process.env.GAMESIM_CLI = '1';
await import('../src/cli.ts');
