/**
 * The failure-detector interface. A detector keeps, for every ordered pair
 * k = i * N + j (observer i, target j), what i has learnt from j's
 * heartbeats, and says when i must look again and whether to suspect j.
 * The monitor (monitor.ts) owns the timers and the view; a detector owns
 * only its per-pair estimates, so a new detector is one small file.
 *
 * Built-in: 'timeout' (the HA paper's), 'phi' (phi-accrual, Akka's and
 * Cassandra's forms), 'adaptive' (Chen-Toueg-Aguilera NFD-E).
 */
import type { HaConfig } from './options.ts';
import { Registry } from '../../registry.ts';
import { TimeoutDetector } from './detectors/timeout.ts';
import { PhiDetector } from './detectors/phi.ts';
import { AdaptiveDetector } from './detectors/adaptive.ts';

/** What a detector may ask of the cluster. */
export interface DetectorPort {
  /** Send a probe (a heartbeat that asks for an answer at once) from i to j. */
  probe(i: number, j: number): void;
}

/**
 * A failure detector, in terms of its deadline: the time at which observer i
 * acts on target j (probes or suspects it) if nothing more is heard from j.
 * Each counted heartbeat may move the deadline, later or earlier; the
 * detector acts at the first moment its deadline, as it stands after the
 * heartbeats heard so far, has come. That is the whole semantics: when and
 * how often the engine looks (one kernel event per heartbeat, or arrivals fed
 * in bulk to find the first deadline that comes before the next arrival)
 * changes nothing, so a detector has no engine flags.
 */
export interface FailureDetector {
  readonly name: string;
  /** i starts watching j at `now` (first watch, after a boot, a rejoin or a fresh resume), as if it had just heard j. */
  reset(k: number, now: number): void;
  /** j's heartbeat number `seq` counted at i at time `t` (a newer number than any counted before, in arrival order). */
  heard(k: number, t: number, seq: number): void;
  /**
   * When i acts on j if nothing more is heard: a time (it may be in the
   * past: then at once). `lastHeard` is the arrival of the last counted
   * heartbeat (or the reset). Pure: asked any number of times.
   */
  deadline(k: number, lastHeard: number): number;
  /**
   * The deadline has come (`now` >= deadline) with nothing heard since:
   * probe through the port and return the new deadline, or return -1 to
   * suspect j now.
   */
  expire(k: number, now: number, lastHeard: number, port: DetectorPort): number;
  /**
   * Optional, a shortcut: T > 0 when, with `lastHeard` the last arrival,
   * pair k's deadline is the last arrival + T whatever heartbeats arrive
   * (they change nothing else); -1 otherwise. The lazy schedule then looks
   * only at the end of the first silence of T, and the deferred schedule
   * applies this detector's arrivals late: a detector that has `silence`
   * promises that an arrival never moves its deadline earlier. While it
   * returns T > 0, the lazy schedule may tell `heard` only the last of a run
   * of arrivals (they change nothing else).
   */
  silence?(k: number, lastHeard: number): number;
  /**
   * Optional: pair k's state as `heard` leaves it, and putting it back. The
   * lazy schedule feeds arrivals ahead of time to find the next deadline
   * that comes before an arrival, and takes back those a change makes void.
   * (A detector whose `heard` changes nothing returns undefined and ignores
   * it.) One that lacks them is looked at once per arrival in the lazy
   * schedule: the same results, slower.
   */
  save?(k: number): unknown;
  restore?(k: number, state: unknown): void;
  /**
   * Optional, with `heardRange`, a shortcut for a quiet sender: a lower
   * bound on deadline(k, t) - t, where t is the last arrival, that holds
   * after any further heartbeats of stream `s` heard in order (-1: none
   * known). The lazy schedule then feeds the detector only where a silence
   * longer than that bound can come (a run of heartbeats lost on both
   * channels), and at the end of each stretch it scans.
   */
  floor?(k: number, s: QuietStream): number;
  /**
   * Optional: the same as `heard` for every heartbeat n in [from, to) of a
   * stream that arrives (`a.at(n)` finite), in order; a detector whose
   * state depends only on its last few arrivals can skip the others.
   */
  heardRange?(k: number, from: number, to: number, a: HeartbeatArrivals): void;
}

/** A quiet sender's heartbeats as a detector may reason about them: heartbeat j is sent at t0 + j h, numbered seq0 + j, and each copy that arrives takes between lo and hi seconds. */
export interface QuietStream {
  t0: number;
  h: number;
  seq0: number;
  lo: number;
  hi: number;
}

/**
 * Heartbeats of a stream by index: when heartbeat n arrives (its first copy;
 * Infinity when none does) and its number (seq(n) = seq(0) + n); `fill`, if
 * there, writes the arrivals of [from, to) at once.
 */
export interface HeartbeatArrivals {
  at(n: number): number;
  seq(n: number): number;
  fill?(from: number, to: number, out: Float64Array): void;
}

/** Tell detector d of heartbeats [from, to) of a stream, in order (through heardRange when it has one). */
export function heardRange(d: FailureDetector, k: number, from: number, to: number, a: HeartbeatArrivals): void {
  if (d.heardRange) return d.heardRange(k, from, to, a);
  for (let n = from; n < to; n++) {
    const t = a.at(n);
    if (t !== Infinity) d.heard(k, t, a.seq(n));
  }
}

/** True when the lazy schedule may feed this detector's arrivals ahead (it can save and restore a pair). */
export function canFeedAhead(d: FailureDetector): boolean {
  return d.save !== undefined && d.restore !== undefined;
}

/** Makes a detector for N nodes from the run's configuration. */
export type DetectorFactory = (cfg: HaConfig, N: number) => FailureDetector;

const DETECTORS = new Registry<DetectorFactory>('detector');

/**
 * Register a failure detector under a name: `detector: name` in a
 * configuration (and `--detector name`) then uses it like a built-in. The
 * three built-ins are registered the same way, below.
 */
export function registerDetector(name: string, factory: DetectorFactory): void {
  DETECTORS.register(name, factory);
}

export function detectorNames(): string[] {
  return DETECTORS.names();
}

/** Make the detector the configuration names, for N nodes. */
export function makeDetector(cfg: HaConfig, N: number): FailureDetector {
  return DETECTORS.get(cfg.detector)(cfg, N);
}

registerDetector('timeout', (cfg, N) => new TimeoutDetector(N, cfg.timeout, cfg.retries));
registerDetector('phi', (cfg, N) =>
  new PhiDetector(N, {
    form: cfg.phiForm, threshold: cfg.phiThreshold, window: cfg.phiWindow, minStd: cfg.phiMinStd,
    pause: cfg.phiPause, first: cfg.phiFirst, maxInterval: cfg.phiMaxInterval,
  }));
registerDetector('adaptive', (cfg, N) => new AdaptiveDetector(N, cfg.interval, cfg.adaptiveWindow, cfg.adaptiveAlpha));
