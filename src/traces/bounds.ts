/** Confidence bounds for counts of rare events (a detector's wrong suspicions). */

/** P(X <= k) for X Poisson with mean lambda. */
export function poissonCdf(k: number, lambda: number): number {
  let term = Math.exp(-lambda), sum = term;
  for (let i = 1; i <= k; i++) {
    term *= lambda / i;
    sum += term;
  }
  return Math.min(1, sum);
}

/**
 * The one-sided upper confidence bound of a Poisson mean after k events:
 * the mean at which k or fewer events have probability 1 - level (level 0.95:
 * 2.996 for k = 0, the "rule of three"; 4.744 for 1; 6.296 for 2).
 */
export function poissonUpper(k: number, level = 0.95): number {
  const alpha = 1 - level;
  let lo = k, hi = k + 10 + 10 * Math.sqrt(k + 1);
  while (poissonCdf(k, hi) > alpha) hi *= 2;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (poissonCdf(k, mid) > alpha) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
