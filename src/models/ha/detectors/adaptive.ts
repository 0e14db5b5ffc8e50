/**
 * Chen, Toueg and Aguilera's NFD-E (2002): heartbeat number l is expected at
 * EA(l) = mean over the window of (A_i - eta s_i) + eta l, where A_i is the
 * arrival of heartbeat s_i and eta the sending interval; the observer
 * suspects the target when heartbeat l + 1 (l the last one heard) has not
 * arrived by the freshness point EA(l + 1) + alpha: the deadline.
 */
import type { FailureDetector } from '../detector.ts';
import { Windows } from './window.ts';

export class AdaptiveDetector implements FailureDetector {
  readonly name = 'adaptive';
  private readonly w: Windows;
  private readonly lastSeq: Float64Array;
  /** The reset time, used until the first heartbeat is heard. */
  private readonly since: Float64Array;

  constructor(N: number, private readonly eta: number, window: number, private readonly alpha: number) {
    this.w = new Windows(N * N, window);
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
