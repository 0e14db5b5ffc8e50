// node 20 cannot load a .ts worker through execArgv: register tsx here, then import the worker.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
