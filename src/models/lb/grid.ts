/**
 * Proximity lookup for the user-centric scheme: a uniform grid (spatial hash)
 * whose cell side is half the proximity radius P. Each cell keeps its users
 * and a per-server user count, so a query answers "which servers have a user
 * within P of (x, y)" without scanning all users: cells wholly inside the disc
 * are read from their counts, and a cell that straddles the disc edge is only
 * scanned when it may hold a server not yet found. The query stops as soon as
 * two servers are found (the scheme only needs none / exactly one / several).
 */

import { listAdd, listRemove } from './lists.ts';

export const NONE = -1;
export const SEVERAL = -2;

export class ProximityGrid {
  readonly g: number;
  readonly cols: number;
  readonly rows: number;
  private readonly counts: Int32Array; // cell * S + server
  private readonly distinct: Int32Array; // servers with a user in the cell
  /** Users of cell c on server s: lists[c * S + s] (swap-remove on migration). */
  private readonly lists: number[][];
  private readonly posInList: Int32Array;
  private readonly cellOfUser: Int32Array;
  private readonly P2: number;

  constructor(
    readonly W: number,
    readonly H: number,
    readonly P: number,
    readonly S: number,
    capacity: number,
  ) {
    // cell side P/2, but never more than ~4M cells
    let g = P > 0 ? P / 2 : Math.max(W, H);
    const maxCells = 4_000_000 / Math.max(1, S / 4);
    while (Math.ceil(W / g) * Math.ceil(H / g) > maxCells) g *= 2;
    this.g = g;
    this.cols = Math.max(1, Math.ceil(W / g));
    this.rows = Math.max(1, Math.ceil(H / g));
    const cells = this.cols * this.rows;
    this.counts = new Int32Array(cells * S);
    this.distinct = new Int32Array(cells);
    this.lists = new Array(cells * S);
    for (let i = 0; i < cells * S; i++) this.lists[i] = [];
    this.posInList = new Int32Array(capacity);
    this.cellOfUser = new Int32Array(capacity).fill(-1);
    this.P2 = P * P;
  }

  private cellAt(x: number, y: number): number {
    const cx = Math.min(this.cols - 1, Math.max(0, Math.floor(x / this.g)));
    const cy = Math.min(this.rows - 1, Math.max(0, Math.floor(y / this.g)));
    return cy * this.cols + cx;
  }

  add(u: number, x: number, y: number, s: number): void {
    const c = this.cellAt(x, y);
    this.cellOfUser[u] = c;
    const list = this.lists[c * this.S + s];
    listAdd(list, this.posInList, u);
    if (this.counts[c * this.S + s]++ === 0) this.distinct[c]++;
  }

  /** User u (on server s) leaves the grid. */
  remove(u: number, s: number): void {
    const c = this.cellOfUser[u];
    if (--this.counts[c * this.S + s] === 0) this.distinct[c]--;
    this.unlist(u, c * this.S + s);
    this.cellOfUser[u] = -1;
  }

  /** User u (on server s) is now at (x, y). */
  reposition(u: number, x: number, y: number, s: number): void {
    if (this.cellAt(x, y) === this.cellOfUser[u]) return;
    this.remove(u, s);
    this.add(u, x, y, s);
  }

  private unlist(u: number, slot: number): void {
    listRemove(this.lists[slot], this.posInList, u);
  }

  /** User u changed server from `from` to `to`. */
  move(u: number, from: number, to: number): void {
    const c = this.cellOfUser[u];
    const base = c * this.S;
    if (--this.counts[base + from] === 0) this.distinct[c]--;
    if (this.counts[base + to]++ === 0) this.distinct[c]++;
    this.unlist(u, base + from);
    listAdd(this.lists[base + to], this.posInList, u);
  }

