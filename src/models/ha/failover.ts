/**
 * Fail-over policies: who takes over the services nobody holds. The
 * controller polls, finds the orphans and asks the policy; each policy is one
 * file in failover/ and one line of registration below (as detectors are).
 */
import { Registry } from '../../registry.ts';
import { leastLoaded } from './failover/paper.ts';
import { spareFirst } from './failover/spare.ts';
import { external } from './failover/external.ts';

/** A node that answered the controller's poll. */
export interface Candidate {
  node: number;
  /** Users of the services it runs or starts. */
  load: number;
  /** It is up (not booting or failing back). */
  up: boolean;
  /** It is the home of no service (a standby). */
  spare: boolean;
  /** Services it runs or starts. */
  held: number;
}

/**
 * The node that takes over the orphaned services `orphans` (candidates in
 * id order; at least one), or -1: nobody takes them over here, and the
 * controller tells the `orphaned` signal instead (someone outside the HA
 * model deals with them).
 */
export type FailoverPolicy = (orphans: number[], candidates: Candidate[]) => number;

const POLICIES = new Registry<FailoverPolicy>('fail-over policy');

/** Register a fail-over policy under a name (the option `failoverPolicy` then accepts it). */
export function registerFailoverPolicy(name: string, policy: FailoverPolicy): void {
  POLICIES.register(name, policy);
}

export function failoverPolicyNames(): string[] {
  return POLICIES.names();
}

export function failoverPolicy(name: string): FailoverPolicy {
  return POLICIES.get(name);
}

registerFailoverPolicy('paper', leastLoaded);
registerFailoverPolicy('spare', spareFirst);
registerFailoverPolicy('external', external);
