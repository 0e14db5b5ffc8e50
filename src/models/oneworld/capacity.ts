/**
 * Capacity: the players each node serves (the sum over the regions it runs),
 * what load above capacity does to the tick (tickRule), and the overload
 * crashes that make cascades. It owns the per-node load and overload clocks;
 * the run calls `step` once a world step with the regions' hosts.
 */
import type { OneWorldConfig } from './options.ts';

export class Capacity {
  /** Players on each node at the last step (the regions it runs). */
  readonly load: Float64Array;
  private readonly aboveSince: Float64Array;
  overloadedPlayerSeconds = 0;
  private tickWeighted = 0;
  private playerSeconds = 0;
  tickMax = 0;
  /** The largest node load over capacity seen. */
  peakOver = 0;

  constructor(private readonly c: OneWorldConfig, nodes: number) {
    this.load = new Float64Array(nodes);
    this.aboveSince = new Float64Array(nodes).fill(NaN);
  }

  /** The tick time of a node with `load` players. */
  tick(load: number): number {
    const x = Math.max(1, load / this.c.capacity);
    return this.c.tickBase * (this.c.tickRule === 'quadratic' ? x * x : x);
  }

  /**
   * One step of length dt ending at t: node loads from the regions' hosts
   * (host[s] = the node running region s, -1 none) and players; returns the
   * nodes that crash of overload now (overloadFactor), lowest id first.
   */
  step(t: number, dt: number, host: Int32Array, players: Int32Array, live: (n: number) => boolean): number[] {
    const L = this.load, c = this.c;
    L.fill(0);
    for (let s = 0; s < host.length; s++) if (host[s] >= 0) L[host[s]] += players[s];
    const out: number[] = [];
    for (let n = 0; n < L.length; n++) {
      const l = L[n];
      if (l > 0) {
        const tk = this.tick(l);
        this.tickWeighted += l * tk * dt;
        this.playerSeconds += l * dt;
        if (tk > this.tickMax) this.tickMax = tk;
        if (l > c.capacity) this.overloadedPlayerSeconds += l * dt;
        if (l / c.capacity > this.peakOver) this.peakOver = l / c.capacity;
      }
      if (c.overloadFactor > 0 && live(n) && l > c.overloadFactor * c.capacity) {
        if (Number.isNaN(this.aboveSince[n])) this.aboveSince[n] = t;
        else if (t - this.aboveSince[n] >= c.overloadAfter) {
          out.push(n);
          this.aboveSince[n] = NaN;
        }
      } else this.aboveSince[n] = NaN;
    }
    return out;
  }

  /** The most players on one node at the last step. */
  maxLoad(): number {
    let m = 0;
    for (let n = 0; n < this.load.length; n++) if (this.load[n] > m) m = this.load[n];
    return m;
  }

  /** Player-weighted mean tick time. */
  tickMean(): number {
    return this.playerSeconds > 0 ? this.tickWeighted / this.playerSeconds : this.c.tickBase;
  }
}
