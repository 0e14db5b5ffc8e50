/**
 * A KD-tree partition of the map, after Bezerra and Geyer (2009): the map is
 * cut recursively into one rectangle per server, each cut across the longer
 * side of its rectangle, the servers of a rectangle split as evenly as they
 * go (floor(n/2) on the low side). To rebalance, the cut lines move; the tree's
 * shape stays. Where the source leaves rules open, ours are:
 *
 * - before anyone is on the map, a cut divides its rectangle in proportion
 *   to the servers on each side;
 * - rebalancing fires when max - min load >= threshold and the busiest server
 *   holds more than (1 + kdTolerance) x the mean load; then every cut, top
 *   down, moves to where the players on its low side are in proportion to the
 *   servers there (just above the k-th smallest coordinate; on a tie both
 *   go to the high side);
 * - a player whose rectangle changed with the cuts is migrated (a rebalancing
 *   migration, one event per pair of servers); a player walking across a cut
 *   is handed off.
 */
import type { Moves } from '../mobility.ts';
import type { World } from '../world.ts';
import type { Migration, Scheme } from '../schemes.ts';
import { moveGrouped } from './moves.ts';

interface KdNode {
  /** Cut across x (0) or y (1) at `at`; a leaf when server >= 0. */
  axis: 0 | 1;
  at: number;
  low: KdNode | null;
  high: KdNode | null;
  server: number;
  /** Servers on the low side, and in the whole rectangle. */
  nLow: number;
  n: number;
}

export class KdTreeScheme implements Scheme {
  readonly name = 'kd-tree' as const;
  skipped = 0;
  cellsReturned = 0;
  readonly root: KdNode;

  constructor(private readonly world: World) {
    const o = world.opts;
    let next = 0;
    const build = (x0: number, y0: number, x1: number, y1: number, n: number): KdNode => {
      if (n === 1) return { axis: 0, at: 0, low: null, high: null, server: next++, nLow: 0, n };
      const axis: 0 | 1 = x1 - x0 >= y1 - y0 ? 0 : 1;
      const nLow = Math.floor(n / 2);
      const at = axis === 0 ? x0 + ((x1 - x0) * nLow) / n : y0 + ((y1 - y0) * nLow) / n;
      const low = axis === 0 ? build(x0, y0, at, y1, nLow) : build(x0, y0, x1, at, nLow);
      const high = axis === 0 ? build(at, y0, x1, y1, n - nLow) : build(x0, at, x1, y1, n - nLow);
      return { axis, at, low, high, server: -1, nLow, n };
    };
    this.root = build(0, 0, o.mapWidth, o.mapHeight, o.servers);
  }

  /** The server whose rectangle holds (x, y) (a point on a cut belongs to the high side). */
  locate(x: number, y: number): number {
    let k = this.root;
    if (this.down === 0) {
      while (k.server < 0) k = (k.axis === 0 ? x : y) < k.at ? k.low! : k.high!;
      return k.server;
    }
    // a side whose servers are all out is absorbed by its sibling: the point goes down the other side
    while (k.server < 0) {
      const side = (k.axis === 0 ? x : y) < k.at ? k.low! : k.high!;
      k = this.live(side) > 0 ? side : side === k.low ? k.high! : k.low!;
    }
    return k.server;
  }

  /** Servers out of the partition (failed under the one world's policy scheme). */
  private down = 0;

  /** Live servers in k's rectangle. */
  private live(k: KdNode): number {
    if (k.server >= 0) return this.world.out[k.server] ? 0 : 1;
    return this.live(k.low!) + this.live(k.high!);
  }

  /** Server s failed: its rectangle is absorbed by its sibling (the sibling's cuts extend over it); its players go where they now locate. */
  fail(s: number): Migration[] {
    const w = this.world;
    w.out[s] = 1;
    this.down++;
    return moveGrouped(w, w.usersOf(s).slice(), (u) => this.locate(w.xs[u], w.ys[u]));
  }

