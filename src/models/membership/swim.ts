/**
 * SWIM (Das, Gupta and Motivala 2002) and Lifeguard's extensions (Dadgar,
 * Phillips and Currey 2018, as hashicorp/memberlist runs them), one engine:
 * it owns each member's probe cycle, its pending probe, its suspicion timers
 * and its local health. Every protocol period a member pings a target; with
 * no ack within the probe timeout it asks k others to ping it (ping-req);
 * with no ack by the end of the period it suspects the target and tells
 * everyone, piggybacked on its messages; a suspicion not refuted within the
 * suspicion timeout makes the target dead. A member that hears it is
 * suspected refutes with a higher incarnation.
 *
 * Lifeguard adds (flags of the `protocol` option 'lifeguard'):
 * - local health aware probe: a local health multiplier (0 .. awarenessMax - 1)
 *   stretches the member's probe timeout and period by (multiplier + 1); it
 *   rises by the nacks that did not come (a relay that got no ack sends a
 *   nack after 80% of the probe timeout) or by one when it refutes a
 *   suspicion of itself, and falls by one with each probe acked;
 * - local health aware suspicion: the timeout starts at suspicionMaxMult
 *   times SWIM's and shrinks with each independent confirmation, as
 *   max(min, max - (max - min) log(n + 1) / log(k + 1)), k = suspicionMult - 2;
 * - buddy system: a ping to a member the prober suspects carries that
 *   suspicion first, so the member can refute at once.
 *
 * The heartbeat strategies (protocol 'k-monitors', 'all-to-all') replace the
 * probe: every period a member sends a heartbeat to the k members that watch
 * it (its successors on a ring; all others for all-to-all), and suspects a
 * member it watches that it has not heard for heartbeatTimeout. Suspicion,
 * refutation and dissemination (piggybacked on the heartbeats) are SWIM's.
 */
import type { Sim, EventHandle } from '../../kernel/sim.ts';
import type { Stream } from '../../kernel/random.ts';
import type { MembershipConfig } from './options.ts';
import { ACK, HEARTBEAT, NACK, PING, PING_REQ, type Msg, type Network, type Update } from './network.ts';
import { ALIVE, DEAD, SUSPECT, type Views } from './views.ts';
import { membershipProtocol } from './protocols.ts';

export interface SwimListener {
  /** Member i pinged j (directly, at the start of a probe). */
  pinged(i: number, j: number): void;
  /** Member i now holds j suspect or dead (its own probe or timeout, or told). */
  changed(i: number, j: number, status: number, own: boolean): void;
}

interface Probe {
  target: number;
  seq: number;
  acked: boolean;
  nacks: number;
  expected: number;
}

/** Member i's suspicion of j (also the payload of its timer: one object per suspicion). */
interface Suspicion {
  i: number;
  j: number;
  /** i's life when it started (timers of an earlier life do nothing). */
  life: number;
  start: number;
  inc: number;
  /** Lifeguard: the members whose suspicions confirmed it (SWIM keeps none). */
  by: Set<number> | undefined;
  timer: EventHandle;
}

export class Swim {
  private readonly N: number;
  private readonly lifeguard: boolean;
  readonly up: Uint8Array;
  /** Bumped by each crash: timers of an earlier life do nothing. */
  private readonly life: Int32Array;
  private readonly seq: Int32Array;
  private readonly probe: (Probe | undefined)[];
  private readonly awareness: Int32Array;
  private readonly order: { a: number; b: number; pos: number }[];
  private readonly suspicions = new Map<number, Suspicion>();
  private readonly minSuspicion: number;
  private readonly maxSuspicion: number;
  private readonly k: number;
  /** Heartbeat strategies: members watching each member, and when each watcher last heard each member it watches (watcher * watch + d - 1). */
  private readonly watch: number;
  private readonly heard: Float64Array | undefined;

