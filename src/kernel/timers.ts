/**
 * Repeating timers, kept beside the event heap (see Sim.repeat): each fires
 * on a grid, firing n at anchor + n * period (a product, not a running sum, so
 * a model can compute any firing's time exactly), with the order key taken
 * when the previous firing ran. The kernel asks which fires next and lets it fire; a
 * few clocks (one per node, say) cost no heap work per tick. Finding the next
 * timer scans them all: meant for tens of timers, not thousands.
 */
import type { Handler } from './sim.ts';

export class RepeatingTimers {
  private time: number[] = [];
  private key: number[] = [];
  private period: number[] = [];
  private anchor: number[] = [];
  private index: number[] = [];
  private priority: number[] = [];
  private handler: (Handler | undefined)[] = [];
  private payload: unknown[] = [];
  private gen: number[] = [];
  private free: number[] = [];
  /** Timers that are set. */
  active = 0;
  /** The timer that fires next (-1: none), its time (Infinity: none) and its order key. */
  next = -1;
  nextTime = Infinity;
  nextKey = Infinity;

  /** Set a timer; returns its id and generation (together they make the handle). */
  add(anchor: number, from: number, period: number, key: number, priority: number, handler: Handler, payload: unknown): { id: number; gen: number } {
    const id = this.free.length > 0 ? this.free.pop()! : this.time.length;
    if (id === this.time.length) {
      this.time.push(0); this.key.push(0); this.period.push(0); this.priority.push(0);
      this.handler.push(undefined); this.payload.push(undefined); this.gen.push(0);
      this.anchor.push(0); this.index.push(0);
    }
    this.anchor[id] = anchor;
    this.index[id] = from;
    this.time[id] = anchor + from * period;
    this.key[id] = key;
    this.period[id] = period;
    this.priority[id] = priority;
    this.handler[id] = handler;
    this.payload[id] = payload;
    this.active++;
    this.findNext();
    return { id, gen: this.gen[id] };
  }

  isSet(id: number, gen: number): boolean {
    return id >= 0 && id < this.time.length && this.gen[id] === gen && this.handler[id] !== undefined;
  }

  /** Stop timer `id` (its generation moves on, wrapping at genSpace). */
  cancel(id: number, genSpace: number): void {
    this.handler[id] = undefined;
    this.payload[id] = undefined;
    this.gen[id] = (this.gen[id] + 1) % genSpace;
    this.free.push(id);
    this.active--;
    if (id === this.next) this.findNext();
  }

  // the firing fire() just made (fields, not an object: a clock ticks millions of times)
  firedHandler: Handler | undefined;
  firedPayload: unknown;
  firedTime = 0;
  firedKey = 0;

  /**
   * The next timer fires: it moves on by its period with the order key that
   * `keyOf(priority)` gives (as if its handler had scheduled it first); what to
   * call, its time and key are left in the fired* fields.
   */
  fire(keyOf: (priority: number) => number): void {
    const id = this.next;
    this.firedTime = this.time[id];
    this.firedKey = this.key[id];
    this.firedHandler = this.handler[id];
    this.firedPayload = this.payload[id];
    this.time[id] = this.anchor[id] + ++this.index[id] * this.period[id];
    this.key[id] = keyOf(this.priority[id]);
    this.findNext();
  }

  private findNext(): void {
    let best = -1, bt = Infinity, bk = Infinity;
    const rt = this.time, rk = this.key, rh = this.handler;
    for (let id = 0; id < rt.length; id++) {
      if (rh[id] === undefined) continue;
      const t = rt[id];
      if (t < bt || (t === bt && rk[id] < bk)) {
        best = id; bt = t; bk = rk[id];
      }
    }
    this.next = best;
    this.nextTime = bt;
    this.nextKey = bk;
  }
}
