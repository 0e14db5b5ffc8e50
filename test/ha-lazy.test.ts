/**
 * The lazy schedule against the reference (one kernel event per copy) on long
 * runs that make every part of it work (losses that end in silences, probes
 * and their answers, crashes and repairs, pauses, starved observers, latency
 * spikes, cuts, more nodes, every detector): the same numbers, exactly, as
 * the swarm in ha-schedules.test.ts checks on short random scenarios; and the
 * reconcile polls drawn ahead with faults landing inside rounds.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { findExperiment } from '../experiments/index.ts';
import { resolveParams } from '../src/runner/params.ts';
import { runExperiment } from '../src/runner/run.ts';
import { toCsv } from '../src/output/csv.ts';
import { simulate } from '../src/models/ha/index.ts';
import type { HaConfig } from '../src/models/ha/options.ts';
import type { HaCluster } from '../src/models/ha/cluster.ts';
import type { Fault } from '../src/models/ha/faults.ts';

/** Run under kernel and lazy (and deferred) with the same seed; the results must be equal, and lazy must run fewer events. */
function same(over: Partial<HaConfig>, seed: number, duration: number, deferred = false): void {
  const k = simulate({ ...over, heartbeatEvents: 'kernel' }, seed, duration);
  const l = simulate({ ...over, heartbeatEvents: 'lazy' }, seed, duration);
  assert.deepEqual(l.result, k.result);
  assert.ok(l.cluster.sim.executed < k.cluster.sim.executed, `lazy ran ${l.cluster.sim.executed} events, kernel ${k.cluster.sim.executed}`);
  if (deferred) assert.deepEqual(simulate({ ...over, heartbeatEvents: 'deferred' }, seed, duration).result, k.result);
}

test('lazy = kernel: half a day of loss, pauses and frequent crashes, every detector', () => {
  const over: Partial<HaConfig> = { interval: 0.5, timeout: 1.5, netLoss: 0.05, serialLoss: 0.05, mtbf: 600, mttr: 60, bootTime: 10, pauseMtb: 1800, pauseMean: 1 };
  for (const det of [{ detector: 'timeout' }, { detector: 'phi', phiPause: 1 }, { detector: 'phi', phiForm: 'exponential', phiFirst: 1, phiMaxInterval: 1 }, { detector: 'adaptive', adaptiveAlpha: 0.5 }] as Partial<HaConfig>[]) {
    const k = simulate({ ...over, ...det, heartbeatEvents: 'kernel' }, 1001, 86400 / 2).result;
    assert.ok(k.detections.length > 50, `${det.detector}: ${k.detections.length} detections`);
    same({ ...over, ...det }, 1001, 86400 / 2);
  }
});

test('lazy = kernel: small windows fast-forwarded (heardRange) and floors that let long stretches go unfed, every windowed detector', () => {
  // windows of 8 to 16 values: stretches of thousands of heartbeats start from the window at its last re-sum; loss and crashes make candidates
  const over: Partial<HaConfig> = { interval: 1, timeout: 3, netLoss: 0.1, serialLoss: 0.1, mtbf: 20000, mttr: 600, bootTime: 10 };
  const dets: Partial<HaConfig>[] = [
    { detector: 'phi', phiWindow: 8, phiPause: 0.5 },
    { detector: 'phi', phiWindow: 16, phiThreshold: 1, phiPause: 0, phiMinStd: 0.5 },
    { detector: 'phi', phiForm: 'exponential', phiWindow: 12, phiThreshold: 0.85, phiFirst: 1, phiMaxInterval: 2.5 },
    { detector: 'adaptive', adaptiveWindow: 10, adaptiveAlpha: 1 },
    { detector: 'adaptive', adaptiveWindow: 16, adaptiveAlpha: 0.3 },
  ];
  for (const [i, det] of dets.entries()) {
    const k = simulate({ ...over, ...det, heartbeatEvents: 'kernel' }, 1100 + i, 86400).result;
    assert.ok(k.detections.length > 2 && k.mistakes > 0, `${JSON.stringify(det)}: ${k.detections.length} detections, ${k.mistakes} mistakes`);
    same({ ...over, ...det }, 1100 + i, 86400);
    same({ ...over, ...det, lossModel: 'gilbert-elliott', burstLength: 4, burstLoss: 0.9, netLoss: 0.02, serialLoss: 0.02 }, 1200 + i, 86400);
  }
});

test('lazy = kernel: silences from loss alone with probes (30% loss, T = 2h, R = 1), bursty loss too', () => {
  const over: Partial<HaConfig> = { interval: 1, timeout: 2, retries: 1, netLoss: 0.3, serialLoss: 0.3 };
  const k = simulate({ ...over, heartbeatEvents: 'kernel' }, 1002, 86400).result;
  assert.ok(k.mistakes > 5, `${k.mistakes} mistakes`);
  same(over, 1002, 86400, true);
  same({ ...over, lossModel: 'gilbert-elliott', burstLength: 5, burstLoss: 0.8 }, 1003, 86400);
});

test('lazy = kernel: gray failures (starved observers, spikes, Pareto pauses) on 4 nodes', () => {
  const over: Partial<HaConfig> = {
    nodes: 4, services: 4, activeNodes: 4, interval: 1, timeout: 3, netLoss: 0.02, serialLoss: 0.02, mtbf: 3600, mttr: 120, bootTime: 10,
    starveMtb: 1800, starveMean: 2, spikeMtb: 1800, spikeMean: 5, spikeExtra: 1.5, pauseMtb: 3600, pauseMean: 2, pauseDist: 'pareto', pauseShape: 1.5,
  };
  same(over, 1004, 86400 / 2, true);
  same({ ...over, detector: 'phi' }, 1005, 86400 / 4);
});