  constructor(
    private readonly sim: Sim,
    private readonly cfg: MembershipConfig,
    private readonly net: Network,
    private readonly views: Views,
    private readonly r: Stream,
    private readonly listener: SwimListener,
  ) {
    const N = (this.N = cfg.nodes);
    const traits = membershipProtocol(cfg.protocol);
    this.lifeguard = traits.lifeguard;
    this.up = new Uint8Array(N).fill(1);
    this.life = new Int32Array(N);
    this.seq = new Int32Array(N);
    this.probe = new Array(N).fill(undefined);
    this.awareness = new Int32Array(N);
    this.order = Array.from({ length: N }, () => ({ a: 1, b: 0, pos: N }));
    this.minSuspicion = cfg.suspicionMult * Math.max(1, Math.log10(N)) * cfg.probeInterval;
    this.maxSuspicion = this.lifeguard ? cfg.suspicionMaxMult * this.minSuspicion : this.minSuspicion;
    this.k = Math.max(0, Math.round(cfg.suspicionMult - 2));
    this.watch = traits.watchers(cfg);
    this.heard = this.watch > 0 ? new Float64Array(N * this.watch) : undefined;
  }

  /** Start every member's probe cycle (aligned: all at 0; else each at a uniform phase in [0, T)). */
  start(): void {
    for (let i = 0; i < this.N; i++) this.sim.schedule(this.cfg.phases === 'aligned' ? 0 : this.r.uniform(0, this.cfg.probeInterval), (x: number) => this.tick(x, this.life[x]), i);
  }

  private scale(i: number, t: number): number {
    return this.lifeguard ? t * (this.awareness[i] + 1) : t;
  }

  private health(i: number, delta: number): void {
    if (!this.lifeguard) return;
    this.awareness[i] = Math.max(0, Math.min(this.cfg.awarenessMax - 1, this.awareness[i] + delta));
  }

  /** The next probe target of i: round-robin over a random order each pass (an affine map of 0..N-1), or uniform. */
  private nextTarget(i: number): number {
    const N = this.N, v = this.views;
    for (let tries = 0; tries < 2 * N; tries++) {
      let j: number;
      if (this.cfg.targets === 'random') j = Math.floor(this.r.random() * N);
      else {
        const o = this.order[i];
        if (o.pos >= N) {
          // a fresh order: x -> (a x + b) mod N with a coprime to N
          do o.a = 1 + Math.floor(this.r.random() * (N - 1));
          while (gcd(o.a, N) !== 1);
          o.b = Math.floor(this.r.random() * N);
          o.pos = 0;
        }
        j = (o.a * o.pos++ + o.b) % N;
      }
      if (j !== i && v.of(i, j) !== DEAD) return j;
    }
    return -1;
  }

  private send(kind: number, from: number, to: number, target: number, seq: number, origin: number, first?: Update): void {
    let updates = this.views.take(from);
    if (first) updates = [first, ...updates];
    this.net.send({ kind, from, to, target, seq, origin, updates });
  }

  /** The end of i's protocol period: its probe was acked (health improves), or it suspects the target. */
  private endPeriod(i: number, p: Probe): void {
    this.probe[i] = undefined;
    if (p.acked) return this.health(i, -1);
    this.health(i, p.expected > 0 ? p.expected - p.nacks : 1);
    const j = p.target, k = i * this.N + j;
    if (this.views.of(i, j) === ALIVE) this.suspect(i, j, this.views.inc[k], i);
  }

  /** A heartbeat period of i: heartbeats to those that watch it, and a look at those it watches. */
  private beat(i: number, life: number): void {
    if (!this.up[i] || this.life[i] !== life) return;
    const N = this.N, W = this.watch, heard = this.heard!, now = this.sim.now;
    this.sim.schedule(this.cfg.probeInterval, (x: number) => this.beat(x, life), i);
    for (let d = 1; d <= W; d++) this.send(HEARTBEAT, i, (i + d) % N, i, 0, -1);
    for (let d = 1; d <= W; d++) {
      const j = (i - d + N) % N;
      if (now - heard[i * W + d - 1] > this.cfg.heartbeatTimeout && this.views.of(i, j) === ALIVE) this.suspect(i, j, this.views.inc[i * N + j], i);
    }
  }

