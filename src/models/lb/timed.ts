/**
 * The LB world in time: players join (the paper's one per step, or Poisson),
 * stay for a session and leave, and move by a mobility model; every `step`
 * seconds they move (a player walking into another server's region is a
 * hand-off, counted apart from rebalancing migrations) and the scheme
 * rebalances. Joins and leaves are kernel events at their own times.
 *
 * With the defaults (paper joins, no sessions, static players) a run places
 * and rebalances exactly as `runScheme` does (a test compares them).
 */
import { Sim } from '../../kernel/sim.ts';
import { Streams, type Stream } from '../../kernel/random.ts';
import { resolveOptions, type LbOptions, type SchemeName } from './options.ts';
import { makeScheme, type Scheme } from './schemes.ts';
import { arrivalPoints, crossServerPairs, World } from './world.ts';
import { Mobility, type HotSpot, type Moves } from './mobility.ts';
import { resolveWorld, type WorldConfig } from './world-options.ts';
import { listAdd, listRemove } from './lists.ts';
import { TraceMobility } from './trace-mobility.ts';
import { loadPlayerTrace } from '../../traces/players.ts';

/** One sample of the time series (every sampleEvery seconds). */
export interface WorldSample {
  t: number;
  online: number;
  loads: number[];
  maxLoad: number;
  meanLoad: number;
  /** Since the previous sample. */
  handoffs: number;
  migratedUsers: number;
  migrationEvents: number;
  /** Online pairs within the view distance on different servers. */
  crossPairs: number;
  /** The least loaded server's players (last: series.csv keeps its column order). */
  minLoad: number;
}

export interface WorldTotals {
  joins: number;
  leaves: number;
  peakOnline: number;
  playerHours: number;
  handoffs: number;
  migratedUsers: number;
  migrationEvents: number;
  usersPerEvent: number;
  handoffsPerPlayerHour: number;
  migrationsPerPlayerHour: number;
  /** Mean over steps of max - min load, and of max / mean load. */
  imbalanceMean: number;
  maxOverMean: number;
  /** Share of server-time above capacityFactor x the mean load. */
  aboveCapacity: number;
  /** Mean over samples of the cross-server pairs, and per online player. */
  crossPairsMean: number;
  crossPairsPerPlayer: number;
}

export interface WorldResult {
  scheme: SchemeName;
  options: LbOptions;
  config: WorldConfig;
  samples: WorldSample[];
  spots: HotSpot[];
  totals: WorldTotals;
}

/** What a run built on the world sees of it (the one world builds its cluster on the same kernel and streams). */
export interface WorldContext {
  sim: Sim;
  streams: Streams;
  world: World;
  scheme: Scheme;
  config: WorldConfig;
}

export interface WorldHooks {
  /** After every step's movement and rebalance. */
  afterStep?: (t: number, world: World, scheme: Scheme, online: readonly number[]) => void;
  /** Measure cross-server pairs at each sample (default true). */
  measurePairs?: boolean;
  /** Before the run starts: build more on its kernel and streams. */
  setup?: (ctx: WorldContext) => void;
  /** Before a join, a leave or a step changes the world at time t. */
  beforeChange?: (t: number) => void;
  /** After a join placed u, or after u left server s. */
  joined?: (u: number) => void;
  left?: (u: number, s: number) => void;
  /** After a step's movement and rebalance (before afterStep). */
  stepped?: (t: number) => void;
  /** May the scheme rebalance at this step (default: yes)? */
  mayRebalance?: () => boolean;
}

/** Join times in (0, duration]: the initial players at 0, then the join process. */
function joinTimes(c: WorldConfig, users: number, streams: Streams): Float64Array {
  const out: number[] = [];
  for (let i = 0; i < c.initialPlayers; i++) out.push(0);
  if (c.joins === 'paper') {
    for (let k = 1; k <= users && k * c.step <= c.duration; k++) out.push(k * c.step);
  } else if (c.joins === 'poisson' && c.joinRate > 0) {
    const r = streams.get('joins');
    const end = c.joinUntil > 0 ? Math.min(c.joinUntil, c.duration) : c.duration;
    for (let t = r.exponential(1 / c.joinRate); t <= end; t += r.exponential(1 / c.joinRate)) out.push(t);
  }
  return Float64Array.from(out);
}

