/**
 * Reconcile polls drawn ahead. While a cluster is quiet (the controller and
 * every node in its view live and up, each service held once, nobody failing
 * back), a periodic poll (SYSTEM_LOAD to every peer in view, their answers,
 * all held once: poll again reconcileInterval later) changes nothing but the
 * message counts and the time of the next poll. A year holds 525,600 of
 * them, six kernel events each: nearly all of a quiet year's cost.
 *
 * So a quiet controller's polls are looked ahead, in batches, without
 * events: each copy's fate is the channel's by its number (links.ts), the
 * same the transport reads at send; from them the round's end (the last
 * first-copy answer) and the next poll at that end plus reconcileInterval.
 * One event ends a batch. A batch stops at the first poll that is not
 * complete (a request or an answer lost on every channel, or the answers
 * later than loadTimeout); that poll runs as a real round at its time.
 *
 * Before anything a poll depends on changes (a node, a link, a service, a
 * view; the cluster wires these parts' mutators to `settle`, and the
 * controller calls it before a round of its own), the chains settle: polls
 * that ended before now are counted; a round still on its way becomes a real
 * one (the copies it sent and the answers it had are sent as of their time,
 * the rest are events); otherwise the next poll becomes the ordinary
 * periodic event. The fates of copies not yet sent are only looked at, never
 * taken: sent later, after a change, a copy has the same number and the
 * channel's new state decides (a cut loses it). So every number equals the
 * kernel path's (the swarm test compares them byte for byte).
 *
 * Used with heartbeatEvents 'lazy' (which keeps no message log).
 */
import type { EventHandle, Sim } from '../../kernel/sim.ts';
import type { Signals } from './signals.ts';
import type { Transport } from './messages.ts';

/** What the chains ask of the controller when a poll ahead must become real. */
export interface PollOwner {
  /** Run controller c's poll that started at t0 as a real round from now on (the copies sent before now are sent as of their time). */
  resumeRound(c: number, t0: number, expected: number[]): void;
  /** Controller c's next periodic poll is at time t (an ordinary event). */
  periodicAt(c: number, t: number): void;
}

/** Polls per batch: one event per batch; draws after a change are dropped, at most one batch's. */
const BATCH = 256;

class Chain {
  /** Start and end (the last answer) of each poll of the batch; poll `n` is the one after the batch. */
  readonly t0 = new Float64Array(BATCH + 1);
  readonly tf = new Float64Array(BATCH);
  /** Polls in the batch, all complete; polls before `done` are counted. */
  n = 0;
  done = 0;
  /** Poll n is drawn and not complete (it runs as a real round at t0[n]). */
  endIncomplete = false;
  event: EventHandle = -1;

  constructor(readonly c: number, readonly expected: number[], readonly copies: number) {}
}

export class PollsAhead {
  private readonly chains: (Chain | undefined)[];
  /** A node that is not the controller keeps a watch every reconcileInterval; while quiet, without events: its last tick (else -1). */
  private readonly watchTick: Float64Array;
  private active = 0;
  private readonly onBatchEnd: (c: number) => void;

  constructor(
    private readonly sim: Sim,
    private readonly transport: Transport,
    private readonly signals: Signals,
    private readonly loadTimeout: number,
    private readonly interval: number,
    N: number,
    private readonly owner: PollOwner,
  ) {
    this.chains = new Array(N).fill(undefined);
    this.watchTick = new Float64Array(N).fill(-1);
    this.onBatchEnd = (c) => this.batchEnd(c);
  }

  /** Controller c polls now, its cluster quiet with `expected` in view: draw its polls ahead. */
  start(c: number, expected: number[]): void {
    let ch = this.chains[c];
    if (!ch || ch.expected.length !== expected.length || ch.expected.some((j, x) => j !== expected[x])) ch = new Chain(c, expected, this.transport.copies);
    this.chains[c] = ch;
    this.active++;
    this.draw(ch, this.sim.now);
  }

