/**
 * `gamesim tune`: from a measured channel (a trace: replayed as measured, or
 * a model fitted to it) and a target for wrong suspicions, the fastest
 * setting of each failure detector that meets the target, and how sure that
 * is. Each detector's knob is swept (20 settings); each setting runs a pair
 * of nodes on the channel for enough pair-days that no mistake at all would
 * bound the rate below the target at 95% (the rule of three), stopped early
 * once its mistakes rule the target out; a second, short run with frequent
 * crashes measures the detection time. The serial line of the HA model is cut: one
 * network, as Akka, Cassandra and Kubernetes have.
 */
import { resolve } from 'node:path';
import type { ChartSpec, Experiment, Point, Row } from '../src/runner/experiment.ts';
import { HA_OPTIONS, HaCluster, makeConfig, simulate, type HaConfig } from '../src/models/ha/index.ts';
import { loadScenario } from '../src/scenario/load.ts';
import { Sim } from '../src/kernel/sim.ts';
import { Streams } from '../src/kernel/random.ts';
import { loadHeartbeatTrace, traceSummary, TRACE_FORMATS } from '../src/traces/heartbeat.ts';
import { fitChannel } from '../src/traces/fit.ts';
import { poissonUpper } from '../src/traces/bounds.ts';
import { toCsv } from '../src/output/csv.ts';
import { DETECTOR_COLORS, fixedColor } from './ha-colors.ts';
import { VEGA, haWork, quantile } from './ha-common.ts';

const DAY = 86400;
const DETECTORS = ['timeout', 'phi-akka', 'phi-cassandra', 'adaptive'] as const;
type Det = (typeof DETECTORS)[number];

/** Each detector's knob: its values (n of them, fastest first is not implied) and its configuration. */
const KNOBS: Record<Det, { knob: string; values: (n: number) => number[]; config: (v: number, h: number) => Partial<HaConfig>; words: (v: number, h: number) => string }> = {
  timeout: {
    knob: 'T/h',
    // k + 0.5 heartbeats (T never falls on a heartbeat), k from 1 to 60 spaced about evenly on a log scale
    values: (n) => {
      const top = Math.max(60, n);
      for (let m = n; ; m++) {
        const ks = [...new Set(geometric(1, top, m).map(Math.round))];
        if (ks.length >= n) return (n === 1 ? [ks[0]] : Array.from({ length: n }, (_, i) => ks[Math.round((i * (ks.length - 1)) / (n - 1))])).map((k) => k + 0.5);
      }
    },
    config: (v, h) => ({ detector: 'timeout', timeout: v * h, retries: 0 }),
    words: (v, h) => `timeout ${fmt(v * h)} s; Kubernetes-style: periodSeconds ${fmt(h)}, failureThreshold ${Math.ceil(v)} (grace ${fmt(Math.ceil(v) * h)} s); keepalived/VRRP: advert_int ${fmt((v * h) / 3)} s (master down after 3 adverts)`,
  },
  'phi-akka': {
    // what Akka users tune: the acceptable pause, the threshold at its default 8
    knob: 'pause (s)',
    values: (n) => geometric(0.1, 30, n),
    config: (v, h) => ({ detector: 'phi', phiForm: 'normal', phiThreshold: 8, phiPause: v, phiMinStd: 0.1, phiFirst: h }),
    words: (v, h) => `Akka: acceptable-heartbeat-pause = ${fmt(v)} s, threshold = 8, heartbeat-interval = ${fmt(h)} s, min-std-deviation = 100 ms`,
  },
  'phi-cassandra': {
    knob: 'phi',
    values: (n) => geometric(0.5, 24, n),
    config: (v, h) => ({ detector: 'phi', phiForm: 'exponential', phiThreshold: v, phiFirst: 2 * h, phiMaxInterval: 2 * h }),
    words: (v) => `Cassandra: phi_convict_threshold: ${fmt(v)}`,
  },
  adaptive: {
    knob: 'alpha',
    values: (n) => geometric(0.02, 40, n),
    config: (v) => ({ detector: 'adaptive', adaptiveAlpha: v }),
    words: (v) => `Chen-Toueg-Aguilera NFD-E: safety margin alpha = ${fmt(v)} s (window 1000)`,
  },
};

