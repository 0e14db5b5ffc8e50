/**
 * The shared state of one LB run: user positions, each user's server, server
 * loads and the coordinate sums behind the centroids. Arrival positions come
 * from the `arrivals` stream only, so every scheme sees the same sequence
 * (common random numbers).
 */
import { Streams, type Stream } from '../../kernel/random.ts';
import { HOT_SIZE, parseArrivals, type LbOptions } from './options.ts';
import { listAdd, listRemove } from './lists.ts';

export interface Arrivals {
  xs: Float64Array;
  ys: Float64Array;
}

/** Draw the positions of `opts.users` arrivals from the `arrivals` stream of `seed`. */
export function generateArrivals(opts: LbOptions, seed: number): Arrivals {
  const n = opts.users;
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  const next = arrivalPoints(opts, new Streams(seed).get('arrivals'));
  for (let i = 0; i < n; i++) [xs[i], ys[i]] = next();
  return { xs, ys };
}

/**
 * Arrival positions one at a time, as the `arrivals` option says: uniform
 * on the map, or 'skew R:S' (the hot region (0,0)-(512,512) gets R/(R+S) of
 * them, the rest are uniform outside it, by rejection).
 */
export function arrivalPoints(opts: LbOptions, st: Stream): () => [number, number] {
  const W = opts.mapWidth;
  const H = opts.mapHeight;
  const spec = parseArrivals(opts.arrivals);
  if (spec.kind === 'uniform') return () => [st.uniform(0, W), st.uniform(0, H)];
  const hw = Math.min(HOT_SIZE, W);
  const hh = Math.min(HOT_SIZE, H);
  const pHot = spec.ratio.r / (spec.ratio.r + spec.ratio.s);
  // outside the hot region: by rejection, unless that region is a sliver (then a rejection loop could run for
  // ever): then directly, from its two rectangles ([hw, W) x [0, H) and [0, hw) x [hh, H)) by area
  const areaA = (W - hw) * H, areaB = hw * (H - hh);
  if ((areaA + areaB) / (W * H) < 0.01)
    return () => {
      if (st.random() < pHot) return [st.uniform(0, hw), st.uniform(0, hh)];
      return st.random() * (areaA + areaB) < areaA ? [st.uniform(hw, W), st.uniform(0, H)] : [st.uniform(0, hw), st.uniform(hh, H)];
    };
  return () => {
    if (st.random() < pHot) return [st.uniform(0, hw), st.uniform(0, hh)];
    let x: number, y: number;
    do {
      x = st.uniform(0, W);
      y = st.uniform(0, H);
    } while (x < hw && y < hh);
    return [x, y];
  };
}

/**
 * Who is where: each user's position and server (-1 when not online), each
 * server's load, members and coordinate sums. Ids are given in arrival
 * order; `xs`/`ys` have room for every id of the run.
 */
export class World {
  /** Ids used so far (users 0..n-1 have arrived; some may have left). */
  n = 0;
  /** Users online now. */
  count = 0;
  readonly server: Int32Array;
  readonly loads: Int32Array;
  readonly sumX: Float64Array;
  readonly sumY: Float64Array;
  /** How many times each user has been moved by rebalancing. */
  readonly moves: Uint32Array;
  /** 1 for a server out of the partition (failed, its region given to others: the one world's policy scheme). */
  readonly out: Uint8Array;
  /** Each server's users (unordered), and each user's place in its server's list. */
  private readonly members: number[][];
  private readonly memberPos: Int32Array;

  constructor(readonly opts: LbOptions, readonly xs: Float64Array, readonly ys: Float64Array) {
    this.server = new Int32Array(xs.length).fill(-1);
    this.loads = new Int32Array(opts.servers);
    this.sumX = new Float64Array(opts.servers);
    this.sumY = new Float64Array(opts.servers);
    this.moves = new Uint32Array(xs.length);
    this.out = new Uint8Array(opts.servers);
    this.members = Array.from({ length: opts.servers }, () => []);
    this.memberPos = new Int32Array(xs.length);
  }

  get servers(): number {
    return this.loads.length;
  }

  /** The users on server s now (a live view: do not change it; it changes with the world). */
  usersOf(s: number): readonly number[] {
    return this.members[s];
  }

  place(u: number, s: number): void {
    this.server[u] = s;
    this.loads[s]++;
    this.count++;
    this.sumX[s] += this.xs[u];
    this.sumY[s] += this.ys[u];
    this.join(u, s);
  }

  /** u goes to server `to` because its server failed or came back (not a rebalancing migration). */
  reassign(u: number, to: number): void {
    this.transfer(u, to);
  }

  /** A rebalancing migration of u to server `to`. */
  move(u: number, to: number): void {
    this.transfer(u, to);
    this.moves[u]++;
  }

  /**
   * User u walked to (x, y), where server `to` is responsible: u moves there
   * and, when it is on another server, is handed over to `to` (a hand-off, not
   * a rebalancing migration). Returns 1 for a hand-off, else 0.
   */
  walk(u: number, x: number, y: number, to: number): number {
    this.reposition(u, x, y);
    if (this.server[u] === to) return 0;
    this.transfer(u, to);
    return 1;
  }

