/**
 * Shared pieces of the LB-paper experiments (fig5, fig6, skew, view-distance,
 * calibrate): the model options as experiment parameters, rows from run
 * results, and chart helpers. Not an experiment itself.
 */
import type { ParamSpec, Point, Row, Value } from '../src/runner/experiment.ts';
import {
  CELL_CHOICES,
  DEFAULTS,
  READINGS,
  generateArrivals,
  parseArrivals,
  parseRatio,
  formatRatio,
  resolveOptions,
  runScheme,
  type LbOptions,
  type LbResult,
  type RunHooks,
  type SchemeName,
} from '../src/models/lb/index.ts';

export const VEGA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** Every model option as a scalar experiment parameter with the SPEC default. */
export function modelParams(): Record<string, ParamSpec> {
  return {
    mapWidth: { type: 'number', default: DEFAULTS.mapWidth, greaterThan: 0, help: 'map width (the paper: 1024)' },
    mapHeight: { type: 'number', default: DEFAULTS.mapHeight, greaterThan: 0, help: 'map height (the paper: 512)' },
    servers: { type: 'integer', default: DEFAULTS.servers, min: 1, max: 64, help: 'number of game servers (the paper: 2)' },
    users: { type: 'integer', default: DEFAULTS.users, min: 1, max: 1_000_000, help: 'arrivals per run (the paper: 1000)' },
    bucketSize: { type: 'integer', default: DEFAULTS.bucketSize, min: 1, help: 'users per bucket of the per-bucket metrics' },
    staticOverlap: { type: 'number', default: DEFAULTS.staticOverlap, min: 0, help: 'static partition: band past the centre line each region extends (562-wide regions)' },
    cellRows: { type: 'integer', default: DEFAULTS.cellRows, min: 0, max: 256, help: 'dynamic: piece-cell rows; 0 = sized for the servers (the paper: 4 for 2 servers)' },
    cellCols: { type: 'integer', default: DEFAULTS.cellCols, min: 0, max: 256, help: 'dynamic: piece-cell columns; 0 = sized for the servers (the paper: 8 for 2 servers)' },
    cellsPerServer: { type: 'integer', default: DEFAULTS.cellsPerServer, min: 1, max: 1024, help: 'dynamic, with cellRows/cellCols 0: about this many piece cells per server, cells about square (the paper: 16)' },
    cellChoice: { type: 'enum', default: DEFAULTS.cellChoice, choices: CELL_CHOICES, help: "dynamic: which boundary cell moves (the 'options' reading; careful and literal are fixed)" },
    skipUseless: { type: 'boolean', default: DEFAULTS.skipUseless, help: "dynamic: move only cells with 0 < c < D (the 'options' reading)" },
    checkEvery: { type: 'integer', default: DEFAULTS.checkEvery, min: 1, help: 'dynamic: compare loads after every this many arrivals' },
    minDifference: { type: 'number', default: DEFAULTS.minDifference, min: 0, help: 'dynamic: no move unless the load difference is also at least this' },
    viewDistance: { type: 'number', default: DEFAULTS.viewDistance, greaterThan: 0, help: 'user-centric: view distance V (not given by the paper; our default 32)' },
    proximityFactor: { type: 'number', default: DEFAULTS.proximityFactor, min: 0, help: 'user-centric: proximity radius P = k V (the paper: 1.5 to 2)' },
    threshold: { type: 'integer', default: DEFAULTS.threshold, min: 2, help: 'user-centric: rebalance when max - min load >= this (the paper: 6)' },
    transferGap: { type: 'number', default: DEFAULTS.transferGap, min: 0, max: 3600, help: 'seconds between the transfers of one migration (0 = all at once; at most an hour)' },
    kdTolerance: { type: 'number', default: DEFAULTS.kdTolerance, min: 0, help: 'kd-tree: move the split lines when the busiest server holds more than (1 + this) x the mean load (and max - min >= threshold)' },
  };
}

/** A `skew` ratio parameter value: validated, returned in canonical form ('3:1'). */
export function parseRatioParam(raw: string): Value {
  return formatRatio(parseRatio(raw));
}

/** The most buckets (users / bucketSize) an LB experiment charts. */
export const MAX_BUCKETS = 200;

/** The most users one LB run may have here (memory). */
export const MAX_USERS = 20_000_000;

