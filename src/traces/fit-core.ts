/**
 * The pure part of fitting a channel to a trace (no model imported, so the
 * HA model's trace channel can use it): quantile tables, the KS distance,
 * the Gilbert-Elliott fit by Baum-Welch with its likelihood-ratio test
 * against independent losses, and loss-run counts. fit.ts puts them together.
 */

export interface GilbertElliottFit {
  /** Per copy: good to bad, bad to good. */
  pGB: number;
  pBG: number;
  goodLoss: number;
  burstLoss: number;
  /** Long-run loss rate and mean bad run (copies). */
  lossRate: number;
  burstLength: number;
  iterations: number;
  logLikelihood: number;
}

/** The sorted latencies' q-quantiles, q = 0, 1/(k-1), ..., 1 (all of them when fewer). */
export function quantileTable(sorted: number[], k = 201): number[] {
  if (sorted.length <= k) return sorted.slice();
  const out: number[] = [];
  for (let i = 0; i < k; i++) {
    const x = (i / (k - 1)) * (sorted.length - 1), j = Math.floor(x);
    out.push(j >= sorted.length - 1 ? sorted[sorted.length - 1] : sorted[j] + (sorted[j + 1] - sorted[j]) * (x - j));
  }
  return out;
}

/** sup |F_sample - F_table| where the table is a piecewise-linear quantile function (the HA model's empirical latency). */
export function ksDistance(sorted: number[], table: number[]): number {
  const n = sorted.length, m = table.length;
  const cdf = (x: number) => {
    if (x < table[0]) return 0;
    if (x >= table[m - 1]) return 1;
    let lo = 0, hi = m - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (table[mid] <= x) lo = mid;
      else hi = mid;
    }
    const w = table[hi] - table[lo];
    return (lo + (w > 0 ? (x - table[lo]) / w : 1)) / (m - 1);
  };
  let d = 0;
  for (let i = 0; i < n; i++) {
    const f = cdf(sorted[i]);
    d = Math.max(d, Math.abs(f - i / n), Math.abs(f - (i + 1) / n));
  }
  return d;
}

/**
 * Baum-Welch for a two-state channel losing copies independently in each
 * state: `lost[k]` 1 when copy k was lost. Starts from a bad state much
 * lossier than the good one; the state with the higher loss rate is called
 * bad. Stops when the log-likelihood gains less than 1e-9 relative, or after
 * `maxIter` rounds.
 */
export function fitGilbertElliott(lost: Uint8Array, maxIter = 200): GilbertElliottFit {
  const n = lost.length;
  const rate = lost.reduce((a, b) => a + b, 0) / n;
  let a = Math.min(0.5, rate / 5), b = 0.2, eG = rate / 4, eB = Math.min(0.99, Math.max(0.5, 4 * rate));
  const f0 = new Float64Array(n), f1 = new Float64Array(n), sc = new Float64Array(n);
  let ll = -Infinity, it = 0;
  for (; it < maxIter; it++) {
    // forward, scaled
    let p0 = b / (a + b), p1 = a / (a + b);
    let llNew = 0;
    for (let k = 0; k < n; k++) {
      if (k > 0) {
        const q0 = f0[k - 1], q1 = f1[k - 1];
        p0 = q0 * (1 - a) + q1 * b;
        p1 = q0 * a + q1 * (1 - b);
      }
      const x = lost[k];
      p0 *= x ? eG : 1 - eG;
      p1 *= x ? eB : 1 - eB;
      const s = p0 + p1;
      sc[k] = s;
      llNew += Math.log(s);
      f0[k] = p0 / s;
      f1[k] = p1 / s;
    }
    // backward, accumulating the expected transitions and emissions
    let b0 = 1, b1 = 1;
    let n00 = 0, n01 = 0, n10 = 0, n11 = 0, g0 = 0, g1 = 0, l0 = 0, l1 = 0;
    for (let k = n - 1; k >= 0; k--) {
      const x = lost[k];
      const gam0 = f0[k] * b0, gam1 = f1[k] * b1, gs = gam0 + gam1;
      g0 += gam0 / gs;
      g1 += gam1 / gs;
      if (x) (l0 += gam0 / gs), (l1 += gam1 / gs);
      if (k === 0) break;
      const e0 = x ? eG : 1 - eG, e1 = x ? eB : 1 - eB;
      const q0 = f0[k - 1], q1 = f1[k - 1];
      const t00 = q0 * (1 - a) * e0 * b0, t01 = q0 * a * e1 * b1, t10 = q1 * b * e0 * b0, t11 = q1 * (1 - b) * e1 * b1;
      const ts = t00 + t01 + t10 + t11;
      n00 += t00 / ts;
      n01 += t01 / ts;
      n10 += t10 / ts;
      n11 += t11 / ts;
      const nb0 = ((1 - a) * e0 * b0 + a * e1 * b1) / sc[k], nb1 = (b * e0 * b0 + (1 - b) * e1 * b1) / sc[k];
      const m = nb0 + nb1;
      b0 = nb0 / m;
      b1 = nb1 / m;
    }
    a = n01 / Math.max(1e-300, n00 + n01);
    b = n10 / Math.max(1e-300, n10 + n11);
    eG = l0 / Math.max(1e-300, g0);
    eB = l1 / Math.max(1e-300, g1);
    const done = Math.abs(llNew - ll) <= 1e-9 * Math.abs(llNew);
    ll = llNew;
    if (done) break;
  }
  // the lossier state is the bad one
  if (eG > eB) [a, b, eG, eB] = [b, a, eB, eG];
  const piB = a / (a + b);
  return { pGB: a, pBG: b, goodLoss: eG, burstLoss: eB, lossRate: piB * eB + (1 - piB) * eG, burstLength: 1 / b, iterations: it + 1, logLikelihood: ll };
}

