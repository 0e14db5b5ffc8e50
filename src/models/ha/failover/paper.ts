/**
 * The HA paper's election: the least-loaded node that is up takes every
 * orphan (ties: the lowest id); a node still failing back only when nobody
 * is up.
 */
import type { Candidate } from '../failover.ts';

export function leastLoaded(_orphans: number[], candidates: Candidate[]): number {
  return lowest(candidates, (c) => c.up) ?? lowest(candidates, () => true) ?? -1;
}

/** The least-loaded candidate that passes `ok` (ties: the lowest id). */
export function lowest(candidates: Candidate[], ok: (c: Candidate) => boolean): number | undefined {
  let best: number | undefined, bestLoad = Infinity;
  for (const c of candidates)
    if (ok(c) && c.load < bestLoad) {
      best = c.node;
      bestLoad = c.load;
    }
  return best;
}
