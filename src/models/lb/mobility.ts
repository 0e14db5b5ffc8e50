/**
 * How online players move: the mobility models of the LB world in time.
 * This part owns each player's walking state (waypoint, speed, pause, the
 * hot spot it walks to, its party) and the hot spots; the world owns the
 * positions, which `step` reports through `moveTo`. Every draw comes from
 * the `mobility` stream, in the order of the online list the caller keeps.
 *
 * - static: players never move (the paper).
 * - random-waypoint: walk at a speed uniform in [speedMin, speedMax] to a
 *   uniform random point, pause uniform in [0, pauseMax], repeat.
 * - hotspot: random waypoint, and points of interest that appear (Poisson,
 *   hotspotRate per hour) at a uniform point, draw each online player with
 *   probability hotspotShare to a uniform point within hotspotRadius, and
 *   dissolve after an exponential lifetime (mean hotspotDuration); their
 *   players then walk on.
 * - group: parties of partySize in join order; the first online member leads
 *   (random waypoint), the others keep a fixed offset within partyRadius of
 *   the leader. When the leader logs off, the next member leads.
 */
import type { Stream } from '../../kernel/random.ts';
import type { WorldConfig } from './world-options.ts';

export interface HotSpot {
  x: number;
  y: number;
  start: number;
  end: number;
  /** Players drawn to it when it appeared. */
  drawn: number;
}

const WANDER = -1;

/**
 * A batch of moves in step order: player ids[i] walked to (xs[i], ys[i]).
 * Mobility hands them to the scheme a batch at a time, so that the scheme's
 * per-player work runs in the scheme's own loop (one call per batch, not per
 * player: a call site that sees every scheme class cannot inline any).
 */
export interface Moves {
  n: number;
  readonly ids: Int32Array;
  readonly xs: Float64Array;
  readonly ys: Float64Array;
}

/** Players per batch: small enough to stay in the first-level cache. */
const BATCH = 512;

export class Mobility {
  private readonly tx: Float64Array;
  private readonly ty: Float64Array;
  private readonly speed: Float64Array;
  private readonly pauseUntil: Float64Array;
  /** The hot spot a player walks to (index into `spots`), or WANDER. */
  private readonly goal: Int32Array;
  private readonly party: Int32Array;
  private readonly offX: Float64Array;
  private readonly offY: Float64Array;
  /** Online members of each party in join order; the first leads. */
  private readonly parties: number[][] = [];
  readonly spots: HotSpot[] = [];
  private nextSpot: number;
  private readonly moves: Moves = { n: 0, ids: new Int32Array(BATCH), xs: new Float64Array(BATCH), ys: new Float64Array(BATCH) };

  constructor(
    private readonly cfg: WorldConfig,
    private readonly W: number,
    private readonly H: number,
    capacity: number,
    private readonly r: Stream,
  ) {
    this.tx = new Float64Array(capacity);
    this.ty = new Float64Array(capacity);
    this.speed = new Float64Array(capacity);
    this.pauseUntil = new Float64Array(capacity);
    this.goal = new Int32Array(capacity).fill(WANDER);
    this.party = new Int32Array(capacity).fill(-1);
    this.offX = new Float64Array(capacity);
    this.offY = new Float64Array(capacity);
    this.nextSpot = cfg.mobility === 'hotspot' && cfg.hotspotRate > 0 ? r.exponential(3600 / cfg.hotspotRate) : Infinity;
  }

  /** Where player u appears when it joins at time t: `at` (its arrival point), or for a party member next to its leader. */
  spawn(u: number, t: number, at: [number, number], xs: Float64Array, ys: Float64Array): [number, number] {
    const c = this.cfg;
    if (c.mobility === 'group') {
      const p = Math.floor(u / c.partySize);
      while (this.parties.length <= p) this.parties.push([]);
      this.party[u] = p;
      const members = this.parties[p];
      members.push(u);
      if (members.length > 1) {
        const a = this.r.uniform(0, 2 * Math.PI), d = c.partyRadius * Math.sqrt(this.r.random());
        this.offX[u] = d * Math.cos(a);
        this.offY[u] = d * Math.sin(a);
        const lead = members[0];
        return [this.clampX(xs[lead] + this.offX[u]), this.clampY(ys[lead] + this.offY[u])];
      }
    }
    if (c.mobility !== 'static') this.newLeg(u, t);
    return at;
  }

  /** Player u logged off. */
  leave(u: number): void {
    const p = this.party[u];
    if (p < 0) return;
    const members = this.parties[p];
    const i = members.indexOf(u);
    members.splice(i, 1);
    // a new leader walks on from where it stands
    if (i === 0 && members.length > 0) this.pauseUntil[members[0]] = 0;
  }

