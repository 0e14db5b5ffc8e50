/**
 * The one world's own options, declared once: how a failed server's players
 * are taken over (the fail-over policy), how a repaired one gets them back,
 * and what a server can carry (capacity, what overload does). The LB options
 * (map, scheme, servers), the world in time (players, mobility) and the HA
 * options (detector, heartbeats, times, random faults) keep their own tables.
 */
import { defaultsOf, validateOptions, type ConfigOf } from '../../schema.ts';

export const ONE_WORLD_OPTIONS = {
  policy: { type: 'enum', default: 'paper', choices: ['paper', 'spare', 'scheme'], group: 'fail-over', help: "who serves a failed server's region: 'paper' (the HA paper's election: the least-loaded live server takes its regions and players whole), 'spare' (N + k: a standby server without a region takes them; when none is free, as paper), 'scheme' (the LB scheme spreads the region and its players over the survivors by its own rules)" },
  spares: { type: 'integer', default: 1, min: 1, max: 16, group: 'fail-over', help: "policy spare: standby servers k (they run no region until a take-over)" },
  absorbTime: { type: 'number', default: 2, min: 0, group: 'fail-over', help: "policy scheme: seconds the survivors take to set a failed server's players up (their state from the shared database) before they can reconnect; the take-over node of paper and spare takes fakeProcessTime + setupTime + startTime (8 s by default) instead" },
  failback: { type: 'enum', default: 'paper', choices: ['paper', 'none'], group: 'fail-over', help: "a repaired server: 'paper' (the planned hand-back: it takes its regions and players back, a short planned outage) or 'none' (it comes back empty: paper and spare leave the regions where they are; scheme gives it its region back but its players stay where they are until they walk or the scheme rebalances)" },
  isolatedServes: { type: 'boolean', default: false, group: 'fail-over', help: "a server cut off from every other (every channel to every peer down) still serves its players (true: only the cluster's own network failed) or not (false: its network is gone, players cannot reach it either)" },
  capacity: { type: 'integer', default: 1000, min: 1, group: 'capacity', help: 'players a server serves at full speed; above it the tick stretches (tickRule)' },
  tickBase: { type: 'number', default: 0.05, greaterThan: 0, group: 'capacity', help: 'server tick time at or below capacity (s; 20 Hz)' },
  tickRule: { type: 'enum', default: 'linear', choices: ['linear', 'quadratic'], group: 'capacity', help: "tick time above capacity: 'linear' (tickBase x load / capacity: work per player is fixed) or 'quadratic' (tickBase x (load / capacity)^2: players interact with each other)" },
  overloadFactor: { type: 'number', default: 0, min: 0, group: 'capacity', help: 'a server held above this times its capacity for overloadAfter seconds crashes (a cascade; 0 = never)' },
  overloadAfter: { type: 'number', default: 30, greaterThan: 0, group: 'capacity', help: 'seconds above overloadFactor x capacity before an overloaded server crashes' },
  crashBusiestAt: { type: 'number', default: 0, min: 0, group: 'faults', help: 'a scripted crash of the server with the most players at this time (s; 0 = none), repaired crashBusiestFor seconds later' },
  crashBusiestFor: { type: 'number', default: 600, greaterThan: 0, group: 'faults', help: 'repair time of the scripted crash of the busiest server (s)' },
} as const;

export type OneWorldConfig = ConfigOf<typeof ONE_WORLD_OPTIONS>;
export const ONE_WORLD_DEFAULTS: OneWorldConfig = defaultsOf(ONE_WORLD_OPTIONS);

/** HA options the one world sets itself (one node per server, one service per region). */
export const SET_BY_ONE_WORLD = ['nodes', 'services', 'activeNodes', 'usersPerService', 'failoverPolicy', 'autoFailback'] as const;

/** Defaults filled in and every value checked; throws a one-line Error. */
export function resolveOneWorld(partial: Partial<OneWorldConfig> = {}): OneWorldConfig {
  const c = { ...ONE_WORLD_DEFAULTS, ...partial };
  validateOptions(ONE_WORLD_OPTIONS, c as unknown as Record<string, unknown>);
  return c;
}
