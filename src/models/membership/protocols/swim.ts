/** SWIM (Das, Gupta and Motivala 2002): probes, indirect probes, suspicion, piggybacked dissemination. */
import type { ProtocolTraits } from '../protocols.ts';

export const swim: ProtocolTraits = { lifeguard: false, watchers: () => 0 };
