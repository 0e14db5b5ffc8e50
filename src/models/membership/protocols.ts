/**
 * Membership protocols: each one file in protocols/ and one line of
 * registration below. A protocol is a set of traits of the one engine
 * (swim.ts): whether members probe (SWIM) or send heartbeats to the members
 * that watch them, how many watch each, and whether Lifeguard's extensions
 * run. Suspicion, refutation and dissemination are shared.
 */
import { Registry } from '../../registry.ts';
import type { MembershipConfig } from './options.ts';
import { swim } from './protocols/swim.ts';
import { lifeguard } from './protocols/lifeguard.ts';
import { kMonitors } from './protocols/k-monitors.ts';
import { allToAll } from './protocols/all-to-all.ts';

export interface ProtocolTraits {
  /** Lifeguard's local health aware probe and suspicion and buddy system. */
  lifeguard: boolean;
  /** 0: members probe (SWIM); k > 0: each member is watched by k others, its successors on a ring, by heartbeats. */
  watchers: (cfg: MembershipConfig) => number;
  /** A problem with the configuration for this protocol, or undefined. */
  check?: (cfg: MembershipConfig) => string | undefined;
}

const PROTOCOLS = new Registry<ProtocolTraits>('membership protocol');

/** Register a membership protocol (the option `protocol` then accepts its name). */
export function registerMembershipProtocol(name: string, traits: ProtocolTraits): void {
  PROTOCOLS.register(name, traits);
}

export function membershipProtocolNames(): string[] {
  return PROTOCOLS.names();
}

export function membershipProtocol(name: string): ProtocolTraits {
  return PROTOCOLS.get(name);
}

registerMembershipProtocol('swim', swim);
registerMembershipProtocol('lifeguard', lifeguard);
registerMembershipProtocol('k-monitors', kMonitors);
registerMembershipProtocol('all-to-all', allToAll);
