/**
 * Expands an experiment into points x seeds, runs them, and assembles the
 * tidy tables (runs, summary, extra tables) in a fixed order.
 */
import { deriveSeed } from '../kernel/random.ts';
import { cartesian, type ChartData, type Experiment, type Params, type Point, type Row, type Value } from './experiment.ts';
import { listParams, UsageError } from './params.ts';
import { runTasks } from './pool.ts';
import { rangeOf, summarize } from './stats.ts';
import type { Task, TaskResult } from './task.ts';

export interface RunOptions {
  seeds: number;
  seed: number;
  /** Worker threads; with more than one, `module` must name the module that exports the experiment. */
  workers: number;
  /** URL of the module exporting the experiment (e.g. `import.meta.url` of its file), for the worker threads. */
  module?: string;
  /** Before the first run: how many runs, and the tasks (e.g. to weigh a progress estimate by cost). */
  onStart?: (total: number, tasks: Task[]) => void;
  /** After each run: how many are done, and the index of the one that just finished. */
  onProgress?: (done: number, index: number) => void;
  /**
   * With one worker and `module`: when the runs are estimated at over a
   * second of work, run them on a worker thread all the same, so that this
   * thread answers a signal at once instead of after the run under way (the
   * command line sets it; a script whose own module is `module` must not).
   */
  interruptible?: boolean;
}

export interface ExperimentResult extends ChartData {
  pointColumns: string[];
  /** Per point, the seeds its replicates ran with. */
  runSeeds: number[][];
}

/** The points of an experiment for these parameters (validation errors become UsageError). */
export function expandPoints(exp: Experiment, params: Params): Point[] {
  let points: Point[];
  try {
    points = exp.points ? exp.points(params) : cartesian(params);
    if (exp.check) for (const p of points) exp.check(p);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError((e as Error).message);
  }
  if (points.length === 0) throw new UsageError(`experiment ${exp.name}: these parameters give no point to run`);
  return points;
}

/** Sweep columns: the list parameters, then any derived point fields the experiment added. */
export function pointColumnsOf(exp: Experiment, points: Point[]): string[] {
  // the list parameters that the points have (an optional one left out is no column)
  const cols = listParams(exp).filter((c) => points.some((p) => p[c] !== undefined));
  for (const p of points) for (const k of Object.keys(p)) if (!(k in exp.params) && !cols.includes(k)) cols.push(k);
  return cols;
}

function pointKey(point: Point, columns: string[]): string {
  return columns.map((c) => `${c}=${String(point[c])}`).join('&');
}

/** What an experiment's run will do: its points and tasks (one per point and replicate), in a fixed order. */
export interface Plan {
  exp: Experiment;
  params: Params;
  seeds: number;
  points: Point[];
  pointColumns: string[];
  tasks: Task[];
  runSeeds: number[][];
}

/** Points, seeds and tasks of an experiment: the same for every shard and for the merge. */
export function planExperiment(exp: Experiment, params: Params, opts: Pick<RunOptions, 'seeds' | 'seed' | 'module'>): Plan {
  const points = expandPoints(exp, params);
  const pointColumns = pointColumnsOf(exp, points);
  const tasks: Task[] = [];
  const runSeeds: number[][] = [];
  // alternatives compared with one another share their seeds (Experiment.paired)
  const seedColumns = pointColumns.filter((c) => !(exp.paired ?? []).includes(c));
  points.forEach((point) => {
    const key = pointKey(point, seedColumns);
    const seeds: number[] = [];
    for (let r = 0; r < opts.seeds; r++) {
      const seed = deriveSeed(opts.seed, key, r);
      seeds.push(seed);
      tasks.push({ index: tasks.length, module: opts.module ?? '', experiment: exp.name, point, seed });
    }
    runSeeds.push(seeds);
  });
  return { exp, params, seeds: opts.seeds, points, pointColumns, tasks, runSeeds };
}

