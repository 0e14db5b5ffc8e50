/**
 * The detector-quality frontier: which failure detector, at which setting,
 * gives fast detection without wrong suspicions, under loss, jitter, GC-like
 * pauses and starved observers. Each detector's knob is swept (the timeout
 * detector's T/h, phi's threshold, the adaptive detector's safety margin);
 * each point is a 2-node pair with random crashes, run for `duration`.
 * Detection time T_D against mistake recurrence time T_MR (Chen, Toueg and
 * Aguilera's measures), one line per detector, one panel per workload.
 */
import { DETECTOR_COLORS, fixedColor } from './ha-colors.ts';
import { HA_METRICS } from './ha-metrics.ts';
import type { ChartSpec, Experiment, Params, Point, Row } from '../src/runner/experiment.ts';
import { HA_OPTIONS, checkRecordBudget, makeConfig, simulate, type HaConfig } from '../src/models/ha/index.ts';
import { VEGA, haWork, quantile } from './ha-common.ts';

const DAY = 86400;

/** The named workloads: what differs from a quiet LAN with the model's defaults. */
export const WORKLOADS: Record<string, { about: string; over: Partial<HaConfig> }> = {
  lossless: { about: 'no loss, 0.1 ms jitter', over: {} },
  'loss 1%': { about: '1% loss on each channel', over: { netLoss: 0.01, serialLoss: 0.01 } },
  'loss 10%': { about: '10% loss on each channel', over: { netLoss: 0.1, serialLoss: 0.1 } },
  'bursty 1%': {
    about: '1% loss on each channel in bursts (Gilbert-Elliott: bursts of 10 copies on average, 90% lost in a burst)',
    over: { netLoss: 0.01, serialLoss: 0.01, lossModel: 'gilbert-elliott', burstLength: 10, burstLoss: 0.9 },
  },
  'bursty 10%': {
    about: '10% loss on each channel in bursts (Gilbert-Elliott: bursts of 10 copies, 90% lost in a burst)',
    over: { netLoss: 0.1, serialLoss: 0.1, lossModel: 'gilbert-elliott', burstLength: 10, burstLoss: 0.9 },
  },
  jitter: {
    about: 'net latency 50 +/- 50 ms, serial + 0-300 ms, 1.5 s latency spikes (mean 5 s) every 10 min per link',
    over: { netLatency: 0.05, netJitter: 0.05, serialJitter: 0.3, spikeMtb: 600, spikeMean: 5, spikeExtra: 1.5 },
  },
  'GC pauses': { about: 'each node pauses every 5 min on average, Pareto lengths (alpha 1.5, mean 1 s)', over: { pauseMtb: 300, pauseMean: 1, pauseDist: 'pareto', pauseShape: 1.5 } },
  'starved observer': { about: "each node's checks run late every 2 min on average, for 2 s (exponential)", over: { starveMtb: 120, starveMean: 2 } },
};
const WORKLOAD_NAMES = Object.keys(WORKLOADS);

/** The detectors compared, each with its knob; phi in Akka's and in Cassandra's form at their projects' other defaults. */
const DETECTORS: Record<string, { knob: string; unit: string; config: (v: number, h: number) => Partial<HaConfig> }> = {
  timeout: { knob: 'T/h', unit: '', config: (v, h) => ({ detector: 'timeout', timeout: v * h }) },
  'phi-akka': { knob: 'phi', unit: '', config: (v) => ({ detector: 'phi', phiForm: 'normal', phiThreshold: v, phiPause: 3, phiMinStd: 0.1, phiFirst: 1 }) },
  'phi-cassandra': { knob: 'phi', unit: '', config: (v) => ({ detector: 'phi', phiForm: 'exponential', phiThreshold: v, phiFirst: 2, phiMaxInterval: 2 }) },
  adaptive: { knob: 'alpha', unit: 's', config: (v) => ({ detector: 'adaptive', adaptiveAlpha: v }) },
};
const DETECTOR_NAMES = Object.keys(DETECTORS);

