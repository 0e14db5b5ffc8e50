/**
 * Latency from an empirical table (`netLatencyTable`, `serialLatencyTable`):
 * measured one-way latencies (samples in any order, or quantiles), in
 * seconds, separated by spaces or commas. A draw is the table's quantile
 * function at a uniform u, interpolated linearly between the sorted values
 * (the i-th of n sorted values is the quantile i / (n - 1)). A channel whose
 * table is empty keeps the uniform model.
 */
import type { LatencyDist, LatencyModel } from '../channel-models.ts';
import { uniformLatency } from './uniform.ts';

/** Its options (declared here, collected into the HA options by channel-models.ts). */
export const EMPIRICAL_OPTIONS = {
  netLatencyTable: { type: 'string', default: '', optional: true, group: 'channels', help: "empirical latency: measured one-way latencies of the net channel (s, samples or quantiles, space- or comma-separated); '' keeps the uniform model" },
  serialLatencyTable: { type: 'string', default: '', optional: true, group: 'channels', help: "empirical latency: measured one-way latencies of the serial channel (s); '' keeps the uniform model" },
} as const;

/** The sorted values of a latency table; throws a one-line error for a bad one. */
export function parseTable(text: string, name: string): number[] {
  const parts = text.split(/[\s,]+/).filter((x) => x !== '');
  const v = parts.map(Number);
  const bad = parts.findIndex((x, i) => !(Number.isFinite(v[i]) && v[i] > 0));
  if (bad >= 0) throw new Error(`${name}: '${parts[bad]}' is not a latency in seconds (a positive number)`);
  return v.sort((a, b) => a - b);
}

export const empiricalLatency: LatencyModel = (cfg, c) => {
  const name = c === 0 ? 'netLatencyTable' : 'serialLatencyTable';
  const v = parseTable(c === 0 ? cfg.netLatencyTable : cfg.serialLatencyTable, name);
  return v.length === 0 ? uniformLatency(cfg, c) : tableLatency(v);
};

/** The latency of a sorted table: its quantile function, interpolated linearly (the i-th of n values is the quantile i / (n - 1)). */
export function tableLatency(v: number[]): LatencyDist {
  const n = v.length;
  return {
    lo: v[0],
    hi: v[n - 1],
    at: (u) => {
      if (n === 1) return v[0];
      const x = u * (n - 1), i = Math.floor(x);
      return i >= n - 1 ? v[n - 1] : v[i] + (v[i + 1] - v[i]) * (x - i);
    },
  };
}
