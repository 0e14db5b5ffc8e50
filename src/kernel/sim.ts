/**
 * The event kernel: a clock, the order of events and the run loop. Events are
 * plain data (a handler and a payload) ordered by (time, priority, sequence
 * number); handles are integers. The pending events live in an EventQueue
 * (queue.ts: a calendar of buckets over a small heap or sorted run, lazy
 * cancel; the order is the total order whatever the layout); repeating timers live beside it in
 * RepeatingTimers (timers.ts) and are merged into the order here.
 *
 * An event's order key is priority * SEQ_SPACE + sequence number, one exact
 * integer. Priority orders events at one time (lower first; 0 is the
 * default), then the sequence number (scheduling order). Models state their
 * order at one instant with priorities and never see sequence numbers.
 *
 * Repeating timers (`repeat`) fire on a grid, anchor + n * period, without a
 * heap entry, each firing at (time, priority, a sequence number taken when
 * the previous one ran). A few clocks (one per node, say) cost no heap work
 * per tick.
 *
 * The kernel imports no model and draws no random numbers.
 */

import { RepeatingTimers } from './timers.ts';
import { EventQueue, GEN_SPACE, SchedulingError, SLOT_SPACE } from './queue.ts';

export { SchedulingError };

export type Handler<P = any> = (payload: P, sim: Sim) => void;

/**
 * A handle to a scheduled event: generation * SLOT_SPACE + slot (>= 0); to a
 * repeating timer: -2 - (generation * SLOT_SPACE + id). Never -1, which
 * models may use for "no event".
 */
export type EventHandle = number;

/** Order key = priority * SEQ_SPACE + seq: exact while |priority| <= MAX_PRIORITY and seq < SEQ_SPACE. */
const SEQ_SPACE = 2 ** 36;
export const MAX_PRIORITY = 2 ** 16;

export class Sim {
  private clock = 0;
  /** Current simulated time in seconds (read-only: only the run loop moves it). */
  get now(): number {
    return this.clock;
  }
  /** Events executed so far. */
  executed = 0;

  private seqCounter = 0;
  /** Order key of the running event; Infinity outside `run` (every event due by `now` has run). */
  private curKey = Infinity;
  private stopped = false;
  private readonly queue: EventQueue;
  private readonly timers = new RepeatingTimers();

  constructor(initialCapacity = 1024) {
    this.queue = new EventQueue(initialCapacity);
  }

  /** Number of events pending. */
  get pending(): number {
    return this.queue.pending + this.timers.active;
  }

  /** Time of the next pending event (repeating timers included), or Infinity when there is none. */
  peekTime(): number {
    const q = this.queue;
    q.dropDone();
    return Math.min(q.topTime(), this.timers.nextTime);
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
    // at priority 0 the key is the sequence number, exact to 2^53 (keyOf checks the bound where priorities mix)
    const key = priority === 0 ? this.seqCounter++ : this.keyOf(priority, this.nextSeq());
    return this.queue.push(time, key, handler as Handler, payload);
  }

  /**
   * True when an event at (time, priority) would already have run: it is
   * earlier than now, or at now with a priority lower than the running
   * event's (between runs: at or before now). Lets a model that keeps
   * arrivals out of the heap tell which have happened, by the same order.
   */
  passed(time: number, priority: number): boolean {
    if (time !== this.clock) return time < this.clock;
    const k = this.curKey;
    return k === Infinity || priority < Math.floor(k / SEQ_SPACE);
  }

  /**
   * A repeating timer on the grid anchor + n period: `handler(payload)` at
   * firing `from` (anchor + from period), then at each later grid point (a
   * product, not a running sum: the time of every firing is known exactly),
   * until cancelled (`cancel(handle)`). A firing is ordered as an event of
   * `priority` scheduled when the previous firing ran. Kept out of the heap.
   */
  repeat<P>(anchor: number, period: number, handler: Handler<P>, payload?: P, priority = 0, from = 0): EventHandle {
    const first = anchor + from * period;
    if (!(first >= this.now && first < Infinity)) this.badTime(first);
    if (!(period > 0 && period < Infinity)) throw new SchedulingError(`repeat period must be a positive finite number (got ${period})`);
    if (!(Number.isInteger(from) && from >= 0)) throw new SchedulingError(`repeat from must be a whole number >= 0 (got ${from})`);
    const key = this.keyOf(priority, this.nextSeq());
    const { id, gen } = this.timers.add(anchor, from, period, key, priority, handler as Handler, payload);
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

  /** Fire the next repeating timer if it comes before the queue's first event and is due by `until`; true when it fired. */
  private timerFirst(until: number): boolean {
    const timers = this.timers, rt = timers.nextTime;
    if (rt > until) return false;
    const q = this.queue;
    const t = q.topTime();
    if (t < rt || (t === rt && q.topKey() < timers.nextKey)) return false;
    this.fireTimer();
    return true;
  }

  /** Run the next repeating timer's firing (it comes before the queue's first event). */
  private fireTimer(): void {
    // the next firing is ordered as if the handler had scheduled it first
    const timers = this.timers;
    timers.fire(this.keyOfNext);
    this.clock = timers.firedTime;
    this.executed++;
    this.curKey = timers.firedKey;
    timers.firedHandler!(timers.firedPayload, this);
  }

  private readonly keyOfNext = (priority: number): number => this.keyOf(priority, this.nextSeq());

  private badTime(time: number): never {
    if (!Number.isFinite(time)) throw new SchedulingError(`cannot schedule at non-finite time ${time}`);
    throw new SchedulingError(`cannot schedule in the past: ${time} < now ${this.now}`);
  }

  /** Cancel a pending event. Returns false when it already ran or was cancelled. */
  cancel(handle: EventHandle): boolean {
    if (!Number.isInteger(handle)) return false;
    if (handle >= 0) return this.queue.cancel(handle);
    if (!this.isPending(handle)) return false;
    this.timers.cancel((-2 - handle) % SLOT_SPACE, GEN_SPACE);
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
    return this.queue.isPending(handle);
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
    const q = this.queue;
    this.stopped = false;
    this.curKey = Infinity;
    const start = this.executed;
    while (!this.stopped) {
      if (this.timers.nextTime !== Infinity && this.timerFirst(until)) continue;
      const t = q.topTime(); // Infinity when nothing is held
      if (t > until || q.size === 0) break;
      if (!q.take()) continue; // a cancelled entry, dropped
      this.clock = t;
      this.executed++;
      this.curKey = q.takenKey;
      q.takenHandler!(q.takenPayload, this);
    }
    this.curKey = Infinity;
    if (!this.stopped && until !== Infinity && until > this.clock) this.clock = until;
    return this.executed - start;
  }
}
