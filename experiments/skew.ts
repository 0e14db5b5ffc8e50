/**
 * LB paper figure 7: migrations to 1000 users when arrivals favour the hot region
 * (0,0)-(512,512) by R:S, per scheme, all schemes on the same arrivals per seed.
 */
import type { Experiment, Row } from '../src/runner/experiment.ts';
import { parseRatio } from '../src/models/lb/options.ts';
import { figureReadings, linesWithCi, modelParams, parseRatioParam, resultRows, RUN_METRICS, runReadings, type Reading, checkLbPoint, LB_METRICS, LB_MAIN_METRICS, BUCKET_SPLIT } from './lb-common.ts';

export const SKEW_RATIOS = ['1:1', '2:1', '3:1', '4:1', '5:1'];

export const skew: Experiment = {
  name: 'skew',
  title: 'LB figure 7: migrations under hot-spot arrivals',
  description:
    'Arrivals fall in the hot region (0,0)-(512,512) with probability R/(R+S), else uniformly in the rest of the map; ' +
    'R:S = 1:1 .. 5:1 as in the paper (1:1 is uniform: the hot region is half the map). Totals to 1000 users of migrated ' +
    'users and migration events for the careful and literal dynamic readings and the user-centric scheme (static shown for ' +
    'its imbalance). The paper: dynamic grows roughly in proportion to the skew, user-centric shows no large difference. ' +
    "Note the hot region is exactly server A's starting half.",
  seeds: 30,
  // microseconds of CPU per run, about linear in the arrivals (measured at the defaults)
  cost: (p) => 70 * Number(p.users ?? 1000),
  params: {
    ratio: { type: 'string', default: SKEW_RATIOS, list: true, positional: true, parse: parseRatioParam, canonical: (v) => { const r = parseRatio(String(v)); return String(r.r / r.s); }, help: 'skew R:S (R:1 or R:S, positive numbers), e.g. 3:1' },
    ...modelParams(),
  },
  check: checkLbPoint,
  metricInfo: LB_METRICS,
  mainMetrics: LB_MAIN_METRICS,
  keys: ['scheme', 'bucket'],
  split: BUCKET_SPLIT,
  metrics: [...RUN_METRICS],
  run(point, seed) {
    const p = { ...point, arrivals: `skew ${point.ratio}` };
    const readings: Reading[] = [...figureReadings(point), { name: 'static', scheme: 'static', overrides: {} }];
    const rows: Row[] = [];
    for (const { reading, result } of runReadings(p, seed, readings)) rows.push(...resultRows(result, { scheme: reading.name }, false));
    return { rows };
  },
  charts(data) {
    const order = (data.params.ratio as string[]).slice();
    const pick = (metric: string) => data.summary.filter((r) => r.metric === metric && r.bucket === 'total' && r.scheme !== 'static');
    return [
      {
        name: 'migrated-users',
        title: 'Figure 7: migrated users against the skew',
        caption: 'Total migrated users to 1000 arrivals, mean over seeds with 95% CI, per reading (log scale, so the flat readings stay readable beside the literal one). Intervals are clipped at zero (the counts cannot be negative).',
        spec: linesWithCi(pick('migratedUsers'), 'ratio', 'hot-region skew R:S', 'migrated users', 'scheme', order, { type: 'log' }),
      },
      {
        name: 'migration-events',
        title: 'Figure 7: migration events against the skew',
        caption: 'Total migration events to 1000 arrivals, mean over seeds with 95% CI, per reading (log scale). Intervals are clipped at zero (the counts cannot be negative).',
        spec: linesWithCi(pick('migrationEvents'), 'ratio', 'hot-region skew R:S', 'migration events', 'scheme', order, { type: 'log' }),
      },
      {
        name: 'imbalance',
        title: 'Load imbalance against the skew',
        caption: 'Mean over arrivals of max - min load (static has no rebalancing), mean over seeds with 95% CI. Intervals are clipped at zero (the counts cannot be negative).',
        spec: linesWithCi(data.summary.filter((r) => r.metric === 'imbalanceMean' && r.bucket === 'total'), 'ratio', 'hot-region skew R:S', 'mean load imbalance', 'scheme', order),
      },
    ];
  },
  report(data) {
    const lines: string[] = [];
    const schemes = [...new Set(data.summary.map((r) => String(r.scheme)))];
    for (const s of schemes) {
      const cells = (data.params.ratio as string[]).map((q) => {
        const u = data.summary.find((r) => r.scheme === s && r.ratio === q && r.metric === 'migratedUsers');
        const e = data.summary.find((r) => r.scheme === s && r.ratio === q && r.metric === 'migrationEvents');
        return `${q} ${u ? (u.mean as number).toFixed(1) : '?'}/${e ? (e.mean as number).toFixed(1) : '?'}`;
      });
      lines.push(`${s} (migrated users/events): ${cells.join('  ')}`);
    }
    return lines;
  },
};
