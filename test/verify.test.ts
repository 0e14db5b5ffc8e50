/**
 * gamesim verify: a claim whose number leaves its band fails (exit 1 in the CLI), one that stays
 * passes; the table is written as CSV and Markdown. The real claims run in .ci/run (npm run verify).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verify, writeVerify, summaryOf, type Claim } from '../src/verify/verify.ts';
import { findExperiment } from '../experiments/index.ts';
import { claims } from '../experiments/claims.ts';

const base = { paper: 'LB' as const, claim: 'the M/M/1 example waits about its closed form', paperValue: '1', experiment: 'example', args: { seeds: '3' }, reason: 'queueing theory' };
const measure = (res: Parameters<Claim['measure']>[0]) => summaryOf(res, 'meanWait', { load: res.points[0].load as number });

test('a number inside its band passes, outside fails; the table is written as CSV and Markdown', async () => {
  const good: Claim = { ...base, id: 'inside', measure, reproduces: () => true, band: [0, 1e9] };
  const bad: Claim = { ...base, id: 'outside', measure, reproduces: () => true, band: [1e9, 2e9] };
  const rows = await verify([good, bad], findExperiment, { workers: 1, module: '' });
  assert.deepEqual(rows.map((r) => [r.id, r.inBand]), [['inside', true], ['outside', false]]);
  const dir = mkdtempSync(join(tmpdir(), 'gamesim-verify-'));
  try {
    writeVerify(dir, rows);
    assert.match(readFileSync(join(dir, 'verify.csv'), 'utf8'), /^id,paper,claim,paperValue,ours,ci95_low,ci95_high,band_low,band_high,inBand,reproduces,reason\ninside,/);
    assert.match(readFileSync(join(dir, 'verify.md'), 'utf8'), /\*\*OUT\*\* \[1000000000, 2000000000\]/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every claim names a registered experiment and a band around the number the README gives', () => {
  const ids = new Set<string>();
  for (const c of claims) {
    assert.ok(findExperiment(c.experiment), c.id);
    assert.ok(c.band[0] < c.band[1], c.id);
    assert.ok(!ids.has(c.id), `duplicate ${c.id}`);
    ids.add(c.id);
  }
  assert.ok(claims.some((c) => c.paper === 'LB') && claims.some((c) => c.paper === 'HA'));
});
