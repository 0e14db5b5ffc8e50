/**
 * Heartbeat delivery: a node's heartbeat (or probe, the retry heartbeat)
 * goes on both channels to a peer; each copy's fate (lost or its latency) is
 * the channel's (links.ts), by the heartbeat's number; a copy is also lost at
 * arrival when its channel is down then (a cut while it is in flight). On
 * arrival it counts only if the receiver is running and not paused, and if
 * it is the first copy of a number higher than any counted so far (the
 * duplicate on the other channel, or an older copy overtaken by a newer one,
 * carries no news). A counted heartbeat from a node in view goes to the
 * receiver's detector; from a node out of view it is a rejoin. A live node
 * answers each probe once, at once, with a heartbeat.
 *
 * One model, three schedules with the same results, byte for byte (a swarm
 * test compares them):
 * - KernelDelivery (this file): every copy is a kernel event.
 * - DeferredDelivery (delivery-deferred.ts): copies that can only move the
 *   receiver's "last heard" later wait in their link and are applied when
 *   read.
 * - LazyDelivery (delivery-lazy.ts): a quiet sender's heartbeats are not
 *   events at all.
 *
 * Copies carry an integer payload: seq * codes + ((from * N + to) * 2 +
 * channel) * 2 + probe, so the hot path allocates nothing.
 */
import type { Sim } from '../../kernel/sim.ts';
import type { HaConfig } from './options.ts';
import type { Nodes } from './nodes.ts';
import type { Links } from './links.ts';
import type { Signals } from './signals.ts';
import type { Monitor } from './monitor.ts';
import { arrivalPriority, lateReadPriority } from './order.ts';

/** Copy class of heartbeats (links.ts HB; a literal on the hot path). */
const HB = 0;

export interface HeartbeatDelivery {
  /** Node i's heartbeat clock ticks: a heartbeat to every peer (none while i is paused). */
  tick(i: number): void;
  /** Send a probe from i to j now. */
  probe(i: number, j: number): void;
  /** Apply the copies to i from j (k = i * N + j) that have arrived by now; call before reading i's view of j. */
  settle(k: number): void;
  /** The state arrivals depend on is about to change: copies still waiting become kernel events. */
  flush(): void;
  /** Settle everything (end of run). */
  settleAll(): void;
  /**
   * Pair k = i * N + j (i watches j) would act at deadline d if nothing more
   * arrived: the time of the next look. `d` itself, unless the delivery
   * knows the arrivals ahead: then the first time the detector can act, or
   * a time before it.
   */
  plan(k: number, d: number): number;
  /** The number the next heartbeat copy from node i will carry. */
  nextSeq(i: number): number;
}

export class KernelDelivery implements HeartbeatDelivery {
  protected readonly N: number;
  /** Heartbeat numbers sent by each node (a node's sequence never restarts). */
  protected readonly seq: Float64Array;
  /** Highest number of j's heartbeats counted at i (index i*N+j). */
  protected readonly counted: Float64Array;
  /** Number of the last probe from j that i answered (index i*N+j). */
  private readonly answered: Float64Array;
  protected readonly codes: number;
  protected readonly onArrive: (key: number) => void;
  private readonly onProcess: (key: number) => void;
  /** Copies of each sender's that are kernel events not yet read. */
  protected readonly inflight: Float64Array;
  private readonly probeReply: boolean;
  /** Someone keeps a record of every copy (the message log). */
  protected readonly recording: boolean;

  constructor(
    protected readonly sim: Sim,
    cfg: HaConfig,
    protected readonly nodes: Nodes,
    protected readonly links: Links,
    protected readonly monitor: Monitor,
    protected readonly signals: Signals,
  ) {
    const N = (this.N = nodes.N);
    this.seq = new Float64Array(N);
    this.counted = new Float64Array(N * N);
    this.answered = new Float64Array(N * N);
    this.codes = N * N * 4;
    this.probeReply = cfg.probeReply;
    this.inflight = new Float64Array(N);
    this.onArrive = (key) => {
      this.inflight[this.senderOf(key)]--;
      this.arrive(key);
    };
    this.onProcess = (key) => {
      this.inflight[this.senderOf(key)]--;
      this.process(key);
    };
    links.nextHeartbeat = (i) => this.nextSeq(i);
    this.recording = signals.listened('copySent');
  }

  tick(i: number): void {
    if (this.nodes.hung[i]) return;
    const s = ++this.seq[i];
    const N = this.N, now = this.sim.now;
    for (let j = 0; j < N; j++) if (j !== i) this.send(i, j, s, 0, now);
  }

