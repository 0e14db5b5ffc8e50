/**
 * The event kernel: a clock and a binary heap of pending events ordered by
 * (time, priority, sequence number). Events are plain data (a handler and a
 * payload); handles are integers. The heap lives in typed arrays of (time,
 * slot); a slot holds the event's handler, payload, order key and generation.
 * The order key is priority * SEQ_SPACE + sequence number, one exact integer,
 * so ties in time cost one comparison.
 *
 * Cancel is O(1) and lazy: it bumps the slot's generation (so the handle goes
 * stale) and clears the handler; the heap entry stays until it reaches the top,
 * where it is dropped without running. When cancelled entries outnumber live
 * ones the heap is compacted, so it never holds more than about twice the
 * pending events.
 *
 * The running event stays at the top of the heap while its handler runs; the
 * first event the handler schedules takes its place (one sift-down instead of
 * a pop and a push, as Python's heapreplace). Most handlers schedule their
 * process's next step, so this halves the heap work of the common case. The
 * order of events is the total order (time, sequence), so where an entry sits
 * in the heap never changes which event runs next.
 *
 * Priority orders events at one time (lower first; 0 is the default), then
 * the sequence number (scheduling order). A place in the order can be
 * reserved now and used later (`reserve`, `atTicket`): the ticket is opaque.
 *
 * Repeating timers (`repeat`) fire every `period` seconds without a heap
 * entry: the kernel keeps them apart and merges them into the order, each
 * firing at (time, priority, a sequence number taken when it was set). A few
 * clocks (one per node, say) cost no heap work per tick.
 *
 * The kernel imports no model and draws no random numbers.
 */

import { RepeatingTimers } from './timers.ts';

export type Handler<P = any> = (payload: P, sim: Sim) => void;

/**
 * A handle to a scheduled event: generation * SLOT_SPACE + slot (>= 0); to a
 * repeating timer: -2 - (generation * SLOT_SPACE + id). Never -1, which
 * models may use for "no event".
 */
export type EventHandle = number;

/** A reserved place in the order of events (see `reserve`); opaque to models. */
export type Ticket = number & { readonly __ticket: unique symbol };

const SLOT_SPACE = 2 ** 24; // at most 16M events in the heap at once
/** Generations wrap here, so generation * SLOT_SPACE + slot < 2^53 stays an exact integer. */
const GEN_SPACE = 2 ** 29;
/** Compact when more than this many cancelled entries are in the heap and they are the majority. */
const COMPACT_MIN = 32;
/** Order key = priority * SEQ_SPACE + seq: exact while |priority| <= MAX_PRIORITY and seq < SEQ_SPACE. */
const SEQ_SPACE = 2 ** 36;
export const MAX_PRIORITY = 2 ** 16;

export class SchedulingError extends Error {}

export class Sim {
  /** Current simulated time in seconds. */
  now = 0;
  /** Events executed so far. */
  executed = 0;

  private seqCounter = 0;
  /** Order key of the running event; Infinity outside `run` (every event due by `now` has run). */
  private curKey = Infinity;
  /** Heap entries, including cancelled ones not yet dropped. */
  private size = 0;
  private cancelled = 0;
  private cap: number;
  // heap arrays, indexed by heap position
  private hTime: Float64Array;
  private hSlot: Int32Array;
  // slot arrays, indexed by slot
  private sSeq: Float64Array; // order key: priority * SEQ_SPACE + sequence number (only read to break ties in time)
  private sGen: Int32Array; // generation, bumped when the event runs or is cancelled
  private sHandler: (Handler | undefined)[]; // undefined: free or cancelled
  private sPayload: unknown[];
  private freeSlots: Int32Array;
  private freeTop = 0;
  private nextFreshSlot = 0;
  private stopped = false;
  /** Slot of the running event while it is still at the top of the heap, else -1. */
  private live = -1;
  private readonly timers = new RepeatingTimers();

  constructor(initialCapacity = 1024) {
    this.cap = Math.max(16, initialCapacity);
    this.hTime = new Float64Array(this.cap);
    this.hSlot = new Int32Array(this.cap);
    this.sSeq = new Float64Array(this.cap);
    this.sGen = new Int32Array(this.cap);
    this.sHandler = new Array(this.cap).fill(undefined);
    this.sPayload = new Array(this.cap).fill(undefined);
    this.freeSlots = new Int32Array(this.cap);
  }

  /** Number of events pending. */
  get pending(): number {
    return this.size - this.cancelled - (this.live >= 0 ? 1 : 0) + this.timers.active;
  }

  /** Time of the next pending event (repeating timers included), or Infinity when there is none. */
  peekTime(): number {
    this.dropCancelledTop();
    return Math.min(this.size > 0 ? this.hTime[0] : Infinity, this.timers.nextTime);
  }

