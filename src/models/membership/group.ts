/**
 * A membership group: the network, the views and the protocol on one kernel,
 * the faults as verbs (crash, restart, slow, path loss, rack partition, mass
 * and rolling restarts) and the measures: for each crash the first time a
 * member suspects the crashed one (detection) and the time until every live
 * member holds it dead; false positives (a member declared dead by a
 * suspicion that ran out, at an incarnation of its present life: it never
 * crashed since); messages per member per second; and, for the SWIM
 * paper's analysis, the protocol periods from a crash until a member first
 * pings the crashed one.
 */
import { Sim } from '../../kernel/sim.ts';
import { Streams } from '../../kernel/random.ts';
import { resolveMembership, type MembershipConfig } from './options.ts';
import { Network } from './network.ts';
import { Views, DEAD, SUSPECT } from './views.ts';
import { Swim } from './swim.ts';
import { ViewServices, type ServiceMeasures } from './services.ts';

export interface Crash {
  node: number;
  t: number;
  /** Seconds to the first suspicion by a member's own probe, and until every live member held it dead (NaN: not in the run). */
  detection: number;
  allKnow: number;
  /** Protocol periods from the crash's period to the first in which a member pinged it (aligned periods). */
  firstPickPeriods: number;
}

export interface MembershipResult {
  config: MembershipConfig;
  duration: number;
  crashes: Crash[];
  falsePositives: number;
  /** False positives per member-hour (a live member declared dead). */
  falsePositivesPerNodeHour: number;
  /** Messages sent per member per second. */
  messagesPerNodeSecond: number;
  messages: number;
  lost: number;
  /** The HA fail-over on the members' views (with the option failover). */
  services?: ServiceMeasures;
}

export class MembershipGroup {
  readonly sim = new Sim();
  readonly cfg: MembershipConfig;
  /** @internal a part of the group; use the verbs and `run` */
  readonly net: Network;
  /** @internal a part of the group (tests read a member's view with `views.of(i, j)`) */
  readonly views: Views;
  /** @internal a part of the group; use the verbs and `run` */
  readonly swim: Swim;
  private readonly crashes: Crash[] = [];
  /** The open crash of each member (index into crashes), -1 none. */
  private readonly open: Int32Array;
  /** Live members (other than the crashed one) that hold each crashed member dead. */
  private readonly deadIn: Int32Array;
  private falsePositives = 0;
  /** The incarnation each member took when it last restarted (0: never). */
  private readonly lifeStart: Uint16Array;
  private live: number;
  private readonly streams: Streams;
  /** @internal the HA fail-over on the views (option failover) */
  readonly services: ViewServices | undefined;

  constructor(over: Partial<MembershipConfig>, seed: number) {
    const c = (this.cfg = resolveMembership(over));
    const N = c.nodes;
    this.streams = new Streams(seed);
    this.views = new Views(N, c.retransmitMult, c.piggyback);
    this.net = new Network(this.sim, c, this.streams.get('net'), (m) => this.swim.receive(m));
    this.open = new Int32Array(N).fill(-1);
    this.deadIn = new Int32Array(N);
    this.lifeStart = new Uint16Array(N);
    this.live = N;
    this.swim = new Swim(this.sim, c, this.net, this.views, this.streams.get('protocol'), {
      pinged: (_i, j) => {
        const x = this.open[j];
        if (x < 0) return;
        const cr = this.crashes[x];
        if (Number.isNaN(cr.firstPickPeriods)) cr.firstPickPeriods = Math.floor(this.sim.now / c.probeInterval + 1e-9) - Math.floor(cr.t / c.probeInterval + 1e-9);
      },
      changed: (i, j, status, own) => {
        const x = this.open[j];
        if (x >= 0) {
          const cr = this.crashes[x];
          if (own && status === SUSPECT && Number.isNaN(cr.detection)) cr.detection = this.sim.now - cr.t;
          if (status === DEAD && this.swim.up[i]) {
            this.deadIn[j]++;
            if (this.deadIn[j] >= this.live && Number.isNaN(cr.allKnow)) cr.allKnow = this.sim.now - cr.t;
          }
        } else if (status === DEAD && own && this.swim.up[j] && this.views.inc[i * N + j] >= this.lifeStart[j]) this.falsePositives++;
        // (a death at an incarnation of an earlier life is right: the member did crash; it has rejoined since)
        this.services?.viewChanged(i, j);
      },
    });
    this.services = c.failover ? new ViewServices(this.sim, this.views, this.swim.up, c.spares, c.failoverCandidates, c.failoverPolicy, c.takeover) : undefined;
    // every member knows every other alive at incarnation 0
    this.swim.start();
    const slow = this.streams.get('slow');
    if (c.slowShare > 0) for (let i = 0; i < N; i++) if (slow.random() < c.slowShare) this.net.slow[i] = 1;
    if (c.mtbf > 0) {
      const r = this.streams.get('crashes');
      for (let n = 0; n < N; n++) {
        const cycle = () =>
          this.sim.schedule(r.exponential(c.mtbf), () => {
            const down = r.exponential(c.mttr);
            if (this.swim.up[n]) {
              this.crash(n);
              this.sim.schedule(down, () => (this.restart(n), cycle()));
            } else cycle();
          });
        cycle();
      }
    }
  }