  probe(i: number, j: number): void {
    this.beforeSend(i);
    this.send(i, j, ++this.seq[i], 1, this.sim.now);
  }

  nextSeq(i: number): number {
    return this.seq[i] + 1;
  }

  settle(_k: number): void {}
  flush(): void {}
  settleAll(): void {}
  plan(_k: number, d: number): number {
    return d;
  }

  /** The heartbeat number the copy `key` carries. */
  protected seqOf(key: number): number {
    return (key - (key % this.codes)) / this.codes;
  }

  protected senderOf(key: number): number {
    return (((key % this.codes) >> 2) / this.N) | 0;
  }

  /** Node i is about to send a heartbeat or probe outside its clock (a probe, a probe's answer). */
  protected beforeSend(_i: number): void {}

  /** Send heartbeat s from i to j on both channels. */
  protected send(i: number, j: number, s: number, probe: number, now: number): void {
    const key0 = s * this.codes + (i * this.N + j) * 4 + probe;
    const L = this.links, l = L.index(i, j, 0);
    const lostNet = L.lost(l, HB, s), lostSerial = L.lost(l + 1, HB, s);
    const latNet = L.latency(l, HB, s), latSerial = L.latency(l + 1, HB, s);
    L.forget(l, HB, s + 1);
    L.forget(l + 1, HB, s + 1);
    this.signals.heartbeats(2, (lostNet ? 1 : 0) + (lostSerial ? 1 : 0));
    if (!this.deferCopies(i, j, s, probe, now, key0, latNet, lostNet, latSerial, lostSerial)) {
      if (!lostNet) this.sendCopy(now + latNet, key0);
      if (!lostSerial) this.sendCopy(now + latSerial, key0 + 2);
    }
    if (this.recording) {
      this.signals.emit('copySent', now, i, j, 'net', probe, s, lostNet, now + latNet, key0);
      this.signals.emit('copySent', now, i, j, 'serial', probe, s, lostSerial, now + latSerial, key0 + 2);
    }
  }

  /** A copy (payload key) that arrives at t, as a kernel event. */
  protected sendCopy(t: number, key: number): void {
    this.inflight[this.senderOf(key)]++;
    this.sim.at(t, this.onArrive, key, this.priorityOf(key));
  }

  /** The arrival priority of the copy `key` (order.ts). */
  protected priorityOf(key: number): number {
    const code = key % this.codes, N = this.N;
    const pair = code >> 2, i = (pair / N) | 0;
    return arrivalPriority(i, pair - i * N, (code >> 1) & 1, N);
  }

  /** Hold the delivered copies instead of making them kernel events; false when they must be events. */
  protected deferCopies(_i: number, _j: number, _s: number, _probe: number, _now: number, _key0: number,
    _latNet: number, _lostNet: boolean, _latSerial: number, _lostSerial: boolean): boolean {
    return false;
  }

  /** A copy arrives (the one handler of every copy). */
  protected arrive(key: number): void {
    const code = key % this.codes;
    const N = this.N;
    const c = (code >> 1) & 1;
    const pair = code >> 2; // from * N + to
    const i = (pair / N) | 0;
    const j = pair - i * N;
    // copies of this pair held back that arrived earlier come first
    this.settle(j * N + i);
    const down = !this.links.isUp(i, j, c);
    if (this.recording) this.signals.emit('copyArrived', key, down);
    if (down) {
      this.signals.emit('lostInFlight', 1);
      return;
    }
    this.process(key);
  }

  /**
   * The receiver reads a copy that arrived: it counts if the receiver runs, is
   * not paused, and it is news. A starved receiver reads it when the
   * starvation ends, after its overdue looks (a busy process reads its socket
   * late and stamps the heartbeat then).
   */
  protected process(key: number): void {
    const code = key % this.codes;
    const N = this.N;
    const pair = code >> 2;
    const i = (pair / N) | 0;
    const j = pair - i * N;
    const k = j * N + i;
    if (!this.nodes.live(j)) return;
    const starved = this.nodes.starvedUntil[j];
    if (starved > this.sim.now) {
      this.inflight[i]++;
      this.sim.at(starved, this.onProcess, key, lateReadPriority(i, j, (code >> 1) & 1, N));
      return;
    }
    const probe = code & 1;
    const s = this.seqOf(key);
    if (s <= this.counted[k]) return;
    this.counted[k] = s;
    const now = this.sim.now;
    if (this.monitor.view[k]) this.monitor.heard(k, now, s);
    else this.monitor.outsider(j, i);
    if (probe && this.probeReply && s > this.answered[k]) {
      this.answered[k] = s;
      this.beforeSend(j);
      this.send(j, i, ++this.seq[j], 0, now);
    }
  }
}
