/**
 * The command line: `gamesim experiment list | all | <name> | <file> [args] [options]`,
 * `gamesim run <scenario>`, `gamesim merge <dir>`. This file parses and checks the
 * arguments; cli-run.ts carries the commands out. Bad input prints one line
 * `error: ...` on stderr and exits 2, having written nothing.
 */
import { availableParallelism } from 'node:os';
import { existsSync, lstatSync, mkdirSync, realpathSync, rmdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import yargs, { type Argv, type Options } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { experiments, findExperiment } from '../experiments/index.ts';
import type { Experiment } from './runner/experiment.ts';
import { resolveParams, UsageError } from './runner/params.ts';
import { shardOf, type ShardSpec } from './runner/shard.ts';
import { packageVersion, removeStaging } from './output/write.ts';
import { experimentsOf, importModule } from './runner/task.ts';
import { checkBudget, mergeDir, runOne, verifyCommand, RUNS_BUDGET, WORK_BUDGET, type Common, type Registry } from './cli-run.ts';
import { loadScenario, ScenarioError } from './scenario/load.ts';
import { scenarioExperiment, scenarioModule } from './scenario/experiment.ts';

/** The built-in registry's module, for the worker threads (the compiled one when this file is compiled). */
const REGISTRY = new URL(import.meta.url.endsWith('.js') ? '../experiments/index.js' : '../experiments/index.ts', import.meta.url).href;
const ORDER = experiments.map((e) => e.name);
const REG: Registry = { module: REGISTRY, find: findExperiment, order: ORDER };

/** An experiment from a file (`gamesim experiment ./mine.ts`): the one it exports, with its module URL for the workers. */
async function experimentFromFile(path: string): Promise<{ exp: Experiment; module: string }> {
  const abs = resolve(path);
  if (!existsSync(abs)) throw new UsageError(`no experiment file ${path}`);
  const module = pathToFileURL(abs).href;
  let mod: Record<string, unknown>;
  try {
    mod = await importModule(module);
  } catch (e) {
    throw new UsageError(`cannot load ${path}: ${(e as Error).message.split('\n')[0]}`);
  }
  const found = experimentsOf(mod);
  if (found.length === 0) throw new UsageError(`${path} exports no experiment (an object with a name, params, run, ...)`);
  if (found.length > 1) throw new UsageError(`${path} exports ${found.length} experiments (${found.map((e) => e.name).join(', ')}): export one`);
  return { exp: found[0], module };
}

const looksLikeFile = (name: string) => /[\\/]/.test(name) || /\.(m|c)?(t|j)s$/.test(name);

const GLOBAL = ['budget', 'shard', 'shards', 'resume', 'seeds', 'seed', 'out', 'workers', 'quiet', 'help', 'version'];



function parseInt(name: string, raw: unknown, min: number): number | undefined {
  if (raw === undefined) return undefined;
  if (Array.isArray(raw)) throw new UsageError(`--${name} given more than once`);
  const s = String(raw).trim();
  const v = s === '' ? NaN : Number(s);
  if (!Number.isInteger(v)) throw new UsageError(`--${name}: '${String(raw)}' is not an integer`);
  if (v < min) throw new UsageError(`--${name}: ${v} is below the minimum ${min}`);
  return v;
}

function commonOptions(argv: Record<string, unknown>): Common {
  if (Array.isArray(argv.out)) throw new UsageError('--out given more than once');
  const out = argv.out === undefined ? 'out' : String(argv.out);
  if (out.trim() === '') throw new UsageError('--out: empty directory name');
  const seed = parseInt('seed', argv.seed, 0) ?? 1;
  if (seed > Number.MAX_SAFE_INTEGER) throw new UsageError(`--seed: ${seed} is above 2^53 - 1 (seeds must be exact integers)`);
  const seeds = parseInt('seeds', argv.seeds, 1);
  if (seeds !== undefined && seeds > Number.MAX_SAFE_INTEGER) throw new UsageError(`--seeds: ${seeds} is above 2^53 - 1`);
  checkOut(out);
  return {
    seeds,
    seed,
    out,
    workers: capWorkers(parseInt('workers', argv.workers, 1) ?? availableParallelism()),
    quiet: Boolean(argv.quiet),
    budget: parseFactor(argv.budget),
    shard: shardFrom(argv),
    resume: Boolean(argv.resume),
  };
}

/** At most this many worker threads (each holds a model and its runs; a typo such as 100000 must not start them). */
const MAX_WORKERS = 256;

function capWorkers(n: number): number {
  if (n > MAX_WORKERS) throw new UsageError(`--workers: ${n} is above ${MAX_WORKERS} (this machine has ${availableParallelism()} cores)`);
  return n;
}

function parseFactor(raw: unknown): number {
  if (raw === undefined) return 1;
  const v = Number(String(raw).trim());
  if (!(Number.isFinite(v) && v > 0)) throw new UsageError(`--budget: '${String(raw)}' is not a positive number (a factor on the run and work limits)`);
  return v;
}

function shardFrom(argv: Record<string, unknown>): ShardSpec | undefined {
  if (Array.isArray(argv.shard)) throw new UsageError('--shard given more than once');
  try {
    return shardOf(argv.shard === undefined ? undefined : String(argv.shard), parseInt('shards', argv.shards, 1));
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError((e as Error).message);
  }
}

/**
 * Check --out before any work: it must be a directory we can write into, or
 * not exist yet below one; not a file, a device, a dangling link, or under
 * /proc or /sys.
 */
function checkOut(out: string): void {
  const abs = resolve(out);
  // a path the file system cannot hold (a name over 255 bytes, the whole over 4096) is refused before anything
  if (Buffer.byteLength(abs) > 4000 || abs.split('/').some((p) => Buffer.byteLength(p) > 200))
    throw new UsageError(`--out: the path is too long for a file system (names of at most 200 bytes, ${Buffer.byteLength(abs)} bytes in all)`);
  const system = /^\/(proc|sys|dev)(\/|$)/;
  if (system.test(abs)) throw new UsageError(`--out: ${out} is under /${abs.split('/')[1]}, not a place for results`);
  let existing = abs;
  for (;;) {
    let st;
    try {
      st = lstatSync(existing);
    } catch {
      const up = dirname(existing);
      if (up === existing) throw new UsageError(`--out: no existing folder above ${out}`);
      existing = up;
      continue;
    }
    if (st.isSymbolicLink()) {
      if (!existsSync(existing)) throw new UsageError(`--out: ${existing} is a dangling link`);
      st = statSync(existing);
    }
    if (!st.isDirectory()) throw new UsageError(`--out: ${existing} is ${st.isFile() ? 'a file' : 'not a directory'}`);
    break;
  }
  if (system.test(realpathSync(existing))) throw new UsageError(`--out: ${out} leads under ${realpathSync(existing)}, not a place for results`);
  // can we create something there? (as root, access() says yes to read-only file systems too)
  const probe = join(existing, `.gamesim-probe-${process.pid}`);
  try {
    mkdirSync(probe);
    rmdirSync(probe);
  } catch (e) {
    throw new UsageError(`--out: cannot write in ${existing} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/** Raw experiment options from yargs' argv: exactly the experiment's parameter names. */
function rawParams(exp: Experiment, argv: Record<string, unknown>, positional: string[]): Record<string, string | string[]> {
  const raw: Record<string, string | string[]> = {};
  for (const key of Object.keys(argv)) {
    if (key === '_' || key === '$0' || key === 'name' || key === 'args' || GLOBAL.includes(key)) continue;
    if (key in exp.params) {
      const v = argv[key];
      raw[key] = Array.isArray(v) ? v.map(String) : String(v);
    }
  }
  const pos = Object.entries(exp.params).find(([, s]) => s.positional);
  if (positional.length > 0) {
    if (!pos) throw new UsageError(`experiment ${exp.name} takes no positional argument (got '${positional[0]}')`);
    if (raw[pos[0]] !== undefined) throw new UsageError(`--${pos[0]} given both as an option and as an argument`);
    raw[pos[0]] = positional;
  }
  return raw;
}

interface YargsOption {
  describe: string;
  type: 'string' | 'number';
  choices?: string[];
  defaultDescription: string;
}

/**
 * The experiment's parameters as yargs options, typed for --help: a number as
 * a number, a boolean or a single choice as its choices, a sweep as a list
 * (a string that parseValue splits). parseValue checks every value either way.
 */
function describeParams(exp: Experiment): Record<string, YargsOption> {
  const opts: Record<string, YargsOption> = {};
  for (const [name, s] of Object.entries(exp.params)) {
    const def = s.default === undefined ? 'left out' : Array.isArray(s.default) ? s.default.join(',') : String(s.default);
    if (s.list) {
      const extra = s.choices ? ` (each one of ${s.choices.join(', ')})` : '';
      opts[name] = { describe: `${s.help}${extra} [list: a comma-separated sweep]`, type: 'string', defaultDescription: def };
    } else if (s.type === 'boolean') opts[name] = { describe: s.help, type: 'string', choices: ['true', 'false', 'on', 'off', 'yes', 'no', '1', '0'], defaultDescription: def };
    else if (s.type === 'enum') opts[name] = { describe: s.help, type: 'string', choices: [...s.choices!], defaultDescription: def };
    // numbers too are read as typed (the messages echo them as given, e.g. 1e12), and parsed here
    else opts[name] = { describe: s.help, type: 'string', defaultDescription: def };
  }
  return opts;
}

/** The options of the commands that run experiments; each command declares only those it uses (strict: others are refused). */
function runOptions(y: Argv, which: string[]): Argv {
  const all: Record<string, Options> = {
    seeds: { describe: 'replicates per point (default: the experiment\'s)', type: 'string' },
    seed: { describe: 'base seed; each run\'s seed is derived from it, the point and the replicate', type: 'string', defaultDescription: '1' },
    out: { describe: 'output directory (the committed results/ is rewritten only by npm run results)', type: 'string', defaultDescription: 'out' },
    workers: { describe: 'worker threads', type: 'string', defaultDescription: 'number of cores' },
    quiet: { describe: 'no progress bar and no summary on stdout', type: 'boolean' },
    shard: { describe: 'run only share i of n (i/n, 1-based; tasks by index striding) and keep each result; then `gamesim merge DIR`. Without it, SLURM_ARRAY_TASK_ID (with _MIN and _COUNT) or JOB_COMPLETION_INDEX (with --shards) pick the share', type: 'string' },
    shards: { describe: 'the number of shards, with JOB_COMPLETION_INDEX (a Kubernetes Indexed Job)', type: 'string' },
    resume: { describe: 'keep each result in a file and skip the runs whose file exists for the same configuration', type: 'boolean' },
    budget: { describe: `a factor on the limits one experiment must stay within: ${RUNS_BUDGET.toLocaleString('en-US')} runs (points x seeds) and ${WORK_BUDGET / 3.6e9} CPU-hours of estimated work`, type: 'string', defaultDescription: '1' },
  };
  for (const k of which) y.option(k, all[k]);
  return y;
}

const RUN_OPTIONS = ['seeds', 'seed', 'out', 'workers', 'quiet', 'shard', 'shards', 'resume', 'budget'];

export async function main(args: string[]): Promise<number> {
  // `gamesim tune TRACE [options]` is the tune experiment on that trace
  if (args[0] === 'tune') args = ['experiment', 'tune', ...(args[1] !== undefined && !args[1].startsWith('-') ? ['--trace', args[1], ...args.slice(2)] : args.slice(1))];
  const name = args[0] === 'experiment' ? args[1] : undefined;
  const fromFile = name !== undefined && looksLikeFile(name) ? await experimentFromFile(name) : undefined;
  const exp = fromFile?.exp ?? (name ? findExperiment(name) : undefined);
  let action: (() => Promise<void>) | undefined;
  let exitCode = 0;
  const parser = yargs(args)
    .scriptName('gamesim')
    .usage('$0 experiment list | all | <name> | <file.ts|file.mjs> [args..] [options]\n$0 run <scenario.yaml|scenario.json> [options]\n$0 tune <trace> [options]   (the tune experiment: a detector setting for a measured channel)')
    .command(
      'experiment <name> [args..]',
      'run an experiment (`list` shows them, `all` runs every one at its defaults)',
      (y) => {
        runOptions(y, RUN_OPTIONS);
        y.positional('name', { describe: 'experiment name, `list` or `all`', type: 'string' })
          .positional('args', { describe: 'positional values (e.g. skew ratios: 3:1)', type: 'string', array: true })
;
        if (exp) {
          y.options(describeParams(exp)).epilog(`${exp.title}\n\n${exp.description}`);
        } else {
          y.epilog(`experiments: ${experiments.map((e) => e.name).join(', ')}`);
        }
        return y;
      },
      (argv) => {
        const a = argv as unknown as Record<string, unknown>;
        const positional = ((a.args as unknown[]) ?? []).map(String);
        const n = String(a.name);
        if (n === 'list') {
          action = async () => {
            const w = Math.max(...experiments.map((e) => e.name.length));
            for (const e of experiments)
              process.stdout.write(`${e.name.padEnd(w)}  ${e.title}${e.example ? ' [example]' : e.outsideAll ? ' [not in all]' : ''} (${e.seeds} seed${e.seeds === 1 ? '' : 's'})\n`);
          };
          return;
        }
        const c = commonOptions(a);
        if (n === 'all') {
          if (positional.length) throw new UsageError(`'all' takes no positional argument (got '${positional[0]}')`);
          const jobs = experiments.filter((e) => !e.example && !e.outsideAll).map((e) => ({ e, params: resolveParams(e, {}) }));
          for (const j of jobs) checkBudget(j.e, j.params, c);
          action = async () => {
            for (const j of jobs) await runOne(REG, j.e, j.params, c);
          };
          return;
        }
        if (!exp) throw new UsageError(`unknown experiment '${n}' (try: experiment list, or give a file that exports one)`);
        const params = resolveParams(exp, rawParams(exp, a, positional));
        checkBudget(exp, params, c); // validates the sweep too, before anything runs or is written
        action = () => runOne(REG, exp, params, c, fromFile?.module);
      },
    )
    .command(
      'run <file>',
      'run a scenario file (YAML or JSON; schema/scenario.schema.json): an HA cluster and its faults, or an LB map and its players',
      (y) => runOptions(y, RUN_OPTIONS).positional('file', { describe: 'the scenario file', type: 'string' }),
      (argv) => {
        const a = argv as unknown as Record<string, unknown>;
        const file = String(a.file);
        const c = commonOptions(a);
        let loaded;
        try {
          loaded = loadScenario(file);
        } catch (e) {
          if (e instanceof ScenarioError) throw new UsageError(`${file}: ${e.message}`);
          throw e;
        }
        const sx = scenarioExperiment(loaded.scenario, loaded.axes);
        const params = resolveParams(sx, {});
        try {
          checkBudget(sx, params, c);
        } catch (e) {
          throw new UsageError(`${file}: ${(e as Error).message}`);
        }
        action = () => runOne(REG, sx, params, c, scenarioModule(file));
      },
    )
    .command(
      'verify',
      "run the papers' published claims at pinned seeds: the reproduction table with each claim's verdict and regression band; exit 1 when a number leaves its band (writes verify.csv and verify.md to --out)",
      (y) => runOptions(y, ['out', 'workers', 'quiet']),
      (argv) => {
        const a = argv as unknown as Record<string, unknown>;
        const c = commonOptions(a);
        action = async () => {
          exitCode = await verifyCommand(REG, c);
        };
      },
    )
    .command(
      'merge <dir>',
      'assemble the outputs of a sharded run (every experiment in DIR with sharded results): the same bytes as one unsharded run',
      (y) =>
        runOptions(y, ['quiet']).positional('dir', { describe: 'the --out folder of the shards (merged in place)', type: 'string' })
          .option('module', { describe: "the file of an own experiment whose shards are merged (merge loads no code named by the shards' files)", type: 'string' }),
      (argv) => {
        const a = argv as unknown as Record<string, unknown>;
        const dir = String(a.dir);
        action = async () => {
          exitCode = await mergeDir(REG, dir, Boolean(a.quiet), a.module === undefined ? undefined : String(a.module));
        };
      },
    )
    .demandCommand(1, 'missing command (try: experiment list, or run FILE)')
    .strict()
    .help()
    .alias('h', 'help')
    .version(packageVersion())
    .showHelpOnFail(false)
    .exitProcess(false)
    .fail((msg, err) => {
      throw err instanceof UsageError ? err : new UsageError(msg ?? err?.message ?? 'bad arguments');
    })
    .wrap(Math.min(110, process.stdout.columns ?? 100));
  await parser.parseAsync();
  if (action) await action();
  return exitCode;
}

/** What a failure of `main` prints and the exit code: bad input is one line and 2; anything else is internal, 1. */
export function failure(e: unknown): { code: number; line: string } {
  const err = e as NodeJS.ErrnoException;
  const oneLine = (s: string) => s.replace(/\s*\n\s*/g, ' ').trim();
  if (err instanceof UsageError) return { code: 2, line: `error: ${oneLine(err.message)}` };
  // the machine said no while writing: what and where, in one line (nothing half-written is left)
  const said: Record<string, string> = { ENAMETOOLONG: 'a name in the path is too long', ENOSPC: 'no space left on the device', EDQUOT: 'the disk quota is used up', EROFS: 'the file system is read-only', EACCES: 'permission denied', EPERM: 'not permitted', EMFILE: 'too many open files' };
  if (err?.code && said[err.code]) return { code: 2, line: `error: cannot write${err.path ? ` ${err.path}` : ''}: ${said[err.code]}` };
  return { code: 1, line: `error: internal: ${oneLine(String(err?.message ?? err).split('\n')[0])}` };
}

/** Run the command line in this process (tests): the exit code and what would go to stderr on failure. */
export async function runCli(args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    return { code: await main(args), stderr: '' };
  } catch (e) {
    const f = failure(e);
    return { code: f.code, stderr: `${f.line}\n` };
  }
}

const invoked = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invoked || process.env.GAMESIM_CLI === '1') {
  // a reader that went away (`gamesim experiment list | head`) ends the program quietly
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  // Ctrl-C or SIGTERM: no staging folder stays behind, the terminal gets its cursor and line wrapping back, one line, exit 130
  const interrupted = (): void => {
    removeStaging();
    if (process.stderr.isTTY) process.stderr.write('\x1b[?25h\x1b[?7h\r\x1b[K');
    process.stderr.write('interrupted: nothing half-written is left (an output folder is replaced only when whole)\n');
    process.exit(130);
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  main(hideBin(process.argv)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      const f = failure(e);
      process.stderr.write(`${f.line}\n`);
      if (f.code === 1 && process.env.GAMESIM_DEBUG) process.stderr.write(`${(e as Error).stack}\n`);
      process.exitCode = f.code;
    },
  );
}
