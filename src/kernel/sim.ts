/**
 * The event kernel: a clock and a binary heap of pending events ordered by
 * (time, sequence number). Events are plain data (a handler and a payload);
 * handles are integers. The heap lives in typed arrays; each pending event
 * occupies a slot whose position in the heap is tracked, so cancel is O(log n).
 *
 * The kernel imports no model and draws no random numbers.
 */

export type Handler<P = any> = (payload: P, sim: Sim) => void;

/** A handle to a scheduled event: generation * SLOT_SPACE + slot. */
export type EventHandle = number;

const SLOT_SPACE = 2 ** 24; // at most 16M events pending at once

export class SchedulingError extends Error {}

export class Sim {
  /** Current simulated time in seconds. */
  now = 0;
  /** Events executed so far. */
  executed = 0;

  private seqCounter = 0;
  private size = 0;
  private cap: number;
  // heap arrays, indexed by heap position
  private hTime: Float64Array;
  private hSeq: Float64Array;
  private hSlot: Int32Array;
  // slot arrays, indexed by slot
  private sPos: Int32Array; // heap position, -1 when free
  private sGen: Float64Array;
  private sHandler: (Handler | undefined)[];
  private sPayload: unknown[];
  private freeSlots: Int32Array;
  private freeTop = 0;
  private nextFreshSlot = 0;
  private stopped = false;

  constructor(initialCapacity = 1024) {
    this.cap = Math.max(16, initialCapacity);
    this.hTime = new Float64Array(this.cap);
    this.hSeq = new Float64Array(this.cap);
    this.hSlot = new Int32Array(this.cap);
    this.sPos = new Int32Array(this.cap).fill(-1);
    this.sGen = new Float64Array(this.cap);
    this.sHandler = new Array(this.cap);
    this.sPayload = new Array(this.cap);
    this.freeSlots = new Int32Array(this.cap);
  }

  /** Number of events pending. */
  get pending(): number {
    return this.size;
  }

  /** Time of the next pending event, or Infinity when there is none. */
  peekTime(): number {
    return this.size > 0 ? this.hTime[0] : Infinity;
  }

  /** Schedule `handler(payload)` `delay` seconds from now. */
  schedule<P>(delay: number, handler: Handler<P>, payload?: P): EventHandle {
    return this.at(this.now + delay, handler, payload);
  }

