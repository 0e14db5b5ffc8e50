/**
 * The pending events of the kernel (see Sim), in two tiers, as a ladder
 * queue (Tang, Goh and Thng, 2005) with one rung:
 *
 * - the near tier: the events of the time the calendar has reached, as a
 *   binary heap of (time, slot) in typed arrays (heap.ts) or, when a bucket
 *   of at most SORTED events was poured into it, as a sorted run whose first
 *   entry is taken by moving one index;
 * - the calendar: buckets of equal width in time, each an unsorted linked
 *   list of slots, and past its last bucket an unsorted overflow list.
 *
 * An event goes where its bucket index floor((time - base) / width) says:
 * below the next bucket to pour, into the near tier; else into its bucket, or
 * the overflow. When the near tier runs dry the next bucket is poured into
 * it; when the buckets run out the overflow is laid out as a new calendar,
 * its width chosen from a sample of the times so that a bucket holds about
 * PER_BUCKET events. The index is a monotone function of time, so every event
 * in the near tier comes before every event outside it, and the near tier
 * gives them in the total order (time, key): the tiers decide how much work
 * that takes, never the order. Events that come denser than the layout
 * guessed (a bucket of more than DENSE) make a finer calendar; sparser ones
 * (a calendar used up after few events) a wider one; times that give no
 * width at all (all at one instant) are poured into the heap, and it is a
 * binary heap again.
 *
 * Each slot holds an event's handler, payload, time, order key, generation
 * and list link. The order key is one exact integer (priority * SEQ_SPACE +
 * sequence number, made by the kernel), so ties in time cost one comparison.
 * A taken event's handler and payload stay in its slot until the slot is
 * reused (its handle is stale at once: the generation moved on).
 *
 * Cancel is O(1) and lazy: it bumps the slot's generation (so the handle goes
 * stale) and clears the handler; the entry is dropped where it is next
 * touched (the near tier's first entry, a bucket poured, the overflow laid
 * out). When cancelled entries outnumber live ones, everything goes back to
 * the overflow without them, so the queue never holds more than about twice
 * the pending events.
 */
import type { Handler } from './sim.ts';
import { heapify, insertSorted, popFirst, siftUp } from './heap.ts';

export const SLOT_SPACE = 2 ** 24; // at most 16M events pending at once
/** Generations wrap here, so generation * SLOT_SPACE + slot < 2^53 stays an exact integer. */
export const GEN_SPACE = 2 ** 29;
/** Compact when more than this many cancelled entries are held and they are the majority. */
const COMPACT_MIN = 32;
/** Heap times past the last entry are +Infinity: room for the children of the last parent. */
const PAD = 2;
/** Events a bucket is meant to hold, on average (chosen by the kernel bench: 1, 2 and 4 with runs of 8, 16, 32). */
const PER_BUCKET = 2;
/** Events of a bucket put into the heap by insertion. */
const SORTED = 16;
/** A bucket with more events than this is refined (see refill). */
const DENSE = 16 * PER_BUCKET;
/** The most buckets a calendar has (4 bytes each). */
const MAX_BUCKETS = 2 ** 22;
/** Times sampled to choose the width of a new calendar. */
const SAMPLE = 33;
/** Fewer events than this in the overflow go straight into the heap. */
const SMALL = 16;
/** The inverse width of the calendar of no buckets: a time after its base is at index >= 1 unless within 2^-1023 of it (any positive number would do: the index is monotone in time, which is all the order needs). */
const HUGE = 2 ** 1023;

/** A call the kernel cannot take: a time in the past, a bad priority or ticket, too many events. */
export class SchedulingError extends Error {}

