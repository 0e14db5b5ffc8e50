/**
 * Deferred heartbeat delivery: the same arrivals as one kernel event per
 * copy, with most copies kept out of the heap.
 *
 * An ordinary heartbeat (not a probe) to a receiver that runs, is neither
 * paused nor starved, has the sender in view, and whose detector promises
 * that an arrival never moves its deadline earlier (it has `silence`), can
 * on arrival only move the receiver's "last heard" of the sender later. Its
 * delivered copies wait in the directed link's buffer, in arrival order. They
 * are applied when something reads that link's receiver state (`settle`: the
 * copies that have arrived by now, by the model's order of an instant,
 * order.ts), and they become kernel events when anything they depend on is
 * about to change (`flush`: links, nodes and views call it from their
 * mutators). Nothing is scheduled at a reserved place: the order at one
 * instant is the model's, by priority.
 */
import { KernelDelivery } from './delivery.ts';

/** Copies held per directed link before the oldest are applied (or a copy goes to the heap). */
const CAP = 16;

export class DeferredDelivery extends KernelDelivery {
  // per directed link k = receiver * N + sender, CAP entries each, in arrival order: arrival time, copy key
  private readonly dT = new Float64Array(this.N * this.N * CAP);
  private readonly dKey = new Float64Array(this.dT.length);
  private readonly dN = new Int32Array(this.N * this.N);
  private total = 0;

  protected override deferCopies(i: number, j: number, _s: number, probe: number, now: number, key0: number,
    latNet: number, lostNet: boolean, latSerial: number, lostSerial: boolean): boolean {
    const k = j * this.N + i;
    const det = this.monitor.detector;
    if (probe !== 0 || det.silence === undefined || !this.nodes.live(j) || this.monitor.view[k] !== 1 || this.nodes.starvedUntil[j] > now) return false;
    if (this.dN[k] + 2 > CAP) {
      this.settle(k);
      if (this.dN[k] + 2 > CAP) return false; // many copies in flight on this link (a spike much longer than h)
    }
    if (!lostNet) this.hold(k, now + latNet, key0);
    if (!lostSerial) this.hold(k, now + latSerial, key0 + 2);
    return true;
  }

  /** Hold a copy that arrives at t, after every held copy that arrives at or before t (ties: send order). */
  private hold(k: number, t: number, key: number): void {
    const base = k * CAP;
    let x = base + this.dN[k]++;
    while (x > base && this.dT[x - 1] > t) {
      this.dT[x] = this.dT[x - 1];
      this.dKey[x] = this.dKey[x - 1];
      x--;
    }
    this.dT[x] = t;
    this.dKey[x] = key;
    this.total++;
  }

  /**
   * Apply link k's held copies that have arrived by now, in arrival order.
   * Each counts unless a higher number already did: the channel and the
   * receiver have not changed since it was sent (a change flushes first).
   */
  override settle(k: number): void {
    const n = this.dN[k];
    if (n === 0) return;
    const sim = this.sim, record = this.recording;
    const base = k * CAP;
    let x = base;
    const end = base + n;
    while (x < end && sim.passed(this.dT[x], this.priorityOf(this.dKey[x]))) {
      const key = this.dKey[x];
      if (record) this.signals.emit('copyArrived', key, false);
      const s = this.seqOf(key);
      if (s > this.counted[k]) {
        this.counted[k] = s;
        this.monitor.heard(k, this.dT[x], s);
      }
      x++;
    }
    if (x === base) return;
    this.dT.copyWithin(base, x, end);
    this.dKey.copyWithin(base, x, end);
    this.dN[k] = end - x;
    this.total -= x - base;
  }

  override flush(): void {
    if (this.total === 0) return;
    const NN = this.N * this.N;
    for (let k = 0; k < NN; k++) {
      if (this.dN[k] === 0) continue;
      this.settle(k);
      const base = k * CAP;
      for (let x = base; x < base + this.dN[k]; x++) this.sendCopy(this.dT[x], this.dKey[x]);
      this.total -= this.dN[k];
      this.dN[k] = 0;
    }
  }

  override settleAll(): void {
    if (this.total === 0) return;
    for (let k = 0; k < this.N * this.N; k++) this.settle(k);
  }
}
