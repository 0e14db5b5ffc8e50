/**
 * One world scale bench (issue 22): 16 servers, 10,000 walking players (random
 * waypoint), one simulated hour at 1 s steps, random crashes (MTBF 1 h per
 * server, MTTR 1 h), h = 1 s, the timeout detector, the paper policy; against
 * the same world without the HA cluster, to say what the HA part costs.
 * Best of three runs each. Goal: <= 5 s and <= 1 GiB.
 */
import { runWorld } from '../models/lb/index.ts';
import { runOneWorld } from '../models/oneworld/index.ts';

const WC = { initialPlayers: 10_000, joins: 'none', mobility: 'random-waypoint', duration: 3600, step: 1, sampleEvery: 60 } as const;

export async function run(): Promise<void> {
  const scheme = 'dynamic';
  let peak = 0;
  const one: number[] = [], plain: number[] = [];
  let crashes = 0, lost = 0;
  for (let k = 0; k < 3; k++) {
    let t0 = performance.now();
    const r = runOneWorld(scheme, { servers: 16 }, WC, { mtbf: 3600, mttr: 3600, interval: 1, detector: 'timeout' }, { policy: 'paper' }, 1, [], {
      afterStep: (t) => {
        if (t % 300 === 0) peak = Math.max(peak, process.memoryUsage().rss);
      },
    });
    one.push((performance.now() - t0) / 1000);
    crashes = r.totals.crashes;
    lost = r.totals.lostPerPlayerHour;
    t0 = performance.now();
    runWorld(scheme, { servers: 16 }, WC, 1);
    plain.push((performance.now() - t0) / 1000);
  }
  // without the cross-pair samples in either: what the cluster itself costs (the nodes' pairs are measured apart from the servers')
  const onlyHa: number[] = [], onlyWorld: number[] = [];
  for (let k = 0; k < 3; k++) {
    let t0 = performance.now();
    runOneWorld(scheme, { servers: 16 }, WC, { mtbf: 3600, mttr: 3600 }, { policy: 'paper' }, 1, [], { measurePairs: false });
    onlyHa.push((performance.now() - t0) / 1000);
    t0 = performance.now();
    runWorld(scheme, { servers: 16 }, WC, 1, { measurePairs: false });
    onlyWorld.push((performance.now() - t0) / 1000);
  }
  const h = Math.min(...onlyHa), hw = Math.min(...onlyWorld);
  const s = Math.min(...one), w = Math.min(...plain);
  console.log(
    `one world: ${scheme}, 16 servers, 10,000 walking players, 1 h, random crashes (MTBF 1 h per server; ${crashes} crashes, ${lost.toFixed(1)} s without service per player-hour): ` +
      `${s.toFixed(2)} s, peak rss ${(peak / 2 ** 20).toFixed(0)} MiB; the same world without the cluster ${w.toFixed(2)} s, so the HA part and the one world's accounting cost ${(s - w).toFixed(2)} s (${((100 * (s - w)) / s).toFixed(0)}%); ` +
      `goal <= 5 s and <= 1 GiB: ${s <= 5 && peak <= 2 ** 30 ? 'met' : 'NOT met'}`,
  );
  console.log(
    `one world without cross-pair samples: ${h.toFixed(2)} s against the world alone ${hw.toFixed(2)} s: the cluster (heartbeats, detection, fail-over, fail-back) and the accounting cost ${(h - hw).toFixed(2)} s (${((100 * (h - hw)) / h).toFixed(0)}%); the rest of the difference above is the nodes' cross pairs, measured apart from the servers' while a region is away from home`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
