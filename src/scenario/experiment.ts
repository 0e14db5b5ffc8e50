/**
 * A scenario file as an experiment: its sweep axes are the experiment's list
 * parameters, so the runner gives it seeds, confidence intervals, worker
 * threads and the usual outputs. HA scenarios write what the failover
 * experiment writes (incidents, protocol messages, the timeline, a timeline
 * chart); LB scenarios the paper's migration measures per run and per bucket.
 *
 * Worker threads import this module with the scenario file in the query
 * string (`experiment.ts?scenario=/abs/path.yaml`); it then loads the file
 * and exports the experiment as `experiments`.
 */
import { resolve } from 'node:path';
import type { ChartSpec, Experiment, ParamSpec, Row } from '../runner/experiment.ts';
import { cartesian } from '../runner/experiment.ts';
import { simulate, haWork, makeConfig } from '../models/ha/index.ts';
import { resolveOptions } from '../models/lb/options.ts';
import { resolveWorld } from '../models/lb/world-options.ts';
import { runScheme } from '../models/lb/run.ts';
import { runWorld, type WorldTotals } from '../models/lb/timed.ts';
import { firstRuns, scenarioReplay } from './replay.ts';
import { HA_METRIC_INFO } from '../models/ha/metric-info.ts';
import { LB_METRIC_INFO, WORLD_METRIC_INFO } from '../models/lb/metric-info.ts';
import { holderScale, nodeStateScale, outages, timelineSegments } from '../output/timeline.ts';
import { schemeColor } from '../output/scheme-colors.ts';
import { runOneWorld, OW_METRIC_INFO, type OneWorldTotals } from '../models/oneworld/index.ts';
import { at, checkModel, haRunOptions, isOneWorld, loadScenario, type Axis, type HaScenario, type LbScenario, type Scenario } from './load.ts';

const VEGA = 'https://vega.github.io/schema/vega-lite/v6.json';
const HA_METRICS = ['availability', 'downtime', 'dualActiveTime', 'incidents', 'detections', 'meanDetection', 'mistakes', 'falseTakeovers', 'declarations', 'hbMessages', 'protocolMessages', 'lost'];
const LB_METRICS = ['migratedUsers', 'migrationEvents', 'usersPerEvent', 'largestEvent', 'imbalanceFinal', 'imbalanceMean', 'crossPairs', 'distinctUsersMoved'];
/** An LB scenario with a `world:` (players who join, leave and move): totals of the world in time. */
const WORLD_METRICS: Array<keyof WorldTotals> = [
  'handoffsPerPlayerHour', 'migrationsPerPlayerHour', 'usersPerEvent', 'imbalanceMean', 'maxOverMean', 'aboveCapacity', 'crossPairsMean', 'crossPairsPerPlayer',
  'handoffs', 'migratedUsers', 'migrationEvents', 'joins', 'leaves', 'peakOnline', 'playerHours',
];

/** A one-world scenario: the world's totals and the one world's. */
const OW_METRICS: Array<keyof OneWorldTotals> = [
  'lostPerPlayerHour', 'plannedPerPlayerHour', 'lostPlayerSeconds', 'plannedLostPlayerSeconds', 'crashes', 'cascades', 'playersPerCrash', 'detectionMean', 'recoveryMean',
  'balancedMean', 'peakOverCapacity', 'reconnectBurst', 'failoverMigrations', 'failbackMigrations', 'handoffsNormal', 'handoffsFailover', 'overloadedPlayerSeconds', 'tickMean', 'tickMax', 'crossPairsNormal', 'crossPairsFailover',
];

/** The module URL a worker imports to find the experiment of the scenario at `path`. */
export function scenarioModule(path: string): string {
  const u = new URL(import.meta.url);
  u.search = `?scenario=${encodeURIComponent(resolve(path))}`;
  return u.href;
}

