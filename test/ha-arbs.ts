/** Arbitraries shared by the HA tests: a fault verb at a random time (the same data a scenario file holds). */
import fc from 'fast-check';
import type { Fault } from '../src/models/ha/index.ts';

/** A fault verb at a time (the same data a scenario file holds). */
export type Op = { t: number; fault: Fault };

/** A number spread evenly over [lo, hi] in steps of 1e-4 (fast-check's doubles crowd near the ends and near 0). */
export function spread(lo: number, hi: number): fc.Arbitrary<number> {
  return fc.integer({ min: Math.round(lo * 1e4), max: Math.round(hi * 1e4) }).map((x) => x / 1e4);
}

export function opArb(N: number, tMax = 300): fc.Arbitrary<Op> {
  const node = fc.integer({ min: 0, max: N - 1 });
  const t = spread(0, tMax);
  const pair = fc.tuple(node, node).filter(([a, b]) => a !== b);
  const channel = fc.constantFrom('net' as const, 'serial' as const, 'both' as const);
  const d = spread(0.1, 40);
  const fault: fc.Arbitrary<Fault> = fc.oneof(
    fc.record({ verb: fc.constant('crash' as const), node }),
    fc.record({ verb: fc.constant('repair' as const), node }),
    fc.record({ verb: fc.constant('pause' as const), node, duration: d }),
    fc.record({ verb: fc.constant('starve' as const), node, duration: d }),
    fc.record({ verb: fc.constantFrom('cut' as const, 'heal' as const), ab: pair, channel, oneWay: fc.boolean() })
      .map(({ ab, ...r }) => ({ ...r, a: ab[0], b: ab[1] })),
    fc.record({ verb: fc.constant('loss' as const), p: fc.constantFrom(0, 0.01, 0.1, 0.3) }),
    fc.record({ verb: fc.constant('spike' as const), ab: pair, channel, extra: spread(0, 5), duration: spread(0.1, 30) })
      .map(({ ab, ...r }) => ({ ...r, a: ab[0], b: ab[1] })),
    fc.record({ verb: fc.constant('partition' as const), group: fc.subarray([...Array(N).keys()], { minLength: 1 }) }),
  );
  return fc.record({ t, fault });
}

