/**
 * The membership model's options, declared once: the group, the protocol and
 * its knobs (SWIM's, and Lifeguard's extensions), the network, and the
 * faults that matter at scale. Presets give the published defaults.
 */
import { defaultsOf, validateOptions, type ConfigOf } from '../../schema.ts';
import { membershipProtocol, membershipProtocolNames } from './protocols.ts';
import { failoverPolicyNames } from '../ha/failover.ts';

export const MEMBERSHIP_OPTIONS = {
  nodes: { type: 'integer', default: 64, min: 3, max: 20000, group: 'group', help: 'members of the group' },
  protocol: { type: 'string', default: 'swim', group: 'protocol', help: "'swim' (Das, Gupta, Motivala 2002: probes, indirect probes, suspicion, piggybacked dissemination), 'lifeguard' (SWIM with HashiCorp's local health aware probe, local health aware suspicion and buddy system), 'k-monitors' (each member heartbeats to `monitors` members that watch it with a timeout, as Akka's cluster does with 5; suspicion and dissemination as SWIM's) 'all-to-all' (every member watches every other: the HA paper's heartbeats, at most 2,000 members), or one added with registerMembershipProtocol" },
  monitors: { type: 'integer', default: 5, min: 1, max: 64, group: 'protocol', help: "k-monitors: members that watch each member (its successors on a ring; Akka's monitored-by-nr-of-members: 5)" },
  heartbeatTimeout: { type: 'number', default: 4, greaterThan: 0, group: 'protocol', help: 'k-monitors and all-to-all: a watcher suspects a member it has not heard for this long (s; heartbeats every probeInterval)' },
  targets: { type: 'enum', default: 'round-robin', choices: ['round-robin', 'random'], group: 'protocol', help: "probe targets: 'round-robin' over a fresh random order each pass (SWIM's time-bounded completeness; memberlist) or 'random' each period (the SWIM paper's analysis)" },
  phases: { type: 'enum', default: 'random', choices: ['random', 'aligned'], group: 'protocol', help: "members' protocol periods: 'random' phases, or 'aligned' (every member starts its period together: the SWIM paper's rounds)" },
  probeInterval: { type: 'number', default: 1, greaterThan: 0, group: 'protocol', help: 'protocol period T (s)' },
  probeTimeout: { type: 'number', default: 0.5, greaterThan: 0, group: 'protocol', help: 'wait this long for the direct ack before asking others (s)' },
  indirectChecks: { type: 'integer', default: 3, min: 0, max: 32, group: 'protocol', help: 'k members asked to probe indirectly' },
  suspicionMult: { type: 'number', default: 4, greaterThan: 0, group: 'protocol', help: 'suspicion timeout = suspicionMult x max(1, log10 N) x probeInterval (memberlist)' },
  suspicionMaxMult: { type: 'number', default: 6, min: 1, group: 'protocol', help: 'lifeguard: the suspicion timeout starts at this times the above and shrinks with independent confirmations' },
  retransmitMult: { type: 'number', default: 4, greaterThan: 0, group: 'protocol', help: 'an update is piggybacked retransmitMult x ceil(log10(N + 1)) times' },
  piggyback: { type: 'integer', default: 8, min: 1, max: 64, group: 'protocol', help: 'updates carried by one message at most' },
  awarenessMax: { type: 'integer', default: 8, min: 1, max: 64, group: 'protocol', help: 'lifeguard: the local health multiplier goes up to this (probe timeout and interval scale by it)' },
  latency: { type: 'number', default: 0.0005, greaterThan: 0, group: 'network', help: 'one-way latency (s)' },
  jitter: { type: 'number', default: 0.0002, min: 0, group: 'network', help: 'latency + uniform(0, jitter) (s)' },
  loss: { type: 'number', default: 0, min: 0, lessThan: 1, group: 'network', help: 'loss probability of every message' },
  racks: { type: 'integer', default: 1, min: 1, max: 1000, group: 'network', help: 'members are spread round-robin over this many racks (a rack partition cuts one off)' },
  slowShare: { type: 'number', default: 0, min: 0, max: 1, group: 'faults', help: 'share of slow members (CPU-starved: every message they receive and every timer of theirs waits slowDelay)' },
  slowDelay: { type: 'number', default: 2, min: 0, group: 'faults', help: 'slow members: the delay of their processing (s, exponential mean)' },
  failover: { type: 'boolean', default: false, group: 'failover', help: 'run the HA fail-over on the members\' views: member h is the home of service h (but the last `spares`), and every member runs what its own view gives it (services.ts)' },
  spares: { type: 'integer', default: 0, min: 0, max: 20000, group: 'failover', help: 'failover: the last this many members are standbys, homes of no service' },
  failoverPolicy: { type: 'string', default: 'paper', group: 'failover', help: "failover: the HA model's fail-over policy that picks among a dead home's candidates ('paper': the least loaded, 'spare': a standby first, 'external': nobody; or one added with registerFailoverPolicy)" },
  failoverCandidates: { type: 'integer', default: 3, min: 1, max: 64, group: 'failover', help: 'failover: the live members (in a member\'s view) after a dead home on the ring that may take its service over' },
  takeover: { type: 'number', default: 2, min: 0, group: 'failover', help: 'failover: seconds from a member\'s decision to take a service over until it runs it (a home runs its own at once)' },
  mtbf: { type: 'number', default: 0, min: 0, group: 'faults', help: 'mean time between crashes per member (s, exponential; 0 = none); repaired after mttr, rejoining with a new incarnation' },
  mttr: { type: 'number', default: 60, greaterThan: 0, group: 'faults', help: 'mean time to repair (s, exponential)' },
} as const;

