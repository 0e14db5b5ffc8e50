/**
 * A sliding window of the last `size` values per pair, with their running
 * sum and sum of squares. The running sums drift with the order of the
 * additions and removals, so the detectors have them re-summed from the
 * window's values (oldest to newest) at fixed points of the heartbeat
 * numbering (every `period`-th number, `resum`): the sums then depend only
 * on the values since the last such point, which lets a window be set at
 * once from its last `size` values (`replace`) with the same bytes as
 * pushing every value.
 */
export class Windows {
  private readonly buf: Float64Array;
  private readonly head: Int32Array;
  readonly count: Int32Array;
  readonly sum: Float64Array;
  readonly sumSq: Float64Array;

  /** Detectors re-sum a window at every `period`-th heartbeat number: an eighth of the window, so a window set at once is pushed at most that many values after (and the re-sums cost about 8 additions a value). */
  readonly period: number;

  constructor(pairs: number, private readonly size: number) {
    this.period = Math.max(1, Math.ceil(size / 8));
    this.buf = new Float64Array(pairs * size);
    this.head = new Int32Array(pairs);
    this.count = new Int32Array(pairs);
    this.sum = new Float64Array(pairs);
    this.sumSq = new Float64Array(pairs);
  }

  clear(k: number): void {
    this.head[k] = 0;
    this.count[k] = 0;
    this.sum[k] = 0;
    this.sumSq[k] = 0;
  }

  push(k: number, v: number): void {
    const base = k * this.size;
    if (this.count[k] === this.size) {
      const old = this.buf[base + this.head[k]];
      this.sum[k] -= old;
      this.sumSq[k] -= old * old;
    } else this.count[k]++;
    this.buf[base + this.head[k]] = v;
    this.head[k] = this.head[k] + 1 === this.size ? 0 : this.head[k] + 1;
    this.sum[k] += v;
    this.sumSq[k] += v * v;
  }

  /** The sums again from the window's values, oldest to newest. */
  resum(k: number): void {
    const base = k * this.size, n = this.count[k], size = this.size;
    let i = this.head[k] - n;
    if (i < 0) i += size;
    let sum = 0, sumSq = 0;
    for (let j = 0; j < n; j++) {
      const v = this.buf[base + i];
      sum += v;
      sumSq += v * v;
      if (++i === size) i = 0;
    }
    this.sum[k] = sum;
    this.sumSq[k] = sumSq;
  }

  /** The window becomes values[0 .. size) (oldest first), re-summed: as `size` pushes and a `resum`. */
  replace(k: number, values: Float64Array): void {
    this.buf.set(values.subarray(0, this.size), k * this.size);
    this.head[k] = 0;
    this.count[k] = this.size;
    this.resum(k);
  }

  /** Smallest and largest value in the window (Infinity, -Infinity when empty). */
  min(k: number): number {
    const base = k * this.size, n = this.count[k];
    let m = Infinity;
    for (let j = 0; j < n; j++) if (this.buf[base + j] < m) m = this.buf[base + j];
    return m;
  }

  max(k: number): number {
    const base = k * this.size, n = this.count[k];
    let m = -Infinity;
    for (let j = 0; j < n; j++) if (this.buf[base + j] > m) m = this.buf[base + j];
    return m;
  }

  mean(k: number): number {
    return this.sum[k] / this.count[k];
  }

  /** Population standard deviation (as Akka's HeartbeatHistory). */
  std(k: number): number {
    const n = this.count[k], m = this.sum[k] / n;
    return Math.sqrt(Math.max(0, this.sumSq[k] / n - m * m));
  }

  /**
   * Pair k's window with one number of the detector's own (`extra`), to put
   * back with `restore`, which returns that number (the values are copied: a
   * window of 1000 costs 8 kB).
   */
  save(k: number, extra: number): unknown {
    const base = k * this.size;
    return { buf: this.buf.slice(base, base + this.size), head: this.head[k], count: this.count[k], sum: this.sum[k], sumSq: this.sumSq[k], extra };
  }

  restore(k: number, s: unknown): number {
    const x = s as { buf: Float64Array; head: number; count: number; sum: number; sumSq: number; extra: number };
    this.buf.set(x.buf, k * this.size);
    this.head[k] = x.head;
    this.count[k] = x.count;
    this.sum[k] = x.sum;
    this.sumSq[k] = x.sumSq;
    return x.extra;
  }
}
