/**
 * Cost of the HA model in simulated seconds per wall second.
 *
 * 1. The year: 2 nodes, h = 1 s, 1% loss on both channels, MTBF 30 days:
 *    63 M heartbeat ticks and 126 M heartbeat copies in a year. With
 *    heartbeatEvents = 'lazy' (the default) a quiet sender's heartbeats are
 *    not events (delivery-lazy.ts). Goal: a year in 1 s or less.
 * 2. The same 30 days with one kernel event per copy ('kernel', the
 *    reference), with copies deferred ('deferred', the same results as
 *    'kernel' byte for byte, checked here) and lazy (the same distributions;
 *    test/ha-lazy.test.ts).
 * 3. A table for sizing runs: h in {0.1, 1, 10} s and 2, 4, 16 nodes.
 */
import { performance } from 'node:perf_hooks';
import { simulate } from '../models/ha/index.ts';
import { SECONDS_PER_YEAR, type HaConfig } from '../models/ha/config.ts';

/** One run of the bench's base cluster with `over` changed; wall time of the whole run (construction is negligible). */
function simulateFor(over: Partial<HaConfig>, duration: number, seed = 1) {
  const t0 = performance.now();
  const { cluster, result } = simulate({ interval: 1, timeout: 3, retries: 1, netLoss: 0.01, serialLoss: 0.01, mtbf: 30 * 86400, mttr: 3600, ...over }, seed, duration);
  return { wall: (performance.now() - t0) / 1000, events: cluster.sim.executed, result };
}

const rate = (sim: number, wall: number) => Math.round(sim / wall).toLocaleString('en-US');

export async function run(): Promise<void> {
  // warm-up (JIT)
  for (const mode of ['lazy', 'deferred', 'kernel'] as const) simulateFor({ heartbeatEvents: mode }, 86400 * 3);
  const y = simulateFor({}, SECONDS_PER_YEAR);
  console.log(
    `ha: a year of 2 nodes, h = 1 s, 1% loss, mtbf 30 days (lazy heartbeats): ${y.wall.toFixed(2)} s wall = ${rate(SECONDS_PER_YEAR, y.wall)} simulated s per wall s ` +
      `(${y.events.toLocaleString('en-US')} events, ${y.result.hbMessages.toLocaleString('en-US')} heartbeat copies sent); goal: a year in <= 1 s: ${y.wall <= 1 ? 'met' : 'NOT met'}`,
  );
  const month = 30 * 86400;
  const k = simulateFor({ heartbeatEvents: 'kernel' }, month);
  const d = simulateFor({ heartbeatEvents: 'deferred' }, month);
  const l = simulateFor({ heartbeatEvents: 'lazy' }, month);
  if (JSON.stringify(k.result) !== JSON.stringify(d.result)) throw new Error('bench: kernel and deferred heartbeat delivery gave different results');
  console.log(
    `ha: 30 days: one kernel event per copy ${k.wall.toFixed(2)} s (${k.events.toLocaleString('en-US')} events), deferred ${d.wall.toFixed(2)} s (same results), ` +
      `lazy ${l.wall.toFixed(3)} s (${l.events.toLocaleString('en-US')} events): lazy is ${(k.wall / l.wall).toFixed(0)}x the kernel delivery`,
  );
  // sizing table: a simulated week each (16 nodes: a day), lossless, mtbf 30 days per node
  const rows: string[] = [];
  for (const nodes of [2, 4, 16]) {
    const cells: string[] = [];
    for (const h of [0.1, 1, 10]) {
      const duration = nodes === 16 ? 86400 : 7 * 86400;
      const over: Partial<HaConfig> = { nodes, services: nodes, activeNodes: nodes, interval: h, timeout: 3 * h, netLoss: 0, serialLoss: 0 };
      const lazy = simulateFor(over, duration);
      cells.push(`h=${h}: ${rate(duration, lazy.wall)}`);
    }
    rows.push(`  ${String(nodes).padStart(2)} nodes: ${cells.join(' | ')}`);
  }
  console.log('ha: simulated s per wall s (lazy heartbeats, lossless, mtbf 30 days, one service per node):\n' + rows.join('\n'));
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
