/** The static map partition: vertical strips, one per server. */
import type { LbOptions } from '../options.ts';
import type { Moves } from '../mobility.ts';
import type { World } from '../world.ts';
import type { Migration, Scheme } from '../schemes.ts';

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
    const s = this.regionOf(this.world.xs[u]);
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
      handoffs += w.walk(u, x, m.ys[i], x >= x0 && x < x1 ? s : this.regionOf(x));
    }
    return handoffs;
  }
}
