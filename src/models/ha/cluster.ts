/**
 * The heartbeat HA cluster of the HA paper: N nodes, services with a home
 * node and connected users, a shared database that does not fail, two
 * channels in each direction between every two nodes, a failure detector,
 * the fail-over of figure 6 and the fail-back of figure 7.
 *
 * This file wires the parts, each the owner of its state (see docs/ha.md):
 * nodes (life cycle, timers, heartbeat clock), links (channels), heartbeat
 * delivery, monitor (views and watches) with its detector, services,
 * controller (fail-over, reconcile), fail-back, transport (protocol
 * messages), faults, metrics and trace. It carries out the node life cycle
 * (crash, repair, boot, pause, resume), which touches several parts, and
 * offers the fault verbs and the queries.
 */
import type { Sim } from '../../kernel/sim.ts';
import type { Streams } from '../../kernel/random.ts';
import { validate, type HaConfig } from './options.ts';
import { Nodes } from './nodes.ts';
import { Links, type ChannelSel } from './links.ts';
import { KernelDelivery, type HeartbeatDelivery } from './delivery.ts';
import { DeferredDelivery } from './delivery-deferred.ts';
import { LazyDelivery } from './delivery-lazy.ts';
import { Signals } from './signals.ts';
import { Monitor } from './monitor.ts';
import { makeDetector, type FailureDetector } from './detector.ts';
import { Services, RUNNING, NONE } from './services.ts';
import { Transport, type Message } from './messages.ts';
import { Controller } from './controller.ts';
import { Failback } from './failback.ts';
import { Metrics, type HaResult } from './metrics.ts';
import { Trace, type MessageRecord, type TimelineRecord } from './trace.ts';
import { RandomFaults, applyFault, type Fault, type FaultTarget } from './faults.ts';

export class HaCluster implements FaultTarget {
  readonly N: number;
  readonly S: number;
  /** @internal a part of the cluster (see docs/ha.md); use the verbs and queries below */
  readonly nodes: Nodes;
  /** @internal a part of the cluster (see docs/ha.md); use the verbs and queries below */
  readonly links: Links;
  /** @internal a part of the cluster (see docs/ha.md); use the verbs and queries below */
  readonly monitor: Monitor;
  /** @internal a part of the cluster (see docs/ha.md); use the verbs and queries below */
  readonly detector: FailureDetector;
  /** @internal a part of the cluster (see docs/ha.md); use the verbs and queries below */
  readonly services: Services;
  /** @internal a part of the cluster (see docs/ha.md); use the verbs and queries below */
  readonly metrics: Metrics;
  /** @internal a part of the cluster (see docs/ha.md); use the verbs and queries below */
  readonly trace: Trace;
  /** What the parts tell (counts, suspicions, take-overs...): listen with `signals.on(name, f)`. */
  readonly signals = new Signals();
  private readonly delivery: HeartbeatDelivery;
  private readonly controller: Controller;
  private readonly failback: Failback;

  constructor(readonly sim: Sim, streams: Streams, readonly cfg: HaConfig, detector?: FailureDetector) {
    validate(cfg);
    const N = (this.N = cfg.nodes);
    this.S = cfg.services;
    this.nodes = new Nodes(sim, N, cfg.interval, (i) => this.delivery.tick(i), {
      beforeChange: (n) => {
        this.delivery.flush();
        this.controller.settle();
        this.metrics.beforeNodeChange(n);
      },
    });
    this.metrics = new Metrics(sim, this.nodes);
    this.metrics.listen(this.signals);
    this.trace = new Trace(sim, cfg, this.nodes.names, this.metrics.notes);
    this.trace.listen(this.signals);
    this.links = new Links(N, cfg, streams, {
      beforeChange: () => {
        this.delivery.flush();
        this.controller.settle();
      },
    });
    this.detector = detector ?? makeDetector(cfg, N);
    this.monitor = new Monitor(sim, this.nodes, this.detector, { probe: (i, j) => this.delivery.probe(i, j) }, {
      declared: (i, j) => {
        this.signals.emit('suspected', i, j);
        this.controller.declared(i, j);
      },
      rejoined: (i, j) => {
        this.signals.emit('trusted', i, j);
        this.controller.rejoined(i, j);
      },
      beforeViewChange: () => this.controller.settle(),
    });
    // the heartbeat schedule the configuration names (options.ts, heartbeatEvents): the same results from each
    const mode = cfg.heartbeatEvents;
    const deliveryArgs = [sim, cfg, this.nodes, this.links, this.monitor, this.signals] as const;
    this.delivery = mode === 'lazy' ? new LazyDelivery(...deliveryArgs) : mode === 'deferred' ? new DeferredDelivery(...deliveryArgs) : new KernelDelivery(...deliveryArgs);
    this.monitor.delivery = this.delivery;
    this.services = new Services(sim, cfg, this.nodes, this.signals, () => this.controller.settle());
    const transport = new Transport(sim, cfg, this.nodes, this.links, this.signals, (me, from, m) => this.handle(me, from, m));
    const parts = { sim, cfg, nodes: this.nodes, monitor: this.monitor, services: this.services, transport, signals: this.signals };
    this.failback = new Failback(parts, (n) => this.controller.backUp(n));
    // quiet reconcile polls are drawn ahead with lazy heartbeats (polls.ts)
    this.controller = new Controller(parts, (n) => this.failback.active(n), mode === 'lazy');

    // every node up and watching every peer; each heartbeat clock starts at a random phase in [0, h)
    const phases = streams.get('phase');
    for (let i = 0; i < N; i++) {
      for (let j = 0; j < N; j++) if (j !== i) this.monitor.watch(i, j);
      this.nodes.startClock(i, phases.uniform(0, cfg.interval));
      this.markNode(i);
    }
    for (let s = 0; s < this.S; s++) this.signals.emit('state', 'service', `s${s}`, this.services.ownerString(s));
    this.controller.schedulePeriodic(this.monitor.lowest(0));
    new RandomFaults(sim, cfg, streams, this, (n) => this.nodes.crashed[n] === 1, (n) => this.nodes.crashed[n] === 1 || !this.nodes.running[n], (n) => this.nodes.life(n)).start(N);
  }

