/**
 * The heartbeats of one quiet directed pair (sender i to receiver j): copy
 * fates looked up where they can matter. Heartbeat n of the stream carries
 * the number s0 + n and is sent at the sender's tick m0 + n; its copy on
 * channel c is lost when the channel was down at the stream's start or the
 * channel's loss process has s0 + n, and otherwise arrives after its keyed
 * latency (links.ts). These are the fates every schedule reads.
 *
 * With latencies spread less than h apart, heartbeats arrive in send order,
 * so "which heartbeats have arrived by now" is a prefix of the stream, and a
 * silence of T > h + spread between two arrivals needs a run of heartbeats
 * lost on both channels: `silenceEnd` walks from run to run of those.
 */
import type { Links } from './links.ts';
import type { HeartbeatArrivals, QuietStream } from './detector.ts';

export class LazyStream {
  readonly l0: number;
  readonly lmax: number;
  private readonly serialLo: number;
  private readonly down0: boolean;
  private readonly down1: boolean;
  /** The next loss at or after `cur*` per channel (a cursor that moves forward; Infinity: none). */
  private at0 = Infinity;
  private at1 = Infinity;
  private next0 = 0;
  private next1 = 0;
  /** Heartbeats examined by silence scans before the owner lets one look further (grows while scans find nothing). */
  chunk = 64;
  /** The least and largest latency of a first copy. */
  readonly lmin: number;
  /** The stream's arrivals by heartbeat index, for a detector (detector.ts). */
  readonly arrivals: HeartbeatArrivals;

  constructor(
    private readonly links: Links,
    from: number,
    to: number,
    readonly s0: number,
    /** The sender's tick grid (anchor + m h) and the tick of heartbeat 0. */
    private readonly anchor: number,
    private readonly h: number,
    private readonly m0: number,
    /** The arrival priority of the net copies (order.ts); serial ones come right after. */
    readonly priority: number,
  ) {
    this.l0 = links.index(from, to, 0);
    this.down0 = links.up[this.l0] === 0;
    this.down1 = links.up[this.l0 + 1] === 0;
    this.lmax = Math.max(links.dist[0].hi, links.dist[1].hi);
    this.lmin = Math.min(links.dist[0].lo, links.dist[1].lo);
    // filled in bulk where a net copy that arrives always comes first; any other stream is read an arrival at a time (as fast there)
    const netFirst = links.dist[0].hi <= links.dist[1].lo && !this.down0;
    this.arrivals = { at: (n) => this.arrival(n), seq: (n) => this.s0 + n, fill: netFirst ? (a, b, out) => this.fill(a, b, out) : undefined };
    this.serialLo = links.dist[1].lo;
  }

  /** Send time of heartbeat n (the sender's grid, as its clock computes it). */
  t(n: number): number {
    return this.anchor + (this.m0 + n) * this.h;
  }

  /** The stream from heartbeat n on, as a detector may reason about it. */
  from(n: number): QuietStream {
    return { t0: this.t(n), h: this.h, seq0: this.s0 + n, lo: this.lmin, hi: this.lmax };
  }

  /** Is heartbeat n's copy on channel c lost? */
  lost(c: number, n: number): boolean {
    if (c === 0) {
      if (this.down0) return true;
      if (n < this.at0 || n > this.next0) {
        this.at0 = n;
        this.next0 = this.links.nextDrop(this.l0, 0, this.s0 + n) - this.s0;
      }
      return this.next0 === n;
    }
    if (this.down1) return true;
    if (n < this.at1 || n > this.next1) {
      this.at1 = n;
      this.next1 = this.links.nextDrop(this.l0 + 1, 0, this.s0 + n) - this.s0;
    }
    return this.next1 === n;
  }

  fullyLost(n: number): boolean {
    return this.lost(0, n) && this.lost(1, n);
  }

  /** Latency of heartbeat n's copy on channel c. */
  latency(c: number, n: number): number {
    return this.links.baseLatency(this.l0 + c, 0, this.s0 + n);
  }

