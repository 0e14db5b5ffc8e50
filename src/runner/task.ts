/**
 * One run of an experiment: what a worker thread (or the main thread)
 * executes. A task names its experiment and the module that exports it (a
 * URL), so workers find user experiments as they find the built-in ones: the
 * runner never imports a registry itself.
 */
import type { Experiment, Point, RunOutput } from './experiment.ts';

export interface Task {
  index: number;
  /** URL of the module exporting the experiment (`experiments`, a default export, or a named one). */
  module: string;
  experiment: string;
  point: Point;
  seed: number;
}

export interface TaskResult {
  index: number;
  output?: RunOutput;
  error?: string;
}

/** Run a task's experiment, given it. */
export function runTask(exp: Experiment, task: Task): TaskResult {
  try {
    return { index: task.index, output: exp.run(task.point, task.seed) };
  } catch (e) {
    const err = e as Error;
    return { index: task.index, error: `${err.message}\n${err.stack ?? ''}` };
  }
}

const isExperiment = (x: unknown): x is Experiment =>
  typeof x === 'object' && x !== null && typeof (x as Experiment).name === 'string' && typeof (x as Experiment).run === 'function';

/** Every experiment a module exports: an `experiments` array, a default export (one or an array), or named exports. */
export function experimentsOf(mod: Record<string, unknown>): Experiment[] {
  const out: Experiment[] = [];
  const add = (x: unknown) => {
    if (Array.isArray(x)) x.forEach(add);
    else if (isExperiment(x) && !out.includes(x)) out.push(x);
  };
  add(mod.experiments);
  add(mod.default);
  for (const v of Object.values(mod)) add(v);
  return out;
}

let tsxRegistered = false;

/** Import a module by URL; a .ts module needs tsx, registered once, on demand. */
export async function importModule(url: string): Promise<Record<string, unknown>> {
  if (/\.(c|m)?ts$/.test(new URL(url).pathname) && !tsxRegistered && !process.execArgv.join(' ').includes('tsx') && !(globalThis as { __gamesimTsx?: boolean }).__gamesimTsx) {
    let api: { register: () => unknown };
    try {
      api = (await import('tsx/esm/api')) as { register: () => unknown };
    } catch {
      throw new Error(`${new URL(url).pathname} is TypeScript: loading it needs tsx, an optional dependency (npm install tsx), or compile it to .mjs`);
    }
    api.register();
    tsxRegistered = true;
  }
  return (await import(url)) as Record<string, unknown>;
}

const cache = new Map<string, Experiment[]>();

/** Execute a task in a worker: import its module (once) and run its experiment. */
export async function executeTask(task: Task): Promise<TaskResult> {
  let list = cache.get(task.module);
  if (!list) {
    try {
      list = experimentsOf(await importModule(task.module));
    } catch (e) {
      return { index: task.index, error: (e as Error).message };
    }
    cache.set(task.module, list);
  }
  const exp = list.find((e) => e.name === task.experiment);
  if (!exp) return { index: task.index, error: `no experiment '${task.experiment}' in ${task.module}` };
  return runTask(exp, task);
}
