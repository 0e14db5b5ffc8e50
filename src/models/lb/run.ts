/**
 * One LB run: users arrive one per time step (event kernel), the scheme places
 * each and then rebalances; migrations are recorded with the users they moved
 * and their transfers are scheduled `transferGap` seconds apart. Metrics of
 * SPEC 2.5 per run and per bucket of `bucketSize` arrivals.
 *
 * A migration changes the users' server at once (the load balancer's decision);
 * the transfers model the hand-over traffic, which `transferGap` spreads over time.
 */
import { Sim } from '../../kernel/sim.ts';
import { Streams } from '../../kernel/random.ts';
import { resolveOptions, type LbOptions, type SchemeName } from './options.ts';
import { makeScheme, type Migration, type Scheme } from './schemes.ts';
import { crossServerPairs, generateArrivals, World, type Arrivals } from './world.ts';

export interface MigrationRecord extends Migration {
  /** Simulated time of the decision (= arrival number that triggered it). */
  time: number;
  /** Users present when it happened. */
  n: number;
}

export interface BucketMetrics {
  /** Arrivals (lo, hi]: users lo+1..hi. */
  lo: number;
  hi: number;
  migratedUsers: number;
  migrationEvents: number;
  /** migratedUsers / migrationEvents; 0 when there was no event. */
  usersPerEvent: number;
  largestEvent: number;
  /** Most transfers completing within one time step (1 s): the hand-over burst. */
  peakTransfersPerStep: number;
  /** max load - min load at the end of the bucket. */
  imbalanceFinal: number;
  /** Mean over the bucket's arrivals of max - min load after the arrival and its rebalance. */
  imbalanceMean: number;
  /** Cross-server pairs within V at the end of the bucket (NaN when not measured). */
  crossPairs: number;
  skippedChecks: number;
  cellsReturned: number;
}

export interface RunMetrics extends BucketMetrics {
  /** Distinct users ever moved, and those moved more than once. */
  distinctUsersMoved: number;
  usersMovedMoreThanOnce: number;
}

export interface LbResult {
  scheme: SchemeName;
  options: LbOptions;
  buckets: BucketMetrics[];
  total: RunMetrics;
  migrations: MigrationRecord[];
  world: World;
  schemeState: Scheme;
}

export interface RunHooks {
  /** Measure cross-server pairs at bucket ends (default true; O(n) each with a grid). */
  measurePairs?: boolean;
  /** Keep the migration records (default true). */
  keepMigrations?: boolean;
  /** Called after every arrival and its rebalance. */
  afterArrival?: (world: World, scheme: Scheme, migrations: Migration[]) => void;
}