/** The experiment that runs a loaded scenario. */
export function scenarioExperiment(scenario: Scenario, axes: Axis[]): Experiment {
  // the scenario as given (meta.json records it); the sweep axes are the list parameters
  const params: Record<string, ParamSpec> = {
    scenario: { type: 'string', default: JSON.stringify(scenario), help: 'the scenario file as read (JSON)' },
  };
  for (const a of axes) params[a.label] = { type: typeof a.values[0] === 'number' ? 'number' : 'string', default: a.values, list: true, help: `sweep axis from the scenario file (${a.label})` };
  const ha = scenario.kind === 'ha';
  // the heartbeat schedule that runs, for meta.json (the scenario's own, or deferred: a scenario logs every message)
  if (ha && !('heartbeatEvents' in params))
    params.heartbeatEvents = { type: 'string', default: String(haRunOptions(scenario).heartbeatEvents), help: 'the heartbeat schedule this scenario runs (options.heartbeatEvents; by default deferred, as a scenario logs every message); the same results from each' };
  const timed = scenario.kind === 'lb' && scenario.world !== undefined;
  const one = isOneWorld(scenario);
  return {
    name: scenario.name,
    title: scenario.title ?? `Scenario ${scenario.name}`,
    description: scenario.description ?? `The ${ha ? 'HA' : 'LB'} scenario ${scenario.name}.`,
    seeds: scenario.seeds ?? 1,
    // every list in a scenario compares alternatives: each sees the same seed in a replicate
    paired: axes.map((a) => a.label),
    // microseconds of CPU per run, estimated before any run (the work budget refuses absurd ones)
    cost: (point) => scenarioWork(at(scenario, axes, point)),
    params,
    points(p) {
      const pts = cartesian(Object.fromEntries(Object.entries(p).filter(([k]) => k !== 'scenario' && !(k === 'heartbeatEvents' && !axes.some((a) => a.label === k)))));
      for (const pt of pts) checkModel(at(scenario, axes, pt));
      return pts;
    },
    keys: [],
    metrics: ha ? HA_METRICS : one ? [...OW_METRICS, ...WORLD_METRICS] : timed ? WORLD_METRICS : LB_METRICS,
    // units and meanings: the scenario's page and metrics.csv say them as the experiments' do
    metricInfo: ha ? HA_METRIC_INFO : one ? { ...WORLD_METRIC_INFO, ...OW_METRIC_INFO } : timed ? WORLD_METRIC_INFO : LB_METRIC_INFO,
    run: (point, seed) =>
      ha ? runHa(at(scenario as HaScenario, axes, point), seed)
      : one ? runOne(at(scenario as LbScenario, axes, point), seed)
      : timed ? runTimed(at(scenario as LbScenario, axes, point), seed)
      : runLb(at(scenario as LbScenario, axes, point), seed),
    charts: (data) =>
      ha ? haCharts(data.tables.timeline ?? [], data.runs[0], [(scenario as HaScenario).duration].flat()[0], axes)
      : one ? [...worldCharts(data.tables.series ?? [], data.runs[0], axes), ...serviceCharts(data.tables.series ?? [], data.runs[0], axes)]
      : timed ? worldCharts(data.tables.series ?? [], data.runs[0], axes)
      : lbCharts(data.summary, axes, (scenario as LbScenario).scheme ?? 'user-centric'),
    files: (data): Record<string, string> => {
      if (!timed || !(scenario as LbScenario).replay) return {};
      const lb = scenario as LbScenario;
      return { 'replay.html': scenarioReplay(at(lb, axes, {}), firstRuns(data.runs, axes.map((a) => a.label), String(lb.scheme ?? 'user-centric'))) };
    },
  };
}

/** A run's work in microseconds of CPU, roughly (see Experiment.cost). */
export function scenarioWork(s: Scenario): number {
  if (s.kind === 'ha') return haWork(makeConfig(haRunOptions(s) as never), s.duration);
  const o = resolveOptions((s.options ?? {}) as never);
  if (!s.world) return 300 * o.users;
  const w = resolveWorld(s.world as never);
  const players = Math.max(o.users, w.initialPlayers, w.joins === 'poisson' ? w.joinRate * w.duration : 0);
  // every step moves every player; every sample counts the pairs near each player (twice in the one world); the cluster's heartbeats
  const one = isOneWorld(s);
  const cluster = one ? haWork(makeConfig({ nodes: Math.min(64, o.servers + 1), services: 0, ...Object.fromEntries(Object.entries(s.ha ?? {}).filter(([k]) => !['nodes', 'services'].includes(k))) } as never), w.duration) : 0;
  return 0.5 * players * (w.duration / w.step) + (one ? 4 : 2) * players * (w.duration / w.sampleEvery) + cluster;
}

