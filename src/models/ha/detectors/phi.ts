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
 * Phi grows with t, so the deadline is the time after the last heartbeat at
 * which phi reaches the threshold, from the present estimate (it moves with
 * every heartbeat, earlier as well as later). Both forms have it in closed
 * form: t = threshold mean ln 10 (exponential); t = mean + std y* (normal),
 * where y* solves y (1.5976 + 0.070566 y^2) = ln((1 - P) / P), P =
 * 10^-threshold, a cubic with one real root (Cardano, then Newton).
 */
import type { HeartbeatArrivals, FailureDetector, QuietStream } from '../detector.ts';
import { ArrivalBuffer, heardEach, resumPoint } from './arrivals.ts';
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

/** The y at which Akka's logistic approximation gives phi = threshold: the root of 0.070566 y^3 + 1.5976 y = ln((1 - P) / P). */
export function phiNormalRoot(threshold: number): number {
  const P = 10 ** -threshold;
  const a = 0.070566, b = 1.5976, c = Math.log1p(-P) - Math.log(P);
  const p = b / a, q = -c / a;
  const r = Math.sqrt((q * q) / 4 + (p * p * p) / 27);
  let y = Math.cbrt(-q / 2 + r) + Math.cbrt(-q / 2 - r);
  for (let i = 0; i < 3; i++) y -= (a * y * y * y + b * y - c) / (3 * a * y * y + b);
  return y;
}

export class PhiDetector implements FailureDetector {
  readonly name = 'phi';
  private readonly w: Windows;
  private readonly last: Float64Array;
  private readonly y: number;
  private readonly exponential: boolean;
  private readonly pause: number;
  private readonly minStd: number;
  private readonly expFactor: number;
  private readonly scratch: Float64Array;
  private readonly arr = new ArrivalBuffer();

  constructor(N: number, private readonly o: PhiOptions) {
    this.w = new Windows(N * N, o.window);
    this.scratch = new Float64Array(o.window);
    this.last = new Float64Array(N * N);
    this.y = phiNormalRoot(o.threshold);
    this.exponential = o.form === 'exponential';
    this.pause = o.pause;
    this.minStd = o.minStd;
    this.expFactor = o.threshold * Math.LN10;
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

  heard(k: number, t: number, seq: number): void {
    const dt = t - this.last[k];
    this.last[k] = t;
    if (dt <= this.o.maxInterval) this.w.push(k, dt);
    // the sums again from the values at every period-th heartbeat number (window.ts)
    if (seq % this.w.period === 0) this.w.resum(k);
  }

  /**
   * As `heard` for each arrival of [from, to): a long range starts from the
   * window as it stands at the last heartbeat in it that re-sums, gathered
   * backward (the intervals recorded before it), and goes on from there.
   */
  heardRange(k: number, from: number, to: number, a: HeartbeatArrivals): void {
    const r = resumPoint(from, to, a, this.o.window, this.w.period);
    if (r >= 0 && this.gather(k, from, r, a)) from = r + 1;
    heardEach(this, k, from, to, a, this.arr);
  }

  /** Pair k's window and last arrival as `heard` leaves them at arrival r, a re-sum point: its last intervals recorded among the arrivals of [from, r] (false when they hold too few). */
  private gather(k: number, from: number, r: number, a: HeartbeatArrivals): boolean {
    const W = this.o.window, vals = this.scratch, max = this.o.maxInterval;
    for (let span = Math.min(2 * W + 2, r + 1 - from); ; span = Math.min(2 * span, r + 1 - from)) {
      const lo = r + 1 - span;
      const t = this.arr.load(a, lo, r + 1);
      let got = 0, tm = t[span - 1];
      for (let i = span - 2; i >= 0 && got < W; i--) {
        const tp = t[i];
        if (tp === Infinity) continue;
        const dt = tm - tp;
        if (dt <= max) vals[W - 1 - got++] = dt;
        tm = tp;
      }
      if (got === W) {
        this.w.replace(k, vals);
        this.last[k] = t[span - 1];
        return true;
      }
      if (lo === from) return false;
    }
  }

  /**
   * Phi reaches the threshold no sooner than this after the last arrival,
   * whatever the stream's heartbeats: the window's mean cannot drop below
   * its smallest value or the stream's least interval (its first one from
   * the last arrival, then h less the latencies' spread; 1 us off for
   * rounding).
   */
  floor(k: number, s: QuietStream): number {
    const least = Math.min(s.t0 + s.lo - this.last[k], s.h - (s.hi - s.lo)) - 1e-6;
    const m = Math.min(this.w.min(k), least);
    if (this.exponential) return m > 0 ? this.expFactor * m : -1;
    if (this.y < 0) return -1;
    return Math.max(0, m) + this.pause + this.minStd * this.y;
  }

  /** Time after the last heartbeat at which phi reaches the threshold, from the present estimate. */
  suspectAfter(k: number): number {
    const mean = this.w.mean(k);
    if (this.exponential) return this.expFactor * mean;
    const std = this.w.std(k);
    return mean + this.pause + (std > this.minStd ? std : this.minStd) * this.y;
  }

  deadline(k: number): number {
    return this.last[k] + this.suspectAfter(k);
  }

  expire(): number {
    return -1;
  }

  save(k: number): unknown {
    return this.w.save(k, this.last[k]);
  }

  restore(k: number, s: unknown): void {
    this.last[k] = this.w.restore(k, s);
  }
}
