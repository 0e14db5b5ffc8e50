/**
 * Links: between every two nodes, in each direction, two channels (`net`, the
 * private UDP network, and `serial`, the serial line). A directed channel
 * owns its state (up or cut, loss rate, extra latency during a spike) and
 * decides the fate of every copy sent on it.
 *
 * A copy's fate depends only on (channel, class, copy number) and the
 * channel's state when it is sent, never on when the fate is looked up:
 * - class HB: heartbeats and probes, numbered by the sender's heartbeat
 *   number; class PROTO: protocol messages, numbered in send order on the
 *   channel;
 * - lost: the channel is down at send, or the channel's loss process of that
 *   class (channel-models.ts) has the copy's number; the process is drawn in
 *   copy order from a stream of its own, one per (channel, class, epoch): a
 *   new loss rate starts a new epoch at the next copy number;
 * - latency: the latency model's quantile at a keyed uniform of (channel,
 *   class, copy number), plus the channel's extra latency at send.
 * So kernel events, deferred copies and lazy streams, which look fates up at
 * different moments, see the same ones.
 *
 * Every mutator first tells the listener (`beforeChange`): copies in flight
 * depend on this state, and so do the fates of copies not yet sent.
 */
import type { Streams, KeyedStream } from '../../kernel/random.ts';
import type { HaConfig } from './options.ts';
import { latencyModel, lossModel, type LatencyDist, type LossModel, type LossProcess } from './channel-models.ts';

export const CHANNELS = ['net', 'serial'] as const;
export type ChannelName = (typeof CHANNELS)[number];
export type ChannelSel = ChannelName | 'both';

/** Copy classes: heartbeats (and probes), numbered by the sender's heartbeat number; protocol messages, by the channel's count. */
export const HB = 0;
export const PROTO = 1;

export interface LinkListener {
  /** Link state or the fates of future copies are about to change. */
  beforeChange(): void;
}

export class Links {
  /** Index ((from * N + to) * 2 + channel). */
  readonly up: Uint8Array;
  readonly loss: Float64Array;
  readonly extra: Float64Array;
  /** Each channel's base latency distribution, net then serial. */
  readonly dist: readonly [LatencyDist, LatencyDist];
  /** Largest minus smallest base latency over both channels. */
  readonly spread: number;
  /** Per channel and class (index l * 2 + class): the loss process (undefined: lossless) and its epoch. */
  private readonly proc: (LossProcess | undefined)[];
  private readonly epoch: Int32Array;
  private readonly model: LossModel;
  /** Protocol copies sent on each channel so far (the next one's number). */
  private readonly protoSent: Float64Array;
  private readonly keyed: KeyedStream;
  private readonly distAt: [(u: number) => number, (u: number) => number];
  /** Each channel's latency by copy number, when its model gives it (a replayed trace). */
  private readonly distCopy: [((m: number) => number) | undefined, ((m: number) => number) | undefined];
  /** The number the next heartbeat copy from a node will carry (set by the heartbeat delivery). */
  nextHeartbeat: (from: number) => number = () => 0;

  constructor(readonly N: number, private readonly cfg: HaConfig, private readonly streams: Streams, private readonly listener: LinkListener) {
    const n = N * N * 2;
    this.up = new Uint8Array(n).fill(1);
    this.loss = new Float64Array(n);
    this.extra = new Float64Array(n);
    this.proc = new Array(n * 2).fill(undefined);
    this.epoch = new Int32Array(n * 2);
    this.protoSent = new Float64Array(n);
    this.model = lossModel(cfg.lossModel);
    this.keyed = streams.keyed('latency');
    const lm = latencyModel(cfg.latencyModel);
    this.dist = [lm(cfg, 0), lm(cfg, 1)];
    this.distAt = [this.dist[0].at, this.dist[1].at];
    this.distCopy = [this.dist[0].copy, this.dist[1].copy];
    this.spread = Math.max(this.dist[0].hi, this.dist[1].hi) - Math.min(this.dist[0].lo, this.dist[1].lo);
    for (let a = 0; a < N; a++)
      for (let b = 0; b < N; b++) {
        if (a === b) continue;
        this.loss[this.index(a, b, 0)] = cfg.netLoss;
        this.loss[this.index(a, b, 1)] = cfg.serialLoss;
      }
    for (const l of this.every('both')) {
      this.newEpoch(l, HB, 0);
      this.newEpoch(l, PROTO, 0);
    }
  }

  /** The directed channel from `from` to `to`. */
  index(from: number, to: number, c: number): number {
    return (from * this.N + to) * 2 + c;
  }

  /** Every directed channel of the selection, in a fixed order (pairs by id, both directions, net first). */
  every(ch: ChannelSel): number[] {
    const out: number[] = [];
    const N = this.N;
    for (let a = 0; a < N; a++)
      for (let b = a + 1; b < N; b++) out.push(...this.between(a, b, ch));
    return out;
  }