function runHa(s: HaScenario, seed: number) {
  const { cluster, result } = simulate(haRunOptions(s) as never, seed, s.duration, (c) => {
    for (const l of s.links ?? []) c.configureLink(l.a, l.b, l);
    for (const f of s.faults ?? []) c.at(f.at, f);
  });
  const lat = result.detections.filter((d) => d.clean).map((d) => d.latency);
  const rows: Row[] = [{
    availability: result.availability,
    downtime: result.downtime,
    dualActiveTime: result.dualActiveTime,
    incidents: result.incidents.length,
    detections: lat.length,
    meanDetection: lat.length ? lat.reduce((a, b) => a + b, 0) / lat.length : NaN,
    mistakes: result.mistakes,
    falseTakeovers: result.falseTakeovers,
    declarations: result.declarations,
    hbMessages: result.hbMessages,
    protocolMessages: result.protocolMessages,
    lost: result.messagesLost,
  }];
  const incidents: Row[] = result.incidents.map((i) => ({
    node: cluster.names[i.node], crash: i.crash, detected: i.detected, failoverDone: i.failoverDone, serviceBack: i.serviceBack, repaired: i.repaired, failback: i.failback,
    services: i.services.map((x) => 's' + x).join(' '),
  }));
  // protocol messages only: heartbeats would fill the table (their counts are in the rows)
  const messages = cluster.messages.filter((m) => !m.type.startsWith('HEART_BEAT')) as unknown as Row[];
  const tables: Record<string, Row[]> = { incidents, messages, timeline: cluster.timeline as unknown as Row[] };
  if (result.notes.length) tables.notes = result.notes.map((note) => ({ note }));
  return { rows, tables };
}

function runLb(s: LbScenario, seed: number) {
  const scheme = s.scheme ?? 'user-centric';
  const r = runScheme(scheme, (s.options ?? {}) as never, seed);
  const t = r.total as unknown as Record<string, number>;
  const rows: Row[] = [Object.fromEntries(LB_METRICS.map((m) => [m, t[m]]))];
  const buckets: Row[] = r.buckets.map((b) => ({ scheme, ...(b as unknown as Row) }));
  const loads: Row[] = [...r.world.loads].map((users, server) => ({ scheme, server, users }));
  return { rows, tables: { buckets, loads } };
}

function runTimed(s: LbScenario, seed: number) {
  const scheme = s.scheme ?? 'user-centric';
  const r = runWorld(scheme, (s.options ?? {}) as never, (s.world ?? {}) as never, seed);
  const rows: Row[] = [Object.fromEntries(WORLD_METRICS.map((m) => [m, r.totals[m]]))];
  // the time series, one row per sample (loads per server as max and mean)
  const series: Row[] = r.samples.map(({ loads: _, ...x }) => ({ scheme, ...x }));
  const spots: Row[] = r.spots.map((x) => ({ scheme, ...x }));
  return { rows, tables: { series, spots } };
}

function runOne(s: LbScenario, seed: number) {
  const scheme = s.scheme ?? 'user-centric';
  const r = runOneWorld(scheme, (s.options ?? {}) as never, (s.world ?? {}) as never, (s.ha ?? {}) as never, (s.oneWorld ?? {}) as never, seed, s.faults ?? []);
  const rows: Row[] = [{ ...Object.fromEntries(OW_METRICS.map((m) => [m, r.totals[m]])), ...Object.fromEntries(WORLD_METRICS.map((m) => [m, r.world.totals[m]])) }];
  // the world's samples and the one world's at the same times, one row each
  const byT = new Map(r.samples.map((x) => [x.t, x]));
  const series: Row[] = r.world.samples.map(({ loads: _, ...x }) => {
    const o = byT.get(x.t);
    return { scheme, ...x, unserved: o?.unserved ?? NaN, lostPlayerSeconds: o?.lost ?? NaN, maxNodeLoad: o?.maxNodeLoad ?? NaN, crossNodePairs: o?.crossNodePairs ?? NaN, allAtHome: o?.normal ?? true };
  });
  const incidents: Row[] = r.incidents.map((x) => ({ scheme, node: x.node, crash: x.t, cascade: x.cascade, regions: x.regions.join(' '), players: x.players, detection: x.detection, recovery: x.recovery, peakOverCapacity: x.peakOver, balanced: x.balanced }));
  return { rows, tables: { series, spots: r.world.spots.map((x) => ({ scheme, ...x })), incidents } };
}

