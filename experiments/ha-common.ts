/**
 * Shared pieces of the HA-paper experiments (failover, heartbeat, downtime):
 * the model options as experiment parameters, the detector presets, and the
 * conversion of a sweep point into a model configuration. Not an experiment.
 */
import type { ParamSpec, Params, Point, Row, Value } from '../src/runner/experiment.ts';
import { cartesian } from '../src/runner/experiment.ts';
import { DEFAULTS, PRESETS, PRESET_NAMES, resolveDetector, validate, type HaConfig, type RepairDist } from '../src/models/ha/index.ts';

export const VEGA = 'https://vega.github.io/schema/vega-lite/v6.json';

const positive = (name: string) => (raw: string): Value => {
  const v = Number(raw);
  if (!(Number.isFinite(v) && v > 0)) throw new Error(`'${raw}' is not a positive number (${name})`);
  return v;
};

/** The detector parameters: preset, interval h, T/h and R (0 / -1 = the preset's value). */
export function detectorParams(intervals: number[], intervalHelp: string): Record<string, ParamSpec> {
  return {
    preset: {
      type: 'enum', default: ['paper'], list: true, choices: PRESET_NAMES,
      help: `detector preset: ${PRESET_NAMES.map((n) => `${n} (${PRESETS[n].note})`).join('; ')}`,
    },
    interval: { type: 'number', default: intervals, list: true, min: 0, help: intervalHelp },
    timeoutRatio: {
      type: 'number', default: [0], list: true,
      parse: (raw) => {
        const v = Number(raw);
        if (!(Number.isFinite(v) && (v === 0 || v > 1))) throw new Error(`'${raw}' must be 0 (the preset's T/h) or a ratio greater than 1`);
        return v;
      },
      help: "timeout T as a multiple of h (0 = the preset's: paper 3, linux-ha 15, vrrp 3.61)",
    },
    retries: { type: 'integer', default: [-1], list: true, min: -1, max: 20, help: "retries R before the fail-over (-1 = the preset's: paper 1, linux-ha 0, vrrp 0)" },
  };
}

/** Every scalar model option with the SPEC default (names as in src/models/ha/config.ts). */
export function modelParams(): Record<string, ParamSpec> {
  const d = DEFAULTS;
  return {
    nodes: { type: 'integer', default: d.nodes, min: 2, max: 16, help: 'nodes in the cluster (SPEC 3.1: 2)' },
    services: { type: 'integer', default: d.services, min: 1, max: 64, help: 'services (game worlds) in the cluster' },
    activeNodes: { type: 'integer', default: d.activeNodes, min: 1, max: 16, help: 'services are placed round-robin on the first activeNodes nodes (1: A active, B standby)' },
    usersPerService: { type: 'integer', default: d.usersPerService, min: 0, help: 'users connected to each service (the paper: 500-600 per server)' },
    probeReply: { type: 'boolean', default: d.probeReply, help: 'a live node answers the retry heartbeat at once' },
    netLatency: { type: 'number', default: d.netLatency, greaterThan: 0, help: 'net channel mean one-way latency (s)' },
    netJitter: { type: 'number', default: d.netJitter, min: 0, help: 'net channel uniform jitter half-width (s)' },
    serialBaud: { type: 'number', default: d.serialBaud, greaterThan: 0, help: 'serial line speed (baud; 10 bits per byte)' },
    frameBytes: { type: 'integer', default: d.frameBytes, min: 1, help: 'heartbeat frame size (bytes)' },
    serialJitter: { type: 'number', default: d.serialJitter, min: 0, help: 'serial latency = frame time + uniform(0, serialJitter) (s)' },
    protocolChannels: { type: 'enum', default: d.protocolChannels, choices: ['all', 'net'], help: 'protocol messages on every channel (deduplicated) or on net only' },
    loadTimeout: { type: 'number', default: d.loadTimeout, greaterThan: 0, help: 'controller waits this long for SYSTEM_LOAD answers, then polls again (s)' },
    fakeProcessTime: { type: 'number', default: d.fakeProcessTime, min: 0, help: 'take-over: fake process / IP take-over (s)' },
    setupTime: { type: 'number', default: d.setupTime, min: 0, help: 'take-over: set the system up for the services (s)' },
    startTime: { type: 'number', default: d.startTime, min: 0, help: 'start the services (take-over and fail-back) (s)' },
    reconnectDelay: { type: 'number', default: d.reconnectDelay, min: 0, help: 'clients reconnect this long after their service starts (s)' },
    reconcileInterval: { type: 'number', default: d.reconcileInterval, min: 0, help: 'controller polls every node this often to find orphaned or doubly-run services (s; 0 = only on membership changes)' },
    autoFailback: { type: 'boolean', default: d.autoFailback, help: 'a repaired node takes its services back (the paper: on)' },
    bootTime: { type: 'number', default: d.bootTime, min: 0, help: 'fail-back: boot with the internal IP (s)' },
    configTime: { type: 'number', default: d.configTime, min: 0, help: 'fail-back: read the configuration (s)' },
    checkIpTimeout: { type: 'number', default: d.checkIpTimeout, greaterThan: 0, help: 'fail-back: wait for CHECK_IP answers (s)' },
    checkIpRetries: { type: 'integer', default: d.checkIpRetries, min: 1, help: 'fail-back: CHECK_IP rounds before going on with the answers received' },
    handbackTime: { type: 'number', default: d.handbackTime, min: 0, help: 'fail-back: the take-over node stops the services it hands back (s)' },
    failbackTimeout: { type: 'number', default: d.failbackTimeout, greaterThan: 0, help: 'fail-back: wait for FAIL_BACK_OK (s)' },
    externalIpTime: { type: 'number', default: d.externalIpTime, min: 0, help: 'fail-back: set up the external IP (s)' },
    repairDist: { type: 'enum', default: d.repairDist, choices: ['exponential', 'fixed', 'lognormal'], help: 'repair-time distribution (mean mttr)' },
    repairSigma: { type: 'number', default: d.repairSigma, min: 0, help: 'sigma of the underlying normal when repairDist = lognormal' },
    heartbeatEvents: {
      type: 'enum', default: d.heartbeatEvents, choices: ['deferred', 'kernel'],
      help: "engine only, same results: 'kernel' = every heartbeat copy a kernel event; 'deferred' = ordinary copies wait at reserved places in the event order (half the events)",
    },
  };
}