  /** Schedule `handler(payload)` at absolute time `time`. */
  at<P>(time: number, handler: Handler<P>, payload?: P): EventHandle {
    if (!Number.isFinite(time)) throw new SchedulingError(`cannot schedule at non-finite time ${time}`);
    if (time < this.now) throw new SchedulingError(`cannot schedule in the past: ${time} < now ${this.now}`);
    if (this.size === this.cap) this.grow();
    let slot: number;
    if (this.freeTop > 0) slot = this.freeSlots[--this.freeTop];
    else slot = this.nextFreshSlot++;
    this.sHandler[slot] = handler as Handler;
    this.sPayload[slot] = payload;
    const seq = this.seqCounter++;
    // sift up from the end
    let i = this.size++;
    const hTime = this.hTime, hSeq = this.hSeq, hSlot = this.hSlot, sPos = this.sPos;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = hTime[parent];
      if (pt < time || (pt === time && hSeq[parent] < seq)) break;
      hTime[i] = pt;
      hSeq[i] = hSeq[parent];
      const ps = hSlot[parent];
      hSlot[i] = ps;
      sPos[ps] = i;
      i = parent;
    }
    hTime[i] = time;
    hSeq[i] = seq;
    hSlot[i] = slot;
    sPos[slot] = i;
    return this.sGen[slot] * SLOT_SPACE + slot;
  }

  /** Cancel a pending event. Returns false when it already ran or was cancelled. */
  cancel(handle: EventHandle): boolean {
    if (!Number.isInteger(handle) || handle < 0) return false;
    const slot = handle % SLOT_SPACE;
    const gen = (handle - slot) / SLOT_SPACE;
    if (slot >= this.nextFreshSlot || this.sGen[slot] !== gen) return false;
    const pos = this.sPos[slot];
    if (pos < 0) return false;
    this.releaseSlot(slot);
    this.removeAt(pos);
    return true;
  }

  /** True when the handle refers to an event that has not yet run nor been cancelled. */
  isPending(handle: EventHandle): boolean {
    if (!Number.isInteger(handle) || handle < 0) return false;
    const slot = handle % SLOT_SPACE;
    const gen = (handle - slot) / SLOT_SPACE;
    return slot < this.nextFreshSlot && this.sGen[slot] === gen && this.sPos[slot] >= 0;
  }

  /** Stop `run` after the current event. */
  stop(): void {
    this.stopped = true;
  }

  /**
   * Run events in (time, sequence) order. With `until`, run every event whose
   * time is <= until and then set the clock to `until`. Returns the number of
   * events executed by this call.
   */
  run(until = Infinity): number {
    if (Number.isNaN(until)) throw new SchedulingError('run(until): until is NaN');
    this.stopped = false;
    const start = this.executed;
    while (this.size > 0 && !this.stopped) {
      const t = this.hTime[0];
      if (t > until) break;
      const slot = this.hSlot[0];
      const handler = this.sHandler[slot]!;
      const payload = this.sPayload[slot];
      this.releaseSlot(slot);
      this.removeAt(0);
      this.now = t;
      this.executed++;
      handler(payload, this);
    }
    if (!this.stopped && until !== Infinity && until > this.now) this.now = until;
    return this.executed - start;
  }

  private releaseSlot(slot: number): void {
    this.sPos[slot] = -1;
    this.sGen[slot]++;
    this.sHandler[slot] = undefined;
    this.sPayload[slot] = undefined;
    this.freeSlots[this.freeTop++] = slot;
  }

  /** Remove the heap entry at position pos (its slot already released). */
  private removeAt(pos: number): void {
    const last = --this.size;
    if (pos === last) return;
    const hTime = this.hTime, hSeq = this.hSeq, hSlot = this.hSlot, sPos = this.sPos;
    const t = hTime[last], q = hSeq[last], s = hSlot[last];
    // sift up if smaller than parent
    let i = pos;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = hTime[parent];
      if (pt < t || (pt === t && hSeq[parent] < q)) break;
      hTime[i] = pt;
      hSeq[i] = hSeq[parent];
      const ps = hSlot[parent];
      hSlot[i] = ps;
      sPos[ps] = i;
      i = parent;
    }
    if (i === pos) {
      // sift down
      const n = last;
      for (;;) {
        let child = 2 * i + 1;
        if (child >= n) break;
        let ct = hTime[child], cq = hSeq[child];
        const r = child + 1;
        if (r < n) {
          const rt = hTime[r];
          if (rt < ct || (rt === ct && hSeq[r] < cq)) {
            child = r;
            ct = rt;
            cq = hSeq[r];
          }
        }
        if (t < ct || (t === ct && q < cq)) break;
        hTime[i] = ct;
        hSeq[i] = cq;
        const cs = hSlot[child];
        hSlot[i] = cs;
        sPos[cs] = i;
        i = child;
      }
    }
    hTime[i] = t;
    hSeq[i] = q;
    hSlot[i] = s;
    sPos[s] = i;
  }

  private grow(): void {
    const cap = this.cap * 2;
    if (cap > SLOT_SPACE) throw new SchedulingError(`more than ${SLOT_SPACE} events pending`);
    const f64 = (a: Float64Array) => {
      const b = new Float64Array(cap);
      b.set(a);
      return b;
    };
    const i32 = (a: Int32Array, fill = 0) => {
      const b = new Int32Array(cap).fill(fill);
      b.set(a);
      return b;
    };
    this.hTime = f64(this.hTime);
    this.hSeq = f64(this.hSeq);
    this.hSlot = i32(this.hSlot);
    this.sPos = i32(this.sPos, -1);
    this.sGen = f64(this.sGen);
    this.freeSlots = i32(this.freeSlots);
    this.sHandler.length = cap;
    this.sPayload.length = cap;
    this.cap = cap;
  }
}
