/**
 * The three load-balancing schemes behind one interface (SPEC 2.2-2.4):
 * assign an arriving user to a server; rebalance; report each migration event
 * with the users it moved.
 */
import type { Stream } from '../../kernel/random.ts';
import type { LbOptions, SchemeName } from './options.ts';
import { NONE, ProximityGrid, UserHeap } from './grid.ts';
import type { World } from './world.ts';
import { Registry } from '../../registry.ts';

export interface Migration {
  from: number;
  to: number;
  /** The users moved (in the order they were moved). */
  users: number[];
  /** The piece cell moved (dynamic scheme only). */
  cell?: number;
}

export interface Scheme {
  readonly name: SchemeName;
  /** Choose the server of the newly arrived user `u` (already in world.xs/ys) and place it. */
  assign(u: number): number;
  /** Compare loads and move users; returns the migration events (possibly none). */
  rebalance(): Migration[];
  /** Load checks that fired but moved nothing (dynamic with skipUseless). */
  skipped: number;
  /** Piece cells moved back to a server that owned them before (dynamic). */
  cellsReturned: number;
}

// ---------------------------------------------------------------- static

/**
 * Static partition: server s owns the vertical strip [s W/N - overlap, (s+1) W/N + overlap)
 * (for N = 2 and the defaults: A = [0, 562), B = [462, 1024), SPEC 2.2). An arriving user goes to
 * the server whose strip without the overlap band holds it. Users never move, so it never migrates.
 */
export class StaticScheme implements Scheme {
  readonly name = 'static' as const;
  skipped = 0;
  cellsReturned = 0;
  constructor(private readonly world: World) {}

  /** The region [x0, x1) of server s, overlap band included. */
  static region(opts: LbOptions, s: number): [number, number] {
    const w = opts.mapWidth / opts.servers;
    return [Math.max(0, s * w - opts.staticOverlap), Math.min(opts.mapWidth, (s + 1) * w + opts.staticOverlap)];
  }

  assign(u: number): number {
    const o = this.world.opts;
    const s = Math.min(o.servers - 1, Math.floor((this.world.xs[u] * o.servers) / o.mapWidth));
    this.world.place(u, s);
    return s;
  }

  rebalance(): Migration[] {
    return [];
  }
}

// ---------------------------------------------------------------- dynamic

/**
 * Dynamic map partition with piece cells. Cell index = row * cols + col.
 * Initial ownership: the cells in column-major order cut into N contiguous
 * blocks (N = 2: columns 0-3 to A, 4-7 to B). When max - min load reaches
 * 2 x the average users per cell, the heaviest server gives a boundary cell
 * to its lightest neighbour (with N = 2, the other server).
 */
export class DynamicScheme implements Scheme {
  readonly name = 'dynamic' as const;
  skipped = 0;
  cellsReturned = 0;
  readonly owner: Int32Array;
  readonly cellCount: Int32Array;
  private readonly cellUsers: number[][];
  private readonly formerOwner: Uint8Array; // cell * S + server: 1 when it owned the cell before
  private readonly cellW: number;
  private readonly cellH: number;
  private arrivals = 0;

  constructor(private readonly world: World, private readonly choice: Stream) {
    const o = world.opts;
    const cells = o.cellRows * o.cellCols;
    if (o.servers > o.cellCols * o.cellRows) {
      throw new Error(`dynamic scheme: ${o.servers} servers need at least as many piece cells (have ${cells})`);
    }
    this.owner = new Int32Array(cells);
    this.cellCount = new Int32Array(cells);
    this.cellUsers = [];
    for (let c = 0; c < cells; c++) this.cellUsers.push([]);
    this.formerOwner = new Uint8Array(cells * o.servers);
    // column-major index k = col * rows + row, split into N blocks
    for (let col = 0; col < o.cellCols; col++) {
      for (let row = 0; row < o.cellRows; row++) {
        const k = col * o.cellRows + row;
        const s = Math.floor((k * o.servers) / cells);
        const c = row * o.cellCols + col;
        this.owner[c] = s;
        this.formerOwner[c * o.servers + s] = 1;
      }
    }
    this.cellW = o.mapWidth / o.cellCols;
    this.cellH = o.mapHeight / o.cellRows;
  }

  cellOf(x: number, y: number): number {
    const o = this.world.opts;
    const col = Math.min(o.cellCols - 1, Math.floor(x / this.cellW));
    const row = Math.min(o.cellRows - 1, Math.floor(y / this.cellH));
    return row * o.cellCols + col;
  }

