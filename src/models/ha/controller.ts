/**
 * Fail-over (the HA paper's figure 6) and the reconcile that ends a split
 * brain. The controller is the lowest id in a node's view. On a membership
 * change, after a fail-back, and every `reconcileInterval` it polls the
 * nodes in its view (SYSTEM_LOAD) and, from their answers, fails over the
 * services nobody holds (FAIL_OVER to the least-loaded node that is up) and
 * releases the services held twice (RELEASE by all but the home node, or
 * the lowest id). A node that declares a peer failed broadcasts FAULT.
 */
import type { EventHandle } from '../../kernel/sim.ts';
import type { Held, Message, ProtocolParts } from './messages.ts';
import { NONE, RUNNING, STARTING } from './services.ts';
import { PollsAhead, type PollOwner } from './polls.ts';
import { failoverPolicy, type Candidate, type FailoverPolicy } from './failover.ts';

interface Round {
  id: number;
  expected: number[];
  answers: Map<number, Held>;
  loads: Map<number, number>;
  phases: Map<number, boolean>;
  timer: EventHandle;
}

export class Controller implements PollOwner {
  private readonly round: (Round | undefined)[];
  private readonly again: Uint8Array;
  private readonly periodic: EventHandle[];
  private readonly holderCount: Int32Array;
  private roundCounter = 0;
  /** The quiet polls drawn ahead (polls.ts), when the engine draws them so. */
  private readonly polls: PollsAhead | undefined;
  private readonly policy: FailoverPolicy;

  constructor(
    private readonly p: ProtocolParts,
    /** Node n is failing back: it claims its home services in a poll. */
    private readonly failingBack: (n: number) => boolean,
    pollsAhead: boolean,
  ) {
    const { nodes, services, cfg } = p;
    const N = nodes.N;
    this.round = new Array(N).fill(undefined);
    this.again = new Uint8Array(N);
    this.periodic = new Array(N).fill(-1);
    this.holderCount = new Int32Array(services.S);
    this.policy = failoverPolicy(cfg.failoverPolicy);
    this.polls = pollsAhead ? new PollsAhead(p.sim, p.transport, p.signals, cfg.loadTimeout, cfg.reconcileInterval, N, this) : undefined;
  }

  /** Something a poll depends on (a node, a link, a service, a view) is about to change: polls drawn ahead settle first. */
  settle(): void {
    this.polls?.settle();
  }

  handle(me: number, from: number, m: Message): void {
    switch (m.type) {
      case 'FAULT': {
        const j = m.failed;
        if (j === me || !this.p.monitor.inView(me, j)) return; // duplicate report, or about me
        this.p.monitor.remove(me, j);
        this.p.signals.emit('reported', me, j);
        this.membershipChanged(me);
        return;
      }
      case 'REJOIN':
        this.requestRound(me);
        return;
      case 'SYSTEM_LOAD': {
        const rep = this.loadReport(me);
        this.p.transport.send(me, from, { type: 'SYSTEM_LOAD_ANSWER', round: m.round, held: rep.held, load: rep.load, up: rep.up });
        return;
      }
      case 'SYSTEM_LOAD_ANSWER':
        this.onLoadAnswer(me, from, m.round, m.held, m.load, m.up);
        return;
      case 'FAIL_OVER':
        this.takeOver(me, m.services);
        return;
      case 'RELEASE':
        for (const s of m.services) {
          if (this.p.services.holds(me, s)) {
            this.p.signals.emit('released');
            this.p.services.set(me, s, NONE);
          }
        }
        return;
    }
  }

  /** i's detector declared j failed: tell everyone in view, then act as on any membership change. */
  declared(i: number, j: number): void {
    this.p.signals.emit('step', i, 'declares', j);
    const fault: Message = { type: 'FAULT', failed: j };
    this.p.transport.local(i, fault);
    const N = this.p.nodes.N;
    for (let x = 0; x < N; x++) if (x !== i && this.p.monitor.inView(i, x)) this.p.transport.send(i, x, fault);
    this.membershipChanged(i);
  }

