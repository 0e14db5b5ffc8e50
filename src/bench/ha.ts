/**
 * Cost of the HA model: simulated seconds per wall second for a 2-node
 * cluster at h = 1 s with 1% loss on both channels (goal: one simulated year
 * in at most 10 s). Heartbeats are the bulk of the events: every copy (2
 * channels x 2 directions per interval) is a kernel event, plus the ticks and
 * the detector checks, about 214 M events per simulated year.
 */
import { performance } from 'node:perf_hooks';
import { Sim } from '../kernel/sim.ts';
import { Streams } from '../kernel/random.ts';
import { HaCluster } from '../models/ha/cluster.ts';
import { makeConfig, SECONDS_PER_YEAR } from '../models/ha/config.ts';

export async function run(): Promise<void> {
  const cfg = makeConfig({ interval: 1, timeout: 3, retries: 1, netLoss: 0.01, serialLoss: 0.01, mtbf: 30 * 86400, mttr: 3600 });
  // warm-up (JIT), then one simulated year
  for (const [label, duration] of [['warm-up', 86400 * 7], ['year', SECONDS_PER_YEAR]] as const) {
    const sim = new Sim();
    const cluster = new HaCluster(sim, new Streams(1), cfg);
    const t0 = performance.now();
    sim.run(duration);
    const wall = (performance.now() - t0) / 1000;
    const r = cluster.finish();
    if (label === 'warm-up') continue;
    console.log(
      `ha: 2 nodes, h = 1 s, 1% loss: ${(duration / 86400).toFixed(0)} simulated days in ${wall.toFixed(2)} s wall = ` +
        `${Math.round(duration / wall).toLocaleString('en-US')} simulated s per wall s, ` +
        `${((wall * SECONDS_PER_YEAR) / duration).toFixed(2)} s wall per simulated year ` +
        `(${sim.executed.toLocaleString('en-US')} events, ${Math.round(sim.executed / wall).toLocaleString('en-US')} events/s, ` +
        `${r.hbMessages.toLocaleString('en-US')} heartbeat messages; goal: a year in <= 10 s: ${wall <= 10 ? 'met' : 'NOT met'})`,
    );
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