  /**
   * Move the players of `online` (in that order) from t - dt to t: the new
   * positions go to `apply` in batches, in that order; positions are read
   * from xs/ys, which `apply` updates (a party's followers are placed after
   * their leaders' moves are applied). Hot spots that appear or end by t do
   * so first.
   */
  step(t: number, dt: number, online: readonly number[], xs: Float64Array, ys: Float64Array, apply: (m: Moves) => void): void {
    const m = this.moves;
    const moveTo = (u: number, x: number, y: number) => {
      m.ids[m.n] = u;
      m.xs[m.n] = x;
      m.ys[m.n] = y;
      if (++m.n === BATCH) this.flush(apply);
    };
    const c = this.cfg;
    if (c.mobility === 'static') return;
    this.updateSpots(t, dt, online);
    const group = c.mobility === 'group';
    for (let i = 0; i < online.length; i++) {
      const u = online[i];
      if (group && this.parties[this.party[u]][0] !== u) continue; // followers move after their leaders
      const x = xs[u], y = ys[u];
      if (this.pauseUntil[u] > t) continue;
      const dx = this.tx[u] - x, dy = this.ty[u] - y;
      const d = Math.sqrt(dx * dx + dy * dy), go = this.speed[u] * dt;
      if (go < d) {
        moveTo(u, x + (dx * go) / d, y + (dy * go) / d);
        continue;
      }
      moveTo(u, this.tx[u], this.ty[u]);
      if (this.goal[u] === WANDER) {
        // at the waypoint: pause, then the next leg
        this.newLeg(u, t + this.r.uniform(0, c.pauseMax));
      } else this.pauseUntil[u] = this.spots[this.goal[u]].end; // at the hot spot: stay while it lasts
    }
    this.flush(apply);
    if (!group) return;
    for (let i = 0; i < online.length; i++) {
      const u = online[i];
      const lead = this.parties[this.party[u]][0];
      if (lead === u) continue;
      const x = this.clampX(xs[lead] + this.offX[u]), y = this.clampY(ys[lead] + this.offY[u]);
      if (x !== xs[u] || y !== ys[u]) moveTo(u, x, y);
    }
    this.flush(apply);
  }

  private flush(apply: (m: Moves) => void): void {
    if (this.moves.n === 0) return;
    apply(this.moves);
    this.moves.n = 0;
  }

  private updateSpots(t: number, dt: number, online: readonly number[]): void {
    const c = this.cfg;
    while (this.nextSpot <= t) {
      const start = this.nextSpot;
      const k = this.spots.length;
      const spot: HotSpot = { x: this.r.uniform(0, this.W), y: this.r.uniform(0, this.H), start, end: start + this.r.exponential(c.hotspotDuration), drawn: 0 };
      this.spots.push(spot);
      for (let i = 0; i < online.length; i++) {
        const u = online[i];
        if (this.goal[u] !== WANDER || this.r.random() >= c.hotspotShare) continue;
        const a = this.r.uniform(0, 2 * Math.PI), d = c.hotspotRadius * Math.sqrt(this.r.random());
        this.goal[u] = k;
        this.tx[u] = this.clampX(spot.x + d * Math.cos(a));
        this.ty[u] = this.clampY(spot.y + d * Math.sin(a));
        this.speed[u] = this.r.uniform(c.speedMin, c.speedMax);
        this.pauseUntil[u] = 0;
        spot.drawn++;
      }
      this.nextSpot = start + this.r.exponential(3600 / c.hotspotRate);
    }
    // spots that ended release their players (they walk on at once)
    if (!this.spots.some((s) => s.end <= t && s.end > t - dt)) return;
    for (let i = 0; i < online.length; i++) {
      const u = online[i], g = this.goal[u];
      if (g !== WANDER && this.spots[g].end <= t) {
        this.goal[u] = WANDER;
        this.newLeg(u, t);
      }
    }
  }

  /** A new waypoint leg for u, starting at `from`. */
  private newLeg(u: number, from: number): void {
    const c = this.cfg;
    this.pauseUntil[u] = from;
    this.tx[u] = this.r.uniform(0, this.W);
    this.ty[u] = this.r.uniform(0, this.H);
    this.speed[u] = this.r.uniform(c.speedMin, c.speedMax);
  }

  private clampX(x: number): number {
    return Math.min(this.W - 1e-9, Math.max(0, x));
  }

  private clampY(y: number): number {
    return Math.min(this.H - 1e-9, Math.max(0, y));
  }
}