  // ---- verbs ----

  crash(n: number): void {
    if (!this.swim.up[n]) return;
    this.swim.crash(n);
    this.services?.crashed(n);
    this.live--;
    // the crashed member is held dead by nobody yet
    let held = 0;
    for (let i = 0; i < this.cfg.nodes; i++) if (i !== n && this.swim.up[i] && this.views.of(i, n) === DEAD) held++;
    this.deadIn[n] = held;
    this.open[n] = this.crashes.length;
    this.crashes.push({ node: n, t: this.sim.now, detection: NaN, allKnow: NaN, firstPickPeriods: NaN });
  }

  restart(n: number): void {
    if (this.swim.up[n]) return;
    this.open[n] = -1;
    this.live++;
    this.swim.restart(n);
    this.services?.restarted(n);
    this.lifeStart[n] = this.views.inc[n * this.cfg.nodes + n];
  }

  /** Member n is CPU-starved (its processing waits slowDelay) or not. */
  slow(n: number, on: boolean): void {
    this.net.slow[n] = on ? 1 : 0;
  }

  /** Every path to or from n loses this share of messages (a failing sidecar proxy). */
  pathLoss(n: number, p: number): void {
    this.net.pathLoss[n] = p;
  }

  /** Cut rack r from the others (or heal it). */
  partitionRack(r: number, on: boolean): void {
    this.net.cut[r] = on ? 1 : 0;
  }

  /** A share of the members (the first ones) crash at t and all restart `down` seconds later. */
  massRestart(t: number, share: number, down: number): void {
    const n = Math.round(share * this.cfg.nodes);
    this.sim.at(t, () => {
      for (let i = 0; i < n; i++) this.crash(i);
    });
    this.sim.at(t + down, () => {
      for (let i = 0; i < n; i++) this.restart(i);
    });
  }

  /** From t, member after member restarts (down `down` s), one every `every` s. */
  rollingRestart(t: number, every: number, down: number): void {
    for (let i = 0; i < this.cfg.nodes; i++) {
      this.sim.at(t + i * every, () => this.crash(i));
      this.sim.at(t + i * every + down, () => this.restart(i));
    }
  }

  run(duration: number): MembershipResult {
    this.sim.run(duration);
    const N = this.cfg.nodes;
    return {
      config: this.cfg,
      duration,
      crashes: this.crashes,
      falsePositives: this.falsePositives,
      falsePositivesPerNodeHour: this.falsePositives / ((N * duration) / 3600),
      messagesPerNodeSecond: this.net.sent / (N * duration),
      messages: this.net.sent,
      lost: this.net.lost,
      services: this.services?.measures(),
    };
  }
}