/** Check a point's model options before any run (Experiment.check): bad input is one line, at once. */
export function checkLbPoint(point: Point): void {
  const o = resolveOptions(optionsFrom(point));
  // memory: the model keeps a few dozen bytes per user, and a worker holds one run at a time
  if (o.users > MAX_USERS) throw new Error(`users ${o.users} is over ${MAX_USERS.toLocaleString('en-US')} per run (about 2 GB of model state)`);
  // the charts draw one bar per bucket; vega cannot sort thousands of categories
  const buckets = Math.ceil(o.users / o.bucketSize);
  if (buckets > MAX_BUCKETS) throw new Error(`bucketSize ${o.bucketSize} gives ${buckets} buckets of ${o.users} users: at most ${MAX_BUCKETS} (bucketSize >= ${Math.ceil(o.users / MAX_BUCKETS)})`);
  // every LB experiment runs the dynamic scheme, which gives each server at least one piece cell
  if (o.cellRows * o.cellCols < o.servers)
    throw new Error(`the dynamic scheme needs a piece cell per server: cellRows x cellCols = ${o.cellRows * o.cellCols} < servers = ${o.servers} (raise cellRows or cellCols)`);
}

/** Model options from a point (names that are not model options are ignored). */
export function optionsFrom(point: Point): Partial<LbOptions> {
  const o: Record<string, Value> = {};
  for (const k of Object.keys(DEFAULTS)) if (point[k] !== undefined) o[k] = point[k];
  return o as Partial<LbOptions>;
}

/** A named reading of the figures: which scheme, with which option overrides. */
export interface Reading {
  name: string;
  scheme: SchemeName;
  overrides: Partial<LbOptions>;
}

/**
 * The readings of figures 6 and 7: careful and literal dynamic, the user-centric scheme, and
 * 'dynamic-options' (the cellChoice/skipUseless given as parameters) when it differs from both.
 */
export function figureReadings(point: Point): Reading[] {
  const out: Reading[] = [
    { name: 'careful', scheme: 'dynamic', overrides: READINGS.careful },
    { name: 'literal', scheme: 'dynamic', overrides: READINGS.literal },
  ];
  const cc = (point.cellChoice ?? DEFAULTS.cellChoice) as string;
  const su = (point.skipUseless ?? DEFAULTS.skipUseless) as boolean;
  const same = (r: { cellChoice: string; skipUseless: boolean }) => r.cellChoice === cc && r.skipUseless === su;
  if (!same(READINGS.careful) && !same(READINGS.literal)) out.push({ name: 'dynamic-options', scheme: 'dynamic', overrides: {} });
  out.push({ name: 'user-centric', scheme: 'user-centric', overrides: {} });
  return out;
}

export const BUCKET_METRICS = [
  'migratedUsers',
  'migrationEvents',
  'usersPerEvent',
  'largestEvent',
  'peakTransfersPerStep',
  'imbalanceFinal',
  'imbalanceMean',
  'crossPairs',
  'skippedChecks',
  'cellsReturned',
] as const;
export const RUN_METRICS = [...BUCKET_METRICS, 'distinctUsersMoved', 'usersMovedMoreThanOnce'] as const;

/** Unit and meaning of the LB metrics (per bucket of arrivals, or for the whole run in the 'total' rows): the model's dictionary. */
export { LB_METRIC_INFO as LB_METRICS } from '../src/models/lb/metric-info.ts';
export const LB_MAIN_METRICS = ['migratedUsers', 'migrationEvents', 'usersPerEvent', 'imbalanceFinal', 'crossPairs'];

export function bucketLabel(lo: number, hi: number): string {
  return `${lo}-${hi}`;
}

/** LB rows are per bucket of arrivals plus one 'total' row per run: written to separate CSVs (runs.csv holds the totals). */
export const BUCKET_SPLIT = { key: 'bucket', total: 'total', file: 'buckets' };

/** Rows of one result: one per bucket (bucket = '0-100', ...) and one with bucket = 'total'. */
export function resultRows(res: LbResult, keys: Row, withBuckets = true): Row[] {
  const rows: Row[] = [];
  if (withBuckets) {
    for (const b of res.buckets) {
      const r: Row = { ...keys, bucket: bucketLabel(b.lo, b.hi) };
      for (const m of BUCKET_METRICS) r[m] = b[m];
      // users per event is undefined without an event: left out (the summary's n counts the runs that had one)
      if (b.migrationEvents === 0) delete r.usersPerEvent;
      rows.push(r);
    }
  }
  const t: Row = { ...keys, bucket: 'total' };
  for (const m of RUN_METRICS) t[m] = res.total[m];
  if (res.total.migrationEvents === 0) delete t.usersPerEvent;
  rows.push(t);
  return rows;
}

/** Run the given readings on one arrival sequence (common random numbers). */
export function runReadings(point: Point, seed: number, readings: Reading[], hooks?: RunHooks): { reading: Reading; result: LbResult }[] {
  const base = optionsFrom(point);
  const opts = resolveOptions(base);
  const arr = generateArrivals(opts, seed);
  return readings.map((reading) => ({ reading, result: runScheme(reading.scheme, { ...base, ...reading.overrides }, seed, arr, hooks) }));
}

