/**
 * Faults as verbs and data. A `Fault` is one line of a story (crash node 0,
 * cut the net channel between 0 and 1, add 2 s of latency for a minute...);
 * `applyFault` carries it out on anything with the verbs (the cluster).
 * `RandomFaults` draws the same verbs from processes: crashes (exponential
 * time to failure, repair by repairDist), pauses of a node (Poisson starts,
 * GC-like lengths), observer starvation, latency spikes. Each process draws
 * from its own named stream.
 */
import type { Sim } from '../../kernel/sim.ts';
import type { Streams, Stream } from '../../kernel/random.ts';
import type { HaConfig } from './options.ts';
import type { ChannelSel } from './links.ts';

export type Fault =
  | { verb: 'crash'; node: number }
  | { verb: 'repair'; node: number }
  | { verb: 'pause'; node: number; duration: number }
  | { verb: 'starve'; node: number; duration: number }
  | { verb: 'cut'; a: number; b: number; channel?: ChannelSel; oneWay?: boolean }
  | { verb: 'heal'; a: number; b: number; channel?: ChannelSel; oneWay?: boolean }
  | { verb: 'partition'; group: number[]; other?: number[] }
  | { verb: 'heal-all' }
  | { verb: 'loss'; p: number; channel?: ChannelSel; a?: number; b?: number }
  | { verb: 'spike'; a: number; b: number; channel?: ChannelSel; extra: number; duration: number };

export type FaultVerb = Fault['verb'];
export const FAULT_VERBS: readonly FaultVerb[] = ['crash', 'repair', 'pause', 'starve', 'cut', 'heal', 'partition', 'heal-all', 'loss', 'spike'];

/** What a fault acts on. */
export interface FaultTarget {
  crash(n: number): void;
  repair(n: number): void;
  pause(n: number, d: number): void;
  starve(n: number, d: number): void;
  cut(a: number, b: number, ch?: ChannelSel, oneWay?: boolean): void;
  heal(a: number, b: number, ch?: ChannelSel, oneWay?: boolean): void;
  partition(group: number[], other?: number[]): void;
  healAll(): void;
  setLoss(p: number, ch?: ChannelSel, a?: number, b?: number): void;
  spike(a: number, b: number, ch: ChannelSel, extra: number, d: number): void;
}

export function applyFault(x: FaultTarget, f: Fault): void {
  switch (f.verb) {
    case 'crash': return x.crash(f.node);
    case 'repair': return x.repair(f.node);
    case 'pause': return x.pause(f.node, f.duration);
    case 'starve': return x.starve(f.node, f.duration);
    case 'cut': return x.cut(f.a, f.b, f.channel ?? 'both', f.oneWay ?? false);
    case 'heal': return x.heal(f.a, f.b, f.channel ?? 'both', f.oneWay ?? false);
    case 'partition': return x.partition(f.group, f.other);
    case 'heal-all': return x.healAll();
    case 'loss': return x.setLoss(f.p, f.channel ?? 'both', f.a, f.b);
    case 'spike': return x.spike(f.a, f.b, f.channel ?? 'both', f.extra, f.duration);
  }
}

/** A length with the given mean: exponential, lognormal (sigma = shape) or Pareto (alpha = shape > 1). */
export function drawLength(r: Stream, dist: 'exponential' | 'lognormal' | 'pareto' | 'fixed', mean: number, shape: number): number {
  switch (dist) {
    case 'fixed':
      return mean;
    case 'lognormal':
      return r.lognormal(Math.log(mean) - (shape * shape) / 2, shape);
    case 'pareto': {
      const xm = (mean * (shape - 1)) / shape;
      return xm * Math.pow(1 - r.random(), -1 / shape);
    }
    default:
      return r.exponential(mean);
  }
}

/** The random fault processes a configuration asks for. */
export class RandomFaults {
  private readonly rFaults: Stream;
  private readonly rRepair: Stream;
  private readonly rPause: Stream;
  private readonly rStarve: Stream;
  private readonly rSpike: Stream;

  constructor(
    private readonly sim: Sim,
    private readonly cfg: HaConfig,
    streams: Streams,
    private readonly x: FaultTarget,
    private readonly crashed: (n: number) => boolean,
    /** n is crashed, or not running its daemon: no pause or starvation then. */
    private readonly down: (n: number) => boolean,
    /** n's life: a crash process of an earlier life stops. */
    private readonly life: (n: number) => number,
  ) {
    this.rFaults = streams.get('faults');
    this.rRepair = streams.get('repair');
    this.rPause = streams.get('pauses');
    this.rStarve = streams.get('starvation');
    this.rSpike = streams.get('spikes');
  }

  start(N: number): void {
    const c = this.cfg;
    if (c.mtbf > 0) for (let i = 0; i < N; i++) this.crashes(i);
    if (c.pauseMtb > 0) for (let i = 0; i < N; i++) this.pauses(i);
    if (c.starveMtb > 0) for (let i = 0; i < N; i++) this.starvation(i);
    if (c.spikeMtb > 0) for (let a = 0; a < N; a++) for (let b = a + 1; b < N; b++) this.spikes(a, b);
  }

  private crashes(n: number): void {
    const life = this.life(n);
    this.sim.schedule(this.rFaults.exponential(this.cfg.mtbf), () => {
      if (this.crashed(n) || this.life(n) !== life) return;
      this.x.crash(n);
      const c = this.cfg;
      this.sim.schedule(drawLength(this.rRepair, c.repairDist, c.mttr, c.repairSigma), () => {
        this.x.repair(n);
        this.crashes(n);
      });
    });
  }

  private pauses(n: number): void {
    const c = this.cfg;
    this.sim.schedule(this.rPause.exponential(c.pauseMtb), () => {
      const d = drawLength(this.rPause, c.pauseDist, c.pauseMean, c.pauseShape);
      if (!this.down(n)) this.x.pause(n, d);
      this.pauses(n);
    });
  }

  private starvation(n: number): void {
    const c = this.cfg;
    this.sim.schedule(this.rStarve.exponential(c.starveMtb), () => {
      const d = this.rStarve.exponential(c.starveMean);
      if (!this.down(n)) this.x.starve(n, d);
      this.starvation(n);
    });
  }

  private spikes(a: number, b: number): void {
    const c = this.cfg;
    this.sim.schedule(this.rSpike.exponential(c.spikeMtb), () => {
      this.x.spike(a, b, 'both', c.spikeExtra, this.rSpike.exponential(c.spikeMean));
      this.spikes(a, b);
    });
  }
}
