/**
 * The order of the heartbeat model's events at one instant, as priorities
 * (lower first). Every schedule of the model (kernel events, deferred
 * copies, lazy streams) keeps this order, so ties in time never depend on
 * when an event was scheduled:
 * 1. heartbeat ticks, by node id;
 * 2. heartbeat and probe copies arriving, by (receiver, sender, channel),
 *    then in send order;
 * 3. detector looks, by pair (observer, then target);
 * 4. everything else (faults, protocol messages, timers: priority 0), in
 *    the order it was scheduled;
 * 5. heartbeats a starved node reads late, after its overdue looks, by
 *    (reader, sender, channel), then in the order they arrived.
 * (Ties in time are rare: they need channels without jitter. Any fixed rule
 * would do; this one never depends on how events were scheduled.)
 */
export const TICK_PRIORITY = -4096;
export const ARRIVAL_PRIORITY = -2048;
export const LOOK_PRIORITY = -1024;
export const LATE_READ_PRIORITY = 1;

/** The priority of a heartbeat copy from `from` to `to` on channel c arriving (N nodes). */
export function arrivalPriority(from: number, to: number, c: number, N: number): number {
  return ARRIVAL_PRIORITY + (to * N + from) * 2 + c;
}

/** The priority of a starved node's late read of that copy. */
export function lateReadPriority(from: number, to: number, c: number, N: number): number {
  return LATE_READ_PRIORITY + (to * N + from) * 2 + c;
}
