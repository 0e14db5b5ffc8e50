/**
 * Lazy heartbeat delivery: while a sender is quiet its heartbeats are not
 * events at all. A sender is quiet when it runs, none of its copies is in
 * flight as an event, and each peer is either not running (its heartbeats go
 * nowhere) or runs unstarved with the sender in view over channels without
 * extra latency. Then its clock stops and each directed pair's heartbeats
 * become a LazyStream (lazy-stream.ts) over the same fates every schedule
 * reads. The receiver is told of the arrivals when it needs them:
 * - `settle` (before anything reads the pair): the arrivals up to now, in
 *   order, go to the detector and set "last heard";
 * - `plan` (the monitor plans a look): the next look is where the detector
 *   can first act. With a detector that only waits for a silence of T
 *   (`silence`), that is the end of the first such silence, found by walking
 *   from one run of heartbeats lost on both channels to the next. Otherwise
 *   the arrivals are fed to the detector ahead of time, in order, until one
 *   comes after the deadline the detector has then: the look goes there. The
 *   detector's pair state is saved first, and put back if a change makes the
 *   arrivals fed ahead void.
 *
 * Anything that could change the stream ends the quiet stretch first
 * (`flush`, which every mutator of nodes, links and views calls; a probe or a
 * probe's answer from the sender): the heartbeats sent so far are counted,
 * arrivals fed ahead past now are taken back, the receiver's state is
 * settled at the present, copies still in flight become kernel events, the
 * sender's clock restarts at its next tick, and the looks are planned again.
 * The sender turns quiet again at a later tick once those copies are read.
 */
import type { Sim } from '../../kernel/sim.ts';
import type { HaConfig } from './options.ts';
import type { Nodes } from './nodes.ts';
import type { Links } from './links.ts';
import type { Signals } from './signals.ts';
import type { Monitor } from './monitor.ts';
import type { FailureDetector } from './detector.ts';
import { canFeedAhead, heardRange } from './detector.ts';
import { KernelDelivery } from './delivery.ts';
import { LazyStream } from './lazy-stream.ts';
import { arrivalPriority, TICK_PRIORITY } from './order.ts';

/** A silence scan looks at most this many heartbeats ahead (64 at first, doubling while scans find nothing). */
const MAX_CHUNK = 1 << 16;
/** Heartbeats a detector with a floor is scanned ahead for the silences it could act in (the positions of losses are drawn that far; a detector is fed only where one can come). */
const CANDIDATE_SCAN = 1 << 20;
/** ... or this many runs of heartbeats lost on both channels, whichever comes first (heavy loss makes them frequent). */
const CANDIDATE_RUNS = 1 << 12;
/** Arrivals fed ahead to a detector before the look it plans comes back to feed on. */
const FEED_CHUNK = 1 << 12;

export class LazyDelivery extends KernelDelivery {
  private readonly h: number;
  private readonly det: FailureDetector;
  private readonly feedAhead: boolean;
  /** The detector states a floor and takes ranges of arrivals (detector.ts): it is fed only where a silence longer than its floor can come. */
  private readonly floors: boolean;
  /** The longest silence between two consecutive arrivals of a quiet stream: h + the latencies' spread. */
  private readonly gap: number;
  /** Per sender: the quiet stretch's first tick index (-1: not quiet) and the number of its first heartbeat. */
  private readonly m0: Float64Array;
  private readonly s0: Float64Array;
  /** Per pair k = receiver * N + sender: its stream while the sender is quiet. */
  private readonly streams: (LazyStream | undefined)[];
  /** Per pair: the newest heartbeat of the stream applied as arrived (-1: none), and the newest fed to the detector. */
  private readonly fed: Float64Array;
  private readonly ahead: Float64Array;
  /** Per pair: the detector state saved before feeding ahead, at heartbeat savedAt. */
  private readonly saved: unknown[];
  private readonly savedAt: Float64Array;
  private quietSenders = 0;

