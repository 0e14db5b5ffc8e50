/**
 * The heartbeats of one quiet directed pair (sender i to receiver j), drawn
 * only where they can matter. Heartbeat n is sent at t0 + n h with two copies
 * (c = 0 net, 1 serial). Each copy is lost with its channel's probability,
 * independently (a lost copy is a position of a Bernoulli process, drawn as
 * geometric gaps: one draw per loss); a copy's latency is uniform on its
 * channel's range, drawn the first time anything asks for it. Both are draws
 * that nothing else depends on, so drawing them late, from streams of their
 * own, changes no distribution.
 *
 * With latencies spread less than h apart, heartbeats arrive in send order,
 * so the receiver's "last heard" at time t is the arrival of the newest
 * heartbeat sent by t that is not lost on both channels and has arrived; and
 * a silence of T between two arrivals needs a run of heartbeats lost on both
 * channels (when T > h + spread). `scan` walks from run to run of those and
 * draws the two latencies around a run only when the run is long enough to
 * matter.
 */
import type { Stream } from '../../kernel/random.ts';
import type { ChannelLatency } from './links.ts';

export class LazyStream {
  /** Loss positions drawn per channel, increasing; entries before `head` are pruned. */
  private readonly pos: [number[], number[]] = [[], []];
  private readonly head = [0, 0];
  private readonly pruned = [0, 0];
  /** Last loss position drawn (Infinity: no more losses). */
  private readonly drawn = [-1, -1];
  /** Copy latencies drawn so far, key n * 2 + c. */
  private readonly lat = new Map<number, number>();
  readonly lmin: number;
  readonly lmax: number;
  // the silence scan: heartbeats before `cur` are examined; prevN is the last one that arrives (-1: the arrival before the stream, prevA)
  private cur = 0;
  private prevN = -1;
  private prevA: number;
  /** How far ahead the owner lets a scan look (heartbeats): 64 at first; the owner grows it while scans find nothing. */
  chunk = 64;

  constructor(
    readonly t0: number,
    readonly h: number,
    /** Arrival of the last heartbeat the receiver counted before this stream began. */
    lastBefore: number,
    private readonly loss: [number, number],
    private readonly down: [boolean, boolean],
    private readonly latency: readonly [ChannelLatency, ChannelLatency],
    private readonly rLoss: Stream,
    private readonly rLat: Stream,
  ) {
    this.prevA = lastBefore;
    this.lmin = Math.min(latency[0].lo, latency[1].lo);
    this.lmax = Math.max(latency[0].lo + latency[0].span, latency[1].lo + latency[1].span);
  }

  /** Send time of heartbeat n. */
  t(n: number): number {
    return this.t0 + n * this.h;
  }

  /** The newest heartbeat sent at or before `now` (-1: none). */
  sentBy(now: number): number {
    let n = Math.floor((now - this.t0) / this.h);
    while (this.t(n + 1) <= now) n++;
    while (n >= 0 && this.t(n) > now) n--;
    return n;
  }

  private drawTo(c: number, n: number): void {
    const p = this.pos[c];
    while (this.drawn[c] < n) {
      const g = this.rLoss.geometric(this.loss[c]);
      if (g === Infinity) {
        this.drawn[c] = Infinity;
        return;
      }
      this.drawn[c] += 1 + g;
      p.push(this.drawn[c]);
    }
  }

