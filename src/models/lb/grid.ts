/**
 * Proximity lookup for the user-centric scheme: a uniform grid (spatial hash)
 * whose cell side is half the proximity radius P. Each cell keeps a per-server
 * user count, so a query answers "which servers have a user within P of
 * (x, y)" without scanning all users: cells wholly inside the disc are read
 * from their counts, and a cell that straddles the disc edge is only scanned
 * when it may hold a server not yet found. The query stops as soon as two
 * servers are found (the scheme only needs none / exactly one / several).
 *
 * Players move every step but queries come only with joins, so a cell's users
 * are not kept in lists updated on every move (at 100,000 players those
 * scattered updates were a fifth of a run). Moves change only the counts; a
 * query scans a snapshot of the users sorted by cell and server (a counting
 * sort, redone by the first query after many changes) and, per cell and
 * server, the users that came there since the snapshot. A user counts in a
 * scan only while it is still in that cell on that server; the answer is a
 * set of servers, so it does not depend on the order users are scanned in.
 */

export const NONE = -1;
export const SEVERAL = -2;

export class ProximityGrid {
  readonly g: number;
  readonly cols: number;
  readonly rows: number;
  private readonly counts: Int32Array; // cell * S + server
  private readonly distinct: Int32Array; // servers with a user in the cell
  private readonly cellOfUser: Int32Array; // -1: not in the grid
  /** Each user's slot, cell * S + server (-1: not in the grid): one read tells a scan whether a listed user is still there. */
  private readonly slotOf: Int32Array;
  /** Snapshot: the users of slot k = cell * S + server were ids[start[k] .. start[k + 1]). */
  private readonly start: Int32Array;
  private readonly ids: Int32Array;
  /** Arrivals in a slot since the snapshot: a linked list from head[slot] through entries (user, next) of a pool. */
  private readonly head: Int32Array;
  private readonly entryUser: Int32Array;
  private readonly entryNext: Int32Array;
  private entries = 0;
  /** The pool ran full: the next query takes a new snapshot. */
  private stale = false;
  private readonly P2: number;

  constructor(
    readonly W: number,
    readonly H: number,
    readonly P: number,
    readonly S: number,
    capacity: number,
    /** Arrivals in slots kept between snapshots (a snapshot costs O(capacity + cells x S)); tests make it small. */
    pool = Math.max(1024, capacity >> 4),
  ) {
    // cell side P/2, but not more than ~4M cells (the per-server counts) nor 4 per user (a snapshot sorts them)
    let g = P > 0 ? P / 2 : Math.max(W, H);
    const maxCells = Math.min(4_000_000 / Math.max(1, S / 4), Math.max(4096, 4 * capacity));
    while (Math.ceil(W / g) * Math.ceil(H / g) > maxCells) g *= 2;
    this.g = g;
    this.cols = Math.max(1, Math.ceil(W / g));
    this.rows = Math.max(1, Math.ceil(H / g));
    const cells = this.cols * this.rows;
    this.counts = new Int32Array(cells * S);
    this.distinct = new Int32Array(cells);
    this.cellOfUser = new Int32Array(capacity).fill(-1);
    this.slotOf = new Int32Array(capacity).fill(-1);
    this.start = new Int32Array(cells * S + 1);
    this.ids = new Int32Array(capacity);
    this.head = new Int32Array(cells * S).fill(-1);
    this.entryUser = new Int32Array(pool);
    this.entryNext = new Int32Array(pool);
    this.P2 = P * P;
  }

  private cellAt(x: number, y: number): number {
    const cx = Math.min(this.cols - 1, Math.max(0, Math.floor(x / this.g)));
    const cy = Math.min(this.rows - 1, Math.max(0, Math.floor(y / this.g)));
    return cy * this.cols + cx;
  }

  /** u came to slot k (a cell, a server): a query must find it there without a new snapshot, or take one. */
  private changed(u: number, k: number): void {
    if (this.stale) return;
    if (this.entries === this.entryUser.length) {
      this.stale = true;
      return;
    }
    const e = this.entries++;
    this.entryUser[e] = u;
    this.entryNext[e] = this.head[k];
    this.head[k] = e;
  }

  /** One user more (d = 1) or fewer (-1) in slot k of cell c. */
  private count(k: number, c: number, d: 1 | -1): void {
    if (d > 0 ? this.counts[k]++ === 0 : --this.counts[k] === 0) this.distinct[c] += d;
  }

  add(u: number, x: number, y: number, s: number): void {
    const c = this.cellAt(x, y), k = c * this.S + s;
    this.cellOfUser[u] = c;
    this.slotOf[u] = k;
    this.count(k, c, 1);
    this.changed(u, k);
  }

  /** User u leaves the grid (wherever it is listed, it no longer counts). */
  remove(u: number): void {
    this.count(this.slotOf[u], this.cellOfUser[u], -1);
    this.cellOfUser[u] = -1;
    this.slotOf[u] = -1;
  }

  /** User u is now at (x, y). */
  reposition(u: number, x: number, y: number): void {
    const c = this.cellAt(x, y), was = this.cellOfUser[u];
    if (c === was) return;
    const from = this.slotOf[u], k = from + (c - was) * this.S; // same server, cell c
    this.count(from, was, -1);
    this.count(k, c, 1);
    this.cellOfUser[u] = c;
    this.slotOf[u] = k;
    this.changed(u, k);
  }

  /** User u changed server to `to`. */
  move(u: number, to: number): void {
    const c = this.cellOfUser[u], k = c * this.S + to;
    this.count(this.slotOf[u], c, -1);
    this.count(k, c, 1);
    this.slotOf[u] = k;
    this.changed(u, k);
  }

  /** A new snapshot: the users in the grid sorted by (cell, server) (a counting sort, in id order); no changes since. */
  private snapshot(): void {
    const { start, ids, counts, slotOf } = this;
    for (let k = 0; k < counts.length; k++) start[k + 1] = start[k] + counts[k];
    const fill = start.slice(0, -1);
    for (let u = 0; u < slotOf.length; u++) if (slotOf[u] >= 0) ids[fill[slotOf[u]]++] = u;
    this.head.fill(-1);
    this.entries = 0;
    this.stale = false;
  }

  /** True when user w is (still) in slot k, within P of (x, y). */
  private near(w: number, k: number, x: number, y: number, xs: Float64Array, ys: Float64Array): boolean {
    if (this.slotOf[w] !== k) return false;
    const dx = xs[w] - x;
    const dy = ys[w] - y;
    return dx * dx + dy * dy <= this.P2;
  }

  /**
   * The servers of users within distance P (inclusive) of (x, y):
   * NONE, the one server, or SEVERAL.
   */
  query(x: number, y: number, xs: Float64Array, ys: Float64Array): number {
    const P = this.P;
    if (!(P > 0)) return NONE;
    if (this.stale) this.snapshot();
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
        // servers not found yet: the snapshot's users of the slot (those still there), then those that came since
        for (let sv = 0; sv < S; sv++) {
          const k = c * S + sv;
          if (sv === a || this.counts[k] === 0) continue;
          let hit = false;
          for (let i = this.start[k], end = this.start[k + 1]; i < end && !hit; i++) hit = this.near(this.ids[i], k, x, y, xs, ys);
          for (let e = this.head[k]; e !== -1 && !hit; e = this.entryNext[e]) hit = this.near(this.entryUser[e], k, x, y, xs, ys);
          if (!hit) continue;
          if (a !== NONE) return SEVERAL;
          a = sv;
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