  /** The directed channels between a and b (both directions unless oneWay: then a to b only). */
  between(a: number, b: number, ch: ChannelSel, oneWay = false): number[] {
    if (a === b) throw new Error(`no channel from node ${a} to itself`);
    if (!(Number.isInteger(a) && Number.isInteger(b) && a >= 0 && b >= 0 && a < this.N && b < this.N)) throw new Error(`no such node pair (${a}, ${b})`);
    const cs = chans(ch);
    const out: number[] = [];
    for (const c of cs) {
      out.push(this.index(a, b, c));
      if (!oneWay) out.push(this.index(b, a, c));
    }
    return out;
  }

  // ---- fates ----

  /** Is copy m of class cls on channel l lost by the loss process? (Not counting a cut.) */
  dropped(l: number, cls: number, m: number): boolean {
    const p = this.proc[l * 2 + cls];
    return p !== undefined && p.nextLoss(m) === m;
  }

  /** The first copy at or after m of class cls on channel l that the loss process takes (Infinity: none). */
  nextDrop(l: number, cls: number, m: number): number {
    const p = this.proc[l * 2 + cls];
    return p === undefined ? Infinity : p.nextLoss(m);
  }

  /** The copies of class cls numbered in [a, b) that would be lost if sent now on channel l (as `lost` says of each). */
  lostIn(l: number, cls: number, a: number, b: number): number {
    if (this.up[l] === 0) return b - a;
    const p = this.proc[l * 2 + cls];
    return p === undefined ? 0 : p.count(a, b);
  }

  /** Copies of class cls on channel l below m will not be asked about again. */
  forget(l: number, cls: number, m: number): void {
    this.proc[l * 2 + cls]?.forget(m);
  }

  /** A copy sent now on channel l is lost: the channel is down or the loss process takes it. */
  lost(l: number, cls: number, m: number): boolean {
    return this.up[l] === 0 || this.dropped(l, cls, m);
  }

  /** Base latency of copy m of class cls on channel l (without the extra latency of a spike). */
  baseLatency(l: number, cls: number, m: number): number {
    const byCopy = this.distCopy[l & 1];
    return byCopy ? byCopy(m) : this.distAt[l & 1](this.keyed.at(l * 2 + cls, m));
  }

  /** baseLatency(l, cls, m0 + i) into out[i] for i < count, in one loop. */
  baseLatencies(l: number, cls: number, m0: number, count: number, out: Float64Array): void {
    const byCopy = this.distCopy[l & 1];
    if (byCopy) {
      for (let i = 0; i < count; i++) out[i] = byCopy(m0 + i);
      return;
    }
    const at = this.distAt[l & 1], keyed = this.keyed, key = l * 2 + cls;
    for (let i = 0; i < count; i++) out[i] = at(keyed.at(key, m0 + i));
  }

  /** Latency of copy m of class cls sent now on channel l. */
  latency(l: number, cls: number, m: number): number {
    return this.baseLatency(l, cls, m) + this.extra[l];
  }

  /** The number of the next protocol copy on channel l, without taking it (polls drawn ahead look ahead from it). */
  protoNext(l: number): number {
    return this.protoSent[l];
  }

  /** Protocol copies up to (not including) m on channel l are sent. */
  protoTake(l: number, m: number): void {
    this.protoSent[l] = m;
    this.forget(l, PROTO, m);
  }

  isUp(from: number, to: number, c: number): boolean {
    return this.up[(from * this.N + to) * 2 + c] === 1;
  }

  // ---- mutators ----

  setUp(links: number[], up: boolean): void {
    this.listener.beforeChange();
    for (const l of links) this.up[l] = up ? 1 : 0;
  }

  setLoss(links: number[], p: number): void {
    if (!(p >= 0 && p < 1)) throw new Error(`loss must be in [0, 1) (got ${p})`);
    this.listener.beforeChange();
    for (const l of links) {
      this.loss[l] = p;
      this.newEpoch(l, HB, this.nextHeartbeat((l >> 1) / this.N | 0));
      this.newEpoch(l, PROTO, this.protoSent[l]);
    }
  }

  addExtra(links: number[], extra: number): void {
    this.listener.beforeChange();
    for (const l of links) this.extra[l] = Math.max(0, this.extra[l] + extra);
  }

  healAll(): void {
    this.listener.beforeChange();
    for (const l of this.every('both')) {
      this.up[l] = 1;
      this.extra[l] = 0;
    }
  }

  /** Channel l's class cls loses from copy `start` on by a new process at its present loss rate (its own stream). */
  private newEpoch(l: number, cls: number, start: number): void {
    const x = l * 2 + cls, p = this.loss[l];
    const e = ++this.epoch[x];
    this.proc[x] = p > 0 || this.model.ignoresRate ? this.model(p, start, this.cfg, this.streams.get(`loss/${l}/${cls}/${e}`), (l & 1) as 0 | 1) : undefined;
  }
}

export function chans(ch: ChannelSel): number[] {
  if (ch === 'both') return [0, 1];
  const c = CHANNELS.indexOf(ch);
  if (c < 0) throw new Error(`unknown channel '${ch}' (net, serial or both)`);
  return [c];
}