function geometric(lo: number, hi: number, n: number): number[] {
  if (n === 1) return [lo];
  return Array.from({ length: n }, (_, i) => +(lo * (hi / lo) ** (i / (n - 1))).toPrecision(3));
}

function fmt(x: number): string {
  return String(+x.toPrecision(3));
}

/** A channel: the HA options that make it, its heartbeat interval, and for a replayed trace its length (its loops add no evidence). */
interface Channel {
  over: Partial<HaConfig>;
  h: number;
  traceDays: number;
  replay: boolean;
}

const channels = new Map<string, Channel>();

/** The channel of the points: the trace replayed, or the fitted model's options (fitted once per thread). */
function channel(p: Point): Channel {
  const key = JSON.stringify([p.trace, p.format, p.mode, p.interval, p.scenario]);
  let c = channels.get(key);
  if (!c) channels.set(key, (c = channelOf(p)));
  return c;
}

function channelOf(p: Point): Channel {
  if (p.scenario) return scenarioChannel(String(p.scenario), p.interval as number);
  const path = resolve(String(p.trace));
  const t = loadHeartbeatTrace(path, p.format as never);
  const s = traceSummary(t);
  const h = (p.interval as number) > 0 ? (p.interval as number) : +s.interval.toFixed(3);
  const traceDays = (t.send[t.send.length - 1] - t.send[0] + h) / DAY;
  const use = p.mode === 'replay' ? 'replay' : 'fit';
  return { over: { lossModel: 'trace', latencyModel: 'trace', netTrace: path, traceFormat: p.format as HaConfig['traceFormat'], traceEnd: 'loop', traceUse: use }, h, traceDays, replay: use === 'replay' };
}

/**
 * The channel of an HA scenario file: its options of the channel group
 * (latency and loss models and their knobs, traces) and its heartbeat
 * interval; a sweep (a list) is refused.
 */
function scenarioChannel(file: string, interval: number): Channel {
  const { scenario } = loadScenario(file);
  if (scenario.kind !== 'ha') throw new Error(`scenario ${file}: tune takes the channel of an HA scenario (kind: ha)`);
  const opts = scenario.options ?? {};
  const over: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(opts)) {
    if ((HA_OPTIONS as Record<string, { group?: string }>)[k]?.group !== 'channels') continue;
    if (Array.isArray(v)) throw new Error(`scenario ${file}: options.${k} is a sweep; tune takes one channel`);
    over[k] = v;
  }
  const h = interval > 0 ? interval : Number(opts.interval ?? HA_OPTIONS.interval.default);
  // a replayed trace: its length is the evidence, as in replay mode
  const cfg = makeConfig(over as Partial<HaConfig>);
  if (cfg.lossModel === 'trace' && cfg.traceUse === 'replay' && cfg.netTrace) {
    const t = loadHeartbeatTrace(cfg.netTrace, cfg.traceFormat);
    return { over: over as Partial<HaConfig>, h, traceDays: (t.send[t.send.length - 1] - t.send[0] + h) / DAY, replay: true };
  }
  return { over: over as Partial<HaConfig>, h, traceDays: Infinity, replay: false };
}

/** Mistakes per pair-day the target allows. */
function targetRate(p: Point): number {
  return (p.tmr as number) > 0 ? DAY / (p.tmr as number) : (p.mistakes as number) / (p.perDays as number);
}

/** Pair-days to simulate: enough that no mistake bounds the rate below the target at 95%, with a quarter more. */
function pairDays(p: Point): number {
  return (p.pairDays as number) > 0 ? (p.pairDays as number) : (1.25 * poissonUpper(0)) / targetRate(p);
}

