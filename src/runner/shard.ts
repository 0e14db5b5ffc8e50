/**
 * Sweeps in shards: `--shard i/n` (or a Slurm array task, or a Kubernetes
 * Indexed Job pod) runs every n-th task of the plan (task index striding,
 * tasks i-1, i-1+n, ...) and keeps each result in a file of its own;
 * `gamesim merge DIR` re-plans from the manifest, reads every result and
 * writes the same outputs, byte for byte, as one unsharded run. Results live
 * in `DIR/.runs-<experiment>/<key>/`, where the key names the configuration
 * (experiment, parameters, seeds, base seed, gamesim version): `--resume`
 * skips a task whose file is there, and files of another configuration are
 * never mixed in.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import type { Params } from './experiment.ts';
import { UsageError } from './params.ts';
import type { Plan } from './run.ts';
import type { TaskResult } from './task.ts';

export interface ShardSpec {
  /** 1-based. */
  index: number;
  count: number;
}

/** What a sharded run needs to be merged: written beside its results by every shard. */
export interface Manifest {
  experiment: string;
  /** The module that exports the experiment ('builtin': the CLI's registry). */
  module: string;
  params: Params;
  seeds: number;
  seed: number;
  runs: number;
  key: string;
  version: string;
}

/**
 * The share this process runs: `--shard i/n`; else Slurm's SLURM_ARRAY_TASK_ID
 * with SLURM_ARRAY_TASK_MIN and SLURM_ARRAY_TASK_COUNT; else a Kubernetes
 * Indexed Job's JOB_COMPLETION_INDEX (0-based) with `--shards n`. Throws Error
 * with one line on a malformed share.
 */
export function shardOf(spec: string | undefined, shards: number | undefined, env: NodeJS.ProcessEnv = process.env): ShardSpec | undefined {
  const check = (index: number, count: number, from: string): ShardSpec => {
    if (!(Number.isInteger(index) && Number.isInteger(count) && count >= 1 && index >= 1 && index <= count))
      throw new Error(`${from}: shard ${index} of ${count} is not a share (want 1 <= i <= n)`);
    return { index, count };
  };
  if (spec !== undefined) {
    const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(spec);
    if (!m) throw new Error(`--shard: '${spec}' is not i/n (e.g. 2/8)`);
    return check(Number(m[1]), Number(m[2]), '--shard');
  }
  const set = (v: string | undefined) => v !== undefined && v !== '';
  if (set(env.SLURM_ARRAY_TASK_ID)) {
    const id = Number(env.SLURM_ARRAY_TASK_ID), min = Number(env.SLURM_ARRAY_TASK_MIN ?? 0), count = Number(env.SLURM_ARRAY_TASK_COUNT);
    if (!Number.isFinite(count)) throw new Error('SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not');
    return check(id - min + 1, count, 'SLURM_ARRAY_TASK_ID');
  }
  if (set(env.JOB_COMPLETION_INDEX)) {
    if (shards === undefined) throw new Error('JOB_COMPLETION_INDEX is set: give --shards N (the Job\'s completions)');
    return check(Number(env.JOB_COMPLETION_INDEX) + 1, shards, 'JOB_COMPLETION_INDEX');
  }
  if (shards !== undefined) throw new Error('--shards N goes with JOB_COMPLETION_INDEX (a Kubernetes Indexed Job); use --shard i/n otherwise');
  return undefined;
}

