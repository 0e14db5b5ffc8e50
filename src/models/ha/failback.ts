/**
 * Fail-back (the HA paper's figure 7): a repaired node boots, reads its
 * configuration, asks every peer in view which of its home services they run
 * (CHECK_IP, retried), asks those to hand them back (FAIL_BACK; they stop
 * them and answer FAIL_BACK_OK), sets its external IP up and starts its
 * services. Then it asks the controller to reconcile.
 */
import type { EventHandle } from '../../kernel/sim.ts';
import type { Message, ProtocolParts } from './messages.ts';
import { NONE, RUNNING, STARTING, STOPPING } from './services.ts';

interface FailBack {
  answers: Map<number, number[]>;
  attempt: number;
  waiting: Set<number>;
  timer: EventHandle;
  services: number[];
}

export class Failback {
  private readonly fb: (FailBack | undefined)[];

  constructor(
    private readonly p: ProtocolParts,
    /** n is up after its fail-back. */
    private readonly backUp: (n: number) => void,
  ) {
    const { nodes } = p;
    this.fb = new Array(nodes.N).fill(undefined);
  }

  /** n is failing back: between its boot and its services' start. */
  active(n: number): boolean {
    const p = this.p.nodes.phase[n];
    return this.fb[n] !== undefined || (p !== 'up' && p !== 'crashed');
  }

  crashed(n: number): void {
    const fb = this.fb[n];
    if (fb) this.p.sim.cancel(fb.timer);
    this.fb[n] = undefined;
  }

  /** n booted: read the configuration, then CHECK_IP. */
  booted(n: number): void {
    this.mark(n);
    this.p.nodes.after(n, this.p.cfg.configTime, () => this.checkIp(n, 1));
  }

  handle(me: number, from: number, m: Message): void {
    switch (m.type) {
      case 'CHECK_IP': {
        const held: number[] = [];
        for (let s = 0; s < this.p.services.S; s++) if (this.p.services.home[s] === from && this.p.services.holds(me, s)) held.push(s);
        this.p.transport.send(me, from, { type: 'CHECK_IP_ANSWER', held });
        return;
      }
      case 'CHECK_IP_ANSWER':
        this.onCheckIpAnswer(me, from, m.held);
        return;
      case 'FAIL_BACK':
        this.handBack(me, from, m.services);
        return;
      case 'FAIL_BACK_OK':
        this.onFailBackOk(me, from);
        return;
    }
  }

  private mark(n: number): void {
    this.p.signals.emit('state', 'node', this.p.nodes.names[n], this.p.nodes.state(n));
  }

  private checkIp(n: number, attempt: number): void {
    const N = this.p.nodes.N;
    this.p.nodes.phase[n] = 'check-ip';
    this.mark(n);
    let fb = this.fb[n];
    if (!fb) {
      fb = { answers: new Map(), attempt, waiting: new Set(), timer: -1, services: [] };
      this.fb[n] = fb;
    }
    fb.attempt = attempt;
    const ask: number[] = [];
    for (let j = 0; j < N; j++) if (j !== n && this.p.monitor.inView(n, j) && !fb.answers.has(j)) ask.push(j);
    for (const j of ask) this.p.transport.send(n, j, { type: 'CHECK_IP' });
    if (ask.length === 0) {
      this.afterCheckIp(n);
      return;
    }
    fb.timer = this.p.nodes.after(n, this.p.cfg.checkIpTimeout, () => {
      const f = this.fb[n];
      if (!f || this.p.nodes.phase[n] !== 'check-ip') return;
      if (f.attempt < this.p.cfg.checkIpRetries) this.checkIp(n, f.attempt + 1);
      else this.afterCheckIp(n);
    });
  }

