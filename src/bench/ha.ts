/**
 * Cost of the HA model in simulated seconds per wall second.
 *
 * 1. The year, for each detector: 2 nodes, h = 1 s, 1% loss on both
 *    channels, MTBF 30 days: 63 M heartbeat ticks and 126 M heartbeat copies
 *    in a year. With heartbeatEvents = 'lazy' (the default) a quiet sender's
 *    heartbeats are not events (delivery-lazy.ts). Goals: timeout <= 0.1 s;
 *    phi (Akka's and Cassandra's forms) and adaptive <= 0.5 s each.
 * 2. The same 30 days with one kernel event per copy ('kernel', the
 *    reference) and with copies deferred ('deferred'): the same results byte
 *    for byte (checked here), and the ratio of their speeds.
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

const DETECTORS: Array<[string, Partial<HaConfig>, number]> = [
  ['timeout', { detector: 'timeout' }, 0.1],
  ['phi-akka', { detector: 'phi', phiForm: 'normal', phiThreshold: 8, phiPause: 3, phiMinStd: 0.1, phiFirst: 1 }, 0.5],
  ['phi-cassandra', { detector: 'phi', phiForm: 'exponential', phiThreshold: 8, phiFirst: 2, phiMaxInterval: 2 }, 0.5],
  ['adaptive', { detector: 'adaptive' }, 0.5],
];

export async function run(): Promise<void> {
  // warm-up (JIT)
  for (const [, det] of DETECTORS) for (const mode of ['lazy', 'deferred', 'kernel'] as const) simulateFor({ ...det, heartbeatEvents: mode }, 86400 * 2);
  const month = 30 * 86400;
  for (const [name, det, goal] of DETECTORS) {
    const y = simulateFor(det, SECONDS_PER_YEAR);
    const k = simulateFor({ ...det, heartbeatEvents: 'kernel' }, month);
    const d = simulateFor({ ...det, heartbeatEvents: 'deferred' }, month);
    const l = simulateFor({ ...det, heartbeatEvents: 'lazy' }, month);
    if (JSON.stringify(k.result) !== JSON.stringify(d.result) || JSON.stringify(k.result) !== JSON.stringify(l.result))
      throw new Error(`bench: the heartbeat schedules gave different results (${name})`);
    const ratio = (k.wall / month) / (y.wall / SECONDS_PER_YEAR);
    console.log(
      `ha: ${name.padEnd(13)} a year of 2 nodes, h = 1 s, 1% loss, mtbf 30 days (lazy): ${y.wall.toFixed(3)} s wall (${y.events.toLocaleString('en-US')} events, ` +
        `${y.result.hbMessages.toLocaleString('en-US')} heartbeat copies); goal <= ${goal} s: ${y.wall <= goal ? 'met' : 'NOT met'}; ` +
        `kernel delivery ${(k.wall * 12.17).toFixed(1)} s a year (x${ratio.toFixed(0)} lazy), deferred x${((d.wall / month) / (y.wall / SECONDS_PER_YEAR)).toFixed(0)}; the same results from all three`,
    );
  }
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
