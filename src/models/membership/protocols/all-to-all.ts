/** All-to-all heartbeats (the HA paper's): every member watches every other; N x N pairs, so at most 2,000 members. */
import type { ProtocolTraits } from '../protocols.ts';

export const allToAll: ProtocolTraits = {
  lifeguard: false,
  watchers: (c) => c.nodes - 1,
  check: (c) => (c.nodes > 2000 ? `all-to-all watches N x N pairs: at most 2,000 members (got ${c.nodes})` : undefined),
};