export const positiveParse = positive;

/** Expand the sweep and add the resolved detector values as columns h, T, R (validating them). */
export function detectorPoints(params: Params): Point[] {
  return cartesian(params).map((p) => {
    const d = resolveDetector(p.preset as string, p.interval as number, p.timeoutRatio as number, p.retries as number);
    return { ...p, h: d.interval, T: round(d.timeout), R: d.retries };
  });
}

const round = (x: number) => Math.round(x * 1e9) / 1e9;

/** The model configuration of a point (extra fields override). */
export function configOf(point: Point, extra: Partial<HaConfig> = {}): HaConfig {
  const d = resolveDetector(point.preset as string, point.interval as number, point.timeoutRatio as number, point.retries as number);
  const loss = (point.loss as number | undefined) ?? 0;
  const c: HaConfig = {
    ...DEFAULTS,
    nodes: point.nodes as number,
    services: point.services as number,
    activeNodes: point.activeNodes as number,
    usersPerService: point.usersPerService as number,
    interval: d.interval,
    timeout: d.timeout,
    retries: d.retries,
    probeReply: point.probeReply as boolean,
    netLatency: point.netLatency as number,
    netJitter: point.netJitter as number,
    serialBaud: point.serialBaud as number,
    frameBytes: point.frameBytes as number,
    serialJitter: point.serialJitter as number,
    netLoss: loss,
    serialLoss: loss,
    protocolChannels: point.protocolChannels as 'all' | 'net',
    loadTimeout: point.loadTimeout as number,
    fakeProcessTime: point.fakeProcessTime as number,
    setupTime: point.setupTime as number,
    startTime: point.startTime as number,
    reconnectDelay: point.reconnectDelay as number,
    reconcileInterval: point.reconcileInterval as number,
    autoFailback: point.autoFailback as boolean,
    bootTime: point.bootTime as number,
    configTime: point.configTime as number,
    checkIpTimeout: point.checkIpTimeout as number,
    checkIpRetries: point.checkIpRetries as number,
    handbackTime: point.handbackTime as number,
    failbackTimeout: point.failbackTimeout as number,
    externalIpTime: point.externalIpTime as number,
    repairDist: point.repairDist as RepairDist,
    repairSigma: point.repairSigma as number,
    heartbeatEvents: point.heartbeatEvents as HaConfig['heartbeatEvents'],
    ...extra,
  };
  if (c.activeNodes > c.nodes) throw new Error(`activeNodes (${c.activeNodes}) must not exceed nodes (${c.nodes})`);
  validate(c);
  return c;
}

/** The `presets` table: every preset's resolved values at its own interval. */
export function presetsTable(): Row[] {
  return PRESET_NAMES.map((n) => {
    const p = PRESETS[n];
    const d = resolveDetector(n);
    return {
      presetName: n, presetH: d.interval, presetT: round(d.timeout), presetTOverH: round(p.timeoutRatio), presetR: d.retries,
      presetDetection: round(d.timeout * (1 + d.retries)), presetWarntime: p.warntime ?? '', presetNote: p.note,
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
  if (r.timeoutRatio !== undefined && r.timeoutRatio !== 0) parts.push(`T/h=${r.timeoutRatio}`);
  if (r.retries !== undefined && r.retries !== -1) parts.push(`R=${r.retries}`);
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
