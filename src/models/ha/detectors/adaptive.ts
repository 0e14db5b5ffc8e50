/**
 * Chen, Toueg and Aguilera's NFD-E (2002): heartbeat number l is expected at
 * EA(l) = mean over the window of (A_i - eta s_i) + eta l, where A_i is the
 * arrival of heartbeat s_i and eta the sending interval; the observer
 * suspects the target when heartbeat l + 1 (l the last one heard) has not
 * arrived by the freshness point EA(l + 1) + alpha: the deadline.
 */
import type { Arrivals, FailureDetector, QuietStream } from '../detector.ts';
import { Windows } from './window.ts';

export class AdaptiveDetector implements FailureDetector {
  readonly name = 'adaptive';
  private readonly w: Windows;
  private readonly lastSeq: Float64Array;
  /** The reset time, used until the first heartbeat is heard. */
  private readonly since: Float64Array;

  private readonly scratch: Float64Array;

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
    // the sums again from the values at every window-th heartbeat number (window.ts)
    if (seq % this.window === 0) this.w.resum(k);
  }

  /** As `heard` for each arrival of [from, to): a long range starts from the window at the last heartbeat in it that re-sums (its last `window` arrivals). */
  heardRange(k: number, from: number, to: number, a: Arrivals): void {
    const W = this.window;
    if (to - from > 3 * W) {
      let r = to - 1 - (a.seq(to - 1) % W);
      while (r >= from + W && a.at(r) === Infinity) r -= W;
      if (r >= from + W) {
        const vals = this.scratch;
        let got = 0;
        for (let p = r; p >= from && got < W; p--) {
          const t = a.at(p);
          if (t !== Infinity) vals[W - 1 - got++] = t - this.eta * a.seq(p);
        }
        if (got === W) {
          this.w.replace(k, vals);
          this.lastSeq[k] = a.seq(r);
          from = r + 1;
        }
      }
    }
    for (let n = from; n < to; n++) {
      const t = a.at(n);
      if (t !== Infinity) this.heard(k, t, a.seq(n));
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