  // (class HB is 0: heartbeat copies; a literal, as an imported binding costs a lookup per use in a hot loop)

  /** Arrival of heartbeat n: its first copy not lost (Infinity: both lost). */
  arrival(n: number): number {
    const a = this.lost(0, n) ? Infinity : this.latency(0, n);
    // a serial copy that cannot come first is not looked up
    if (a <= this.serialLo) return this.t(n) + a;
    const b = this.lost(1, n) ? Infinity : this.latency(1, n);
    return this.t(n) + (a < b ? a : b);
  }

  /**
   * `arrival(n)` for heartbeats [a, b) into out[0 .. b - a), for a stream
   * whose net copies, when they arrive, always come first (every net latency
   * at most every serial one, the net channel up): the net latencies in one
   * tight loop, then the heartbeats whose net copy is lost.
   */
  private fill(a: number, b: number, out: Float64Array): void {
    const links = this.links, s0 = this.s0, l0 = this.l0, l1 = l0 + 1, count = b - a;
    links.baseLatencies(l0, 0, s0 + a, count, out);
    // t(n) + latency: t(n) = anchor + (m0 + n) h, as t() computes it (a sum of two numbers is the same either way round)
    const anchor = this.anchor, h = this.h, m = this.m0 + a;
    for (let i = 0; i < count; i++) out[i] += anchor + (m + i) * h;
    // the net copies lost: the serial copy, or nothing
    for (let n = links.nextDrop(l0, 0, s0 + a) - s0; n < b; n = links.nextDrop(l0, 0, s0 + n + 1) - s0)
      out[n - a] = this.lost(1, n) ? Infinity : this.t(n) + links.baseLatency(l1, 0, s0 + n);
  }

  /** The channel of heartbeat n's first copy to arrive (net on a tie). */
  firstChannel(n: number): number {
    if (this.lost(0, n)) return 1;
    if (this.lost(1, n)) return 0;
    const a = this.latency(0, n);
    return a > this.serialLo && this.latency(1, n) < a ? 1 : 0;
  }

  /** The first heartbeat at or after n lost on both channels (Infinity: none). */
  nextFull(n: number): number {
    if (this.down0 && this.down1) return n;
    for (;;) {
      const a = this.down0 ? n : this.links.nextDrop(this.l0, 0, this.s0 + n) - this.s0;
      if (a === Infinity) return Infinity;
      const b = this.down1 ? a : this.links.nextDrop(this.l0 + 1, 0, this.s0 + a) - this.s0;
      if (b === Infinity) return Infinity;
      if (a === b) return a;
      n = b;
    }
  }

  /** No copy ever arrives (both channels down). */
  get deaf(): boolean {
    return this.down0 && this.down1;
  }

  /** Copies lost on channel c among heartbeats [a, b) (before they are forgotten; the channel is as it was at the stream's start). */
  private drops(c: number, a: number, b: number): number {
    return this.links.lostIn(this.l0 + c, 0, this.s0 + a, this.s0 + b);
  }

  // copies lost among heartbeats before `countedTo`, counted when they were forgotten
  private countedTo = 0;
  private lost0 = 0;
  private lost1 = 0;

  /** Copies lost on both channels among heartbeats 0..n. */
  lostCount(n: number): number {
    return this.lost0 + this.lost1 + this.drops(0, this.countedTo, n + 1) + this.drops(1, this.countedTo, n + 1);
  }

  /** Heartbeats before n are not asked about again (their losses are counted first). */
  forget(n: number): void {
    if (n <= this.countedTo) return;
    this.lost0 += this.drops(0, this.countedTo, n);
    this.lost1 += this.drops(1, this.countedTo, n);
    this.countedTo = n;
    this.links.forget(this.l0, 0, this.s0 + n);
    this.links.forget(this.l0 + 1, 0, this.s0 + n);
  }
}