/** One session length drawn from r as the configuration says (Infinity: the player never leaves). */
export function sessionLength(c: WorldConfig, r: Stream): number {
  switch (c.session) {
    case 'none':
      return Infinity;
    case 'exponential':
      return r.exponential(c.sessionMean);
    case 'lognormal':
      // mean exp(mu + sigma^2 / 2) = sessionMean
      return r.lognormal(Math.log(c.sessionMean) - (c.sessionSigma * c.sessionSigma) / 2, c.sessionSigma);
    case 'pareto': {
      // classic Pareto with minimum xm: mean xm alpha / (alpha - 1) = sessionMean
      const a = c.sessionShape, xm = (c.sessionMean * (a - 1)) / a;
      return xm / Math.pow(1 - r.random(), 1 / a);
    }
  }
}

/** Run scheme `scheme` in a world in time. */
export function runWorld(scheme: SchemeName, lb: Partial<LbOptions>, wc: Partial<WorldConfig>, seed: number, hooks: WorldHooks = {}): WorldResult {
  const opts = resolveOptions(lb);
  const c = resolveWorld(wc);
  const streams = new Streams(seed);
  // a player trace gives the joins, the moves and the leaves (trace-mobility.ts)
  const traced = c.mobility === 'trace' ? new TraceMobility(c, opts.mapWidth, opts.mapHeight, loadPlayerTrace(c.playerTrace), streams.get('mobility')) : undefined;
  const joins = traced ? traced.joins : joinTimes(c, opts.users, streams);
  const ids = joins.length;
  const world = new World(opts, new Float64Array(ids), new Float64Array(ids));
  const sch = makeScheme(scheme, world, streams.get('cell-choice'));
  const moving = c.mobility !== 'static', leaving = c.session !== 'none' || traced !== undefined;
  if ((moving && !sch.relocate) || (leaving && !sch.leave))
    throw new Error(`scheme ${scheme} cannot run players who ${moving ? 'move' : 'leave'} (it has no ${moving ? 'relocate' : 'leave'})`);
  const mob = traced ?? new Mobility(c, opts.mapWidth, opts.mapHeight, ids, streams.get('mobility'));
  const point = arrivalPoints(opts, streams.get('arrivals'));
  const sessions = streams.get('sessions');
  const sim = new Sim();

  // the online players in a fixed order (swap-remove), the order every step walks them in
  const online: number[] = [];
  const posOnline = new Int32Array(ids);
  const tot = { joins: 0, leaves: 0, peak: 0, playerSeconds: 0, handoffs: 0, migrated: 0, events: 0, imbalance: 0, maxOverMean: 0, steps: 0, above: 0, pairs: 0, pairsPerPlayer: 0 };
  const since = { handoffs: 0, migrated: 0, events: 0 };
  const samples: WorldSample[] = [];

  const leave = (u: number) => {
    hooks.beforeChange?.(sim.now);
    const s = world.server[u];
    sch.leave!(u);
    mob.leave(u);
    listRemove(online, posOnline, u);
    tot.leaves++;
    hooks.left?.(u, s);
  };
  const join = (u: number) => {
    hooks.beforeChange?.(sim.now);
    world.n = u + 1;
    const [x, y] = mob.spawn(u, sim.now, point(), world.xs, world.ys);
    world.xs[u] = x;
    world.ys[u] = y;
    sch.assign(u);
    listAdd(online, posOnline, u);
    tot.joins++;
    hooks.joined?.(u);
    const len = traced ? traced.leaves[u] - sim.now : sessionLength(c, sessions);
    if (sim.now + len <= c.duration) sim.at(sim.now + len, leave, u);
  };
  const apply = (m: Moves) => {
    const h = sch.relocate!(m);
    tot.handoffs += h;
    since.handoffs += h;
  };
  let nextSample = 0;
  const sample = (t: number) => {
    const S = world.servers;
    let max = 0, min = Infinity;
    for (let s = 0; s < S; s++) {
      if (world.out[s]) continue;
      max = Math.max(max, world.loads[s]);
      min = Math.min(min, world.loads[s]);
    }
    const pairs = hooks.measurePairs === false ? NaN : crossServerPairs(world.xs, world.ys, world.server, world.n, opts.viewDistance, opts.mapWidth, opts.mapHeight);
    samples.push({ t, online: world.count, loads: Array.from(world.loads), maxLoad: max, meanLoad: world.count / world.liveServers(), handoffs: since.handoffs, migratedUsers: since.migrated, migrationEvents: since.events, crossPairs: pairs, minLoad: min });
    tot.pairs += pairs;
    tot.pairsPerPlayer += world.count > 0 ? pairs / world.count : 0;
    since.handoffs = since.migrated = since.events = 0;
  };
  const step = () => {
    const t = sim.now;
    hooks.beforeChange?.(t);
    mob.step(t, c.step, online, world.xs, world.ys, apply);
    if (hooks.mayRebalance?.() !== false) for (const m of sch.rebalance()) {
      tot.migrated += m.users.length;
      since.migrated += m.users.length;
      tot.events++;
      since.events++;
    }
    // the step's state holds until the next step
    // servers out of the partition (a failed server under the one world's policy scheme) are not counted
    const S = world.liveServers(), mean = world.count / S;
    let lo = Infinity, hi = 0, above = 0;
    for (let s = 0; s < world.servers; s++) {
      if (world.out[s]) continue;
      const l = world.loads[s];
      if (l < lo) lo = l;
      if (l > hi) hi = l;
      if (l > c.capacityFactor * mean) above++;
    }
    tot.steps++;
    tot.imbalance += hi - lo;
    tot.maxOverMean += mean > 0 ? hi / mean : 1;
    tot.above += above / S;
    tot.playerSeconds += world.count * c.step;
    if (world.count > tot.peak) tot.peak = world.count;
    hooks.stepped?.(t);
    hooks.afterStep?.(t, world, sch, online);
    if (t >= nextSample) {
      sample(t);
      nextSample += c.sampleEvery;
    }
    if (t + c.step <= c.duration) sim.schedule(c.step, step);
  };
  // joins come before the step at the same time (they are scheduled first), like the paper's arrival then rebalance
  hooks.setup?.({ sim, streams, world, scheme: sch, config: c });
  for (let u = 0; u < ids; u++) sim.at(joins[u], join, u);
  sim.at(c.step, step);
  sim.run(c.duration);

  const ph = tot.playerSeconds / 3600;
  const nSamples = Math.max(1, samples.length);
  return {
    scheme,
    options: opts,
    config: c,
    samples,
    spots: mob.spots,
    totals: {
      joins: tot.joins,
      leaves: tot.leaves,
      peakOnline: tot.peak,
      playerHours: ph,
      handoffs: tot.handoffs,
      migratedUsers: tot.migrated,
      migrationEvents: tot.events,
      usersPerEvent: tot.events > 0 ? tot.migrated / tot.events : 0,
      handoffsPerPlayerHour: ph > 0 ? tot.handoffs / ph : 0,
      migrationsPerPlayerHour: ph > 0 ? tot.migrated / ph : 0,
      imbalanceMean: tot.imbalance / Math.max(1, tot.steps),
      maxOverMean: tot.maxOverMean / Math.max(1, tot.steps),
      aboveCapacity: tot.above / Math.max(1, tot.steps),
      crossPairsMean: tot.pairs / nSamples,
      crossPairsPerPlayer: tot.pairsPerPlayer / nSamples,
    },
  };
}
