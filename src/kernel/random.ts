/**
 * Named random streams. Each stream is an alea generator seeded from
 * (run seed, stream name), so drawing more from one stream never changes the
 * numbers of another. Models get every random number from a Stream.
 */
import seedrandom from 'seedrandom';

export class Stream {
  private readonly next: () => number;
  private spareNormal: number | undefined = undefined;

  constructor(readonly seed: number | string, readonly name: string) {
    this.next = seedrandom.alea(`${seed}\u0000${name}`);
  }

  /** Uniform in [0, 1). */
  random(): number {
    return this.next();
  }

  /** Uniform in [lo, hi). */
  uniform(lo = 0, hi = 1): number {
    return lo + (hi - lo) * this.next();
  }

  /** Integer uniform in [lo, hi] (both inclusive). */
  int(lo: number, hi: number): number {
    if (!(hi >= lo)) throw new RangeError(`int(${lo}, ${hi}): empty range`);
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  /** True with probability p. */
  bernoulli(p: number): boolean {
    return p > 0 && this.next() < p;
  }

  /**
   * Failures before the first success of Bernoulli(p) trials: P(g) = (1-p)^g p,
   * by inversion. Infinity when p = 0. One draw stands for a whole run of
   * trials (e.g. the messages a channel delivers before it loses one).
   */
  geometric(p: number): number {
    if (!(p > 0)) return Infinity;
    if (p >= 1) return 0;
    // 1 - u is in (0, 1], so the log is finite and <= 0
    return Math.floor(Math.log(1 - this.next()) / Math.log1p(-p));
  }

  /** Exponential with the given mean (not rate). */
  exponential(mean: number): number {
    // 1 - u is in (0, 1], so the log is finite
    return -mean * Math.log(1 - this.next());
  }

  /** Normal(mu, sigma) by the polar Box-Muller method (caches the spare draw). */
  normal(mu = 0, sigma = 1): number {
    if (this.spareNormal !== undefined) {
      const z = this.spareNormal;
      this.spareNormal = undefined;
      return mu + sigma * z;
    }
    let u: number, v: number, s: number;
    do {
      u = 2 * this.next() - 1;
      v = 2 * this.next() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const m = Math.sqrt((-2 * Math.log(s)) / s);
    this.spareNormal = v * m;
    return mu + sigma * u * m;
  }

  /** Lognormal whose underlying normal has parameters (mu, sigma). */
  lognormal(mu: number, sigma: number): number {
    return Math.exp(this.normal(mu, sigma));
  }

  /** One element drawn uniformly. */
  choice<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('choice from an empty list');
    return items[Math.floor(this.next() * items.length)];
  }

  /** Fisher-Yates shuffle in place; returns the array. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const t = items[i];
      items[i] = items[j];
      items[j] = t;
    }
    return items;
  }
}

/** The random streams of one run: `streams.get('arrivals')` always returns the same Stream. */
export class Streams {
  private readonly byName = new Map<string, Stream>();
  constructor(readonly seed: number | string) {}
  /** A keyed stream of this run (see KeyedStream): the same numbers for the same name and key. */
  keyed(name: string): KeyedStream {
    return new KeyedStream(this.seed, name);
  }
  get(name: string): Stream {
    let s = this.byName.get(name);
    if (!s) {
      s = new Stream(this.seed, name);
      this.byName.set(name, s);
    }
    return s;
  }
}

const TWO32 = 2 ** 32;

/** murmur3's 32-bit finalizer: every input bit flips each output bit with probability about 1/2. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * A keyed stream: a uniform number for each key (a, b), the same whoever asks
 * and in whatever order. Seeded from (run seed, stream name) like a Stream;
 * the key is hashed with murmur3's finalizer, chained (a bijection of b for
 * each a), into 32 bits: steps of 2^-32. Used where a draw must not depend on
 * when it is made: copy k of a heartbeat stream gets its latency from
 * (channel, k), so every schedule of the same model draws the same numbers.
 */
export class KeyedStream {
  private readonly s0: number;

  constructor(readonly seed: number | string, readonly name: string) {
    const g = seedrandom.alea(`${seed}\u0000${name}\u0000keyed`);
    this.s0 = g.int32() >>> 0;
  }

  /** Uniform in [0, 1) for the key (a, b): non-negative integers, b below 2^53. */
  at(a: number, b: number): number {
    const lo = b >>> 0;
    let h = fmix32(this.s0 ^ lo);
    if (b !== lo) h = fmix32(h ^ Math.imul((b - lo) / TWO32 + 1, 0x85ebca77));
    h = fmix32(h ^ Math.imul(a + 1, 0x9e3779b1));
    return h / TWO32;
  }
}

/** Derive a 32-bit unsigned seed from any parts (used for per-run seeds). */
export function deriveSeed(...parts: (string | number)[]): number {
  const g = seedrandom.alea(parts.join('\u0000'));
  return g.int32() >>> 0;
}