  private tick(i: number, life: number): void {
    if (this.heard) return this.beat(i, life);
    if (!this.up[i] || this.life[i] !== life) return;
    // the period that ends now (one event for its end and the next one's start)
    const prev = this.probe[i];
    if (prev) this.endPeriod(i, prev);
    const T = this.scale(i, this.cfg.probeInterval);
    this.sim.schedule(T, (x: number) => this.tick(x, life), i);
    const j = this.nextTarget(i);
    if (j < 0) return;
    const seq = ++this.seq[i];
    const p: Probe = { target: j, seq, acked: false, nacks: 0, expected: 0 };
    this.probe[i] = p;
    this.listener.pinged(i, j);
    // buddy system: a suspected target hears of it in the ping itself
    const k = i * this.N + j;
    const buddy = this.lifeguard && this.views.of(i, j) === SUSPECT ? { member: j, status: SUSPECT, inc: this.views.inc[k], by: i } : undefined;
    this.send(PING, i, j, j, seq, -1, buddy);
    this.sim.schedule(this.scale(i, this.cfg.probeTimeout), () => {
      if (this.life[i] !== life || p.acked || this.probe[i] !== p) return;
      const helpers = this.helpers(i, j, this.cfg.indirectChecks);
      p.expected = this.lifeguard ? helpers.length : 0;
      for (const h of helpers) this.send(PING_REQ, i, h, j, seq, i);
    });
  }

  /** Up to n members i holds alive, other than i and j, chosen at random. */
  private helpers(i: number, j: number, n: number): number[] {
    const out: number[] = [];
    for (let tries = 0; out.length < n && tries < 4 * n + 8; tries++) {
      const h = Math.floor(this.r.random() * this.N);
      if (h !== i && h !== j && !out.includes(h) && this.views.of(i, h) === ALIVE) out.push(h);
    }
    return out;
  }

  /** i suspects j at incarnation inc (its own probe failed, or `by` told it). */
  private suspect(i: number, j: number, inc: number, by: number): void {
    const u: Update = { member: j, status: SUSPECT, inc, by };
    if (by === i) {
      // its own finding: it holds j suspect and tells everyone
      const k = i * this.N + j;
      this.views.status[k] = SUSPECT;
      this.views.inc[k] = inc;
      this.views.queue(i, u);
    }
    this.listener.changed(i, j, SUSPECT, by === i);
    this.startTimer(i, j, inc, by);
  }

  private suspicionTimeout(confirmations: number): number {
    if (!this.lifeguard || this.k < 1) return this.minSuspicion;
    const frac = Math.log(confirmations + 1) / Math.log(this.k + 1);
    return Math.max(this.minSuspicion, this.maxSuspicion - (this.maxSuspicion - this.minSuspicion) * frac);
  }

  private startTimer(i: number, j: number, inc: number, by: number): void {
    const key = i * this.N + j;
    const s = this.suspicions.get(key);
    if (s && s.inc === inc) {
      // another member confirms: the timeout shrinks (Lifeguard)
      if (!s.by || s.by.has(by)) return;
      s.by.add(by);
      this.sim.cancel(s.timer);
      s.timer = this.sim.at(Math.max(this.sim.now, s.start + this.suspicionTimeout(s.by.size - 1)), this.timedOut, s);
      return;
    }
    if (s) this.sim.cancel(s.timer);
    const rec: Suspicion = { i, j, life: this.life[i], start: this.sim.now, inc, by: this.lifeguard ? new Set([by]) : undefined, timer: -1 };
    rec.timer = this.sim.schedule(this.suspicionTimeout(0), this.timedOut, rec);
    this.suspicions.set(key, rec);
  }

  /** A suspicion's timeout ran out. */
  private readonly timedOut = (s: Suspicion): void => {
    if (this.life[s.i] === s.life) this.expire(s.i, s.j, s.inc);
  };

  private expire(i: number, j: number, inc: number): void {
    const key = i * this.N + j;
    this.suspicions.delete(key);
    if (!this.up[i] || this.views.status[key] !== SUSPECT || this.views.inc[key] !== inc) return;
    this.views.status[key] = DEAD;
    this.views.queue(i, { member: j, status: DEAD, inc, by: i });
    this.listener.changed(i, j, DEAD, true);
  }

  private cancelTimer(i: number, j: number): void {
    const key = i * this.N + j, s = this.suspicions.get(key);
    if (!s) return;
    this.sim.cancel(s.timer);
    this.suspicions.delete(key);
  }

