// gamesim as a library: a scripted HA outage told as fault data, and one LB run.
import { simulate, runScheme } from 'gamesim';

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
