/**
 * Cost of the HA model: simulated seconds per wall second for a 2-node
 * cluster at h = 1 s with 1% loss on both channels (goal: one simulated year
 * in at most 10 s). 126 M heartbeat copies a year (2 channels x 2 directions
 * per interval); with heartbeatEvents = 'deferred' (the default) the ordinary
 * ones wait in per-pair buffers at reserved places in the event order and the
 * heartbeat clocks tick without kernel events while nothing stands in the
 * way, so the kernel runs the detector checks and the protocol, about 32 M
 * events a year. 30 days with one kernel event per tick and per copy
 * ('kernel', identical results) are timed beside it.
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
      `${y.result.hbMessages.toLocaleString('en-US')} heartbeat messages; goal: a year in <= 10 s: ${y.wall <= 10 ? 'met' : 'NOT met'})`,
  );
  // the same 30 days with one kernel event per tick and per heartbeat copy: same results, the cost of the events
  const month = 30 * 86400;
  const k = year('kernel', month);
  const d = year('deferred', month);
  if (JSON.stringify(k.result) !== JSON.stringify(d.result)) throw new Error('bench: kernel and deferred heartbeat delivery gave different results');
  console.log(
    `ha: 30 days, one kernel event per tick and per heartbeat copy: ${k.wall.toFixed(2)} s (${k.events.toLocaleString('en-US')} events), ` +
      `deferred copies and lazy ticks: ${d.wall.toFixed(2)} s (${d.events.toLocaleString('en-US')} events), same results; deferred/kernel time ratio: ${(d.wall / k.wall).toFixed(2)}`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
