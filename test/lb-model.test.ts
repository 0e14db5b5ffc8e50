/** Properties of the LB model (SPEC 2.2-2.4), for every scheme. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Streams } from '../src/kernel/random.ts';
import {
  DynamicScheme,
  NONE,
  ProximityGrid,
  SEVERAL,
  UserCentricScheme,
  crossServerPairs,
  generateArrivals,
  parseArrivals,
  parseRatio,
  resolveOptions,
  runScheme,
  type LbOptions,
  type SchemeName,
} from '../src/models/lb/index.ts';

const optsArb = fc.record({
  servers: fc.oneof(fc.integer({ min: 2, max: 4 }), fc.integer({ min: 5, max: 64 })),
  users: fc.integer({ min: 1, max: 250 }),
  arrivals: fc.constantFrom('uniform', 'skew 3:1', 'skew 5:1', 'skew 1:2'),
  cellChoice: fc.constantFrom('best-boundary', 'most-loaded', 'random') as fc.Arbitrary<LbOptions['cellChoice']>,
  skipUseless: fc.boolean(),
  checkEvery: fc.integer({ min: 1, max: 5 }),
  minDifference: fc.integer({ min: 0, max: 8 }),
  viewDistance: fc.constantFrom(4, 16, 32, 64, 200),
  proximityFactor: fc.constantFrom(1.5, 2),
  threshold: fc.integer({ min: 2, max: 8 }),
});
const seedArb = fc.integer({ min: 0, max: 1_000_000 });
const SCHEMES: SchemeName[] = ['static', 'dynamic', 'user-centric', 'kd-tree', 'progrega'];

test('every scheme: after every arrival each user is on exactly one server and loads sum to n', () => {
  fc.assert(
    fc.property(optsArb, seedArb, fc.constantFrom(...SCHEMES), (o, seed, scheme) => {
      runScheme(scheme, o, seed, undefined, {
        measurePairs: false,
        afterArrival: (w) => {
          const counts = new Array(w.servers).fill(0);
          for (let u = 0; u < w.n; u++) {
            const s = w.server[u];
            assert.ok(Number.isInteger(s) && s >= 0 && s < w.servers, `user ${u} on server ${s}`);
            counts[s]++;
          }
          for (let u = w.n; u < w.server.length; u++) assert.equal(w.server[u], -1);
          assert.deepEqual(Array.from(w.loads), counts);
          assert.equal(counts.reduce((a, b) => a + b, 0), w.n);
        },
      });
    }),
    { numRuns: 60 },
  );
});

test('dynamic: every piece cell has one owner, a cell\'s users sit on its owner, migrations move whole boundary cells to a neighbour', () => {
  fc.assert(
    fc.property(optsArb, seedArb, (o, seed) => {
      let migrationsSeen = 0;
      runScheme('dynamic', o, seed, undefined, {
        measurePairs: false,
        afterArrival: (w, sch, migs) => {
          const d = sch as DynamicScheme;
          const cells = w.opts.cellRows * w.opts.cellCols;
          assert.equal(d.owner.length, cells);
          for (let c = 0; c < cells; c++) assert.ok(d.owner[c] >= 0 && d.owner[c] < w.servers);
          const inCell = new Array(cells).fill(0);
          for (let u = 0; u < w.n; u++) {
            const c = d.cellOf(w.xs[u], w.ys[u]);
            inCell[c]++;
            assert.equal(w.server[u], d.owner[c], `user ${u} of cell ${c} not on its owner`);
          }
          assert.deepEqual(Array.from(d.cellCount), inCell);
          assert.ok(migs.length <= 1, 'at most one cell per check');
          for (const m of migs) {
            migrationsSeen++;
            assert.ok(m.cell !== undefined);
            assert.equal(d.owner[m.cell!], m.to);
            // the whole cell moved: exactly the users in it
            const members: number[] = [];
            for (let u = 0; u < w.n; u++) if (d.cellOf(w.xs[u], w.ys[u]) === m.cell) members.push(u);
            assert.deepEqual([...m.users].sort((a, b) => a - b), members);
            if (w.opts.skipUseless) assert.ok(m.users.length > 0, 'skipUseless never moves an empty cell');
            // a boundary cell: it touches a cell its new owner had (a neighbour of the heaviest server)
            const { cellRows: R, cellCols: C } = w.opts;
            const row = Math.floor(m.cell! / C), col = m.cell! % C;
            const next = [col > 0 ? m.cell! - 1 : -1, col < C - 1 ? m.cell! + 1 : -1, row > 0 ? m.cell! - C : -1, row < R - 1 ? m.cell! + C : -1];
            assert.ok(next.some((c) => c >= 0 && d.owner[c] === m.to), `cell ${m.cell} went to ${m.to}, not a neighbour`);
          }
        },
      });
      return migrationsSeen >= 0;
    }),
    { numRuns: 60 },
  );
});

test('user-centric: right after a rebalance the load difference is <= 1 (2 servers), max - min < threshold always', () => {
  fc.assert(
    fc.property(optsArb, seedArb, (o, seed) => {
      runScheme('user-centric', o, seed, undefined, {
        measurePairs: false,
        afterArrival: (w, _sch, migs) => {
          if (w.n >= w.servers) assert.ok(w.imbalance() < w.opts.threshold, `imbalance ${w.imbalance()} >= threshold`);
          for (const m of migs) assert.ok(m.users.length > 0 && m.from !== m.to);
          if (migs.length > 0 && w.servers === 2) assert.ok(w.imbalance() <= 1, `imbalance ${w.imbalance()} after rebalance`);
        },
      });
    }),
    { numRuns: 60 },
  );
});

test('user-centric: the first arrivals go round-robin to the empty servers', () => {
  const r = runScheme('user-centric', { servers: 5, users: 5 }, 7);
  assert.deepEqual(Array.from(r.world.server.slice(0, 5)), [0, 1, 2, 3, 4]);
});

test('user-centric: a migration moves the heavy server\'s users nearest the light side along the centroid axis', () => {
  let checked = 0;
  fc.assert(
    fc.property(seedArb, fc.constantFrom('uniform', 'skew 3:1'), (seed, arrivals) => {
      runScheme('user-centric', { users: 300, arrivals }, seed, undefined, {
        measurePairs: false,
        afterArrival: (w, _sch, migs) => {
          if (migs.length !== 1) return; // 2 servers: one event per rebalance
          const m = migs[0];
          // undo the move to get the centroids the decision saw
          let hx = w.sumX[m.from], hy = w.sumY[m.from], hn = w.loads[m.from];
          let lx = w.sumX[m.to], ly = w.sumY[m.to], ln = w.loads[m.to];
          for (const u of m.users) {
            hx += w.xs[u]; hy += w.ys[u]; hn++;
            lx -= w.xs[u]; ly -= w.ys[u]; ln--;
          }
          const dx = lx / ln - hx / hn;
          const dy = ly / ln - hy / hn;
          const along = (u: number) => (Math.abs(dy) <= Math.abs(dx) ? (dx >= 0 ? w.xs[u] : -w.xs[u]) : dy >= 0 ? w.ys[u] : -w.ys[u]);
          let worstMoved = Infinity;
          for (const u of m.users) worstMoved = Math.min(worstMoved, along(u));
          for (let u = 0; u < w.n; u++) if (w.server[u] === m.from) assert.ok(along(u) <= worstMoved, `user ${u} left behind nearer the light side`);
          checked++;
        },
      });
    }),
    { numRuns: 15 },
  );
  assert.ok(checked > 0, 'some migrations were checked');
});

test('the proximity grid answers like a scan of all users', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.double({ min: 0, max: 299.99, noNaN: true }), fc.double({ min: 0, max: 149.99, noNaN: true }), fc.integer({ min: 0, max: 2 })), { maxLength: 200 }),
      fc.array(fc.tuple(fc.double({ min: 0, max: 299.99, noNaN: true }), fc.double({ min: 0, max: 149.99, noNaN: true })), { minLength: 1, maxLength: 30 }),
      fc.constantFrom(3, 10, 24, 48, 400),
      (users, queries, P) => {
        const n = users.length;
        const xs = Float64Array.from(users.map((u) => u[0]));
        const ys = Float64Array.from(users.map((u) => u[1]));
        const server = Int32Array.from(users.map((u) => u[2]));
        const g = new ProximityGrid(300, 150, P, 3, n);
        for (let u = 0; u < n; u++) g.add(u, xs[u], ys[u], server[u]);
        // move some users between servers, as rebalancing does
        for (let u = 0; u < n; u += 3) {
          const to = (server[u] + 1) % 3;
          g.move(u, to);
          server[u] = to;
        }
        for (const [x, y] of queries) {
          const found = new Set<number>();
          for (let u = 0; u < n; u++) if ((xs[u] - x) ** 2 + (ys[u] - y) ** 2 <= P * P) found.add(server[u]);
          const want = found.size === 0 ? NONE : found.size === 1 ? [...found][0] : SEVERAL;
          assert.equal(g.query(x, y, xs, ys), want);
        }
      },
    ),
    { numRuns: 150 },
  );
});

test('the proximity grid answers like a scan while users join, walk, change server and leave between queries', () => {
  // ops: 0 add, 1 walk, 2 change server, 3 leave, 4 query; up to 600 of them
  // (fast-check's doubles crowd the map's corners; the positions are drawn uniformly from a seeded stream instead)
  const op = fc.tuple(fc.integer({ min: 0, max: 4 }), fc.nat());
  fc.assert(
    fc.property(fc.array(op, { minLength: 1, maxLength: 600, size: 'max' }), fc.constantFrom(3, 24, 48), seedArb, (ops, P, seed) => {
      const r = new Streams(seed).get('grid-test');
      const cap = ops.length;
      const xs = new Float64Array(cap), ys = new Float64Array(cap);
      const server = new Int32Array(cap).fill(-1);
      // a pool of 16 cell entries: snapshots are retaken often
      const g = new ProximityGrid(300, 150, P, 3, cap, 16);
      let n = 0;
      const online: number[] = [];
      for (const [kind, pick] of ops) {
        const x = r.uniform(0, 300), y = r.uniform(0, 150);
        if (kind === 0 || online.length === 0) {
          const u = n++;
          xs[u] = x;
          ys[u] = y;
          server[u] = pick % 3;
          g.add(u, x, y, server[u]);
          online.push(u);
          continue;
        }
        const i = pick % online.length, u = online[i];
        if (kind === 1) {
          xs[u] = x;
          ys[u] = y;
          g.reposition(u, x, y);
        } else if (kind === 2) {
          server[u] = (server[u] + 1 + (pick % 2)) % 3;
          g.move(u, server[u]);
        } else if (kind === 3) {
          g.remove(u);
          server[u] = -1;
          online.splice(i, 1);
        } else {
          // near a user (within 1.2 P of it), where the answer is not always NONE
          const qx = xs[u] + (x / 300 - 0.5) * 2.4 * P, qy = ys[u] + (y / 150 - 0.5) * 2.4 * P;
          const found = new Set<number>();
          for (const v of online) if ((xs[v] - qx) ** 2 + (ys[v] - qy) ** 2 <= P * P) found.add(server[v]);
          const want = found.size === 0 ? NONE : found.size === 1 ? [...found][0] : SEVERAL;
          assert.equal(g.query(qx, qy, xs, ys), want);
        }
      }
    }),
    { numRuns: 150, endOnFailure: true }, // positions follow the seed's stream, so shrinking the ops gains little and takes minutes
  );
});

test('cross-server pairs match a scan of all pairs', () => {
  fc.assert(
    fc.property(seedArb, fc.constantFrom(8, 32, 100), (seed, v) => {
      const o = resolveOptions({ users: 150 });
      const r = runScheme('user-centric', o, seed);
      const w = r.world;
      let want = 0;
      for (let a = 0; a < w.n; a++)
        for (let b = a + 1; b < w.n; b++)
          if (w.server[a] !== w.server[b] && (w.xs[a] - w.xs[b]) ** 2 + (w.ys[a] - w.ys[b]) ** 2 <= v * v) want++;
      assert.equal(crossServerPairs(w.xs, w.ys, w.server, w.n, v, o.mapWidth, o.mapHeight), want);
    }),
    { numRuns: 20 },
  );
});

test('same seed gives the same result; the arrivals are shared by all schemes', () => {
  fc.assert(
    fc.property(optsArb, seedArb, fc.constantFrom(...SCHEMES), (o, seed, scheme) => {
      const a = runScheme(scheme, o, seed);
      const b = runScheme(scheme, o, seed);
      assert.deepEqual(a.buckets, b.buckets);
      assert.deepEqual(a.total, b.total);
      assert.deepEqual(Array.from(a.world.server), Array.from(b.world.server));
      assert.deepEqual(a.migrations, b.migrations);
      const arr = generateArrivals(resolveOptions(o), seed);
      assert.deepEqual(Array.from(a.world.xs), Array.from(arr.xs));
    }),
    { numRuns: 30 },
  );
});

test('skew arrivals put R/(R+S) of the users in the hot region', () => {
  const o = resolveOptions({ users: 20000, arrivals: 'skew 3:1' });
  const arr = generateArrivals(o, 3);
  let hot = 0;
  for (let i = 0; i < o.users; i++) if (arr.xs[i] < 512 && arr.ys[i] < 512) hot++;
  assert.ok(Math.abs(hot / o.users - 0.75) < 0.015, `hot share ${hot / o.users}`);
});

test('ratios and arrivals: R:1 and R:S with positive numbers, anything else is a one-line error', () => {
  assert.deepEqual(parseRatio('3:1'), { r: 3, s: 1 });
  assert.deepEqual(parseRatio(' 2.5 : 2 '), { r: 2.5, s: 2 });
  for (const bad of ['3', '3:0', '0:1', '-1:1', 'a:b', '3:1:1', '', '3:', ':1']) {
    assert.throws(() => parseRatio(bad), (e: Error) => e instanceof Error && !e.message.includes('\n') && /ratio/.test(e.message), bad);
  }
  assert.deepEqual(parseArrivals('skew 4:1'), { kind: 'skew', ratio: { r: 4, s: 1 } });
  assert.throws(() => parseArrivals('gaussian'), /arrivals/);
  assert.throws(() => resolveOptions({ servers: 0 }), /servers/);
  assert.throws(() => resolveOptions({ viewDistance: -1 }), /viewDistance/);
});

test('static partition never migrates and splits at the centre line', () => {
  const r = runScheme('static', {}, 11);
  assert.equal(r.total.migratedUsers, 0);
  for (let u = 0; u < r.world.n; u++) assert.equal(r.world.server[u], r.world.xs[u] < 512 ? 0 : 1);
});

test('user-centric scheme exposes which rule placed each user', () => {
  const rules = new Set<string>();
  runScheme('user-centric', { users: 300 }, 5, undefined, { afterArrival: (_w, s) => void rules.add((s as UserCentricScheme).lastRule) });
  assert.deepEqual([...rules].sort(), ['centroid', 'proximity', 'round-robin']);
});

test('dynamic: the piece-cell grid is sized for the servers (the paper\'s 4 x 8 for 2), and given sizes are kept', () => {
  const grid = (o: Partial<LbOptions>) => { const r = resolveOptions(o); return [r.cellRows, r.cellCols]; };
  assert.deepEqual(grid({}), [4, 8]);
  assert.deepEqual(grid({ servers: 8 }), [8, 16]);
  for (const servers of [3, 5, 16, 33, 64]) {
    const [r, c] = grid({ servers });
    assert.ok(Math.abs(r * c - 16 * servers) <= Math.max(r, c), `${servers} servers: ${r} x ${c}`);
    assert.ok(Math.abs((1024 / c) / (512 / r) - 1) < 0.35, `${servers} servers: cells ${1024 / c} x ${512 / r} are far from square`);
  }
  assert.deepEqual(grid({ cellRows: 3, cellCols: 5, servers: 16 }), [3, 5]);
  assert.deepEqual(grid({ cellRows: 2, servers: 4 }), [2, 32]);
});
