/**
 * Nodes: each node's life cycle (crashed, running its heartbeat daemon,
 * paused, the fail-back phase), its timers and its heartbeat clock. A node's
 * work that falls due while it is paused waits until it resumes; work of an
 * earlier life (before a crash) is dropped.
 *
 * Every change of crashed / running / paused goes through a mutator here,
 * which first tells the listener (`beforeChange`), so the parts whose state
 * depends on it (heartbeat copies in flight, the detector accounting) settle
 * their books first. No caller has to remember to.
 */
import type { Sim, EventHandle } from '../../kernel/sim.ts';
import { TICK_PRIORITY } from './order.ts';

export type NodePhase = 'up' | 'crashed' | 'booting' | 'config' | 'check-ip' | 'fail-back' | 'external-ip' | 'starting';

export interface NodeListener {
  /** Node n's crashed / running / paused state is about to change. */
  beforeChange(n: number): void;
}

export class Nodes {
  readonly names: string[];
  readonly crashed: Uint8Array;
  /** Heartbeat daemon and network up (after boot). */
  readonly running: Uint8Array;
  /** Paused (a hang): alive, but does nothing until it resumes. */
  readonly hung: Uint8Array;
  /** Observer starvation: the node's looks and its reading of heartbeats wait until this time. */
  readonly starvedUntil: Float64Array;
  readonly phase: NodePhase[];
  private readonly hangEnd: Float64Array;
  /** Bumped by every crash: work scheduled in an earlier life is dropped. */
  private readonly epoch: Int32Array;
  private readonly waiting: Array<Array<() => void>>;
  private readonly clock: Float64Array;
  /** Each node's tick grid: tick n at anchor + n h. */
  private readonly anchor: Float64Array;
  private readonly pausedAt: Float64Array;
  private readonly onTick: (i: number) => void;

  constructor(
    private readonly sim: Sim,
    readonly N: number,
    private readonly interval: number,
    private readonly tick: (i: number) => void,
    private readonly listener: NodeListener,
  ) {
    this.names = Array.from({ length: N }, (_, i) => (N <= 26 ? String.fromCharCode(65 + i) : `n${i}`));
    this.crashed = new Uint8Array(N);
    this.running = new Uint8Array(N).fill(1);
    this.hung = new Uint8Array(N);
    this.starvedUntil = new Float64Array(N);
    this.phase = new Array(N).fill('up');
    this.hangEnd = new Float64Array(N);
    this.epoch = new Int32Array(N);
    this.waiting = Array.from({ length: N }, () => []);
    this.clock = new Float64Array(N).fill(-1);
    this.anchor = new Float64Array(N);
    this.pausedAt = new Float64Array(N);
    this.onTick = (i) => {
      // the first tick after a boot is an ordinary event; the grid runs from there
      this.anchor[i] = this.sim.now;
      this.clock[i] = this.sim.repeat(this.sim.now, this.interval, tick, i, TICK_PRIORITY + i, 1);
      tick(i);
    };
  }

  /** Running its daemon and not paused: it sends, receives and acts. */
  live(n: number): boolean {
    return this.running[n] === 1 && this.hung[n] === 0;
  }

  state(n: number): string {
    if (this.crashed[n]) return 'crashed';
    if (this.hung[n]) return 'paused';
    return this.phase[n];
  }

  /** Start node n's heartbeat clock: ticks at first + m h (a tick comes first in its instant). */
  startClock(n: number, first: number): void {
    this.anchor[n] = first;
    this.clock[n] = this.sim.repeat(first, this.interval, this.tick, n, TICK_PRIORITY + n);
  }

  /** The time of node n's tick m on its present grid. */
  tickTime(n: number, m: number): number {
    return this.anchor[n] + m * this.interval;
  }

  /** The index of the tick running now (call from the tick). */
  tickNow(n: number): number {
    return Math.round((this.sim.now - this.anchor[n]) / this.interval);
  }