/** Players without service and the busiest node over time (the one world), one line per scheme. */
function serviceCharts(series: Row[], first: Row | undefined, axes: Axis[]): ChartSpec[] {
  if (!first) return [];
  // one line per scheme, or per value of the first axis when the schemes are not swept (e.g. the fail-over policy)
  const key = axes.some((a) => a.label === 'scheme') || axes.length === 0 ? 'scheme' : axes[0].label;
  const at = series.filter((r) => r.replicate === first.replicate && axes.every((a) => a.label === key || r[a.label] === first[a.label]));
  const end = Math.max(...at.map((r) => Number(r.t)));
  const values = at.flatMap((r) => [
    { line: r[key], t: r.t, v: r.unserved, panel: 'players without service' },
    { line: r[key], t: r.t, v: r.maxNodeLoad, panel: 'players on the busiest node' },
  ]);
  return [{
    name: 'service',
    title: 'Players without service, and the busiest node',
    caption: 'The one world at the first sweep point (first replicate; one line per value of the first sweep axis), every sampleEvery seconds: players without service (their region\'s server down, or not yet reconnected) and the players on the most loaded node (a take-over node carries its own regions and the failed one\'s). incidents.csv has each crash: players cut off, detection, recovery, the peak load over capacity.',
    spec: {
      $schema: VEGA,
      data: { values },
      facet: { row: { field: 'panel', type: 'nominal', title: null, sort: ['players without service', 'players on the busiest node'] } },
      resolve: { scale: { y: 'independent' } },
      spec: {
        width: 560,
        height: 140,
        mark: { type: 'line', interpolate: 'step-after' },
        encoding: {
          x: { field: 't', type: 'quantitative', title: 'time (s)', scale: { domain: [0, end], nice: false } },
          y: { field: 'v', type: 'quantitative', title: null },
          color: key === 'scheme' ? schemeColor(values, 'line', 'scheme') : { field: 'line', type: 'nominal', title: key },
        },
      },
    },
  }];
}

/** Max, mean and min server load over time, one line per scheme, for the first sweep point and seed. */
function worldCharts(series: Row[], first: Row | undefined, axes: Axis[]): ChartSpec[] {
  if (!first) return [];
  // each scheme's run of the first replicate (the runs of one replicate share a seed stream per point, not a seed)
  const at = series.filter((r) => r.replicate === first.replicate && axes.every((a) => a.label === 'scheme' || r[a.label] === first[a.label]));
  const end = Math.max(...at.map((r) => Number(r.t)));
  const values = at.flatMap((r) => (['maxLoad', 'meanLoad', 'minLoad'] as const).map((k) => ({ scheme: r.scheme, t: r.t, load: r[k], measure: k.replace('Load', '') })));
  return [{
    name: 'loads',
    title: 'Server loads over time',
    caption: 'Players on the most and least loaded server and the mean, sampled every sampleEvery seconds, for each scheme at the first sweep point (first replicate). series.csv has every sample (hand-offs, migrations, cross-server pairs), spots.csv the hot spots.',
    spec: {
      $schema: VEGA,
      width: 560,
      height: 240,
      data: { values },
      mark: { type: 'line' },
      encoding: {
        x: { field: 't', type: 'quantitative', title: 'time (s)', scale: { domain: [0, end], nice: false } },
        y: { field: 'load', type: 'quantitative', title: 'players on a server' },
        color: schemeColor(values, 'scheme', 'scheme'),
        strokeDash: { field: 'measure', type: 'nominal', title: 'server', sort: ['max', 'mean', 'min'], legend: { symbolSize: 900, symbolStrokeWidth: 2, symbolStrokeColor: '#444' } },
      },
    },
  }];
}

