/**
 * Services (game worlds): where each runs and in which state (starting,
 * running, stopping), its home node and users, and the time accounting that
 * follows from it: up time, time run by two or more live nodes (dual
 * active), and user-seconds disconnected. Users reconnect `reconnectDelay`
 * after their service is up again.
 */
import type { Sim } from '../../kernel/sim.ts';
import type { HaConfig } from './options.ts';
import type { Nodes } from './nodes.ts';
import type { Signals } from './signals.ts';

export const NONE = 0, STARTING = 1, RUNNING = 2, STOPPING = 3;
export const SVC_STATE_NAMES = ['none', 'starting', 'running', 'stopping'];

export class Services {
  readonly S: number;
  readonly home: Int32Array;
  readonly users: Float64Array;
  /** State of service s on node n, index n * S + s. */
  private readonly st: Uint8Array;
  /** Bumped by every state change: a step scheduled for one state is dropped after another. */
  private readonly tok: Int32Array;
  private readonly up: Uint8Array;
  private readonly owners: Int32Array;
  private readonly connected: Float64Array;
  private readonly reconnectTok: Int32Array;
  private readonly lastT: Float64Array;
  private readonly upTime: Float64Array;
  private readonly dualTime: Float64Array;
  private readonly disconnected: Float64Array;

  constructor(
    private readonly sim: Sim,
    private readonly cfg: HaConfig,
    private readonly nodes: Nodes,
    private readonly signals: Signals,
    /** Told before every change of a service's state on a node (the controller's polls drawn ahead depend on them). */
    private readonly beforeChange: () => void,
  ) {
    const S = (this.S = cfg.services), N = nodes.N;
    this.home = new Int32Array(S);
    this.users = new Float64Array(S);
    this.st = new Uint8Array(N * S);
    this.tok = new Int32Array(N * S);
    this.up = new Uint8Array(S);
    this.owners = new Int32Array(S);
    this.connected = new Float64Array(S);
    this.reconnectTok = new Int32Array(S);
    this.lastT = new Float64Array(S);
    this.upTime = new Float64Array(S);
    this.dualTime = new Float64Array(S);
    this.disconnected = new Float64Array(S);
    // every service starts running on its home, users connected
    for (let s = 0; s < S; s++) {
      this.home[s] = s % cfg.activeNodes;
      this.users[s] = cfg.usersPerService;
      this.st[this.home[s] * S + s] = RUNNING;
      this.up[s] = 1;
      this.owners[s] = 1;
      this.connected[s] = this.users[s];
    }
  }

  state(n: number, s: number): number {
    return this.st[n * this.S + s];
  }

  token(n: number, s: number): number {
    return this.tok[n * this.S + s];
  }

  /** True when n runs or starts s. */
  holds(n: number, s: number): boolean {
    const st = this.st[n * this.S + s];
    return st === RUNNING || st === STARTING;
  }

  /** Some node other than `taker` still runs s (crashed nodes run nothing; a paused one still does): a take-over of s now is false. */
  runsElsewhere(s: number, taker: number): boolean {
    for (let n = 0; n < this.nodes.N; n++) if (n !== taker && this.st[n * this.S + s] === RUNNING) return true;
    return false;
  }

  set(n: number, s: number, st: number): void {
    const k = n * this.S + s;
    if (this.st[k] === st) return;
    this.beforeChange();
    this.st[k] = st;
    this.tok[k]++;
    // a holder that stops a service on purpose hands it back (a fail-back): planned
    this.update(s, st === STOPPING);
  }

  /** Service s has u users from now on (the one world's players); those connected stay connected. */
  setUsers(s: number, u: number): void {
    if (this.users[s] === u) return;
    this.account(s, this.sim.now);
    if (this.connected[s] === this.users[s]) this.connected[s] = u;
    else this.connected[s] = Math.min(this.connected[s], u);
    this.users[s] = u;
  }

  /** Recompute whether s is up and how many nodes run it (after a node change too); account the time since the last change. */
  update(s: number, planned = false): void {
    const now = this.sim.now;
    this.account(s, now);
    const N = this.nodes.N, S = this.S, nodes = this.nodes;
    let up = 0;
    for (let n = 0; n < N; n++) if (this.st[n * S + s] === RUNNING && !nodes.crashed[n] && !nodes.hung[n]) up = 1;
    this.owners[s] = this.liveOwners(s);
    if (up !== this.up[s]) {
      this.up[s] = up;
      const tok = ++this.reconnectTok[s];
      if (up) {
        this.sim.schedule(this.cfg.reconnectDelay, () => {
          if (this.reconnectTok[s] !== tok) return;
          this.account(s, this.sim.now);
          this.connected[s] = this.users[s];
          this.signals.emit('usersBack', s, (list) => list.every((x) => this.connected[x] === this.users[x]));
        });
        this.signals.emit('serviceUp', s, (list) => list.every((x) => this.up[x] === 1));
      } else {
        this.connected[s] = 0;
        this.signals.emit('serviceDown', s, planned);
      }
    }
    this.signals.emit('state', 'service', `s${s}`, this.ownerString(s));
  }

  /** Every service node n runs: their up state changes with n's (a pause). */
  updateHeldBy(n: number): void {
    for (let s = 0; s < this.S; s++) if (this.st[n * this.S + s] === RUNNING) this.update(s);
  }

  private account(s: number, now: number): void {
    const dt = now - this.lastT[s];
    if (dt > 0) {
      if (this.up[s]) this.upTime[s] += dt;
      if (this.owners[s] >= 2) this.dualTime[s] += dt;
      this.disconnected[s] += (this.users[s] - this.connected[s]) * dt;
    }
    this.lastT[s] = now;
  }

  /** Nodes that are not crashed and run s (a paused node still owns it: it resumes serving). */
  liveOwners(s: number): number {
    let o = 0;
    for (let n = 0; n < this.nodes.N; n++) if (this.st[n * this.S + s] === RUNNING && !this.nodes.crashed[n]) o++;
    return o;
  }

  runningOn(s: number): number[] {
    const out: number[] = [];
    for (let n = 0; n < this.nodes.N; n++) if (this.st[n * this.S + s] === RUNNING && !this.nodes.crashed[n]) out.push(n);
    return out;
  }

  isUp(s: number): boolean {
    return this.up[s] === 1;
  }

  connectedUsers(s: number): number {
    return this.connected[s];
  }

  /** Nodes holding s with their state, e.g. "B" or "A+B" (running), "B(starting)"; "-" when nobody. */
  ownerString(s: number): string {
    const parts: string[] = [];
    for (let n = 0; n < this.nodes.N; n++) {
      const st = this.st[n * this.S + s];
      if (st === NONE) continue;
      parts.push(st === RUNNING ? this.nodes.names[n] : `${this.nodes.names[n]}(${SVC_STATE_NAMES[st]})`);
    }
    return parts.length ? parts.join('+') : '-';
  }

  /** Close the books at now: totals over services. */
  totals(): { up: number; dual: number; disconnected: number; count: number } {
    const now = this.sim.now;
    let up = 0, dual = 0, disconnected = 0;
    for (let s = 0; s < this.S; s++) {
      this.account(s, now);
      up += this.upTime[s];
      dual += this.dualTime[s];
      disconnected += this.disconnected[s];
    }
    return { up, dual, disconnected, count: this.S };
  }
}
