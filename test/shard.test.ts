/**
 * Sharded sweeps: 3 shards + merge give the same bytes as one run (an LB and an HA experiment),
 * a missing run is listed with exit 1, --resume skips what is done, and the share comes from
 * --shard, Slurm's array variables or a Kubernetes Indexed Job's index.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { shardOf, formatRanges } from '../src/runner/shard.ts';
import { runCli } from '../src/cli.ts';

const ROOT = new URL('../', import.meta.url).pathname;
const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => {
  const base = { ...process.env };
  for (const k of Object.keys(base)) if (k.startsWith('SLURM_') || k === 'JOB_COMPLETION_INDEX') delete base[k];
  return execFileSync(process.execPath, ['--conditions=gamesim-source', '--import', 'tsx', 'src/cli.ts', ...args], {
    cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...base, ...env },
  });
};

/** The command line in this process (its own entry), with Slurm's and Kubernetes' variables as given; exit 0 expected. */
async function cliHere(args: string[], env: Record<string, string> = {}): Promise<void> {
  const keys = Object.keys(process.env).filter((k) => k.startsWith('SLURM_') || k === 'JOB_COMPLETION_INDEX');
  const saved = Object.fromEntries([...keys, ...Object.keys(env)].map((k) => [k, process.env[k]]));
  for (const k of keys) delete process.env[k];
  Object.assign(process.env, env);
  try {
    const r = await runCli(args);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
  } finally {
    for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
  }
}

/** Every file below dir (hidden run folders left out), with its bytes. */
function tree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.name.startsWith('.')) continue;
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(relative(dir, p), readFileSync(p).toString('base64'));
    }
  };
  walk(dir);
  return out;
}

test('3 shards + merge = one run, byte for byte (an LB and an HA experiment, charts and meta.json included)', async () => {
  const one = mkdtempSync(join(tmpdir(), 'gamesim-one-')), sharded = mkdtempSync(join(tmpdir(), 'gamesim-sh-'));
  try {
    const exps = [['skew', '2:1,3:1', '--seeds', '3'], ['heartbeat', '--interval', '0.5,1', '--loss', '0,0.01', '--duration', '3600']];
    for (const e of exps) {
      await cliHere(['experiment', ...e, '--out', one, '--quiet']);
      // shards from --shard, from Slurm's variables, from an Indexed Job's index
      await cliHere(['experiment', ...e, '--out', sharded, '--quiet', '--shard', '1/3']);
      await cliHere(['experiment', ...e, '--out', sharded, '--quiet'], { SLURM_ARRAY_TASK_ID: '11', SLURM_ARRAY_TASK_MIN: '10', SLURM_ARRAY_TASK_COUNT: '3' });
      await cliHere(['experiment', ...e, '--out', sharded, '--quiet', '--shards', '3'], { JOB_COMPLETION_INDEX: '2' });
    }
    await cliHere(['merge', sharded, '--quiet']);
    const a = tree(one), b = tree(sharded);
    assert.deepEqual([...b.keys()].sort(), [...a.keys()].sort());
    for (const [f, bytes] of a) assert.equal(b.get(f), bytes, f);
    assert.ok(a.has('skew/runs.csv') && a.has('heartbeat/detection.png') && a.has('index.html'));
  } finally {
    rmSync(one, { recursive: true, force: true });
    rmSync(sharded, { recursive: true, force: true });
  }
});