/** Node states and service holders over the run of the first point and seed. */
function haCharts(timeline: Row[], first: Row | undefined, duration: number, axes: Axis[]): ChartSpec[] {
  if (!first) return [];
  // the first run: its sweep point (the axes) and replicate
  const tl = timeline.filter((r) => r.seed === first.seed && r.replicate === first.replicate && axes.every((a) => r[a.label] === first[a.label]));
  const end = Number.isFinite(Number(first.duration)) ? Number(first.duration) : duration;
  const { lanes, segments: segs } = timelineSegments(tl, end);
  // colours by meaning, as in the failover experiment (output/timeline.ts); the outage a pale red band over the service's lane
  const y = { field: 'lane', type: 'nominal', title: null, sort: lanes, scale: { domain: lanes } };
  const x = { field: 'from', type: 'quantitative', title: 'time (s)', scale: { domain: [0, end], nice: false } };
  const tooltip = [{ field: 'lane' }, { field: 'state' }, { field: 'from' }, { field: 'to' }];
  const bars = (kind: string, title: string, scale: { domain: string[]; range: string[] }) => ({
    data: { values: segs.filter((r) => r.kind === kind) },
    mark: { type: 'bar' },
    encoding: { y, x, x2: { field: 'to' }, color: { field: 'state', type: 'nominal', title, scale, legend: { columns: 3 } }, tooltip },
  });
  return [{
    name: 'timeline',
    title: 'Nodes and services over the run',
    caption:
      'State of every node and holder of every service (first sweep point, first seed): one bar per state, time in seconds. A node up is green, ' +
      'crashed red, paused purple, its steps back to service amber; a service running is a cool hue per node, magenta while two nodes run it (split brain), its outage warm ("-" = nobody runs ' +
      'it, red; "(starting)" orange; "(stopping)" pink), and the outage is also a pale red band behind the lanes. The full record is timeline.csv; ' +
      'protocol messages are in messages.csv, incidents in incidents.csv.',
    spec: {
      $schema: VEGA,
      width: 640,
      height: { step: 22 },
      layer: [
        { data: { values: outages(segs) }, mark: { type: 'rect', color: '#d62728', opacity: 0.1 }, encoding: { x, x2: { field: 'to' } } },
        bars('node', 'node state', nodeStateScale(segs.filter((r) => r.kind === 'node').map((r) => String(r.state)))),
        bars('service', 'service runs on', holderScale(segs.filter((r) => r.kind === 'service').map((r) => String(r.state)))),
      ],
      resolve: { scale: { color: 'independent' } },
    },
  }];
}

function lbCharts(summary: Row[], axes: Axis[], scheme: string): ChartSpec[] {
  const values: Row[] = summary.filter((r) => r.metric === 'migratedUsers').map((r) => ({ scheme, ...r }));
  const other = axes.find((a) => a.label !== 'scheme');
  return [{
    name: 'migrations',
    title: 'Migrated users per run',
    caption: 'Users moved between servers by rebalancing, mean over seeds with its 95% interval (bars end at zero when the interval does).',
    spec: {
      $schema: VEGA,
      data: { values: values.map((r) => ({ ...r, lo: Math.max(0, Number(r.ci95_low)), hi: Number(r.ci95_high) })) },
      width: 320,
      height: 220,
      layer: [
        { mark: { type: 'bar' }, encoding: { x: { field: other ? other.label : 'scheme', type: 'nominal' }, xOffset: other ? { field: 'scheme' } : undefined, y: { field: 'mean', type: 'quantitative', title: 'migrated users' }, color: schemeColor(values, 'scheme', 'scheme') } },
        { mark: { type: 'rule' }, encoding: { x: { field: other ? other.label : 'scheme', type: 'nominal' }, xOffset: other ? { field: 'scheme' } : undefined, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } } },
      ],
    },
  }];
}

// ---- in a worker: the scenario named in this module's query string ----
const file = new URL(import.meta.url).searchParams.get('scenario');
export const experiments: Experiment[] = file ? (() => {
  const { scenario, axes } = loadScenario(file);
  return [scenarioExperiment(scenario, axes)];
})() : [];