  /**
   * Node c, not the controller, keeps its watch: its ticks (every
   * reconcileInterval from now) find nothing to do until its view, its
   * life or its pause changes, so they are not events until then.
   */
  watch(c: number): void {
    this.watchTick[c] = this.sim.now;
    this.active++;
  }

  /**
   * Something a poll depends on is about to change: the chains settle at
   * now (see the file comment), every chain or only controller c's.
   */
  settle(only = -1): void {
    if (this.active === 0) return;
    const now = this.sim.now;
    const from = only < 0 ? 0 : only, to = only < 0 ? this.chains.length : only + 1;
    for (let c = from; c < to; c++) {
      if (this.watchTick[c] >= 0) {
        // the ticks add up as the events would have
        let t = this.watchTick[c] + this.interval;
        while (t < now) t += this.interval;
        this.watchTick[c] = -1;
        this.active--;
        this.owner.periodicAt(c, t);
      }
      const ch = this.chains[c];
      if (!ch || ch.event === -1) continue;
      this.sim.cancel(ch.event);
      ch.event = -1;
      this.active--;
      this.countUntil(ch, now);
      const k = ch.done;
      if (k < ch.n && ch.t0[k] < now) this.owner.resumeRound(c, ch.t0[k], ch.expected.slice());
      else this.owner.periodicAt(c, ch.t0[k]);
    }
  }

  /** Draw a batch of polls from `t`, up to BATCH complete ones or the first that is not. */
  private draw(ch: Chain, t: number): void {
    ch.n = 0;
    ch.done = 0;
    ch.endIncomplete = false;
    for (let k = 0; k <= BATCH; k++) {
      ch.t0[k] = t;
      if (k === BATCH) break; // the next batch draws this poll
      const tf = this.drawPoll(ch, k, t);
      if (tf < 0) {
        ch.endIncomplete = true;
        break;
      }
      ch.tf[k] = tf;
      ch.n++;
      t = tf + this.interval;
    }
    if (ch.n === 0) {
      // the first poll is not complete: it runs now as a real round
      this.active--;
      this.owner.resumeRound(ch.c, ch.t0[0], ch.expected.slice());
      return;
    }
    ch.event = this.sim.at(ch.t0[ch.n], this.onBatchEnd, ch.c);
  }

  /** Look at poll k's fates from t0; returns when its last answer arrives, or -1 when it is not complete. */
  private drawPoll(ch: Chain, k: number, t0: number): number {
    const { c, expected } = ch;
    const tr = this.transport;
    let tf = t0;
    for (let x = 0; x < expected.length; x++) {
      const j = expected[x];
      const t2 = t0 + tr.peek(c, j, k) + tr.peek(j, c, k);
      // the round's timer (t0 + loadTimeout) would fire first
      if (!(t2 < t0 + this.loadTimeout)) return -1;
      if (t2 > tf) tf = t2;
    }
    return tf;
  }

  /** Count the polls of the batch that ended before t: their messages are sent. */
  private countUntil(ch: Chain, t: number): void {
    const from = ch.done;
    while (ch.done < ch.n && ch.tf[ch.done] < t) ch.done++;
    const n = ch.done - from;
    if (n === 0) return;
    let lost = 0;
    for (const j of ch.expected) lost += this.transport.lostAhead(ch.c, j, n) + this.transport.lostAhead(j, ch.c, n);
    this.signals.protocol(n * ch.expected.length * 2 * ch.copies, lost);
    for (const j of ch.expected) {
      this.transport.skip(ch.c, j, n);
      this.transport.skip(j, ch.c, n);
    }
  }

  private batchEnd(c: number): void {
    const ch = this.chains[c]!;
    ch.event = -1;
    this.countUntil(ch, Infinity);
    if (ch.endIncomplete) {
      this.active--;
      this.owner.resumeRound(c, ch.t0[ch.n], ch.expected.slice());
    } else this.draw(ch, this.sim.now);
  }

}
