/**
 * The monitor: each node's view (which peers it counts as members) and its
 * watch of every peer in view: when it last heard the peer, and the timer of
 * its next look. What a look concludes is the detector's business
 * (detector.ts): it acts when its deadline comes. The monitor keeps a look
 * at or before the deadline: an arrival that moves the deadline earlier
 * moves the look; a look before the deadline only plans the next, which has
 * no effect, so when the looks fall does not change a run. The heartbeat
 * delivery may plan a look further ahead where it knows the arrivals
 * (`plan`). The monitor says when a node declares a peer failed or hears
 * one it had out of view.
 *
 * A look waits while its node is paused (the watch restarts, or is looked at
 * at once, when it resumes: option resumeDetector) and runs late while its
 * node is starved (observer starvation: the overdue looks run when it ends,
 * before the heartbeats that arrived meanwhile are read). Every change of a view first tells
 * the heartbeat delivery (whether a copy is a rejoin depends on it) and the
 * listener (the controller's polls drawn ahead depend on it).
 */
import type { Sim } from '../../kernel/sim.ts';
import type { Nodes } from './nodes.ts';
import type { FailureDetector, DetectorPort } from './detector.ts';
import type { HeartbeatDelivery } from './delivery.ts';
import { LOOK_PRIORITY } from './order.ts';

export interface MonitorListener {
  /** i's detector declared j failed (j is out of i's view now). */
  declared(i: number, j: number): void;
  /** i heard j, which it had out of view: j is in view again. */
  rejoined(i: number, j: number): void;
  /** A view is about to change (what depends on the views settles first). */
  beforeViewChange(): void;
}

export class Monitor {
  /** view[i * N + j]: node i counts j as a member. */
  readonly view: Uint8Array;
  /** Arrival of the last heartbeat from j counted at i, or when i started watching j. */
  private readonly last: Float64Array;
  private readonly timer: Float64Array;
  /** When the look timer[k] falls. */
  private readonly timerAt: Float64Array;
  private readonly onLook: (k: number) => void;
  delivery!: HeartbeatDelivery;

  constructor(
    private readonly sim: Sim,
    private readonly nodes: Nodes,
    readonly detector: FailureDetector,
    private readonly port: DetectorPort,
    private readonly listener: MonitorListener,
  ) {
    const N = nodes.N;
    this.view = new Uint8Array(N * N).fill(1);
    this.last = new Float64Array(N * N);
    this.timer = new Float64Array(N * N).fill(-1);
    this.timerAt = new Float64Array(N * N);
    this.onLook = (k) => this.look(k);
  }

  /** i starts watching j now, as if it had just heard it. */
  watch(i: number, j: number): void {
    const k = i * this.nodes.N + j;
    const now = this.sim.now;
    this.last[k] = now;
    this.detector.reset(k, now);
    this.cancel(k);
    this.planLook(k, this.detector.deadline(k, now));
  }

  /** Look at i's watch of j now (after a resume with resumeDetector 'keep'). */
  lookNow(i: number, j: number): void {
    const k = i * this.nodes.N + j;
    this.cancel(k);
    this.lookAt(k, this.sim.now);
  }

  /**
   * Plan pair k's look again from what is known now (the arrivals the
   * delivery knew ahead are no longer known, or now are).
   */
  relook(k: number): void {
    if (this.timer[k] === -1) return;
    this.cancel(k);
    this.planLook(k, this.detector.deadline(k, this.last[k]));
  }

  private cancel(k: number): void {
    if (this.timer[k] !== -1) this.sim.cancel(this.timer[k]);
    this.timer[k] = -1;
  }

  /** The next look of pair k, whose deadline is d: at d, or where the delivery knows the first look that can act falls. */
  private planLook(k: number, d: number): void {
    this.lookAt(k, this.delivery.plan(k, d));
  }

  private lookAt(k: number, t: number): void {
    const at = Math.max(t, this.sim.now);
    this.timerAt[k] = at;
    this.timer[k] = this.sim.at(at, this.onLook, k, LOOK_PRIORITY + k);
  }

  /** A heartbeat from j counted at i (k = i * N + j) at time t; j is in i's view. An earlier deadline moves the look. */
  heard(k: number, t: number, seq: number): void {
    this.last[k] = t;
    this.detector.heard(k, t, seq);
    if (this.timer[k] === -1) return;
    const d = this.detector.deadline(k, t);
    if (d < this.timerAt[k]) {
      this.cancel(k);
      this.lookAt(k, d);
    }
  }

  /** The delivery fed j's heartbeats to i's detector itself (ahead of time): the last of them that has arrived now is at t. */
  setLastHeard(k: number, t: number): void {
    this.last[k] = t;
  }

  /** When i last heard j at k's last settle (no settle). */
  lastKnown(k: number): number {
    return this.last[k];
  }

  /** When i last heard j (the last counted heartbeat, or when i started watching j). */
  lastHeard(i: number, j: number): number {
    const k = i * this.nodes.N + j;
    this.delivery.settle(k);
    return this.last[k];
  }

  inView(i: number, j: number): boolean {
    return this.view[i * this.nodes.N + j] === 1;
  }

  /** The lowest id in i's view (i itself when its view holds nobody): the controller as i sees it. */
  lowest(i: number): number {
    const N = this.nodes.N;
    for (let j = 0; j < N; j++) if (this.view[i * N + j]) return j;
    return i;
  }

  private look(k: number): void {
    this.timer[k] = -1;
    this.delivery.settle(k);
    const N = this.nodes.N;
    const i = (k / N) | 0, j = k - i * N;
    if (!this.nodes.running[i] || !this.view[k] || this.nodes.hung[i]) return;
    const now = this.sim.now;
    const starved = this.nodes.starvedUntil[i];
    if (starved > now) {
      this.lookAt(k, starved);
      return;
    }
    const last = this.last[k];
    const d = this.detector.deadline(k, last);
    if (now < d) {
      this.planLook(k, d);
      return;
    }
    const next = this.detector.expire(k, now, last, this.port);
    if (next >= 0) {
      this.planLook(k, next);
      return;
    }
    this.remove(i, j);
    this.listener.declared(i, j);
  }

  // ---- view mutators ----

  private beforeViewChange(): void {
    this.delivery.flush();
    this.listener.beforeViewChange();
  }

  /** i takes j out of its view (a declaration or a fault report). */
  remove(i: number, j: number): void {
    this.beforeViewChange();
    const k = i * this.nodes.N + j;
    this.cancel(k);
    this.view[k] = 0;
  }

  /** i heard j, which it has out of view: j is back. */
  outsider(i: number, j: number): void {
    if (!this.nodes.live(i) || this.view[i * this.nodes.N + j]) return;
    this.beforeViewChange();
    this.view[i * this.nodes.N + j] = 1;
    this.watch(i, j);
    this.listener.rejoined(i, j);
  }

  /** Node n crashed: its view and watches are gone. */
  clear(n: number): void {
    this.beforeViewChange();
    const N = this.nodes.N;
    for (let j = 0; j < N; j++) {
      this.cancel(n * N + j);
      this.view[n * N + j] = 0;
    }
  }

  /** Node n booted: it counts everyone as a member and watches every peer. */
  admitAll(n: number): void {
    this.beforeViewChange();
    const N = this.nodes.N;
    for (let j = 0; j < N; j++) {
      this.view[n * N + j] = 1;
      if (j !== n) this.watch(n, j);
    }
  }
}