export type MembershipConfig = ConfigOf<typeof MEMBERSHIP_OPTIONS>;
export const MEMBERSHIP_DEFAULTS: MembershipConfig = defaultsOf(MEMBERSHIP_OPTIONS);

/** Published defaults. */
export const MEMBERSHIP_PRESETS: Record<string, Partial<MembershipConfig>> = {
  /** The SWIM paper's protocol as analysed: random targets in aligned rounds. */
  'swim-paper': { protocol: 'swim', targets: 'random', phases: 'aligned' },
  /** hashicorp/memberlist DefaultLANConfig: probe 1 s, timeout 500 ms, 3 indirect probes, suspicion 4 x max(1, log10 N) s up to 6x, retransmit 4. */
  'memberlist-lan': { protocol: 'lifeguard', probeInterval: 1, probeTimeout: 0.5, indirectChecks: 3, suspicionMult: 4, suspicionMaxMult: 6, retransmitMult: 4, awarenessMax: 8 },
};

export function resolveMembership(partial: Partial<MembershipConfig> = {}): MembershipConfig {
  const c = { ...MEMBERSHIP_DEFAULTS, ...partial };
  validateOptions(MEMBERSHIP_OPTIONS, c as unknown as Record<string, unknown>);
  if (!(c.probeTimeout < c.probeInterval)) throw new Error(`probeTimeout (${c.probeTimeout}) must be below probeInterval (${c.probeInterval})`);
  if (!membershipProtocolNames().includes(c.protocol)) throw new Error(`protocol must be one of ${membershipProtocolNames().join(', ')} (got ${c.protocol})`);
  if (!failoverPolicyNames().includes(c.failoverPolicy)) throw new Error(`failoverPolicy must be one of ${failoverPolicyNames().join(', ')} (got ${c.failoverPolicy})`);
  if (c.failover && !(c.spares < c.nodes)) throw new Error(`spares (${c.spares}) must be fewer than nodes (${c.nodes})`);
  const problem = membershipProtocol(c.protocol).check?.(c);
  if (problem) throw new Error(problem);
  return c;
}