  /** i has j in view again: the controller polls. */
  rejoined(i: number, j: number): void {
    const c = this.p.monitor.lowest(i);
    if (c === i) this.membershipChanged(i);
    else this.p.transport.send(i, c, { type: 'REJOIN', node: j });
  }

  /** n is up after a fail-back: the controller reconciles what it left double or orphaned. */
  backUp(n: number): void {
    const c = this.p.monitor.lowest(n);
    if (c === n) this.requestRound(n);
    else this.p.transport.send(n, c, { type: 'REJOIN', node: n });
    this.schedulePeriodic(n);
  }

  /** n crashed: its rounds and watches are gone. */
  crashed(n: number): void {
    const r = this.round[n];
    if (r) this.p.sim.cancel(r.timer);
    this.round[n] = undefined;
    if (this.periodic[n] !== -1) this.p.sim.cancel(this.periodic[n]);
    this.periodic[n] = -1;
  }

  private membershipChanged(i: number): void {
    if (this.p.monitor.lowest(i) === i) this.requestRound(i);
  }

  private requestRound(c: number): void {
    this.polls?.settle(c);
    if (!this.p.nodes.running[c]) return;
    if (this.p.monitor.lowest(c) !== c) return;
    if (this.round[c]) {
      this.again[c] = 1;
      return;
    }
    this.startRound(c);
  }

  private startRound(c: number): void {
    const N = this.p.nodes.N;
    const expected: number[] = [];
    for (let j = 0; j < N; j++) if (j !== c && this.p.monitor.inView(c, j)) expected.push(j);
    const r = this.newRound(c, expected);
    for (const j of expected) this.p.transport.send(c, j, { type: 'SYSTEM_LOAD', round: r.id });
    r.timer = this.p.nodes.after(c, this.p.cfg.loadTimeout, () => this.roundTimeout(c, r.id));
    if (expected.length === 0) this.finishRound(c);
  }

  /** Controller c's round, with its own answer in. */
  private newRound(c: number, expected: number[]): Round {
    const id = ++this.roundCounter;
    const r: Round = { id, expected, answers: new Map(), loads: new Map(), phases: new Map(), timer: -1 };
    this.round[c] = r;
    this.again[c] = 0;
    const mine = this.loadReport(c);
    this.p.transport.local(c, { type: 'SYSTEM_LOAD', round: id });
    this.p.transport.local(c, { type: 'SYSTEM_LOAD_ANSWER', round: id, ...mine });
    r.answers.set(c, mine.held);
    r.loads.set(c, mine.load);
    r.phases.set(c, mine.up);
    return r;
  }

  /**
   * A poll drawn ahead (polls.ts) goes on from now as a real round: the
   * requests went out at its start t0; a peer whose request arrived before
   * now answered then (nothing changed since: its answer is its report now);
   * copies still on their way are events.
   */
  resumeRound(c: number, t0: number, expected: number[]): void {
    const r = this.newRound(c, expected);
    const tr = this.p.transport;
    for (const j of expected) {
      const got = tr.sendAt(c, j, { type: 'SYSTEM_LOAD', round: r.id }, t0);
      if (got === undefined) continue;
      const rep = this.loadReport(j);
      if (tr.sendAt(j, c, { type: 'SYSTEM_LOAD_ANSWER', round: r.id, ...rep }, got) === undefined) continue;
      r.answers.set(j, rep.held);
      r.loads.set(j, rep.load);
      r.phases.set(j, rep.up);
    }
    r.timer = this.p.nodes.after(c, t0 + this.p.cfg.loadTimeout - this.p.sim.now, () => this.roundTimeout(c, r.id));
    if (r.expected.every((j) => r.answers.has(j))) this.finishRound(c);
  }

