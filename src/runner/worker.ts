/** Worker thread: executes tasks posted by the pool, one at a time. */
import { parentPort } from 'node:worker_threads';
import { executeTask, type Task } from './task.ts';

// runExperiment refuses to start workers from inside one (a module that calls it at its top level would otherwise
// start workers in every worker that imports it)
(globalThis as { __gamesimWorker?: boolean }).__gamesimWorker = true;

parentPort!.on('message', async (task: Task) => {
  parentPort!.postMessage(await executeTask(task));
});
