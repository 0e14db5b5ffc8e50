/**
 * The detector presets of the heartbeat HA model and the closed forms the
 * experiments draw beside the simulation. The options themselves are
 * declared once, in options.ts.
 */

import type { HaConfig } from './options.ts';

export * from './options.ts';

/** A detector preset: the interval and how T and R follow from it. */
export interface Preset {
  name: string;
  /** The preset's own interval (s), used when an experiment does not sweep h. */
  interval: number;
  /** T = timeoutRatio x h. */
  timeoutRatio: number;
  retries: number;
  /** Informational (Linux-HA warntime), in seconds; no effect on the model. */
  warntime?: number;
  /** Another detector and its knobs (phi presets): these options are set by the preset. */
  detector?: Partial<HaConfig>;
  note: string;
}

/** VRRP skew time for the default backup priority 100: (256 - 100) / 256 x advert. */
export const VRRP_SKEW_RATIO = (256 - 100) / 256;

export const PRESETS: Record<string, Preset> = {
  paper: {
    name: 'paper',
    interval: 1,
    timeoutRatio: 3,
    retries: 1,
    note: 'the HA paper: h = 1 s, T = 3 s, R = 1 (detection T(1+R) = 6 s after the last heartbeat)',
  },
  'linux-ha': {
    name: 'linux-ha',
    interval: 2,
    timeoutRatio: 15,
    retries: 0,
    warntime: 10,
    note: 'Linux-HA heartbeat: keepalive 2 s, deadtime 30 s (T = 15 h, no retry), warntime 10 s (a log line only)',
  },
  vrrp: {
    name: 'vrrp',
    interval: 1,
    timeoutRatio: 3 + VRRP_SKEW_RATIO,
    retries: 0,
    note: 'VRRP: advert 1 s, master down after 3 x advert + skew (256-100)/256 x advert = 3.61 s, no retry',
  },
  akka: {
    name: 'akka',
    interval: 1,
    timeoutRatio: 3,
    retries: 0,
    detector: { detector: 'phi', phiForm: 'normal', phiThreshold: 8, phiWindow: 1000, phiMinStd: 0.1, phiPause: 3, phiFirst: 1, phiMaxInterval: 1e9 },
    note: "Akka's phi-accrual defaults: heartbeat 1 s, threshold 8, window 1000, min std 0.1 s, acceptable pause 3 s (declares 4.52 s after the last heartbeat on a steady link)",
  },
  cassandra: {
    name: 'cassandra',
    interval: 1,
    timeoutRatio: 3,
    retries: 0,
    detector: { detector: 'phi', phiForm: 'exponential', phiThreshold: 8, phiWindow: 1000, phiFirst: 2, phiMaxInterval: 2 },
    note: "Cassandra's phi (exponential form) defaults: gossip 1 s, phi 8, window 1000, first interval 2 s, intervals over 2 s skipped (declares 18.4 s after the last heartbeat)",
  },
};

export const PRESET_NAMES = Object.keys(PRESETS);

/** Resolve the detector values: each one left out (undefined) is the preset's. */
export function resolveDetector(preset: string, interval?: number, timeoutRatio?: number, retries?: number) {
  const p = PRESETS[preset];
  if (!p) throw new Error(`unknown preset '${preset}' (choose one of ${PRESET_NAMES.join(', ')})`);
  if (interval !== undefined && !(interval > 0)) throw new Error(`interval must be > 0 (got ${interval}; leave it out for the preset's)`);
  const h = interval ?? p.interval;
  const ratio = timeoutRatio ?? p.timeoutRatio;
  const r = retries ?? p.retries;
  if (!(ratio > 1)) throw new Error(`timeout ratio T/h must be greater than 1 (got ${ratio}): a shorter timeout fires between heartbeats`);
  return { interval: h, timeout: ratio * h, retries: r, timeoutRatio: ratio, config: p.detector ?? {} };
}

/** Incidents and detection records a run keeps at the most (each crash: one incident and up to N - 1 detections). */
export const RECORD_BUDGET = 2_000_000;

/** Refuse, before it starts, a run whose expected crash records (nodes^2 x duration / mtbf) exceed RECORD_BUDGET. */
export function checkRecordBudget(c: HaConfig, duration: number): void {
  if (!(c.mtbf > 0)) return;
  const expected = (c.nodes * c.nodes * duration) / c.mtbf;
  if (expected > RECORD_BUDGET)
    throw new Error(
      `a run of ${duration} s with ${c.nodes} nodes and mtbf ${c.mtbf} s would keep about ${Math.round(expected).toLocaleString('en-US')} ` +
        `crash records (nodes^2 x duration / mtbf), over the budget of ${RECORD_BUDGET.toLocaleString('en-US')}: shorten the run or raise mtbf`,
    );
}