/** The configuration key of a plan. */
export function configKey(plan: Plan, seed: number, version: string): string {
  const text = JSON.stringify({ experiment: plan.exp.name, params: plan.params, seeds: plan.seeds, seed, version });
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

export function runsDir(outDir: string, experiment: string, key: string): string {
  return join(outDir, `.runs-${experiment}`, key);
}

const fileOf = (dir: string, index: number) => join(dir, `run-${String(index).padStart(7, '0')}.bin`);

function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

export function writeManifest(dir: string, m: Manifest): void {
  mkdirSync(dir, { recursive: true });
  writeFileAtomic(join(dir, 'manifest.json'), JSON.stringify(m, null, 1) + '\n');
}

/** Keep one task's result (v8 serialization keeps NaN and Infinity as they are). */
export function saveResult(dir: string, r: TaskResult): void {
  writeFileAtomic(fileOf(dir, r.index), serialize(r));
}

/** The tasks of this share that still need a run (with resume: whose result file is missing). */
export function shareOf(plan: Plan, shard: ShardSpec, dir: string, resume: boolean): { todo: Plan['tasks']; done: number } {
  const mine = plan.tasks.filter((t) => t.index % shard.count === shard.index - 1);
  const todo = resume ? mine.filter((t) => !existsSync(fileOf(dir, t.index))) : mine;
  return { todo, done: mine.length - todo.length };
}

/** Every task's result from its file, or the indices that have none. */
export function loadResults(plan: Plan, dir: string): { results: TaskResult[]; missing: number[] } {
  const results: TaskResult[] = [];
  const missing: number[] = [];
  for (const t of plan.tasks) {
    const f = fileOf(dir, t.index);
    if (!existsSync(f)) {
      missing.push(t.index);
      continue;
    }
    let r: TaskResult;
    try {
      r = deserialize(readFileSync(f)) as TaskResult;
    } catch {
      throw new UsageError(`${f}: a damaged result file (remove it and rerun its shard with --resume)`);
    }
    if (r === null || typeof r !== 'object' || r.index !== t.index) throw new UsageError(`${f}: not the result of run ${t.index} (remove it and rerun its shard with --resume)`);
    results.push(r);
  }
  return { results, missing };
}

/** `3,7-9`: run indices as ranges. */
export function formatRanges(xs: number[]): string {
  const out: string[] = [];
  for (let i = 0; i < xs.length; ) {
    let j = i;
    while (j + 1 < xs.length && xs[j + 1] === xs[j] + 1) j++;
    out.push(i === j ? `${xs[i]}` : `${xs[i]}-${xs[j]}`);
    i = j + 1;
  }
  return out.join(',');
}

/** The fields a manifest must have, with their types. */
function checkManifest(m: unknown, where: string): Manifest {
  const x = m as Record<string, unknown>;
  const ok = x !== null && typeof x === 'object' && typeof x.experiment === 'string' && typeof x.module === 'string' && typeof x.key === 'string' &&
    typeof x.version === 'string' && Number.isInteger(x.seeds) && Number.isInteger(x.seed) && Number.isInteger(x.runs) && x.params !== null && typeof x.params === 'object';
  if (!ok) throw new UsageError(`${where}: not a gamesim shard manifest (damaged?)`);
  return x as unknown as Manifest;
}

/**
 * The manifest of every experiment with sharded results in `outDir`, read as
 * data (nothing it names is loaded here). A folder of one experiment that
 * holds two configurations (two keys) is refused, naming both: merging one
 * of them silently would hide the other.
 */
export function findManifests(outDir: string): Array<{ dir: string; manifest: Manifest }> {
  if (!existsSync(outDir)) return [];
  const out: Array<{ dir: string; manifest: Manifest }> = [];
  for (const e of readdirSync(outDir, { withFileTypes: true })) {
    if (!e.isDirectory() || !e.name.startsWith('.runs-')) continue;
    const found: Array<{ dir: string; manifest: Manifest }> = [];
    for (const k of readdirSync(join(outDir, e.name), { withFileTypes: true })) {
      const mf = join(outDir, e.name, k.name, 'manifest.json');
      if (!k.isDirectory() || !existsSync(mf)) continue;
      let raw: unknown;
      try {
        raw = JSON.parse(readFileSync(mf, 'utf8'));
      } catch {
        throw new UsageError(`${mf}: not JSON (a damaged shard manifest)`);
      }
      const m = checkManifest(raw, mf);
      if (m.key !== k.name) throw new UsageError(`${mf}: its key ${m.key} is not its folder's (${k.name}): an edited or moved manifest`);
      found.push({ dir: join(outDir, e.name, k.name), manifest: m });
    }
    if (found.length > 1)
      throw new UsageError(`${join(outDir, e.name)} holds ${found.length} configurations of ${found[0].manifest.experiment} (${found.map((f) => f.manifest.key).join(', ')}): remove the ones you do not want to merge`);
    out.push(...found);
  }
  return out.sort((a, b) => (a.manifest.experiment < b.manifest.experiment ? -1 : 1));
}