  private handle(me: number, from: number, m: Message): void {
    switch (m.type) {
      case 'CHECK_IP':
      case 'CHECK_IP_ANSWER':
      case 'FAIL_BACK':
      case 'FAIL_BACK_OK':
        return this.failback.handle(me, from, m);
      default:
        return this.controller.handle(me, from, m);
    }
  }

  private markNode(n: number): void {
    this.signals.emit('state', 'node', this.nodes.names[n], this.nodes.state(n));
  }

  // =====================================================================
  // scripting and fault verbs
  // =====================================================================

  /** Run `verb` at absolute time t (a scenario line). */
  script(t: number, verb: (c: HaCluster) => void): void {
    this.sim.at(t, () => verb(this));
  }

  /** Carry out `fault` at absolute time t. */
  at(t: number, fault: Fault): void {
    this.sim.at(t, () => applyFault(this, fault));
  }

  /** Fail-stop crash: the node loses its services and all volatile state. */
  crash(n: number): void {
    this.checkNode(n);
    const nodes = this.nodes;
    if (nodes.crashed[n]) return;
    const N = this.N;
    // a node that was sending heartbeats can be watched for this crash by every running peer that has it in view
    const watchers: number[] = [];
    if (nodes.live(n)) for (let i = 0; i < N; i++) if (i !== n && nodes.running[i] && this.monitor.inView(i, n)) watchers.push(i);
    this.signals.emit('nodeCrashed', n);
    nodes.crash(n);
    this.monitor.clear(n);
    const held: number[] = [];
    for (let s = 0; s < this.S; s++) if (this.services.state(n, s) === RUNNING) held.push(s);
    this.metrics.crashed(n, held, watchers);
    this.controller.crashed(n);
    this.failback.crashed(n);
    for (let s = 0; s < this.S; s++) this.services.set(n, s, NONE);
    this.markNode(n);
  }

  /** Repair a crashed node: it boots (bootTime), reads its configuration and fails back (figure 7). */
  repair(n: number): void {
    this.checkNode(n);
    if (!this.nodes.crashed[n]) return;
    this.nodes.repair(n);
    this.metrics.repaired(n);
    this.markNode(n);
    this.nodes.after(n, this.cfg.bootTime, () => this.boot(n));
  }

  private boot(n: number): void {
    this.nodes.boot(n);
    // its detector starts trusting everyone (its suspicions ended with the crash)
    this.monitor.admitAll(n);
    this.nodes.startClockNow(n);
    this.failback.booted(n);
  }

  /** The node stops for d seconds (a pause: GC, swapping, a VM migration), then resumes where it was. */
  pause(n: number, d: number): void {
    this.checkNode(n);
    if (this.nodes.crashed[n] || !(d > 0)) return;
    if (!this.nodes.pause(n, d, () => this.resume(n))) return;
    this.metrics.paused(n);
    this.services.updateHeldBy(n);
    this.markNode(n);
  }

  /** Old name of `pause`. */
  hang(n: number, d: number): void {
    this.pause(n, d);
  }

  private resume(n: number): void {
    const work = this.nodes.resume(n);
    if (this.cfg.pauseClock === 'late') this.nodes.lateTick(n);
    const N = this.N;
    for (let j = 0; j < N; j++) {
      if (j === n || !this.monitor.inView(n, j)) continue;
      // 'fresh': its receive buffers held the peers' heartbeats, so it restarts every watch as if just heard
      if (this.cfg.resumeDetector === 'fresh') this.monitor.watch(n, j);
      else this.monitor.lookNow(n, j);
    }
    this.services.updateHeldBy(n);
    this.markNode(n);
    for (const f of work) f();
  }

  /** The node's failure-detector checks run late for d seconds (a starved observer); it still sends and receives. */
  starve(n: number, d: number): void {
    this.checkNode(n);
    if (d > 0) this.nodes.starve(n, d);
  }

