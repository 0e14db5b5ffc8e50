/**
 * A small M/M/1 queue, used by the pipeline's tests (determinism, workers, CLI).
 * It is an example of the experiment interface, not a result of either paper.
 */
import { Sim } from '../src/kernel/sim.ts';
import { Streams } from '../src/kernel/random.ts';
import type { Experiment, Point } from '../src/runner/experiment.ts';

function runQueue(point: Point, seed: number) {
  const sim = new Sim();
  const streams = new Streams(seed);
  const arrivals = streams.get('arrivals');
  const service = streams.get('service');
  const rho = point.load as number;
  const customers = point.customers as number;
  let queue = 0;
  let busy = false;
  let served = 0;
  let arrived = 0;
  let waitSum = 0;
  const arrivalTimes: number[] = [];
  const depart = () => {
    served++;
    if (queue > 0) {
      queue--;
      waitSum += sim.now - arrivalTimes[served];
      sim.schedule(service.exponential(1), depart);
    } else busy = false;
  };
  const arrive = () => {
    arrivalTimes.push(sim.now);
    arrived++;
    if (busy) queue++;
    else {
      busy = true;
      sim.schedule(service.exponential(1), depart);
    }
    if (arrived < customers) sim.schedule(arrivals.exponential(1 / rho), arrive);
  };
  sim.schedule(arrivals.exponential(1 / rho), arrive);
  sim.run();
  return { meanWait: waitSum / served, served, endTime: sim.now };
}

export const example: Experiment = {
  name: 'example',
  title: 'Example: M/M/1 queue (pipeline check, not a paper result)',
  description:
    'An M/M/1 queue with service rate 1, swept over the load. It exists to exercise the runner, ' +
    'the outputs and the CLI in tests; the closed form of the mean wait in queue is rho/(1-rho).',
  example: true,
  seeds: 5,
  // microseconds of CPU per run: about two per customer
  cost: (p) => 2 * Number(p.customers),
  params: {
    load: { type: 'number', default: [0.5, 0.8], list: true, greaterThan: 0, max: 0.99, help: 'utilisation rho = arrival rate / service rate' },
    customers: { type: 'integer', default: 2000, min: 1, help: 'customers per run' },
  },
  keys: [],
  metrics: ['meanWait', 'closedForm', 'served'],
  run(point, seed) {
    const r = runQueue(point, seed);
    const rho = point.load as number;
    return { rows: [{ meanWait: r.meanWait, closedForm: rho / (1 - rho), served: r.served }] };
  },
  charts(data) {
    const values = data.summary.filter((r) => r.metric === 'meanWait');
    return [
      {
        name: 'wait',
        title: 'Mean wait against load',
        caption: 'Simulated mean wait in queue (95% CI over seeds).',
        spec: {
          $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
          width: 320,
          height: 200,
          data: { values },
          layer: [
            { mark: 'line', encoding: { x: { field: 'load', type: 'quantitative' }, y: { field: 'mean', type: 'quantitative', title: 'mean wait' } } },
            { mark: 'errorbar', encoding: { x: { field: 'load', type: 'quantitative' }, y: { field: 'ci95_low', type: 'quantitative' }, y2: { field: 'ci95_high' } } },
          ],
        },
      },
    ];
  },
};