/** A point's pair: no crashes (the mistake run), or crashes every `crashEvery` s (the detection run). */
function configFor(p: Point, crashes = false): HaConfig {
  const { over, h } = channel(p);
  return makeConfig({ interval: h, mtbf: crashes ? (p.crashEvery as number) : 0, mttr: 60, ...over, serialLoss: 0, ...KNOBS[p.detector as Det].config(p.knobValue as number, h) });
}

/**
 * The mistake run: two nodes watching each other on the channel, no crash,
 * for the pair-days the target needs, stopped early once it has seen so many
 * wrong suspicions that it cannot meet the target (and at least 20, for the
 * chart's bound). Returns the HA result.
 */
function mistakeRun(p: Point, seed: number) {
  const cfg = configFor(p);
  const sim = new Sim();
  const c = new HaCluster(sim, new Streams(seed), cfg);
  c.cut(0, 1, 'serial');
  let wrong = 0;
  c.signals.on('suspected', (_i, j) => {
    if (!c.crashed[j]) wrong++;
  });
  const planned = pairDays(p), end = (planned * DAY) / 2;
  let stopAt = 20;
  while (poissonUpper(stopAt) / planned <= targetRate(p)) stopAt++;
  for (let t = Math.min(end, DAY / 4); ; t = Math.min(end, t + DAY / 4)) {
    sim.run(t);
    if (t >= end || wrong >= stopAt) break;
  }
  return c.finish();
}