/** The bucket labels of a run with these parameters, in order. */
export function bucketOrder(users: number, size: number): string[] {
  const out: string[] = [];
  for (let lo = 0; lo < users; lo += size) out.push(bucketLabel(lo, Math.min(users, lo + size)));
  return out;
}

/** One colour per scheme and reading, the same in every LB chart (the static partition grey). */
import { schemeColor } from '../src/output/scheme-colors.ts';

export { schemeColor };

/** Error bars with caps a few pixels wide (not the whole category). */
const ERRORBAR = { type: 'errorbar', ticks: true, size: 6 };

/** A bar + 95% CI error-bar chart of summary rows, faceted into columns by `column`. */
export function barsWithCi(values: Row[], x: string, xTitle: string, yTitle: string, column: string, xSort?: string[]): Record<string, unknown> {
  return {
    $schema: VEGA,
    data: { values },
    facet: { column: { field: column, type: 'nominal', title: null } },
    spec: {
      width: 190,
      height: 180,
      layer: [
        {
          mark: 'bar',
          encoding: {
            x: { field: x, type: 'ordinal', title: xTitle, sort: xSort ?? null },
            y: { field: 'mean', type: 'quantitative', title: yTitle },
            ...(column === 'scheme' ? { color: { ...schemeColor(values), legend: null } } : {}),
          },
        },
        {
          mark: ERRORBAR,
          // the metrics are counts: an interval below zero is clipped there (the captions say so)
          transform: [{ calculate: 'max(0, datum.ci95_low)', as: 'lo' }],
          encoding: {
            x: { field: x, type: 'ordinal', sort: xSort ?? null },
            y: { field: 'lo', type: 'quantitative', title: yTitle },
            y2: { field: 'ci95_high' },
          },
        },
      ],
    },
  };
}

/** Lines with 95% CI error bars of summary rows: x ordinal, one colour per `color`. */
export function linesWithCi(
  values: Row[],
  x: string,
  xTitle: string,
  yTitle: string,
  color: string,
  xSort?: string[],
  /** The y scale; { type: 'log' } gets a domain from powers of ten around the values. */
  yScale: Record<string, unknown> = {},
  /** A numeric parameter on x: a log axis with ticks at its values (not evenly spaced categories). */
  xLog = false,
): Record<string, unknown> {
  const xs = [...new Set(values.map((r) => Number(r[x])))].sort((a, b) => a - b);
  const xEnc = xLog
    ? { field: x, type: 'quantitative', title: xTitle, scale: { type: 'log', domain: [xs[0] / 1.2, xs[xs.length - 1] * 1.2], nice: false }, axis: { values: xs, format: '~g' } }
    : { field: x, type: 'ordinal', title: xTitle, sort: xSort ?? null };
  const colorEnc = color === 'scheme' || color === 'series' ? schemeColor(values, color, color === 'scheme' ? 'reading' : 'series') : { field: color, type: 'nominal' };
  // on a log y, an interval reaching zero is cut at the bottom of the axis (the power of ten below the smallest value)
  let floor = 0;
  let yAxis: Record<string, unknown> = {};
  if (yScale.type === 'log') {
    const pos = values.flatMap((r) => [Number(r.mean), Number(r.ci95_low)]).filter((v) => v > 0);
    const top = Math.max(...values.map((r) => Number(r.ci95_high)).filter(Number.isFinite), ...pos);
    floor = 10 ** Math.floor(Math.log10(Math.min(...pos)));
    const ceil = 10 ** Math.ceil(Math.log10(top));
    yScale = { ...yScale, domain: [floor, ceil], nice: false };
    const ticks: number[] = [];
    for (let v = floor; v <= ceil * 1.001; v *= 10) ticks.push(Number(v.toPrecision(1)));
    yAxis = { axis: { values: ticks, format: ',~g' } };
  }
  return {
    $schema: VEGA,
    width: 320,
    height: 200,
    data: { values },
    layer: [
      { mark: { type: 'line', point: true }, encoding: { x: xEnc, y: { field: 'mean', type: 'quantitative', title: yTitle, scale: yScale, ...yAxis }, color: colorEnc } },
      {
        mark: ERRORBAR,
        transform: [{ calculate: `max(${floor}, datum.ci95_low)`, as: 'lo' }],
        encoding: { x: xEnc, y: { field: 'lo', type: 'quantitative', title: yTitle, scale: yScale }, y2: { field: 'ci95_high' }, color: colorEnc },
      },
    ],
  };
}

/** An `arrivals` parameter value: 'uniform' or 'skew R:S', validated. */
export function parseArrivalsParam(raw: string): Value {
  const a = parseArrivals(raw);
  return a.kind === 'uniform' ? 'uniform' : `skew ${formatRatio(a.ratio)}`;
}
