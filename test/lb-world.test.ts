/**
 * The LB world in time (players who join, leave and move): it is the paper's
 * run when nothing moves or leaves, its indices stay consistent under churn
 * and movement for every scheme, hand-offs are counted apart from
 * migrations, and a seed replays a run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Streams } from '../src/kernel/random.ts';
import {
  DynamicScheme, KdTreeScheme, NONE, SEVERAL, StaticScheme, UserCentricScheme, World, makeScheme, resolveOptions, resolveWorld, runScheme, runWorld, sessionLength,
  type WorldConfig,
} from '../src/models/lb/index.ts';

const SCHEMES = ['static', 'dynamic', 'user-centric', 'kd-tree', 'progrega'];

test('world in time: with paper joins, no sessions and static players it is the paper\'s run, migration for migration', () => {
  for (const scheme of SCHEMES)
    for (const lb of [{}, { arrivals: 'skew 3:1' }, { servers: 4, users: 600 }]) {
      const users = (lb as { users?: number }).users ?? 1000;
      const a = runScheme(scheme, lb, 11, undefined, { measurePairs: false });
      const b = runWorld(scheme, lb, { duration: users }, 11, { measurePairs: false });
      const label = `${scheme} ${JSON.stringify(lb)}`;
      assert.equal(b.totals.migratedUsers, a.total.migratedUsers, label);
      assert.equal(b.totals.migrationEvents, a.total.migrationEvents, label);
      assert.deepEqual(b.samples.at(-1)!.loads, Array.from(a.world.loads), label);
      assert.equal(b.totals.handoffs, 0, label);
    }
});

const worldArb = fc.record({
  initialPlayers: fc.integer({ min: 0, max: 150 }),
  joins: fc.constantFrom('paper', 'poisson', 'none') as fc.Arbitrary<WorldConfig['joins']>,
  joinRate: fc.constantFrom(0.5, 2),
  session: fc.constantFrom('none', 'exponential', 'lognormal', 'pareto') as fc.Arbitrary<WorldConfig['session']>,
  sessionMean: fc.constantFrom(20, 100),
  mobility: fc.constantFrom('static', 'random-waypoint', 'hotspot', 'group') as fc.Arbitrary<WorldConfig['mobility']>,
  speedMax: fc.constantFrom(5, 40),
  hotspotRate: fc.constantFrom(20, 200),
  hotspotDuration: fc.constantFrom(10, 60),
  partySize: fc.integer({ min: 1, max: 6 }),
  duration: fc.constantFrom(60, 150),
  step: fc.constantFrom(1, 2.5),
});
const lbArb = fc.record({ servers: fc.integer({ min: 2, max: 16 }), users: fc.integer({ min: 1, max: 200 }), threshold: fc.integer({ min: 2, max: 8 }), viewDistance: fc.constantFrom(16, 64) });

test('world in time, every scheme: each online player on exactly one server, loads sum, a player who left is in no index', () => {
  fc.assert(
    fc.property(lbArb, worldArb, fc.integer({ min: 0, max: 1e6 }), fc.constantFrom(...SCHEMES), (lb, wc, seed, scheme) => {
      let checked = 0;
      runWorld(scheme, lb, wc, seed, {
        measurePairs: false,
        afterStep: (_t, w, sch, online) => {
          const counts = new Array(w.servers).fill(0);
          const on = new Uint8Array(w.n);
          for (const u of online) {
            on[u] = 1;
            assert.ok(w.server[u] >= 0 && w.server[u] < w.servers, `online ${u} on server ${w.server[u]}`);
            counts[w.server[u]]++;
          }
          for (let u = 0; u < w.n; u++) if (!on[u]) assert.equal(w.server[u], -1, `offline ${u} still on a server`);
          assert.deepEqual(Array.from(w.loads), counts);
          assert.equal(w.count, online.length);
          for (let s = 0; s < w.servers; s++) assert.deepEqual([...w.usersOf(s)].sort((a, b) => a - b), online.filter((u) => w.server[u] === s).sort((a, b) => a - b));
          if (sch instanceof DynamicScheme) {
            const cells = new Array(sch.owner.length).fill(0);
            for (const u of online) {
              const c = sch.cellOf(w.xs[u], w.ys[u]);
              cells[c]++;
              assert.equal(w.server[u], sch.owner[c], `user ${u} not on the owner of its cell`);
            }
            assert.deepEqual(Array.from(sch.cellCount), cells);
          }
          if (sch instanceof KdTreeScheme) for (const u of online) assert.equal(w.server[u], sch.locate(w.xs[u], w.ys[u]), `user ${u} outside its rectangle`);
          if (sch instanceof StaticScheme)
            for (const u of online) {
              const [x0, x1] = StaticScheme.region(w.opts, w.server[u]);
              assert.ok(w.xs[u] >= x0 && w.xs[u] < x1, `user ${u} at x ${w.xs[u]} outside its region [${x0}, ${x1})`);
            }
          if (sch instanceof UserCentricScheme && online.length > 0) {
            // the proximity index answers as a scan of the online players would
            const P = w.opts.proximityFactor * w.opts.viewDistance;
            for (const u of online.slice(0, 5)) {
              const x = w.xs[u] + 7, y = w.ys[u] - 3;
              const near = new Set(online.filter((v) => (w.xs[v] - x) ** 2 + (w.ys[v] - y) ** 2 <= P * P).map((v) => w.server[v]));
              const want = near.size === 0 ? NONE : near.size === 1 ? [...near][0] : SEVERAL;
              assert.equal(sch.grid.query(x, y, w.xs, w.ys), want);
            }
          }
          checked++;
        },
      });
      return checked > 0;
    }),
    { numRuns: 80 },
  );
});

test('world in time: hand-offs are not migrations (a player\'s migration count moves only with rebalancing), user-centric never hands off', () => {
  for (const scheme of SCHEMES) {
    let moves = 0;
    const r = runWorld(scheme, { servers: 8 }, { initialPlayers: 400, joins: 'none', mobility: 'random-waypoint', speedMax: 20, duration: 600 }, 3, {
      measurePairs: false,
      afterStep: (t, w) => {
        if (t === 600) for (let u = 0; u < w.n; u++) moves += w.moves[u];
      },
    });
    assert.equal(moves, r.totals.migratedUsers, scheme);
    if (scheme === 'user-centric') assert.equal(r.totals.handoffs, 0);
    else assert.ok(r.totals.handoffs > 50, `${scheme}: ${r.totals.handoffs} hand-offs of 400 players walking for 10 minutes`);
  }
});

test('world in time: one seed replays a run byte for byte; another seed gives another run', () => {
  const wc: Partial<WorldConfig> = { initialPlayers: 300, joins: 'poisson', joinRate: 1, session: 'pareto', sessionMean: 300, mobility: 'hotspot', hotspotRate: 30, duration: 900 };
  for (const scheme of SCHEMES) {
    const a = JSON.stringify(runWorld(scheme, { servers: 4 }, wc, 5));
    assert.equal(JSON.stringify(runWorld(scheme, { servers: 4 }, wc, 5)), a, scheme);
    assert.notEqual(JSON.stringify(runWorld(scheme, { servers: 4 }, wc, 6)), a, scheme);
  }
});

test('session lengths have the mean asked for: exponential, lognormal (exp(mu + sigma^2/2)) and Pareto (xm alpha / (alpha - 1))', () => {
  for (const session of ['exponential', 'lognormal', 'pareto'] as const) {
    const c = resolveWorld({ session, sessionMean: 1800, sessionSigma: 0.8, sessionShape: 3 });
    const r = new Streams(1).get('sessions');
    let sum = 0;
    const n = 200_000;
    for (let i = 0; i < n; i++) sum += sessionLength(c, r);
    assert.ok(Math.abs(sum / n / 1800 - 1) < 0.02, `${session}: mean ${sum / n}`);
  }
  assert.equal(sessionLength(resolveWorld({}), new Streams(1).get('sessions')), Infinity);
});

test('world options: bad values are one-line errors', () => {
  assert.throws(() => resolveWorld({ speedMin: 5, speedMax: 1 }), /speedMax \(1\) must not be below speedMin \(5\)/);
  assert.throws(() => resolveWorld({ mobility: 'teleport' as WorldConfig['mobility'] }), /mobility/);
  assert.throws(() => resolveWorld({ sessionShape: 1 }), /sessionShape/);
  assert.throws(() => runWorld('static', {}, { step: 10, duration: 5 }, 1), /step \(10\) must not exceed duration \(5\)/);
});

test('kd-tree: one rectangle per server; moving the cuts evens the loads of a crowd in one corner', () => {
  let last = { hi: 0, lo: 0, mean: 0 };
  // every player spawns in the hot corner (skew 1000:1) and stays: the first cuts are geometric, so the corner's servers fill up
  const r = runWorld('kd-tree', { servers: 8, arrivals: 'skew 1000:1', threshold: 4 }, { initialPlayers: 2000, joins: 'none', duration: 5 }, 2, {
    measurePairs: false,
    afterStep: (_t, w) => {
      last = { hi: Math.max(...w.loads), lo: Math.min(...w.loads), mean: w.count / w.servers };
    },
  });
  assert.ok(r.totals.migratedUsers > 500, `${r.totals.migratedUsers} migrated`);
  assert.ok(last.hi <= last.mean * 1.1 + 1, `busiest ${last.hi} against a mean of ${last.mean}`);
  assert.ok(last.lo >= last.mean * 0.9 - 1, `least loaded ${last.lo} against a mean of ${last.mean}`);
});

test('progrega: an overloaded server sheds boundary cells to a less loaded neighbour, never leaving it busier than the giver', () => {
  const run = (scheme: string) => {
    const r = runWorld(scheme, { servers: 8, arrivals: 'skew 3:1', threshold: 4 }, { initialPlayers: 3000, joins: 'none', mobility: 'random-waypoint', duration: 300 }, 4, { measurePairs: false });
    return { r };
  };
  const p = run('progrega'), st = run('static');
  assert.ok(p.r.totals.migrationEvents > 0);
  assert.ok(p.r.totals.maxOverMean < 0.7 * st.r.totals.maxOverMean, `progrega max/mean ${p.r.totals.maxOverMean} against static ${st.r.totals.maxOverMean}`);
  let checked = 0;
  runWorld('progrega', { servers: 8, arrivals: 'skew 3:1', threshold: 4 }, { initialPlayers: 3000, joins: 'none', mobility: 'random-waypoint', duration: 120 }, 4, {
    measurePairs: false,
    afterStep: (_t, w, sch) => {
      const d = sch as DynamicScheme;
      const { cellRows: R, cellCols: C } = w.opts;
      // every server's region: its cells hold exactly its players (checked in the property test); here, no region is empty
      for (let s = 0; s < w.servers; s++) assert.ok(d.owner.includes(s), `server ${s} lost every cell`);
      assert.equal(d.owner.length, R * C);
      checked++;
    },
  });
  assert.ok(checked > 0);
});

test('schemes experiment (claims): on walking players the user-centric scheme migrates least of the rebalancing schemes and splits the most pairs; the static partition is the most uneven', async () => {
  const { schemes } = await import('../experiments/schemes.ts');
  const { runExperiment } = await import('../src/runner/run.ts');
  const { resolveParams } = await import('../src/runner/params.ts');
  const res = await runExperiment(schemes, resolveParams(schemes, { workload: 'moving', servers: '8' }), { seeds: 5, seed: 1, workers: 1 });
  const m = (scheme: string, metric: string) => Number(res.summary.find((r) => r.scheme === scheme && r.metric === metric)!.mean);
  const balancing = ['dynamic', 'kd-tree', 'progrega'];
  for (const s of balancing) {
    assert.ok(m('user-centric', 'migrationsPerPlayerHour') < m(s, 'migrationsPerPlayerHour') / 3, `user-centric ${m('user-centric', 'migrationsPerPlayerHour')} against ${s} ${m(s, 'migrationsPerPlayerHour')}`);
    assert.ok(m('user-centric', 'crossPairsPerPlayer') > 2 * m(s, 'crossPairsPerPlayer'), `pairs: user-centric ${m('user-centric', 'crossPairsPerPlayer')} against ${s} ${m(s, 'crossPairsPerPlayer')}`);
  }
  for (const s of [...balancing, 'user-centric']) assert.ok(m('static', 'maxOverMean') > m(s, 'maxOverMean') + 0.2, `static ${m('static', 'maxOverMean')} against ${s}`);
  assert.equal(m('user-centric', 'handoffsPerPlayerHour'), 0);
});

test('progrega and kd-tree: the trigger at its exact boundaries (load > (1 + kdTolerance) x mean, and max - min >= threshold)', () => {
  // two servers on a 2 x 4 grid of cells; `a` players on server 0 (one alone in a cell on the border, the rest in another cell), `b` on server 1
  const rebalances = (scheme: 'progrega' | 'kd-tree', a: number, b: number, threshold: number, kdTolerance: number) => {
    const opts = resolveOptions({ servers: 2, cellRows: 2, cellCols: 4, threshold, kdTolerance, checkEvery: 1 });
    const n = a + b;
    const w = new World(opts, new Float64Array(n), new Float64Array(n));
    const sch = makeScheme(scheme, w, new Streams(1).get('cell-choice'));
    const cw = opts.mapWidth / 4, ch = opts.mapHeight / 2;
    const at = (col: number, row: number): [number, number] => [(col + 0.5) * cw, (row + 0.5) * ch];
    const spots: Array<[number, number]> = [at(1, 0), ...Array(a - 1).fill(at(0, 0)), ...Array(b).fill(at(3, 1))];
    spots.forEach(([x, y], u) => {
      w.xs[u] = x;
      w.ys[u] = y;
      sch.assign(u);
    });
    assert.deepEqual([...w.loads], [a, b], `${scheme}: the players landed on the servers meant`);
    return sch.rebalance().length > 0;
  };
  for (const scheme of ['progrega', 'kd-tree'] as const) {
    // max - min at the threshold: moves; one below: does not (the load is well above the mean in both)
    assert.equal(rebalances(scheme, 13, 7, 6, 0.1), true, `${scheme}: 13 against 7, threshold 6`);
    assert.equal(rebalances(scheme, 12, 7, 6, 0.1), false, `${scheme}: 12 against 7, threshold 6`);
    // the busiest at exactly (1 + 0.25) x the mean (exact in binary): not overloaded; one more player: overloaded
    assert.equal(rebalances(scheme, 10, 6, 2, 0.25), false, `${scheme}: 10 against 6 (mean 8, limit 10)`);
    assert.equal(rebalances(scheme, 11, 6, 2, 0.25), true, `${scheme}: 11 against 6 (mean 8.5, limit 10.625)`);
  }
});
