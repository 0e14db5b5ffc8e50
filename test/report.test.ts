/**
 * The HTML report in a real browser: Debian's chromium, headless, through puppeteer-core (which
 * downloads no browser). No console errors, every image loaded, every section present, the
 * summary pivoted with units, the metrics dictionary, and the Reproduction table from verify.
 * Without chromium the test is skipped, except in CI (.ci/run installs chromium first).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findExperiment, experiments } from '../experiments/index.ts';
import { resolveParams } from '../src/runner/params.ts';
import { runExperiment } from '../src/runner/run.ts';
import { writeExperiment } from '../src/output/write.ts';
import { writeIndex } from '../src/output/html.ts';
import { loadScenario } from '../src/scenario/load.ts';
import { scenarioExperiment } from '../src/scenario/experiment.ts';

const ROOT_DIR = new URL('../', import.meta.url).pathname;
import { verify, writeVerify, summaryOf } from '../src/verify/verify.ts';

function chromium(): string | undefined {
  for (const name of ['chromium', 'chromium-browser']) {
    try {
      return execFileSync('which', [name], { encoding: 'utf8' }).trim();
    } catch {
      // next
    }
  }
  return undefined;
}

test('every metric of every built-in experiment (but the example) and of every scenario file has a unit and a meaning', () => {
  const scenarios = readdirSync(join(ROOT_DIR, 'scenarios')).map((f) => {
    const { scenario, axes } = loadScenario(join(ROOT_DIR, 'scenarios', f));
    return scenarioExperiment(scenario, axes);
  });
  assert.deepEqual(new Set(scenarios.map((e) => e.metrics.length > 0 && (e.metrics.includes('availability') ? 'ha' : e.metrics.includes('handoffs') ? 'world' : 'lb'))), new Set(['ha', 'world', 'lb']), 'the scenario files cover HA, LB arrivals and the LB world');
  for (const e of [...experiments, ...scenarios]) {
    if (e.name === 'example') continue;
    assert.ok(e.metricInfo, `${e.name} has a metric dictionary`);
    for (const m of e.metrics) assert.ok(e.metricInfo[m]?.unit && e.metricInfo[m]?.meaning, `${e.name}: ${m}`);
    for (const m of e.mainMetrics ?? []) assert.ok(e.metrics.includes(m), `${e.name}: main metric ${m}`);
  }
});

test('index.html in headless chromium: no console error, every image loaded, every section present', async (t) => {
  const exe = chromium();
  if (!exe) {
    if (process.env.CI) assert.fail('chromium is missing (.ci/run installs it)');
    t.skip('chromium is not installed (apt-get install chromium)');
    return;
  }
  const out = mkdtempSync(join(tmpdir(), 'gamesim-report-'));
  try {
    const exp = findExperiment('failover')!;
    const res = await runExperiment(exp, resolveParams(exp, {}), { seeds: 1, seed: 1, workers: 1 });
    await writeExperiment(out, exp, res, { seeds: 1, seed: 1, order: ['failover'] });
    const rows = await verify(
      [{ id: 'x', paper: 'HA', claim: 'a claim', paperValue: '8 s', experiment: 'failover', args: {}, reason: 'why', band: [0, 100],
        measure: (r) => summaryOf(r, 'failover', { incident: 1 }), reproduces: () => true }],
      findExperiment, { workers: 1, module: '' },
    );
    writeVerify(out, rows);
    writeIndex(out, ['failover']);
    assert.match(readFileSync(join(out, 'failover', 'metrics.csv'), 'utf8'), /^metric,unit,meaning,range\ncrashAt,s,when the node crashed,>= 0\n/);
    const { default: puppeteer } = await import('puppeteer-core');
    const browser = await puppeteer.launch({ executablePath: exe, headless: true, args: ['--no-sandbox', '--allow-file-access-from-files'] });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      page.on('pageerror', (e) => errors.push(String(e)));
      page.on('requestfailed', (r) => errors.push(`failed: ${r.url()}`));
      await page.goto(`file://${join(out, 'index.html')}`, { waitUntil: 'load' });
      const facts = await page.evaluate(() => ({
        images: [...document.images].map((i) => ({ src: i.src, ok: i.complete && i.naturalWidth > 0 })),
        sections: [...document.querySelectorAll('section')].map((s) => s.id),
        pivotHead: [...document.querySelectorAll('#failover table.pivot th')].map((h) => h.textContent),
        dictionary: document.querySelectorAll('#failover table.dict tr').length,
        repro: document.querySelector('#reproduction td.yes')?.textContent,
      }));
      assert.deepEqual(errors, []);
      assert.ok(facts.images.length >= 2 && facts.images.every((i) => i.ok), JSON.stringify(facts.images));
      assert.deepEqual(facts.sections, ['reproduction', 'failover']);
      assert.ok(facts.pivotHead.includes('detection (s)') && facts.pivotHead.includes('availability (1)'), JSON.stringify(facts.pivotHead));
      assert.ok(facts.dictionary > 10);
      assert.equal(facts.repro, 'reproduced');
    } finally {
      await browser.close();
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('index.html: a hostile experiment or scenario name never becomes a link of another scheme (javascript:, data:)', () => {
  const out = mkdtempSync(join(tmpdir(), 'gamesim-links-'));
  try {
    for (const name of ['javascript:alert(1)', 'data:text', 'a b#c']) {
      mkdirSync(join(out, name), { recursive: true });
      const meta = JSON.parse(readFileSync(new URL('../results/fig5/meta.json', import.meta.url), 'utf8'));
      writeFileSync(join(out, name, 'meta.json'), JSON.stringify({ ...meta, experiment: name, title: name }));
      writeFileSync(join(out, name, 'summary.csv'), readFileSync(new URL('../results/fig5/summary.csv', import.meta.url)));
    }
    writeIndex(out);
    const html = readFileSync(join(out, 'index.html'), 'utf8');
    const hrefs = [...html.matchAll(/(?:href|src)="([^"]*)"/g)].map((m) => m[1]);
    assert.ok(hrefs.length > 10);
    for (const h of hrefs) assert.ok(h.startsWith('./') || h.startsWith('#'), `link ${h}`);
    assert.ok(hrefs.includes('./javascript%3Aalert(1)/meta.json'));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