test('merge lists missing runs and exits 1; --resume runs only what is missing', async () => {
  const out = mkdtempSync(join(tmpdir(), 'gamesim-miss-'));
  try {
    const e = ['skew', '2:1,3:1', '--seeds', '4', '--out', out];
    await cliHere(['experiment', ...e, '--shard', '1/3', '--quiet']);
    await cliHere(['experiment', ...e, '--shard', '3/3', '--quiet']);
    try {
      cli(['merge', out, '--quiet']);
      assert.fail('merge should fail');
    } catch (err) {
      const x = err as { status: number; stderr: string };
      assert.equal(x.status, 1);
      assert.match(x.stderr, /^error: skew: runs 1,4,7 missing \(of 8/m);
    }
    const stamp = (f: string) => statSync(join(out, '.runs-skew', readdirSync(join(out, '.runs-skew'))[0], f)).mtimeMs;
    const before = stamp('run-0000000.bin');
    await cliHere(['experiment', ...e, '--resume', '--quiet']);
    assert.equal(stamp('run-0000000.bin'), before, 'a run already done is not run again');
    assert.ok(readFileSync(join(out, 'skew', 'runs.csv'), 'utf8').split('\n').length > 8, 'resume merged the whole experiment');
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('shardOf: --shard, Slurm array variables, Indexed Job index; bad shares are errors', () => {
  assert.deepEqual(shardOf('2/8', undefined, {}), { index: 2, count: 8 });
  assert.deepEqual(shardOf(undefined, undefined, { SLURM_ARRAY_TASK_ID: '7', SLURM_ARRAY_TASK_MIN: '4', SLURM_ARRAY_TASK_COUNT: '4' }), { index: 4, count: 4 });
  assert.deepEqual(shardOf(undefined, 5, { JOB_COMPLETION_INDEX: '0' }), { index: 1, count: 5 });
  assert.equal(shardOf(undefined, undefined, {}), undefined);
  assert.throws(() => shardOf('0/3', undefined, {}), /not a share/);
  assert.throws(() => shardOf('3', undefined, {}), /not i\/n/);
  assert.throws(() => shardOf(undefined, undefined, { JOB_COMPLETION_INDEX: '1' }), /give --shards/);
  assert.throws(() => shardOf(undefined, 4, {}), /goes with JOB_COMPLETION_INDEX/);
  assert.equal(formatRanges([3, 7, 8, 9, 12]), '3,7-9,12');
});

test('merge runs no code named by a shard folder and refuses edited, mixed or damaged shards with one line', async () => {
  const out = mkdtempSync(join(tmpdir(), 'gamesim-hostile-'));
  // in this process, through the command line's own entry: exit 2 and one line
  const fails = async (args: string[]): Promise<string> => {
    const x = await runCli(args);
    assert.equal(x.code, 2, x.stderr);
    assert.equal(x.stderr.trim().split('\n').length, 1, x.stderr);
    assert.doesNotMatch(x.stderr, /internal|at .*\.ts:\d+/);
    return x.stderr;
  };
  try {
    await cliHere(['experiment', 'skew', '2:1', '--seeds', '2', '--out', out, '--shard', '1/2', '--quiet']);
    const runs = join(out, '.runs-skew'), key = readdirSync(runs)[0], mf = join(runs, key, 'manifest.json');
    const manifest = readFileSync(mf, 'utf8');
    // a manifest that names a module: merge must not import it
    const marker = join(out, 'pwned');
    const evil = join(out, 'evil.mjs');
    writeFileSync(evil, `import { writeFileSync } from 'node:fs'; writeFileSync(${JSON.stringify(marker)}, 'x'); export const skew = { name: 'skew' };\n`);
    writeFileSync(mf, manifest.replace('"module": "builtin"', `"module": ${JSON.stringify(pathToFileURL(evil).href)}`));
    assert.match(await fails(['merge', out, '--quiet']), /merge runs no code named by a file: give it with --module FILE/);
    assert.ok(!existsSync(marker), 'the module named by the manifest was not run');
    // edited parameters: the key no longer matches
    writeFileSync(mf, manifest.replace('"2:1"', '"3:1"'));
    assert.match(await fails(['merge', out, '--quiet']), /edited manifest/);
    writeFileSync(mf, manifest);
    // a damaged result file
    const bin = readdirSync(join(runs, key)).find((f) => f.endsWith('.bin'))!;
    const good = readFileSync(join(runs, key, bin));
    writeFileSync(join(runs, key, bin), 'not a result');
    assert.match(await fails(['merge', out, '--quiet']), /damaged result file/);
    writeFileSync(join(runs, key, bin), good);
    // two configurations in one folder
    await cliHere(['experiment', 'skew', '3:1', '--seeds', '2', '--out', out, '--shard', '1/2', '--quiet']);
    assert.match(await fails(['merge', out, '--quiet']), /holds 2 configurations of skew/);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
