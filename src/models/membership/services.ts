/**
 * The HA fail-over on membership views. Member h is the home of service h
 * (the last `spares` members are homes of none: standbys). Each live member
 * decides from its own view alone which services it runs: its home service,
 * and the service of every home its view holds dead for which the HA
 * fail-over policy (the HA model's registry: paper, spare, external, or one
 * added with registerFailoverPolicy) picks it among the `failoverCandidates`
 * members after that home on the ring that its view holds alive (suspected
 * members count as alive, as in memberlist). A member that comes to run a
 * service runs it `takeover` seconds later; one whose view no longer gives
 * it the service stops at once (the home back: fail-back).
 *
 * No member sees the truth, only its view, so while views disagree a service
 * may run on two members (split brain) or on none; a false positive moves a
 * service off a live home (a false fail-over). The part owns who runs what
 * and measures: each service's time without a live member running it (per
 * crash of its home: until a fail-over or the home's return), its time run
 * twice or more, the fail-overs of a live home, and the moves.
 *
 * A change of j in i's view can change i's decision only for the homes whose
 * window of candidates reaches j: the walk back from j over the dead in i's
 * view and `failoverCandidates` live ones; so a change costs O(candidates +
 * dead run), not O(N).
 */
import type { Sim, EventHandle } from '../../kernel/sim.ts';
import { failoverPolicy, type Candidate, type FailoverPolicy } from '../ha/failover.ts';
import { DEAD, type Views } from './views.ts';

const NONE = 0, STARTING = 1, RUNNING = 2;

export interface ServiceMeasures {
  services: number;
  /** Seconds without a live member running the service, summed over services, and per crash of a home (mean). */
  downSeconds: number;
  downPerCrash: number;
  /** Seconds a service ran on two or more members at once, summed over services. */
  splitSeconds: number;
  /** A member started a service whose home was running (a false fail-over). */
  falseFailovers: number;
  /** Services started away from home, and handed back (a member stopped one because its view had the home back). */
  failovers: number;
  failbacks: number;
}

export class ViewServices {
  readonly S: number;
  private readonly N: number;
  private readonly k: number;
  private readonly policy: FailoverPolicy;
  /** Per member i and home h (i * N + h): what i does with h's service. */
  private readonly state: Uint8Array;
  /** Per member i and member j: j is dead in i's view, as this part last saw it. */
  private readonly dead: Uint8Array;
  /** The candidates handed to the policy (reused). */
  private readonly cand: Candidate[];
  private readonly pool: Candidate[];
  private readonly one = [0];
  private readonly starts = new Map<number, EventHandle>();
  /** Per service: live members running it; since when it has had none (NaN: it has one) or two or more. */
  private readonly runners: Int32Array;
  private readonly downSince: Float64Array;
  private readonly splitSince: Float64Array;
  /** Per service: the time its home crashed while it had no downtime counted for that crash yet (NaN: none open). */
  private readonly crashAt: Float64Array;
  private downSeconds = 0;
  private splitSeconds = 0;
  private crashDown = 0;
  private crashCount = 0;
  private falseFailovers = 0;
  private failovers = 0;
  private failbacks = 0;

  constructor(
    private readonly sim: Sim,
    private readonly views: Views,
    /** Member i is up. */
    private readonly up: Uint8Array,
    spares: number,
    candidates: number,
    policy: string,
    private readonly takeover: number,
  ) {
    const N = (this.N = views.N);
    this.S = N - spares;
    this.k = candidates;
    this.policy = failoverPolicy(policy);
    this.state = new Uint8Array(N * N);
    this.dead = new Uint8Array(N * N);
    this.cand = [];
    this.pool = Array.from({ length: candidates }, () => ({ node: 0, load: 0, up: true, spare: false, held: 0 }));
    this.runners = new Int32Array(this.S);
    this.downSince = new Float64Array(this.S).fill(NaN);
    this.splitSince = new Float64Array(this.S).fill(NaN);
    this.crashAt = new Float64Array(this.S).fill(NaN);
    // every home runs its service from the start
    for (let h = 0; h < this.S; h++) this.setRunning(h, h, true);
  }

  /** i's view of j changed: when j went from alive to dead there or back, i decides again for the homes whose candidates reach j. */
  viewChanged(i: number, j: number): void {
    const N = this.N, x = i * N + j;
    const dead = this.views.status[x] === DEAD ? 1 : 0;
    if (dead === this.dead[x]) return; // alive and suspected are alike here
    this.dead[x] = dead;
    if (!this.up[i]) return;
    // j is among home h's candidates while fewer than k live members lie strictly between them
    let live = 0;
    for (let h = j; ; ) {
      if (h < this.S) this.decide(i, h);
      if (h !== j && this.aliveIn(i, h) && ++live >= this.k) return;
      h = h === 0 ? N - 1 : h - 1;
      if (h === j) return;
    }
  }

