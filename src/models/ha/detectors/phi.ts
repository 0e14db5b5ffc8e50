/**
 * The phi-accrual failure detector (Hayashibara, Defago, Yared, Katayama
 * 2004): phi(t) = -log10 P(the next heartbeat arrives later than t after the
 * last one), from a sliding window of inter-arrival times; suspect when phi
 * exceeds a threshold. Two forms, each as its project writes it:
 *
 * - 'normal' (Akka, akka.remote.PhiAccrualFailureDetector): mean = window
 *   mean + acceptable heartbeat pause, std = max(window std, min std), and
 *   the normal tail by the logistic approximation
 *   P = e / (1 + e), e = exp(-y (1.5976 + 0.070566 y^2)), y = (t - mean) / std
 *   (for t <= mean: 1 - 1 / (1 + e)). The window starts with mean -/+ mean/4
 *   of the first estimate, as Akka's does.
 * - 'exponential' (Cassandra, FailureDetector.ArrivalWindow): phi = t /
 *   (mean ln 10); the window starts with one interval equal to the first
 *   estimate; intervals above a maximum are not recorded.
 *
 * Phi grows with t, so the time at which it reaches the threshold is found
 * once per look (closed form for the exponential, bisection for the normal
 * form). The window depends on the order of arrivals: not order-free.
 */
import type { FailureDetector } from '../detector.ts';
import { Windows } from './window.ts';

export interface PhiOptions {
  form: 'normal' | 'exponential';
  threshold: number;
  window: number;
  minStd: number;
  pause: number;
  first: number;
  maxInterval: number;
}

/** Akka's phi for a time t since the last heartbeat, mean and std of the inter-arrival times. */
export function phiNormal(t: number, mean: number, std: number): number {
  const y = (t - mean) / std;
  const e = Math.exp(-y * (1.5976 + 0.070566 * y * y));
  return t > mean ? -Math.log10(e / (1 + e)) : -Math.log10(1 - 1 / (1 + e));
}

/** Cassandra's phi. */
export function phiExponential(t: number, mean: number): number {
  return t / (mean * Math.LN10);
}

export class PhiDetector implements FailureDetector {
  readonly name = 'phi';
  readonly orderFree = false;
  private readonly w: Windows;
  private readonly last: Float64Array;

  constructor(N: number, private readonly o: PhiOptions) {
    this.w = new Windows(N * N, o.window);
    this.last = new Float64Array(N * N);
  }

  reset(k: number, now: number): void {
    this.w.clear(k);
    const f = this.o.first;
    if (this.o.form === 'normal') {
      this.w.push(k, f - f / 4);
      this.w.push(k, f + f / 4);
    } else this.w.push(k, f);
    this.last[k] = now;
  }

  heard(k: number, t: number): void {
    const dt = t - this.last[k];
    this.last[k] = t;
    if (dt <= this.o.maxInterval) this.w.push(k, dt);
  }

  /** Time after the last heartbeat at which phi reaches the threshold. */
  suspectAfter(k: number): number {
    const o = this.o;
    const mean = this.w.mean(k);
    if (o.form === 'exponential') return o.threshold * mean * Math.LN10;
    const m = mean + o.pause, s = Math.max(this.w.std(k), o.minStd);
    let lo = m, hi = m + s;
    while (phiNormal(hi, m, s) < o.threshold) hi = m + 2 * (hi - m);
    for (let it = 0; it < 100 && hi - lo > 1e-12 * hi; it++) {
      const mid = (lo + hi) / 2;
      if (phiNormal(mid, m, s) < o.threshold) lo = mid;
      else hi = mid;
    }
    return hi;
  }

  next(k: number, now: number): number {
    const at = this.last[k] + this.suspectAfter(k);
    return at > now ? at : -1;
  }
}
