/** The LB paper's user-centric scheme. */
import { ProximityGrid, UserHeap } from '../grid.ts';
import type { Moves } from '../mobility.ts';
import type { World } from '../world.ts';
import type { Migration, Scheme } from '../schemes.ts';
import { moveGrouped } from './moves.ts';

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
  /** A user of this server moved since its heaps were built: rebuild them before use. */
  private readonly stale: Uint8Array;

  constructor(private readonly world: World) {
    const o = world.opts;
    this.grid = new ProximityGrid(o.mapWidth, o.mapHeight, o.proximityFactor * o.viewDistance, o.servers, world.xs.length);
    this.heaps = [];
    for (let s = 0; s < o.servers; s++) this.heaps.push([new UserHeap(), new UserHeap(), new UserHeap(), new UserHeap()]);
    this.empties = o.servers;
    this.stale = new Uint8Array(o.servers);
  }

  leave(u: number): void {
    const s = this.world.server[u];
    this.grid.remove(u);
    this.world.remove(u);
    // its heap entries are dropped when they surface (its server is -1 now); an emptied server is filled round-robin again
    if (this.world.loads[s] === 0) this.empties++;
  }

  /** Players keep their server wherever they walk (the scheme groups users, not regions): never a hand-off. */
  relocate(m: Moves): number {
    const w = this.world;
    for (let i = 0; i < m.n; i++) {
      const u = m.ids[i], x = m.xs[i], y = m.ys[i];
      w.reposition(u, x, y);
      this.grid.reposition(u, x, y);
      this.stale[w.server[u]] = 1;
    }
    return 0;
  }

  /** Rebuild server s's heaps from its users' positions now. */
  private rebuild(s: number): void {
    for (const h of this.heaps[s]) h.clear();
    for (const u of this.world.usersOf(s)) this.track(u, s);
    this.stale[s] = 0;
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
        if (w.loads[c] === 0 && !w.out[c]) {
          s = c;
          break;
        }
      }
      this.rr = (s + 1) % S;
      this.empties--;
      this.lastRule = 'round-robin';
    } else {
      const near = this.grid.query(x, y, w.xs, w.ys);
      if (near >= 0) {
        s = near;
        this.lastRule = 'proximity';
      } else {
        // none or several: nearest centroid (lowest index on ties)
        s = 0;
        let best = Infinity;
        for (let c = 0; c < S; c++) {
          if (w.out[c]) continue;
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

  /** Users moved off each failed server (the hand-back takes those still online back). */
  private readonly evacuated = new Map<number, number[]>();

  /** Server s failed: each of its players goes to the live server with the nearest centroid (centroids before the moves). */
  fail(s: number): Migration[] {
    const w = this.world, S = w.servers;
    w.out[s] = 1;
    const cx: number[] = [], cy: number[] = [];
    for (let c = 0; c < S; c++) (cx[c] = w.centroidX(c)), (cy[c] = w.centroidY(c));
    const users = w.usersOf(s).slice();
    this.evacuated.set(s, users);
    return moveGrouped(
      w,
      users,
      (u) => {
        let best = -1, bd = Infinity;
        for (let c = 0; c < S; c++) {
          if (w.out[c] || c === s) continue;
          const d = (cx[c] - w.xs[u]) ** 2 + (cy[c] - w.ys[u]) ** 2;
          // an empty server (no centroid) only when nothing else is live
          if (d < bd || best < 0) (best = c), (bd = Number.isNaN(d) ? Infinity : d);
        }
        return best < 0 ? s : best;
      },
      (u, to) => this.moved(u, to),
    );
  }

  /** Server s is back: with a hand-back its players that are still online return; without, it is empty and rebalancing fills it. */
  restore(s: number, handBack: boolean): Migration[] {
    const w = this.world;
    w.out[s] = 0;
    const users = this.evacuated.get(s) ?? [];
    this.evacuated.delete(s);
    if (!handBack) return [];
    return moveGrouped(w, users.filter((u) => w.server[u] >= 0 && !w.out[w.server[u]]), () => s, (u, to) => this.moved(u, to));
  }

  private moved(u: number, to: number): void {
    this.grid.move(u, to);
    this.track(u, to);
  }

  rebalance(): Migration[] {
    const w = this.world;
    const out: Migration[] = [];
    if (this.empties > 0) return out;
    for (;;) {
      const heavy = w.heaviest();
      const light = w.lightest();
      // (every server out of the partition: nothing to balance)
      if (heavy < 0 || w.loads[heavy] - w.loads[light] < w.opts.threshold) break;
      if (this.stale[heavy]) this.rebuild(heavy);
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
        this.grid.move(u, light);
        this.track(u, light);
        users.push(u);
      }
      out.push({ from: heavy, to: light, users });
    }
    return out;
  }
}
