/**
 * Unit and meaning of the LB model's metrics (experiments' and scenario
 * files' metrics.csv and the report's dictionary); `range` is what the
 * quantity can be, where its unit does not say it.
 */
type Info = Record<string, { unit: string; meaning: string; range?: [number, number] }>;

/** The arrival model (runScheme): per bucket of arrivals, or for the whole run in the 'total' rows. */
export const LB_METRIC_INFO: Info = {

  migratedUsers: { unit: 'users', meaning: 'users moved between servers by rebalancing' },
  migrationEvents: { unit: 'count', meaning: 'rebalancing events that moved at least one user' },
  usersPerEvent: { unit: 'users', meaning: 'migrated users / migration events (absent when there was no event)' },
  largestEvent: { unit: 'users', meaning: 'users moved by the largest event' },
  peakTransfersPerStep: { unit: 'users', meaning: 'most user transfers completing in one time step' },
  imbalanceFinal: { unit: 'users', meaning: 'max load - min load at the end of the bucket' },
  imbalanceMean: { unit: 'users', meaning: 'max load - min load, averaged over the arrivals of the bucket' },
  crossPairs: { unit: 'pairs', meaning: 'pairs of users within the view distance on different servers, at the end of the bucket' },
  skippedChecks: { unit: 'count', meaning: 'dynamic: load checks that fired but moved nothing' },
  cellsReturned: { unit: 'count', meaning: 'dynamic: piece cells moved back to a server that owned them before' },
  distinctUsersMoved: { unit: 'users', meaning: 'users moved at least once' },
  usersMovedMoreThanOnce: { unit: 'users', meaning: 'users moved more than once (oscillation)' },
  placedByProximity: { unit: '1', range: [0, 1], meaning: 'user-centric: share of arrivals placed by a user within the proximity radius (the others by load)' },
};

/** The world in time (runWorld): totals of one run of players who join, move and leave. */
export const WORLD_METRIC_INFO: Info = {
  joins: { unit: 'players', meaning: 'players who joined (the initial players included)' },
  leaves: { unit: 'players', meaning: 'players who left before the end' },
  peakOnline: { unit: 'players', meaning: 'most players online at once' },
  playerHours: { unit: 'player h', meaning: 'time online, summed over players' },
  handoffs: { unit: 'count', meaning: 'players who walked into a region of another server (moved with their region: not counted)' },
  migratedUsers: { unit: 'users', meaning: 'players moved between servers by rebalancing' },
  migrationEvents: { unit: 'count', meaning: 'rebalancing events that moved at least one player' },
  usersPerEvent: { unit: 'users', meaning: 'migrated players / migration events (absent when there was no event)' },
  handoffsPerPlayerHour: { unit: '1/player h', meaning: 'hand-offs per hour online' },
  migrationsPerPlayerHour: { unit: '1/player h', meaning: 'rebalancing migrations per hour online' },
  imbalanceMean: { unit: 'players', meaning: 'max load - min load, averaged over steps' },
  maxOverMean: { unit: '1', meaning: 'max load / mean load, averaged over steps' },
  aboveCapacity: { unit: '1', range: [0, 1], meaning: 'share of server-time above capacityFactor x the mean load' },
  crossPairsMean: { unit: 'pairs', meaning: 'pairs of players within the view distance on different servers, averaged over samples' },
  crossPairsPerPlayer: { unit: 'pairs/player', meaning: 'cross-server pairs per online player, averaged over samples' },
};