  /** Schedule `handler(payload)` `delay` seconds from now. */
  schedule<P>(delay: number, handler: Handler<P>, payload?: P, priority = 0): EventHandle {
    return this.at(this.now + delay, handler, payload, priority);
  }

  /**
   * Schedule `handler(payload)` at absolute time `time`. Events at one time
   * run in order of `priority` (an integer, lower first, default 0), then in
   * the order they were scheduled. (An event for now that sorts before the
   * running one, by a lower priority, runs next.)
   */
  at<P>(time: number, handler: Handler<P>, payload?: P, priority = 0): EventHandle {
    // one comparison rejects NaN, the past and +Infinity; -Infinity is in the past
    if (!(time >= this.now && time < Infinity)) this.badTime(time);
    if (priority !== 0) return this.insert(time, this.keyOf(priority, this.nextSeq()), handler as Handler, payload);
    // (the body of insert for priority 0, written out: this is the hottest call of every model;
    // its key is its sequence number, exact to 2^53; keyOf checks the bound where priorities mix)
    const seq = this.seqCounter++;
    const live = this.live;
    if (live >= 0) {
      this.live = -1;
      this.sHandler[live] = handler as Handler;
      this.sPayload[live] = payload;
      this.sSeq[live] = seq;
      this.siftDownTop(time, live);
      return this.sGen[live] * SLOT_SPACE + live;
    }
    if (this.size === this.cap) this.grow();
    const slot = this.freeTop > 0 ? this.freeSlots[--this.freeTop] : this.nextFreshSlot++;
    this.sHandler[slot] = handler as Handler;
    this.sPayload[slot] = payload;
    this.sSeq[slot] = seq;
    // sift up from the end; the new event sorts after every event of priority <= 0 already at its time
    const hTime = this.hTime, hSlot = this.hSlot;
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = hTime[parent];
      if (pt < time || (pt === time && this.sSeq[hSlot[parent]] < seq)) break;
      hTime[i] = pt;
      hSlot[i] = hSlot[parent];
      i = parent;
    }
    hTime[i] = time;
    hSlot[i] = slot;
    return this.sGen[slot] * SLOT_SPACE + slot;
  }

  /**
   * Reserve a place in the order of events now, for an event whose time is
   * known but which may never need to run (see `atTicket`). Reserving takes
   * a sequence number as `schedule` does, so a model that reserves where it
   * would otherwise schedule sees the same order of events either way.
   */
  reserve(priority = 0): Ticket {
    return this.keyOf(priority, this.nextSeq()) as Ticket;
  }

  /**
   * True when an event at `time` holding `ticket` would already have run:
   * it comes before the running event (or, between runs, at or before now).
   */
  hasPassed(time: number, ticket: Ticket): boolean {
    return time < this.now || (time === this.now && ticket < this.curKey);
  }

  /**
   * Schedule `handler(payload)` at `time` in the place `ticket` reserved: it
   * runs where it would have run had it been scheduled when the ticket was
   * taken. The place must not have passed.
   */
  atTicket<P>(time: number, ticket: Ticket, handler: Handler<P>, payload?: P): EventHandle {
    if (!(time >= this.now && time < Infinity)) this.badTime(time);
    const seq = ((ticket % SEQ_SPACE) + SEQ_SPACE) % SEQ_SPACE;
    if (!(Number.isInteger(ticket) && seq < this.seqCounter)) throw new SchedulingError(`ticket ${ticket} was not reserved`);
    if (this.hasPassed(time, ticket) || (time === this.now && ticket === this.curKey)) throw new SchedulingError(`the reserved place at ${time} comes before the running event`);
    return this.insert(time, ticket, handler as Handler, payload);
  }

  /**
   * A repeating timer: `handler(payload)` at `first`, then every `period`
   * seconds (first + period, first + 2 period, ... summed step by step),
   * until cancelled (`cancel(handle)`). A firing is ordered as an event of
   * `priority` scheduled when the previous firing ran. Kept out of the heap.
   */
  repeat<P>(first: number, period: number, handler: Handler<P>, payload?: P, priority = 0): EventHandle {
    if (!(first >= this.now && first < Infinity)) this.badTime(first);
    if (!(period > 0 && period < Infinity)) throw new SchedulingError(`repeat period must be a positive finite number (got ${period})`);
    const key = this.keyOf(priority, this.nextSeq());
    const { id, gen } = this.timers.add(first, period, key, priority, handler as Handler, payload);
    return -2 - (gen * SLOT_SPACE + id);
  }

  private nextSeq(): number {
    const seq = this.seqCounter++;
    if (seq >= SEQ_SPACE) throw new SchedulingError(`more than ${SEQ_SPACE} events scheduled in one run`);
    return seq;
  }

  private keyOf(priority: number, seq: number): number {
    if (!(Number.isInteger(priority) && Math.abs(priority) <= MAX_PRIORITY)) throw new SchedulingError(`priority must be an integer in [-${MAX_PRIORITY}, ${MAX_PRIORITY}] (got ${priority})`);
    return priority * SEQ_SPACE + seq;
  }

  /** Fire the next repeating timer if it comes before the heap's top and is due by `until`; true when it fired. */
  private timerFirst(until: number): boolean {
    const timers = this.timers, rt = timers.nextTime;
    if (rt > until) return false;
    if (this.size > 0) {
      const t = this.hTime[0];
      if (t < rt || (t === rt && this.sSeq[this.hSlot[0]] < timers.nextKey)) return false;
    }
    this.fireTimer();
    return true;
  }

  /** Run the next repeating timer's firing (it comes before the heap's top). */
  private fireTimer(): void {
    // the next firing is ordered as if the handler had scheduled it first
    const timers = this.timers;
    timers.fire(this.keyOfNext);
    this.now = timers.firedTime;
    this.executed++;
    this.curKey = timers.firedKey;
    timers.firedHandler!(timers.firedPayload, this);
  }

  private readonly keyOfNext = (priority: number): number => this.keyOf(priority, this.nextSeq());

  private badTime(time: number): never {
    if (!Number.isFinite(time)) throw new SchedulingError(`cannot schedule at non-finite time ${time}`);
    throw new SchedulingError(`cannot schedule in the past: ${time} < now ${this.now}`);
  }

  /** Insert with any order key (at() is this with the next number at priority 0, written out). */
  private insert(time: number, seq: number, handler: Handler, payload: unknown): EventHandle {
    const live = this.live;
    if (live >= 0) {
      // take the running event's place at the top (its slot is done with)
      this.live = -1;
      this.sHandler[live] = handler;
      this.sPayload[live] = payload;
      this.sSeq[live] = seq;
      this.siftDownTop(time, live);
      return this.sGen[live] * SLOT_SPACE + live;
    }
    if (this.size === this.cap) this.grow();
    const slot = this.freeTop > 0 ? this.freeSlots[--this.freeTop] : this.nextFreshSlot++;
    this.sHandler[slot] = handler;
    this.sPayload[slot] = payload;
    this.sSeq[slot] = seq;
    // sift up from the end
    const hTime = this.hTime, hSlot = this.hSlot, sSeq = this.sSeq;
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = hTime[parent];
      if (pt < time || (pt === time && sSeq[hSlot[parent]] < seq)) break;
      hTime[i] = pt;
      hSlot[i] = hSlot[parent];
      i = parent;
    }
    hTime[i] = time;
    hSlot[i] = slot;
    return this.sGen[slot] * SLOT_SPACE + slot;
  }

  /** Cancel a pending event. Returns false when it already ran or was cancelled. */
  cancel(handle: EventHandle): boolean {
    if (!this.isPending(handle)) return false;
    if (handle < 0) {
      this.timers.cancel((-2 - handle) % SLOT_SPACE, GEN_SPACE);
      return true;
    }
    const slot = handle % SLOT_SPACE;
    this.bumpGen(slot);
    this.sHandler[slot] = undefined;
    this.sPayload[slot] = undefined;
    this.cancelled++;
    if (this.cancelled > COMPACT_MIN && 2 * this.cancelled > this.size) this.compact();
    return true;
  }

  /** True when the handle refers to an event that has not yet run nor been cancelled. */
  isPending(handle: EventHandle): boolean {
    if (!Number.isInteger(handle)) return false;
    if (handle < 0) {
      const h = -2 - handle;
      if (h < 0) return false;
      const id = h % SLOT_SPACE;
      return this.timers.isSet(id, (h - id) / SLOT_SPACE);
    }
    const slot = handle % SLOT_SPACE;
    const gen = (handle - slot) / SLOT_SPACE;
    // a slot's generation moves on when its event runs or is cancelled
    return slot < this.nextFreshSlot && this.sGen[slot] === gen && this.sHandler[slot] !== undefined;
  }

  /** Stop `run` after the current event. */
  stop(): void {
    this.stopped = true;
  }

  /**
   * Run events in (time, priority, sequence) order. With `until`, run every event whose
   * time is <= until and then set the clock to `until`. Returns the number of
   * events executed by this call.
   */
  run(until = Infinity): number {
    if (Number.isNaN(until)) throw new SchedulingError('run(until): until is NaN');
    this.stopped = false;
    this.retireLive(); // a handler that threw left its event at the top
    this.curKey = Infinity;
    const start = this.executed;
    while (!this.stopped) {
      if (this.timers.nextTime !== Infinity && this.timerFirst(until)) continue;
      // Handlers may grow or compact the arrays, so they are re-read every event.
      if (this.size === 0) break;
      const t = this.hTime[0];
      if (t > until) break;
      const slot = this.hSlot[0];
      const sHandler = this.sHandler;
      const handler = sHandler[slot];
      if (handler === undefined) {
        this.popTop(); // a cancelled entry: drop it
        this.freeSlots[this.freeTop++] = slot;
        this.cancelled--;
        continue;
      }
      const sPayload = this.sPayload;
      const payload = sPayload[slot];
      sHandler[slot] = undefined;
      sPayload[slot] = undefined;
      this.bumpGen(slot);
      this.now = t;
      this.executed++;
      this.live = slot;
      this.curKey = this.sSeq[slot];
      handler(payload, this);
      // the handler scheduled nothing: remove its event now
      if (this.live >= 0) this.retireLive();
    }
    this.curKey = Infinity;
    if (!this.stopped && until !== Infinity && until > this.now) this.now = until;
    return this.executed - start;
  }

  private bumpGen(slot: number): void {
    const g = this.sGen[slot] + 1;
    this.sGen[slot] = g === GEN_SPACE ? 0 : g;
  }

  /** Remove the running event from the top of the heap, if it is still there. */
  private retireLive(): void {
    const live = this.live;
    if (live < 0) return;
    this.live = -1;
    this.popTop();
    this.freeSlots[this.freeTop++] = live;
  }

  /** Put the entry (time, slot) at the top and sift it down to its place. */
  private siftDownTop(time: number, slot: number): void {
    const hTime = this.hTime, hSlot = this.hSlot, sSeq = this.sSeq;
    const n = this.size;
    const q = sSeq[slot];
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      let ct = hTime[c];
      const r = c + 1;
      if (r < n) {
        const rt = hTime[r];
        if (rt < ct || (rt === ct && sSeq[hSlot[r]] < sSeq[hSlot[c]])) {
          c = r;
          ct = rt;
        }
      }
      if (time < ct || (time === ct && q < sSeq[hSlot[c]])) break;
      hTime[i] = ct;
      hSlot[i] = hSlot[c];
      i = c;
    }
    hTime[i] = time;
    hSlot[i] = slot;
  }

  /** Drop cancelled entries from the top of the heap. */
  private dropCancelledTop(): void {
    this.retireLive();
    while (this.size > 0) {
      const slot = this.hSlot[0];
      if (this.sHandler[slot] !== undefined) return;
      this.popTop();
      this.freeSlots[this.freeTop++] = slot;
      this.cancelled--;
    }
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
    const hTime = this.hTime, hSlot = this.hSlot, sSeq = this.sSeq;
    let i = 0;
    let c = 1;
    while (c < n) {
      let ct = hTime[c];
      const r = c + 1;
      if (r < n) {
        const rt = hTime[r];
        if (rt < ct || (rt === ct && sSeq[hSlot[r]] < sSeq[hSlot[c]])) {
          c = r;
          ct = rt;
        }
      }
      hTime[i] = ct;
      hSlot[i] = hSlot[c];
      i = c;
      c = 2 * i + 1;
    }
    const lt = hTime[n], ls = hSlot[n], lq = sSeq[ls];
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = hTime[parent];
      if (pt < lt || (pt === lt && sSeq[hSlot[parent]] < lq)) break;
      hTime[i] = pt;
      hSlot[i] = hSlot[parent];
      i = parent;
    }
    hTime[i] = lt;
    hSlot[i] = ls;
  }

  /** Drop every cancelled entry and rebuild the heap (bottom-up, O(n)). */
  private compact(): void {
    this.retireLive();
    const hTime = this.hTime, hSlot = this.hSlot, sSeq = this.sSeq, sHandler = this.sHandler;
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
    for (let start = (n >> 1) - 1; start >= 0; start--) {
      const t = hTime[start], s = hSlot[start], q = sSeq[s];
      let i = start;
      for (;;) {
        let c = 2 * i + 1;
        if (c >= n) break;
        let ct = hTime[c], cq = sSeq[hSlot[c]];
        const r = c + 1;
        if (r < n) {
          const rt = hTime[r], rq = sSeq[hSlot[r]];
          if (rt < ct || (rt === ct && rq < cq)) {
            c = r;
            ct = rt;
            cq = rq;
          }
        }
        if (t < ct || (t === ct && q < cq)) break;
        hTime[i] = ct;
        hSlot[i] = hSlot[c];
        i = c;
      }
      hTime[i] = t;
      hSlot[i] = s;
    }
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
    this.sSeq = f64(this.sSeq);
    this.sGen = i32(this.sGen);
    this.freeSlots = i32(this.freeSlots);
    for (let i = this.cap; i < cap; i++) {
      this.sHandler.push(undefined);
      this.sPayload.push(undefined);
    }
    this.cap = cap;
  }
}
