/**
 * gamesim as an installed package: `npm pack` (which builds dist/), install the tarball into an
 * empty project, and there, from a plain .mjs file, import the API, run an HA scenario and an LB
 * run; run the installed `gamesim` command (compiled JS, worker threads included); and check that,
 * installed inside another git repository, meta.json does not record that repository's commit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = new URL('../', import.meta.url).pathname;
const run = (cmd: string, args: string[], cwd: string) => execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_loglevel: 'error' } });

test('npm pack, install into an empty project, use the API from .mjs and the gamesim command', { timeout: 240_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'gamesim-pack-'));
  try {
    run('npm', ['pack', '--pack-destination', dir, '--silent'], ROOT);
    const tgz = readdirSync(dir).find((f) => f.endsWith('.tgz'));
    assert.ok(tgz, 'npm pack wrote a tarball');
    const proj = join(dir, 'proj');
    run('mkdir', ['-p', proj], dir);
    writeFileSync(join(proj, 'package.json'), JSON.stringify({ name: 'user-project', private: true, type: 'module' }));
    // the user's project is a git repository of its own
    run('git', ['init', '-q'], proj);
    run('git', ['-c', 'user.name=u', '-c', 'user.email=u@example.org', 'commit', '-q', '--allow-empty', '-m', 'user'], proj);
    run('npm', ['install', join(dir, tgz), '--prefer-offline', '--no-audit', '--no-fund'], proj);
    writeFileSync(
      join(proj, 'check.mjs'),
      `import { simulate, runScheme, Sim, HA_OPTIONS } from 'gamesim';
const { result } = simulate({ detector: 'phi' }, 1, 600, (c) => c.at(100, { verb: 'crash', node: 0 }));
const lb = runScheme('dynamic', { users: 500 }, 2);
const sim = new Sim(); let fired = 0; sim.schedule(1, () => fired++); sim.run();
console.log(JSON.stringify({ detected: result.detections.length, latency: result.detections[0].latency, lbUsers: [...lb.world.loads].reduce((a, b) => a + b, 0), fired, options: Object.keys(HA_OPTIONS).length }));
`,
    );
    const out = JSON.parse(run(process.execPath, ['check.mjs'], proj));
    assert.equal(out.detected, 1);
    assert.ok(out.latency > 3 && out.latency < 6, `phi detection ${out.latency}`);
    assert.equal(out.lbUsers, 500);
    assert.equal(out.fired, 1);
    assert.ok(out.options > 40);
    // the installed command runs compiled JS: dist/ is in the package, the sources are not
    assert.ok(existsSync(join(proj, 'node_modules', 'gamesim', 'dist', 'src', 'cli.js')));
    assert.ok(!existsSync(join(proj, 'node_modules', 'gamesim', 'src', 'cli.ts')));
    // tsx is optional (only a user's .ts experiment needs it): not installed, so no install script runs
    assert.ok(!existsSync(join(proj, 'node_modules', 'tsx')), 'tsx is not installed with gamesim');
    // every doc the README links, and the licence, are in the package
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    for (const doc of new Set([...readme.matchAll(/\]\((docs\/[a-z-]+\.md)\)/g)].map((m) => m[1]))) assert.ok(existsSync(join(proj, 'node_modules', 'gamesim', doc)), doc);
    assert.ok(existsSync(join(proj, 'node_modules', 'gamesim', 'LICENSE')));
    const list = run('npx', ['--no-install', 'gamesim', 'experiment', 'list'], proj);
    for (const name of ['fig6', 'heartbeat', 'detectors']) assert.match(list, new RegExp(`^${name} `, 'm'));
    run('npx', ['--no-install', 'gamesim', 'experiment', 'heartbeat', '--interval', '1', '--loss', '0', '--duration', '3600', '--seeds', '2', '--workers', '2', '--out', 'out', '--quiet'], proj);
    const meta = JSON.parse(readFileSync(join(proj, 'out', 'heartbeat', 'meta.json'), 'utf8'));
    assert.equal(meta.version, JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
    assert.equal(meta.gitCommit, null, "installed inside the user's repository: no commit (it would be the user's)");
    assert.equal(meta.gitDirty, null);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
