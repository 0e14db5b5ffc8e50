/** Heartbeats to k monitors (Akka's cluster: each member watched by 5 others, its successors on a ring), a timeout each. */
import type { ProtocolTraits } from '../protocols.ts';

export const kMonitors: ProtocolTraits = {
  lifeguard: false,
  watchers: (c) => c.monitors,
  check: (c) => (c.monitors >= c.nodes ? `monitors (${c.monitors}) must be below nodes (${c.nodes})` : undefined),
};