test('lazy = kernel: a month of the HA pair with crashes every few days', () => {
  same({ interval: 1, netLoss: 0.01, serialLoss: 0.01, mtbf: 3 * 86400, mttr: 3600 }, 1006, 30 * 86400);
});

test('polls drawn ahead: every number as with one event per message, lossless and without jitter (faults land inside rounds)', () => {
  // jitter-free lossless channels: every copy's latency is fixed, so drawing the reconcile polls ahead (lazy) may not change any
  // number of the kernel path. Protocol messages on net only with a 2 s latency make each round last 4 s, so scripted faults
  // land inside rounds: a request or an answer on its way, a round that must go on as real events. The link between nodes 0
  // and 2 is a second slower, so a round can have one answer in and one on its way.
  const over: Partial<HaConfig> = {
    netJitter: 0, serialJitter: 0, netLoss: 0, serialLoss: 0, nodes: 3, services: 3, activeNodes: 3,
    interval: 5, timeout: 20, netLatency: 2, loadTimeout: 8, protocolChannels: 'net', bootTime: 5, maxLogRows: 1e6,
  };
  const faults: Array<[number, Fault]> = [];
  let t = 300;
  for (let i = 0; i < 400; i++) {
    t += 20 + 40 * (((Math.sin(i * 12.9898) * 43758.5453) % 1 + 1) % 1); // a fixed pseudo-random spacing: faults fall anywhere in a round
    const node = i % 3;
    if (i % 7 === 3) faults.push([t, { verb: 'crash', node: 1 + (i % 2) }], [t + 40, { verb: 'repair', node: 1 + (i % 2) }]);
    else if (i % 5 === 1) faults.push([t, { verb: 'cut', a: 0, b: 2, channel: 'net' }], [t + 1, { verb: 'heal', a: 0, b: 2, channel: 'net' }]);
    else faults.push([t, { verb: 'pause', node, duration: 0.5 + (i % 4) }]);
  }
  const script = (c: HaCluster) => {
    c.configureLink(0, 2, { extraLatency: 1 });
    faults.forEach(([t, f]) => c.at(t, f));
  };
  const k = simulate({ ...over, heartbeatEvents: 'kernel' }, 3, 20000, script);
  const l = simulate({ ...over, heartbeatEvents: 'lazy' }, 3, 20000, script);
  assert.deepEqual(l.result, k.result);
  assert.ok(l.cluster.sim.executed < k.cluster.sim.executed, `lazy ${l.cluster.sim.executed} events, kernel ${k.cluster.sim.executed}`);
  // the same run with its message log: how many faults fell inside a round (from a request's send to its last answer)
  const logged = simulate({ ...over, heartbeatEvents: 'kernel', recordMessages: true }, 3, 20000, script);
  assert.deepEqual(logged.result.downtime, k.result.downtime);
  const rounds = new Map<string, [number, number]>();
  for (const m of logged.cluster.messages) {
    const id = /^round (\d+)/.exec(m.info)?.[1];
    if (!id || m.channel === 'local') continue;
    const w = rounds.get(id) ?? [Infinity, -Infinity];
    if (m.type === 'SYSTEM_LOAD') w[0] = Math.min(w[0], m.time);
    else if (m.status === 'delivered') w[1] = Math.max(w[1], m.arrival);
    rounds.set(id, w);
  }
  const inRound = (lo: number, hi: number) => faults.filter(([t]) => [...rounds.values()].some(([a, b]) => a + lo < t && t < Math.min(a + hi, b))).length;
  // requests on their way (the first 2 s), then one answer in and the other on its way (4 to 6 s)
  assert.ok(inRound(0, 2) >= 5 && inRound(4, 6) >= 5, `${inRound(0, 2)} and ${inRound(4, 6)} faults inside a round (of ${rounds.size} rounds)`);
});

test('downtime at its defaults: results/ is what the code makes (two replicates re-run match their committed rows), and its HA-pair intervals are within 20% of the mean at every h', async () => {
  // results/ holds the default run (32 seeds x 12 years a point); a replicate's seed depends on the base seed, the point and its index only,
  // so two replicates of h = 1 re-run here must give their committed rows, cell for cell, as the CSV writer formats them
  const committed = readFileSync(new URL('../results/downtime/runs.csv', import.meta.url), 'utf8').trim().split('\n');
  const columns = committed[0].split(',');
  const exp = findExperiment('downtime')!;
  const res = await runExperiment(exp, resolveParams(exp, { interval: '1' }), { seeds: 2, seed: 1, workers: 1 });
  assert.equal(res.runs.length, 4, 'two replicates, single and pair');
  for (const row of res.runs) {
    const line = toCsv([row], columns).trim().split('\n')[1];
    assert.ok(committed.includes(line), `results/downtime/runs.csv lacks the re-run row ${line.slice(0, 120)}... (regenerate results/ after a model change)`);
  }
  // the committed summary: a change of the defaults or of the model that widens the intervals fails here
  const rows = parse(readFileSync(new URL('../results/downtime/summary.csv', import.meta.url), 'utf8'), { columns: true }) as Record<string, string>[];
  const ha = rows.filter((r) => r.system === 'HA pair' && r.metric === 'downtimeMinPerYear');
  assert.equal(ha.length, 5);
  for (const r of ha) {
    const half = (Number(r.ci95_high) - Number(r.ci95_low)) / 2;
    assert.ok(half <= 0.2 * Number(r.mean), `h = ${r.interval}: ${r.mean} +- ${half.toFixed(2)} min/yr`);
  }
});
