/**
 * Deferred heartbeat delivery: the same arrivals as one kernel event per
 * copy, with most copies kept out of the heap.
 *
 * An ordinary heartbeat (not a probe) to a receiver that runs, is neither
 * paused nor starved, and has the sender in view can, on arrival, only move the receiver's "last
 * heard" of the sender. Its delivered copies take reserved places (tickets)
 * in the event order and wait in the directed link's buffer. They are
 * applied when something reads that link's receiver state (`settle`: the
 * copies whose place has passed, in send order), and they become kernel
 * events at their reserved places when anything they depend on is about to
 * change (`flush`: links, nodes and views call it from their mutators).
 *
 * Applying in send order instead of arrival order gives the same state only
 * for a detector whose state does not depend on that order (the timeout
 * detector: a heartbeat counts when its number is the highest so far, and
 * the last counted arrival is the same either way). The cluster uses this
 * delivery only with such a detector.
 */
import type { Ticket } from '../../kernel/sim.ts';
import { KernelDelivery } from './delivery.ts';

/** Heartbeats held per directed link before the oldest are applied (or a copy goes to the heap). */
const CAP = 8;

export class DeferredDelivery extends KernelDelivery {
  // per directed link k = receiver * N + sender, CAP entries each: first copy (t, ticket, key), heartbeat number, second copy
  private readonly dT = new Float64Array(this.N * this.N * CAP);
  private readonly dQ = new Float64Array(this.dT.length);
  private readonly dKey = new Float64Array(this.dT.length);
  private readonly dS = new Float64Array(this.dT.length);
  private readonly dT2 = new Float64Array(this.dT.length);
  private readonly dQ2 = new Float64Array(this.dT.length);
  private readonly dKey2 = new Float64Array(this.dT.length);
  private readonly dN = new Int32Array(this.N * this.N);
  private total = 0;

  protected override deferCopies(i: number, j: number, s: number, probe: number, now: number, key0: number,
    latNet: number, lostNet: boolean, latSerial: number, lostSerial: boolean): boolean {
    const k = j * this.N + i;
    if (probe !== 0 || !this.nodes.live(j) || this.monitor.view[k] !== 1 || this.nodes.starvedUntil[j] > now) return false;
    // reserve the places the kernel events would take, net first
    if (!lostNet) {
      const qNet = this.sim.reserve();
      if (!lostSerial) this.hold(k, s, now + latNet, qNet, key0, now + latSerial, this.sim.reserve(), key0 + 2);
      else this.hold(k, s, now + latNet, qNet, key0, NaN, -1, NaN);
    } else if (!lostSerial) this.hold(k, s, now + latSerial, this.sim.reserve(), key0 + 2, NaN, -1, NaN);
    return true;
  }

  /** Hold heartbeat s's copies (q2 = -1: only one); the one that arrives first leads the entry. */
  private hold(k: number, s: number, t1: number, q1: number, key1: number, t2: number, q2: number, key2: number): void {
    if (q2 !== -1 && t2 < t1) {
      const t = t1, q = q1, key = key1;
      t1 = t2; q1 = q2; key1 = key2;
      t2 = t; q2 = q; key2 = key;
    }
    if (this.dN[k] === CAP) {
      this.settle(k);
      if (this.dN[k] === CAP) {
        // (many heartbeats in flight on this link: a latency spike much longer than h)
        this.inflight[this.senderOf(key1)] += q2 !== -1 ? 2 : 1;
        this.sim.atTicket(t1, q1 as Ticket, this.onArrive, key1);
        if (q2 !== -1) this.sim.atTicket(t2, q2 as Ticket, this.onArrive, key2);
        return;
      }
    }
    const x = k * CAP + this.dN[k]++;
    this.dT[x] = t1;
    this.dQ[x] = q1;
    this.dKey[x] = key1;
    this.dS[x] = s;
    this.dT2[x] = t2;
    this.dQ2[x] = q2;
    this.dKey2[x] = key2;
    this.total++;
  }

  /**
   * Apply link k's held heartbeats whose first copy's place has passed. Each
   * counts unless a higher number already did: the channel and the receiver
   * have not changed since it was sent (a change flushes first). A second
   * copy still in flight stays as an entry of its own, so a flush can still
   * make it an event.
   */
  override settle(k: number): void {
    const n = this.dN[k];
    if (n === 0) return;
    const sim = this.sim, trace = this.trace, record = trace.recordMessages;
    const dT = this.dT, dQ = this.dQ, dKey = this.dKey, dS = this.dS, dT2 = this.dT2, dQ2 = this.dQ2, dKey2 = this.dKey2;
    const base = k * CAP, end = base + n;
    let w = base;
    for (let x = base; x < end; x++) {
      const t = dT[x];
      if (sim.hasPassed(t, dQ[x] as Ticket)) {
        if (record) trace.arrived(dKey[x], false);
        const s = dS[x];
        if (s > this.counted[k]) {
          this.counted[k] = s;
          this.monitor.heard(k, t, s);
        }
        const q2 = dQ2[x];
        if (q2 === -1) continue;
        if (sim.hasPassed(dT2[x], q2 as Ticket)) {
          if (record) trace.arrived(dKey2[x], false);
          continue;
        }
        // rare: settled between the arrivals of the two copies
        dT[w] = dT2[x];
        dQ[w] = q2;
        dKey[w] = dKey2[x];
        dS[w] = s;
        dQ2[w] = -1;
        w++;
      } else {
        if (w !== x) {
          dT[w] = t;
          dQ[w] = dQ[x];
          dKey[w] = dKey[x];
          dS[w] = dS[x];
          dT2[w] = dT2[x];
          dQ2[w] = dQ2[x];
          dKey2[w] = dKey2[x];
        }
        w++;
      }
    }
    this.dN[k] = w - base;
    this.total -= end - w;
  }

  override flush(): void {
    if (this.total === 0) return;
    const NN = this.N * this.N;
    for (let k = 0; k < NN; k++) {
      if (this.dN[k] === 0) continue;
      this.settle(k);
      const base = k * CAP;
      for (let x = base; x < base + this.dN[k]; x++) {
        this.inflight[this.senderOf(this.dKey[x])] += this.dQ2[x] !== -1 ? 2 : 1;
        this.sim.atTicket(this.dT[x], this.dQ[x] as Ticket, this.onArrive, this.dKey[x]);
        if (this.dQ2[x] !== -1) this.sim.atTicket(this.dT2[x], this.dQ2[x] as Ticket, this.onArrive, this.dKey2[x]);
      }
      this.total -= this.dN[k];
      this.dN[k] = 0;
    }
  }

  override settleAll(): void {
    if (this.total === 0) return;
    for (let k = 0; k < this.N * this.N; k++) this.settle(k);
  }
}