export class EventQueue {
  /** Entries held (heap, buckets and overflow), including cancelled ones not yet dropped and the taken one. */
  size = 0;
  private cancelled = 0;
  private cap: number;
  // near heap, indexed by heap position
  private hn = 0;
  /**
   * A bucket of at most SORTED events is poured as a sorted run: the heap's
   * entries are then at lo .. lo + hn - 1 in order, and taking the first is
   * lo++. The first push into it makes it a heap again (lo = 0).
   */
  private lo = 0;
  private run = false;
  private hTime: Float64Array;
  private hSlot: Int32Array;
  // slots
  private sTime: Float64Array;
  private sKey: Float64Array; // order key (only read to break ties in time)
  private sGen: Int32Array; // generation, bumped when the event is taken or cancelled
  private sNext: Int32Array; // next slot in a bucket or the overflow, -1 at the end
  private sHandler: (Handler | undefined)[]; // undefined: free, cancelled or taken
  private sPayload: unknown[];
  private freeSlots: Int32Array;
  private freeTop = 0;
  private nextFreshSlot = 0;
  // calendar: bucket j holds the times whose index floor((time - base) * invWidth) is j
  private base = 0;
  private invWidth = 0;
  private buckets = 0;
  private cur = 0; // next bucket to pour; indices below it go to the heap
  private head = new Int32Array(16).fill(-1);
  private over = -1;
  private overCount = 0;
  private readonly sample = new Float64Array(SAMPLE);
  /** Events poured into the heap since the last layout, and how many that layout laid out. */
  private poured = 0;
  private laidOut = 0;
  /** What `take` found: the event's handler, payload and order key. */
  takenHandler: Handler | undefined = undefined;
  takenPayload: unknown = undefined;
  takenKey = 0;

  constructor(initialCapacity: number) {
    const cap = (this.cap = Math.max(16, initialCapacity));
    this.hTime = new Float64Array(cap + PAD).fill(Infinity);
    this.hSlot = new Int32Array(cap + PAD);
    this.sTime = new Float64Array(cap);
    this.sKey = new Float64Array(cap);
    this.sGen = new Int32Array(cap);
    this.sNext = new Int32Array(cap);
    // packed arrays (pushed, never holey): a library that puts an indexed property on a
    // prototype (vega does) makes every load from a holey array look up the prototype chain
    this.sHandler = packed(cap);
    this.sPayload = packed(cap);
    this.freeSlots = new Int32Array(cap);
  }

  /** Events pending (not cancelled, not taken). */
  get pending(): number {
    return this.size - this.cancelled;
  }

  /** Time of the first entry (it may be cancelled or taken); Infinity when none is held. */
  topTime(): number {
    return this.hn > 0 ? this.hTime[this.lo] : this.refillTop();
  }

  /** topTime when the heap is empty: refill it from the calendar. */
  private refillTop(): number {
    if (this.size > 0) this.refill();
    return this.hn > 0 ? this.hTime[this.lo] : Infinity;
  }

  /** Order key of the first entry (call after topTime found one). */
  topKey(): number {
    return this.sKey[this.hSlot[this.lo]];
  }

  /** Hold `handler(payload)` at (time, key); returns the handle generation * SLOT_SPACE + slot. The near tier takes it when its bucket index is below the next bucket to pour. */
  push(time: number, key: number, handler: Handler, payload: unknown): number {
    // the bucket index is floor(x); x < cur exactly when floor(x) < cur
    const x = (time - this.base) * this.invWidth;
    const slot = this.freeTop > 0 ? this.freeSlots[--this.freeTop] : this.freshSlot();
    this.sHandler[slot] = handler;
    this.sPayload[slot] = payload;
    this.sKey[slot] = key;
    this.sTime[slot] = time;
    this.size++;
    if (x < this.cur) {
      if (this.run) this.runToHeap();
      siftUp(this.hTime, this.hSlot, this.sKey, this.hn++, time, slot);
    }
    else if (x < this.buckets) {
      const j = x | 0; // floor, as 0 <= x < buckets <= MAX_BUCKETS
      this.sNext[slot] = this.head[j];
      this.head[j] = slot;
    } else this.toOverflow(slot);
    return this.sGen[slot] * SLOT_SPACE + slot;
  }

  /** A slot never used yet (growing the arrays when they are full). */
  private freshSlot(): number {
    if (this.nextFreshSlot === this.cap) this.grow();
    return this.nextFreshSlot++;
  }

