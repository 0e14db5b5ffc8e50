/** What each metric of the one world means, with its unit (the report's tables and metrics.csv). */
/** A metric's unit and meaning (and its range where the unit does not say it). */
export interface MetricInfo {
  unit: string;
  meaning: string;
  range?: [number, number];
}

export const OW_METRIC_INFO: Record<string, MetricInfo> = {
  crashes: { unit: 'count', meaning: 'node crashes in the run (scripted, random and of overload)' },
  cascades: { unit: 'count', meaning: 'crashes of a node held above overloadFactor x capacity for overloadAfter seconds' },
  playersPerCrash: { unit: 'players', meaning: 'players on the regions a node ran when it crashed, mean over crashes' },
  lostPlayerSeconds: { unit: 'player-s', meaning: 'player-seconds without service from faults (crash, pause, cut) until the region ran again and its players had reconnected' },
  plannedLostPlayerSeconds: { unit: 'player-s', meaning: "player-seconds without service during planned fail-backs (the repaired server taking its players back)" },
  lostPerPlayerHour: { unit: 's/player-h', meaning: 'seconds without service from faults per player-hour online' },
  plannedPerPlayerHour: { unit: 's/player-h', meaning: 'seconds without service from planned fail-backs per player-hour online' },
  detectionMean: { unit: 's', meaning: 'crash until a peer first suspected the node while it was down, mean over the crashes detected (a crash during boot, before anyone watched the node again, is not)' },
  recoveryMean: { unit: 's', meaning: "crash until every player of the node's regions (and every player moved off them) had service again, mean over crashes that cut players off" },
  balancedMean: { unit: 's', meaning: 'crash until it had recovered and no node was above capacity, mean over crashes that got there' },
  peakOverCapacity: { unit: 'ratio', meaning: 'most players on one node over its capacity, from a crash until balanced again (the largest over crashes)' },
  reconnectBurst: { unit: 'players/s', meaning: 'most players reconnecting to one node within one second' },
  failoverMigrations: { unit: 'players', meaning: 'players moved to another node by fail-over (apart from rebalancing)' },
  failbackMigrations: { unit: 'players', meaning: 'players moved back by fail-back (apart from rebalancing)' },
  overloadedPlayerSeconds: { unit: 'player-s', meaning: 'player-seconds on nodes above capacity (their tick stretched)' },
  tickMean: { unit: 's', meaning: "server tick time a player sees, mean over player-seconds (tickRule)" },
  tickMax: { unit: 's', meaning: 'longest tick time of any node at any step' },
  handoffsNormal: { unit: '1/player-h', meaning: "hand-offs (a player walking into another server's region) per player-hour, over the samples with every region at home" },
  handoffsFailover: { unit: '1/player-h', meaning: 'the same over the samples with some region away from home or without service (a scheme that spread a failed region hands more players off)' },
  crossPairsNormal: { unit: 'pairs/player', meaning: 'online pairs within the view distance on different nodes, per player, in samples with every region at home' },
  crossPairsFailover: { unit: 'pairs/player', meaning: 'the same in samples with some region away from home or without service' },
};
