/**
 * The pending events of the kernel (see Sim): a binary heap of (time, slot)
 * in typed arrays, and the slots, each holding an event's handler, payload,
 * order key and generation. The order key is one exact integer (priority *
 * SEQ_SPACE + sequence number, made by the kernel), so ties in time cost one
 * comparison. The queue owns this state; the kernel owns the clock and the
 * order keys and tells the queue what to hold.
 *
 * Cancel is O(1) and lazy: it bumps the slot's generation (so the handle goes
 * stale) and clears the handler; the heap entry stays until it reaches the
 * top, where it is dropped without running. When cancelled entries outnumber
 * live ones the heap is compacted, so it never holds more than about twice
 * the pending events.
 *
 * The event being run stays at the top of the heap (`take`); the first event
 * pushed while it runs takes its place (one sift-down instead of a pop and a
 * push, as Python's heapreplace). Most handlers schedule their process's next
 * step, so this halves the heap work of the common case. The order of events
 * is the total order (time, key), so where an entry sits in the heap never
 * changes which event comes next.
 */
import type { Handler } from './sim.ts';

export const SLOT_SPACE = 2 ** 24; // at most 16M events in the heap at once
/** Generations wrap here, so generation * SLOT_SPACE + slot < 2^53 stays an exact integer. */
export const GEN_SPACE = 2 ** 29;
/** Compact when more than this many cancelled entries are in the heap and they are the majority. */
const COMPACT_MIN = 32;

/** A call the kernel cannot take: a time in the past, a bad priority or ticket, too many events. */
export class SchedulingError extends Error {}

export class EventQueue {
  /** Heap entries, including cancelled ones not yet dropped and the taken one. */
  size = 0;
  private cancelled = 0;
  private cap: number;
  // heap arrays, indexed by heap position
  private hTime: Float64Array;
  private hSlot: Int32Array;
  // slot arrays, indexed by slot
  private sKey: Float64Array; // order key (only read to break ties in time)
  private sGen: Int32Array; // generation, bumped when the event is taken or cancelled
  private sHandler: (Handler | undefined)[]; // undefined: free, cancelled or taken
  private sPayload: unknown[];
  private freeSlots: Int32Array;
  private freeTop = 0;
  private nextFreshSlot = 0;
  /** Slot of the taken event while it is still at the top of the heap, else -1. */
  private live = -1;
  /** What `take` found: the event's handler, payload and order key. */
  takenHandler: Handler | undefined = undefined;
  takenPayload: unknown = undefined;
  takenKey = 0;

  constructor(initialCapacity: number) {
    this.cap = Math.max(16, initialCapacity);
    this.hTime = new Float64Array(this.cap);
    this.hSlot = new Int32Array(this.cap);
    this.sKey = new Float64Array(this.cap);
    this.sGen = new Int32Array(this.cap);
    this.sHandler = new Array(this.cap).fill(undefined);
    this.sPayload = new Array(this.cap).fill(undefined);
    this.freeSlots = new Int32Array(this.cap);
  }

  /** Events pending (not cancelled, not taken). */
  get pending(): number {
    return this.size - this.cancelled - (this.live >= 0 ? 1 : 0);
  }

  /** Time of the first entry (call when size > 0; it may be cancelled or taken). */
  topTime(): number {
    return this.hTime[0];
  }

  /** Order key of the first entry (call when size > 0). */
  topKey(): number {
    return this.sKey[this.hSlot[0]];
  }

  /** Hold `handler(payload)` at (time, key); returns the handle generation * SLOT_SPACE + slot. */
  push(time: number, key: number, handler: Handler, payload: unknown): number {
    const live = this.live;
    if (live >= 0) {
      // take the taken event's place at the top (its slot is done with)
      this.live = -1;
      this.sHandler[live] = handler;
      this.sPayload[live] = payload;
      this.sKey[live] = key;
      this.siftDown(0, time, live);
      return this.sGen[live] * SLOT_SPACE + live;
    }
    return this.pushNew(time, key, handler, payload);
  }

  /** push when no taken event is at the top: a new slot, sifted up from the end. */
  private pushNew(time: number, key: number, handler: Handler, payload: unknown): number {
    if (this.size === this.cap) this.grow();
    const slot = this.freeTop > 0 ? this.freeSlots[--this.freeTop] : this.nextFreshSlot++;
    this.sHandler[slot] = handler;
    this.sPayload[slot] = payload;
    this.sKey[slot] = key;
    this.siftUp(this.size++, time, slot);
    return this.sGen[slot] * SLOT_SPACE + slot;
  }

  /**
   * Take the first event to run (call when size > 0 and nothing is taken):
   * true with takenHandler, takenPayload and takenKey set, its handle gone
   * stale and its entry left at the top until the next push or `retire`; or
   * false when it was cancelled (then it is dropped).
   */
  take(): boolean {
    const slot = this.hSlot[0];
    const handler = this.sHandler[slot];
    if (handler === undefined) {
      this.popTop();
      this.freeSlots[this.freeTop++] = slot;
      this.cancelled--;
      return false;
    }
    this.takenHandler = handler;
    this.takenPayload = this.sPayload[slot];
    this.takenKey = this.sKey[slot];
    this.sHandler[slot] = undefined;
    this.sPayload[slot] = undefined;
    this.bumpGen(slot);
    this.live = slot;
    return true;
  }

  /** Remove the taken event from the top of the heap, if nothing took its place. */
  retire(): void {
    const live = this.live;
    if (live < 0) return;
    this.live = -1;
    this.popTop();
    this.freeSlots[this.freeTop++] = live;
  }

