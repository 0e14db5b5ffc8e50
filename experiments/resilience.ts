/**
 * The one world: what a zone server's crash does to its players, scheme by
 * scheme and fail-over policy by policy, under four detector settings and 4,
 * 8 and 16 servers. Every scheme and policy of a replicate sees the same
 * players, the same walks and the same crash times (common random numbers:
 * one seed per replicate, each process its own stream).
 */
import type { ChartSpec, Experiment, Point, Row } from '../src/runner/experiment.ts';
import { schemeNames } from '../src/models/lb/index.ts';
import { runOneWorld, OW_METRIC_INFO, type OneWorldTotals } from '../src/models/oneworld/index.ts';
import type { HaConfig } from '../src/models/ha/index.ts';
import { VEGA, schemeColor } from './lb-common.ts';

const BUILT_IN = ['static', 'dynamic', 'user-centric', 'kd-tree', 'progrega'];
const POLICIES = ['paper', 'spare', 'scheme'] as const;
export const DETECTOR_SETTINGS = ['timeout-h0.5', 'timeout-h1', 'timeout-h2', 'phi'] as const;
const CRASHES = ['random', 'busiest'] as const;
const list = (s: string) => s.split(',').map((x) => x.trim()).filter(Boolean);

const METRICS: Array<keyof OneWorldTotals | 'migrationsPerPlayerHour'> = [
  'lostPerPlayerHour', 'plannedPerPlayerHour', 'detectionMean', 'recoveryMean', 'playersPerCrash', 'reconnectBurst', 'peakOverCapacity', 'balancedMean',
  'failoverMigrations', 'failbackMigrations', 'handoffsNormal', 'handoffsFailover', 'overloadedPlayerSeconds', 'tickMean', 'crashes', 'cascades', 'crossPairsNormal', 'crossPairsFailover', 'migrationsPerPlayerHour',
];

/** The HA options of a detector setting: the timeout detector at heartbeat interval h with T = 3h (the paper's ratio), or phi at h = 1 s (Akka's defaults). */
export function detectorSetting(name: string): Partial<HaConfig> {
  if (name === 'phi') return { detector: 'phi', interval: 1 };
  const m = /^timeout-h([0-9.]+)$/.exec(name);
  if (!m) throw new Error(`unknown detector setting '${name}' (${DETECTOR_SETTINGS.join(', ')})`);
  const h = Number(m[1]);
  return { detector: 'timeout', interval: h, timeout: 3 * h };
}

