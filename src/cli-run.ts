/**
 * The CLI's actions: run an experiment (whole, as a share of a sharded sweep,
 * or resumed), merge shards, and print the summary. cli.ts parses the
 * command line and calls these; the registry comes in as `Registry`.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SingleBar } from 'cli-progress';
import type { ChartData, Experiment, Params } from './runner/experiment.ts';
import { UsageError } from './runner/params.ts';
import { assemble, expandPoints, planExperiment, runExperiment, type ExperimentResult, type Plan } from './runner/run.ts';
import { runTasks } from './runner/pool.ts';
import { configKey, findManifests, formatRanges, loadResults, runsDir, saveResult, shareOf, writeManifest, type ShardSpec } from './runner/shard.ts';
import { experimentsOf, importModule, type Task } from './runner/task.ts';
import { packageVersion, writeExperiment } from './output/write.ts';
import { writeIndex } from './output/html.ts';
import { formatValue } from './output/csv.ts';
import { markdown, verify, writeVerify, type Claim } from './verify/verify.ts';

/** The built-in experiments: the module that exports them (for worker threads), lookup, and their order. */
export interface Registry {
  module: string;
  find(name: string): Experiment | undefined;
  order: string[];
}

/** Options every command shares. */
export interface Common {
  seeds?: number;
  seed: number;
  out: string;
  workers: number;
  quiet: boolean;
  /** A factor on the limits an experiment must stay within (RUNS_BUDGET runs, WORK_BUDGET work). */
  budget: number;
  /** This process's share of the runs (--shard, or a Slurm array task, or a Kubernetes Indexed Job). */
  shard?: ShardSpec;
  resume: boolean;
}