  /** Drop the taken event and cancelled entries from the top of the heap. */
  dropDone(): void {
    this.retire();
    while (this.size > 0) {
      const slot = this.hSlot[0];
      if (this.sHandler[slot] !== undefined) return;
      this.popTop();
      this.freeSlots[this.freeTop++] = slot;
      this.cancelled--;
    }
  }

  /** Cancel the event of handle h (>= 0); false when it already ran or was cancelled. */
  cancel(h: number): boolean {
    if (!this.isPending(h)) return false;
    const slot = h % SLOT_SPACE;
    this.bumpGen(slot);
    this.sHandler[slot] = undefined;
    this.sPayload[slot] = undefined;
    this.cancelled++;
    if (this.cancelled > COMPACT_MIN && 2 * this.cancelled > this.size) this.compact();
    return true;
  }

  /** True when handle h (>= 0) refers to an event not yet taken nor cancelled. */
  isPending(h: number): boolean {
    const slot = h % SLOT_SPACE;
    const gen = (h - slot) / SLOT_SPACE;
    // a slot's generation moves on when its event is taken or cancelled
    return slot < this.nextFreshSlot && this.sGen[slot] === gen && this.sHandler[slot] !== undefined;
  }

  private bumpGen(slot: number): void {
    const g = this.sGen[slot] + 1;
    this.sGen[slot] = g === GEN_SPACE ? 0 : g;
  }

  /** Put the entry (time, slot) at heap position i, whose children are in heap order, and sift it down to its place. */
  private siftDown(i: number, time: number, slot: number): void {
    const hTime = this.hTime, hSlot = this.hSlot, sKey = this.sKey;
    const n = this.size;
    const q = sKey[slot];
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const c = this.smaller(l, n);
      const ct = hTime[c];
      if (time < ct || (time === ct && q < sKey[hSlot[c]])) break;
      hTime[i] = ct;
      hSlot[i] = hSlot[c];
      i = c;
    }
    hTime[i] = time;
    hSlot[i] = slot;
  }

  /**
   * Of the children l and l + 1 (when l + 1 < n) the one that comes first.
   * The comparison of times picks the child without a branch (as flatqueue
   * does: a heap of random times mispredicts half of such branches); the
   * rare exact tie in time then goes by the order key.
   */
  private smaller(l: number, n: number): number {
    const hTime = this.hTime, r = l + 1;
    const lt = hTime[l], rt = r < n ? hTime[r] : Infinity;
    if (rt === lt) return r < n && this.sKey[this.hSlot[r]] < this.sKey[this.hSlot[l]] ? r : l;
    return l + +(rt < lt);
  }

  /**
   * Remove the top entry (its slot is left to the caller). Floyd's method:
   * walk the hole down to a leaf along the smaller children, then sift the
   * last entry up from there; the last entry usually belongs near the bottom,
   * so this saves a comparison per level.
   */
  private popTop(): void {
    const n = --this.size;
    if (n === 0) return;
    const hTime = this.hTime, hSlot = this.hSlot;
    let i = 0;
    let c = 1;
    while (c < n) {
      c = this.smaller(c, n);
      hTime[i] = hTime[c];
      hSlot[i] = hSlot[c];
      i = c;
      c = 2 * i + 1;
    }
    this.siftUp(i, hTime[n], hSlot[n]);
  }

  /** Put the entry (time, slot) at heap position i (a hole) and sift it up to its place. */
  private siftUp(i: number, time: number, slot: number): void {
    const hTime = this.hTime, hSlot = this.hSlot, sKey = this.sKey;
    const q = sKey[slot];
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = hTime[parent];
      if (pt < time || (pt === time && sKey[hSlot[parent]] < q)) break;
      hTime[i] = pt;
      hSlot[i] = hSlot[parent];
      i = parent;
    }
    hTime[i] = time;
    hSlot[i] = slot;
  }

  /** Drop every cancelled entry and rebuild the heap (bottom-up, O(n)). */
  private compact(): void {
    this.retire();
    const hTime = this.hTime, hSlot = this.hSlot, sHandler = this.sHandler;
    let n = 0;
    for (let i = 0; i < this.size; i++) {
      const slot = hSlot[i];
      if (sHandler[slot] === undefined) {
        this.freeSlots[this.freeTop++] = slot;
        continue;
      }
      hTime[n] = hTime[i];
      hSlot[n] = slot;
      n++;
    }
    this.size = n;
    this.cancelled = 0;
    for (let start = (n >> 1) - 1; start >= 0; start--) this.siftDown(start, hTime[start], hSlot[start]);
  }

  private grow(): void {
    const cap = this.cap * 2;
    if (cap > SLOT_SPACE) throw new SchedulingError(`more than ${SLOT_SPACE} events pending`);
    const f64 = (a: Float64Array) => {
      const b = new Float64Array(cap);
      b.set(a);
      return b;
    };
    const i32 = (a: Int32Array) => {
      const b = new Int32Array(cap);
      b.set(a);
      return b;
    };
    this.hTime = f64(this.hTime);
    this.hSlot = i32(this.hSlot);
    this.sKey = f64(this.sKey);
    this.sGen = i32(this.sGen);
    this.freeSlots = i32(this.freeSlots);
    for (let i = this.cap; i < cap; i++) {
      this.sHandler.push(undefined);
      this.sPayload.push(undefined);
    }
    this.cap = cap;
  }
}
