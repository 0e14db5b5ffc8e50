/**
 * Sensitivity of the user-centric scheme to the view distance V (not given by
 * the paper) and the proximity factor k: figure-6 totals and cross-server pairs.
 */
import type { Experiment, Row } from '../src/runner/experiment.ts';
import type { UserCentricScheme } from '../src/models/lb/index.ts';
import { DEFAULTS as LB_DEFAULTS } from '../src/models/lb/options.ts';

const DEFAULT_V = LB_DEFAULTS.viewDistance;
import { linesWithCi, modelParams, parseArrivalsParam, resultRows, RUN_METRICS, runReadings, type Reading, checkLbPoint, LB_METRICS, LB_MAIN_METRICS, BUCKET_SPLIT } from './lb-common.ts';

const base = modelParams();

export const viewDistance: Experiment = {
  name: 'view-distance',
  title: 'LB: user-centric totals against the view distance V and proximity factor k',
  description:
    'The paper never gives V. Uniform arrivals to 1000 users; for each V and k (P = k V) the user-centric totals of ' +
    'migrated users and migration events, the share of arrivals placed by the proximity rule, and the cross-server pairs ' +
    'within V, with the careful dynamic partition and the static one as references (they do not depend on V or k except ' +
    'through the pairs metric). Checks how much the 99 of figure 6 depends on our choice of V.',
  seeds: 30,
  // microseconds of CPU per run, about linear in the arrivals (measured at the defaults)
  cost: (p) => 60 * Number(p.users ?? 1000),
  params: {
    ...base,
    viewDistance: { ...base.viewDistance, default: [4, 8, 16, 32, 48, 64, 96, 128], list: true },
    proximityFactor: { ...base.proximityFactor, default: [1.5, 2], list: true },
    arrivals: { type: 'string', default: 'uniform', parse: parseArrivalsParam, help: "'uniform' or 'skew R:S'" },
  },
  check: checkLbPoint,
  metricInfo: LB_METRICS,
  mainMetrics: LB_MAIN_METRICS,
  keys: ['scheme', 'bucket'],
  split: BUCKET_SPLIT,
  metrics: [...RUN_METRICS, 'placedByProximity'],
  run(point, seed) {
    const readings: Reading[] = [
      { name: 'user-centric', scheme: 'user-centric', overrides: {} },
      { name: 'careful', scheme: 'dynamic', overrides: { cellChoice: 'best-boundary', skipUseless: true } },
      { name: 'static', scheme: 'static', overrides: {} },
    ];
    let byProximity = 0;
    const rows: Row[] = [];
    const results = runReadings(point, seed, readings, {
      afterArrival: (_w, sch) => {
        if (sch.name === 'user-centric' && (sch as UserCentricScheme).lastRule === 'proximity') byProximity++;
      },
    });
    for (const { reading, result } of results) {
      const r = resultRows(result, { scheme: reading.name }, false);
      if (reading.scheme === 'user-centric') r[0].placedByProximity = byProximity / result.options.users;
      rows.push(...r);
    }
    return { rows };
  },
  charts(data) {
    // the default view distance, marked on every chart
    const withDefaultV = (spec: Record<string, unknown>) => ({
      ...spec,
      layer: [
        { data: { values: [{ V: DEFAULT_V, label: `default V = ${DEFAULT_V}` }] }, mark: { type: 'rule', strokeDash: [4, 3], color: '#888' }, encoding: { x: { field: 'V', type: 'quantitative' } } },
        {
          data: { values: [{ V: DEFAULT_V, label: `default V = ${DEFAULT_V}` }] },
          mark: { type: 'text', align: 'left', baseline: 'top', dx: 3, dy: 2, color: '#666', fontSize: 10 },
          encoding: { x: { field: 'V', type: 'quantitative' }, y: { value: 0 }, text: { field: 'label' } },
        },
        ...(spec.layer as unknown[]),
      ],
    });
    const order = (data.params.viewDistance as number[]).map(String);
    const uc = (metric: string) =>
      data.summary
        .filter((r) => r.metric === metric && r.scheme === 'user-centric')
        .map((r) => ({ ...r, k: `k = ${r.proximityFactor}`, V: String(r.viewDistance) }));
    const pairs = data.summary
      .filter((r) => r.metric === 'crossPairs' && (r.scheme !== 'user-centric' || r.proximityFactor === (data.params.proximityFactor as number[])[0]))
      .filter((r) => r.scheme === 'user-centric' || r.proximityFactor === (data.params.proximityFactor as number[])[0])
      .map((r) => ({ ...r, series: r.scheme === 'user-centric' ? `user-centric k=${r.proximityFactor}` : String(r.scheme), V: String(r.viewDistance) }));
    return [
      {
        name: 'migrated-users',
        title: 'User-centric migrated users against V',
        caption: 'Total migrated users to 1000 uniform arrivals (the paper: 99), mean with 95% CI, one line per k; the dashed rule marks the default V. Intervals are clipped at zero (the counts cannot be negative).',
        spec: withDefaultV(linesWithCi(uc('migratedUsers'), 'V', 'view distance V (log)', 'migrated users', 'k', order, {}, true)),
      },
      {
        name: 'proximity-share',
        title: 'Share of arrivals placed by the proximity rule',
        caption: 'Fraction of arrivals that joined the one server whose proximity areas held them (the rest: nearest centroid); the dashed rule marks the default V.',
        spec: withDefaultV(linesWithCi(uc('placedByProximity'), 'V', 'view distance V (log)', 'share placed by proximity', 'k', order, {}, true)),
      },
      {
        name: 'cross-pairs',
        title: 'Cross-server pairs within V',
        caption:
          'Pairs of users within V on different servers after 1000 arrivals (the interaction cost the scheme targets), mean with 95% CI. Log ' +
          `scales, so the schemes stay apart at small V too; the dashed rule marks the default V (${DEFAULT_V}). An interval reaching zero is cut at the axis.`,
        spec: withDefaultV(linesWithCi(pairs, 'V', 'view distance V (log)', 'cross-server pairs (log)', 'series', order, { type: 'log' }, true)),
      },
    ];
  },
};
