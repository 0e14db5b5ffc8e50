import type { LossProcess } from '../channel-models.ts';

/**
 * Loss positions drawn from a generator of increasing positions and kept
 * from the first one not yet forgotten: `nextLoss(m)` draws up to m, then
 * finds the first position >= m (from the last answer when it is near, by
 * bisection otherwise). A loss model returns one of these with its own
 * generator, so it only says how the next lost copy is drawn. The positions
 * live in a typed array that is compacted in place (no garbage per loss).
 */
export class LossPositions implements LossProcess {
  private pos = new Float64Array(64);
  /** Positions kept: pos[head .. len). */
  private head = 0;
  private len = 0;
  /** Index of the last answer (a hint: callers mostly ask in increasing order). */
  private hint = 0;
  private last = -Infinity;

  /** `next()` returns the next lost copy (increasing), or Infinity when no more are lost. */
  constructor(private readonly next: () => number) {}

  /** Draw positions until one is >= m (or there are no more). */
  private drawTo(m: number): void {
    while (this.last < m) {
      const v = this.next();
      this.last = v;
      if (v === Infinity) return;
      if (this.len === this.pos.length) this.grow();
      this.pos[this.len++] = v;
    }
  }

  /** Room for more: drop what was forgotten, or double the array. */
  private grow(): void {
    const h = this.head;
    if (h * 2 >= this.len) {
      this.pos.copyWithin(0, h, this.len);
      this.len -= h;
      this.hint = Math.max(0, this.hint - h);
      this.head = 0;
      return;
    }
    const bigger = new Float64Array(this.pos.length * 2);
    bigger.set(this.pos.subarray(0, this.len));
    this.pos = bigger;
  }

  /** Index of the first position >= m. */
  private find(m: number): number {
    if (this.last < m) this.drawTo(m);
    const p = this.pos, len = this.len, head = this.head;
    let x = this.hint;
    if (x < head) x = head;
    if (x < len && p[x] >= m) {
      if (x === head || p[x - 1] < m) return x;
    } else if (x + 1 < len && p[x + 1] >= m) return (this.hint = x + 1);
    let lo = head, hi = len;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (p[mid] < m) lo = mid + 1;
      else hi = mid;
    }
    return (this.hint = lo);
  }

  nextLoss(m: number): number {
    const x = this.find(m);
    return x < this.len ? this.pos[x] : Infinity;
  }

  count(a: number, b: number): number {
    if (!(b > a)) return 0;
    // b first: drawing up to it may compact the array, which moves the indices
    const y = this.find(b);
    return y - this.find(a);
  }

  forget(m: number): void {
    const p = this.pos, len = this.len;
    let h = this.head;
    while (h < len && p[h] < m) h++;
    this.head = h;
  }
}