  constructor(sim: Sim, cfg: HaConfig, nodes: Nodes, links: Links, monitor: Monitor, signals: Signals) {
    super(sim, cfg, nodes, links, monitor, signals);
    const N = this.N;
    this.h = cfg.interval;
    this.det = monitor.detector;
    this.feedAhead = canFeedAhead(this.det);
    this.floors = this.det.floor !== undefined && this.det.heardRange !== undefined;
    this.gap = this.h + links.spread;
    this.m0 = new Float64Array(N).fill(-1);
    this.s0 = new Float64Array(N);
    this.streams = new Array(N * N).fill(undefined);
    this.fed = new Float64Array(N * N);
    this.ahead = new Float64Array(N * N);
    this.saved = new Array(N * N).fill(undefined);
    this.savedAt = new Float64Array(N * N);
  }

  override tick(i: number): void {
    if (this.nodes.hung[i]) return;
    if (this.inflight[i] === 0 && this.canBeQuiet(i)) this.enter(i);
    else super.tick(i);
  }

  private canBeQuiet(i: number): boolean {
    const N = this.N, nodes = this.nodes, links = this.links, now = this.sim.now;
    for (let j = 0; j < N; j++) {
      if (j === i) continue;
      const l = (i * N + j) * 2;
      if (links.extra[l] !== 0 || links.extra[l + 1] !== 0) return false;
      if (nodes.live(j) && (nodes.starvedUntil[j] > now || !this.monitor.inView(j, i))) return false;
    }
    return true;
  }

  /** Sender i turns quiet at this tick: this tick's heartbeat is the first of its streams. */
  private enter(i: number): void {
    const N = this.N, nodes = this.nodes;
    const m0 = nodes.tickNow(i);
    this.m0[i] = m0;
    this.s0[i] = this.seq[i] + 1;
    this.quietSenders++;
    nodes.stopClock(i);
    const anchor = nodes.tickTime(i, 0);
    for (let j = 0; j < N; j++) {
      if (j === i) continue;
      const k = j * N + i;
      this.streams[k] = new LazyStream(this.links, i, j, this.s0[i], anchor, this.h, m0, arrivalPriority(i, j, 0, N));
      this.fed[k] = -1;
      this.ahead[k] = -1;
      this.saved[k] = undefined;
      // arrivals may move the look (earlier too): plan it from the stream
      if (nodes.live(j)) this.monitor.relook(k);
    }
  }

  /** The newest heartbeat of sender i's stretch sent by now (-1: none yet). */
  private sentBy(i: number, st: LazyStream): number {
    const now = this.sim.now;
    let n = Math.floor((now - st.t(0)) / this.h);
    while (this.tickPassed(i, st.t(n + 1))) n++;
    while (n >= 0 && !this.tickPassed(i, st.t(n))) n--;
    return n;
  }

  private tickPassed(i: number, t: number): boolean {
    return this.sim.passed(t, TICK_PRIORITY + i);
  }

  /** The newest heartbeat in (after, sentBy] that has arrived by now (-1: none). */
  private lastArrived(i: number, st: LazyStream, after: number): number {
    if (st.deaf) return -1;
    for (let n = this.sentBy(i, st); n > after; n--) {
      const a = st.arrival(n);
      if (a !== Infinity && this.sim.passed(a, st.priority + st.firstChannel(n))) return n;
    }
    return -1;
  }

  /** Feed heartbeats (from, to] of pair k's stream to the detector (all, or the last when it waits for a silence). */
  private feed(k: number, st: LazyStream, from: number, to: number): void {
    const det = this.det;
    const T = det.silence ? det.silence(k, this.monitor.lastKnown(k)) : -1;
    heardRange(det, k, T > 0 ? to : from + 1, to + 1, st.arrivals);
  }

