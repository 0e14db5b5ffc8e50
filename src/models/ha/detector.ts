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

export interface FailureDetector {
  readonly name: string;
  /**
   * True when the detector's state after a set of counted heartbeats does
   * not depend on the order they are applied in (only then are heartbeat
   * copies deferred and applied late, in send order; see delivery-deferred.ts).
   */
  readonly orderFree: boolean;
  /** i starts watching j at `now` (first watch, after a boot or a rejoin), as if it had just heard j. */
  reset(k: number, now: number): void;
  /** j's heartbeat number `seq` counted at i at time `t` (a newer number than any counted before). */
  heard(k: number, t: number, seq: number): void;
  /**
   * i looks at j at `now` (at or after the time `next` last returned): the
   * time of the next look, or -1 to suspect j now. `lastHeard` is the
   * arrival of the last counted heartbeat (or the reset).
   */
  next(k: number, now: number, lastHeard: number, port: DetectorPort): number;
  /**
   * Optional: T > 0 when, in pair k's present state, every look before a
   * silence of T would only move the next look to the last arrival + T (no
   * probe out, no estimate that changes with arrivals); -1 otherwise. Lets
   * the lazy heartbeat delivery skip those looks.
   */
  quiet?(k: number): number;
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
