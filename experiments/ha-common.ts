/**
 * Shared pieces of the HA-paper experiments (failover, heartbeat, downtime):
 * the model options as experiment parameters, the detector presets, and the
 * conversion of a sweep point into a model configuration. Not an experiment.
 */
import type { ParamSpec, Params, Point, Row, Value } from '../src/runner/experiment.ts';
import { cartesian } from '../src/runner/experiment.ts';
import { DEFAULTS, HA_OPTIONS, PRESETS, PRESET_NAMES, checkRecordBudget, haWork, resolveDetector, validate, type HaConfig } from '../src/models/ha/index.ts';

export { haWork };
import type { OptionSpec } from '../src/schema.ts';

export const VEGA = 'https://vega.github.io/schema/vega-lite/v6.json';

const positive = (name: string) => (raw: string): Value => {
  const v = Number(raw);
  if (!(Number.isFinite(v) && v > 0)) throw new Error(`'${raw}' is not a positive number (${name})`);
  return v;
};

/**
 * The detector parameters: preset, interval h, T/h and R. h, T/h and R left
 * out are the preset's; `intervals` undefined makes h optional too.
 */
export function detectorParams(intervals: number[] | undefined, intervalHelp: string): Record<string, ParamSpec> {
  return {
    preset: {
      type: 'enum', default: ['paper'], list: true, choices: PRESET_NAMES,
      help: `detector preset: ${PRESET_NAMES.map((n) => `${n} (${PRESETS[n].note})`).join('; ')}`,
    },
    interval: { type: 'number', default: intervals, list: true, greaterThan: 0, help: intervalHelp },
    timeoutRatio: {
      type: 'number', default: undefined, list: true, greaterThan: 1,
      help: "timeout T as a multiple of h (left out: the preset's: paper 3, linux-ha 15, vrrp 3.61)",
    },
    retries: { type: 'integer', default: undefined, list: true, min: 0, max: 20, help: "retries R before the fail-over (left out: the preset's: paper 1, linux-ha 0, vrrp 0)" },
  };
}

const num = (v: unknown): number | undefined => (v === undefined ? undefined : Number(v));

/** Options the experiments set through other parameters (the detector preset, `loss`) or that are engine-side recording. */
const NOT_PARAMS = new Set(['interval', 'timeout', 'retries', 'netLoss', 'serialLoss', 'recordMessages', 'recordTimeline']);

/** Every other model option as an experiment parameter, from the model's option table (type, default, bounds, help); `omit`: those the experiment declares itself. */
export function modelParams(omit: string[] = []): Record<string, ParamSpec> {
  const out: Record<string, ParamSpec> = {};
  for (const [name, o] of Object.entries(HA_OPTIONS) as Array<[string, OptionSpec]>) {
    if (NOT_PARAMS.has(name) || omit.includes(name)) continue;
    out[name] = { type: o.type, default: o.default, help: o.help, min: o.min, max: o.max, greaterThan: o.greaterThan, choices: o.choices };
  }
  return out;
}

export const positiveParse = positive;

/** Expand the sweep and add the resolved detector values as columns h, T, R (validating them). */
export function detectorPoints(params: Params): Point[] {
  return cartesian(params).map((p) => {
    const d = resolveDetector(p.preset as string, num(p.interval), num(p.timeoutRatio), num(p.retries));
    return { ...p, h: d.interval, T: round(d.timeout), R: d.retries };
  });
}

/**
 * Check every point before any run: the whole model configuration (with
 * `extra`, the experiment's own settings) and the record budget for a run of
 * `duration(point)` seconds. Bad input is reported at once, not by a worker.
 */
export function checkPoints(points: Point[], duration: (p: Point) => number, extra: (p: Point) => Partial<HaConfig> = () => ({})): Point[] {
  for (const p of points) checkRecordBudget(configOf(p, extra(p)), duration(p));
  return points;
}

const round = (x: number) => Math.round(x * 1e9) / 1e9;