  override settle(k: number): void {
    const st = this.streams[k];
    if (st === undefined) return;
    const N = this.N, j = (k / N) | 0, i = k - j * N;
    if (!this.nodes.live(j)) return;
    const n = this.lastArrived(i, st, this.fed[k]);
    if (n < 0) return;
    if (n > this.ahead[k]) {
      this.feed(k, st, this.ahead[k], n);
      this.ahead[k] = n;
    }
    this.fed[k] = n;
    this.counted[k] = st.s0 + n;
    this.monitor.setLastHeard(k, st.arrival(n));
    if (this.ahead[k] === n) st.forget(n);
  }

  override plan(k: number, d: number): number {
    const st = this.streams[k];
    if (st === undefined) return d;
    const det = this.det, last = this.monitor.lastKnown(k);
    const T = det.silence ? det.silence(k, last) : -1;
    if (T > this.gap) return this.silenceEnd(k, st, last);
    // the next heartbeat that arrives
    if (st.deaf) return d;
    let n = this.fed[k] + 1;
    let a = st.arrival(n);
    while (a === Infinity) a = st.arrival(++n);
    if (!this.feedAhead) return Math.min(d, a);
    if (this.ahead[k] !== this.fed[k]) throw new Error(`internal: pair ${k} plans a look with arrivals fed ahead (${this.ahead[k]} > ${this.fed[k]})`);
    if (a > d) return Math.max(d, last);
    // a detector that cannot act sooner than `floor` after an arrival: fed only where a longer silence can come
    const floor = this.floors ? det.floor!(k, st.from(this.fed[k] + 1)) : -1;
    if (floor > this.gap) return this.candidates(k, st, n, floor);
    const s0 = st.s0;
    this.saveAhead(k);
    let lastA = last, dl = d, at = -1;
    for (let fedN = 0; fedN < FEED_CHUNK; fedN++) {
      if (a > dl) {
        at = Math.max(dl, lastA);
        break;
      }
      det.heard(k, a, s0 + n);
      const fedAt = n;
      lastA = a;
      dl = det.deadline(k, a);
      do a = st.arrival(++n);
      while (a === Infinity);
      // a detector with no floor yet (a window still empty) may have one after a few arrivals: asked after 1, 2, 4, ... of them
      if (this.floors && (fedN & (fedN + 1)) === 0 && !(a > dl)) {
        const fl = det.floor!(k, st.from(n));
        if (fl > this.gap) {
          this.ahead[k] = fedAt;
          return this.candidates(k, st, n, fl);
        }
      }
    }
    // n is the first heartbeat not fed; come back at the last arrival fed (or act, if the next comes after the deadline)
    this.ahead[k] = n - 1;
    while (this.ahead[k] > this.fed[k] && st.arrival(this.ahead[k]) === Infinity) this.ahead[k]--;
    if (at >= 0) return at;
    return a > dl ? Math.max(dl, lastA) : lastA;
  }

  /** Before arrivals are fed ahead of what has arrived: the detector's state, to put back if a change voids them. */
  private saveAhead(k: number): void {
    this.saved[k] = this.det.save!(k);
    this.savedAt[k] = this.fed[k];
  }

  /**
   * Pair k's detector cannot act sooner than `floor` (> h + spread) after an
   * arrival, and heartbeat n (not fed yet) arrives before its deadline as it
   * stands: walk from one run of heartbeats lost on both channels to the
   * next, to the first run long enough to hold a silence over `floor`, and
   * look when the detector could first act in it (floor after the arrival
   * before it). The detector is fed up to that arrival at the look (settle),
   * and the plan then made compares its deadline with the next arrival; a
   * change before the look (which voids what was fed ahead) costs nothing.
   * At the end of the stretch scanned (CANDIDATE_SCAN heartbeats or
   * CANDIDATE_RUNS runs of losses), the detector is fed up to its last
   * arrival and the look comes back there.
   */
  private candidates(k: number, st: LazyStream, n: number, floor: number): number {
    const limit = n + CANDIDATE_SCAN;
    for (let cur = n, runs = 0; ; runs++) {
      // cur arrives; so does every heartbeat up to the next run lost on both channels
      const f = st.nextFull(cur + 1);
      if (f > limit || runs === CANDIDATE_RUNS) {
        const end = f > limit ? Math.max(cur, limit) : cur;
        if (this.ahead[k] === this.fed[k]) this.saveAhead(k);
        heardRange(this.det, k, this.ahead[k] + 1, end + 1, st.arrivals);
        this.ahead[k] = end;
        return st.arrival(end);
      }
      let g = f + 1;
      while (st.fullyLost(g)) g++;
      // the silence from heartbeat f - 1's arrival to g's is at most (g - f + 1) h + spread
      if ((g - f + 1) * this.h + this.links.spread + 1e-6 > floor) return st.arrival(f - 1) + floor;
      cur = g;
    }
  }