/**
 * Microseconds of CPU a run of `duration` seconds takes, roughly (measured on a
 * 2-core machine): heartbeat copies times a cost per copy that depends on the
 * schedule, the detector, how often faults end quiet stretches, and the log.
 */
export function haWork(c: HaConfig, duration: number): number {
  const copies = 2 * (duration / c.interval) * c.nodes * (c.nodes - 1);
  const busy = c.pauseMtb > 0 || c.starveMtb > 0 || c.spikeMtb > 0 || (c.mtbf > 0 && c.mtbf < 86400);
  let perCopy = c.heartbeatEvents === 'kernel' ? 0.35 : c.heartbeatEvents === 'deferred' ? 0.15 : c.detector === 'timeout' ? 0.003 : 0.05;
  if (busy) perCopy = Math.max(perCopy, c.detector === 'timeout' ? 0.05 : 0.3);
  if (c.recordMessages) perCopy = 15;
  return copies * perCopy + 1000;
}

/** Serial frame time: frameBytes x 10 bits / baud. */
export function serialFrameTime(c: HaConfig): number {
  return (c.frameBytes * 10) / c.serialBaud;
}

/** Mean one-way latency of the first copy of a heartbeat to arrive (net is always first with the defaults). */
export function firstArrivalLatency(c: HaConfig): number {
  const netMax = c.netLatency + c.netJitter;
  const serialMin = serialFrameTime(c);
  if (netMax <= serialMin) return c.netLatency; // net always wins when no copy is lost
  return Math.min(c.netLatency, serialMin + c.serialJitter / 2);
}

/** Closed form of the timeout detector: mean detection = T(1+R) - h/2 + one-way latency (lossless); NaN for the other detectors. */
export function closedFormDetection(c: HaConfig): number {
  if (c.detector !== 'timeout') return NaN;
  return c.timeout * (1 + c.retries) - c.interval / 2 + firstArrivalLatency(c);
}

/** Time from detection to the services running on the take-over node (lossless, one remote hop each way is negligible). */
export function closedFormFailover(c: HaConfig): number {
  return c.fakeProcessTime + c.setupTime + c.startTime;
}

/** Service outage of one fail-back: hand-back + external IP + start (plus message latencies). */
export function closedFormFailbackOutage(c: HaConfig): number {
  return c.handbackTime + c.externalIpTime + c.startTime;
}

export const SECONDS_PER_YEAR = 365 * 86400;

/**
 * Downtime fraction the two single-failure closed forms leave out: double
 * failures of a pair, where one node crashes while the other is down (crashed,
 * repairing or booting). Each node is down a fraction u = (MTTR + boot) /
 * (MTBF + MTTR + boot) of the time, independently; the pair enters "both down"
 * at rate 2 u / MTBF (either node crashes while the other is down), and stays
 * there until the first of the two comes back: with exponential repairs the
 * remaining repair of the first is exponential too, so the minimum lasts
 * MTTR / 2, plus the boot, plus the restart (half the time the home node comes
 * back and restarts its services, half the time the standby must first
 * declare it failed and take over). An approximation: it ignores the crash
 * processes' dependence on the service's place and is exact only for
 * exponential repairs; see docs/ha.md.
 */
export function doubleFailureFraction(c: HaConfig): number {
  if (!(c.mtbf > 0) || c.nodes < 2) return 0;
  const down = c.mttr + c.bootTime;
  const u = down / (c.mtbf + down);
  const homeRestart = c.configTime + c.checkIpTimeout * c.checkIpRetries + c.externalIpTime + c.startTime;
  const standbyRestart = c.configTime + c.timeout * (1 + c.retries) + closedFormFailover(c);
  const outage = c.mttr / 2 + c.bootTime + (homeRestart + standbyRestart) / 2;
  return ((2 * u) / c.mtbf) * outage;
}

/** No HA: availability = MTBF / (MTBF + MTTR). */
export function availabilityNoHa(mtbf: number, mttr: number): number {
  return mtbf / (mtbf + mttr);
}

/** HA pair closed form: MTBF / (MTBF + detection + fail-over). */
export function availabilityHa(mtbf: number, detection: number, failover: number): number {
  return mtbf / (mtbf + detection + failover);
}

/** The HA paper's table 1: cost of one hour of outage, in dollars. */
export const OUTAGE_COST_PER_HOUR: Record<string, number> = {
  brokerage: 6_450_000,
  'credit-card': 2_600_000,
  'home-shopping': 113_000,
  catalogue: 90_000,
  airline: 89_500,
  'ticket-sales': 69_000,
  shipping: 28_000,
  atm: 14_500,
};
export const SECTORS = Object.keys(OUTAGE_COST_PER_HOUR);
