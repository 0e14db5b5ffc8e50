/**
 * Runs tasks on K worker threads (or in this thread when K = 1). Results are
 * returned in task order, so nothing downstream depends on K or on timing.
 */
import { Worker } from 'node:worker_threads';
import { runTask, type Task, type TaskResult } from './task.ts';
import type { Experiment } from './experiment.ts';

// compiled (this file is .js): the worker is plain JS; from the sources: a boot file registers tsx first
const BOOT = import.meta.url.endsWith('.js') ? new URL('./worker.js', import.meta.url) : new URL('./worker-boot.mjs', import.meta.url);

/** Run the tasks of `exp`; with more than one worker, each worker imports the experiment from the tasks' module. */
export async function runTasks(
  exp: Experiment,
  tasks: Task[],
  workers: number,
  onDone?: (done: number, index: number) => void,
  /** Called with each result as it arrives (e.g. to keep it in a file). */
  onResult?: (r: TaskResult) => void,
  /**
   * With one worker: run in a worker thread all the same (the tasks name a
   * module), so this thread stays free to answer Ctrl-C at once; otherwise
   * one worker runs the tasks here, and a signal waits for the run under way.
   */
  isolate = false,
): Promise<TaskResult[]> {
  const results: TaskResult[] = new Array(tasks.length);
  const slot = new Map(tasks.map((t, i) => [t.index, i]));
  let done = 0;
  const finish = (r: TaskResult) => {
    if (r.error) throw new RunError(r.error);
    results[slot.get(r.index)!] = r;
    onResult?.(r);
    done++;
    onDone?.(done, r.index);
  };
  const k = Math.max(1, Math.min(workers, tasks.length));
  if (k === 1 && !isolate) {
    for (const t of tasks) {
      finish(runTask(exp, t));
      // let the progress bar and signals (Ctrl-C) breathe between runs
      await new Promise((r) => setImmediate(r));
    }
    return results;
  }
  // the dearest runs first (longest processing time first), so no worker is left with a long run at the end;
  // results still come back in task order
  const order = exp.cost ? [...tasks].sort((a, b) => exp.cost!(b.point) - exp.cost!(a.point) || a.index - b.index) : tasks;
  let next = 0;
  const pool = Array.from({ length: k }, () => new Worker(BOOT));
  try {
    await Promise.all(
      pool.map(
        (w) =>
          new Promise<void>((resolve, reject) => {
            const feed = () => {
              if (next >= tasks.length) return resolve();
              w.postMessage(order[next++]);
            };
            w.on('message', (r: TaskResult) => {
              try {
                finish(r);
              } catch (e) {
                return reject(e);
              }
              feed();
            });
            w.on('error', reject);
            w.on('exit', (code) => {
              if (code !== 0) reject(new RunError(`worker exited with code ${code}`));
            });
            feed();
          }),
      ),
    );
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
  return results;
}

/** A run failed inside the model: a bug, not bad input. */
export class RunError extends Error {}
