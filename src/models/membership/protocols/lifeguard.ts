/** Lifeguard (Dadgar, Phillips and Currey 2018; hashicorp/memberlist): SWIM with local health aware probe and suspicion and the buddy system. */
import type { ProtocolTraits } from '../protocols.ts';

export const lifeguard: ProtocolTraits = { lifeguard: true, watchers: () => 0 };
