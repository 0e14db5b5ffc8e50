/**
 * The lazy heartbeat delivery against the reference (one kernel event per
 * copy): the same distributions, over scenarios that make every part of it
 * work (losses that end in silences, probes and their answers, crashes and
 * repairs, pauses, starved observers, latency spikes, cuts, more nodes).
 * Lazy draws other random numbers, so the checks are statistical: detection
 * latencies by a two-sample Kolmogorov-Smirnov test, counts (false
 * detections, flaps) and downtime by a two-sample test on the per-seed values;
 * and exact where the draws cannot matter (heartbeat counts of a lossless run;
 * every number of a run without jitter, for the reconcile polls drawn ahead).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { simulate } from '../src/models/ha/index.ts';
import type { HaConfig } from '../src/models/ha/options.ts';
import type { HaResult } from '../src/models/ha/metrics.ts';
import type { HaCluster } from '../src/models/ha/cluster.ts';
import type { Fault } from '../src/models/ha/faults.ts';

/** Two-sample Kolmogorov-Smirnov: the statistic D and its asymptotic p-value (Kolmogorov distribution, Stephens' correction). */
function ks2(a: number[], b: number[]): { d: number; p: number } {
  const x = [...a].sort((p, q) => p - q), y = [...b].sort((p, q) => p - q);
  let i = 0, j = 0, d = 0;
  while (i < x.length && j < y.length) {
    const v = Math.min(x[i], y[j]);
    while (i < x.length && x[i] === v) i++;
    while (j < y.length && y[j] === v) j++;
    d = Math.max(d, Math.abs(i / x.length - j / y.length));
  }
  const ne = (x.length * y.length) / (x.length + y.length);
  const lambda = (Math.sqrt(ne) + 0.12 + 0.11 / Math.sqrt(ne)) * d;
  let p = 0;
  for (let k = 1; k <= 100; k++) p += 2 * (-1) ** (k - 1) * Math.exp(-2 * k * k * lambda * lambda);
  return { d, p: Math.min(1, Math.max(0, p)) };
}

/** Welch's two-sample z on per-seed values (enough seeds for the normal): the |z| of the difference of the means. */
function welchZ(a: number[], b: number[]): number {
  const m = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
  const s2 = (v: number[]) => v.reduce((s, x) => s + (x - m(v)) ** 2, 0) / (v.length - 1);
  const se = Math.sqrt(s2(a) / a.length + s2(b) / b.length);
  return se === 0 ? (m(a) === m(b) ? 0 : Infinity) : Math.abs(m(a) - m(b)) / se;
}

function runs(over: Partial<HaConfig>, seeds: number, duration: number): Record<'kernel' | 'lazy', HaResult[]> {
  const out = { kernel: [] as HaResult[], lazy: [] as HaResult[] };
  for (const mode of ['kernel', 'lazy'] as const)
    for (let s = 1; s <= seeds; s++) out[mode].push(simulate({ ...over, heartbeatEvents: mode }, 1000 + s, duration).result);
  return out;
}

const latencies = (rs: HaResult[]) => rs.flatMap((r) => r.detections.filter((d) => d.clean).map((d) => d.latency));

// p-values below this fail: with the handful of comparisons here a false alarm is about 1 in 200 runs of the suite at worst,
// and the seeds are fixed, so a pass stays a pass until the model changes
const ALPHA = 0.001;

test('lazy delivery: detection latencies have the kernel distribution (loss, pauses, frequent crashes)', () => {
  const over: Partial<HaConfig> = { interval: 0.5, timeout: 1.5, netLoss: 0.05, serialLoss: 0.05, mtbf: 600, mttr: 60, bootTime: 10, pauseMtb: 1800, pauseMean: 1 };
  const r = runs(over, 6, 86400 / 2);
  const a = latencies(r.kernel), b = latencies(r.lazy);
  assert.ok(a.length > 300 && b.length > 300, `${a.length} and ${b.length} detections`);
  const { d, p } = ks2(a, b);
  assert.ok(p > ALPHA, `KS D = ${d.toFixed(4)}, p = ${p.toExponential(2)} (${a.length} vs ${b.length} detections)`);
  // and a test that can fail: the KS test tells a shift of a tenth of h apart
  assert.ok(ks2(a, b.map((x) => x + 0.05)).p < ALPHA, 'the KS test would see a 0.05 s shift');
  for (const m of ['mistakes', 'flaps', 'falseTakeovers'] as const) {
    const z = welchZ(r.kernel.map((x) => x[m]), r.lazy.map((x) => x[m]));
    assert.ok(z < 3.3, `${m}: |z| = ${z.toFixed(2)}`);
  }
});