export const tune: Experiment = {
  name: 'tune',
  title: 'Tune a failure detector to a measured channel',
  description:
    'For a channel measured as a trace (CSV seq,send,receive; Linux ping -D; RIPE Atlas ping JSON: docs/traces.md), replayed or fitted (an empirical latency ' +
    'and a Gilbert-Elliott burst-loss model), and a target for wrong suspicions (at most `mistakes` per watching pair per `perDays` days, or a mistake ' +
    'recurrence time T_MR of at least `tmr` s): the fastest setting of each detector that meets it, with the simulated pair-days behind it and the 95% upper ' +
    'bound of its mistake rate (rule of three when none was seen).',
  seeds: 1,
  // it tunes to a trace: run by name (npm run results runs it on the example trace)
  outsideAll: true,
  paired: ['detector', 'knob', 'knobValue'],
  params: {
    trace: { type: 'string', default: 'examples/traces/lan-bursty.csv', help: 'the measured trace (a file)' },
    scenario: { type: 'string', default: '', help: "the channel of an HA scenario file instead (its channel options: latency and loss models, their knobs, traces; '' none)" },
    format: { type: 'enum', default: 'auto', choices: ['auto', ...TRACE_FORMATS], help: "the trace's form ('auto': JSON is RIPE Atlas, icmp_seq= is ping, else CSV)" },
    mode: { type: 'enum', default: 'fit', choices: ['fit', 'replay'], help: "'fit': run a model fitted to the trace (as many pair-days as the target needs); 'replay': the trace itself, looped (the evidence is then the trace's own length)" },
    mistakes: { type: 'number', default: 1, greaterThan: 0, help: 'target: at most this many wrong suspicions per watching pair ...' },
    perDays: { type: 'number', default: 30, greaterThan: 0, help: '... per this many days' },
    tmr: { type: 'number', default: 0, min: 0, help: 'target instead: a mean time between wrong suspicions (T_MR) of at least this (s; 0: use mistakes per perDays)' },
    detector: { type: 'enum', default: [...DETECTORS], choices: DETECTORS, list: true, help: 'detectors to tune' },
    settings: { type: 'integer', default: 20, min: 1, max: 200, help: "settings of each detector's knob tried (T/h 1.5, 2.5, ... up to 60.5; pauses, thresholds and alphas spaced evenly on a log scale)" },
    values: { type: 'string', default: '', help: "the knob's values to try instead, ';'-separated (with one detector: T/h, pause in s, phi threshold or alpha in s)" },
    interval: { type: 'number', default: 0, min: 0, help: "heartbeat interval h (s; 0: the trace's own send interval)" },
    pairDays: { type: 'number', default: 0, min: 0, help: 'simulated watching-pair-days per setting (0: enough that no mistake bounds the target at 95%, times 1.25)' },
    crashEvery: { type: 'number', default: 600, greaterThan: 0, help: 'the detection run: mean time between crashes per node (s; repaired after 60 s)' },
    detectDays: { type: 'number', default: 2, greaterThan: 0, help: 'the detection run: simulated days (its crashes give the detection time)' },
  },
  points(params): Point[] {
    const scalars: Point = {};
    for (const [k, v] of Object.entries(params)) if (!Array.isArray(v)) scalars[k] = v;
    const out: Point[] = [];
    const given = String(params.values).split(/[;\s]+/).filter(Boolean).map(Number);
    if (given.some((v) => !(Number.isFinite(v) && v > 0))) throw new Error(`values: '${params.values}' is not a list of positive numbers (';'-separated)`);
    for (const detector of params.detector as Det[])
      for (const knobValue of given.length ? given : KNOBS[detector].values(params.settings as number)) out.push({ ...scalars, detector, knob: KNOBS[detector].knob, knobValue });
    if (out.length) configFor(out[0]);
    return out;
  },
  cost: (p) => haWork(configFor(p), (pairDays(p) * DAY) / 2) + haWork(configFor(p, true), (p.detectDays as number) * DAY),
  keys: [],
  metrics: ['T_D', 'T_D_p99', 'detections', 'mistakes', 'pairDays', 'evidenceDays', 'ratePer30Days', 'rateUpperPer30Days', 'T_MR_lowerDays', 'P_A', 'meets'],
  metricInfo: {
    T_D: { unit: 's', meaning: 'mean time from a crash to its declaration' },
    T_D_p99: { unit: 's', meaning: '99th percentile of the detection time' },
    detections: { unit: 'count', meaning: 'crashes detected (the sample behind T_D)' },
    mistakes: { unit: 'count', meaning: 'wrong suspicions of a running node' },
    pairDays: { unit: 'pair-days', meaning: 'simulated time with a watching pair on a running node' },
    evidenceDays: { unit: 'pair-days', meaning: 'pair-days the bound rests on: the simulated ones (fit), or the trace\'s own length (replay: a loop repeats it)' },
    ratePer30Days: { unit: '1/(pair 30 days)', meaning: 'wrong suspicions per watching pair per 30 days, as measured' },
    rateUpperPer30Days: { unit: '1/(pair 30 days)', meaning: '95% upper bound of the same (Poisson; the rule of three with none)' },
    T_MR_lowerDays: { unit: 'days', meaning: 'the 95% lower bound of the mean time between wrong suspicions' },
    P_A: { unit: 'ratio', meaning: "query accuracy: the share of the time a running node is trusted", range: [0, 1] },
    meets: { unit: '0/1', meaning: 'the upper bound meets the target' },
  },
  mainMetrics: ['T_D', 'rateUpperPer30Days', 'meets'],
  run(point, seed) {
    const { traceDays, replay } = channel(point);
    const { result: det } = simulate(configFor(point, true), seed, (point.detectDays as number) * DAY, (c) => c.cut(0, 1, 'serial'));
    const result = mistakeRun(point, seed);
    const lat = det.detections.filter((d) => d.clean).map((d) => d.latency).sort((a, b) => a - b);
    const days = result.observedTime / DAY;
    const evidence = replay ? Math.min(days, traceDays) : days;
    // in replay the loops repeat the trace: its mistakes per trace length, bounded by the trace's length
    const k = replay ? Math.round((result.mistakes * evidence) / Math.max(days, 1e-12)) : result.mistakes;
    const upper = evidence > 0 ? poissonUpper(k) / evidence : Infinity;
    const row: Row = {
      T_D: lat.length ? lat.reduce((a, b) => a + b, 0) / lat.length : NaN,
      T_D_p99: quantile(lat, 0.99),
      detections: lat.length,
      mistakes: result.mistakes,
      pairDays: days,
      evidenceDays: evidence,
      ratePer30Days: days > 0 ? (result.mistakes / days) * 30 : NaN,
      rateUpperPer30Days: upper * 30,
      T_MR_lowerDays: 1 / upper,
      P_A: result.queryAccuracy,
      meets: upper <= targetRate(point) * (1 + 1e-12) ? 1 : 0,
    };
    return { rows: [row] };
  },
  charts(data) {
    const target = targetRate(data.params as unknown as Point) * 30;
    const pts = data.runs.map((r) => ({ detector: r.detector, knobValue: r.knobValue, T_D: Number(r.T_D), upper: Math.max(1e-3, Number(r.rateUpperPer30Days)), mistakes: Number(r.mistakes), meets: Number(r.meets) === 1 }));
    const rec = new Set(recommend(data.runs, data.params as unknown as Point).map((r) => `${r.detector}|${r.knobValue}`));
    const color = fixedColor('detector', 'detector', [...DETECTORS], (v) => DETECTOR_COLORS[v]);
    const x = { field: 'T_D', type: 'quantitative', title: 'mean detection time T_D (s, log)', scale: { type: 'log' }, axis: { values: [0.1, 0.3, 1, 3, 10, 30, 100, 300], format: '~g' } };
    const y = { field: 'upper', type: 'quantitative', title: 'wrong suspicions / pair / 30 days (95% bound)', scale: { type: 'log' }, axis: { values: [0.01, 0.1, 1, 10, 100, 1000, 10000, 100000, 1e6], format: '~s' } };
    const frontier: ChartSpec = {
      name: 'frontier',
      title: 'Detection time against the bound on wrong suspicions',
      caption:
        `Each point is one setting of a detector's knob on the ${data.params.mode === 'replay' ? 'replayed trace' : 'model fitted to the trace'}: its mean detection time and the 95% upper ` +
        `bound of its wrong suspicions per watching pair per 30 days (a setting with none seen sits at the rule of three's bound). Dashed: the target (${fmt(target)} per 30 days); ` +
        'below it is good enough, left is faster. Ringed: the recommended setting of each detector (recommendation.csv, in the words of the systems people run).',
      spec: {
        $schema: VEGA,
        width: 520,
        height: 300,
        data: { values: pts.map((p) => ({ ...p, recommended: rec.has(`${p.detector}|${p.knobValue}`) })) },
        layer: [
          { data: { values: [{ y: target }] }, mark: { type: 'rule', strokeDash: [5, 3], color: '#444' }, encoding: { y: { field: 'y', type: 'quantitative' } } },
          { mark: { type: 'line', point: { filled: true, size: 30 } }, encoding: { x, y, color, order: { field: 'knobValue' }, tooltip: [{ field: 'detector' }, { field: 'knobValue' }, { field: 'T_D', format: '.2f' }, { field: 'upper', format: '.3g' }, { field: 'mistakes' }] } },
          { transform: [{ filter: 'datum.recommended' }], mark: { type: 'point', size: 260, strokeWidth: 2, filled: false }, encoding: { x, y, color } },
        ],
      },
    };
    return [frontier];
  },
  files(data) {
    const rec = recommend(data.runs, data.params as unknown as Point);
    const rows: Row[] = rec.map((r) => ({ ...r, setting: r.knobValue, inTheirWords: r.words }));
    const csv = toCsv(rows, ['detector', 'knob', 'setting', 'T_D', 'T_D_p99', 'mistakes', 'evidenceDays', 'rateUpperPer30Days', 'T_MR_lowerDays', 'P_A', 'inTheirWords']);
    const files: Record<string, string> = { 'recommendation.csv': csv, 'recommendation.md': recommendationText(data.params as unknown as Point, data.runs).join('\n') + '\n' };
    // the fit and its quality (also in replay mode: how well a model would stand in for the trace)
    const p = data.params as unknown as Point;
    if (p.scenario) return files;
    const fit = fitChannel(loadHeartbeatTrace(resolve(String(p.trace)), p.format as never));
    const ge = fit.gilbertElliott;
    files['fit.md'] =
      [
        `trace: ${p.trace}; ${fit.fitCopies.toLocaleString('en-US')} messages read by the loss fit; loss rate ${fmt(fit.lossRate)}`,
        ge
          ? `loss: Gilbert-Elliott (likelihood-ratio test against independent losses passed): mean bad run ${fmt(ge.burstLength)} copies, ${fmt(ge.burstLoss)} lost in a bad run, ${fmt(ge.goodLoss)} in a good one (${ge.iterations} Baum-Welch rounds)`
          : 'loss: independent (Bernoulli) at the rate: a Gilbert-Elliott model does not fit better (likelihood-ratio test, 95%)',
        `latency: empirical, ${fit.latencyTable.length} quantiles; Kolmogorov-Smirnov distance to the trace's latencies ${fmt(fit.ks)}`,
        `loss runs (trace / model over as many copies): ${fit.runs.map((r) => `${r.length}: ${r.trace} / ${r.model}`).join(', ')}; mean run ${fmt(fit.meanRun.trace)} / ${fmt(fit.meanRun.model)}`,
      ].join('\n') + '\n';
    return files;
  },
  report(data) {
    return recommendationText(data.params as unknown as Point, data.runs);
  },
};

