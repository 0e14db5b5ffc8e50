/**
 * Chen, Toueg and Aguilera's NFD-E (2002): heartbeat number l is expected at
 * EA(l) = mean over the window of (A_i - eta s_i) + eta l, where A_i is the
 * arrival of heartbeat s_i and eta the sending interval; the observer
 * suspects the target when heartbeat l + 1 (l the last one heard) has not
 * arrived by the freshness point EA(l + 1) + alpha: the deadline.
 */
import type { HeartbeatArrivals, FailureDetector, QuietStream } from '../detector.ts';
import { ArrivalBuffer, heardEach, resumPoint } from './arrivals.ts';
import { Windows } from './window.ts';

export class AdaptiveDetector implements FailureDetector {
  readonly name = 'adaptive';
  private readonly w: Windows;
  private readonly lastSeq: Float64Array;
  /** The reset time, used until the first heartbeat is heard. */
  private readonly since: Float64Array;

  private readonly scratch: Float64Array;
  private readonly arr = new ArrivalBuffer();

  constructor(N: number, private readonly eta: number, private readonly window: number, private readonly alpha: number) {
    this.w = new Windows(N * N, window);
    this.scratch = new Float64Array(window);
    this.lastSeq = new Float64Array(N * N);
    this.since = new Float64Array(N * N);
  }

  reset(k: number, now: number): void {
    this.w.clear(k);
    this.since[k] = now;
  }

  heard(k: number, t: number, seq: number): void {
    this.w.push(k, t - this.eta * seq);
    this.lastSeq[k] = seq;
    // the sums again from the values at every period-th heartbeat number (window.ts)
    if (seq % this.w.period === 0) this.w.resum(k);
  }

  /** As `heard` for each arrival of [from, to): a long range starts from the window at the last heartbeat in it that re-sums (its last `window` arrivals). */
  heardRange(k: number, from: number, to: number, a: HeartbeatArrivals): void {
    const r = resumPoint(from, to, a, this.window, this.w.period);
    if (r >= 0 && this.gather(k, from, r, a)) from = r + 1;
    heardEach(this, k, from, to, a, this.arr);
  }

  /** Pair k's window as `heard` leaves it at arrival r, a re-sum point: the offsets of its last arrivals among [from, r] (false when there are too few). */
  private gather(k: number, from: number, r: number, a: HeartbeatArrivals): boolean {
    const W = this.window, vals = this.scratch, eta = this.eta, seq0 = a.seq(0);
    for (let span = Math.min(W + 16, r + 1 - from); ; span = Math.min(2 * span, r + 1 - from)) {
      const lo = r + 1 - span;
      const t = this.arr.load(a, lo, r + 1);
      let got = 0;
      for (let i = span - 1; i >= 0 && got < W; i--) if (t[i] !== Infinity) vals[W - 1 - got++] = t[i] - eta * (seq0 + (lo + i));
      if (got === W) {
        this.w.replace(k, vals);
        this.lastSeq[k] = seq0 + r;
        return true;
      }
      if (lo === from) return false;
    }
  }

  /**
   * The deadline less the last arrival is mean(offsets) - (the last offset) +
   * eta + alpha, offsets A - eta s: no less than the least offset less the
   * largest, over the window and the stream's (t0 - eta seq0 + latency, 1 us
   * off for rounding).
   */
  floor(k: number, s: QuietStream): number {
    if (this.w.count[k] === 0 || s.h !== this.eta) return -1;
    const base = s.t0 - this.eta * s.seq0;
    const lo = Math.min(this.w.min(k), base + s.lo - 1e-6), hi = Math.max(this.w.max(k), base + s.hi + 1e-6);
    return lo - hi + this.eta + this.alpha;
  }

  /** The freshness point of the next heartbeat. */
  deadline(k: number): number {
    if (this.w.count[k] === 0) return this.since[k] + this.eta + this.alpha;
    return this.w.mean(k) + this.eta * (this.lastSeq[k] + 1) + this.alpha;
  }

  expire(): number {
    return -1;
  }

  save(k: number): unknown {
    return this.w.save(k, this.lastSeq[k]);
  }

  restore(k: number, s: unknown): void {
    this.lastSeq[k] = this.w.restore(k, s);
  }
}
