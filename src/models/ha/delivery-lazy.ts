/**
 * Lazy heartbeat delivery: while a sender is quiet its heartbeats are not
 * events at all. A sender is quiet when it runs, none of its copies is in
 * flight as an event, and each peer is either not running (its heartbeats go
 * nowhere) or runs unstarved with the sender in view over channels without
 * extra latency. Then its clock stops and each directed pair's heartbeats
 * become a LazyStream (lazy-stream.ts): send times are arithmetic, losses and
 * latencies are drawn only where they can matter, the receiver's "last heard"
 * is computed when read (`settle`), and the receiver's detector, when it says
 * it only waits for a silence of T (`quiet`), looks next at the end of the
 * first such silence in the stream (`silenceEnd`) instead of once per
 * heartbeat.
 *
 * Anything that could change the stream ends the quiet stretch first
 * (`flush`, which every mutator of nodes, links and views calls; a probe or a
 * probe's answer from the sender): the heartbeats sent so far are counted,
 * the receiver's state is settled at the present, copies still in flight
 * become kernel events, the sender's clock restarts at its next tick, and
 * looks planned from the stream are taken again now. The sender turns quiet
 * again at a later tick once those copies are read.
 *
 * Statistically the same as KernelDelivery (test/ha-lazy.test.ts compares
 * them); other random numbers (the streams 'lazy-loss', 'lazy-latency').
 */
import type { Sim } from '../../kernel/sim.ts';
import type { Streams, Stream } from '../../kernel/random.ts';
import type { HaConfig } from './options.ts';
import type { Nodes } from './nodes.ts';
import type { Links } from './links.ts';
import type { Counters } from './metrics.ts';
import type { Trace } from './trace.ts';
import type { Monitor } from './monitor.ts';
import { KernelDelivery } from './delivery.ts';
import { LazyStream } from './lazy-stream.ts';

/**
 * Heartbeats a silence scan looks ahead before the look it plans comes back
 * to scan on: 64 at first, doubling after each scan that finds no silence, up
 * to 65,536 (a quiet stretch that a fault soon ends wastes little drawing ahead).
 */
const MAX_CHUNK = 1 << 16;

/** Can this configuration's heartbeats be lazy at all? (The rest is checked per sender, at each tick.) */
export function lazyPossible(cfg: HaConfig, links: Links): boolean {
  // continuous latencies (no ties with the looks) arriving in send order
  return !cfg.recordMessages && cfg.netJitter > 0 && cfg.serialJitter > 0 && links.spread < cfg.interval;
}

export class LazyDelivery extends KernelDelivery {
  private readonly h: number;
  private readonly rLoss: Stream;
  private readonly rLat: Stream;
  /** Per sender: the quiet stretch's first tick (NaN: not quiet) and the number of its first heartbeat. */
  private readonly since: Float64Array;
  private readonly seq0: Float64Array;
  /** Per pair k = receiver * N + sender: its stream while the sender is quiet. */
  private readonly streams: (LazyStream | undefined)[];
  /** Per pair: the newest heartbeat of the stream counted at the receiver (-1: none yet). */
  private readonly settled: Float64Array;
  private quietSenders = 0;

  constructor(sim: Sim, cfg: HaConfig, nodes: Nodes, links: Links, monitor: Monitor, counts: Counters, trace: Trace, streams: Streams) {
    super(sim, cfg, nodes, links, monitor, counts, trace);
    const N = this.N;
    this.h = cfg.interval;
    this.rLoss = streams.get('lazy-loss');
    this.rLat = streams.get('lazy-latency');
    this.since = new Float64Array(N).fill(NaN);
    this.seq0 = new Float64Array(N);
    this.streams = new Array(N * N).fill(undefined);
    this.settled = new Float64Array(N * N);
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
    const N = this.N, now = this.sim.now, links = this.links;
    this.since[i] = now;
    this.seq0[i] = this.seq[i] + 1;
    this.quietSenders++;
    this.nodes.stopClock(i);
    for (let j = 0; j < N; j++) {
      if (j === i) continue;
      const k = j * N + i, l = (i * N + j) * 2;
      const last = this.nodes.live(j) ? this.monitor.lastHeard(j, i) : now;
      this.streams[k] = new LazyStream(now, this.h, last, [links.loss[l], links.loss[l + 1]], [links.up[l] === 0, links.up[l + 1] === 0], links.latency, this.rLoss, this.rLat);
      this.settled[k] = -1;
    }
  }

  /** Sender i's quiet stretch ends now: count, settle, put the copies in flight into the heap, restart the clock. */
  private leave(i: number): void {
    const N = this.N, now = this.sim.now;
    const codes = this.codes;
    let sent = -1;
    for (let j = 0; j < N; j++) {
      if (j === i) continue;
      const k = j * N + i;
      const st = this.streams[k]!;
      sent = st.sentBy(now);
      this.counts.hbMessages += 2 * (sent + 1);
      this.counts.messagesLost += st.lostCount(0, sent) + st.lostCount(1, sent);
      if (this.nodes.live(j)) {
        this.settle(k);
        // copies sent but not yet arrived become events (a cut, a crash or a pause may still catch them)
        for (let n = sent; n >= 0 && st.t(n) + st.lmax > now; n--) {
          const key0 = (this.seq0[i] + n) * codes + (i * N + j) * 4;
          for (let c = 0; c < 2; c++) {
            if (st.lost(c, n)) continue;
            const a = st.t(n) + st.copyLatency(c, n);
            if (a > now) this.sendCopy(a, key0 + 2 * c);
          }
        }
      }
      this.monitor.relook(k);
      this.streams[k] = undefined;
    }
    this.seq[i] = this.seq0[i] + sent;
    const next = this.since[i] + (sent + 1) * this.h;
    this.since[i] = NaN;
    this.quietSenders--;
    this.nodes.startClock(i, next);
  }

  override settle(k: number): void {
    const st = this.streams[k];
    if (st === undefined) return;
    const N = this.N, j = (k / N) | 0, i = k - j * N;
    if (!this.nodes.live(j)) return;
    const n = st.lastArrived(this.sim.now, this.settled[k]);
    if (n < 0) return;
    this.settled[k] = n;
    const s = this.seq0[i] + n;
    if (s > this.counted[k]) {
      this.counted[k] = s;
      this.monitor.heard(k, st.arrival(n), s);
    }
    st.prune(n);
  }

  override silenceEnd(k: number, next: number, T: number): number {
    const st = this.streams[k];
    if (st === undefined || !(T > this.h + this.links.spread)) return next;
    const end = st.scan(T, st.sentBy(next) + st.chunk);
    if (Number.isNaN(end)) st.chunk = Math.min(2 * st.chunk, MAX_CHUNK);
    return Math.max(next, Number.isNaN(end) ? st.safeEnd(T) : end);
  }

  protected override beforeSend(i: number): void {
    if (!Number.isNaN(this.since[i])) this.leave(i);
  }

  override flush(): void {
    if (this.quietSenders === 0) return;
    for (let i = 0; i < this.N; i++) if (!Number.isNaN(this.since[i])) this.leave(i);
  }

  override settleAll(): void {
    this.flush();
  }
}
