/**
 * Random crashes of the one world, node by node: each node alternates an up
 * time drawn from an exponential of mean `mtbf` and a repair time drawn as
 * the HA model's (`repairDist`, `mttr`), from its own stream (`crash/n`).
 * The draws depend on nothing else, so every scheme and policy of a
 * replicate sees the same crash times (common random numbers); the standby
 * nodes of policy spare have streams of their own and change nobody's. A
 * crash that falls while the node is already down (a scripted crash, an
 * overload crash) is skipped; the process goes on.
 */
import type { Sim } from '../../kernel/sim.ts';
import type { Streams } from '../../kernel/random.ts';
import type { HaConfig } from '../ha/options.ts';
import { drawLength } from '../ha/faults.ts';

export function randomCrashes(
  sim: Sim,
  streams: Streams,
  cfg: HaConfig,
  mtbf: number,
  nodes: number,
  verbs: { crashed: (n: number) => boolean; crash: (n: number) => void; repair: (n: number) => void },
): void {
  if (!(mtbf > 0)) return;
  for (let n = 0; n < nodes; n++) {
    const r = streams.get(`crash/${n}`);
    const up = () =>
      sim.schedule(r.exponential(mtbf), () => {
        const repairIn = drawLength(r, cfg.repairDist, cfg.mttr, cfg.repairSigma);
        if (!verbs.crashed(n)) {
          verbs.crash(n);
          sim.schedule(repairIn, () => {
            verbs.repair(n);
            up();
          });
        } else up();
      });
    up();
  }
}