  /**
   * Pair k waits for a silence of T (> h + spread): the time it acts (the
   * end of the first such silence after the last heartbeat heard), or a
   * time no later than that where the look comes back to scan on.
   */
  private silenceEnd(k: number, st: LazyStream, last: number): number {
    const det = this.det;
    let prevA = last;
    if (st.deaf) return det.deadline(k, prevA);
    let cur = this.fed[k] + 1;
    const limit = cur + st.chunk;
    while (cur <= limit) {
      const f = st.nextFull(cur);
      let n = cur;
      if (f === n) {
        n++;
        while (st.fullyLost(n)) n++;
      }
      const end = det.deadline(k, prevA);
      const a = st.arrival(n);
      if (a > end) return end;
      // n .. f-1 arrive one after the other, less than h + spread < T apart
      const lastN = f > n ? Math.max(n, Math.min(f - 1, limit)) : n;
      prevA = lastN === n ? a : st.arrival(lastN);
      cur = lastN + 1;
    }
    st.chunk = Math.min(2 * st.chunk, MAX_CHUNK);
    return det.deadline(k, prevA);
  }

  /** Sender i's quiet stretch ends now: count, settle, put the copies in flight into the heap, restart the clock. */
  private leave(i: number): void {
    const N = this.N, now = this.sim.now, codes = this.codes;
    let sent = -1;
    for (let j = 0; j < N; j++) {
      if (j === i) continue;
      const k = j * N + i;
      const st = this.streams[k]!;
      sent = this.sentBy(i, st);
      this.signals.heartbeats(2 * (sent + 1), st.lostCount(sent));
      if (this.nodes.live(j)) {
        // arrivals fed ahead past now are void: back to the saved state, then fed up to now
        const arrived = Math.max(this.fed[k], this.lastArrived(i, st, this.fed[k]));
        if (this.ahead[k] > arrived) {
          this.det.restore!(k, this.saved[k]);
          // fed again, at once, up to what has arrived
          if (arrived > this.savedAt[k]) this.feed(k, st, this.savedAt[k], arrived);
          this.ahead[k] = arrived;
        }
        this.settle(k);
      }
      // copies sent but not yet arrived become events, in send order (a cut, a crash or a pause may still catch them)
      let n = sent;
      while (n > 0 && st.t(n - 1) + st.lmax >= now) n--;
      for (; n <= sent; n++) {
        const key0 = (st.s0 + n) * codes + (i * N + j) * 4;
        for (let c = 0; c < 2; c++) {
          if (st.lost(c, n)) continue;
          const a = st.t(n) + st.latency(c, n);
          if (!this.sim.passed(a, st.priority + c)) this.sendCopy(a, key0 + 2 * c);
        }
      }
      st.forget(sent + 1);
      this.streams[k] = undefined;
      this.saved[k] = undefined;
      this.monitor.relook(k);
    }
    this.seq[i] = this.s0[i] + sent;
    const next = this.m0[i] + sent + 1;
    this.m0[i] = -1;
    this.quietSenders--;
    this.nodes.resumeClock(i, next);
  }

  protected override beforeSend(i: number): void {
    if (this.m0[i] >= 0) this.leave(i);
  }

  override flush(): void {
    if (this.quietSenders === 0) return;
    for (let i = 0; i < this.N; i++) if (this.m0[i] >= 0) this.leave(i);
  }

  override settleAll(): void {
    this.flush();
  }
}
