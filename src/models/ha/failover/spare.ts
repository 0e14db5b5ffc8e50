/**
 * N + k: a standby that is up and holds nothing yet takes every orphan (the
 * lowest id); when every standby is busy or down, the paper's election
 * (the least-loaded node that is up).
 */
import type { Candidate } from '../failover.ts';
import { leastLoaded, lowest } from './paper.ts';

export function spareFirst(orphans: number[], candidates: Candidate[]): number {
  return lowest(candidates, (c) => c.up && c.spare && c.held === 0) ?? leastLoaded(orphans, candidates);
}