interface Recommendation extends Row {
  words: string;
}

/** Per detector: the fastest setting (smallest mean T_D) whose bound meets the target; none when no setting does. */
export function recommend(runs: Row[], params: Point): Recommendation[] {
  const h = channel(params).h;
  const out: Recommendation[] = [];
  for (const d of DETECTORS) {
    const ok = runs.filter((r) => r.detector === d && Number(r.meets) === 1 && Number.isFinite(Number(r.T_D))).sort((a, b) => Number(a.T_D) - Number(b.T_D));
    if (!ok.length) continue;
    const r = ok[0];
    out.push({ ...r, words: KNOBS[d].words(Number(r.knobValue), h) });
  }
  return out;
}

function recommendationText(p: Point, runs: Row[]): string[] {
  const rec = recommend(runs, p);
  const target = (p.tmr as number) > 0 ? `T_MR >= ${fmt(p.tmr as number)} s` : `at most ${fmt(p.mistakes as number)} wrong suspicion(s) per watching pair per ${fmt(p.perDays as number)} days`;
  const lines = [`target: ${target}, at 95% confidence; channel: ${p.scenario ? `the channel of ${p.scenario}` : `${p.trace} (${p.mode === 'replay' ? 'replayed' : 'fitted model'})`}`];
  for (const d of p.detector as unknown as Det[]) {
    const r = rec.find((x) => x.detector === d);
    if (!r) {
      const seen = runs.filter((x) => x.detector === d);
      const ev = Math.max(0, ...seen.map((x) => Number(x.evidenceDays)));
      lines.push(`${d}: no setting meets the target${channel(p).replay && ev > 0 && poissonUpper(0) / ev > targetRate(p) ? ` (the trace covers ${fmt(ev)} pair-days: even no mistake bounds the rate only to ${fmt((poissonUpper(0) / ev) * 30)} per 30 days; use mode fit)` : ''}`);
      continue;
    }
    lines.push(
      `${d}: ${r.knob} = ${fmt(Number(r.knobValue))}: T_D ${fmt(Number(r.T_D))} s (p99 ${fmt(Number(r.T_D_p99))} s), ${r.mistakes} mistakes in ${fmt(Number(r.pairDays))} pair-days, ` +
        `bound ${fmt(Number(r.rateUpperPer30Days))} per 30 days (T_MR >= ${fmt(Number(r.T_MR_lowerDays))} days), P_A ${Number(r.P_A).toFixed(6)}; ${r.words}`,
    );
  }
  return lines;
}
