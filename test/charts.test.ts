/**
 * Charts fit for a paper: every committed chart is at most a page wide, and
 * a detector, preset or system has the same colour in every chart, whatever
 * else the chart shows (vega's default palette would hand out colours in
 * order of appearance).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { heartbeat } from '../experiments/heartbeat.ts';
import { resolveParams } from '../src/runner/params.ts';
import { runExperiment } from '../src/runner/run.ts';
import { DETECTOR_COLORS, PRESET_COLORS, SYSTEM_COLORS, presetColor } from '../experiments/ha-colors.ts';
import { holderScale, isOutage, outages } from '../src/output/timeline.ts';
import { schemeColor } from '../src/output/scheme-colors.ts';
import { schemeNames } from '../src/models/lb/index.ts';

const RESULTS = new URL('../results/', import.meta.url).pathname;
/** A page's text width at 96 px per inch is about 7 in; wider charts shrink their 11 px labels below 6 pt. */
const PAGE = 720;

test(`every committed chart is at most ${PAGE} px wide`, () => {
  let n = 0;
  for (const e of readdirSync(RESULTS, { withFileTypes: true })) {
    if (!e.isDirectory()) continue;
    for (const f of readdirSync(join(RESULTS, e.name)).filter((x) => x.endsWith('.svg'))) {
      const w = Number(/width="([\d.]+)"/.exec(readFileSync(join(RESULTS, e.name, f), 'utf8'))![1]);
      assert.ok(w <= PAGE, `${e.name}/${f} is ${w} px wide`);
      n++;
    }
  }
  assert.ok(n >= 20, `only ${n} charts in results/`);
});

/** value -> colour of every colour scale on `field` in a spec. */
function colours(spec: unknown, field: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (x: unknown) => {
    if (!x || typeof x !== 'object') return;
    const o = x as Record<string, any>;
    if (o.field === field && o.scale?.domain && o.scale?.range) o.scale.domain.forEach((d: string, i: number) => out.set(d, o.scale.range[i]));
    for (const v of Object.values(o)) walk(v);
  };
  walk(spec);
  return out;
}

test('a heartbeat series keeps its colour whatever other series the chart shows', async () => {
  const run = async (loss: string) => {
    const params = resolveParams(heartbeat, { interval: '5', loss, duration: '20000' });
    const res = await runExperiment(heartbeat, params, { seeds: 1, seed: 1, workers: 1 });
    return colours(heartbeat.charts(res).map((c) => c.spec), 'series');
  };
  const all = await run('0,0.01,0.05');
  const one = await run('0.05');
  assert.equal(all.size, 3);
  assert.equal(one.get('paper, loss 5%'), all.get('paper, loss 5%'));
  assert.equal(all.get('paper, loss 0%'), presetColor('paper', 0));
  assert.equal(new Set(all.values()).size, 3, 'three losses, three colours');
});

test('detectors, presets and systems share one palette', () => {
  assert.equal(PRESET_COLORS.paper, DETECTOR_COLORS.timeout);
  assert.equal(PRESET_COLORS.akka, DETECTOR_COLORS['phi-akka']);
  assert.equal(PRESET_COLORS.cassandra, DETECTOR_COLORS['phi-cassandra']);
  assert.equal(SYSTEM_COLORS['HA pair'], DETECTOR_COLORS.timeout, 'the pair runs the paper\'s detector');
  assert.ok(!Object.values(DETECTOR_COLORS).includes(SYSTEM_COLORS['single (no HA)']));
  for (const f of ['detectors/frontier.vl.json', 'downtime/downtime.vl.json', 'downtime/availability.vl.json']) {
    if (!existsSync(join(RESULTS, f))) continue;
    const spec = JSON.parse(readFileSync(join(RESULTS, f), 'utf8'));
    for (const [field, palette] of [['detector', DETECTOR_COLORS], ['system', SYSTEM_COLORS]] as const)
      for (const [v, c] of colours(spec, field)) assert.equal(c, palette[v], `${f}: ${field} ${v}`);
  }
});

test('every committed .vl.json is valid Vega-Lite (the schema vega-lite ships)', () => {
  const schema = JSON.parse(readFileSync(new URL('../node_modules/vega-lite/build/vega-lite-schema.json', import.meta.url), 'utf8'));
  const ajv = new (Ajv as unknown as typeof Ajv.default)({ allErrors: false, strict: false, validateFormats: false });
  const valid = ajv.compile(schema);
  const specs: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (e.name.endsWith('.vl.json')) specs.push(join(d, e.name));
    }
  };
  walk(new URL('../results', import.meta.url).pathname);
  assert.ok(specs.length >= 20, `${specs.length} specs`);
  for (const f of specs) assert.ok(valid(JSON.parse(readFileSync(f, 'utf8'))), `${f}: ${JSON.stringify(valid.errors?.slice(0, 2))}`);
  // and one that is not, to see the check fail
  assert.ok(!valid({ mark: 'point', config: { legend: { layout: { bottom: { direction: 'vertical' } } } } }));
});

test('timelines colour holder states by meaning: one node runs it, two do (split brain), or nobody (the outage)', () => {
  // a service that runs on C while A starts is not an outage; one only starting or handed back is
  assert.equal(isOutage('A(starting)+C'), false);
  assert.equal(isOutage('B(stopping)'), true);
  assert.equal(isOutage('-'), true);
  const sc = holderScale(['-', 'A', 'A+C', 'B(starting)', 'A(starting)+C', 'C']);
  const col = (h: string) => sc.range[sc.domain.indexOf(h)];
  assert.equal(col('A+C'), '#c51b7d', 'two holders: magenta');
  assert.equal(col('A(starting)+C'), col('C'), 'running on C while A starts: C\'s hue');
  assert.notEqual(col('A'), col('C'));
  assert.equal(col('-'), '#d62728');
  // the outage band: nobody, then starting, merged into one interval per lane
  const band = outages([
    { lane: 's0', kind: 'service', from: 0, to: 5, state: 'A' },
    { lane: 's0', kind: 'service', from: 5, to: 7, state: '-' },
    { lane: 's0', kind: 'service', from: 7, to: 9, state: 'B(starting)' },
    { lane: 's0', kind: 'service', from: 9, to: 20, state: 'B' },
  ]);
  assert.deepEqual(band, [{ lane: 's0', from: 5, to: 9 }]);
});

test('a scheme has one colour in every chart, whichever schemes the chart shows (scenario pages and experiments alike)', () => {
  const all = schemeNames();
  const colourOf = (names: string[], name: string) => {
    const enc = schemeColor(names.map((scheme) => ({ scheme })), 'scheme') as { scale: { domain: string[]; range: string[] } };
    return enc.scale.range[enc.scale.domain.indexOf(name)];
  };
  for (const name of all) assert.equal(colourOf([name], name), colourOf(all, name), name);
  assert.equal(new Set(all.map((n) => colourOf(all, n))).size, all.length, 'the built-in schemes have distinct colours');
});