  /**
   * The servers of users within distance P (inclusive) of (x, y):
   * NONE, the one server, or SEVERAL.
   */
  query(x: number, y: number, xs: Float64Array, ys: Float64Array, server: Int32Array): number {
    const P = this.P;
    if (!(P > 0)) return NONE;
    const g = this.g;
    const S = this.S;
    const P2 = this.P2;
    const x0 = Math.max(0, Math.floor((x - P) / g));
    const x1 = Math.min(this.cols - 1, Math.floor((x + P) / g));
    const y0 = Math.max(0, Math.floor((y - P) / g));
    const y1 = Math.min(this.rows - 1, Math.floor((y + P) / g));
    let a = NONE;
    // pass 1: cells wholly inside the disc, from their counts
    for (let cy = y0; cy <= y1; cy++) {
      const ry0 = cy * g - y;
      const ry1 = ry0 + g;
      const fy = Math.max(ry0 * ry0, ry1 * ry1);
      for (let cx = x0; cx <= x1; cx++) {
        const rx0 = cx * g - x;
        const rx1 = rx0 + g;
        const fx = Math.max(rx0 * rx0, rx1 * rx1);
        if (fx + fy > P2) continue;
        const c = cy * this.cols + cx;
        const d = this.distinct[c];
        if (d === 0) continue;
        if (d >= 2) return SEVERAL;
        const base = c * S;
        if (a !== NONE) {
          if (this.counts[base + a] === 0) return SEVERAL;
        } else {
          for (let s = 0; s < S; s++) if (this.counts[base + s] > 0) { a = s; break; }
        }
      }
    }
    // pass 2: cells cut by the disc edge, scanned only when they may add a server
    for (let cy = y0; cy <= y1; cy++) {
      const ry0 = cy * g - y;
      const ry1 = ry0 + g;
      const fy = Math.max(ry0 * ry0, ry1 * ry1);
      const ny = ry0 > 0 ? ry0 * ry0 : ry1 < 0 ? ry1 * ry1 : 0;
      for (let cx = x0; cx <= x1; cx++) {
        const rx0 = cx * g - x;
        const rx1 = rx0 + g;
        const fx = Math.max(rx0 * rx0, rx1 * rx1);
        if (fx + fy <= P2) continue; // done in pass 1
        const nx = rx0 > 0 ? rx0 * rx0 : rx1 < 0 ? rx1 * rx1 : 0;
        if (nx + ny > P2) continue; // wholly outside
        const c = cy * this.cols + cx;
        const d = this.distinct[c];
        if (d === 0) continue;
        if (a !== NONE && d === 1 && this.counts[c * S + a] > 0) continue;
        // scan only the users of servers not found yet
        for (let sv = 0; sv < S; sv++) {
          if (sv === a || this.counts[c * S + sv] === 0) continue;
          const list = this.lists[c * S + sv];
          for (let i = 0; i < list.length; i++) {
            const w = list[i];
            const dx = xs[w] - x;
            const dy = ys[w] - y;
            if (dx * dx + dy * dy <= P2) {
              if (a !== NONE) return SEVERAL;
              a = sv;
              break;
            }
          }
        }
      }
    }
    return a;
  }
}

/**
 * A min-heap of user ids by (key, id), in growable typed arrays. Used with lazy
 * deletion: entries whose user has left the heap's server are dropped when they
 * reach the top.
 */
export class UserHeap {
  private keys: Float64Array;
  private ids: Int32Array;
  size = 0;

  constructor(capacity = 64) {
    this.keys = new Float64Array(capacity);
    this.ids = new Int32Array(capacity);
  }

  private less(i: number, j: number): boolean {
    const a = this.keys[i];
    const b = this.keys[j];
    return a < b || (a === b && this.ids[i] < this.ids[j]);
  }

  private swap(i: number, j: number): void {
    const k = this.keys[i];
    this.keys[i] = this.keys[j];
    this.keys[j] = k;
    const d = this.ids[i];
    this.ids[i] = this.ids[j];
    this.ids[j] = d;
  }

  push(key: number, id: number): void {
    if (this.size === this.keys.length) {
      const k = new Float64Array(this.size * 2);
      k.set(this.keys);
      this.keys = k;
      const d = new Int32Array(this.size * 2);
      d.set(this.ids);
      this.ids = d;
    }
    let i = this.size++;
    this.keys[i] = key;
    this.ids[i] = id;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(i, p)) break;
      this.swap(i, p);
      i = p;
    }
  }

  clear(): void {
    this.size = 0;
  }

  peek(): number {
    return this.size > 0 ? this.ids[0] : -1;
  }

  pop(): number {
    if (this.size === 0) return -1;
    const top = this.ids[0];
    this.size--;
    if (this.size > 0) {
      this.keys[0] = this.keys[this.size];
      this.ids[0] = this.ids[this.size];
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < this.size && this.less(l, m)) m = l;
        if (r < this.size && this.less(r, m)) m = r;
        if (m === i) break;
        this.swap(i, m);
        i = m;
      }
    }
    return top;
  }
}