const numberList = (what: string) => (raw: string) => {
  const v = raw.split(/[;\s]+/).filter(Boolean).map(Number);
  if (!v.length || v.some((x) => !(Number.isFinite(x) && x > 0))) throw new Error(`'${raw}' is not a list of positive numbers (${what}; separate with ';')`);
  return v.join(';');
};

export const detectors: Experiment = {
  name: 'detectors',
  title: 'HA: failure detectors, detection time against mistakes (the quality frontier)',
  description:
    "Two nodes watch each other with heartbeats every h; the observed node crashes at random (mtbf, mttr). Each detector's knob is swept: " +
    "the paper's timeout detector (T/h, with R retries), phi-accrual in Akka's form (threshold; acceptable pause 3 s, min std 0.1 s) and in " +
    "Cassandra's (threshold), and Chen-Toueg-Aguilera's adaptive NFD-E (safety margin alpha). Under each workload: mean detection time T_D " +
    'of crashes against the mistake recurrence time T_MR (time between wrong suspicions of a running node), flaps (suspect -> trust) and false fail-overs.',
  seeds: 3,
  // every detector and setting sees the same crashes, losses and pauses in a replicate (common random numbers)
  paired: ['detector', 'knob', 'knobValue'],
  params: {
    workload: { type: 'enum', default: WORKLOAD_NAMES, list: true, choices: WORKLOAD_NAMES, help: `workloads: ${WORKLOAD_NAMES.map((w) => `'${w}' (${WORKLOADS[w].about})`).join('; ')}` },
    detector: { type: 'enum', default: DETECTOR_NAMES, list: true, choices: DETECTOR_NAMES, help: 'detectors to compare' },
    timeoutRatios: { type: 'string', default: '1.5;2.5;3.5;5.5;8.5;12.5', parse: numberList('T/h'), help: "timeout detector: T/h values (';'-separated; not whole numbers, so T never falls on a heartbeat)" },
    thresholds: { type: 'string', default: '0.5;1;2;4;8;16', parse: numberList('phi'), help: "phi detectors: thresholds (';'-separated)" },
    alphas: { type: 'string', default: '0.1;0.3;1;2;4;8', parse: numberList('alpha'), help: "adaptive detector: safety margins alpha in s (';'-separated)" },
    interval: { type: 'number', default: 1, greaterThan: 0, help: 'heartbeat interval h (s)' },
    retries: { type: 'integer', default: 0, min: 0, max: 10, help: 'timeout detector: probes R before declaring (0: declare after T)' },
    mtbf: { type: 'number', default: 3600, greaterThan: 0, help: 'mean time between crashes per node (s); short, to collect many detections' },
    mttr: { type: 'number', default: 60, greaterThan: 0, help: 'mean repair time (s)' },
    duration: { type: 'number', default: DAY, greaterThan: 0, help: 'simulated time per run (s)' },
    heartbeatEvents: { type: 'enum', default: HA_OPTIONS.heartbeatEvents.default, choices: HA_OPTIONS.heartbeatEvents.choices, help: HA_OPTIONS.heartbeatEvents.help },
  },
  points(params: Params): Point[] {
    const lists: Record<string, number[]> = {
      timeout: String(params.timeoutRatios).split(';').map(Number),
      'phi-akka': String(params.thresholds).split(';').map(Number),
      'phi-cassandra': String(params.thresholds).split(';').map(Number),
      adaptive: String(params.alphas).split(';').map(Number),
    };
    const scalars: Point = {};
    for (const [k, v] of Object.entries(params)) if (!Array.isArray(v)) scalars[k] = v;
    const out: Point[] = [];
    for (const workload of params.workload as string[])
      for (const detector of params.detector as string[])
        for (const knobValue of lists[detector]) out.push({ ...scalars, workload, detector, knob: DETECTORS[detector].knob, knobValue });
    // every configuration checked before any run
    for (const p of out) checkRecordBudget(configFor(p), p.duration as number);
    return out;
  },
  cost: (p) => haWork(configFor(p), Number(p.duration)),
  metricInfo: HA_METRICS,
  mainMetrics: ['T_D', 'T_MR_hours', 'mistakes', 'flapsPerNodeDay', 'falseFailoversPerDay'],
  keys: [],
  metrics: [
    'T_D', 'T_D_p99', 'detections', 'mistakes', 'observedHours', 'T_MR_hours', 'T_M', 'P_A', 'flapsPerNodeDay', 'falseDetectionsPerDay', 'falseFailoversPerDay',
  ],
  run(point, seed) {
    const cfg = configFor(point);
    const duration = point.duration as number;
    const { result } = simulate(cfg, seed, duration);
    const lat = result.detections.filter((d) => d.clean).map((d) => d.latency).sort((a, b) => a - b);
    const days = duration / DAY;
    const row: Row = {
      T_D: lat.length ? lat.reduce((a, b) => a + b, 0) / lat.length : NaN,
      T_D_p99: quantile(lat, 0.99),
      detections: lat.length,
      mistakes: result.mistakes,
      observedHours: result.observedTime / 3600,
      T_MR_hours: result.mistakeRecurrence / 3600,
      T_M: result.meanMistakeDuration,
      P_A: result.queryAccuracy,
      flapsPerNodeDay: result.flaps / (2 * days),
      falseDetectionsPerDay: result.observedTime > 0 ? (result.mistakes / result.observedTime) * DAY * 2 : NaN,
      falseFailoversPerDay: result.falseTakeovers / days,
    };
    return { rows: [row] };
  },
  charts(data) {
    const pts = frontier(data.runs);
    const color = fixedColor('detector', 'detector', DETECTOR_NAMES, (v) => DETECTOR_COLORS[v]);
    const x = { field: 'T_D', type: 'quantitative', title: 'mean detection time T_D (s, log)', scale: { type: 'log' }, axis: { values: [0.1, 0.3, 1, 3, 10, 30, 100], format: '~g' } };
    const yTmr = { field: 'T_MR_hours', type: 'quantitative', title: 'T_MR (hours, log)', scale: { type: 'log' }, axis: { values: [0.01, 0.1, 1, 10, 100, 1000], format: '~g' } };
    const tooltip = [{ field: 'detector' }, { field: 'knob' }, { field: 'knobValue' }, { field: 'T_D', format: '.2f' }, { field: 'T_MR_hours', format: '.3g' }, { field: 'mistakes' }];
    const facet = { field: 'workload', type: 'nominal', title: null, sort: WORKLOAD_NAMES, header: { labelFontSize: 12 } };
    // one panel per workload, two to a row (a page wide)
    const perWorkload = (height: number, panel: Record<string, unknown>, more: Record<string, unknown> = {}) =>
      ({ $schema: VEGA, data: { values: pts }, facet, columns: 2, spec: { width: 200, height, ...panel }, ...more });
    const frontierChart: ChartSpec = {
      name: 'frontier',
      title: 'Detection time against mistake recurrence, per workload',
      caption:
        "Each point is one setting of a detector's knob (T/h, phi threshold, alpha), pooled over seeds: T_D is the mean time from a crash to its " +
        'declaration (clean detections), T_MR the observed time with the target up divided by the wrong suspicions in it. Up and left is better. ' +
        'A hollow triangle marks a setting with no wrong suspicion in the whole run: its T_MR is at least the time shown.',
      spec: perWorkload(140, {
        layer: [
          { transform: [{ filter: 'datum.censored == false' }], mark: { type: 'line', point: { filled: true, size: 30 } }, encoding: { x, y: yTmr, color, order: { field: 'knobValue' }, tooltip } },
          { transform: [{ filter: 'datum.censored == true' }], mark: { type: 'point', shape: 'triangle-up', filled: false, size: 50 }, encoding: { x, y: yTmr, color, tooltip } },
        ],
      }, { resolve: { scale: { y: 'independent' } } }),
    };
    const flapsTop = 10 ** Math.max(1, Math.ceil(Math.log10(Math.max(1, ...pts.map((p) => Number(p.flapsPerNodeDay)).filter(Number.isFinite)) * 1.2)));
    const flapsChart: ChartSpec = {
      name: 'flaps',
      title: 'Flaps per node-day against detection time',
      caption:
        'A flap: a node suspected, then trusted again, while it ran all along (per node-day, mean over seeds). In this 2-node pair each flap of ' +
        'the standby about the active node is also a false fail-over (falseFailoversPerDay in the CSV). The y axis is symmetric-log so that zero shows.',
      // the y scale is shared and reaches the power of ten above the highest point (no marker cut at the top); every panel has its own labels
      spec: perWorkload(120, {
        mark: { type: 'line', point: { filled: true, size: 24 } },
        encoding: {
          x: { ...x, title: 'T_D (s, log)' },
          y: {
            field: 'flapsPerNodeDay', type: 'quantitative', title: 'flaps / node-day',
            scale: { type: 'symlog', domain: [0, flapsTop], nice: false },
            axis: { values: [0, 1, 10, 100, 1000, 10000, 100000].filter((v) => v <= flapsTop), format: ',d' },
          },
          color, order: { field: 'knobValue' }, tooltip: [...tooltip, { field: 'flapsPerNodeDay', format: '.2f' }],
        },
      }, { resolve: { axis: { y: 'independent' } } }),
    };
    return [frontierChart, flapsChart];
  },
  report(data) {
    const pts = frontier(data.runs);
    const lines = ['workload: for a mean detection time at most B, the setting with the longest T_MR (pooled over seeds; no mistake first, then the fastest)'];
    for (const w of WORKLOAD_NAMES) {
      const here = pts.filter((p) => p.workload === w);
      if (!here.length) continue;
      const parts = [2, 5, 10].map((budget) => {
        // no mistake at all beats any finite T_MR (censored values only say how long we looked); ties: the faster
        const score = (p: Row) => (p.censored ? Infinity : Number(p.T_MR_hours));
        const ok = here.filter((p) => Number(p.T_D) <= budget).sort((a, b) => score(b) - score(a) || Number(a.T_D) - Number(b.T_D));
        if (!ok.length) return `T_D <= ${budget} s: none`;
        const b = ok[0];
        return `T_D <= ${budget} s: ${b.detector} ${b.knob}=${b.knobValue} (T_D ${Number(b.T_D).toFixed(2)} s, T_MR ${b.censored ? '>= ' : ''}${fmtHours(Number(b.T_MR_hours))})`;
      });
      lines.push(`${w}: ${parts.join('; ')}`);
    }
    return lines;
  },
};

