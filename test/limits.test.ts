/**
 * Limits said up front: inputs that used to spin, eat memory or end in "error: internal" get one
 * clear line and exit 2 before any work, or run correctly.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../src/cli.ts';

const ROOT = new URL('../', import.meta.url).pathname;
const cli = (args: string[]) =>
  execFileSync(process.execPath, ['--conditions=gamesim-source', '--import', 'tsx', 'src/cli.ts', ...args], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });

test('bad --out, budgets, seeds and sweeps: one line, exit 2, nothing written', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gamesim-limits-'));
  const file = join(dir, 'a-file');
  writeFileSync(file, 'x');
  symlinkSync(join(dir, 'nowhere', 'x'), join(dir, 'dangling'));
  const out = join(dir, 'out');
  const cases: Array<[string[], RegExp]> = [
    [['experiment', 'fig5', '--out', file], /--out: .* is a file/],
    [['experiment', 'fig5', '--out', join(file, 'sub')], /is a file/],
    [['experiment', 'fig5', '--out', '/dev/null'], /under \/dev/],
    [['experiment', 'fig5', '--out', '/proc/x'], /under \/proc/],
    [['experiment', 'fig5', '--out', '/sys/x'], /under \/sys/],
    [['experiment', 'fig5', '--out', join(dir, 'dangling')], /dangling link/],
    [['experiment', 'fig6', '--seeds', '1e7', '--out', out], /10,000,000 runs .* over the budget of 100,000 runs; --budget 100 allows it/],
    [['experiment', 'heartbeat', '--duration', '1e9', '--interval', '0.01', '--nodes', '16', '--mtbf', '1e12', '--out', out], /CPU-hours of work .* over the budget .* --budget \d+/],
    // every experiment estimates its work before any run (these ran for hours or ran out of memory)
    [['experiment', 'example', '--customers', '1e12', '--out', out], /example: about .* CPU-hours of work .* over the budget of 2.0 CPU-hours/],
    [['experiment', 'failover', '--duration', '1e9', '--out', out], /failover: about .* CPU-hours of work/],
    [['experiment', 'fig6', '--seeds', '99999', '--out', out], /fig6: about .* CPU-hours of work/],
    [['experiment', 'downtime', '--detector', 'phi', '--out', out], /downtime: about .* CPU-hours of work/],
    [['experiment', 'skew', '--transferGap', '1e308', '--out', out], /--transferGap: 1e308 is above the maximum 3600/],
    // the message echoes the value as typed; a negative number is a value, not a flag
    [['experiment', 'fig6', '--users', '1e12', '--out', out], /--users: 1e12 is above the maximum 1000000/],
    [['experiment', 'fig6', '--users', '-3', '--out', out], /--users: -3 is below the minimum 1/],
    [['experiment', 'heartbeat', '--interval', '1e-12', '--out', out], /heartbeatEvents lazy needs latencies spread less than the interval/],
    [['experiment', 'failover', '--heartbeatEvents', 'lazy', '--out', out], /heartbeatEvents lazy keeps no message log/],
    [['experiment', 'fig5', '--workers', '100000', '--out', out], /--workers: 100000 is above 256/],
    [['experiment', 'fig5', '--out', join(dir, 'a'.repeat(300))], /--out: the path is too long for a file system/],
    [['experiment', 'heartbeat', '--interval', Array.from({ length: 1000 }, (_, i) => 0.1 + i / 1000).join(','), '--loss', Array.from({ length: 1050 }, (_, i) => i / 10000).join(','), '--out', out], /the sweep lists 1,050,000 combinations x 3 seeds, over the budget/],
    [['run', '/dev/zero', '--out', out], /\/dev\/zero: not a regular file/],
    // a command takes only the options it uses
    [['verify', '--seeds', '3', '--out', out], /Unknown argument: seeds/],
    [['merge', out, '--out', join(dir, 'x')], /Unknown argument: out/],
    [['experiment', 'heartbeat', '--mtbf', '1', '--duration', '1e8', '--out', out], /crash records .* over the budget/],
    [['experiment', 'fig6', '--seed', '1e300', '--out', out], /above 2\^53/],
    [['experiment', 'heartbeat', '--interval', '1,0.5,1', '--out', out], /1 is given twice/],
    [['experiment', 'skew', '2:1,4:2', '--out', out], /--ratio: 4:2 is the same as 2:1/],
    [['experiment', 'failover', '--activeNodes', '3', '--out', out], /activeNodes \(3\) must not exceed nodes/],
    [['experiment', 'failover', '--netJitter', '0.01', '--out', out], /netJitter .* must not exceed netLatency/],
    [['experiment', 'fig6', '--arrivals', 'skew 3:1', '--mapWidth', '100', '--mapHeight', '100', '--out', out], /skew arrivals need a map larger/],
    [['experiment', 'fig5', '--mapWidth', '1e308', '--out', out], /mapWidth must be in \[1, 1e9\]/],
    [['experiment', 'fig5', '--mapWidth', '1e-300', '--out', out], /mapWidth must be in \[1, 1e9\]/],
    [['experiment', 'fig5', '--servers', '64', '--cellRows', '4', '--cellCols', '8', '--out', out], /a piece cell per server/],
    [['experiment', 'fig5', '--budget', '0', '--out', out], /--budget: '0' is not a positive number/],
    [['experiment', 'fig6', '--bucketSize', '1', '--out', out], /gives 1000 buckets of 1000 users: at most 200 \(bucketSize >= 5\)/],
  ];
  try {
    // in this process (the command line's own entry): one case costs no start-up; the first also through the binary
    const first = (() => {
      try {
        cli(cases[0][0]);
      } catch (e) {
        return e as { status: number; stderr: string };
      }
      return { status: 0, stderr: '' };
    })();
    assert.equal(first.status, 2);
    assert.match(first.stderr, cases[0][1]);
    for (const [args, msg] of cases) {
      const err = await runCli(args);
      assert.equal(err.code, 2, `${args.join(' ')}: ${err.stderr}`);
      assert.match(err.stderr, msg, args.join(' '));
      assert.equal(err.stderr.trim().split('\n').length, 1, err.stderr);
      assert.doesNotMatch(err.stderr, /internal/);
      assert.ok(!existsSync(out), `${args.join(' ')} wrote ${out}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('inputs that used to crash now run: a tiny view distance on 64 servers, small buckets', async () => {
  const out = mkdtempSync(join(tmpdir(), 'gamesim-runs-'));
  // in this process, through the command line's own entry
  const ok = async (args: string[]) => {
    const r = await runCli(args);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
  };
  try {
    await ok(['experiment', 'fig5', '--viewDistance', '1e-9', '--servers', '64', '--cellRows', '8', '--out', out, '--quiet']);
    await ok(['experiment', 'fig6', '--bucketSize', '5', '--seeds', '2', '--out', out, '--quiet']);
    // skew arrivals on a map whose part outside the hot region is a sliver (rejection sampling there never ended)
    await ok(['experiment', 'fig6', '--mapWidth', '512.000001', '--arrivals', 'skew 1:1', '--seeds', '2', '--out', out, '--quiet']);
    assert.ok(existsSync(join(out, 'fig5', 'meta.json')) && existsSync(join(out, 'fig6', 'meta.json')));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
