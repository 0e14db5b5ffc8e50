/**
 * Zones: whether the players of each region have service, and the
 * player-seconds without it. A region (an LB server's share of the map) is
 * served while the HA service of that region runs on a live node and its
 * players have reconnected (`reconnectDelay` after it started); a player the
 * `scheme` policy moved to a survivor is without service until it has
 * reconnected there; a region that runs only on a node cut off from the
 * others (its players cannot reach it either) is blocked until they can again
 * and have reconnected. The rest of the world tells this part before it changes
 * (`account`) and what happened to a region (`down`, `back`); it owns the
 * integrals, split into unplanned outages (faults) and planned ones (a
 * fail-back's hand-over).
 */
import type { World } from '../lb/world.ts';

export class Zones {
  /** 1 while region s has no service (down, or its players not yet back). */
  private readonly unserved: Uint8Array;
  /** The outage of region s is a planned hand-back. */
  private readonly planned: Uint8Array;
  /** 1 while region s runs only on a node its players cannot reach (cut off), or they have not reconnected since. */
  private readonly blocked: Uint8Array;
  /** Players moved to a survivor, reconnecting there until backAt[u]. */
  private pending: number[] = [];
  private readonly backAt: Float64Array;
  private lastT = 0;
  /** Player-seconds without service (faults; planned fail-backs), and since the last sample. */
  lost = 0;
  lostPlanned = 0;
  lostSince = 0;

  constructor(private readonly world: World) {
    this.unserved = new Uint8Array(world.servers);
    this.planned = new Uint8Array(world.servers);
    this.blocked = new Uint8Array(world.servers);
    this.backAt = new Float64Array(world.xs.length);
  }

  /** Integrate up to time t (before anything that changes loads or service). */
  account(t: number): void {
    const dt = t - this.lastT;
    if (dt <= 0) return;
    const w = this.world;
    let lost = 0, planned = 0;
    for (let s = 0; s < this.unserved.length; s++)
      if (this.unserved[s]) {
        if (this.planned[s]) planned += w.loads[s] * dt;
        else lost += w.loads[s] * dt;
      } else if (this.blocked[s]) lost += w.loads[s] * dt;
    if (this.pending.length > 0) {
      const keep: number[] = [];
      for (const u of this.pending) {
        const s = w.server[u];
        if (s < 0) continue; // left
        // in a region without service it is counted there
        if (this.served(s)) lost += Math.max(0, Math.min(t, this.backAt[u]) - this.lastT);
        if (this.backAt[u] > t) keep.push(u);
      }
      this.pending = keep;
    }
    this.lost += lost;
    this.lostPlanned += planned;
    this.lostSince += lost + planned;
    this.lastT = t;
  }

  /** Region s lost its service at t (planned: a hand-back). */
  down(t: number, s: number, planned: boolean): void {
    this.account(t);
    this.unserved[s] = 1;
    this.planned[s] = planned ? 1 : 0;
  }

  /** From t the outage of region s is a planned one (its server is back and takes its players over). */
  plan(t: number, s: number): void {
    this.account(t);
    if (this.unserved[s]) this.planned[s] = 1;
  }

  /** Region s has its players back at t. */
  back(t: number, s: number): void {
    this.account(t);
    this.unserved[s] = 0;
    this.planned[s] = 0;
  }

  /** Players moved at t to servers that run: they have service again at t + delay. */
  moved(t: number, users: readonly number[], delay: number): void {
    this.account(t);
    if (!(delay > 0)) return;
    for (const u of users) {
      if (!(this.backAt[u] > t)) this.pending.push(u);
      this.backAt[u] = t + delay;
    }
  }

  /** From t region s runs only on a node its players cannot reach (true), or they are back (false). */
  block(t: number, s: number, on: boolean): void {
    this.account(t);
    this.blocked[s] = on ? 1 : 0;
  }

  isBlocked(s: number): boolean {
    return this.blocked[s] === 1;
  }

  served(s: number): boolean {
    return this.unserved[s] === 0 && this.blocked[s] === 0;
  }

  /** Player u is online and has service now (at the last account). */
  hasService(u: number): boolean {
    const s = this.world.server[u];
    return s >= 0 && this.served(s) && !(this.backAt[u] > this.lastT);
  }

  /** Players without service now, in the regions `regions` (all when omitted) and reconnecting. */
  unservedPlayers(regions?: readonly number[]): number {
    const w = this.world;
    let n = 0;
    if (regions) {
      for (const s of regions) if (!this.served(s)) n += w.loads[s];
      return n;
    }
    for (let s = 0; s < this.unserved.length; s++) if (!this.served(s)) n += w.loads[s];
    for (const u of this.pending) if (w.server[u] >= 0 && this.served(w.server[u]) && this.backAt[u] > this.lastT) n++;
    return n;
  }

  /** Players still reconnecting after a move. */
  reconnecting(): number {
    let n = 0;
    for (const u of this.pending) if (this.world.server[u] >= 0 && this.backAt[u] > this.lastT) n++;
    return n;
  }

  takeSince(): number {
    const x = this.lostSince;
    this.lostSince = 0;
    return x;
  }
}
