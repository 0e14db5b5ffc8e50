/**
 * The LB world in time, declared once (type, default, bounds, help): how
 * players join and leave, how they move, and what is sampled. With the
 * defaults (`joins` 'paper', `session` 'none', `mobility` 'static') a timed
 * run is the paper's: one arrival per step, nobody moves or leaves.
 */
import { defaultsOf, validateOptions, type ConfigOf } from '../../schema.ts';

export const WORLD_OPTIONS = {
  duration: { type: 'number', default: 3600, greaterThan: 0, max: 1e8, group: 'time', help: 'simulated seconds per run' },
  step: { type: 'number', default: 1, greaterThan: 0, group: 'time', help: 'movement step (s): players move, hand-offs and rebalancing are checked once a step' },
  sampleEvery: { type: 'number', default: 10, greaterThan: 0, group: 'time', help: 'seconds between samples of the time series (loads, cross-server pairs)' },

  initialPlayers: { type: 'integer', default: 0, min: 0, max: 10_000_000, group: 'population', help: 'players online at time 0 (placed one by one in id order before the first step)' },
  joins: { type: 'enum', default: 'paper', choices: ['paper', 'poisson', 'none'], group: 'population', help: "'paper': one player per step until `users` have joined; 'poisson': joins at rate joinRate; 'none': only the initial players" },
  joinRate: { type: 'number', default: 1, min: 0, group: 'population', help: "poisson joins: players per second" },
  joinUntil: { type: 'number', default: 0, min: 0, group: 'population', help: 'poisson joins stop at this time (s; 0: they go on for the whole run); a short window makes a flash crowd' },
  session: { type: 'enum', default: 'none', choices: ['none', 'exponential', 'lognormal', 'pareto'], group: 'population', help: "session length: 'none' (players never leave, the paper) or a distribution with mean sessionMean" },
  sessionMean: { type: 'number', default: 1800, greaterThan: 0, group: 'population', help: 'mean session length (s)' },
  sessionSigma: { type: 'number', default: 1, greaterThan: 0, group: 'population', help: 'lognormal sessions: sigma of the log' },
  sessionShape: { type: 'number', default: 2.5, greaterThan: 1, group: 'population', help: 'Pareto sessions: shape alpha (> 1 for a finite mean; heavier tail as it nears 1)' },

  mobility: { type: 'enum', default: 'static', choices: ['static', 'random-waypoint', 'hotspot', 'group', 'trace'], group: 'mobility', help: "'static' (the paper: players never move), 'random-waypoint', 'hotspot' (points of interest draw a share of players, then dissolve), 'group' (parties follow their leader), 'trace' (a player trace, playerTrace: its sessions are the joins, moves and leaves; joins, initialPlayers and session are then not used)" },
  playerTrace: { type: 'string', default: '', optional: true, group: 'mobility', help: "mobility trace: a CSV of sightings (header time,player,x,y or time,player,zone; optional event column join/leave/move; docs/traces.md)" },
  traceTimeScale: { type: 'number', default: 1, greaterThan: 0, group: 'mobility', help: "mobility trace: simulated seconds per trace second (from the trace's first sighting)" },
  traceMapScale: { type: 'number', default: 0, min: 0, group: 'mobility', help: "mobility trace: map units per trace unit from the trace's lower-left corner (0: the trace's bounding box stretched onto the map)" },
  traceMove: { type: 'enum', default: 'interpolate', choices: ['interpolate', 'jump'], group: 'mobility', help: "mobility trace: between two sightings a player walks the straight line ('interpolate') or stays at the last ('jump')" },
  speedMin: { type: 'number', default: 1, min: 0, group: 'mobility', help: 'walking speed drawn uniformly in [speedMin, speedMax] per leg (map units per s)' },
  speedMax: { type: 'number', default: 5, min: 0, group: 'mobility', help: 'walking speed upper bound (map units per s)' },
  pauseMax: { type: 'number', default: 30, min: 0, group: 'mobility', help: 'random waypoint: pause at each waypoint, uniform in [0, pauseMax] (s)' },
  hotspotRate: { type: 'number', default: 4, min: 0, group: 'mobility', help: 'hot spots: new points of interest per hour (Poisson; a world boss, a siege)' },
  hotspotShare: { type: 'number', default: 0.3, min: 0, max: 1, group: 'mobility', help: 'hot spots: share of the players online when it appears that walk to it' },
  hotspotRadius: { type: 'number', default: 48, greaterThan: 0, group: 'mobility', help: 'hot spots: players gather uniformly within this radius of its centre (map units)' },
  hotspotDuration: { type: 'number', default: 600, greaterThan: 0, group: 'mobility', help: 'hot spots: mean lifetime (exponential, s); then its players walk on' },
  partySize: { type: 'integer', default: 5, min: 1, max: 1000, group: 'mobility', help: 'group mobility: players per party (the first to join leads)' },
  partyRadius: { type: 'number', default: 16, min: 0, group: 'mobility', help: 'group mobility: members keep within this distance of their leader (map units)' },

  capacityFactor: { type: 'number', default: 1.25, greaterThan: 1, group: 'metrics', help: 'a server is above capacity when its load exceeds this times the mean load' },
} as const;

export type WorldConfig = ConfigOf<typeof WORLD_OPTIONS>;
export const WORLD_DEFAULTS: WorldConfig = defaultsOf(WORLD_OPTIONS);

/** Defaults filled in and every value checked; throws a one-line Error. */
export function resolveWorld(partial: Partial<WorldConfig> = {}): WorldConfig {
  const c = { ...WORLD_DEFAULTS, ...partial };
  validateOptions(WORLD_OPTIONS, c as unknown as Record<string, unknown>);
  if (c.speedMax < c.speedMin) throw new Error(`speedMax (${c.speedMax}) must not be below speedMin (${c.speedMin})`);
  if (c.step > c.duration) throw new Error(`step (${c.step}) must not exceed duration (${c.duration})`);
  if (c.mobility === 'trace' && !c.playerTrace) throw new Error("mobility trace needs playerTrace (a CSV of sightings)");
  return c;
}
