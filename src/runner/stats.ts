/** Summary statistics over seeds: mean and a 95% confidence interval (Student t). */

// two-sided 95% quantiles of Student's t, t_{0.975, df}, for df = 1..30
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131,
  2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/** t_{0.975, df}; past 30 degrees of freedom a Cornish-Fisher expansion (error < 1e-3). */
export function tQuantile975(df: number): number {
  if (df < 1) return NaN;
  if (df <= 30) return T975[Math.floor(df) - 1];
  const z = 1.959964;
  const g1 = (z ** 3 + z) / 4;
  const g2 = (5 * z ** 5 + 16 * z ** 3 + 3 * z) / 96;
  const g3 = (3 * z ** 7 + 19 * z ** 5 + 17 * z ** 3 - 15 * z) / 384;
  return z + g1 / df + g2 / df ** 2 + g3 / df ** 3;
}

export interface Summary {
  mean: number;
  low: number;
  high: number;
  n: number;
}

/** Mean and 95% CI of the finite values; NaN bounds when fewer than two values. */
export function summarize(values: readonly number[]): Summary {
  const xs = values.filter((v) => Number.isFinite(v));
  const n = xs.length;
  if (n === 0) return { mean: NaN, low: NaN, high: NaN, n: 0 };
  let sum = 0;
  for (const x of xs) sum += x;
  const mean = sum / n;
  if (n < 2) return { mean, low: NaN, high: NaN, n };
  let ss = 0;
  for (const x of xs) ss += (x - mean) ** 2;
  const sd = Math.sqrt(ss / (n - 1));
  const half = tQuantile975(n - 1) * (sd / Math.sqrt(n));
  return { mean, low: mean - half, high: mean + half, n };
}

/** The q-quantile (0..1) of values by linear interpolation between order statistics. */
export function quantile(values: readonly number[], q: number): number {
  const xs = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (xs.length === 0) return NaN;
  const pos = (xs.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo);
}

/** Units of quantities that cannot be negative: times, counts, rates, money, sizes. */
const NON_NEGATIVE_UNITS = new Set(['s', 'h', 'min/yr', 'count', 'users', 'pairs', 'events', 'messages', 'user s', '1/s', '1/yr', '1/day', '1/pair-day', '1/node-day', '$/yr', 'B/s']);

/** The values a metric can take: its declared range, else [0, Infinity] for a unit that cannot be negative, else unbounded. */
export function rangeOf(info: { unit: string; range?: [number, number] } | undefined): [number, number] {
  if (info?.range) return info.range;
  return info && NON_NEGATIVE_UNITS.has(info.unit) ? [0, Infinity] : [-Infinity, Infinity];
}
