/**
 * `gamesim tune` at its defaults on the example LAN trace: 4 detectors x 20
 * settings, each with the pair-days that bound one wrong suspicion per 30 days
 * at 95% (112 pair-days when none is seen), on 2 worker threads. Goal: <= 60 s.
 */
import { performance } from 'node:perf_hooks';
import { findExperiment } from '../../experiments/index.ts';
import { resolveParams } from '../runner/params.ts';
import { runExperiment } from '../runner/run.ts';

const REGISTRY = new URL('../../experiments/index.ts', import.meta.url).href;

export async function run(): Promise<void> {
  const exp = findExperiment('tune')!;
  const params = resolveParams(exp, {});
  const t0 = performance.now();
  const res = await runExperiment(exp, params, { seeds: 1, seed: 1, workers: 2, module: REGISTRY });
  const s = (performance.now() - t0) / 1000;
  const days = res.runs.reduce((a, r) => a + Number(r.pairDays), 0);
  console.log(
    `tune: ${res.runs.length} settings on the example LAN trace (fitted), ${days.toFixed(0)} watching-pair-days simulated in all (mistake runs stop once the target is ruled out), 2 workers: ${s.toFixed(1)} s; goal <= 60 s: ${s <= 60 ? 'met' : 'NOT met'}`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
