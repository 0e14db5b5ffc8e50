// Running from the TypeScript sources: node 20 cannot load a .ts worker through execArgv,
// so register tsx here, then import the worker. (Compiled, the pool starts worker.js itself.)
import { register } from 'tsx/esm/api';

register();
globalThis.__gamesimTsx = true;
await import('./worker.ts');
