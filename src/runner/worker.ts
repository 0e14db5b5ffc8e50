/** Worker thread: executes tasks posted by the pool, one at a time. */
import { parentPort } from 'node:worker_threads';
import { executeTask, type Task } from './task.ts';

parentPort!.on('message', async (task: Task) => {
  parentPort!.postMessage(await executeTask(task));
});
