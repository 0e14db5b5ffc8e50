/**
 * The LB paper's qualitative claims, checked against what our model shows
 * (default options, 30 seeds, --seed 1). Where the model reproduces a claim the
 * test asserts it; where it departs, the test asserts our measured behaviour and
 * names the claim it departs from (see docs/lb.md for why).
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { runExperiment } from '../src/runner/run.ts';
import { resolveParams } from '../src/runner/params.ts';
import type { Row } from '../src/runner/experiment.ts';
import { fig6 } from '../experiments/fig6.ts';
import { skew, SKEW_RATIOS } from '../experiments/skew.ts';
import { bucketOrder } from '../experiments/lb-common.ts';

let f6: Row[] = [];
let f7: Row[] = [];
before(async () => {
  f6 = (await runExperiment(fig6, resolveParams(fig6, {}), { seeds: 30, seed: 1, workers: 1 })).summary;
  f7 = (await runExperiment(skew, resolveParams(skew, {}), { seeds: 30, seed: 1, workers: 1 })).summary;
});
const BUCKETS = bucketOrder(1000, 100);
const s6 = (scheme: string, bucket: string, metric: string) => {
  const r = f6.find((x) => x.scheme === scheme && x.bucket === bucket && x.metric === metric);
  assert.ok(r, `${scheme} ${bucket} ${metric}`);
  return { mean: r.mean as number, lo: r.ci95_low as number, hi: r.ci95_high as number };
};
const s7 = (scheme: string, ratio: string, metric: string) => {
  const r = f7.find((x) => x.scheme === scheme && x.ratio === ratio && x.metric === metric);
  assert.ok(r, `${scheme} ${ratio} ${metric}`);
  return r.mean as number;
};
const busiest = (scheme: string) => BUCKETS.reduce((a, b) => (s6(scheme, b, 'migratedUsers').mean > s6(scheme, a, 'migratedUsers').mean ? b : a));

test('fig 6(b) reproduced: user-centric migrations stay even across the buckets', () => {
  const m = BUCKETS.map((b) => s6('user-centric', b, 'migratedUsers').mean);
  assert.ok(Math.max(...m) < 1.6 * Math.min(...m), `per-bucket means ${m.map((v) => v.toFixed(1))}`);
  // and every event moves threshold/2 = 3 users
  assert.equal(s6('user-centric', 'total', 'usersPerEvent').mean, 3);
});

test('fig 6 total user-centric 99: ours is lower (about 85 at V = 32) but within 20%', () => {
  const t = s6('user-centric', 'total', 'migratedUsers');
  assert.ok(t.hi < 99, `CI ${t.lo}..${t.hi} excludes 99 from below`);
  assert.ok(t.mean > 0.8 * 99, `mean ${t.mean}`);
});

test('DEPARTS from "dynamic migrates most at 200-300 users": both readings migrate most in the first bucket', () => {
  assert.equal(busiest('careful'), '0-100');
  assert.equal(busiest('literal'), '0-100');
});

test('fig 6 "dynamic 156 vs user-centric 99, about 40% fewer": holds for the literal reading, reversed for the careful one', () => {
  const lit = s6('literal', 'total', 'migratedUsers');
  const car = s6('careful', 'total', 'migratedUsers');
  const uc = s6('user-centric', 'total', 'migratedUsers');
  // literal: user-centric migrates fewer users than the dynamic partition (the paper's direction); 156 lies in its CI
  assert.ok(uc.hi < lit.lo, `user-centric ${uc.mean} vs literal ${lit.mean}`);
  assert.ok(lit.lo <= 156 && 156 <= lit.hi, `literal CI ${lit.lo}..${lit.hi}`);
  // DEPARTS for the careful reading: it migrates far fewer users than 156 and than user-centric
  assert.ok(car.hi < uc.lo, `careful ${car.mean} vs user-centric ${uc.mean}`);
  assert.ok(car.hi < 156 / 2);
});

test('fig 6(a) "later events move more users" (cells fill up): careful users per event rises after the first bucket', () => {
  assert.ok(s6('careful', '100-200', 'usersPerEvent').mean > s6('careful', '0-100', 'usersPerEvent').mean);
});

test('fig 7 reproduced for user-centric: no large difference across the skews 1:1..5:1', () => {
  const m = SKEW_RATIOS.map((q) => s7('user-centric', q, 'migratedUsers'));
  assert.ok(Math.max(...m) < 1.3 * Math.min(...m), `${m}`);
});

test('fig 7 "dynamic grows roughly in proportion to the skew": literal grows (more than proportionally); careful does not', () => {
  const lit = SKEW_RATIOS.map((q) => s7('literal', q, 'migratedUsers'));
  for (let i = 1; i < 4; i++) assert.ok(lit[i] > lit[i - 1], `literal ${lit}`);
  assert.ok(lit[4] / lit[0] > 5, `literal 5:1 / 1:1 = ${lit[4] / lit[0]}`);
  // DEPARTS for the careful reading: nearly flat (best-boundary keeps finding a fitting cell)
  const car = SKEW_RATIOS.map((q) => s7('careful', q, 'migratedUsers'));
  assert.ok(car[4] / car[0] < 2, `careful ${car}`);
});
