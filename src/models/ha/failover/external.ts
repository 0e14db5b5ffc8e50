/**
 * Nobody in the cluster takes the orphans over: the controller tells the
 * `orphaned` signal, and whoever listens deals with them (the one world's
 * `scheme` policy: the load balancer spreads the failed server's region over
 * the survivors).
 */
import type { Candidate } from '../failover.ts';

export function external(_orphans: number[], _candidates: Candidate[]): number {
  return -1;
}