/** The model configuration of a point (validated). */
function configFor(point: Point): HaConfig {
  const h = point.interval as number;
  return makeConfig({
    interval: h, retries: point.retries as number, mtbf: point.mtbf as number, mttr: point.mttr as number,
    heartbeatEvents: point.heartbeatEvents as HaConfig['heartbeatEvents'],
    ...WORKLOADS[point.workload as string].over,
    ...DETECTORS[point.detector as string].config(point.knobValue as number, h),
  });
}

function fmtHours(hours: number): string {
  return hours >= 1 ? `${hours.toPrecision(3)} h` : `${(hours * 3600).toPrecision(3)} s`;
}

/** One point per (workload, detector, knob value), pooled over seeds: T_D weighted by detections, T_MR = observed time / mistakes. */
export function frontier(runs: Row[]): Row[] {
  const groups = new Map<string, Row[]>();
  for (const r of runs) {
    const key = `${r.workload}|${r.detector}|${r.knobValue}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(r);
  }
  const out: Row[] = [];
  for (const rs of groups.values()) {
    const sum = (f: string) => rs.reduce((a, r) => a + (Number.isFinite(Number(r[f])) ? Number(r[f]) : 0), 0);
    const n = sum('detections'), mistakes = sum('mistakes'), hours = sum('observedHours');
    const tdSum = rs.reduce((a, r) => a + (Number(r.detections) > 0 ? Number(r.T_D) * Number(r.detections) : 0), 0);
    out.push({
      workload: rs[0].workload, detector: rs[0].detector, knob: rs[0].knob, knobValue: rs[0].knobValue,
      T_D: n > 0 ? tdSum / n : NaN,
      T_MR_hours: mistakes > 0 ? hours / mistakes : hours,
      censored: mistakes === 0,
      mistakes,
      flapsPerNodeDay: sum('flapsPerNodeDay') / rs.length,
      falseFailoversPerDay: sum('falseFailoversPerDay') / rs.length,
    });
  }
  return out;
}
