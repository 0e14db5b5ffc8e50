/** The dynamic map partition with piece cells. */
import type { Stream } from '../../../kernel/random.ts';
import type { Moves } from '../mobility.ts';
import type { World } from '../world.ts';
import type { Migration, Scheme } from '../schemes.ts';
import { listAdd, listRemove } from '../lists.ts';

/**
 * Dynamic map partition with piece cells. Cell index = row * cols + col.
 * Initial ownership: the cells in column-major order cut into N contiguous
 * blocks (N = 2: columns 0-3 to A, 4-7 to B). When max - min load reaches
 * 2 x the average users per cell, the heaviest server gives a boundary cell
 * to its lightest neighbour (with N = 2, the other server).
 */
export class DynamicScheme implements Scheme {
  readonly name: string = 'dynamic';
  skipped = 0;
  cellsReturned = 0;
  readonly owner: Int32Array;
  readonly cellCount: Int32Array;
  protected readonly cellUsers: number[][];
  private readonly cellOfUser: Int32Array;
  private readonly posInCell: Int32Array;
  protected readonly formerOwner: Uint8Array; // cell * S + server: 1 when it owned the cell before
  /** The initial owner of each cell (a repaired server's region under the one world's policy scheme). */
  private readonly home: Int32Array;
  private readonly cellW: number;
  private readonly cellH: number;
  private arrivals = 0;

  constructor(protected readonly world: World, private readonly choice: Stream) {
    const o = world.opts;
    const cells = o.cellRows * o.cellCols;
    if (o.servers > o.cellCols * o.cellRows) {
      throw new Error(`dynamic scheme: ${o.servers} servers need at least as many piece cells (have ${cells})`);
    }
    this.owner = new Int32Array(cells);
    this.cellCount = new Int32Array(cells);
    this.cellUsers = [];
    for (let c = 0; c < cells; c++) this.cellUsers.push([]);
    this.cellOfUser = new Int32Array(world.xs.length).fill(-1);
    this.posInCell = new Int32Array(world.xs.length);
    this.formerOwner = new Uint8Array(cells * o.servers);
    this.home = new Int32Array(cells);
    // column-major index k = col * rows + row, split into N blocks
    for (let col = 0; col < o.cellCols; col++) {
      for (let row = 0; row < o.cellRows; row++) {
        const k = col * o.cellRows + row;
        const s = Math.floor((k * o.servers) / cells);
        const c = row * o.cellCols + col;
        this.owner[c] = s;
        this.home[c] = s;
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
    this.enter(u, c);
    const s = this.owner[c];
    this.world.place(u, s);
    return s;
  }

  regionOf(x: number, y: number): number {
    return this.owner[this.cellOf(x, y)];
  }

  leave(u: number): void {
    this.exit(u);
    this.world.remove(u);
  }

  /** A player that walks into another cell joins that cell's owner (a hand-off when it is another server). */
  relocate(m: Moves): number {
    const w = this.world;
    let handoffs = 0;
    for (let i = 0; i < m.n; i++) {
      const u = m.ids[i], x = m.xs[i], y = m.ys[i];
      const c = this.cellOf(x, y);
      if (c !== this.cellOfUser[u]) {
        this.exit(u);
        this.enter(u, c);
      }
      handoffs += w.walk(u, x, y, this.owner[c]);
    }
    return handoffs;
  }

  private enter(u: number, c: number): void {
    this.cellOfUser[u] = c;
    listAdd(this.cellUsers[c], this.posInCell, u);
    this.cellCount[c]++;
  }

  private exit(u: number): void {
    const c = this.cellOfUser[u];
    listRemove(this.cellUsers[c], this.posInCell, u);
    this.cellCount[c]--;
    this.cellOfUser[u] = -1;
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
    if (heavy < 0) return []; // every server out of the partition
    const Dmax = w.loads[heavy] - w.loads[w.lightest()];
    const cells = o.cellRows * o.cellCols;
    // trigger: max - min load >= 2 x average users per cell (and >= minDifference)
    if (Dmax <= 0 || Dmax * cells < 2 * w.count || Dmax < o.minDifference) return [];
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
    return [this.give(pick, light)];
  }

  /**
   * Server s failed: its cells go, one at a time, to the least-loaded live
   * server owning a neighbouring cell (cells in row-major order; a cell with
   * no such neighbour waits until one of its neighbours has been given).
   */
  fail(s: number): Migration[] {
    const w = this.world, o = w.opts, C = o.cellCols, R = o.cellRows;
    w.out[s] = 1;
    const out: Migration[] = [];
    for (let left = true; left; ) {
      left = false;
      let gave = false;
      for (let c = 0; c < R * C; c++) {
        if (this.owner[c] !== s) continue;
        const row = Math.floor(c / C), col = c % C;
        let to = -1;
        for (const d of [col > 0 ? c - 1 : -1, col < C - 1 ? c + 1 : -1, row > 0 ? c - C : -1, row < R - 1 ? c + C : -1]) {
          if (d < 0) continue;
          const t = this.owner[d];
          if (t === s || w.out[t]) continue;
          if (to < 0 || w.loads[t] < w.loads[to] || (w.loads[t] === w.loads[to] && t < to)) to = t;
        }
        if (to < 0) left = true;
        else {
          out.push(this.give(c, to));
          gave = true;
        }
      }
      if (left && !gave) break; // no live server anywhere near (every other server is out)
    }
    return out;
  }

  /** Server s is back: its initial cells return to it, with their players (the cells' players belong to their owner either way). */
  restore(s: number, _handBack: boolean): Migration[] {
    const w = this.world;
    w.out[s] = 0;
    const out: Migration[] = [];
    for (let c = 0; c < this.owner.length; c++) if (this.home[c] === s && this.owner[c] !== s && !w.out[this.owner[c]]) out.push(this.give(c, s));
    return out;
  }

  /** Cell c and its users go to server `to`. */
  protected give(c: number, to: number): Migration {
    const w = this.world, S = w.servers;
    const from = this.owner[c];
    const users = this.cellUsers[c].slice();
    for (const u of users) w.move(u, to);
    if (this.formerOwner[c * S + to]) this.cellsReturned++;
    this.formerOwner[c * S + to] = 1;
    this.owner[c] = to;
    return { from, to, users, cell: c };
  }
}