  private loadReport(n: number): { held: Held; load: number; up: boolean } {
    const held: Held = [];
    let load = 0;
    const svc = this.p.services, S = svc.S;
    for (let s = 0; s < S; s++) {
      const st = svc.state(n, s);
      if (st !== NONE) held.push([s, st]);
      if (st === RUNNING || st === STARTING) load += svc.users[s];
    }
    // a node failing back claims its home services
    if (this.p.cfg.autoFailback && this.failingBack(n))
      for (let s = 0; s < S; s++) if (svc.home[s] === n && svc.state(n, s) === NONE) held.push([s, STARTING]);
    return { held, load, up: this.p.nodes.phase[n] === 'up' };
  }

  private onLoadAnswer(c: number, from: number, round: number, held: Held, load: number, up: boolean): void {
    const r = this.round[c];
    if (!r || r.id !== round || !r.expected.includes(from)) return;
    r.answers.set(from, held);
    r.loads.set(from, load);
    r.phases.set(from, up);
    if (r.expected.every((j) => r.answers.has(j))) this.finishRound(c);
  }

  private roundTimeout(c: number, id: number): void {
    const r = this.round[c];
    if (!r || r.id !== id) return;
    // someone in the view did not answer: poll again (the detector removes dead nodes from the view)
    this.round[c] = undefined;
    this.requestRound(c);
  }

  private finishRound(c: number): void {
    const r = this.round[c]!;
    this.p.sim.cancel(r.timer);
    this.round[c] = undefined;
    const S = this.p.services.S;
    if (!this.again[c] && this.eachServiceHeldOnce(r)) {
      // the usual outcome of a periodic poll: nothing to do (the general path below would agree)
      this.schedulePeriodic(c);
      return;
    }
    const holders: number[][] = Array.from({ length: S }, () => []);
    const nodes = [...r.answers.keys()].sort((a, b) => a - b);
    for (const n of nodes) for (const [s, st] of r.answers.get(n)!) if (st === RUNNING || st === STARTING) holders[s].push(n);
    const orphans: number[] = [];
    const releases = new Map<number, number[]>();
    let acted = false;
    for (let s = 0; s < S; s++) {
      const hs = holders[s];
      if (hs.length === 0) orphans.push(s);
      else if (hs.length > 1) {
        const inTransit = hs.some((n) => r.answers.get(n)!.some(([x, st]) => x === s && st === STARTING));
        if (inTransit) {
          acted = true; // look again once the start is done
          continue;
        }
        const home = this.p.services.home[s];
        const keep = hs.includes(home) ? home : hs[0];
        for (const n of hs) if (n !== keep) {
          if (!releases.has(n)) releases.set(n, []);
          releases.get(n)!.push(s);
        }
      }
    }
    for (const [n, list] of [...releases.entries()].sort((a, b) => a[0] - b[0])) {
      acted = true;
      this.p.transport.send(c, n, { type: 'RELEASE', services: list });
    }
    if (orphans.length > 0) {
      const home = this.p.services.home;
      const candidates: Candidate[] = nodes.map((n) => ({
        node: n,
        load: r.loads.get(n)!,
        up: r.phases.get(n)!,
        spare: !home.includes(n),
        held: r.answers.get(n)!.filter(([, st]) => st === RUNNING || st === STARTING).length,
      }));
      const best = this.policy(orphans, candidates);
      if (best >= 0) {
        acted = true;
        this.p.transport.send(c, best, { type: 'FAIL_OVER', services: orphans });
      } else for (const s of orphans) this.p.signals.emit('orphaned', s, c);
    }
    if (acted || this.again[c]) {
      // verify once the orders had time to be carried out
      const cfg = this.p.cfg;
      const delay = this.again[c] ? 0 : 2 * cfg.loadTimeout + cfg.fakeProcessTime + cfg.setupTime + cfg.startTime;
      this.again[c] = 0;
      this.p.nodes.after(c, delay, () => this.requestRound(c));
    } else this.schedulePeriodic(c);
  }

