/**
 * Cost of the HA model: simulated seconds per wall second for a 2-node
 * cluster at h = 1 s with 1% loss on both channels. 63 M heartbeat ticks and
 * 126 M heartbeat copies a year (2 channels x 2 directions per interval). The
 * ticks are kernel repeating timers (no heap entry); with heartbeatEvents =
 * 'deferred' (the default) the ordinary copies wait at reserved places in the
 * event order instead of in the heap, so the heap holds the detector looks and
 * the protocol. 30 days with one kernel event per copy ('kernel', identical
 * results) are timed beside it. Goal: a year at or under 7.3 s, the time
 * before the model was cut into parts.
 */
import { performance } from 'node:perf_hooks';
import { Sim } from '../kernel/sim.ts';
import { Streams } from '../kernel/random.ts';
import { HaCluster } from '../models/ha/cluster.ts';
import { makeConfig, SECONDS_PER_YEAR, type HaConfig } from '../models/ha/config.ts';

function year(mode: HaConfig['heartbeatEvents'], duration: number) {
  const cfg = makeConfig({ interval: 1, timeout: 3, retries: 1, netLoss: 0.01, serialLoss: 0.01, mtbf: 30 * 86400, mttr: 3600, heartbeatEvents: mode });
  const sim = new Sim();
  const cluster = new HaCluster(sim, new Streams(1), cfg);
  const t0 = performance.now();
  sim.run(duration);
  const wall = (performance.now() - t0) / 1000;
  return { wall, events: sim.executed, result: cluster.finish() };
}

export async function run(): Promise<void> {
  // warm-up (JIT)
  year('deferred', 86400 * 7);
  year('kernel', 86400 * 7);
  const duration = SECONDS_PER_YEAR;
  const y = year('deferred', duration);
  console.log(
    `ha: 2 nodes, h = 1 s, 1% loss: ${(duration / 86400).toFixed(0)} simulated days in ${y.wall.toFixed(2)} s wall = ` +
      `${Math.round(duration / y.wall).toLocaleString('en-US')} simulated s per wall s, ` +
      `${((y.wall * SECONDS_PER_YEAR) / duration).toFixed(2)} s wall per simulated year ` +
      `(${y.events.toLocaleString('en-US')} events, ${Math.round(y.events / y.wall).toLocaleString('en-US')} events/s, ` +
      `${y.result.hbMessages.toLocaleString('en-US')} heartbeat messages; goal: a year in <= 7.3 s: ${y.wall <= 7.3 ? 'met' : 'NOT met'}; events include the timer ticks)`,
  );
  // the same 30 days with one kernel event per heartbeat copy: same results, the cost of the events
  const month = 30 * 86400;
  const k = year('kernel', month);
  const d = year('deferred', month);
  if (JSON.stringify(k.result) !== JSON.stringify(d.result)) throw new Error('bench: kernel and deferred heartbeat delivery gave different results');
  console.log(
    `ha: 30 days, one kernel event per heartbeat copy: ${k.wall.toFixed(2)} s (${k.events.toLocaleString('en-US')} events), ` +
      `deferred copies: ${d.wall.toFixed(2)} s (${d.events.toLocaleString('en-US')} events), same results; deferred/kernel time ratio: ${(d.wall / k.wall).toFixed(2)}`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