/** The model configuration of a point (extra fields override). */
export function configOf(point: Point, extra: Partial<HaConfig> = {}): HaConfig {
  const d = resolveDetector(point.preset as string, num(point.interval), num(point.timeoutRatio), num(point.retries));
  const loss = (point.loss as number | undefined) ?? 0;
  const c: Record<string, unknown> = { ...DEFAULTS };
  for (const name of Object.keys(HA_OPTIONS)) if (!NOT_PARAMS.has(name) && point[name] !== undefined) c[name] = point[name];
  Object.assign(c, { interval: d.interval, timeout: d.timeout, retries: d.retries, netLoss: loss, serialLoss: loss }, d.config, extra);
  validate(c as HaConfig);
  return c as HaConfig;
}

/** Relative cost of an HA run: heartbeat copies, duration / h x nodes^2 (`duration` in seconds, or `years`). */
export function haCost(point: Point, extra: Partial<HaConfig> = {}): number {
  const d = resolveDetector(point.preset as string, num(point.interval), num(point.timeoutRatio), num(point.retries));
  const duration = point.duration !== undefined ? Number(point.duration) : Number(point.years ?? 1) * 365 * 86400;
  return haWork({ ...configOf(point, extra), interval: d.interval }, duration);
}


/** The `presets` table: every preset's resolved values at its own interval. */
export function presetsTable(): Row[] {
  return PRESET_NAMES.map((n) => {
    const p = PRESETS[n];
    const d = resolveDetector(n);
    return {
      presetName: n, presetH: d.interval, presetT: round(d.timeout), presetTOverH: round(p.timeoutRatio), presetR: d.retries,
      presetDetector: String(d.config.detector ?? 'timeout'),
      presetDetection: d.config.detector ? NaN : round(d.timeout * (1 + d.retries)), presetWarntime: p.warntime ?? '', presetNote: p.note,
    };
  });
}

export function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos), hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** A label of the sweep columns other than h and loss, for chart colours. */
export function seriesLabel(r: Row): string {
  const parts = [`${r.preset}`];
  if (r.timeoutRatio !== undefined && r.timeoutRatio !== '') parts.push(`T/h=${r.timeoutRatio}`);
  if (r.retries !== undefined && r.retries !== '') parts.push(`R=${r.retries}`);
  if (r.loss !== undefined) parts.push(`loss ${(Number(r.loss) * 100).toFixed(0)}%`);
  return parts.join(', ');
}

/**
 * Chart helpers. The sweep values of h are few and log-spaced: a log x axis
 * fitted to them (ticks at the swept values, no padding out to the next power
 * of ten), and a sideways "dodge" so that series with equal values (e.g. the
 * loss series, which differ by far less than a marker) do not hide each other.
 */
export function logAxisX(values: number[], field = 'h', title = 'heartbeat interval h (s)'): Record<string, unknown> {
  const v = [...new Set(values.filter((x) => Number.isFinite(x) && x > 0))].sort((a, b) => a - b);
  const lo = v.length ? v[0] : 0.1, hi = v.length ? v[v.length - 1] : 10;
  return {
    field, type: 'quantitative', title,
    scale: { type: 'log', domain: [lo / 1.3, hi * 1.3], nice: false },
    axis: { values: v, grid: true, format: '~g' },
  };
}

/** A log y domain around the positive values of the given fields (padding factor pad), or undefined if none. */
export function logDomain(rows: Row[], fields: string[], pad = 1.3): [number, number] | undefined {
  const v = rows.flatMap((r) => fields.map((f) => Number(r[f]))).filter((x) => Number.isFinite(x) && x > 0);
  if (!v.length) return undefined;
  return [Math.min(...v) / pad, Math.max(...v) * pad];
}

/** Add field `hx`: h multiplied by 10^(k * step) for the k-th series around the middle one (a sideways shift on a log axis). */
export function dodgeLog(rows: Row[], seriesField = 'series', step = 0.035): Row[] {
  const names = [...new Set(rows.map((r) => String(r[seriesField])))];
  const mid = (names.length - 1) / 2;
  return rows.map((r) => ({ ...r, hx: Number(r.h) * 10 ** ((names.indexOf(String(r[seriesField])) - mid) * step) }));
}
