/**
 * The one world (the LB world and the HA cluster on one kernel): without a
 * fault it is the LB world byte for byte; under the paper's policy with
 * static players a crash costs players x (detection + take-over + reconnect)
 * player-seconds and detection agrees with the HA model's closed form; under
 * churn, walking and random crashes every online player is either served by
 * one live node that runs its region or counted as without service.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { runWorld, type WorldConfig } from '../src/models/lb/index.ts';
import { runOneWorld, type OneWorldConfig } from '../src/models/oneworld/index.ts';
import { closedFormDetection, closedFormFailover, makeConfig } from '../src/models/ha/index.ts';

const SCHEMES = ['static', 'dynamic', 'user-centric', 'kd-tree', 'progrega'];

test('one world: with no fault the LB world is runWorld\'s, byte for byte, for every scheme and policy', () => {
  const wc: Partial<WorldConfig> = { duration: 300, initialPlayers: 300, joins: 'poisson', joinRate: 1, session: 'exponential', sessionMean: 200, mobility: 'random-waypoint', speedMax: 20 };
  for (const scheme of SCHEMES) {
    const plain = JSON.stringify(runWorld(scheme, { servers: 4 }, wc, 5));
    for (const policy of ['paper', 'spare', 'scheme'] as const) {
      const r = runOneWorld(scheme, { servers: 4 }, wc, {}, { policy }, 5);
      assert.equal(JSON.stringify(r.world), plain, `${scheme} ${policy}`);
      assert.equal(r.totals.lostPlayerSeconds, 0);
      assert.equal(r.totals.crashes, 0);
    }
  }
});

test('one world: a crash under the paper policy costs players x (detection + take-over + reconnect); detection meets the closed form', () => {
  const ha = {};
  const cfg = makeConfig(ha);
  const takeover = closedFormFailover(cfg);
  const detections: number[] = [];
  for (let seed = 1; seed <= 60; seed++) {
    const r = runOneWorld('static', { servers: 4, users: 400 }, { duration: 200, initialPlayers: 400, joins: 'none' }, ha, { policy: 'paper', failback: 'none' }, seed, [{ verb: 'crash', node: seed % 4, at: 50 }]);
    const [x] = r.incidents;
    assert.equal(r.incidents.length, 1);
    assert.ok(x.players > 0);
    const expected = x.players * (x.detection + takeover + cfg.reconnectDelay);
    // the rest is message latencies and the controller's poll (milliseconds)
    assert.ok(Math.abs(r.totals.lostPlayerSeconds - expected) <= 0.02 * expected, `seed ${seed}: ${r.totals.lostPlayerSeconds} vs ${expected}`);
    assert.ok(r.totals.lostPlayerSeconds >= expected, 'never less than the three parts');
    detections.push(x.detection);
  }
  const mean = detections.reduce((a, b) => a + b, 0) / detections.length;
  const cf = closedFormDetection(cfg);
  assert.ok(Math.abs(mean - cf) <= 0.02 * cf, `mean detection ${mean} vs closed form ${cf}`);
});

test('one world: a planned fail-back costs players x (hand-back + external IP + start + reconnect), counted apart', () => {
  const r = runOneWorld('static', { servers: 4, users: 400 }, { duration: 400, initialPlayers: 400, joins: 'none' }, {}, { policy: 'paper' }, 3, [{ verb: 'crash', node: 1, at: 20 }, { verb: 'repair', node: 1, at: 100 }]);
  const cfg = makeConfig({});
  const p = r.incidents[0].players;
  const want = p * (cfg.handbackTime + cfg.externalIpTime + cfg.startTime + cfg.reconnectDelay);
  assert.ok(Math.abs(r.totals.plannedLostPlayerSeconds - want) <= 0.02 * want, `${r.totals.plannedLostPlayerSeconds} vs ${want}`);
  assert.equal(r.totals.failoverMigrations, p);
  assert.equal(r.totals.failbackMigrations, p);
});

test('one world: every online player is served by one live node running its region, or counted without service, never both', () => {
  fc.assert(
    fc.property(
      fc.record({
        scheme: fc.constantFrom(...SCHEMES),
        policy: fc.constantFrom('paper', 'spare', 'scheme') as fc.Arbitrary<OneWorldConfig['policy']>,
        failback: fc.constantFrom('paper', 'none') as fc.Arbitrary<OneWorldConfig['failback']>,
        mobility: fc.constantFrom('static', 'random-waypoint', 'hotspot', 'group') as fc.Arbitrary<WorldConfig['mobility']>,
        session: fc.constantFrom('none', 'exponential') as fc.Arbitrary<WorldConfig['session']>,
        servers: fc.integer({ min: 2, max: 6 }),
        mtbf: fc.constantFrom(100, 300),
        pauseMtb: fc.constantFrom(0, 200),
        overloadFactor: fc.constantFrom(0, 1.2),
        cut: fc.option(fc.record({ node: fc.integer({ min: 0, max: 1 }), at: fc.integer({ min: 10, max: 300 }), isolatedServes: fc.boolean() })),
        seed: fc.integer({ min: 1, max: 1e6 }),
      }),
      (a) => {
        let checked = 0;
        runOneWorld(
          a.scheme,
          { servers: a.servers, users: 200 },
          { duration: 400, initialPlayers: 150, joins: 'poisson', joinRate: 0.5, session: a.session, sessionMean: 200, mobility: a.mobility, speedMax: 20, hotspotRate: 50 },
          { mtbf: a.mtbf, mttr: 60, bootTime: 10, pauseMtb: a.pauseMtb, pauseMean: 8 },
          { policy: a.policy, failback: a.failback, capacity: 60, overloadFactor: a.overloadFactor, overloadAfter: 10, isolatedServes: a.cut?.isolatedServes ?? false },
          a.seed,
          a.cut ? [{ at: a.cut.at, verb: 'partition', group: [a.cut.node] }, { at: a.cut.at + 60, verb: 'heal-all' }] : [],
          {
            measurePairs: false,
            afterStep: (t, v) => {
              let without = 0;
              for (let u = 0; u < v.world.n; u++) {
                const s = v.world.server[u];
                if (s < 0) continue;
                if (!v.hasService(u)) {
                  without++;
                  continue;
                }
                const h = v.hostOf(s);
                if (h < 0 || v.cluster.crashed[h] || v.cluster.hung[h] || !v.cluster.runningOn(s).includes(h)) throw new Error(`t=${t}: player ${u} of region ${s} served by node ${h}, which does not run it`);
                if (v.world.out[s]) throw new Error(`t=${t}: player ${u} on server ${s}, which is out`);
              }
              assert.equal(without, v.unserved(), `t=${t}: players without service`);
              checked++;
            },
          },
        );
        return checked > 0;
      },
    ),
    { numRuns: 25, seed: 7 },
  );
});

test('one world: every scheme and policy of a replicate sees the same crash times (common random numbers)', () => {
  const times = (scheme: string, policy: OneWorldConfig['policy']) =>
    runOneWorld(scheme, { servers: 4, users: 200 }, { duration: 3000, initialPlayers: 200, joins: 'none', mobility: 'random-waypoint' }, { mtbf: 600, mttr: 120 }, { policy }, 4)
      .incidents.filter((x) => x.node < 4)
      .map((x) => `${x.node}@${x.t}`);
  const ref = times('static', 'paper');
  assert.ok(ref.length >= 5, `${ref.length} crashes`);
  for (const scheme of SCHEMES) for (const policy of ['paper', 'spare', 'scheme'] as const) assert.deepEqual(times(scheme, policy), ref, `${scheme} ${policy}`);
});

test('one world: a server cut off from every peer: its players lose service until their region runs on a node they reach (isolatedServes false), or keep it (true)', () => {
  const cfg = makeConfig({});
  const run = (isolatedServes: boolean) =>
    runOneWorld('static', { servers: 4, users: 400 }, { duration: 400, initialPlayers: 400, joins: 'none' }, {}, { isolatedServes }, 3, [{ at: 50, verb: 'partition', group: [1] }, { at: 200, verb: 'heal-all' }]);
  assert.equal(run(true).totals.lostPlayerSeconds, 0);
  const r = run(false);
  const players = r.world.samples.find((x) => x.t === 50)!.loads[1];
  // cut off until the others declare it and take its region over, then a step to move and a reconnect; after the heal
  // the region is released on the other node and its players reconnect at home
  const lo = players * (closedFormDetection(cfg) - cfg.interval / 2 + closedFormFailover(cfg) + cfg.reconnectDelay + cfg.reconnectDelay);
  const hi = players * (closedFormDetection(cfg) + cfg.interval / 2 + closedFormFailover(cfg) + 1 + cfg.reconnectDelay + cfg.reconnectDelay);
  assert.ok(r.totals.lostPlayerSeconds >= lo && r.totals.lostPlayerSeconds <= hi, `${r.totals.lostPlayerSeconds} not in [${lo}, ${hi}]`);
  assert.equal(r.totals.failoverMigrations, players);
  assert.equal(r.totals.failbackMigrations, players);
});

test('one world: a seed replays a run; the HA options the one world sets are refused', () => {
  const go = () => JSON.stringify(runOneWorld('dynamic', { servers: 4, users: 300 }, { duration: 300, initialPlayers: 300, joins: 'none', mobility: 'random-waypoint' }, { mtbf: 200, mttr: 50 }, { policy: 'scheme' }, 9));
  assert.equal(go(), go());
  assert.throws(() => runOneWorld('static', { servers: 2 }, {}, { nodes: 3 }, {}, 1), /ha option nodes is set by the one world/);
});
