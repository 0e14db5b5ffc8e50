/** Helpers for detectors that take a stream's arrivals in bulk (heardRange). */
import type { HeartbeatArrivals, FailureDetector } from '../detector.ts';

/** The arrivals of heartbeats [from, to) into out[0 .. to - from). */
export function fillArrivals(a: HeartbeatArrivals, from: number, to: number, out: Float64Array): void {
  if (a.fill) return a.fill(from, to, out);
  for (let n = from; n < to; n++) out[n - from] = a.at(n);
}

/** A detector's scratch space for arrivals, grown on demand. */
export class ArrivalBuffer {
  buf = new Float64Array(1024);

  /** The arrivals of [from, to), from index 0 of `buf`. */
  load(a: HeartbeatArrivals, from: number, to: number): Float64Array {
    if (to - from > this.buf.length) this.buf = new Float64Array(Math.max(to - from, 2 * this.buf.length));
    fillArrivals(a, from, to, this.buf);
    return this.buf;
  }
}

/** Call `heard` for every arrival of [from, to), in order, a chunk of arrivals at a time. */
export function heardEach(d: Pick<FailureDetector, 'heard'>, k: number, from: number, to: number, a: HeartbeatArrivals, scratch: ArrivalBuffer): void {
  const seq0 = a.seq(0);
  for (let lo = from; lo < to; lo += scratch.buf.length) {
    const hi = Math.min(to, lo + scratch.buf.length);
    const t = scratch.load(a, lo, hi);
    for (let n = lo; n < hi; n++) if (t[n - lo] !== Infinity) d.heard(k, t[n - lo], seq0 + n);
  }
}

/**
 * Where a long range [from, to) of a windowed detector can start at once:
 * the last arrival in it whose number is a multiple of the re-sum period P,
 * with at least W heartbeats before it in the range (-1: none; the range is
 * then fed arrival by arrival).
 */
export function resumPoint(from: number, to: number, a: HeartbeatArrivals, W: number, P: number): number {
  if (!(to - from > W + P)) return -1;
  let r = to - 1 - (a.seq(to - 1) % P);
  while (r >= from + W && a.at(r) === Infinity) r -= P;
  return r >= from + W ? r : -1;
}
