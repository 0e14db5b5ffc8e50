/**
 * Parallel efficiency of the runner: the same sweep (heartbeat at its
 * defaults, 18 points x 3 seeds of very different cost, 6 simulated days per
 * run, heartbeats deferred so that runs take seconds) on 1 worker (in this thread) and on 2 worker threads, timing the runs
 * only (not the chart rendering, which is serial). Goal: speed-up >= 1.8 on
 * this 2-core machine. The pool starts the dearest runs first (Experiment.cost).
 * Runs must be long enough to amortize each worker isolate's JIT warm-up: on
 * the default 1-day runs (0.1 s each) the speed-up is 1.5-1.6, because the one
 * thread borrows the second core for V8's background compilation (pinned to one
 * core with taskset, that run takes 20% longer).
 */
import { performance } from 'node:perf_hooks';
import { findExperiment } from '../../experiments/index.ts';
import { resolveParams } from '../runner/params.ts';
import { runExperiment } from '../runner/run.ts';

const DAYS = 6;
const REGISTRY = new URL('../../experiments/index.ts', import.meta.url).href;

export async function run(): Promise<void> {
  const exp = findExperiment('heartbeat')!;
  // deferred heartbeats: runs of seconds, as this measures the pool (lazy ones make these runs 0.05 s each)
  const params = resolveParams(exp, { duration: String(DAYS * 86400), heartbeatEvents: 'deferred' });
  const time = async (workers: number) => {
    const t0 = performance.now();
    const res = await runExperiment(exp, params, { seeds: 3, seed: 1, workers, module: REGISTRY });
    return { wall: (performance.now() - t0) / 1000, rows: JSON.stringify(res.runs) };
  };
  // both cold: one worker runs in this thread, whose JIT has seen none of the models yet, as each
  // worker thread's has not (the bench runs this part in a fresh process: see bench.ts)
  const one = await time(1);
  const two = await time(2);
  if (one.rows !== two.rows) throw new Error('bench: 1 and 2 workers gave different rows');
  const speedup = one.wall / two.wall;
  console.log(`runner: heartbeat, 54 runs of very different cost: 1 worker ${one.wall.toFixed(2)} s, 2 workers ${two.wall.toFixed(2)} s, same rows`);
  console.log(`runner speed-up (2 workers / 1): ${speedup.toFixed(2)} (goal >= 1.8: ${speedup >= 1.8 ? 'met' : 'NOT met'})`);
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
