/**
 * The library as users see it: every example in examples/ runs and shows what it claims,
 * and an experiment in a file of its own runs through the CLI like a built-in, with the
 * same bytes on one worker and on two.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = new URL('../', import.meta.url).pathname;
const node = (...args: string[]) =>
  execFileSync(process.execPath, ['--conditions=gamesim-source', '--import', 'tsx', ...args], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

test('examples/my-scheme.mjs: an own load-balancing scheme is registered and run like a built-in', () => {
  const out = node('examples/my-scheme.mjs');
  const own = out.match(/nearest-centre: loads (\d+) \/ (\d+), migrated users (\d+)/);
  assert.ok(own, out);
  assert.equal(Number(own[1]) + Number(own[2]), 1000);
  assert.equal(Number(own[3]), 0, 'it never migrates');
  assert.ok(Number(own[1]) > 700, 'skew 3:1 piles users onto the left strip');
  assert.match(out, /user-centric: loads \d+ \/ \d+, migrated users [1-9]\d*/);
});

test('examples/my-detector.mjs: an own failure detector is registered and selected by name', () => {
  const out = node('examples/my-detector.mjs');
  const lat = (name: string) => Number(out.match(new RegExp(`${name}: crash at 100 s declared after ([0-9.]+) s`))?.[1]);
  // k-missed declares 4.5 h after the last heartbeat: between 3.5 and 4.5 s after the crash
  assert.ok(lat('k-missed') > 3.5 && lat('k-missed') <= 4.5 + 0.01, out);
  assert.ok(lat('timeout') > 5 && lat('timeout') <= 6.01, out);
});

test('examples/library.mjs: a scripted outage as fault data, an LB run and a crash in the one world', () => {
  const out = node('examples/library.mjs');
  assert.match(out, /^HA: availability 9\d\.\d+%, false detections 0, crash detected after \d+\.\d+ s, service on A at the end$/m);
  assert.match(out, /^LB: user-centric, 1000 users, skew 3:1: loads \d+ \/ \d+, migrated \d+ users$/m);
  const m = /^one world: server 3 crashed with (\d+) players, detected after (\d+\.\d+) s, all served again after (\d+\.\d+) s; (\d+) player-seconds without service$/m.exec(out);
  assert.ok(m, out);
  // detection (T(1+R) - h/2 on average: 5 to 6 s) + the controller's own detection and poll (under 1 s) + take-over (8 s) + reconnect (5 s)
  const after = Number(m[3]) - Number(m[2]);
  assert.ok(Number(m[1]) > 100 && Number(m[2]) > 5 && Number(m[2]) <= 6.01 && after >= 13 && after < 14, out);
});

test('an experiment in its own file runs through the CLI like a built-in: same bytes on 1 and 2 workers', () => {
  const out = mkdtempSync(join(tmpdir(), 'gamesim-own-'));
  try {
    for (const w of ['1', '2']) node('src/cli.ts', 'experiment', './examples/my-experiment.mjs', '--seeds', '2', '--days', '0.2', '--workers', w, '--out', join(out, w), '--quiet');
    const a = readFileSync(join(out, '1', 'pair-availability', 'runs.csv'), 'utf8');
    assert.equal(readFileSync(join(out, '2', 'pair-availability', 'runs.csv'), 'utf8'), a);
    assert.match(a, /^mtbf,seed,replicate,availability,crashes,meanDetection\n3600,/);
    const meta = JSON.parse(readFileSync(join(out, '1', 'pair-availability', 'meta.json'), 'utf8'));
    assert.equal(meta.experiment, 'pair-availability');
    assert.equal(typeof meta.version, 'string');
    assert.equal(typeof meta.gitDirty === 'boolean' || meta.gitDirty === null, true);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('a file that exports no experiment, or does not exist, is one clear error line and exit 2', () => {
  for (const [file, msg] of [['./examples/nothing-here.mjs', /no experiment file/], ['./examples/library.mjs', /exports no experiment/]] as const) {
    try {
      node('src/cli.ts', 'experiment', file, '--out', join(tmpdir(), 'gamesim-never'));
      assert.fail('expected exit 2');
    } catch (e) {
      const err = e as { status: number; stderr: string };
      assert.equal(err.status, 2);
      assert.match(err.stderr, msg);
      assert.equal(err.stderr.trim().split('\n').length, 1, err.stderr);
    }
  }
});

test('runExperiment with 2 workers at the top level of a script: a clear refusal from the workers, not a thread per import; guarded by isMainThread, it runs', () => {
  // inside the package, so that the scripts' `import ... from 'gamesim'` resolves as in a user's project
  const dir = mkdtempSync(join(ROOT, '.test-lib-'));
  try {
    const script = (guard: boolean) => `
import { isMainThread } from 'node:worker_threads';
import { runExperiment } from 'gamesim';
export const tiny = {
  name: 'tiny', title: 'tiny', description: 'a tiny experiment', seeds: 2, params: { n: { type: 'number', default: [1, 2], list: true, help: 'n' } },
  points: (p) => p.n.map((n) => ({ n })), keys: [], metrics: ['x'], run: (point, seed) => ({ rows: [{ x: point.n * 1000 + seed % 1000 }] }),
};
${guard ? 'if (isMainThread) {' : ''}
const res = await runExperiment(tiny, { n: [1, 2, 3] }, { seeds: 2, seed: 1, workers: 2, module: import.meta.url });
console.log('rows', res.runs.length);
${guard ? '}' : ''}
`;
    writeFileSync(join(dir, 'unguarded.mjs'), script(false));
    writeFileSync(join(dir, 'guarded.mjs'), script(true));
    const run = (f: string) => execFileSync(process.execPath, ['--conditions=gamesim-source', '--import', 'tsx', join(dir, f)], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
    assert.match(run('guarded.mjs'), /rows 6/);
    try {
      run('unguarded.mjs');
      assert.fail('the unguarded script should be refused');
    } catch (e) {
      const err = e as { status: number | null; stderr: string; signal?: string };
      assert.equal(err.signal ?? null, null, 'it ends by itself, quickly');
      assert.match(err.stderr, /runExperiment was called while a worker thread imported its module/);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
