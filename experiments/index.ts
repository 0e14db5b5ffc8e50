/** The registry: every experiment the CLI and the workers know, by name. */
import type { Experiment } from '../src/runner/experiment.ts';
import { example } from './example.ts';

export const experiments: Experiment[] = [
  example,
];

export function findExperiment(name: string): Experiment | undefined {
  return experiments.find((e) => e.name === name);
}
