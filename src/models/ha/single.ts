/**
 * One server without HA: up for an exponential time to failure (mean mtbf),
 * down for a repair time drawn like the cluster's (repairDist, mean mttr).
 * The reference the HA pair is compared with (experiment `downtime`).
 */
import { Streams } from '../../kernel/random.ts';
import type { HaConfig } from './config.ts';

export interface SingleResult {
  duration: number;
  availability: number;
  downtime: number;
  failures: number;
}

export function simulateSingle(cfg: Pick<HaConfig, 'mtbf' | 'mttr' | 'repairDist' | 'repairSigma'>, seed: number, duration: number): SingleResult {
  if (!(cfg.mtbf > 0 && cfg.mttr > 0)) throw new Error('mtbf and mttr must be positive');
  const streams = new Streams(seed);
  const faults = streams.get('faults');
  const repair = streams.get('repair');
  let t = 0, down = 0, failures = 0;
  for (;;) {
    t += faults.exponential(cfg.mtbf);
    if (t >= duration) break;
    failures++;
    let r: number;
    if (cfg.repairDist === 'fixed') r = cfg.mttr;
    else if (cfg.repairDist === 'lognormal') r = repair.lognormal(Math.log(cfg.mttr) - (cfg.repairSigma * cfg.repairSigma) / 2, cfg.repairSigma);
    else r = repair.exponential(cfg.mttr);
    down += Math.min(r, duration - t);
    t += r;
    if (t >= duration) break;
  }
  return { duration, availability: 1 - down / duration, downtime: down, failures };
}