/** The tidy tables of a finished plan from its task results (in task order). */
export function assemble(plan: Plan, results: TaskResult[]): ExperimentResult {
  const { exp, points, pointColumns, tasks, seeds } = plan;
  const runs: Row[] = [];
  const tables: Record<string, Row[]> = {};
  results.forEach((res, i) => {
    const pi = Math.floor(i / seeds);
    const point = points[pi];
    const prefix: Row = {};
    for (const c of pointColumns) prefix[c] = point[c];
    prefix.seed = tasks[i].seed;
    prefix.replicate = i % seeds;
    const out = res.output!;
    for (const row of out.rows) {
      checkRow(exp, row);
      runs.push({ ...prefix, ...row });
    }
    for (const [name, rows] of Object.entries(out.tables ?? {})) {
      const t = (tables[name] ??= []);
      for (const row of rows) t.push({ ...prefix, ...row });
    }
  });
  const summary = summarizeRuns(exp, runs, pointColumns);
  return { params: plan.params, points, runs, summary, tables, pointColumns, runSeeds: plan.runSeeds };
}

/** Estimated work (CPU microseconds) above which a run on one worker still goes to a worker thread. */
const ISOLATE_WORK = 1e6;

/** What a worker says when the module it imports calls runExperiment at its top level. */
export const NESTED_RUN =
  'runExperiment was called while a worker thread imported its module: the module given as `module` runs its top-level code again in every worker. ' +
  "Export the experiment from a module of its own and pass that module's URL, or call runExperiment only when isMainThread (node:worker_threads)";

export async function runExperiment(exp: Experiment, params: Params, opts: RunOptions): Promise<ExperimentResult> {
  if ((globalThis as { __gamesimWorker?: boolean }).__gamesimWorker) throw new Error(NESTED_RUN);
  const plan = planExperiment(exp, params, opts);
  opts.onStart?.(plan.tasks.length, plan.tasks);
  const workers = opts.module ? opts.workers : 1;
  // one worker and over a second of estimated work: a worker thread all the same, so a signal is answered at once (not after the run under way)
  const isolate = opts.interruptible === true && opts.module !== undefined && exp.cost !== undefined && plan.tasks.reduce((w, t) => w + exp.cost!(t.point), 0) > ISOLATE_WORK;
  const results = await runTasks(exp, plan.tasks, workers, opts.onProgress, undefined, isolate);
  return assemble(plan, results);
}

function checkRow(exp: Experiment, row: Row): void {
  for (const k of Object.keys(row)) {
    if (!exp.keys.includes(k) && !exp.metrics.includes(k))
      throw new Error(`experiment ${exp.name}: row column '${k}' is neither a key nor a metric`);
  }
}

/** Group rows by (point columns, keys) in first-seen order and summarize every metric. */
export function summarizeRuns(exp: Experiment, runs: Row[], pointColumns: string[]): Row[] {
  const groupCols = [...pointColumns, ...exp.keys];
  const groups = new Map<string, { head: Row; rows: Row[] }>();
  for (const r of runs) {
    const key = groupCols.map((c) => String(r[c])).join('\u0000');
    let g = groups.get(key);
    if (!g) {
      const head: Row = {};
      for (const c of groupCols) if (r[c] !== undefined) head[c] = r[c];
      g = { head, rows: [] };
      groups.set(key, g);
    }
    g.rows.push(r);
  }
  const out: Row[] = [];
  for (const { head, rows } of groups.values()) {
    for (const metric of exp.metrics) {
      const values = rows.map((r) => r[metric]).filter((v): v is number => typeof v === 'number');
      if (values.length === 0) continue;
      const s = summarize(values);
      // an interval fit for the quantity: clipped to what it can be (a count or a time is never below 0)
      const [lo, hi] = rangeOf(exp.metricInfo?.[metric]);
      out.push({ ...head, metric, mean: s.mean, ci95_low: Math.max(s.low, lo), ci95_high: Math.min(s.high, hi), n: s.n });
    }
  }
  return out;
}