  /** Index in pos[c] of the first loss position >= n (positions drawn past n). */
  private find(c: number, n: number): number {
    this.drawTo(c, n);
    const p = this.pos[c];
    let lo = this.head[c], hi = p.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (p[mid] < n) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The first loss on channel c at or after heartbeat n (Infinity: none). */
  private nextLoss(c: number, n: number): number {
    if (this.down[c]) return n;
    const x = this.find(c, n);
    return x < this.pos[c].length ? this.pos[c][x] : Infinity;
  }

  lost(c: number, n: number): boolean {
    return this.nextLoss(c, n) === n;
  }

  fullyLost(n: number): boolean {
    return this.lost(0, n) && this.lost(1, n);
  }

  /** Copies lost on channel c among heartbeats 0..n. */
  lostCount(c: number, n: number): number {
    if (this.down[c]) return n + 1;
    const x = this.find(c, n + 1);
    return this.pruned[c] + x;
  }

  /** Latency of copy c of heartbeat n (drawn once). */
  copyLatency(c: number, n: number): number {
    const key = n * 2 + c;
    let l = this.lat.get(key);
    if (l === undefined) {
      const ch = this.latency[c];
      l = ch.lo + ch.span * this.rLat.random();
      this.lat.set(key, l);
    }
    return l;
  }

  /** Arrival time of heartbeat n: its first copy that is not lost (Infinity: both lost). */
  arrival(n: number): number {
    const net = this.lost(0, n) ? Infinity : this.copyLatency(0, n);
    const serial = this.lost(1, n) ? Infinity : this.copyLatency(1, n);
    return this.t(n) + Math.min(net, serial);
  }

  /** The first heartbeat lost on both channels at or after n (Infinity: none). */
  private nextFull(n: number): number {
    for (;;) {
      const a = this.nextLoss(0, n);
      if (a === Infinity) return Infinity;
      const b = this.nextLoss(1, a);
      if (b === Infinity) return Infinity;
      if (a === b) return a;
      n = b;
    }
  }

  /**
   * The newest heartbeat in (after, sentBy(now)] that has arrived by `now`
   * (-1: none): the receiver's last heard.
   */
  lastArrived(now: number, after: number): number {
    for (let n = this.sentBy(now); n > after; n--) {
      if (this.arrival(n) <= now) return n;
    }
    return -1;
  }

  private prevArrival(): number {
    if (Number.isNaN(this.prevA)) this.prevA = this.arrival(this.prevN);
    return this.prevA;
  }

  /** Could the silence from the previous arrival to heartbeat n's be T or more? Exact when it might. */
  private silenceAtLeast(n: number, T: number): boolean {
    const prevLo = Number.isNaN(this.prevA) ? this.t(this.prevN) + this.lmin : this.prevA;
    if (this.t(n) + this.lmax - prevLo < T) return false;
    return this.arrival(n) - this.prevArrival() >= T;
  }

  /**
   * The end (last arrival + T) of the next silence of T or more, scanning
   * heartbeats up to `limit`; NaN when there is none up to there. A silence
   * found is consumed: the next call looks past it.
   */
  scan(T: number, limit: number): number {
    if (this.down[0] && this.down[1]) return this.prevArrival() + T;
    while (this.cur <= limit) {
      const f = this.nextFull(this.cur);
      // the heartbeat that ends what follows prevN: cur itself, or the first after a run lost on both channels
      let n = this.cur;
      if (f === n) {
        n++;
        while (this.fullyLost(n)) n++;
      }
      if (this.silenceAtLeast(n, T)) {
        const end = this.prevArrival() + T;
        this.prevN = n;
        this.prevA = this.arrival(n);
        this.cur = n + 1;
        return end;
      }
      // n .. f-1 arrive one after the other, less than h + spread < T apart: skip to the last of them (within the limit)
      const last = f > n ? Math.max(n, Math.min(f - 1, limit)) : n;
      this.prevN = last;
      this.prevA = NaN;
      this.cur = last + 1;
    }
    return NaN;
  }

  /** A time no later than the end of the next silence the scan can find: the last arrival examined + T. */
  safeEnd(T: number): number {
    return (Number.isNaN(this.prevA) ? this.t(this.prevN) + this.lmin : this.prevA) + T;
  }

  /** Forget what lies before heartbeat n, and before the scan's position (nothing before them is asked for again). */
  prune(n: number): void {
    n = Math.min(n, this.prevN);
    for (const c of [0, 1]) {
      const p = this.pos[c];
      let h = this.head[c];
      while (h < p.length && p[h] < n) h++;
      this.head[c] = h;
      if (h > 1024) {
        p.splice(0, h);
        this.pruned[c] += h;
        this.head[c] = 0;
      }
    }
    if (this.lat.size > 256) for (const key of this.lat.keys()) if (key < n * 2) this.lat.delete(key);
  }
}
