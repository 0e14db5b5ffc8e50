/**
 * Replay of a measured trace (src/traces): copy k of a channel, numbered as
 * the model numbers them (heartbeat k of its sender, from 1, probes and their
 * answers included; protocol copies apart), gets the trace's k-th fate (its
 * first message's for k = 1): lost, or its one-way latency. Every directed
 * channel of the kind the trace is given for (`netTrace`, `serialTrace`)
 * replays the same trace; a channel without one keeps the uniform latency and
 * Bernoulli loss at its rate. Past the end of the trace (`traceEnd`): 'loop'
 * starts it again from its first message; 'clean' delivers every copy, at the
 * trace's median latency. With `traceUse: fit` the channel runs a model
 * fitted to the trace instead (src/traces/fit-core.ts): its latencies' quantile
 * table, and its losses as Gilbert-Elliott when that fits better than
 * independent losses, else Bernoulli at its rate; as long as one likes. The
 * loss rate options are not read for a channel with a trace.
 */
import type { LatencyDist, LatencyModel, LossModel } from '../channel-models.ts';
import type { HaConfig } from '../options.ts';
import { LossPositions } from './positions.ts';
import { bernoulli } from './bernoulli.ts';
import { uniformLatency } from './uniform.ts';
import { gilbertElliott } from './gilbert-elliott.ts';
import { loadHeartbeatTrace, TRACE_FORMATS, type HeartbeatTrace } from '../../../traces/heartbeat.ts';
import { fitLoss, gilbertElliottOptions, lostOf, quantileTable, type LossFit } from '../../../traces/fit-core.ts';
import { tableLatency } from './empirical.ts';

/** Its options (declared here, collected into the HA options by channel-models.ts). */
export const TRACE_OPTIONS = {
  netTrace: { type: 'string', default: '', optional: true, group: 'channels', help: "lossModel/latencyModel trace: a measured trace the net channel replays (a file: CSV seq,send,receive; Linux ping -D output; RIPE Atlas ping JSON; docs/traces.md); '' none" },
  serialTrace: { type: 'string', default: '', optional: true, group: 'channels', help: "lossModel/latencyModel trace: a trace the serial channel replays; '' none" },
  traceFormat: { type: 'enum', default: 'auto', choices: ['auto', ...TRACE_FORMATS], group: 'channels', help: "the traces' form: 'auto' (JSON is RIPE Atlas, icmp_seq= is ping, else CSV), or named" },
  traceEnd: { type: 'enum', default: 'loop', choices: ['loop', 'clean'], group: 'channels', help: "past the end of a trace: 'loop' (again from its first message) or 'clean' (every copy arrives, at the trace's median latency)" },
  traceUse: { type: 'enum', default: 'replay', choices: ['replay', 'fit'], group: 'channels', help: "'replay': copy k gets the trace's k-th fate; 'fit': a model fitted to the trace (its latency quantiles; Gilbert-Elliott loss when it fits better than independent loss, else Bernoulli; docs/traces.md)" },
} as const;

function traceOf(cfg: HaConfig, c: 0 | 1): HeartbeatTrace | undefined {
  const path = c === 0 ? cfg.netTrace : cfg.serialTrace;
  return path ? loadHeartbeatTrace(path, cfg.traceFormat) : undefined;
}

const fits = new WeakMap<HeartbeatTrace, LossFit>();

/** The lost copies: the trace's, repeated past its end ('loop') or none past it ('clean'); or the fitted model's. */
export const traceLoss: LossModel = (p, start, cfg, rng, c = 0) => {
  const t = traceOf(cfg, c);
  if (!t) return p > 0 ? bernoulli(p, start, cfg, rng) : new LossPositions(() => Infinity);
  if (cfg.traceUse === 'fit') {
    let f = fits.get(t);
    if (!f) fits.set(t, (f = fitLoss(lostOf(t.latency))));
    const g = f.gilbertElliott;
    if (g) return gilbertElliott(g.lossRate, start, { ...cfg, ...gilbertElliottOptions(g) }, rng);
    return f.rate > 0 ? bernoulli(f.rate, start, cfg, rng) : new LossPositions(() => Infinity);
  }
  const n = t.latency.length;
  const lost: number[] = [];
  for (let k = 0; k < n; k++) if (Number.isNaN(t.latency[k])) lost.push(k);
  if (lost.length === 0) return new LossPositions(() => Infinity);
  const loop = cfg.traceEnd === 'loop';
  // copy number m is the trace's message m - 1 (m = 1 its first); the first lost copy at or after `start`
  const first = Math.max(0, start - 1);
  let round = Math.floor(first / n), i = 0;
  if (!loop && round > 0) return new LossPositions(() => Infinity);
  while (i < lost.length && round * n + lost[i] < first) i++;
  return new LossPositions(() => {
    if (i === lost.length) {
      if (!loop) return Infinity;
      round++;
      i = 0;
    }
    return round * n + lost[i++] + 1;
  });
};
traceLoss.ignoresRate = true;

/** Copy m's latency: the trace's m-th (a lost one's: the latency of the message before it). */
export const traceLatency: LatencyModel = (cfg, c) => {
  const t = traceOf(cfg, c);
  if (!t) return uniformLatency(cfg, c);
  const n = t.latency.length;
  const got = Array.from(t.latency).filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  const median = got[Math.floor(got.length / 2)];
  // the fitted latency: the table of the trace's quantiles, as the empirical latency model draws it
  if (cfg.traceUse === 'fit') return tableLatency(quantileTable(got));
  // a lost copy's latency is never read for a heartbeat; fill it so that every copy has one
  const lat = Float64Array.from(t.latency);
  let prev = got[0];
  for (let k = 0; k < n; k++) (Number.isNaN(lat[k]) ? (lat[k] = prev) : (prev = lat[k]));
  const loop = cfg.traceEnd === 'loop';
  const d: LatencyDist = {
    lo: got[0],
    hi: got[got.length - 1],
    at: (u) => got[Math.min(got.length - 1, Math.floor(u * got.length))],
    copy: (m) => (m >= 1 && m <= n ? lat[m - 1] : loop ? lat[(((m - 1) % n) + n) % n] : median),
  };
  return d;
};