  /** True when every service is running or starting on exactly one answering node. */
  private eachServiceHeldOnce(r: Round): boolean {
    return this.heldOnce([...r.answers.values()]);
  }

  private heldOnce(reports: Held[]): boolean {
    const count = this.holderCount, S = this.p.services.S;
    count.fill(0);
    for (const held of reports)
      for (let x = 0; x < held.length; x++) {
        const st = held[x][1];
        if (st === RUNNING || st === STARTING) count[held[x][0]]++;
      }
    for (let s = 0; s < S; s++) if (count[s] !== 1) return false;
    return true;
  }

  /** The reconcile poll of controller c, every reconcileInterval. */
  schedulePeriodic(c: number): void {
    this.polls?.settle(c);
    this.periodicAt(c, this.p.sim.now + this.p.cfg.reconcileInterval);
  }

  periodicAt(c: number, t: number): void {
    if (this.periodic[c] !== -1) this.p.sim.cancel(this.periodic[c]);
    const life = this.p.nodes.life(c);
    this.periodic[c] = this.p.sim.at(t, () => {
      this.periodic[c] = -1;
      if (this.p.nodes.life(c) !== life) return;
      // a paused controller polls when it resumes (if it is still the controller then)
      if (this.p.nodes.hung[c]) this.p.nodes.whenResumed(c, () => this.requestRound(c));
      else if (this.p.monitor.lowest(c) === c) this.poll(c);
      // keep a watch in case the view changes (without events while nothing changes, when polls are drawn ahead)
      else if (this.polls) this.polls.watch(c);
      else this.schedulePeriodic(c);
    });
  }

  /** A periodic poll: drawn ahead while the cluster is quiet, else a round. */
  private poll(c: number): void {
    const expected = this.polls && !this.round[c] ? this.quietView(c) : undefined;
    if (expected) this.polls!.start(c, expected);
    else this.requestRound(c);
  }

  /**
   * c's view when a poll now could only find every service held once and
   * nothing else can change without telling the polls: c and every peer in
   * its view live and up, nobody failing back. Otherwise undefined.
   */
  private quietView(c: number): number[] | undefined {
    const { nodes, monitor } = this.p;
    const N = nodes.N;
    const expected: number[] = [];
    const reports: Held[] = [];
    for (let j = 0; j < N; j++) {
      if (j !== c && !monitor.inView(c, j)) continue;
      if (!nodes.live(j) || nodes.phase[j] !== 'up' || this.failingBack(j)) return undefined;
      if (j !== c) expected.push(j);
      reports.push(this.loadReport(j).held);
    }
    return this.heldOnce(reports) ? expected : undefined;
  }

  /** Take over services (figure 6, last lines): fake process, set-up, start. */
  private takeOver(n: number, list: number[]): void {
    const svc = this.p.services;
    const mine = list.filter((s) => svc.state(n, s) === NONE);
    if (mine.length === 0) return;
    const tokens = new Map<number, number>();
    for (const s of mine) {
      this.p.signals.emit('tookOver', svc.runsElsewhere(s, n));
      svc.set(n, s, STARTING);
      tokens.set(s, svc.token(n, s));
    }
    const c = this.p.cfg, names = mine.join(' ');
    this.p.signals.emit('step', n, 'take-over', names);
    this.p.nodes.after(n, c.fakeProcessTime, () => {
      this.p.signals.emit('step', n, 'fake process up', names);
      this.p.nodes.after(n, c.setupTime, () => {
        this.p.signals.emit('step', n, 'set-up done', names);
        this.p.nodes.after(n, c.startTime, () => {
          for (const s of mine) if (svc.token(n, s) === tokens.get(s)) svc.set(n, s, RUNNING);
          this.p.signals.emit('step', n, 'services started', names);
        });
      });
    });
  }
}
