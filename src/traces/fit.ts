/**
 * A channel model fitted to a trace: the empirical distribution of its
 * latencies (a quantile table for the HA model's 'empirical' latency) and a
 * Gilbert-Elliott burst-loss model fitted to its losses by maximum likelihood
 * (Baum-Welch on the two-state hidden Markov model: a good and a bad state,
 * each losing copies independently at its own rate), kept when it beats
 * independent losses at the same rate (a likelihood-ratio test at 95%, else
 * Bernoulli loss), with the fit's quality:
 * the Kolmogorov-Smirnov distance between the trace's latencies and the
 * table, and the lengths of loss runs in the trace against a run of the
 * fitted model as the HA model draws it.
 */
import type { HeartbeatTrace } from './heartbeat.ts';
import type { HaConfig } from '../models/ha/options.ts';
import { makeConfig } from '../models/ha/options.ts';
import { lossModel } from '../models/ha/channel-models.ts';
import { Streams } from '../kernel/random.ts';

import { quantileTable, ksDistance, lossRuns, fitLoss, lostOf, gilbertElliottOptions, RUN_BINS, type GilbertElliottFit } from './fit-core.ts';

export { quantileTable, ksDistance, lossRuns, fitGilbertElliott, fitLoss, type GilbertElliottFit, type LossFit } from './fit-core.ts';

export interface ChannelFit {
  /** The HA options that make a channel of the fitted model (net channel). */
  config: Partial<HaConfig>;
  latencyTable: number[];
  /** Largest gap between the trace's latency distribution and the table's. */
  ks: number;
  /** undefined when the trace lost nothing (then no loss), or its losses are independent (Bernoulli at the rate). */
  gilbertElliott?: GilbertElliottFit;
  lossRate: number;
  /** Loss runs by length, the trace's against the fitted model's over as many copies. */
  runs: Array<{ length: string; trace: number; model: number }>;
  meanRun: { trace: number; model: number };
  /** Copies the loss fit read (the first of the trace). */
  fitCopies: number;
}

/** The fitted model of a trace (the loss fit reads at most `maxFit` copies, the first). */
export function fitChannel(t: HeartbeatTrace, maxFit = 500_000): ChannelFit {
  const n = t.latency.length;
  const sorted = Array.from(t.latency).filter((x) => !Number.isNaN(x)).sort((x, y) => x - y);
  const table = quantileTable(sorted);
  const ks = ksDistance(sorted, table);
  const lost = lostOf(t.latency);
  const lf = fitLoss(lost, maxFit);
  const rate = lf.rate, ge = lf.gilbertElliott, fitN = lf.copies;
  const config: Partial<HaConfig> = { latencyModel: 'empirical', netLatencyTable: table.map((x) => +x.toPrecision(6)).join(' '), netLoss: rate, lossModel: 'bernoulli' };
  if (ge) Object.assign(config, { lossModel: 'gilbert-elliott', netLoss: ge.lossRate, ...gilbertElliottOptions(ge) });
  // the fitted model's losses over as many copies, drawn as the HA model draws them
  const cfg = makeConfig({ ...config, netLatencyTable: '' } as Partial<HaConfig>);
  const model = new Uint8Array(n);
  if (cfg.netLoss > 0) {
    const proc = lossModel(cfg.lossModel)(cfg.netLoss, 0, cfg, new Streams(1).get('fit-check'), 0);
    for (let k = proc.nextLoss(0); k < n; k = proc.nextLoss(k + 1)) model[k] = 1;
  }
  const rt = lossRuns(lost), rm = lossRuns(model);
  return {
    config,
    latencyTable: table,
    ks,
    gilbertElliott: ge,
    lossRate: rate,
    runs: RUN_BINS.map(([length], i) => ({ length, trace: rt.bins[i], model: rm.bins[i] })),
    meanRun: { trace: rt.mean, model: rm.mean },
    fitCopies: fitN,
  };
}
