// gamesim as a library: a scripted HA outage told as fault data, one LB run, and a zone server's crash in the one world.
import { simulate, runScheme, runOneWorld } from 'gamesim';

// A Linux-HA-like pair whose private net is cut for a minute while the serial line loses 20%.
const { result, cluster } = simulate({ interval: 2, timeout: 30, retries: 0, recordTimeline: true }, 1, 900, (c) => {
  c.at(100, { verb: 'cut', a: 0, b: 1, channel: 'net' });
  c.at(100, { verb: 'loss', p: 0.2, channel: 'serial' });
  c.at(160, { verb: 'heal', a: 0, b: 1, channel: 'net' });
  c.at(400, { verb: 'crash', node: 0 });
  c.at(600, { verb: 'repair', node: 0 });
});
console.log(`HA: availability ${(result.availability * 100).toFixed(3)}%, false detections ${result.mistakes}, ` +
  `crash detected after ${result.detections[0]?.latency.toFixed(2)} s, service on ${cluster.ownerString(0)} at the end`);

const lb = runScheme('user-centric', { users: 1000, arrivals: 'skew 3:1' }, 1);
console.log(`LB: user-centric, 1000 users, skew 3:1: loads ${[...lb.world.loads].join(' / ')}, migrated ${lb.total.migratedUsers} users`);

// The one world: 8 zone servers (dynamic partition) on a heartbeat cluster, 2,000 walking players; server 3 crashes at 300 s.
const ow = runOneWorld('dynamic', { servers: 8 }, { initialPlayers: 2000, joins: 'none', mobility: 'random-waypoint', duration: 900 },
  { detector: 'timeout', interval: 1, timeout: 3 }, { policy: 'spare', capacity: 400 }, 1, [{ at: 300, verb: 'crash', node: 3 }]);
const [crash] = ow.incidents;
console.log(`one world: server 3 crashed with ${crash.players} players, detected after ${crash.detection.toFixed(2)} s, all served again after ${crash.recovery.toFixed(2)} s; ` +
  `${ow.totals.lostPlayerSeconds.toFixed(0)} player-seconds without service`);