  /** Restart node n's clock at tick m of its grid. */
  resumeClock(n: number, m: number): void {
    this.clock[n] = this.sim.repeat(this.anchor[n], this.interval, this.tick, n, TICK_PRIORITY + n, m);
  }

  /** Stop node n's heartbeat clock while its heartbeats are computed without ticks (startClock resumes it). */
  stopClock(n: number): void {
    if (this.clock[n] !== -1) this.sim.cancel(this.clock[n]);
    this.clock[n] = -1;
  }

  /** Start the clock with a tick now, as an ordinary event (after a boot). */
  startClockNow(n: number): void {
    this.clock[n] = this.sim.schedule(0, this.onTick, n);
  }

  /** Run f on node n after d seconds, unless it crashed meanwhile; while it is paused, f waits for the resume. */
  after(n: number, d: number, f: () => void): EventHandle {
    const ep = this.epoch[n];
    return this.sim.schedule(d, () => {
      if (this.epoch[n] !== ep) return;
      if (this.hung[n]) this.waiting[n].push(f);
      else f();
    });
  }

  /** Run f when paused node n resumes (with the other work that waits for it). */
  whenResumed(n: number, f: () => void): void {
    this.waiting[n].push(f);
  }

  /** Epoch of node n: compare later to know whether it crashed meanwhile. */
  life(n: number): number {
    return this.epoch[n];
  }

  // ---- mutators ----

  crash(n: number): void {
    this.listener.beforeChange(n);
    this.crashed[n] = 1;
    this.running[n] = 0;
    this.hung[n] = 0;
    this.phase[n] = 'crashed';
    this.epoch[n]++;
    this.waiting[n].length = 0;
    if (this.clock[n] !== -1) this.sim.cancel(this.clock[n]);
    this.clock[n] = -1;
  }

  repair(n: number): void {
    this.listener.beforeChange(n);
    this.crashed[n] = 0;
    this.phase[n] = 'booting';
  }

  /** Boot done: the daemon runs again. */
  boot(n: number): void {
    this.listener.beforeChange(n);
    this.running[n] = 1;
    this.phase[n] = 'config';
  }

  /** Pause until now + d (a pause that starts during another extends it). Returns true when the node was not paused before. */
  pause(n: number, d: number, onEnd: () => void): boolean {
    const end = this.sim.now + d;
    const fresh = !this.hung[n];
    if (!fresh) {
      if (end <= this.hangEnd[n]) return false;
      this.hangEnd[n] = end;
    } else {
      this.listener.beforeChange(n);
      this.hung[n] = 1;
      this.hangEnd[n] = end;
      this.pausedAt[n] = this.sim.now;
    }
    const ep = this.epoch[n];
    this.sim.at(end, () => {
      if (this.epoch[n] === ep && this.hung[n] && this.sim.now >= this.hangEnd[n]) onEnd();
    });
    return fresh;
  }

  /** The pause ends; returns the work that fell due meanwhile (run it after the resume's own steps). */
  resume(n: number): Array<() => void> {
    this.listener.beforeChange(n);
    this.hung[n] = 0;
    return this.waiting[n].splice(0);
  }

  /**
   * pauseClock 'late': if a tick of n's grid fell inside the pause that just
   * ended, n sends one heartbeat now and its grid restarts from now.
   */
  lateTick(n: number): void {
    if (this.clock[n] === -1) return;
    const h = this.interval, a = this.anchor[n];
    const first = Math.ceil((this.pausedAt[n] - a) / h);
    if (!(a + first * h < this.sim.now)) return;
    this.sim.cancel(this.clock[n]);
    this.anchor[n] = this.sim.now;
    this.clock[n] = this.sim.repeat(this.sim.now, h, this.tick, n, TICK_PRIORITY + n, 1);
    this.tick(n);
  }

  /** The node is starved until now + d: its looks and its reading of heartbeats wait until then. */
  starve(n: number, d: number): void {
    const until = Math.max(this.starvedUntil[n], this.sim.now + d);
    if (until === this.starvedUntil[n]) return;
    this.listener.beforeChange(n);
    this.starvedUntil[n] = until;
  }
}
