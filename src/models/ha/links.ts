/**
 * Links: between every two nodes, in each direction, two channels (`net`, the
 * private UDP network, and `serial`, the serial line). A directed channel
 * owns its state: up or cut, loss probability with its loss process, extra
 * latency (a spike). Latencies are drawn from the channel's distribution;
 * losses are Bernoulli per message, drawn as geometric gaps (one draw per
 * loss, not one per message; a new loss probability draws a new gap, exact
 * because the process is memoryless).
 *
 * Every mutator first tells the listener (`beforeChange`): heartbeat copies
 * in flight depend on this state, and so do the draws of copies not yet sent.
 */
import type { Streams, Stream } from '../../kernel/random.ts';
import type { HaConfig } from './options.ts';
import { serialFrameTime } from './config.ts';

export const CHANNELS = ['net', 'serial'] as const;
export type ChannelName = (typeof CHANNELS)[number];
export type ChannelSel = ChannelName | 'both';

/** Base latency of a channel (without a spike's extra): lo + span * u, u uniform in [0, 1). */
export interface ChannelLatency {
  lo: number;
  span: number;
}

export interface LinkListener {
  /** Link state or the draws of future copies are about to change. */
  beforeChange(): void;
}

export class Links {
  /** Index ((from * N + to) * 2 + channel). */
  readonly up: Uint8Array;
  readonly loss: Float64Array;
  readonly extra: Float64Array;
  private readonly lossLeft: Float64Array;
  private readonly rNet: Stream;
  private readonly rSerial: Stream;
  private readonly rLoss: Stream;
  /** Each channel's base latency range, net then serial. */
  readonly latency: readonly [ChannelLatency, ChannelLatency];
  /** Largest minus smallest base latency over both channels. */
  readonly spread: number;
  private readonly serialFrame: number;
  private readonly netLo: number;
  private readonly netSpan: number;
  private readonly serialJit: number;
  // the last heartbeat draw (drawHeartbeat), read at once by the caller: no object per heartbeat
  latNet = 0;
  lostNet = false;
  latSerial = 0;
  lostSerial = false;

  constructor(readonly N: number, private readonly cfg: HaConfig, streams: Streams, private readonly listener: LinkListener) {
    const n = N * N * 2;
    this.up = new Uint8Array(n).fill(1);
    this.loss = new Float64Array(n);
    this.extra = new Float64Array(n);
    this.lossLeft = new Float64Array(n).fill(Infinity);
    this.rNet = streams.get('net-latency');
    this.rSerial = streams.get('serial-latency');
    this.rLoss = streams.get('loss');
    this.serialFrame = serialFrameTime(cfg);
    this.netLo = cfg.netLatency - cfg.netJitter;
    this.netSpan = 2 * cfg.netJitter;
    this.serialJit = cfg.serialJitter;
    this.latency = [{ lo: this.netLo, span: this.netSpan }, { lo: this.serialFrame, span: this.serialJit }];
    this.spread = Math.max(this.netLo + this.netSpan, this.serialFrame + this.serialJit) - Math.min(this.netLo, this.serialFrame);
    for (let a = 0; a < N; a++)
      for (let b = 0; b < N; b++) {
        if (a === b) continue;
        this.loss[this.index(a, b, 0)] = cfg.netLoss;
        this.loss[this.index(a, b, 1)] = cfg.serialLoss;
      }
    for (const l of this.every('both')) this.newLossGap(l);
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

  /**
   * Draw both copies of a heartbeat from `from` to `to`, net then serial:
   * latency, then loss (not drawn when the channel is down). Results in
   * latNet, lostNet, latSerial, lostSerial.
   */
  drawHeartbeat(from: number, to: number): void {
    const l = (from * this.N + to) * 2;
    this.latNet = this.netLo + this.netSpan * this.rNet.random() + this.extra[l];
    this.lostNet = this.dropped(l);
    this.latSerial = this.serialFrame + this.serialJit * this.rSerial.random() + this.extra[l + 1];
    this.lostSerial = this.dropped(l + 1);
  }

  /** Latency of one protocol copy on channel c (drawn), and whether it is lost (down or drawn). */
  drawProtocol(from: number, to: number, c: number): { lat: number; lost: boolean } {
    const lat = this.drawLatency(from, to, c);
    const l = this.index(from, to, c);
    return { lat, lost: this.dropped(l) };
  }

  /**
   * The copies of one protocol message in bulk (polls drawn ahead): channels
   * 0..copies-1 into out[at..], each latency, or -1 when lost, as
   * drawProtocol draws them; but a serial copy that cannot arrive before the
   * delivered net copy keeps NaN for its latency (only its loss is drawn):
   * nothing depends on it unless the net copy is dropped at arrival, and then
   * `drawLatency` draws it. Returns the first arrival's latency (Infinity
   * when every copy is lost).
   */
  drawFirst(from: number, to: number, copies: number, out: Float64Array, at: number): number {
    const l = this.index(from, to, 0);
    const net = this.drawLatency(from, to, 0);
    out[at] = this.dropped(l) ? -1 : net;
    if (copies === 1) return out[at] < 0 ? Infinity : net;
    if (out[at] >= 0 && net <= this.serialFrame + this.extra[l + 1]) {
      out[at + 1] = this.dropped(l + 1) ? -1 : NaN;
      return net;
    }
    const serial = this.drawLatency(from, to, 1);
    out[at + 1] = this.dropped(l + 1) ? -1 : serial;
    return Math.min(out[at] < 0 ? Infinity : net, out[at + 1] < 0 ? Infinity : serial);
  }

  /** A protocol copy's latency on channel c (drawProtocol's formula), without its loss. */
  drawLatency(from: number, to: number, c: number): number {
    const cfg = this.cfg;
    return (c === 0 ? this.rNet.uniform(cfg.netLatency - cfg.netJitter, cfg.netLatency + cfg.netJitter)
      : this.serialFrame + this.rSerial.uniform(0, cfg.serialJitter)) + this.extra[this.index(from, to, c)];
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
      this.newLossGap(l);
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

  /** Does channel l lose the message it is sending now? (It is up.) */
  /** A copy sent on channel l now is lost: the channel is down, or its loss process takes it (drawn only when up). */
  private dropped(l: number): boolean {
    return this.up[l] === 0 || this.lose(l);
  }

  private lose(l: number): boolean {
    const left = this.lossLeft[l];
    if (left > 0) {
      this.lossLeft[l] = left - 1;
      return false;
    }
    this.newLossGap(l);
    return true;
  }

  private newLossGap(l: number): void {
    this.lossLeft[l] = this.rLoss.geometric(this.loss[l]);
  }
}

export function chans(ch: ChannelSel): number[] {
  if (ch === 'both') return [0, 1];
  const c = CHANNELS.indexOf(ch);
  if (c < 0) throw new Error(`unknown channel '${ch}' (net, serial or both)`);
  return [c];
}
