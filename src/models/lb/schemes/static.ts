/** The static map partition: vertical strips, one per server. */
import type { LbOptions } from '../options.ts';
import type { Moves } from '../mobility.ts';
import type { World } from '../world.ts';
import type { Migration, Scheme } from '../schemes.ts';
import { moveGrouped } from './moves.ts';

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
    const s = this.liveStrip(this.world.xs[u]);
    this.world.place(u, s);
    return s;
  }

  rebalance(): Migration[] {
    return [];
  }

  /** The strip that holds x (without the overlap bands). */
  regionOf(x: number): number {
    const o = this.world.opts;
    return Math.min(o.servers - 1, Math.floor((x * o.servers) / o.mapWidth));
  }

  leave(u: number): void {
    this.world.remove(u);
  }

  /** A player keeps its server while inside its region (overlap band included), else goes to the strip it is in. */
  relocate(m: Moves): number {
    const w = this.world, o = w.opts;
    let handoffs = 0;
    for (let i = 0; i < m.n; i++) {
      const u = m.ids[i], x = m.xs[i];
      const s = w.server[u], [x0, x1] = StaticScheme.region(o, s);
      handoffs += w.walk(u, x, m.ys[i], x >= x0 && x < x1 ? s : this.liveStrip(x));
    }
    return handoffs;
  }

  /** The strip that holds x, or when its server is out the nearest strip whose server is not (ties: the left one). */
  liveStrip(x: number): number {
    const w = this.world, k = this.regionOf(x);
    if (!w.out[k]) return k;
    const S = w.servers, width = w.opts.mapWidth / S;
    for (let d = 1; d < S; d++) {
      const l = k - d, r = k + d;
      const dl = l >= 0 && !w.out[l] ? x - (l + 1) * width : Infinity;
      const dr = r < S && !w.out[r] ? r * width - x : Infinity;
      if (dl < Infinity || dr < Infinity) return dl <= dr ? l : r;
    }
    return k;
  }

  /** Server s failed: the players in its strip go to the nearer neighbouring strip whose server runs. */
  fail(s: number): Migration[] {
    const w = this.world;
    w.out[s] = 1;
    return this.moveAll(w.usersOf(s).slice(), (u) => this.liveStrip(w.xs[u]));
  }

  /** Server s is back: with a hand-back the players in its strip return now; without, they return as they walk out of their server's strip. */
  restore(s: number, handBack: boolean): Migration[] {
    const w = this.world;
    w.out[s] = 0;
    if (!handBack) return [];
    const users: number[] = [];
    for (let t = 0; t < w.servers; t++) if (t !== s) for (const u of w.usersOf(t)) if (this.regionOf(w.xs[u]) === s) users.push(u);
    users.sort((a, b) => a - b);
    return this.moveAll(users, () => s);
  }

  /** Move each user to its target, one migration per (from, to) in a fixed order. */
  private moveAll(users: number[], target: (u: number) => number): Migration[] {
    return moveGrouped(this.world, users, target);
  }
}
