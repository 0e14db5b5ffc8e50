/** The registry: every experiment the CLI and the workers know, by name. */
import type { Experiment } from '../src/runner/experiment.ts';
import { example } from './example.ts';
import { fig5 } from './fig5.ts';
import { fig6 } from './fig6.ts';
import { skew } from './skew.ts';
import { viewDistance } from './view-distance.ts';
import { calibrate } from './calibrate.ts';
import { failover } from './failover.ts';
import { heartbeat } from './heartbeat.ts';
import { downtime } from './downtime.ts';
import { detectors } from './detectors.ts';
import { schemes } from './schemes.ts';
import { resilience } from './resilience.ts';
import { tune } from './tune.ts';
import { membership } from './membership.ts';

export const experiments: Experiment[] = [
  example,
  fig5,
  fig6,
  skew,
  viewDistance,
  calibrate,
  failover,
  heartbeat,
  downtime,
  detectors,
  schemes,
  resilience,
  tune,
  membership,
];

export function findExperiment(name: string): Experiment | undefined {
  return experiments.find((e) => e.name === name);
}
