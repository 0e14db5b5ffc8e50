import type { LossProcess } from '../channel-models.ts';

/**
 * Loss positions drawn from a generator of increasing positions and kept
 * from the first one not yet forgotten: `nextLoss(m)` draws up to m, then
 * finds the first position >= m (from the last answer when it is near, by
 * bisection otherwise). A loss model returns one of these with its own
 * generator, so it only says how the next lost copy is drawn.
 */
export class LossPositions implements LossProcess {
  private pos: number[] = [];
  private head = 0;
  /** Index of the last answer (a hint: callers mostly ask in increasing order). */
  private hint = 0;
  private last = -Infinity;

  /** `next()` returns the next lost copy (increasing), or Infinity when no more are lost. */
  constructor(private readonly next: () => number) {}

  /** Draw positions until one is >= m (or there are no more). */
  private drawTo(m: number): void {
    const p = this.pos;
    while (this.last < m) {
      this.last = this.next();
      if (this.last === Infinity) break;
      p.push(this.last);
    }
  }

  /** Index of the first position >= m. */
  private find(m: number): number {
    this.drawTo(m);
    const p = this.pos;
    let x = this.hint;
    if (x < this.head) x = this.head;
    if (x < p.length && p[x] >= m && (x === this.head || p[x - 1] < m)) return x;
    if (x + 1 < p.length && p[x] < m && p[x + 1] >= m) return (this.hint = x + 1);
    let lo = this.head, hi = p.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (p[mid] < m) lo = mid + 1;
      else hi = mid;
    }
    return (this.hint = lo);
  }

  nextLoss(m: number): number {
    const x = this.find(m);
    return x < this.pos.length ? this.pos[x] : Infinity;
  }

  count(a: number, b: number): number {
    if (!(b > a)) return 0;
    const x = this.find(a);
    return this.find(b) - x;
  }

  forget(m: number): void {
    const p = this.pos;
    let h = this.head;
    while (h < p.length && p[h] < m) h++;
    this.head = h;
    if (h > 1024 && h * 2 > p.length) {
      this.pos = p.slice(h);
      this.hint = Math.max(0, this.hint - h);
      this.head = 0;
    }
  }
}
