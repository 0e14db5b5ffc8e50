/**
 * Players from a trace (mobility 'trace'): each session of the trace
 * (src/traces/players.ts) is one player of the world, joining at its first
 * sighting and leaving at its last; at every step it stands where the trace
 * puts it: between two sightings on the straight line between them
 * ('interpolate'), or at the last one ('jump'). Times are scaled by
 * traceTimeScale from the trace's first sighting; positions by
 * traceMapScale from the trace's lower-left corner, or (0) stretched so
 * the trace's bounding box fills the map. Zones are the cells of a grid over
 * the map, in the order they first appear; a player stands at a spot of its
 * own in each cell (drawn once per session from the `mobility` stream).
 */
import type { Stream } from '../../kernel/random.ts';
import type { WorldConfig } from './world-options.ts';
import type { HotSpot, Moves } from './mobility.ts';
import type { PlayerTrace } from '../../traces/players.ts';

const BATCH = 512;

export class TraceMobility {
  readonly spots: HotSpot[] = [];
  /** Each session's join and leave time in the run (s). */
  readonly joins: Float64Array;
  readonly leaves: Float64Array;
  private readonly at: Int32Array;
  private readonly ox: Float64Array;
  private readonly oy: Float64Array;
  private readonly t0: number;
  private readonly cols: number;
  private readonly rows: number;
  private readonly moves: Moves = { n: 0, ids: new Int32Array(BATCH), xs: new Float64Array(BATCH), ys: new Float64Array(BATCH) };

  constructor(
    private readonly cfg: WorldConfig,
    private readonly W: number,
    private readonly H: number,
    private readonly trace: PlayerTrace,
    r: Stream,
  ) {
    const S = trace.sessions, n = S.length;
    this.t0 = n ? Math.min(...S.map((s) => s.join)) : 0;
    this.joins = Float64Array.from(S, (s) => this.time(s.join));
    this.leaves = Float64Array.from(S, (s) => this.time(s.leave));
    this.at = new Int32Array(n);
    this.ox = new Float64Array(n);
    this.oy = new Float64Array(n);
    const Z = trace.zones.length;
    this.cols = Z ? Math.max(1, Math.ceil(Math.sqrt((Z * W) / H))) : 1;
    this.rows = Z ? Math.ceil(Z / this.cols) : 1;
    if (Z) for (let u = 0; u < n; u++) (this.ox[u] = r.uniform(0.1, 0.9)), (this.oy[u] = r.uniform(0.1, 0.9));
  }

  private time(t: number): number {
    return (t - this.t0) * this.cfg.traceTimeScale;
  }

  /** Session u's position for its sighting k. */
  private place(u: number, k: number): [number, number] {
    const s = this.trace.sessions[u];
    if (this.trace.zones.length) {
      const z = s.xs[k], cx = z % this.cols, cy = Math.floor(z / this.cols);
      return [((cx + this.ox[u]) * this.W) / this.cols, ((cy + this.oy[u]) * this.H) / this.rows];
    }
    const [x0, y0, x1, y1] = this.trace.box, m = this.cfg.traceMapScale;
    const x = m > 0 ? (s.xs[k] - x0) * m : x1 > x0 ? ((s.xs[k] - x0) / (x1 - x0)) * this.W : this.W / 2;
    const y = m > 0 ? (s.ys[k] - y0) * m : y1 > y0 ? ((s.ys[k] - y0) / (y1 - y0)) * this.H : this.H / 2;
    return [Math.min(this.W - 1e-9, Math.max(0, x)), Math.min(this.H - 1e-9, Math.max(0, y))];
  }

  /** Where session u is at time t (run seconds). */
  private position(u: number, t: number): [number, number] {
    const s = this.trace.sessions[u];
    let k = this.at[u];
    while (k + 1 < s.t.length && this.time(s.t[k + 1]) <= t) k++;
    this.at[u] = k;
    const a = this.place(u, k);
    if (this.cfg.traceMove === 'jump' || k + 1 >= s.t.length || this.trace.zones.length) return a;
    const b = this.place(u, k + 1), ta = this.time(s.t[k]), tb = this.time(s.t[k + 1]);
    const f = tb > ta ? Math.min(1, Math.max(0, (t - ta) / (tb - ta))) : 0;
    return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f];
  }

  spawn(u: number, t: number, _at: [number, number], _xs: Float64Array, _ys: Float64Array): [number, number] {
    return this.position(u, t);
  }

  leave(_u: number): void {}

  step(t: number, _dt: number, online: readonly number[], xs: Float64Array, ys: Float64Array, apply: (m: Moves) => void): void {
    const m = this.moves;
    for (let i = 0; i < online.length; i++) {
      const u = online[i];
      const [x, y] = this.position(u, t);
      if (x === xs[u] && y === ys[u]) continue;
      m.ids[m.n] = u;
      m.xs[m.n] = x;
      m.ys[m.n] = y;
      if (++m.n === BATCH) (apply(m), (m.n = 0));
    }
    if (m.n) (apply(m), (m.n = 0));
  }
}