  assign(u: number): number {
    const c = this.cellOf(this.world.xs[u], this.world.ys[u]);
    this.cellUsers[c].push(u);
    this.cellCount[c]++;
    const s = this.owner[c];
    this.world.place(u, s);
    return s;
  }

  /** The least-loaded server owning a cell next to one of s's (lowest index on ties), or -1 when s has no neighbour. */
  lightestNeighbour(s: number): number {
    const o = this.world.opts;
    const loads = this.world.loads;
    let best = -1;
    const consider = (c: number) => {
      const t = this.owner[c];
      if (t !== s && (best < 0 || loads[t] < loads[best] || (loads[t] === loads[best] && t < best))) best = t;
    };
    for (let row = 0; row < o.cellRows; row++)
      for (let col = 0; col < o.cellCols; col++) {
        const c = row * o.cellCols + col;
        if (this.owner[c] !== s) continue;
        if (col > 0) consider(c - 1);
        if (col < o.cellCols - 1) consider(c + 1);
        if (row > 0) consider(c - o.cellCols);
        if (row < o.cellRows - 1) consider(c + o.cellCols);
      }
    return best;
  }

  /** Cells of `heavy` that touch (4-neighbourhood) a cell of `light`, in row-major order. */
  boundaryCells(heavy: number, light: number): number[] {
    const o = this.world.opts;
    const out: number[] = [];
    for (let row = 0; row < o.cellRows; row++) {
      for (let col = 0; col < o.cellCols; col++) {
        const c = row * o.cellCols + col;
        if (this.owner[c] !== heavy) continue;
        if (
          (col > 0 && this.owner[c - 1] === light) ||
          (col < o.cellCols - 1 && this.owner[c + 1] === light) ||
          (row > 0 && this.owner[c - o.cellCols] === light) ||
          (row < o.cellRows - 1 && this.owner[c + o.cellCols] === light)
        ) {
          out.push(c);
        }
      }
    }
    return out;
  }

  rebalance(): Migration[] {
    const w = this.world;
    const o = w.opts;
    this.arrivals++;
    if (this.arrivals % o.checkEvery !== 0) return [];
    const heavy = w.heaviest();
    const Dmax = w.loads[heavy] - w.loads[w.lightest()];
    const cells = o.cellRows * o.cellCols;
    // trigger: max - min load >= 2 x average users per cell (and >= minDifference)
    if (Dmax <= 0 || Dmax * cells < 2 * w.n || Dmax < o.minDifference) return [];
    // a boundary cell goes from the heaviest server to its lightest neighbour (with 2 servers: the other one)
    const light = this.lightestNeighbour(heavy);
    if (light < 0) {
      this.skipped++;
      return [];
    }
    const D = w.loads[heavy] - w.loads[light];
    let cand = this.boundaryCells(heavy, light);
    if (o.skipUseless) cand = cand.filter((c) => this.cellCount[c] > 0 && this.cellCount[c] < D);
    if (cand.length === 0) {
      this.skipped++;
      return [];
    }
    let pick = cand[0];
    if (o.cellChoice === 'best-boundary') {
      let best = Infinity;
      for (const c of cand) {
        const v = Math.abs(D - 2 * this.cellCount[c]);
        if (v < best) {
          best = v;
          pick = c;
        }
      }
    } else if (o.cellChoice === 'most-loaded') {
      let best = -1;
      for (const c of cand) {
        if (this.cellCount[c] > best) {
          best = this.cellCount[c];
          pick = c;
        }
      }
    } else {
      pick = this.choice.choice(cand);
    }
    const users = this.cellUsers[pick].slice();
    for (const u of users) w.move(u, light);
    if (this.formerOwner[pick * o.servers + light]) this.cellsReturned++;
    this.formerOwner[pick * o.servers + light] = 1;
    this.owner[pick] = light;
    return [{ from: heavy, to: light, users, cell: pick }];
  }
}

// ---------------------------------------------------------------- user-centric

/**
 * The paper's user-centric scheme (SPEC 2.4): round-robin while some server is
 * empty; then join the single server whose users' proximity areas (radius
 * P = k V) hold the new user, or else the nearest centroid; rebalance by moving
 * the heavy server's users nearest the light server's side along the axis
 * closer to the slope of the line between the two centroids.
 */
export class UserCentricScheme implements Scheme {
  readonly name = 'user-centric' as const;
  skipped = 0;
  cellsReturned = 0;
  readonly grid: ProximityGrid;
  /** Per server: heaps of its users by -x, x, -y, y (lazy deletion). */
  private readonly heaps: UserHeap[][];
  private rr = 0;
  private empties: number;