function defaultReport(exp: Experiment, data: ChartData & { pointColumns: string[] }): string[] {
  const cols = [...data.pointColumns, ...exp.keys, 'metric'];
  const rows = data.summary.map((r) => [
    ...cols.map((c) => formatValue(r[c])),
    `${fmt(r.mean as number)}${Number.isFinite(r.ci95_low as number) ? ` [${fmt(r.ci95_low as number)}, ${fmt(r.ci95_high as number)}]` : ''}`,
  ]);
  const head = [...cols, 'mean [95% CI]'];
  const limit = 40;
  const shown = rows.slice(0, limit);
  const widths = head.map((h, i) => Math.max(h.length, ...shown.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  const out = [line(head), ...shown.map(line)];
  if (rows.length > limit) out.push(`... ${rows.length - limit} more rows in summary.csv`);
  return out;
}

function fmt(v: number): string {
  if (!Number.isFinite(v)) return '-';
  return String(Number(v.toPrecision(4)));
}

/** Refuse, before any work, an experiment whose runs (points x seeds) exceed the budget. */
export function checkBudget(exp: Experiment, params: Params, c: Common): void {
  const seeds = c.seeds ?? exp.seeds;
  const factor = (need: number, limit: number) => Math.ceil((need / limit) * 10) / 10;
  // the sweep's size from its lists alone, before a point is built (a million points take minutes and gigabytes to build)
  const listed = Object.values(params).reduce((n: number, v) => n * (Array.isArray(v) ? v.length : 1), 1);
  if (listed > 1 && listed * seeds > RUNS_BUDGET * c.budget)
    throw new UsageError(
      `${exp.name}: the sweep lists ${listed.toLocaleString('en-US')} combinations x ${seeds.toLocaleString('en-US')} seeds, over the budget of ` +
        `${(RUNS_BUDGET * c.budget).toLocaleString('en-US')} runs; --budget ${factor(listed * seeds, RUNS_BUDGET)} allows it`,
    );
  const pts = expandPoints(exp, params);
  const points = pts.length;
  const runs = points * seeds;
  if (runs > RUNS_BUDGET * c.budget)
    throw new UsageError(
      `${exp.name}: ${runs.toLocaleString('en-US')} runs (${points.toLocaleString('en-US')} point${points === 1 ? '' : 's'} x ${seeds.toLocaleString('en-US')} seeds) are over the budget of ` +
        `${(RUNS_BUDGET * c.budget).toLocaleString('en-US')} runs; --budget ${factor(runs, RUNS_BUDGET)} allows it`,
    );
  if (exp.cost) {
    const work = pts.reduce((a, p) => a + exp.cost!(p), 0) * seeds;
    if (!Number.isFinite(work))
      throw new UsageError(`${exp.name}: the work of a run cannot be bounded (a length or a rate so large that the estimate is not a finite number): shorten the run`);
    if (work > WORK_BUDGET * c.budget)
      throw new UsageError(
        `${exp.name}: about ${(work / 3.6e9).toPrecision(2)} CPU-hours of work (the experiment's estimate over all runs) are over the budget of ` +
          `${((WORK_BUDGET * c.budget) / 3.6e9).toPrecision(2)} CPU-hours; --budget ${factor(work, WORK_BUDGET)} allows it`,
      );
  }
}

/** What --budget 1 allows: runs (points x seeds), and work (the experiments' cost estimates summed, in microseconds of CPU: 2 CPU-hours). */
export const RUNS_BUDGET = 100_000;
export const WORK_BUDGET = 7.2e9;

/**
 * A share of an experiment's runs, each kept in a file (--shard, --resume):
 * the whole share runs, then one process merges (`gamesim merge`); a run
 * that is its own only share (--resume alone) merges at once.
 */
async function runShare(reg: Registry, exp: Experiment, params: Params, c: Common, module: string, shard: ShardSpec): Promise<void> {
  const seeds = c.seeds ?? exp.seeds;
  const plan = planExperiment(exp, params, { seeds, seed: c.seed, module });
  const version = packageVersion();
  const key = configKey(plan, c.seed, version);
  const dir = runsDir(c.out, exp.name, key);
  writeManifest(dir, { experiment: exp.name, module: module === reg.module ? 'builtin' : module, params, seeds, seed: c.seed, runs: plan.tasks.length, key, version });
  const { todo, done } = shareOf(plan, shard, dir, c.resume);
  const bar = Progress.maybe(exp.name, todo, exp, c.quiet);
  await runTasks(exp, todo, c.workers, (n, i) => bar?.done(n, i), (r) => saveResult(dir, r));
  bar?.stop();
  if (!c.quiet)
    process.stderr.write(`${exp.name}: shard ${shard.index}/${shard.count}: ran ${todo.length} runs${done ? `, ${done} were done already` : ''} (of ${plan.tasks.length})\n`);
  if (shard.count === 1) await mergeOne(reg, c.out, exp, plan, dir, c.quiet);
}

/** Assemble and write one experiment from its result files; the missing runs, if any. */
async function mergeOne(reg: Registry, out: string, exp: Experiment, plan: Plan, dir: string, quiet: boolean): Promise<number[]> {
  const { results, missing } = loadResults(plan, dir);
  if (missing.length) return missing;
  const res = assemble(plan, results);
  const written = await writeExperiment(out, exp, res, { seeds: plan.seeds, seed: JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')).seed, order: reg.order });
  if (!quiet) report(exp, res, plan.seeds, written.dir);
  return [];
}

/**
 * `gamesim merge DIR`: every sharded experiment in DIR; returns the exit code
 * (1 when runs are missing). No code named by a file in DIR is run: a shard of
 * a built-in experiment merges with the built-in registry; one of an own
 * experiment needs its module given on the command line (`--module FILE`),
 * which must be the module the shards ran. A manifest whose parameters were
 * edited (its key no longer matches them) is refused.
 */
export async function mergeDir(reg: Registry, out: string, quiet: boolean, moduleArg?: string): Promise<number> {
  // a damaged, edited or mixed shard folder is a UsageError from shard.ts (one line, exit 2)
  const found = findManifests(out);
  if (found.length === 0) throw new UsageError(`${out}: no sharded results to merge (run with --shard i/n first)`);
  const given = moduleArg === undefined ? undefined : pathToFileURL(resolve(moduleArg)).href;
  let code = 0;
  for (const { dir, manifest: m } of found) {
    let exp: Experiment | undefined;
    if (m.module === 'builtin') exp = reg.find(m.experiment);
    else {
      if (given === undefined) throw new UsageError(`${dir}: these shards ran ${m.experiment} from ${m.module}; merge runs no code named by a file: give it with --module FILE`);
      if (given !== m.module) throw new UsageError(`${dir}: these shards ran ${m.experiment} from ${m.module}, not from --module ${moduleArg}`);
      exp = experimentsOf(await importModule(given)).find((e) => e.name === m.experiment);
    }
    if (!exp) throw new UsageError(`${dir}: experiment ${m.experiment} not found in ${m.module === 'builtin' ? 'the built-in experiments' : m.module}`);
    let plan: Plan;
    try {
      plan = planExperiment(exp, m.params, { seeds: m.seeds, seed: m.seed, module: m.module === 'builtin' ? reg.module : m.module });
    } catch (e) {
      throw new UsageError(`${dir}/manifest.json: ${(e as Error).message}`);
    }
    if (configKey(plan, m.seed, m.version) !== m.key || plan.tasks.length !== m.runs)
      throw new UsageError(`${dir}/manifest.json: its parameters, seeds or version do not match its key ${m.key} (an edited manifest): rerun the shards`);
    const missing = await mergeOne(reg, out, exp, plan, dir, quiet);
    if (missing.length) {
      process.stderr.write(`error: ${m.experiment}: runs ${formatRanges(missing)} missing (of ${plan.tasks.length}; run the shards that hold them, or rerun with --resume)\n`);
      code = 1;
    }
  }
  return code;
}

/**
 * Runs done of the total, with an ETA weighted by each run's estimated cost
 * (Experiment.cost; equal without one), shown only once it means something:
 * 5% of the work done and 2 s passed.
 */
class Progress {
  private readonly bar: SingleBar;
  private readonly cost = new Map<number, number>();
  private total = 0;
  private doneCost = 0;
  private readonly t0 = Date.now();

  constructor(name: string, tasks: Task[], exp: Experiment) {
    for (const t of tasks) {
      const c = exp.cost ? Math.max(0, exp.cost(t.point)) : 1;
      this.cost.set(t.index, c);
      this.total += c;
    }
    this.bar = new SingleBar({ stream: process.stderr, format: `${name} [{bar}] {value}/{total} runs {eta}`, hideCursor: true });
    this.bar.start(tasks.length, 0, { eta: '' });
  }

  done(n: number, index: number): void {
    this.doneCost += this.cost.get(index) ?? 0;
    const elapsed = (Date.now() - this.t0) / 1000;
    const f = this.total > 0 ? this.doneCost / this.total : n / this.bar.getTotal();
    const eta = f >= 0.05 && elapsed >= 2 ? `ETA ${fmtDuration((elapsed * (1 - f)) / f)}` : '';
    this.bar.update(n, { eta });
  }

  stop(): void {
    this.bar.stop();
  }

  static maybe(name: string, tasks: Task[], exp: Experiment, quiet: boolean): Progress | undefined {
    return quiet || !process.stderr.isTTY || tasks.length <= 1 ? undefined : new Progress(name, tasks, exp);
  }
}

function fmtDuration(s: number): string {
  if (s < 90) return `${Math.ceil(s)} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

function report(exp: Experiment, res: ExperimentResult, seeds: number, dir: string): void {
  const lines = exp.report ? exp.report(res) : defaultReport(exp, res);
  process.stdout.write(`== ${exp.name}: ${exp.title} (${res.points.length} points x ${seeds} seeds) ==\n${lines.join('\n')}\nwritten: ${dir}/\n\n`);
}

export async function runOne(reg: Registry, exp: Experiment, params: Params, c: Common, module = reg.module): Promise<void> {
  if (c.shard || c.resume) return runShare(reg, exp, params, c, module, c.shard ?? { index: 1, count: 1 });
  const seeds = c.seeds ?? exp.seeds;
  let bar: Progress | undefined;
  const res: ExperimentResult = await runExperiment(exp, params, {
    seeds,
    seed: c.seed,
    workers: c.workers,
    module,
    interruptible: true,
    onStart: (_total, tasks) => {
      bar = Progress.maybe(exp.name, tasks, exp, c.quiet);
    },
    onProgress: (done, index) => bar?.done(done, index),
  });
  bar?.stop();
  const written = await writeExperiment(c.out, exp, res, { seeds, seed: c.seed, order: reg.order });
  if (!c.quiet) report(exp, res, seeds, written.dir);
}


/** `gamesim verify`: run the claims, print the table, write it; 1 when a number left its band. */
export async function verifyCommand(reg: Registry, c: Common): Promise<number> {
  const { claims } = (await importModule(new URL('claims.' + (reg.module.endsWith('.js') ? 'js' : 'ts'), reg.module).href)) as { claims: Claim[] };
  const rows = await verify(claims, reg.find, { workers: c.workers, module: reg.module, onClaim: (cl) => c.quiet || process.stderr.write(`verify: running ${cl.experiment} for ${cl.id}\n`) });
  writeVerify(c.out, rows);
  writeIndex(c.out, reg.order);
  if (!c.quiet) process.stdout.write(markdown(rows) + `written: ${join(c.out, 'verify.csv')}, ${join(c.out, 'verify.md')}\n`);
  const out = rows.filter((r) => !r.inBand);
  for (const r of out) process.stderr.write(`error: ${r.id}: ours ${r.ours} left its band [${r.band_low}, ${r.band_high}]\n`);
  return out.length ? 1 : 0;
}
