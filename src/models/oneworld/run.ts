/**
 * The one world: the LB world in time and the heartbeat HA cluster on one
 * kernel. Each LB server is an HA node; each server's region is an HA
 * service whose home is that node and whose users are the region's players.
 * A node that crashes (or pauses, or is cut off) takes its regions' service
 * away from their players until the region runs again somewhere (the
 * fail-over policy) and they have reconnected. The parts: the LB world
 * (timed.ts) and the HA cluster as they are, and here zones (service as the
 * players see it), capacity (node loads, overload) and incidents (per crash).
 *
 * With no crash, pause or cut the LB world's results are those of runWorld,
 * byte for byte (a test compares them).
 */
import type { Sim } from '../../kernel/sim.ts';
import type { Stream } from '../../kernel/random.ts';
import { runWorld, type WorldContext, type WorldResult } from '../lb/timed.ts';
import { crossServerPairs, type World } from '../lb/world.ts';
import type { LbOptions, SchemeName } from '../lb/options.ts';
import type { WorldConfig } from '../lb/world-options.ts';
import type { Migration, Scheme } from '../lb/schemes.ts';
import { HaCluster, type HaResult } from '../ha/cluster.ts';
import { makeConfig, type HaConfig } from '../ha/options.ts';
import { drawLength, type Fault } from '../ha/faults.ts';
import { resolveOneWorld, SET_BY_ONE_WORLD, type OneWorldConfig } from './options.ts';
import { Zones } from './zones.ts';
import { Capacity } from './capacity.ts';
import { Incidents, type Incident } from './incidents.ts';
import { randomCrashes } from './crashes.ts';

export interface OneWorldSample {
  t: number;
  /** Players without service now, and player-seconds lost since the previous sample. */
  unserved: number;
  lost: number;
  /** Players on each node (the regions it runs). */
  nodeLoads: number[];
  maxNodeLoad: number;
  /** Online pairs within the view distance on different nodes (both with service). */
  crossNodePairs: number;
  /** Every region served by its home node. */
  normal: boolean;
}

export interface OneWorldTotals {
  crashes: number;
  cascades: number;
  playersPerCrash: number;
  /** Player-seconds without service: faults, and planned fail-back hand-overs. */
  lostPlayerSeconds: number;
  plannedLostPlayerSeconds: number;
  /** Seconds without service per player-hour online (unplanned; planned). */
  lostPerPlayerHour: number;
  plannedPerPlayerHour: number;
  detectionMean: number;
  recoveryMean: number;
  balancedMean: number;
  peakOverCapacity: number;
  reconnectBurst: number;
  failoverMigrations: number;
  failbackMigrations: number;
  overloadedPlayerSeconds: number;
  tickMean: number;
  tickMax: number;
  /** Hand-offs (players walking into another server's region) per player-hour, in samples where every region ran at home, and in the others. */
  handoffsNormal: number;
  handoffsFailover: number;
  /** Cross-node pairs per player, in samples where every region ran at home, and in the others. */
  crossPairsNormal: number;
  crossPairsFailover: number;
}

export interface OneWorldResult {
  world: WorldResult;
  /** HA nodes: the servers and the standbys. */
  nodes: number;
  ha: HaResult;
  config: OneWorldConfig;
  samples: OneWorldSample[];
  incidents: Incident[];
  totals: OneWorldTotals;
}

/** What a test or a replay sees after each step. */
export interface OneWorldView {
  world: World;
  scheme: Scheme;
  cluster: HaCluster;
  /** Player u has service now. */
  hasService(u: number): boolean;
  /** Players without service now (by the zones' counts). */
  unserved(): number;
  /** The node running region s for its players (-1: none, or not served). */
  hostOf(s: number): number;
}

export interface OneWorldHooks {
  afterStep?: (t: number, v: OneWorldView) => void;
  measurePairs?: boolean;
}

/** The HA configuration of the one world: one node per server (+ spares), one service per region. */
export function oneWorldHa(servers: number, ow: OneWorldConfig, ha: Partial<HaConfig>): HaConfig {
  for (const k of SET_BY_ONE_WORLD) if (k in ha) throw new Error(`ha option ${k} is set by the one world (servers, policy, failback)`);
  return makeConfig({
    ...ha,
    // random crashes are the one world's own, node by node (crashes.ts)
    mtbf: 0,
    nodes: servers + (ow.policy === 'spare' ? ow.spares : 0),
    services: servers,
    activeNodes: servers,
    usersPerService: 0,
    failoverPolicy: ow.policy === 'scheme' ? 'external' : ow.policy,
    autoFailback: ow.failback === 'paper',
  });
}