export const resilience: Experiment = {
  name: 'resilience',
  title: 'One world: zone-server crashes felt by players, per scheme, fail-over policy and detector',
  description:
    'The LB world in time and the heartbeat HA cluster on one kernel: each server is an HA node, each region an HA service. Players walk (random waypoint); ' +
    "servers crash at random (mtbf per server, repaired after mttr) or, in the 'busiest' mode, the server with the most players crashes once at crashAt. " +
    "Fail-over policies: 'paper' (the least-loaded live server takes the regions whole), 'spare' (one standby server takes them), 'scheme' (the LB scheme spreads " +
    "the region over the survivors). Detector settings: the timeout detector at h = 0.5, 1, 2 s with T = 3h, and phi (Akka's defaults). docs/world.md has the rules.",
  seeds: 8,
  // a few minutes on 2 cores: run by name (npm run results runs it after all)
  outsideAll: true,
  params: {
    schemes: { type: 'string', default: BUILT_IN.join(','), help: 'registered schemes to compare, comma-separated (each run runs every scheme and policy on the same seed)' },
    policies: { type: 'string', default: POLICIES.join(','), help: 'fail-over policies to compare, comma-separated (paper, spare, scheme)' },
    detector: { type: 'enum', default: [...DETECTOR_SETTINGS], choices: DETECTOR_SETTINGS, list: true, help: 'detector settings (timeout-hX: the timeout detector at h = X s, T = 3h; phi: phi-accrual at h = 1 s)' },
    servers: { type: 'integer', default: [4, 8, 16], min: 2, max: 48, list: true, help: 'servers (regions); policy spare adds one standby' },
    crash: { type: 'enum', default: [...CRASHES], choices: CRASHES, list: true, help: "'random': crashes at mtbf per server; 'busiest': one scripted crash of the busiest server at crashAt" },
    playersPerServer: { type: 'integer', default: 60, min: 1, max: 10_000, help: 'players per server, walking (random waypoint)' },
    capacityFactor: { type: 'number', default: 1.5, greaterThan: 0, help: 'a server serves capacityFactor x playersPerServer players at full speed' },
    overloadFactor: { type: 'number', default: 0, min: 0, help: 'a server held above this times its capacity for overloadAfter (30 s) crashes: cascades (0 = never)' },
    duration: { type: 'number', default: 1200, greaterThan: 0, max: 86400, help: 'simulated seconds per run' },
    mtbf: { type: 'number', default: 2400, greaterThan: 0, help: "random mode: mean time between crashes per server (s)" },
    mttr: { type: 'number', default: 300, greaterThan: 0, help: 'random mode: mean time to repair (s, exponential; then boot 60 s and fail back)' },
    crashAt: { type: 'number', default: 300, greaterThan: 0, help: "busiest mode: when the busiest server crashes (s); it is repaired mttr seconds later" },
  },
  check(point) {
    for (const s of list(point.schemes as string)) if (!schemeNames().includes(s)) throw new Error(`scheme '${s}' is not registered (${schemeNames().join(', ')})`);
    for (const p of list(point.policies as string)) if (!(POLICIES as readonly string[]).includes(p)) throw new Error(`policy '${p}' is not one of ${POLICIES.join(', ')}`);
    if (point.crash === 'busiest' && !((point.crashAt as number) < (point.duration as number))) throw new Error(`crashAt (${point.crashAt}) must come before the end of the run (duration ${point.duration})`);
  },
  // microseconds of CPU per run: about 0.6 us per player-second of the world, per scheme and policy
  cost: (p) => 0.6 * (p.servers as number) * (p.playersPerServer as number) * (p.duration as number) * list(p.schemes as string).length * list(p.policies as string).length,
  keys: ['scheme', 'policy'],
  metrics: METRICS,
  metricInfo: { ...OW_METRIC_INFO, migrationsPerPlayerHour: { unit: 'users/player-h', meaning: 'players moved by rebalancing per player-hour (the LB world)' } },
  mainMetrics: ['lostPerPlayerHour', 'plannedPerPlayerHour', 'peakOverCapacity', 'reconnectBurst'],
  run(point, seed) {
    const n = point.servers as number, p = point.playersPerServer as number;
    const busiest = point.crash === 'busiest';
    const ha: Partial<HaConfig> = { ...detectorSetting(point.detector as string), mttr: point.mttr as number, ...(busiest ? {} : { mtbf: point.mtbf as number }) };
    const rows: Row[] = [], series: Row[] = [];
    // the load around the crash: the busiest mode at 8 servers, timeout at h = 1 s
    const keep = busiest && n === 8 && point.detector === 'timeout-h1';
    for (const scheme of list(point.schemes as string))
      for (const policy of list(point.policies as string)) {
        const r = runOneWorld(
          scheme,
          { servers: n },
          { initialPlayers: n * p, joins: 'none', mobility: 'random-waypoint', duration: point.duration as number, sampleEvery: 5 },
          ha,
          {
            policy: policy as (typeof POLICIES)[number],
            capacity: Math.max(1, Math.round((point.capacityFactor as number) * p)),
            overloadFactor: point.overloadFactor as number,
            ...(busiest ? { crashBusiestAt: point.crashAt as number, crashBusiestFor: point.mttr as number } : {}),
          },
          seed,
          [],
          { measurePairs: keep || n <= 8 },
        );
        rows.push({ scheme, policy, ...Object.fromEntries(METRICS.map((m) => [m, m === 'migrationsPerPlayerHour' ? r.world.totals.migrationsPerPlayerHour : r.totals[m as keyof OneWorldTotals]])) });
        if (keep) for (const x of r.samples) series.push({ scheme, policy, t: x.t, unserved: x.unserved, maxNodeLoad: x.maxNodeLoad, capacity: r.config.capacity, normal: x.normal });
      }
    return keep ? { rows, tables: { series } } : { rows };
  },
  charts(data) {
    const mean = (metric: string, crash: string) =>
      data.summary.filter((r) => r.metric === metric && r.crash === crash).map((r) => ({ key: `${r.scheme}|${r.policy}|${r.detector}|${r.servers}`, r, v: Number(r.mean) }));
    const det = new Map(mean('detectionMean', 'random').map((x) => [x.key, x.v]));
    // per policy, detector and server count: the mean over schemes
    const groups = new Map<string, { policy: string; detector: string; servers: number; x: number[]; y: number[] }>();
    for (const { key, r, v } of mean('lostPerPlayerHour', 'random')) {
      const g = `${r.policy}|${r.detector}|${r.servers}`;
      if (!groups.has(g)) groups.set(g, { policy: String(r.policy), detector: String(r.detector), servers: Number(r.servers), x: [], y: [] });
      const d = det.get(key);
      if (d !== undefined && Number.isFinite(d)) groups.get(g)!.x.push(d);
      groups.get(g)!.y.push(v);
    }
    const avg = (a: number[]) => a.reduce((s, x) => s + x, 0) / Math.max(1, a.length);
    const pts = [...groups.values()].filter((g) => g.x.length).map((g) => ({ policy: g.policy, detector: g.detector, servers: g.servers, x: avg(g.x), y: avg(g.y) }));
    const charts: ChartSpec[] = [];
    if (pts.length)
      charts.push({
        name: 'lost-vs-detection',
        title: 'Seconds without service per player-hour against detection time',
        caption:
          'Random crashes. Each point: one fail-over policy under one detector setting, the mean over schemes and seeds of the seconds a player is without service per hour online (faults only; planned fail-backs apart), against the mean detection time of that setting. Lines join a policy\'s detector settings. Down and left is better.',
        spec: {
          $schema: VEGA,
          data: { values: pts },
          facet: { field: 'servers', type: 'ordinal', title: null, header: { labelExpr: "datum.value + ' servers'" } },
          columns: 3,
          spec: {
            width: 190,
            height: 170,
            layer: [
              { mark: { type: 'line', opacity: 0.6 }, encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' }, order: { field: 'x' }, color: { field: 'policy', type: 'nominal', title: 'policy' } } },
              {
                mark: { type: 'point', filled: true, size: 50 },
                encoding: {
                  x: { field: 'x', type: 'quantitative', title: 'detection time (s)' },
                  y: { field: 'y', type: 'quantitative', title: 's without service / player-h' },
                  color: { field: 'policy', type: 'nominal', title: 'policy' },
                  shape: { field: 'detector', type: 'nominal', title: 'detector', sort: [...DETECTOR_SETTINGS] },
                  tooltip: [{ field: 'policy' }, { field: 'detector' }, { field: 'x', format: '.3g' }, { field: 'y', format: '.3g' }],
                },
              },
            ],
          },
        },
      });
    const series = data.tables.series ?? [];
    const first = series.length ? series[0].replicate : undefined;
    const values = series.filter((r) => r.replicate === first).map((r) => ({ scheme: r.scheme, policy: r.policy, t: Number(r.t), load: Number(r.maxNodeLoad) / Number(r.capacity), unserved: Number(r.unserved) }));
    if (values.length) {
      const crashAt = Number(data.params.crashAt);
      const t0 = crashAt - 60, t1 = Math.min(Number(data.params.duration), crashAt + Number(data.params.mttr) + 180);
      const around = values.filter((v) => v.t >= t0 && v.t <= t1);
      charts.push({
        name: 'load-around-crash',
        title: 'The busiest server crashes (8 servers)',
        caption:
          `First replicate of the busiest mode at 8 servers, timeout detector at h = 1 s: the busiest server crashes at ${crashAt} s (dashed) and is repaired ${data.params.mttr} s later (then boots and fails back). Left: the most loaded node's players over its capacity (above 1: ticks stretch). Right: players without service. One row per policy, one line per scheme; the same players and walks in every panel.`,
        spec: {
          $schema: VEGA,
          data: { values: around },
          hconcat: ['load', 'unserved'].map((field) => ({
            title: { text: field === 'load' ? 'busiest node: players / capacity' : 'players without service', fontSize: 12, fontWeight: 'normal' },
            facet: { row: { field: 'policy', type: 'nominal', title: null, sort: [...POLICIES] } },
            spec: {
              width: 230,
              height: 90,
              layer: [
                { data: { values: [{ t: crashAt }] }, mark: { type: 'rule', strokeDash: [4, 3], color: '#888' }, encoding: { x: { field: 't', type: 'quantitative', scale: { domain: [t0, t1], nice: false, zero: false } } } },
                ...(field === 'load' ? [{ data: { values: [{ y: 1 }] }, mark: { type: 'rule', color: '#bbb' }, encoding: { y: { field: 'y', type: 'quantitative' } } }] : []),
                {
                  mark: { type: 'line', interpolate: 'step-after', strokeWidth: 1.5 },
                  encoding: {
                    x: { field: 't', type: 'quantitative', title: 'time (s)', scale: { nice: false, zero: false, domain: [t0, t1] } },
                    y: { field, type: 'quantitative', title: null },
                    color: schemeColor(around, 'scheme', 'scheme'),
                  },
                },
              ],
            },
          })),
        },
      });
    }
    return charts;
  },
};
