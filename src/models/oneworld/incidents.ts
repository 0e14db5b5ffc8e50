/**
 * Incidents: one per node crash (scripted, random or of overload), with the
 * players it cut off, when a peer first suspected the node (detection), when
 * every player of its regions had service again (recovery), and the peak node
 * load over capacity until no node was above capacity (balanced). Also the
 * players moved by fail-over and fail-back (apart from rebalancing) and the
 * reconnect burst: players arriving at one node within one second.
 */

export interface Incident {
  node: number;
  t: number;
  /** Overload crash (a cascade). */
  cascade: boolean;
  regions: number[];
  players: number;
  /** Seconds from the crash to the first suspicion of the node; NaN: never suspected. */
  detection: number;
  /** Seconds from the crash until its regions' players all had service; NaN: not within the run. */
  recovery: number;
  /** Most players on one node over capacity from the crash until balanced. */
  peakOver: number;
  /** Seconds from the crash until no node was above capacity (and it had recovered); NaN: not within the run. */
  balanced: number;
}

export class Incidents {
  readonly list: Incident[] = [];
  private readonly open: Incident[] = [];
  failoverMoves = 0;
  failbackMoves = 0;
  burstMax = 0;
  private readonly burstSec: Float64Array;
  private readonly burstCount: Float64Array;

  constructor(nodes: number) {
    this.burstSec = new Float64Array(nodes).fill(NaN);
    this.burstCount = new Float64Array(nodes);
  }

  /** The peers watching each incident's node when it crashed. */
  private readonly watchers = new Map<Incident, number[]>();

  crashed(t: number, node: number, regions: number[], players: number, cascade: boolean, watchers: number[]): void {
    const x: Incident = { node, t, cascade, regions, players, detection: NaN, recovery: NaN, peakOver: 0, balanced: NaN };
    // a watcher that crashes forgets what it watched (after its reboot it suspects anew: not a detection)
    for (const w of this.watchers.values()) {
      const k = w.indexOf(node);
      if (k >= 0) w.splice(k, 1);
    }
    this.watchers.set(x, watchers);
    this.list.push(x);
    this.open.push(x);
  }

  /** Peer `by` suspected `node` at t: the detection of its latest crash, if `by` watched it then and it is not yet detected. */
  suspected(t: number, by: number, node: number): void {
    for (let k = this.list.length - 1; k >= 0; k--) {
      const x = this.list[k];
      if (x.node !== node) continue;
      if (Number.isNaN(x.detection) && this.watchers.get(x)!.includes(by)) {
        x.detection = t - x.t;
        this.watchers.delete(x);
      }
      return;
    }
  }

  /** At t (a region's players are back): the incidents whose regions all have service have recovered. */
  recovered(t: number, without: (regions: number[]) => number): void {
    for (const x of this.open) if (Number.isNaN(x.recovery) && without(x.regions) === 0) x.recovery = t - x.t;
  }

  /**
   * At a step t: `without(regions)` players of those regions have no service, the
   * most loaded node carries `over` times its capacity. Closes what recovered
   * and balanced.
   */
  check(t: number, without: (regions: number[]) => number, over: number): void {
    for (let k = 0; k < this.open.length; k++) {
      const x = this.open[k];
      if (Number.isNaN(x.recovery) && without(x.regions) === 0) x.recovery = t - x.t;
      if (over > x.peakOver) x.peakOver = over;
      if (!Number.isNaN(x.recovery) && over <= 1) {
        x.balanced = t - x.t;
        this.open.splice(k--, 1);
      }
    }
  }

  /** `players` players arrive at node n at time t (a reconnect). */
  arrive(t: number, n: number, players: number): void {
    const sec = Math.floor(t);
    if (this.burstSec[n] !== sec) {
      this.burstSec[n] = sec;
      this.burstCount[n] = 0;
    }
    this.burstCount[n] += players;
    if (this.burstCount[n] > this.burstMax) this.burstMax = this.burstCount[n];
  }
}
