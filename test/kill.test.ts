/**
 * Results survive kills: runs killed just before each change they make to the output folder leave the previous
 * complete result (or, killed between the two renames of the swap, that result renamed aside,
 * which the next run puts back), never a mix of two runs; the next run removes what killed runs
 * left; index.html lists only complete folders and warns about an unreadable one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

const ROOT = new URL('../', import.meta.url).pathname;
const ARGS = ['--conditions=gamesim-source', '--import', 'tsx', 'src/cli.ts', 'experiment', 'example', '--seeds', '3', '--workers', '1', '--quiet'];

/** A complete, unmixed result folder: every file meta.json lists exists, and runs.csv holds exactly the seeds meta.json names. */
function assertComplete(dir: string, what: string): number {
  const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8'));
  for (const f of meta.files) assert.ok(existsSync(join(dir, f)), `${what}: ${f} is missing`);
  const lines = readFileSync(join(dir, 'runs.csv'), 'utf8').trim().split('\n');
  const col = lines[0].split(',').indexOf('seed');
  const seeds = new Set(lines.slice(1).map((l) => Number(l.split(',')[col])));
  assert.deepEqual([...seeds].sort(), [...new Set(meta.seeds.perPoint.flat() as number[])].sort(), `${what}: runs.csv and meta.json come from different runs`);
  return meta.seeds.base;
}

test('a run killed just before each of its writes, renames and removals never leaves a mixed or half-written result; the next run cleans up', { timeout: 120_000 }, async () => {
  const out = mkdtempSync(join(tmpdir(), 'gamesim-kill-'));
  // each file-system change the run makes inside `out`, numbered; GAMESIM_KILL_AT = n kills the run with SIGKILL just before change n (kill-at.mjs)
  const run = (seed: number, killAt: number) => {
    const env = { ...process.env, GAMESIM_KILL_DIR: out, GAMESIM_KILL_AT: String(killAt), GAMESIM_KILL_COUNT: join(out, '..', `${basename(out)}.count`) };
    try {
      execFileSync(process.execPath, ['--import', './test/kill-at.mjs', ...ARGS, '--seed', String(seed), '--out', out], { cwd: ROOT, stdio: 'ignore', env });
      return 'done';
    } catch (e) {
      assert.equal((e as { signal?: string }).signal, 'SIGKILL', `run with kill at ${killAt} failed otherwise`);
      return 'killed';
    }
  };
  const countFile = join(out, '..', `${basename(out)}.count`);
  try {
    assert.equal(run(1, 0), 'done');
    assert.equal(assertComplete(join(out, 'example'), 'first run'), 1);
    // a run over a previous result: how many changes it makes
    assert.equal(run(2, 0), 'done');
    const changes = Number(readFileSync(countFile, 'utf8'));
    assert.ok(changes >= 10, `a run makes ${changes} changes`);
    for (let at = 1; at <= changes; at++) {
      assert.equal(run(at + 2, at), 'killed', `change ${at} of ${changes}`);
      const dir = join(out, 'example');
      if (existsSync(dir)) assertComplete(dir, `killed before change ${at}`);
      else {
        // killed between the two renames of the swap: the previous result waits, renamed aside, complete
        const aside = readdirSync(out).filter((n) => n.startsWith('.old-example-'));
        assert.equal(aside.length, 1, `killed before change ${at}: no result and nothing aside`);
        assertComplete(join(out, aside[0]), `aside after a kill before change ${at}`);
      }
      // the index is whole (the old one or the new one, never a part)
      if (existsSync(join(out, 'index.html'))) assert.match(readFileSync(join(out, 'index.html'), 'utf8'), /<\/html>\s*$/, `index.html after a kill before change ${at}`);
    }
    assert.equal(run(99, 0), 'done');
    assert.equal(assertComplete(join(out, 'example'), 'final run'), 99);
    const left = readdirSync(out).filter((n) => n.startsWith('.') || n.endsWith('.tmp'));
    assert.deepEqual(left, [], 'leftovers of killed runs are gone');
    assert.match(readFileSync(join(out, 'index.html'), 'utf8'), /<section id="example">/);
  } finally {
    rmSync(out, { recursive: true, force: true });
    rmSync(countFile, { force: true });
  }
});

test('index.html lists complete folders only; an unreadable one beside them is a warning, not a failure', () => {
  const out = mkdtempSync(join(tmpdir(), 'gamesim-idx-'));
  try {
    mkdirSync(join(out, 'broken'));
    writeFileSync(join(out, 'broken', 'meta.json'), '{ not json');
    mkdirSync(join(out, 'half'));
    writeFileSync(join(out, 'half', 'runs.csv'), 'x\n1\n');
    const r = execFileSync(process.execPath, [...ARGS, '--seed', '5', '--out', out], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    void r;
    const html = readFileSync(join(out, 'index.html'), 'utf8');
    assert.match(html, /<section id="example">/);
    assert.doesNotMatch(html, /id="broken"|id="half"/);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

/** Process `pid` has a handler for signal number `sig` (Linux: the SigCgt mask of /proc/PID/status; elsewhere: true). */
function catches(pid: number, sig: number): boolean {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return !existsSync('/proc/self/status');
  }
  const m = /SigCgt:\s*([0-9a-f]+)/.exec(text);
  return m !== null && ((BigInt('0x' + m[1]) >> BigInt(sig - 1)) & 1n) === 1n;
}

test('Ctrl-C and SIGTERM, even on one worker in a long run: one line, exit 130, no staging folder, the previous result untouched', { timeout: 60_000 }, async () => {
  const out = mkdtempSync(join(tmpdir(), 'gamesim-int-'));
  try {
    execFileSync(process.execPath, [...ARGS, '--out', out], { cwd: ROOT, stdio: 'ignore' });
    const before = readFileSync(join(out, 'example', 'runs.csv'), 'utf8');
    for (const [signal, delay] of [['SIGINT', 1500], ['SIGTERM', 2500]] as const) {
      // a run of minutes on one worker: the signal must be answered at once, not after the run under way (the test's time limit would end first)
      const child = spawn(process.execPath, [...ARGS, '--customers', '300000000', '--seed', '7', '--out', out], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
      // on a busy machine node and tsx may take longer than the delay to start: wait until the program catches the
      // signal (Linux says so in /proc/PID/status), then the delay, so that the signal meets the run under way
      for (let waited = 0; waited < 30_000 && !catches(child.pid!, signal === 'SIGINT' ? 2 : 15); waited += 50) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, delay));
      child.kill(signal);
      const code = await exited;
      assert.equal(code, 130, `${signal}: ${stderr}`);
      assert.equal(stderr.trim().split('\n').length, 1, stderr);
      assert.match(stderr, /^interrupted: nothing half-written is left/);
      assert.deepEqual(readdirSync(out).filter((f) => f.startsWith('.staging') || f.startsWith('.old')), [], `${signal}: leftovers`);
      assert.equal(readFileSync(join(out, 'example', 'runs.csv'), 'utf8'), before, `${signal}: the previous result is untouched`);
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
