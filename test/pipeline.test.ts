/** The pipeline: determinism across runs and worker counts, CLI errors, stats, chart text. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import { summarize, tQuantile975, quantile } from '../src/runner/stats.ts';
import { svgToPng, renderSvg } from '../src/output/charts.ts';
import { formatValue } from '../src/output/csv.ts';

const ROOT = new URL('../', import.meta.url).pathname;

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function tree(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string, rel: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p, `${rel}${name}/`);
      else out.set(`${rel}${name}`, readFileSync(p));
    }
  };
  walk(dir, '');
  return out;
}

test('same seed gives the same bytes, across runs and across --workers 1 and 2', () => {
  const base = mkdtempSync(join(tmpdir(), 'gamesim-det-'));
  const a = join(base, 'a'), b = join(base, 'b'), c = join(base, 'c');
  for (const [dir, workers] of [[a, '1'], [b, '2'], [c, '2']] as const) {
    const r = cli('experiment', 'example', '--seeds', '3', '--customers', '300', '--out', dir, '--workers', workers, '--quiet');
    assert.equal(r.code, 0, r.stderr);
  }
  const ta = tree(a), tb = tree(b), tc = tree(c);
  assert.deepEqual([...ta.keys()], [...tb.keys()]);
  for (const [k, v] of ta) {
    assert.ok(v.equals(tb.get(k)!), `${k} differs between --workers 1 and 2`);
    assert.ok(v.equals(tc.get(k)!), `${k} differs between two runs`);
  }
  assert.ok(ta.has('index.html') && ta.has('example/runs.csv') && ta.has('example/summary.csv') && ta.has('example/wait.png'));
  assert.ok(![...ta.keys()].some((k) => k.endsWith('.tmp')), 'a temporary file was left behind');
  // a different base seed moves the numbers
  const d = join(base, 'd');
  assert.equal(cli('experiment', 'example', '--seeds', '3', '--customers', '300', '--out', d, '--seed', '2', '--quiet').code, 0);
  assert.notEqual(readFileSync(join(d, 'example/runs.csv'), 'utf8'), ta.get('example/runs.csv')!.toString());
});

test('summary.csv and runs.csv are tidy: point columns, seed, metrics; 95% CI columns', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gamesim-tidy-'));
  assert.equal(cli('experiment', 'example', '--seeds', '4', '--load', '0.3', '--customers', '200', '--out', dir, '--workers', '1', '--quiet').code, 0);
  const runs = readFileSync(join(dir, 'example/runs.csv'), 'utf8').trim().split('\n');
  assert.equal(runs[0], 'load,seed,replicate,meanWait,closedForm,served');
  assert.equal(runs.length, 1 + 4);
  const summary = readFileSync(join(dir, 'example/summary.csv'), 'utf8').trim().split('\n');
  assert.equal(summary[0], 'load,metric,mean,ci95_low,ci95_high,n');
  const meta = JSON.parse(readFileSync(join(dir, 'example/meta.json'), 'utf8'));
  assert.equal(meta.params.customers, 200);
  assert.deepEqual(meta.params.load, [0.3]);
  assert.equal(meta.seeds.count, 4);
  assert.equal(meta.seeds.perPoint[0].length, 4);
  assert.match(meta.node, /^v\d+/);
});

test('LB totals and per-bucket rows go to separate CSVs: a sum over runs.csv counts every run once', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gamesim-split-'));
  const r = cli('experiment', 'fig6', '--seeds', '2', '--users', '300', '--out', dir, '--workers', '1', '--quiet');
  assert.equal(r.code, 0, r.stderr);
  const lines = (f: string) => readFileSync(join(dir, 'fig6', f), 'utf8').trim().split('\n');
  const runs = lines('runs.csv'), parts = lines('runs-buckets.csv');
  assert.ok(!runs[0].split(',').includes('bucket'), runs[0]);
  const schemes = new Set(runs.slice(1).map((l) => l.split(',')[runs[0].split(',').indexOf('scheme')]));
  assert.equal(runs.length - 1, schemes.size * 2, 'one row per scheme and seed');
  const col = (head: string, name: string) => head.split(',').indexOf(name);
  const sum = (rows: string[], head: string) => rows.reduce((a, l) => a + Number(l.split(',')[col(head, 'migratedUsers')]), 0);
  assert.ok(parts[0].split(',').includes('bucket'));
  assert.ok(!parts.slice(1).some((l) => l.split(',')[col(parts[0], 'bucket')] === 'total'));
  assert.equal(sum(parts.slice(1), parts[0]), sum(runs.slice(1), runs[0]), 'the buckets add up to the totals');
  assert.ok(!lines('summary.csv')[0].split(',').includes('bucket'));
  assert.ok(lines('summary-buckets.csv')[0].split(',').includes('bucket'));
});

const BAD: [string[], RegExp][] = [
  [['experiment', 'no-such-thing'], /unknown experiment/],
  [['experiment', 'example', '--load', 'abc'], /not a number/],
  [['experiment', 'example', '--load', '0.5,2'], /above the maximum/],
  [['experiment', 'example', '--bogus', '1'], /Unknown argument/],
  [['experiment', 'example', '--seeds', '0'], /below the minimum/],
  [['experiment', 'example', '--workers', 'many'], /not an integer/],
  [['experiment', 'example', 'extra'], /positional/],
];

for (const [args, message] of BAD) {
  test(`bad input '${args.slice(1).join(' ')}': one line on stderr, exit 2, nothing written`, () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'gamesim-bad-')), 'out');
    const r = cli(...args, '--out', dir);
    assert.equal(r.code, 2);
    const lines = r.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0], /^error: /);
    assert.match(lines[0], message);
    assert.doesNotMatch(r.stderr, /\bat .*\.ts:\d+/);
    assert.equal(existsSync(dir), false);
  });
}

test('experiment list names every experiment', () => {
  const r = cli('experiment', 'list');
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^example\s/m);
});

test('Student t 95% quantiles and the CI', () => {
  assert.equal(tQuantile975(1), 12.706);
  assert.equal(tQuantile975(29), 2.045);
  assert.ok(Math.abs(tQuantile975(60) - 2.0003) < 2e-3);
  assert.ok(Math.abs(tQuantile975(1e6) - 1.96) < 1e-3);
  const s = summarize([1, 2, 3, 4, 5]);
  assert.equal(s.mean, 3);
  assert.ok(Math.abs(s.high - s.mean - 2.776 * Math.sqrt(2.5 / 5)) < 1e-9);
  assert.equal(summarize([7]).n, 1);
  assert.ok(Number.isNaN(summarize([7]).low));
  assert.equal(summarize([NaN, 1, 3]).n, 2);
  assert.equal(quantile([3, 1, 2, 4], 0.5), 2.5);
});

test('CSV numbers: 12 significant digits, NaN as an empty cell', () => {
  assert.equal(formatValue(0.1 + 0.2), '0.3');
  assert.equal(formatValue(NaN), '');
  assert.equal(formatValue(42), '42');
  assert.equal(formatValue('a'), 'a');
});

test('chart text is drawn in the PNG (resvg finds the system fonts)', async () => {
  const svg = await renderSvg({ data: { values: [{ x: 1, y: 1 }] }, mark: 'point', encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } } });
  assert.match(svg, /<text/);
  // a text-only SVG: with no font found, resvg draws nothing and the image stays white
  const label = `<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40"><text x="5" y="30" font-family="sans-serif" font-size="24">Abc</text></svg>`;
  const png = new Resvg(label, { background: 'white', font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' } }).render();
  let dark = 0;
  for (let i = 0; i < png.pixels.length; i += 4) if (png.pixels[i] < 128) dark++;
  assert.ok(dark > 50, `only ${dark} dark pixels: the text was not drawn`);
  assert.ok(svgToPng(svg).length > 1000);
});