  private toOverflow(slot: number): void {
    this.sNext[slot] = this.over;
    this.over = slot;
    this.overCount++;
  }

  /**
   * Take the first event to run (call when topTime found one): true with
   * takenHandler, takenPayload and takenKey set, its entry removed and its
   * handle gone stale; or false when it was cancelled (then it is dropped).
   */
  take(): boolean {
    const slot = this.hSlot[this.lo];
    const handler = this.sHandler[slot];
    this.dropTop();
    if (handler === undefined) {
      this.dropCancelled(slot);
      return false;
    }
    this.free(slot);
    this.takenHandler = handler;
    this.takenPayload = this.sPayload[slot];
    this.takenKey = this.sKey[slot];
    // the handle goes stale with the generation; the handler and payload stay until the slot is reused
    this.bumpGen(slot);
    return true;
  }

  /** Drop cancelled entries from the top of the heap (refilling it). */
  dropDone(): void {
    while (this.topTime() !== Infinity) {
      const slot = this.hSlot[this.lo];
      if (this.sHandler[slot] !== undefined) return;
      this.dropTop();
      this.dropCancelled(slot);
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
    this.sGen[slot] = (this.sGen[slot] + 1) & (GEN_SPACE - 1); // GEN_SPACE is a power of two
  }

  private free(slot: number): void {
    this.freeSlots[this.freeTop++] = slot;
    this.size--;
  }

  /** A cancelled entry met where it lies (the near tier's first, a bucket poured, the overflow): its slot is free. */
  private dropCancelled(slot: number): void {
    this.free(slot);
    this.cancelled--;
  }

  // ---- the calendar ----

  /**
   * The heap is empty: pour the next bucket that holds a live event into it,
   * laying out a new calendar when the buckets run out. A bucket that holds
   * far more than PER_BUCKET events (the times came denser than the layout
   * guessed) makes a finer calendar of everything outside the heap instead,
   * at most once per as many events poured as are held (so the work of laying
   * out stays O(1) per event); else it is poured, and the heap takes the load.
   */
  private refill(): void {
    outer: while (this.size > 0) {
      const head = this.head, buckets = this.buckets;
      let cur = this.cur;
      while (cur < buckets) {
        const first = head[cur++];
        if (first < 0) continue;
        head[cur - 1] = -1;
        this.cur = cur;
        if (this.poured >= this.size && this.refine(first)) {
          if (this.hn > 0) return;
          continue outer;
        }
        this.pour(first);
        if (this.hn > 0) return;
      }
      this.cur = cur;
      this.layOut(0);
      if (this.hn > 0) return;
    }
  }

  /**
   * When the list from `first` (a bucket just taken from the calendar) holds
   * more than DENSE events at more than one time, put it, the later buckets
   * and the overflow back into the overflow and lay them out with the width
   * at which this bucket would have held PER_BUCKET events; true when done.
   */
  private refine(first: number): boolean {
    const sTime = this.sTime, sNext = this.sNext;
    let n = 0, min = Infinity, max = -Infinity, last = first;
    for (let s = first; s >= 0; s = sNext[s]) {
      const t = sTime[s];
      if (t < min) min = t;
      if (t > max) max = t;
      n++;
      last = s;
    }
    if (n <= DENSE || !(max > min)) return false;
    // the bucket's list goes in front of the overflow, then the later buckets
    sNext[last] = this.over;
    this.over = first;
    this.overCount += n;
    this.emptyBuckets();
    this.layOut((PER_BUCKET / n) / this.invWidth);
    return true;
  }

  /** Move the entries of buckets cur .. buckets - 1 to the overflow. */
  private emptyBuckets(): void {
    for (let j = this.cur; j < this.buckets; j++) {
      for (let s = this.head[j]; s >= 0; ) {
        const next = this.sNext[s];
        this.toOverflow(s);
        s = next;
      }
      this.head[j] = -1;
    }
    this.cur = this.buckets;
  }

  /**
   * Put the live entries of the list from `first` into the (empty) near
   * tier, and drop the cancelled ones. The first SORTED go in by insertion,
   * the rest are appended. At most SORTED make a sorted run; more, a heap,
   * unless they are all at one time (a tick of many timers): a list holds
   * its events in reverse order of scheduling, so taken backwards they are
   * usually in order already, and then they make a run.
   */
  private pour(first: number): void {
    const hTime = this.hTime, hSlot = this.hSlot, sTime = this.sTime, sKey = this.sKey, sNext = this.sNext, sHandler = this.sHandler;
    let n = 0, same = true;
    const t0 = sTime[first];
    for (let s = first; s >= 0; s = sNext[s]) {
      if (sHandler[s] === undefined) {
        this.dropCancelled(s); // (its link stays: nothing is scheduled while pouring)
        continue;
      }
      const t = sTime[s];
      same = same && t === t0;
      if (n < SORTED) insertSorted(hTime, hSlot, sKey, n++, t, s);
      else {
        hTime[n] = t;
        hSlot[n] = s;
        n++;
      }
    }
    this.hn = n;
    this.lo = 0;
    this.poured += n;
    this.run = n <= SORTED || (same && this.backwards(first, n));
    if (!this.run) heapify(hTime, hSlot, sKey, n);
  }

  /** Put the n live entries of the list from `first`, all at one time, at n - 1 down to 0; true when that is their order. */
  private backwards(first: number, n: number): boolean {
    const hSlot = this.hSlot, sKey = this.sKey, sNext = this.sNext, sHandler = this.sHandler;
    let i = n;
    for (let s = first; s >= 0; s = sNext[s]) if (sHandler[s] !== undefined) hSlot[--i] = s;
    for (let j = 1; j < n; j++) if (sKey[hSlot[j]] < sKey[hSlot[j - 1]]) return false;
    return true; // the times are all the same, and already in place
  }

  /**
   * The heap and every bucket are empty: lay the overflow out as a new
   * calendar from its earliest time, its width `width` or (0) chosen so that
   * a bucket holds about PER_BUCKET events where the sampled times are dense,
   * and at least four times the last width when the last calendar ran out
   * after fewer events than it was laid out with (they came sparser than
   * guessed); or, when the overflow is small or its times give no width,
   * pour it all into the heap.
   */
  private layOut(width: number): void {
    const first = this.over, m = this.overCount;
    const short = this.poured < this.laidOut >> 2;
    this.over = -1;
    this.overCount = 0;
    this.poured = 0;
    this.laidOut = m;
    if (first < 0) return;
    if (m < SMALL) return this.pourAll(first);
    const sTime = this.sTime, sNext = this.sNext;
    // the earliest time, and every step-th time as a sample
    const step = Math.max(1, Math.floor(m / SAMPLE));
    let min = Infinity, k = 0, i = 0;
    for (let s = first; s >= 0; s = sNext[s], i++) {
      const t = sTime[s];
      if (t < min) min = t;
      if (i % step === 0 && k < SAMPLE) this.sample[k++] = t;
    }
    if (!(width > 0)) {
      const sample = this.sample.subarray(0, k).sort();
      // the span of the earlier half of the sample holds about half the events; else the span of all of it, all of them
      const half = sample[k >> 1] - min;
      width = half > 0 ? (half * PER_BUCKET) / (m >> 1) : ((sample[k - 1] - min) * PER_BUCKET) / m;
      if (short && this.invWidth > 0) width = Math.max(width, 4 / this.invWidth);
    }
    const invWidth = 1 / width;
    if (!(width > 0 && invWidth < Infinity)) return this.pourAll(first);
    const buckets = Math.min(MAX_BUCKETS, 8 * Math.ceil(m / PER_BUCKET));
    if (this.head.length < buckets) this.head = new Int32Array(Math.max(buckets, 2 * this.head.length)).fill(-1);
    this.base = min;
    this.invWidth = invWidth;
    this.buckets = buckets;
    this.cur = 0;
    const head = this.head;
    for (let s = first; s >= 0; ) {
      const next = sNext[s];
      if (this.sHandler[s] === undefined) {
        this.dropCancelled(s);
      } else {
        const x = (sTime[s] - min) * invWidth;
        if (x < buckets) {
          const j = x | 0; // floor, as 0 <= x < buckets
          sNext[s] = head[j];
          head[j] = s;
        } else this.toOverflow(s);
      }
      s = next;
    }
  }

  /**
   * Pour the whole list into the heap, with a calendar of no buckets whose
   * index is below 1 exactly at or before the list's last time: a later
   * event joins the heap when it comes no later than the heap's last one.
   */
  private pourAll(first: number): void {
    let max = -Infinity;
    for (let s = first; s >= 0; s = this.sNext[s]) if (this.sTime[s] > max) max = this.sTime[s];
    this.base = max;
    this.invWidth = HUGE;
    this.buckets = 0;
    this.cur = 1;
    this.pour(first);
  }

  // ---- the near heap (heap.ts) ----

  /** Remove the first entry (its slot is left to the caller). */
  private dropTop(): void {
    if (this.run) {
      this.hTime[this.lo++] = Infinity; // the padding, for when the heap is next poured
      this.hn--;
    } else popFirst(this.hTime, this.hSlot, this.sKey, --this.hn);
  }

  /** An event joins a sorted run: the run (sorted, so a heap) moves to the front and is a heap from now on. */
  private runToHeap(): void {
    const lo = this.lo, n = this.hn;
    if (lo > 0) {
      this.hTime.copyWithin(0, lo, lo + n);
      this.hSlot.copyWithin(0, lo, lo + n);
      this.hTime.fill(Infinity, Math.max(n, lo), lo + n);
      this.lo = 0;
    }
    this.run = false;
  }

  /** Drop every cancelled entry: everything goes back to the overflow (the cancelled are dropped when it is laid out). */
  private compact(): void {
    const hSlot = this.hSlot, lo = this.lo;
    for (let i = lo; i < lo + this.hn; i++) this.toOverflow(hSlot[i]);
    this.hTime.fill(Infinity, lo, lo + this.hn);
    this.hn = 0;
    this.lo = 0;
    this.run = false;
    this.emptyBuckets();
    this.buckets = 0;
    this.cur = 0;
    this.invWidth = 0;
    // drop the cancelled now, so that the count of held entries goes down at once
    let keep = -1, kept = 0;
    for (let s = this.over; s >= 0; ) {
      const next = this.sNext[s];
      if (this.sHandler[s] === undefined) {
        this.dropCancelled(s);
      } else {
        this.sNext[s] = keep;
        keep = s;
        kept++;
      }
      s = next;
    }
    this.over = keep;
    this.overCount = kept;
  }

  private grow(): void {
    const cap = this.cap * 2;
    if (cap > SLOT_SPACE) throw new SchedulingError(`more than ${SLOT_SPACE} events pending`);
    const f64 = (a: Float64Array, len = cap) => {
      const b = new Float64Array(len);
      b.set(a);
      return b;
    };
    const i32 = (a: Int32Array, len = cap) => {
      const b = new Int32Array(len);
      b.set(a);
      return b;
    };
    const hTime = new Float64Array(cap + PAD).fill(Infinity);
    hTime.set(this.hTime);
    this.hTime = hTime;
    this.hSlot = i32(this.hSlot, cap + PAD);
    this.sTime = f64(this.sTime);
    this.sKey = f64(this.sKey);
    this.sGen = i32(this.sGen);
    this.sNext = i32(this.sNext);
    this.freeSlots = i32(this.freeSlots);
    for (let i = this.cap; i < cap; i++) {
      this.sHandler.push(undefined);
      this.sPayload.push(undefined);
    }
    this.cap = cap;
  }
}

/** An array of n undefined elements, packed (V8's PACKED_ELEMENTS: filled by push, never with holes). */
function packed(n: number): undefined[] {
  const a: undefined[] = [];
  for (let i = 0; i < n; i++) a.push(undefined);
  return a;
}
