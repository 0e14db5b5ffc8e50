/**
 * Channel models: what decides a heartbeat or protocol copy's fate on a
 * directed channel, apart from the channel's state (up or cut, extra
 * latency), which links.ts owns. Two extension points, each a registry with
 * one file per entry (channels/*.ts):
 *
 * - a loss model makes a channel's *loss process*: which copies, numbered
 *   0, 1, 2, ... on that channel, are lost. A process is drawn from its own
 *   generator in copy order and kept (`LossPositions`), so whether copy m is
 *   lost does not depend on when, or in which order, anyone asks: every
 *   schedule of the heartbeat model (kernel events, deferred, lazy) reads the
 *   same losses.
 * - a latency model gives a channel's base latency as a quantile function of
 *   a uniform number; the uniform comes from a keyed stream by (channel, copy
 *   number), so it too is the same whenever it is drawn.
 *
 * Adding a model: a file in channels/ (the model and its options) and its
 * lines below (registration, options).
 */
import type { Stream } from '../../kernel/random.ts';
import type { HaConfig } from './options.ts';
import { Registry } from '../../registry.ts';
import { bernoulli } from './channels/bernoulli.ts';
import { gilbertElliott, GILBERT_ELLIOTT_OPTIONS } from './channels/gilbert-elliott.ts';
import { uniformLatency } from './channels/uniform.ts';
import { empiricalLatency, EMPIRICAL_OPTIONS } from './channels/empirical.ts';
import { traceLoss, traceLatency, TRACE_OPTIONS } from './channels/trace.ts';

export { LossPositions } from './channels/positions.ts';

/** The lost copies of one channel: positions in copy order. */
export interface LossProcess {
  /** The first lost copy at or after m (Infinity: none). The answer must not depend on earlier calls. */
  nextLoss(m: number): number;
  /** The number of lost copies in [a, b). */
  count(a: number, b: number): number;
  /** Copies below m are not asked about again (their positions may be dropped). */
  forget(m: number): void;
}

/**
 * Makes the loss process of a channel whose long-run loss rate is p (0 < p
 * < 1), for copies from `start` on, drawing from `rng` (a stream of its own).
 */
export type LossModel = ((p: number, start: number, cfg: HaConfig, rng: Stream, channel?: 0 | 1) => LossProcess) & {
  /** The model decides losses without the rate (a replayed trace): it is asked for every channel, lossy or not. */
  ignoresRate?: boolean;
};

/** A channel's base latency: its range and its quantile function. */
export interface LatencyDist {
  lo: number;
  hi: number;
  /** The latency whose cumulative probability is u (u uniform in [0, 1) gives a draw). */
  at(u: number): number;
  /** When given, copy m's latency by its number (a replayed trace); `at` is then not used. */
  copy?(m: number): number;
}

/** Makes channel c's (0 net, 1 serial) latency distribution from the configuration. */
export type LatencyModel = (cfg: HaConfig, c: 0 | 1) => LatencyDist;

const LOSS = new Registry<LossModel>('loss model');
const LATENCY = new Registry<LatencyModel>('latency model');

/** Register a loss model: `lossModel: name` then uses it on every channel. */
export function registerLossModel(name: string, m: LossModel): void {
  LOSS.register(name, m);
}

/** Register a latency model: `latencyModel: name` then uses it on both channels. */
export function registerLatencyModel(name: string, m: LatencyModel): void {
  LATENCY.register(name, m);
}

export const lossModelNames = (): string[] => LOSS.names();
export const latencyModelNames = (): string[] => LATENCY.names();
export const lossModel = (name: string): LossModel => LOSS.get(name);
export const latencyModel = (name: string): LatencyModel => LATENCY.get(name);

/** The channel models' own options, part of the HA options (options.ts). */
export const CHANNEL_MODEL_OPTIONS = { ...GILBERT_ELLIOTT_OPTIONS, ...EMPIRICAL_OPTIONS, ...TRACE_OPTIONS } as const;

registerLossModel('bernoulli', bernoulli);
registerLossModel('gilbert-elliott', gilbertElliott);
registerLossModel('trace', traceLoss);
registerLatencyModel('uniform', uniformLatency);
registerLatencyModel('empirical', empiricalLatency);
registerLatencyModel('trace', traceLatency);
