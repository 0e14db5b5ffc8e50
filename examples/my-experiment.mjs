// An own experiment, run with the same options, seeds, workers and outputs as a built-in:
//   gamesim experiment ./examples/my-experiment.mjs --seeds 4 --mtbf 1800,3600
// It sweeps the mean time between crashes of a heartbeat pair and reports its availability.
import { simulate } from 'gamesim';

export const pairAvailability = {
  name: 'pair-availability',
  title: 'Availability of a heartbeat pair against the MTBF',
  description: 'A 2-node heartbeat pair with random crashes (mean time between failures mtbf, repair 10 min) for one simulated day.',
  seeds: 2,
  params: {
    mtbf: { type: 'number', default: [3600, 7200], list: true, greaterThan: 0, help: 'mean time between crashes per node (s)' },
    days: { type: 'number', default: 1, greaterThan: 0, max: 30, help: 'simulated days per run' },
  },
  keys: [],
  metrics: ['availability', 'crashes', 'meanDetection'],
  run(point, seed) {
    const { result } = simulate({ mtbf: point.mtbf, mttr: 600, bootTime: 30 }, seed, point.days * 86400);
    const lat = result.detections.filter((d) => d.clean).map((d) => d.latency);
    return {
      rows: [{
        availability: result.availability,
        crashes: result.incidents.length,
        meanDetection: lat.length ? lat.reduce((a, b) => a + b, 0) / lat.length : NaN,
      }],
    };
  },
  charts(data) {
    const values = data.summary.filter((r) => r.metric === 'availability');
    return [{
      name: 'availability',
      title: 'Availability against MTBF',
      caption: 'Mean over seeds with its 95% interval.',
      spec: {
        $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
        data: { values },
        width: 300,
        height: 200,
        layer: [
          { mark: 'rule', encoding: { x: { field: 'mtbf', type: 'quantitative' }, y: { field: 'ci95_low', type: 'quantitative', scale: { zero: false } }, y2: { field: 'ci95_high' } } },
          { mark: { type: 'point', filled: true }, encoding: { x: { field: 'mtbf', type: 'quantitative', title: 'MTBF (s)' }, y: { field: 'mean', type: 'quantitative', title: 'availability' } } },
        ],
      },
    }];
  },
};