test('lazy delivery: silences from loss alone give the kernel rate of false detections and their lengths', () => {
  // 30% loss per channel, T = 2h: a heartbeat lost on both channels twice in a row starts a probe; a few become mistakes
  const over: Partial<HaConfig> = { interval: 1, timeout: 2, retries: 1, netLoss: 0.3, serialLoss: 0.3 };
  const r = runs(over, 8, 86400);
  const k = r.kernel.map((x) => x.mistakes), l = r.lazy.map((x) => x.mistakes);
  assert.ok(k.reduce((s, x) => s + x, 0) > 40, `kernel mistakes ${k}`);
  assert.ok(welchZ(k, l) < 3.3, `mistakes per day: kernel ${k}, lazy ${l}`);
  const tm = (rs: HaResult[]) => rs.map((x) => x.meanMistakeDuration).filter((x) => Number.isFinite(x));
  assert.ok(welchZ(tm(r.kernel), tm(r.lazy)) < 3.3, 'mean mistake duration');
  assert.ok(welchZ(r.kernel.map((x) => x.messagesLost), r.lazy.map((x) => x.messagesLost)) < 3.3, 'lost copies');
  // about one poll in six loses a request or an answer on both channels: polls drawn ahead that are not complete run as real rounds
  const pm = (rs: HaResult[]) => rs.map((x) => x.protocolMessages);
  assert.ok(welchZ(pm(r.kernel), pm(r.lazy)) < 3.3, `protocol messages: kernel ${pm(r.kernel)}, lazy ${pm(r.lazy)}`);
});

test('lazy delivery: gray failures (starved observers, spikes, pauses) and 4 nodes keep the kernel numbers', () => {
  const over: Partial<HaConfig> = {
    nodes: 4, services: 4, activeNodes: 4, interval: 1, timeout: 3, netLoss: 0.02, serialLoss: 0.02, mtbf: 3600, mttr: 120, bootTime: 10,
    starveMtb: 1800, starveMean: 2, spikeMtb: 1800, spikeMean: 5, spikeExtra: 1.5, pauseMtb: 3600, pauseMean: 2, pauseDist: 'pareto', pauseShape: 1.5,
  };
  const r = runs(over, 6, 86400 / 2);
  const { d, p } = ks2(latencies(r.kernel), latencies(r.lazy));
  assert.ok(p > ALPHA, `KS D = ${d.toFixed(4)}, p = ${p.toExponential(2)}`);
  for (const m of ['mistakes', 'downtime', 'takeovers', 'dualActiveTime', 'protocolMessages'] as const) {
    const z = welchZ(r.kernel.map((x) => x[m]), r.lazy.map((x) => x[m]));
    assert.ok(z < 3.3, `${m}: |z| = ${z.toFixed(2)} (kernel ${r.kernel.map((x) => x[m].toFixed(1))}, lazy ${r.lazy.map((x) => x[m].toFixed(1))})`);
  }
});

test('lazy delivery: downtime per year of the HA pair within the kernel interval', () => {
  const over: Partial<HaConfig> = { interval: 1, netLoss: 0.01, serialLoss: 0.01, mtbf: 30 * 86400, mttr: 3600 };
  const r = runs(over, 4, 365 * 86400 / 4);
  const z = welchZ(r.kernel.map((x) => x.downtime), r.lazy.map((x) => x.downtime));
  assert.ok(z < 3.3, `downtime: kernel ${r.kernel.map((x) => x.downtime.toFixed(1))}, lazy ${r.lazy.map((x) => x.downtime.toFixed(1))}`);
});

test('lazy delivery: exact where no draw can matter (a lossless run with crashes, cuts and a scripted pause)', () => {
  const over: Partial<HaConfig> = { nodes: 3, services: 2, activeNodes: 2, interval: 0.5, mtbf: 900, mttr: 60, bootTime: 5 };
  const script = (c: Parameters<NonNullable<Parameters<typeof simulate>[3]>>[0]) => {
    c.at(1000, { verb: 'cut', a: 0, b: 1, channel: 'net' });
    c.at(1500, { verb: 'heal', a: 0, b: 1, channel: 'net' });
    c.at(2000, { verb: 'pause', node: 2, duration: 0.7 });
    c.at(3000, { verb: 'cut', a: 1, b: 2, channel: 'both', oneWay: true });
    c.at(3010, { verb: 'heal-all' });
  };
  const k = simulate({ ...over, heartbeatEvents: 'kernel' }, 7, 20000, script).result;
  const l = simulate({ ...over, heartbeatEvents: 'lazy' }, 7, 20000, script).result;
  assert.equal(l.hbMessages, k.hbMessages);
  assert.equal(l.messagesLost, k.messagesLost);
  assert.equal(l.incidents.length, k.incidents.length);
  assert.equal(l.detections.length, k.detections.length);
  // the latencies differ only by the copies' one-way latencies (under a millisecond)
  for (let x = 0; x < k.detections.length; x++) assert.ok(Math.abs(l.detections[x].latency - k.detections[x].latency) < 0.002, `detection ${x}`);
  assert.ok(Math.abs(l.downtime - k.downtime) < 0.05, `downtime ${l.downtime} vs ${k.downtime}`);
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
  assert.ok(l.cluster.sim.executed < k.cluster.sim.executed / 2, `lazy ${l.cluster.sim.executed} events, kernel ${k.cluster.sim.executed}`);
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

test('downtime at its defaults: the committed HA-pair intervals are within 20% of the mean at every h', () => {
  // results/ holds the default run; a change of the defaults or of the model that widens them fails here
  const rows = parse(readFileSync(new URL('../results/downtime/summary.csv', import.meta.url), 'utf8'), { columns: true }) as Record<string, string>[];
  const ha = rows.filter((r) => r.system === 'HA pair' && r.metric === 'downtimeMinPerYear');
  assert.equal(ha.length, 5);
  for (const r of ha) {
    const half = (Number(r.ci95_high) - Number(r.ci95_low)) / 2;
    assert.ok(half <= 0.2 * Number(r.mean), `h = ${r.interval}: ${r.mean} +- ${half.toFixed(2)} min/yr`);
  }
});