  /** A message arrives. */
  receive(m: Msg): void {
    const me = m.to;
    if (!this.up[me]) return;
    for (const u of m.updates) this.hear(me, u);
    switch (m.kind) {
      case PING:
        this.send(ACK, me, m.from, me, m.seq, m.origin);
        return;
      case PING_REQ: {
        // ping the target for the asker; tell it no (a nack) if nothing came back in 80% of the timeout
        const relay = { seq: m.seq, acked: false };
        const life = this.life[me];
        this.relays.set(this.relayKey(me, m.target, m.from), relay);
        this.send(PING, me, m.target, m.target, m.seq, m.from);
        if (this.lifeguard)
          this.sim.schedule(0.8 * this.cfg.probeTimeout, () => {
            if (this.life[me] === life && !relay.acked) this.send(NACK, me, m.from, m.target, m.seq, m.from);
          });
        return;
      }
      case ACK: {
        if (m.origin >= 0 && m.origin !== me) {
          // an ack to a ping made for someone else: pass it on
          const key = this.relayKey(me, m.from, m.origin), relay = this.relays.get(key);
          if (relay && relay.seq === m.seq) {
            relay.acked = true;
            this.relays.delete(key);
          }
          this.send(ACK, me, m.origin, m.from, m.seq, -1);
          return;
        }
        const p = this.probe[me];
        if (p && p.seq === m.seq && p.target === m.target) p.acked = true;
        return;
      }
      case HEARTBEAT: {
        const d = (me - m.from + this.N) % this.N;
        if (this.heard && d >= 1 && d <= this.watch) this.heard[me * this.watch + d - 1] = this.sim.now;
        return;
      }
      case NACK: {
        const p = this.probe[me];
        if (p && p.seq === m.seq && p.target === m.target) p.nacks++;
        return;
      }
    }
  }

  /** The indirect probes a member makes for others, by (relay, target, asker): the latest one's sequence number. */
  private readonly relays = new Map<number, { seq: number; acked: boolean }>();
  private relayKey(me: number, target: number, origin: number): number {
    return (me * this.N + target) * this.N + origin;
  }

  /** Member me hears update u. */
  private hear(me: number, u: Update): void {
    const N = this.N;
    if (u.member === me) {
      // about itself: a suspicion or death at its incarnation or later is refuted with a higher one
      const k = me * N + me;
      if (u.status !== ALIVE && u.inc >= this.views.inc[k]) {
        this.views.inc[k] = u.inc + 1;
        this.views.queue(me, { member: me, status: ALIVE, inc: u.inc + 1, by: me });
        this.health(me, 1);
      }
      return;
    }
    const before = this.views.of(me, u.member);
    if (this.views.learn(me, u)) {
      if (u.status === SUSPECT) this.suspect(me, u.member, u.inc, u.by);
      else {
        this.cancelTimer(me, u.member);
        if (u.status === DEAD || before !== ALIVE) this.listener.changed(me, u.member, u.status, false);
      }
    } else if (u.status === SUSPECT && this.views.of(me, u.member) === SUSPECT && this.views.inc[me * N + u.member] === u.inc) this.startTimer(me, u.member, u.inc, u.by);
  }

  // ---- faults ----

  crash(n: number): void {
    if (!this.up[n]) return;
    this.up[n] = 0;
    this.life[n]++;
    this.probe[n] = undefined;
    for (let j = 0; j < this.N; j++) this.cancelTimer(n, j);
  }

  /** n restarts: it knows nobody's state, and announces itself alive with a higher incarnation. */
  restart(n: number): void {
    if (this.up[n]) return;
    const inc = this.views.inc[n * this.N + n] + 1;
    this.views.reset(n);
    this.views.inc[n * this.N + n] = inc;
    this.views.queue(n, { member: n, status: ALIVE, inc, by: n });
    this.up[n] = 1;
    this.awareness[n] = 0;
    // it starts watching afresh: as if it had just heard everyone it watches
    if (this.heard) this.heard.fill(this.sim.now, n * this.watch, (n + 1) * this.watch);
    // aligned rounds: it joins at the next round's start
    const T = this.cfg.probeInterval, now = this.sim.now;
    const wait = this.cfg.phases === 'aligned' ? Math.ceil(now / T - 1e-9) * T - now : this.r.uniform(0, T);
    this.sim.schedule(wait, (x: number) => this.tick(x, this.life[x]), n);
  }
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}