  /** User u logs off. */
  remove(u: number): void {
    const s = this.server[u];
    this.loads[s]--;
    this.count--;
    this.sumX[s] -= this.xs[u];
    this.sumY[s] -= this.ys[u];
    this.leave(u, s);
    this.server[u] = -1;
  }

  /** User u is now at (x, y). */
  reposition(u: number, x: number, y: number): void {
    const s = this.server[u];
    if (s >= 0) {
      this.sumX[s] += x - this.xs[u];
      this.sumY[s] += y - this.ys[u];
    }
    this.xs[u] = x;
    this.ys[u] = y;
  }

  private transfer(u: number, to: number): void {
    const from = this.server[u];
    this.loads[from]--;
    this.sumX[from] -= this.xs[u];
    this.sumY[from] -= this.ys[u];
    this.leave(u, from);
    this.server[u] = to;
    this.loads[to]++;
    this.sumX[to] += this.xs[u];
    this.sumY[to] += this.ys[u];
    this.join(u, to);
  }

  private join(u: number, s: number): void {
    listAdd(this.members[s], this.memberPos, u);
  }

  private leave(u: number, s: number): void {
    listRemove(this.members[s], this.memberPos, u);
  }

  centroidX(s: number): number {
    return this.sumX[s] / this.loads[s];
  }

  centroidY(s: number): number {
    return this.sumY[s] / this.loads[s];
  }

  /** Servers in the partition (not out). */
  liveServers(): number {
    let n = 0;
    for (let s = 0; s < this.out.length; s++) if (!this.out[s]) n++;
    return n;
  }

  /** Most loaded server in the partition (lowest index on ties). */
  heaviest(): number {
    let best = -1;
    for (let s = 0; s < this.loads.length; s++) if (!this.out[s] && (best < 0 || this.loads[s] > this.loads[best])) best = s;
    return best;
  }

  /** Least loaded server in the partition (lowest index on ties). */
  lightest(): number {
    let best = -1;
    for (let s = 0; s < this.loads.length; s++) if (!this.out[s] && (best < 0 || this.loads[s] < this.loads[best])) best = s;
    return best;
  }

  imbalance(): number {
    let lo = Infinity;
    let hi = -Infinity;
    for (let s = 0; s < this.loads.length; s++) {
      if (this.out[s]) continue;
      if (this.loads[s] < lo) lo = this.loads[s];
      if (this.loads[s] > hi) hi = this.loads[s];
    }
    return hi - lo;
  }
}

/**
 * Pairs of online users within distance `v` of each other that sit on different servers
 * (a uniform grid of cell size v: each user looks at its own and the 8 neighbouring cells).
 */
export function crossServerPairs(xs: Float64Array, ys: Float64Array, server: Int32Array, n: number, vd: number, W: number, H: number): number {
  // cells of side at least vd (so every pair within vd is in neighbouring cells), and not more
  // cells than the users need: a tiny vd on a large map would otherwise ask for billions
  const maxCells = Math.max(4096, 16 * n);
  let v = vd;
  while (Math.ceil(W / v) * Math.ceil(H / v) > maxCells) v *= 2;
  const cols = Math.max(1, Math.ceil(W / v));
  const rows = Math.max(1, Math.ceil(H / v));
  const head = new Int32Array(cols * rows).fill(-1);
  const next = new Int32Array(n);
  const cellOf = (u: number) => {
    const cx = Math.min(cols - 1, Math.floor(xs[u] / v));
    const cy = Math.min(rows - 1, Math.floor(ys[u] / v));
    return cy * cols + cx;
  };
  for (let u = 0; u < n; u++) {
    const c = cellOf(u);
    next[u] = head[c];
    head[c] = u;
  }
  const v2 = vd * vd;
  let pairs = 0;
  // each pair of cells once: the user's own cell (pairs with a later user), then the half of its
  // neighbours ahead of it (east, and the three cells of the next row)
  const DX = [1, -1, 0, 1], DY = [0, 1, 1, 1];
  for (let u = 0; u < n; u++) {
    if (server[u] < 0) continue; // offline
    const cx = Math.min(cols - 1, Math.floor(xs[u] / v));
    const cy = Math.min(rows - 1, Math.floor(ys[u] / v));
    const su = server[u], x = xs[u], y = ys[u];
    for (let w = head[cy * cols + cx]; w !== -1; w = next[w]) {
      if (w <= u || server[w] === su || server[w] < 0) continue;
      const dx = xs[w] - x, dy = ys[w] - y;
      if (dx * dx + dy * dy <= v2) pairs++;
    }
    for (let k = 0; k < 4; k++) {
      const xx = cx + DX[k], yy = cy + DY[k];
      if (xx < 0 || xx >= cols || yy >= rows) continue;
      for (let w = head[yy * cols + xx]; w !== -1; w = next[w]) {
        if (server[w] === su || server[w] < 0) continue;
        const dx = xs[w] - x, dy = ys[w] - y;
        if (dx * dx + dy * dy <= v2) pairs++;
      }
    }
  }
  return pairs;
}
