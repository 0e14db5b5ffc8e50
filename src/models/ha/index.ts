/** The heartbeat HA model: configuration, the cluster, and a one-call run. */
import { Sim } from '../../kernel/sim.ts';
import { Streams } from '../../kernel/random.ts';
import { HaCluster, type HaResult } from './cluster.ts';
import { checkRecordBudget, makeConfig, type HaConfig } from './config.ts';

export * from './config.ts';
export * from './cluster.ts';
export * from './single.ts';
export * from './detector.ts';
export { TimeoutDetector } from './detectors/timeout.ts';
export { PhiDetector, phiNormal, phiExponential, type PhiOptions } from './detectors/phi.ts';
export { AdaptiveDetector } from './detectors/adaptive.ts';
export { applyFault, drawLength, FAULT_VERBS, type Fault, type FaultVerb, type FaultTarget } from './faults.ts';
export { registerLossModel, registerLatencyModel, lossModelNames, latencyModelNames, LossPositions, type LossModel, type LossProcess, type LatencyModel, type LatencyDist } from './channel-models.ts';
export { Signals, type SignalMap, type SignalName } from './signals.ts';

/** Build a cluster, let `scenario` script faults on it, run for `duration` seconds and close the books. */
export function simulate(
  over: Partial<HaConfig>,
  seed: number,
  duration: number,
  scenario?: (c: HaCluster) => void,
): { cluster: HaCluster; result: HaResult } {
  if (!(duration > 0 && Number.isFinite(duration))) throw new Error(`duration must be a positive number of seconds (got ${duration})`);
  const cfg = makeConfig(over);
  checkRecordBudget(cfg, duration);
  const sim = new Sim();
  const cluster = new HaCluster(sim, new Streams(seed), cfg);
  scenario?.(cluster);
  sim.run(duration);
  return { cluster, result: cluster.finish() };
}