  /** Take a channel (or both) between a and b down, both directions (oneWay: a to b only). */
  cut(a: number, b: number, ch: ChannelSel = 'both', oneWay = false): void {
    this.links.setUp(this.links.between(a, b, ch, oneWay), false);
    this.signals.emit('linksChanged');
  }

  heal(a: number, b: number, ch: ChannelSel = 'both', oneWay = false): void {
    this.links.setUp(this.links.between(a, b, ch, oneWay), true);
    this.signals.emit('linksChanged');
  }

  /** Cut every channel between the two groups (the second: everyone else). */
  partition(group: number[], other?: number[]): void {
    const both = other?.find((n) => group.includes(n));
    if (both !== undefined) throw new Error(`node ${both} is on both sides of the partition`);
    const rest = other ?? this.nodes.names.map((_, i) => i).filter((i) => !group.includes(i));
    for (const a of group) for (const b of rest) if (a !== b) this.cut(a, b, 'both');
  }

  /** Every channel up, every spike over. */
  healAll(): void {
    this.links.healAll();
    this.signals.emit('linksChanged');
  }

  /** Every channel from n to every other node is down: n is cut off. */
  isolated(n: number): boolean {
    for (let j = 0; j < this.N; j++) if (j !== n && (this.links.isUp(n, j, 0) || this.links.isUp(n, j, 1))) return false;
    return true;
  }

  /** Loss probability of a channel in both directions between a and b; without a and b, between every two nodes. */
  setLoss(p: number, ch: ChannelSel = 'both', a?: number, b?: number): void {
    if ((a === undefined) !== (b === undefined)) throw new Error('a loss between two nodes names both a and b (neither: every link)');
    this.links.setLoss(a !== undefined && b !== undefined ? this.links.between(a, b, ch) : this.links.every(ch), p);
  }

  /**
   * Set up one link's channels (both directions unless oneWay): a loss
   * probability and/or a lasting extra latency on top of the channel's own.
   */
  configureLink(a: number, b: number, o: { channel?: ChannelSel; oneWay?: boolean; loss?: number; extraLatency?: number }): void {
    const ls = this.links.between(a, b, o.channel ?? 'both', o.oneWay ?? false);
    if (o.loss !== undefined) this.links.setLoss(ls, o.loss);
    if (o.extraLatency !== undefined) this.links.addExtra(ls, o.extraLatency);
  }

  /** Add `extra` seconds of latency on a channel between a and b, both directions, for d seconds. */
  spike(a: number, b: number, ch: ChannelSel, extra: number, d: number): void {
    const ls = this.links.between(a, b, ch);
    this.links.addExtra(ls, extra);
    this.sim.schedule(d, () => this.links.addExtra(ls, -extra));
  }

  private checkNode(n: number): void {
    if (!(Number.isInteger(n) && n >= 0 && n < this.N)) throw new Error(`no node ${n} (nodes are 0..${this.N - 1})`);
  }

  // =====================================================================
  // queries
  // =====================================================================

  get crashed(): Uint8Array { return this.nodes.crashed; }
  get hung(): Uint8Array { return this.nodes.hung; }
  get phase(): string[] { return this.nodes.phase; }
  get home(): Int32Array { return this.services.home; }
  get users(): Float64Array { return this.services.users; }
  get names(): string[] { return this.nodes.names; }
  get messages(): MessageRecord[] { return this.trace.messages; }
  get timeline(): TimelineRecord[] { return this.trace.timeline; }

  nodeState(n: number): string {
    return this.nodes.state(n);
  }

  /** When node i last heard node j (the last heartbeat copy that counted, or when i started watching j). */
  lastHeard(i: number, j: number): number {
    return this.monitor.lastHeard(i, j);
  }

  inView(i: number, j: number): boolean {
    return this.monitor.inView(i, j);
  }

  runningOn(s: number): number[] {
    return this.services.runningOn(s);
  }

  serviceUp(s: number): boolean {
    return this.services.isUp(s);
  }

  connectedUsers(s: number): number {
    return this.services.connectedUsers(s);
  }

  /** Service s has u users from now on (the one world sets each region's players). */
  setUsers(s: number, u: number): void {
    this.services.setUsers(s, u);
  }

  /** Services run by node n now (not crashed). */
  heldBy(n: number): number[] {
    const out: number[] = [];
    if (this.nodes.crashed[n]) return out;
    for (let s = 0; s < this.S; s++) if (this.services.state(n, s) === RUNNING) out.push(s);
    return out;
  }

  ownerString(s: number): string {
    return this.services.ownerString(s);
  }

  /** Close the books at the current time (call once after sim.run). */
  finish(): HaResult {
    this.delivery.settleAll();
    this.controller.settle();
    return this.metrics.result(this.services.totals());
  }
}

export type { HaResult, Incident, Detection } from './metrics.ts';
export type { MessageRecord, TimelineRecord } from './trace.ts';
export { CHANNELS, type ChannelName, type ChannelSel } from './links.ts';
export type { NodePhase } from './nodes.ts';
export type { Fault } from './faults.ts';
