/**
 * The shared state of one LB run: user positions, each user's server, server
 * loads and the coordinate sums behind the centroids. Arrival positions come
 * from the `arrivals` stream only, so every scheme sees the same sequence
 * (common random numbers).
 */
import { Streams } from '../../kernel/random.ts';
import { HOT_SIZE, parseArrivals, type LbOptions } from './options.ts';

export interface Arrivals {
  xs: Float64Array;
  ys: Float64Array;
}

/** Draw the positions of `opts.users` arrivals from the `arrivals` stream of `seed`. */
export function generateArrivals(opts: LbOptions, seed: number): Arrivals {
  const n = opts.users;
  const W = opts.mapWidth;
  const H = opts.mapHeight;
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  const st = new Streams(seed).get('arrivals');
  const spec = parseArrivals(opts.arrivals);
  if (spec.kind === 'uniform') {
    for (let i = 0; i < n; i++) {
      xs[i] = st.uniform(0, W);
      ys[i] = st.uniform(0, H);
    }
  } else {
    const hw = Math.min(HOT_SIZE, W);
    const hh = Math.min(HOT_SIZE, H);
    const pHot = spec.ratio.r / (spec.ratio.r + spec.ratio.s);
    for (let i = 0; i < n; i++) {
      if (st.random() < pHot) {
        xs[i] = st.uniform(0, hw);
        ys[i] = st.uniform(0, hh);
      } else {
        // uniform over the rest of the map, by rejection (deterministic: same stream)
        let x: number, y: number;
        do {
          x = st.uniform(0, W);
          y = st.uniform(0, H);
        } while (x < hw && y < hh);
        xs[i] = x;
        ys[i] = y;
      }
    }
  }
  return { xs, ys };
}

export class World {
  /** Users placed so far (ids 0..n-1 in arrival order). */
  n = 0;
  readonly server: Int32Array;
  readonly loads: Int32Array;
  readonly sumX: Float64Array;
  readonly sumY: Float64Array;
  /** How many times each user has been moved. */
  readonly moves: Uint32Array;

  constructor(readonly opts: LbOptions, readonly xs: Float64Array, readonly ys: Float64Array) {
    this.server = new Int32Array(xs.length).fill(-1);
    this.loads = new Int32Array(opts.servers);
    this.sumX = new Float64Array(opts.servers);
    this.sumY = new Float64Array(opts.servers);
    this.moves = new Uint32Array(xs.length);
  }

  get servers(): number {
    return this.loads.length;
  }

  place(u: number, s: number): void {
    this.server[u] = s;
    this.loads[s]++;
    this.sumX[s] += this.xs[u];
    this.sumY[s] += this.ys[u];
  }

  move(u: number, to: number): void {
    const from = this.server[u];
    this.loads[from]--;
    this.sumX[from] -= this.xs[u];
    this.sumY[from] -= this.ys[u];
    this.server[u] = to;
    this.loads[to]++;
    this.sumX[to] += this.xs[u];
    this.sumY[to] += this.ys[u];
    this.moves[u]++;
  }

  centroidX(s: number): number {
    return this.sumX[s] / this.loads[s];
  }

  centroidY(s: number): number {
    return this.sumY[s] / this.loads[s];
  }

  /** Most loaded server (lowest index on ties). */
  heaviest(): number {
    let best = 0;
    for (let s = 1; s < this.loads.length; s++) if (this.loads[s] > this.loads[best]) best = s;
    return best;
  }

  /** Least loaded server (lowest index on ties). */
  lightest(): number {
    let best = 0;
    for (let s = 1; s < this.loads.length; s++) if (this.loads[s] < this.loads[best]) best = s;
    return best;
  }

  imbalance(): number {
    let lo = Infinity;
    let hi = -Infinity;
    for (let s = 0; s < this.loads.length; s++) {
      if (this.loads[s] < lo) lo = this.loads[s];
      if (this.loads[s] > hi) hi = this.loads[s];
    }
    return hi - lo;
  }
}

/**
 * Pairs of users within distance `v` of each other that sit on different servers
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
  for (let u = 0; u < n; u++) {
    const cx = Math.min(cols - 1, Math.floor(xs[u] / v));
    const cy = Math.min(rows - 1, Math.floor(ys[u] / v));
    for (let yy = Math.max(0, cy - 1); yy <= Math.min(rows - 1, cy + 1); yy++) {
      for (let xx = Math.max(0, cx - 1); xx <= Math.min(cols - 1, cx + 1); xx++) {
        for (let w = head[yy * cols + xx]; w !== -1; w = next[w]) {
          if (w <= u || server[w] === server[u]) continue;
          const dx = xs[w] - xs[u];
          const dy = ys[w] - ys[u];
          if (dx * dx + dy * dy <= v2) pairs++;
        }
      }
    }
  }
  return pairs;
}