export const RUN_BINS: Array<[string, number, number]> = [['1', 1, 1], ['2', 2, 2], ['3', 3, 3], ['4-7', 4, 7], ['8-15', 8, 15], ['16-63', 16, 63], ['64+', 64, Infinity]];

/** Loss runs (maximal stretches of lost copies) by length bin, and their mean length. */
export function lossRuns(lost: ArrayLike<number>): { bins: number[]; mean: number } {
  const bins = RUN_BINS.map(() => 0);
  let run = 0, runs = 0, total = 0;
  const close = () => {
    if (run === 0) return;
    bins[RUN_BINS.findIndex(([, lo, hi]) => run >= lo && run <= hi)]++;
    runs++;
    total += run;
    run = 0;
  };
  for (let k = 0; k < lost.length; k++) (lost[k] ? run++ : close());
  close();
  return { bins, mean: runs ? total / runs : 0 };
}

/** The HA model's Gilbert-Elliott options of a fit (its mean bad run and the loss in each state). */
export function gilbertElliottOptions(g: GilbertElliottFit): { burstLength: number; burstLoss: number; goodLoss: number } {
  return { burstLength: g.burstLength, burstLoss: Math.min(1, g.burstLoss), goodLoss: g.goodLoss };
}

/** How a trace's losses are modelled: none, independent at the rate, or Gilbert-Elliott when it fits better. */
export interface LossFit {
  rate: number;
  gilbertElliott?: GilbertElliottFit;
  /** Copies the fit read (the first of the trace). */
  copies: number;
}

/**
 * The loss model of a trace: a Gilbert-Elliott fit of its first `maxFit`
 * copies, kept when the likelihood-ratio test against independent losses at
 * the same rate passes at 95% (3 more parameters: chi-square 7.81) and its
 * bad state loses more than twice as often as its good one; else Bernoulli.
 */
export function fitLoss(lost: Uint8Array, maxFit = 500_000): LossFit {
  const n = lost.length, rate = lost.reduce((x, y) => x + y, 0) / n;
  const fitN = Math.min(n, maxFit);
  if (!(rate > 0 && rate < 1)) return { rate, copies: fitN };
  const sub = lost.subarray(0, fitN);
  const g = fitGilbertElliott(sub);
  const k = sub.reduce((x, y) => x + y, 0), q = k / fitN;
  const llBernoulli = k * Math.log(q) + (fitN - k) * Math.log(1 - q);
  const ok = 2 * (g.logLikelihood - llBernoulli) > 7.81 && g.burstLoss > 2 * g.goodLoss && g.burstLength >= 1 && g.lossRate > g.goodLoss && g.lossRate < g.burstLoss;
  return { rate, gilbertElliott: ok ? g : undefined, copies: fitN };
}

/** 1 for each lost message of a trace's latencies (NaN: lost). */
export function lostOf(latency: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(latency.length);
  for (let k = 0; k < latency.length; k++) out[k] = Number.isNaN(latency[k]) ? 1 : 0;
  return out;
}
