/**
 * Golden numbers: the default figure-6 and skew (figure 7) summaries exactly as
 * `npm run experiment -- fig6` / `skew` produce them (30 seeds, --seed 1).
 * A change that moves any of them must update test/golden/lb-*.json on purpose:
 * UPDATE_GOLDEN=1 node --import tsx --test test/lb-golden.test.ts
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { runExperiment } from '../src/runner/run.ts';
import { resolveParams } from '../src/runner/params.ts';
import type { Experiment, Row } from '../src/runner/experiment.ts';
import { fig6 } from '../experiments/fig6.ts';
import { skew } from '../experiments/skew.ts';

const METRICS = ['migratedUsers', 'migrationEvents', 'usersPerEvent', 'largestEvent', 'imbalanceMean', 'crossPairs'];

async function summaryOf(exp: Experiment): Promise<Row[]> {
  const res = await runExperiment(exp, resolveParams(exp, {}), { seeds: exp.seeds, seed: 1, workers: 1 });
  return res.summary
    .filter((r) => METRICS.includes(String(r.metric)))
    .map((r) => {
      const o: Row = {};
      for (const [k, v] of Object.entries(r)) if (k !== 'ci95_low' && k !== 'ci95_high') o[k] = v;
      return o;
    });
}

for (const exp of [fig6, skew]) {
  test(`golden: default ${exp.name} summary`, async () => {
    const file = new URL(`./golden/lb-${exp.name}.json`, import.meta.url);
    const got = await summaryOf(exp);
    if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) {
      if (process.env.UPDATE_GOLDEN !== '1') assert.fail(`missing ${file.pathname}: run with UPDATE_GOLDEN=1`);
      writeFileSync(file, JSON.stringify(got, null, 1) + '\n');
      return;
    }
    const want = JSON.parse(readFileSync(file, 'utf8')) as Row[];
    assert.deepEqual(got, want);
  });
}