/** Run the one world: scheme `scheme` on the LB options, the world in time, the HA options, the one world's options and scripted faults. */
export function runOneWorld(
  scheme: SchemeName,
  lb: Partial<LbOptions>,
  wc: Partial<WorldConfig>,
  ha: Partial<HaConfig>,
  owc: Partial<OneWorldConfig>,
  seed: number,
  faults: Array<Fault & { at: number }> = [],
  hooks: OneWorldHooks = {},
): OneWorldResult {
  const ow = resolveOneWorld(owc);
  let cluster!: HaCluster, zones!: Zones, cap!: Capacity, inc!: Incidents, world!: World, sch!: Scheme, cfg!: HaConfig;
  let S = 0;
  let host!: Int32Array;
  const samples: OneWorldSample[] = [];
  const pairs = { normal: 0, normalN: 0, failover: 0, failoverN: 0 };
  let nextSample = 0, sampleEvery = 0, step = 1;
  /** The node crashing of overload now (its incident is a cascade). */
  let cascading = -1;
  let repairs!: Stream;
  /** The run's kernel (the world's, given at setup). */
  let sim!: Sim;
  const absorbed: number[] = [];
  /** Bumped by each change of a region's reach: a reconnect scheduled before is dropped. */
  let blockTok!: Int32Array;
  /** A reconnect after a region's node came back on the network is scheduled. */
  let unblocking!: Uint8Array;
  const reachable = (n: number) => ow.isolatedServes || !cluster.isolated(n);
  /** Samples whose cross-node pairs are the world's cross-server pairs at the same time. */
  const fromWorld: number[] = [];

  const sync = (s: number) => cluster.setUsers(s, world.loads[s]);
  // players of these regions without service, and those moved off them still reconnecting
  const without = (regions: number[]) => zones.unservedPlayers(regions) + zones.reconnecting();
  const hostOf = (s: number) => (zones.served(s) ? host[s] : -1);
  const moved = (t: number, ms: Migration[], failover: boolean) => {
    for (const m of ms) {
      if (failover) {
        // the survivors set the region's players up (absorbTime), then they reconnect
        const back = ow.absorbTime + cfg.reconnectDelay;
        inc.failoverMoves += m.users.length;
        zones.moved(t, m.users, back);
        inc.arrive(t + back, m.to, m.users.length);
        sim.at(t + back, () => {
          zones.account(sim.now);
          inc.recovered(sim.now, without);
        });
      } else inc.failbackMoves += m.users.length;
    }
    for (let s = 0; s < S; s++) sync(s);
  };

  const setup = (ctx: WorldContext) => {
    world = ctx.world;
    sch = ctx.scheme;
    S = world.servers;
    step = ctx.config.step;
    sampleEvery = ctx.config.sampleEvery;
    if (ow.policy === 'scheme' && !(sch.fail && sch.restore)) throw new Error(`scheme ${sch.name} has no fail-over rule of its own (policy scheme): use policy paper or spare`);
    sim = ctx.sim;
    cfg = oneWorldHa(S, ow, ha);
    cluster = new HaCluster(ctx.sim, ctx.streams, cfg);
    zones = new Zones(world);
    cap = new Capacity(ow, cfg.nodes);
    inc = new Incidents(cfg.nodes);
    host = new Int32Array(S);
    for (let s = 0; s < S; s++) host[s] = s;
    blockTok = new Int32Array(S);
    unblocking = new Uint8Array(S);
    const sig = cluster.signals;
    sig.on('nodeCrashed', (n) => {
      const regions = cluster.heldBy(n);
      let players = 0;
      for (const s of regions) players += world.loads[s];
      // the peers that watch n now: the first of them to suspect it detects the crash
      const watchers: number[] = [];
      for (let i = 0; i < cfg.nodes; i++) if (i !== n && !cluster.crashed[i] && cluster.inView(i, n)) watchers.push(i);
      inc.crashed(sim.now, n, regions, players, cascading === n, watchers);
    });
    // a suspicion of a node that is down, by a peer that watched it when it crashed, detects the crash (of a live
    // node it is a mistake; a crash during boot, before anyone watched the node again, is never detected)
    sig.on('suspected', (i, j) => {
      if (cluster.crashed[j]) inc.suspected(sim.now, i, j);
    });
    sig.on('serviceDown', (s, planned) => zones.down(sim.now, s, planned));
    sig.on('serviceUp', (s) => {
      const h = cluster.runningOn(s)[0] ?? -1;
      if (absorbed[s]) restore(s);
      else if (h >= 0 && h !== host[s]) {
        if (h === s) inc.failbackMoves += world.loads[s];
        else inc.failoverMoves += world.loads[s];
      }
      if (h >= 0) host[s] = h;
    });
    sig.on('usersBack', (s) => {
      zones.back(sim.now, s);
      if (host[s] >= 0) inc.arrive(sim.now, host[s], world.loads[s]);
      // the nodes' loads are measured at the next step
      inc.recovered(sim.now, without);
    });
    // a server cut off from every peer: its players cannot reach it either (isolatedServes false)
    sig.on('linksChanged', () => reach(sim.now));
    sig.on('orphaned', (s) => {
      if (absorbed[s]) return;
      absorbed[s] = 1;
      zones.account(sim.now);
      moved(sim.now, sch.fail!(s), true);
    });
    for (const f of faults) cluster.at(f.at, f);
    randomCrashes(sim, ctx.streams, cfg, ha.mtbf ?? 0, cfg.nodes, { crashed: (n) => cluster.crashed[n] === 1, crash: (n) => cluster.crash(n), repair: (n) => cluster.repair(n) });
    if (ow.crashBusiestAt > 0)
      sim.at(ow.crashBusiestAt, () => {
        let best = -1;
        for (let n = 0; n < cfg.nodes; n++) if (!cluster.crashed[n] && (best < 0 || cap.load[n] > cap.load[best])) best = n;
        if (best < 0) return;
        cluster.crash(best);
        sim.schedule(ow.crashBusiestFor, () => cluster.repair(best));
      });
    repairs = ctx.streams.get('overload-repair');
  };

  // policy scheme: region s runs again on its server (repaired, or it never stopped: the controller's suspicion was
  // false, a pause or a cut), so the scheme gives it its region back
  const restore = (s: number) => {
    absorbed[s] = 0;
    zones.plan(sim.now, s);
    moved(sim.now, sch.restore!(s, ow.failback === 'paper'), false);
  };

  /**
   * Which node serves each region's players, while the HA service of the region is up: the node they were on while
   * it runs the region, is not paused and they can reach it; else another such node that runs it (a false take-over
   * left the region on two nodes: they reconnect there); else nobody: the region is blocked (it runs only where its
   * players cannot reach it) until its node is reachable again and they have reconnected. Called when links change
   * and at every step (a holder that crashed or paused while another still runs the region is found there).
   */
  const reach = (t: number) => {
    const usable = (n: number) => !cluster.hung[n] && reachable(n);
    for (let s = 0; s < S; s++) {
      if (!cluster.serviceUp(s) || absorbed[s]) continue;
      const h = host[s], holders = cluster.runningOn(s);
      if (h >= 0 && holders.includes(h) && usable(h)) {
        if (zones.isBlocked(s) && !unblocking[s]) {
          // back on the network: its players reconnect
          unblocking[s] = 1;
          const tok = blockTok[s];
          sim.schedule(cfg.reconnectDelay, () => {
            if (blockTok[s] !== tok) return;
            unblocking[s] = 0;
            zones.block(sim.now, s, false);
            inc.recovered(sim.now, without);
          });
        }
        continue;
      }
      const other = holders.find(usable);
      if (other === undefined) {
        if (!zones.isBlocked(s)) zones.block(t, s, true);
        blockTok[s]++;
        unblocking[s] = 0;
        continue;
      }
      host[s] = other;
      blockTok[s]++;
      unblocking[s] = 0;
      if (zones.isBlocked(s)) zones.block(t, s, false);
      const users = world.usersOf(s).slice();
      if (other === s) inc.failbackMoves += users.length;
      else inc.failoverMoves += users.length;
      zones.moved(t, users, cfg.reconnectDelay);
      inc.arrive(t + cfg.reconnectDelay, other, users.length);
    }
  };

  const stepped = (t: number) => {
    reach(t);
    for (let s = 0; s < S; s++) if (absorbed[s] && cluster.serviceUp(s)) restore(s);
    for (let s = 0; s < S; s++) sync(s);
    const players = world.loads;
    const hosts = new Int32Array(S);
    for (let s = 0; s < S; s++) hosts[s] = hostOf(s);
    const down = cap.step(t, step, hosts, players, (n) => !cluster.crashed[n]);
    for (const n of down) {
      cascading = n;
      cluster.crash(n);
      cascading = -1;
      sim.schedule(drawLength(repairs, cfg.repairDist, cfg.mttr, cfg.repairSigma), () => cluster.repair(n));
    }
    // a region the crashed node ran with another: its players go to the other now
    if (down.length) reach(t);
    inc.check(t, without, cap.maxLoad() / ow.capacity);
    if (t >= nextSample) {
      nextSample += sampleEvery;
      let normal = true;
      for (let s = 0; s < S; s++) if (!zones.served(s) || host[s] !== s) normal = false;
      let cp = NaN;
      // with every region at home and served the nodes' pairs are the servers' pairs: taken from the world's sample after the run
      if (hooks.measurePairs !== false && normal && zones.reconnecting() === 0) fromWorld.push(samples.length);
      else if (hooks.measurePairs !== false) {
        const on = new Int32Array(world.n);
        for (let u = 0; u < world.n; u++) on[u] = world.server[u] >= 0 && zones.hasService(u) ? hosts[world.server[u]] : -1;
        cp = crossServerPairs(world.xs, world.ys, on, world.n, world.opts.viewDistance, world.opts.mapWidth, world.opts.mapHeight);
        const per = world.count > 0 ? cp / world.count : 0;
        if (normal) (pairs.normal += per), pairs.normalN++;
        else (pairs.failover += per), pairs.failoverN++;
      }
      samples.push({ t, unserved: zones.unservedPlayers(), lost: zones.takeSince(), nodeLoads: Array.from(cap.load), maxNodeLoad: cap.maxLoad(), crossNodePairs: cp, normal });
    }
    hooks.afterStep?.(t, { world, scheme: sch, cluster, hasService: (u) => zones.hasService(u), unserved: () => zones.unservedPlayers(), hostOf });
  };

  const wr = runWorld(scheme, lb, wc, seed, {
    measurePairs: hooks.measurePairs,
    setup,
    beforeChange: (t) => zones.account(t),
    joined: (u) => sync(world.server[u]),
    left: (_u, s) => sync(s),
    mayRebalance: () => zones.unservedPlayers() === 0,
    stepped,
  });
  zones.account(wr.config.duration);
  // hand-offs per player-hour in the samples with every region at home, and in the others
  const ho = { normal: 0, normalH: 0, failover: 0, failoverH: 0 };
  {
    const byT = new Map(samples.map((x) => [x.t, x]));
    let prev = 0;
    for (const w of wr.samples) {
      const h = (w.online * (w.t - prev)) / 3600;
      prev = w.t;
      if (byT.get(w.t)?.normal ?? true) (ho.normal += w.handoffs), (ho.normalH += h);
      else (ho.failover += w.handoffs), (ho.failoverH += h);
    }
  }
  if (fromWorld.length) {
    const byT = new Map(wr.samples.map((x) => [x.t, x]));
    for (const k of fromWorld) {
      const x = samples[k], w = byT.get(x.t)!;
      x.crossNodePairs = w.crossPairs;
      const per = w.online > 0 ? w.crossPairs / w.online : 0;
      pairs.normal += per;
      pairs.normalN++;
    }
  }
  const har = cluster.finish();
  const list = inc.list;
  const mean = (f: (x: Incident) => number) => {
    const v = list.map(f).filter((x) => !Number.isNaN(x));
    return v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN;
  };
  const ph = wr.totals.playerHours;
  return {
    world: wr,
    nodes: cfg.nodes,
    ha: har,
    config: ow,
    samples,
    incidents: list,
    totals: {
      crashes: list.length,
      cascades: list.filter((x) => x.cascade).length,
      playersPerCrash: list.length ? list.reduce((a, x) => a + x.players, 0) / list.length : 0,
      lostPlayerSeconds: zones.lost,
      plannedLostPlayerSeconds: zones.lostPlanned,
      lostPerPlayerHour: ph > 0 ? zones.lost / ph : 0,
      plannedPerPlayerHour: ph > 0 ? zones.lostPlanned / ph : 0,
      detectionMean: mean((x) => x.detection),
      // over the crashes that cut players off (a standby or an empty server's crash recovers at once)
      recoveryMean: mean((x) => (x.players > 0 ? x.recovery : NaN)),
      balancedMean: mean((x) => (x.players > 0 ? x.balanced : NaN)),
      peakOverCapacity: list.length ? Math.max(...list.map((x) => x.peakOver)) : cap.peakOver,
      reconnectBurst: inc.burstMax,
      failoverMigrations: inc.failoverMoves,
      failbackMigrations: inc.failbackMoves,
      overloadedPlayerSeconds: cap.overloadedPlayerSeconds,
      tickMean: cap.tickMean(),
      tickMax: cap.tickMax,
      handoffsNormal: ho.normalH > 0 ? ho.normal / ho.normalH : NaN,
      handoffsFailover: ho.failoverH > 0 ? ho.failover / ho.failoverH : NaN,
      crossPairsNormal: pairs.normalN ? pairs.normal / pairs.normalN : NaN,
      crossPairsFailover: pairs.failoverN ? pairs.failover / pairs.failoverN : NaN,
    },
  };
}