/** Run one scheme on given arrival positions (common random numbers across schemes). */
export function runScheme(
  scheme: SchemeName,
  partial: Partial<LbOptions>,
  seed: number,
  arrivals?: Arrivals,
  hooks: RunHooks = {},
): LbResult {
  const opts = resolveOptions(partial);
  const arr = arrivals ?? generateArrivals(opts, seed);
  if (arr.xs.length < opts.users) throw new Error(`runScheme: ${arr.xs.length} arrival positions for ${opts.users} users`);
  const streams = new Streams(seed);
  const world = new World(opts, arr.xs, arr.ys);
  const sch = makeScheme(scheme, world, streams.get('cell-choice'));
  const sim = new Sim();
  const measurePairs = hooks.measurePairs ?? true;
  const keep = hooks.keepMigrations ?? true;
  const n = opts.users;
  const B = opts.bucketSize;
  const nb = Math.ceil(n / B);
  const buckets: BucketMetrics[] = [];
  for (let b = 0; b < nb; b++) {
    buckets.push({
      lo: b * B,
      hi: Math.min(n, (b + 1) * B),
      migratedUsers: 0,
      migrationEvents: 0,
      usersPerEvent: 0,
      largestEvent: 0,
      peakTransfersPerStep: 0,
      imbalanceFinal: 0,
      imbalanceMean: 0,
      crossPairs: NaN,
      skippedChecks: 0,
      cellsReturned: 0,
    });
  }
  const migrations: MigrationRecord[] = [];
  // transfers completing per time step, per bucket of the triggering arrival
  const stepCounts = new Map<number, number>();
  let imbalanceSum = 0;
  let lastSkipped = 0;
  let lastReturned = 0;

  const transfer = (step: number) => {
    stepCounts.set(step, (stepCounts.get(step) ?? 0) + 1);
  };

  const arrive = () => {
    const u = world.n++;
    const b = Math.floor(u / B);
    const bk = buckets[b];
    sch.assign(u);
    const migs = sch.rebalance();
    for (const m of migs) {
      const k = m.users.length;
      bk.migratedUsers += k;
      bk.migrationEvents++;
      if (k > bk.largestEvent) bk.largestEvent = k;
      if (keep) migrations.push({ ...m, time: sim.now, n: world.n });
      for (let j = 0; j < k; j++) {
        const t = sim.now + j * opts.transferGap;
        sim.at(t, transfer, Math.floor(t));
      }
    }
    imbalanceSum += world.imbalance();
    if (u + 1 === bk.hi) {
      bk.imbalanceFinal = world.imbalance();
      bk.imbalanceMean = imbalanceSum / (bk.hi - bk.lo);
      imbalanceSum = 0;
      bk.usersPerEvent = bk.migrationEvents > 0 ? bk.migratedUsers / bk.migrationEvents : 0;
      bk.skippedChecks = sch.skipped - lastSkipped;
      bk.cellsReturned = sch.cellsReturned - lastReturned;
      lastSkipped = sch.skipped;
      lastReturned = sch.cellsReturned;
      if (measurePairs) {
        bk.crossPairs = crossServerPairs(world.xs, world.ys, world.server, world.n, opts.viewDistance, opts.mapWidth, opts.mapHeight);
      }
    }
    hooks.afterArrival?.(world, sch, migs);
    if (world.n < n) sim.schedule(1, arrive);
  };
  sim.at(1, arrive);
  sim.run();

  // the burst: most transfers in one time step, attributed to the bucket of that step's arrival
  for (const [step, count] of stepCounts) {
    const bk = buckets[Math.min(nb - 1, Math.floor(Math.max(0, step - 1) / B))];
    if (count > bk.peakTransfersPerStep) bk.peakTransfersPerStep = count;
  }

  let distinct = 0;
  let multi = 0;
  for (let u = 0; u < n; u++) {
    if (world.moves[u] > 0) distinct++;
    if (world.moves[u] > 1) multi++;
  }
  const sum = (f: (b: BucketMetrics) => number) => buckets.reduce((a, b) => a + f(b), 0);
  const last = buckets[nb - 1];
  const migratedUsers = sum((b) => b.migratedUsers);
  const migrationEvents = sum((b) => b.migrationEvents);
  let imbalanceAll = 0;
  for (const b of buckets) imbalanceAll += b.imbalanceMean * (b.hi - b.lo);
  const total: RunMetrics = {
    lo: 0,
    hi: n,
    migratedUsers,
    migrationEvents,
    usersPerEvent: migrationEvents > 0 ? migratedUsers / migrationEvents : 0,
    largestEvent: Math.max(...buckets.map((b) => b.largestEvent)),
    peakTransfersPerStep: Math.max(...buckets.map((b) => b.peakTransfersPerStep)),
    imbalanceFinal: last.imbalanceFinal,
    imbalanceMean: imbalanceAll / n,
    crossPairs: last.crossPairs,
    skippedChecks: sch.skipped,
    cellsReturned: sch.cellsReturned,
    distinctUsersMoved: distinct,
    usersMovedMoreThanOnce: multi,
  };
  return { scheme, options: opts, buckets, total, migrations, world, schemeState: sch };
}