  constructor(private readonly world: World) {
    const o = world.opts;
    this.grid = new ProximityGrid(o.mapWidth, o.mapHeight, o.proximityFactor * o.viewDistance, o.servers, world.xs.length);
    this.heaps = [];
    for (let s = 0; s < o.servers; s++) this.heaps.push([new UserHeap(), new UserHeap(), new UserHeap(), new UserHeap()]);
    this.empties = o.servers;
  }

  private track(u: number, s: number): void {
    const x = this.world.xs[u];
    const y = this.world.ys[u];
    const h = this.heaps[s];
    h[0].push(-x, u); // largest x first
    h[1].push(x, u); // smallest x first
    h[2].push(-y, u);
    h[3].push(y, u);
  }

  /** Which rule placed the last user: 'round-robin' | 'proximity' | 'centroid'. */
  lastRule: 'round-robin' | 'proximity' | 'centroid' = 'round-robin';

  assign(u: number): number {
    const w = this.world;
    const S = w.servers;
    const x = w.xs[u];
    const y = w.ys[u];
    let s: number;
    if (this.empties > 0) {
      // round-robin over the empty servers
      s = -1;
      for (let i = 0; i < S; i++) {
        const c = (this.rr + i) % S;
        if (w.loads[c] === 0) {
          s = c;
          break;
        }
      }
      this.rr = (s + 1) % S;
      this.empties--;
      this.lastRule = 'round-robin';
    } else {
      const near = this.grid.query(x, y, w.xs, w.ys, w.server);
      if (near >= 0) {
        s = near;
        this.lastRule = 'proximity';
      } else {
        // none or several: nearest centroid (lowest index on ties)
        s = 0;
        let best = Infinity;
        for (let c = 0; c < S; c++) {
          const dx = w.centroidX(c) - x;
          const dy = w.centroidY(c) - y;
          const d = dx * dx + dy * dy;
          if (d < best) {
            best = d;
            s = c;
          }
        }
        this.lastRule = 'centroid';
      }
    }
    w.place(u, s);
    this.grid.add(u, x, y, s);
    this.track(u, s);
    return s;
  }

  rebalance(): Migration[] {
    const w = this.world;
    const out: Migration[] = [];
    if (this.empties > 0) return out;
    for (;;) {
      const heavy = w.heaviest();
      const light = w.lightest();
      if (w.loads[heavy] - w.loads[light] < w.opts.threshold) break;
      const dx = w.centroidX(light) - w.centroidX(heavy);
      const dy = w.centroidY(light) - w.centroidY(heavy);
      // axis closer to the slope; the side of the light server along it
      const heap = Math.abs(dy) <= Math.abs(dx) ? this.heaps[heavy][dx >= 0 ? 0 : 1] : this.heaps[heavy][dy >= 0 ? 2 : 3];
      const users: number[] = [];
      while (w.loads[heavy] - w.loads[light] > 1) {
        let u = heap.pop();
        while (u !== -1 && w.server[u] !== heavy) u = heap.pop();
        if (u === -1) throw new Error('user-centric rebalance: heap out of users (bug)');
        w.move(u, light);
        this.grid.move(u, heavy, light);
        this.track(u, light);
        users.push(u);
      }
      out.push({ from: heavy, to: light, users });
    }
    return out;
  }
}

/** Makes a scheme for a world; `cellChoice` is the run's stream for the scheme's random choices. */
export type SchemeFactory = (world: World, cellChoice: Stream) => Scheme;

const SCHEMES = new Registry<SchemeFactory>('scheme');

/**
 * Register a load-balancing scheme under a name: `runScheme(name, ...)` and
 * the LB experiments can then use it like a built-in. The built-in three are
 * registered the same way, below.
 */
export function registerScheme(name: string, factory: SchemeFactory): void {
  SCHEMES.register(name, factory);
}

/** Names of the registered schemes, built-in first. */
export function schemeNames(): string[] {
  return SCHEMES.names();
}

export function makeScheme(name: SchemeName, world: World, cellChoice: Stream): Scheme {
  return SCHEMES.get(name)(world, cellChoice);
}

registerScheme('static', (world) => new StaticScheme(world));
registerScheme('dynamic', (world, cellChoice) => new DynamicScheme(world, cellChoice));
registerScheme('user-centric', (world) => new UserCentricScheme(world));
