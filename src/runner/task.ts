/** One run of an experiment: what a worker thread (or the main thread) executes. */
import { findExperiment } from '../../experiments/index.ts';
import type { Point, RunOutput } from './experiment.ts';

export interface Task {
  index: number;
  experiment: string;
  point: Point;
  seed: number;
}

export interface TaskResult {
  index: number;
  output?: RunOutput;
  error?: string;
}

export function executeTask(task: Task): TaskResult {
  const exp = findExperiment(task.experiment);
  if (!exp) return { index: task.index, error: `unknown experiment ${task.experiment}` };
  try {
    return { index: task.index, output: exp.run(task.point, task.seed) };
  } catch (e) {
    const err = e as Error;
    return { index: task.index, error: `${err.message}\n${err.stack ?? ''}` };
  }
}