  /** Server s is back with its rectangle; with a hand-back the players in it move to it now, else as they walk or at the next rebalancing. */
  restore(s: number, handBack: boolean): Migration[] {
    const w = this.world;
    w.out[s] = 0;
    this.down--;
    if (!handBack) return [];
    const users: number[] = [];
    for (let t = 0; t < w.servers; t++) if (t !== s) for (const u of w.usersOf(t)) if (this.locate(w.xs[u], w.ys[u]) === s) users.push(u);
    users.sort((a, b) => a - b);
    return moveGrouped(w, users, () => s);
  }

  regionOf(x: number, y: number): number {
    return this.locate(x, y);
  }

  assign(u: number): number {
    const s = this.locate(this.world.xs[u], this.world.ys[u]);
    this.world.place(u, s);
    return s;
  }

  leave(u: number): void {
    this.world.remove(u);
  }

  relocate(m: Moves): number {
    const w = this.world;
    let handoffs = 0;
    for (let i = 0; i < m.n; i++) {
      const u = m.ids[i], x = m.xs[i], y = m.ys[i];
      handoffs += w.walk(u, x, y, this.locate(x, y));
    }
    return handoffs;
  }

  rebalance(): Migration[] {
    const w = this.world, o = w.opts, S = w.servers;
    if (w.count === 0) return [];
    let lo = Infinity, hi = 0;
    for (let s = 0; s < S; s++) {
      if (w.out[s]) continue;
      lo = Math.min(lo, w.loads[s]);
      hi = Math.max(hi, w.loads[s]);
    }
    if (hi - lo < o.threshold || hi <= (1 + o.kdTolerance) * (w.count / w.liveServers())) return [];
    // the online players, then every cut moved top down
    const players: number[] = [];
    for (let s = 0; s < S; s++) players.push(...w.usersOf(s));
    players.sort((a, b) => a - b);
    this.recut(this.root, players);
    // who is now in another rectangle: one migration per (from, to), in a fixed order
    const moves = new Map<number, number[]>();
    for (const u of players) {
      const from = w.server[u], to = this.locate(w.xs[u], w.ys[u]);
      if (to === from) continue;
      const key = from * S + to;
      if (!moves.has(key)) moves.set(key, []);
      moves.get(key)!.push(u);
    }
    const out: Migration[] = [];
    for (const key of [...moves.keys()].sort((a, b) => a - b)) {
      const users = moves.get(key)!;
      const to = key % S;
      for (const u of users) w.move(u, to);
      out.push({ from: Math.floor(key / S), to, users });
    }
    return out;
  }

  /** Move node k's cut so that its low side holds nLow / n of `inside` (the players in its rectangle), then its children's. */
  private recut(k: KdNode, inside: number[]): void {
    if (k.server >= 0) return;
    const c = k.axis === 0 ? this.world.xs : this.world.ys;
    // with servers out, in proportion to the live ones; a side with none keeps its cut (its sibling absorbs it)
    const nLow = this.down === 0 ? k.nLow : this.live(k.low!), n = this.down === 0 ? k.n : nLow + this.live(k.high!);
    if (this.down > 0 && (nLow === 0 || nLow === n)) {
      this.recut(k.low!, nLow === 0 ? [] : inside);
      this.recut(k.high!, nLow === 0 ? inside : []);
      return;
    }
    if (inside.length > 0) {
      const sorted = inside.map((u) => c[u]).sort((a, b) => a - b);
      const m = Math.round((inside.length * nLow) / n);
      // the cut sits between the m-th smallest coordinate and the next (on a tie, both go high)
      if (m <= 0) k.at = sorted[0];
      else if (m >= sorted.length) k.at = sorted[sorted.length - 1] + 1e-9;
      else k.at = sorted[m - 1] < sorted[m] ? (sorted[m - 1] + sorted[m]) / 2 : sorted[m];
    }
    const low: number[] = [], high: number[] = [];
    for (const u of inside) (c[u] < k.at ? low : high).push(u);
    this.recut(k.low!, low);
    this.recut(k.high!, high);
  }
}
