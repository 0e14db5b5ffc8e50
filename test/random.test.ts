/**
 * Random streams: independence and reproducibility, plus distribution sanity
 * checks. Seeds are fixed, so the tolerances (several standard errors) are
 * honest bounds that cannot flake.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Stream, Streams, deriveSeed } from '../src/kernel/random.ts';

const draw = (s: Stream, n: number): number[] => Array.from({ length: n }, () => s.random());

function meanSd(xs: number[]): { mean: number; sd: number } {
  let sum = 0;
  for (const x of xs) sum += x;
  const mean = sum / xs.length;
  let ss = 0;
  for (const x of xs) ss += (x - mean) ** 2;
  return { mean, sd: Math.sqrt(ss / (xs.length - 1)) };
}

test('drawing more from one stream leaves another stream unchanged', () => {
  const a1 = new Streams(42);
  const a2 = new Streams(42);
  // Interleave differently: in a2 stream B is drawn heavily before and between A's draws.
  const ref = draw(a1.get('A'), 100);
  draw(a2.get('B'), 1000);
  const got = [...draw(a2.get('A'), 50)];
  a2.get('B').normal();
  a2.get('C').shuffle([1, 2, 3]);
  draw(a2.get('B'), 333);
  got.push(...draw(a2.get('A'), 50));
  assert.deepEqual(got, ref);
});

test('same seed and name give the same draws; Streams.get returns the same stream', () => {
  const s1 = new Streams(7), s2 = new Streams(7);
  assert.equal(s1.get('x'), s1.get('x'));
  assert.deepEqual(draw(s1.get('x'), 200), draw(s2.get('x'), 200));
  const n1 = Array.from({ length: 51 }, () => s1.get('n').normal(3, 2));
  const n2 = Array.from({ length: 51 }, () => s2.get('n').normal(3, 2));
  assert.deepEqual(n1, n2);
  assert.deepEqual(draw(new Stream('abc', 'q'), 20), draw(new Stream('abc', 'q'), 20));
});

test('different names or seeds give different draws', () => {
  const base = draw(new Streams(1).get('arrivals'), 20);
  assert.notDeepEqual(draw(new Streams(1).get('departures'), 20), base);
  assert.notDeepEqual(draw(new Streams(2).get('arrivals'), 20), base);
  // No accidental concatenation collisions between (seed, name) pairs.
  assert.notDeepEqual(draw(new Stream('1', '2x'), 20), draw(new Stream('12', 'x'), 20));
  // No single draw coincides between the streams (a collision of doubles would be a red flag).
  const other = new Set(draw(new Streams(1).get('departures'), 20));
  assert.ok(base.every((x) => !other.has(x)));
});

test('deriveSeed is deterministic, 32-bit unsigned and sensitive to its parts', () => {
  const a = deriveSeed('exp', 3, 'rep', 0);
  assert.equal(a, deriveSeed('exp', 3, 'rep', 0));
  assert.ok(Number.isInteger(a) && a >= 0 && a < 2 ** 32);
  assert.notEqual(a, deriveSeed('exp', 3, 'rep', 1));
  assert.notEqual(a, deriveSeed('exp', 4, 'rep', 0));
});

const N = 100_000;

test('uniform: in range, mean (lo+hi)/2', () => {
  const s = new Stream(11, 'uniform');
  const xs = Array.from({ length: N }, () => s.uniform(2, 5));
  assert.ok(xs.every((x) => x >= 2 && x < 5));
  const { mean, sd } = meanSd(xs);
  // se = (3/sqrt(12))/sqrt(N) ~ 0.0027; allow 5 se
  assert.ok(Math.abs(mean - 3.5) < 0.014, `mean ${mean}`);
  assert.ok(Math.abs(sd - 3 / Math.sqrt(12)) < 0.01, `sd ${sd}`);
  const r = Array.from({ length: N }, () => s.random());
  assert.ok(r.every((x) => x >= 0 && x < 1));
});

test('exponential: positive, mean as given', () => {
  const s = new Stream(12, 'exp');
  const xs = Array.from({ length: N }, () => s.exponential(4));
  assert.ok(xs.every((x) => x >= 0 && Number.isFinite(x)));
  const { mean, sd } = meanSd(xs);
  // se = 4/sqrt(N) ~ 0.0126; allow 5 se
  assert.ok(Math.abs(mean - 4) < 0.065, `mean ${mean}`);
  assert.ok(Math.abs(sd - 4) < 0.12, `sd ${sd}`);
});

test('normal: mean and sd as given; lognormal is exp(normal)', () => {
  const s = new Stream(13, 'normal');
  const xs = Array.from({ length: N + 1 }, () => s.normal(10, 3)); // odd count: uses the cached spare too
  const { mean, sd } = meanSd(xs);
  // se(mean) = 3/sqrt(N) ~ 0.0095; se(sd) ~ 3/sqrt(2N) ~ 0.0067; allow 5 se
  assert.ok(Math.abs(mean - 10) < 0.05, `mean ${mean}`);
  assert.ok(Math.abs(sd - 3) < 0.035, `sd ${sd}`);
  const a = new Stream(14, 'ln'), b = new Stream(14, 'ln');
  for (let i = 0; i < 10; i++) assert.equal(a.lognormal(1, 0.5), Math.exp(b.normal(1, 0.5)));
});

test('int: both bounds inclusive, roughly uniform; empty range throws', () => {
  const s = new Stream(15, 'int');
  const counts = new Map<number, number>();
  for (let i = 0; i < 60_000; i++) {
    const k = s.int(-2, 3);
    assert.ok(Number.isInteger(k) && k >= -2 && k <= 3, `int ${k}`);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  assert.deepEqual([...counts.keys()].sort((a, b) => a - b), [-2, -1, 0, 1, 2, 3]);
  // each expected 10000, sd ~ 91; allow 5 sd
  for (const c of counts.values()) assert.ok(Math.abs(c - 10_000) < 460, `count ${c}`);
  assert.equal(s.int(5, 5), 5);
  assert.throws(() => s.int(3, 2), RangeError);
  assert.throws(() => s.int(0, NaN), RangeError);
});

test('bernoulli: frequency near p, degenerate p', () => {
  const s = new Stream(16, 'b');
  let k = 0;
  for (let i = 0; i < N; i++) if (s.bernoulli(0.3)) k++;
  // sd = sqrt(N*0.21) ~ 145; allow 5 sd
  assert.ok(Math.abs(k - 0.3 * N) < 725, `k ${k}`);
  for (let i = 0; i < 100; i++) {
    assert.equal(s.bernoulli(0), false);
    assert.equal(s.bernoulli(1), true);
  }
});

test('shuffle is a permutation and reaches every ordering; choice stays in range', () => {
  const s = new Stream(17, 'shuffle');
  const base = Array.from({ length: 50 }, (_, i) => i);
  for (let t = 0; t < 100; t++) {
    const a = base.slice();
    assert.equal(s.shuffle(a), a, 'in place');
    assert.deepEqual(a.slice().sort((x, y) => x - y), base);
  }
  const seen = new Map<string, number>();
  for (let t = 0; t < 6000; t++) {
    const key = s.shuffle(['a', 'b', 'c']).join('');
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  assert.equal(seen.size, 6);
  // each expected 1000, sd ~ 29; allow 5 sd
  for (const c of seen.values()) assert.ok(Math.abs(c - 1000) < 150, `count ${c}`);
  assert.deepEqual(s.shuffle([]), []);

  const items = ['x', 'y', 'z', 'w'] as const;
  const hits = new Map<string, number>();
  for (let i = 0; i < 4000; i++) {
    const c = s.choice(items);
    assert.ok(items.includes(c));
    hits.set(c, (hits.get(c) ?? 0) + 1);
  }
  assert.equal(hits.size, 4);
  assert.throws(() => s.choice([]), RangeError);
});

test('geometric: P(0) = p, mean (1-p)/p, the tail (1-p)^g; degenerate p', () => {
  for (const p of [0.01, 0.2, 0.7]) {
    const s = new Stream(5, `geo-${p}`);
    const n = 100_000;
    let zeros = 0, sum = 0, atLeast5 = 0;
    for (let i = 0; i < n; i++) {
      const g = s.geometric(p);
      assert.ok(Number.isInteger(g) && g >= 0);
      if (g === 0) zeros++;
      if (g >= 5) atLeast5++;
      sum += g;
    }
    const sd = (q: number) => Math.sqrt((q * (1 - q)) / n);
    assert.ok(Math.abs(zeros / n - p) < 4 * sd(p), `p=${p}: P(0) ${zeros / n}`);
    const tail = (1 - p) ** 5;
    assert.ok(Math.abs(atLeast5 / n - tail) < 4 * sd(tail) + 1e-4, `p=${p}: P(>=5) ${atLeast5 / n} vs ${tail}`);
    const mean = (1 - p) / p, sdMean = Math.sqrt((1 - p) / (p * p) / n);
    assert.ok(Math.abs(sum / n - mean) < 4 * sdMean, `p=${p}: mean ${sum / n} vs ${mean}`);
  }
  const s = new Stream(5, 'geo-edge');
  assert.equal(s.geometric(0), Infinity);
  assert.equal(s.geometric(1), 0);
});

test('summaries: the 95% interval against published numbers (Student t table, a worked example), low below high', async () => {
  const { summarize, tQuantile975 } = await import('../src/runner/stats.ts');
  // t_{0.975} from the standard table: df 1, 5, 10, 30; beyond, the expansion is within 1e-3 of the table (df 60: 2.000, 120: 1.980)
  assert.equal(tQuantile975(1), 12.706);
  assert.equal(tQuantile975(5), 2.571);
  assert.equal(tQuantile975(30), 2.042);
  assert.ok(Math.abs(tQuantile975(60) - 2.0) < 1e-3 && Math.abs(tQuantile975(120) - 1.98) < 1e-3);
  // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, sample sd 2.138, half-width 2.365 x 2.138 / sqrt 8 = 1.788
  const s = summarize([2, 4, 4, 4, 5, 5, 7, 9]);
  assert.equal(s.mean, 5);
  assert.ok(Math.abs(s.low - 3.2124) < 1e-3 && Math.abs(s.high - 6.7876) < 1e-3, JSON.stringify(s));
  assert.ok(s.low < s.mean && s.mean < s.high, 'the bounds are in order');
  assert.equal(summarize([1, Number.NaN, 3]).n, 2, 'non-finite values are left out');
});