  /** Member n crashed: it runs nothing now. */
  crashed(n: number): void {
    const N = this.N;
    for (let h = 0; h < this.S; h++) if (this.state[n * N + h] !== NONE) this.stop(n, h, false);
    if (n < this.S) {
      this.crashCount++;
      // its service is down from now until a member runs it (unless one already does: a split brain)
      if (this.runners[n] === 0) this.crashAt[n] = this.sim.now;
    }
  }

  /** Member n restarted with a fresh view (everyone alive): it decides on every service again. */
  restarted(n: number): void {
    this.dead.fill(0, n * this.N, (n + 1) * this.N);
    for (let h = 0; h < this.S; h++) this.decide(n, h);
  }

  /** The members running h's service now (not those still starting it). */
  holders(h: number): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.N; i++) if (this.state[i * this.N + h] === RUNNING) out.push(i);
    return out;
  }

  measures(): ServiceMeasures {
    const now = this.sim.now;
    let down = this.downSeconds, split = this.splitSeconds;
    for (let h = 0; h < this.S; h++) {
      if (!Number.isNaN(this.downSince[h])) down += now - this.downSince[h];
      if (!Number.isNaN(this.splitSince[h])) split += now - this.splitSince[h];
    }
    // crashes still without service at the end count up to the end
    let crashDown = this.crashDown;
    for (let h = 0; h < this.S; h++) if (!Number.isNaN(this.crashAt[h]) && this.runners[h] === 0) crashDown += now - this.crashAt[h];
    return {
      services: this.S,
      downSeconds: down,
      downPerCrash: this.crashCount ? crashDown / this.crashCount : NaN,
      splitSeconds: split,
      falseFailovers: this.falseFailovers,
      failovers: this.failovers,
      failbacks: this.failbacks,
    };
  }

  private aliveIn(i: number, j: number): boolean {
    return i === j || this.views.status[i * this.N + j] !== DEAD;
  }

  /** Who runs h's service in i's view: h when alive, else the policy's pick of the first k live members after h (-1: none). */
  private holderIn(i: number, h: number): number {
    if (this.aliveIn(i, h)) return h;
    const N = this.N, c = this.cand, pool = this.pool;
    c.length = 0;
    for (let step = 1, x = (h + 1) % N; step < N && c.length < this.k; step++, x = (x + 1) % N) {
      if (!this.aliveIn(i, x)) continue;
      const spare = x >= this.S, o = pool[c.length];
      o.node = x;
      o.load = o.held = spare ? 0 : 1;
      o.spare = spare;
      c.push(o);
    }
    if (c.length === 0) return -1;
    // in id order: past the end of the ring the window wraps to the low ids
    if (c[c.length - 1].node < c[0].node) c.sort((a, b) => a.node - b.node);
    this.one[0] = h;
    return this.policy(this.one, c);
  }

  private decide(i: number, h: number): void {
    const mine = this.holderIn(i, h) === i;
    const s = this.state[i * this.N + h];
    if (mine && s === NONE) this.start(i, h);
    else if (!mine && s !== NONE) this.stop(i, h, true);
  }

  private start(i: number, h: number): void {
    const x = i * this.N + h;
    if (i === h) {
      // a home runs its own service at once (it never stopped being able to)
      this.setRunning(i, h, true);
      return;
    }
    this.state[x] = STARTING;
    this.starts.set(
      x,
      this.sim.schedule(this.takeover, () => {
        this.starts.delete(x);
        this.failovers++;
        if (this.up[h]) this.falseFailovers++;
        this.setRunning(i, h, true);
      }),
    );
  }

  private stop(i: number, h: number, handBack: boolean): void {
    const x = i * this.N + h;
    if (this.state[x] === STARTING) {
      this.sim.cancel(this.starts.get(x)!);
      this.starts.delete(x);
      this.state[x] = NONE;
      return;
    }
    if (handBack && i !== h) this.failbacks++;
    this.setRunning(i, h, false);
  }

  private setRunning(i: number, h: number, on: boolean): void {
    const now = this.sim.now;
    const before = this.runners[h];
    const after = before + (on ? 1 : -1);
    this.state[i * this.N + h] = on ? RUNNING : NONE;
    this.runners[h] = after;
    if (before === 0 && after === 1) {
      if (!Number.isNaN(this.downSince[h])) this.downSeconds += now - this.downSince[h];
      this.downSince[h] = NaN;
      if (!Number.isNaN(this.crashAt[h])) this.closeCrash(h);
    } else if (before === 1 && after === 0) this.downSince[h] = now;
    if (before === 1 && after === 2) this.splitSince[h] = now;
    else if (before === 2 && after === 1) {
      this.splitSeconds += now - this.splitSince[h];
      this.splitSince[h] = NaN;
    }
  }

  /** h's service runs again after its home's crash: count that crash's time without it. */
  private closeCrash(h: number): void {
    this.crashDown += this.sim.now - this.crashAt[h];
    this.crashAt[h] = NaN;
  }
}