  private onCheckIpAnswer(n: number, from: number, held: number[]): void {
    const fb = this.fb[n];
    if (!fb || this.p.nodes.phase[n] !== 'check-ip') return;
    fb.answers.set(from, held);
    const N = this.p.nodes.N;
    for (let j = 0; j < N; j++) if (j !== n && this.p.monitor.inView(n, j) && !fb.answers.has(j)) return;
    this.p.sim.cancel(fb.timer);
    this.afterCheckIp(n);
  }

  private afterCheckIp(n: number): void {
    const fb = this.fb[n]!;
    const heldElsewhere = new Set<number>();
    const servers = [...fb.answers.entries()].filter(([, h]) => h.length > 0).sort((a, b) => a[0] - b[0]);
    for (const [, h] of servers) for (const s of h) heldElsewhere.add(s);
    const homeSvcs: number[] = [];
    for (let s = 0; s < this.p.services.S; s++) if (this.p.services.home[s] === n) homeSvcs.push(s);
    if (!this.p.cfg.autoFailback) {
      // keep services where they are; start only the home services nobody holds
      fb.services = homeSvcs.filter((s) => !heldElsewhere.has(s));
      this.externalIp(n);
      return;
    }
    fb.services = homeSvcs;
    if (servers.length === 0) {
      this.externalIp(n);
      return;
    }
    this.p.nodes.phase[n] = 'fail-back';
    this.mark(n);
    fb.waiting = new Set(servers.map(([j]) => j));
    for (const [j, h] of servers) this.p.transport.send(n, j, { type: 'FAIL_BACK', services: h });
    fb.timer = this.p.nodes.after(n, this.p.cfg.failbackTimeout, () => {
      if (this.p.nodes.phase[n] === 'fail-back') this.externalIp(n);
    });
  }

  private handBack(me: number, to: number, list: number[]): void {
    const svc = this.p.services;
    const giving: number[] = [];
    for (const s of list) {
      const st = svc.state(me, s);
      if (st === STARTING) svc.set(me, s, NONE);
      else if (st === RUNNING) {
        svc.set(me, s, STOPPING);
        giving.push(s);
      }
    }
    this.p.signals.emit('step', me, 'hand back', giving.join(' '));
    const tokens = giving.map((s) => svc.token(me, s));
    this.p.nodes.after(me, giving.length ? this.p.cfg.handbackTime : 0, () => {
      giving.forEach((s, idx) => {
        if (svc.token(me, s) === tokens[idx]) svc.set(me, s, NONE);
      });
      this.p.transport.send(me, to, { type: 'FAIL_BACK_OK', services: giving });
    });
  }

  private onFailBackOk(n: number, from: number): void {
    const fb = this.fb[n];
    if (!fb || this.p.nodes.phase[n] !== 'fail-back') return;
    fb.waiting.delete(from);
    if (fb.waiting.size === 0) {
      this.p.sim.cancel(fb.timer);
      this.externalIp(n);
    }
  }

  private externalIp(n: number): void {
    this.p.nodes.phase[n] = 'external-ip';
    this.mark(n);
    const svc = this.p.services;
    this.p.nodes.after(n, this.p.cfg.externalIpTime, () => {
      // "check computing resources for services, start services"
      this.p.nodes.phase[n] = 'starting';
      const fb = this.fb[n]!;
      const tokens = fb.services.map((s) => {
        if (svc.state(n, s) === NONE) svc.set(n, s, STARTING);
        return svc.token(n, s);
      });
      this.mark(n);
      this.p.nodes.after(n, this.p.cfg.startTime, () => {
        fb.services.forEach((s, idx) => {
          if (svc.token(n, s) === tokens[idx] && svc.state(n, s) === STARTING) svc.set(n, s, RUNNING);
        });
        this.fb[n] = undefined;
        this.p.nodes.phase[n] = 'up';
        this.mark(n);
        let all = true;
        for (let s = 0; s < svc.S; s++) if (svc.home[s] === n && svc.state(n, s) !== RUNNING) all = false;
        if (all && this.p.cfg.autoFailback) this.p.signals.emit('failedBack', n);
        this.backUp(n);
      });
    });
  }
}
