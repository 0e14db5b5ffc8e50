/**
 * LB paper figure 6: migrations per 100-user bucket under uniform arrivals,
 * dynamic piece-cell partition (careful and literal readings) against the
 * user-centric scheme, all on the same arrival sequence per seed.
 */
import type { ChartSpec, Experiment, Row } from '../src/runner/experiment.ts';
import { parseArrivalsParam, barsWithCi, schemeColor, bucketOrder, figureReadings, modelParams, resultRows, RUN_METRICS, runReadings, VEGA, checkLbPoint, LB_METRICS, LB_MAIN_METRICS, BUCKET_SPLIT } from './lb-common.ts';

export const PAPER_FIG6 = { dynamic: 156, userCentric: 99 };

export const fig6: Experiment = {
  name: 'fig6',
  title: 'LB figure 6: migrations as users arrive (uniform)',
  description:
    'Uniform arrivals to 1000 users on a 1024x512 map with 2 servers. Per 100-user bucket: migrated users, migration ' +
    'events and users per event, for the dynamic piece-cell partition (careful = best-boundary + skipUseless, literal = ' +
    'most-loaded, a cell moves whenever the trigger fires) and the user-centric scheme, all on the same arrivals (common ' +
    'random numbers). The paper: dynamic migrates most at 200-300 users, then less often but with more users per event; ' +
    'user-centric stays even; totals 156 (dynamic) and 99 (user-centric).',
  seeds: 30,
  // microseconds of CPU per run, about linear in the arrivals (measured at the defaults)
  cost: (p) => 500 * Number(p.users ?? 1000),
  params: { ...modelParams(), arrivals: { type: 'string', default: 'uniform', parse: parseArrivalsParam, help: "'uniform' or 'skew R:S'" } },
  check: checkLbPoint,
  metricInfo: LB_METRICS,
  mainMetrics: LB_MAIN_METRICS,
  keys: ['scheme', 'bucket'],
  split: BUCKET_SPLIT,
  metrics: [...RUN_METRICS],
  run(point, seed) {
    const rows: Row[] = [];
    for (const { reading, result } of runReadings(point, seed, figureReadings(point))) rows.push(...resultRows(result, { scheme: reading.name }));
    return { rows };
  },
  charts(data) {
    const users = data.params.users as number;
    const order = bucketOrder(users, data.params.bucketSize as number);
    const perBucket = (metric: string) => data.summary.filter((r) => r.metric === metric && r.bucket !== 'total');
    const charts: ChartSpec[] = [];
    const titles: Record<string, string> = {
      migratedUsers: 'migrated users',
      migrationEvents: 'migration events',
      usersPerEvent: 'users per event',
    };
    for (const [metric, title] of Object.entries(titles)) {
      charts.push({
        name: metric,
        title: `Figure 6: ${title} per ${data.params.bucketSize}-user bucket`,
        caption: `Mean over seeds with 95% CI (clipped at zero: the counts cannot be negative); one panel per reading (careful and literal dynamic partition, user-centric), one colour per reading in every chart.`,
        spec: barsWithCi(perBucket(metric), 'bucket', 'total users', title, 'scheme', order),
      });
    }
    const totals = data.summary.filter((r) => r.metric === 'migratedUsers' && r.bucket === 'total');
    const paper = [
      { scheme: 'careful', paper: PAPER_FIG6.dynamic },
      { scheme: 'literal', paper: PAPER_FIG6.dynamic },
      { scheme: 'user-centric', paper: PAPER_FIG6.userCentric },
    ];
    charts.push({
      name: 'totals',
      title: `Figure 6 totals: migrated users to ${users} users`,
      caption: "Bars: our mean with its 95% CI, one colour per reading. Red diamonds: the paper's values (dynamic 156, user-centric 99).",
      spec: {
        $schema: VEGA,
        width: 320,
        height: 220,
        layer: [
          { data: { values: totals }, mark: 'bar', encoding: { x: { field: 'scheme', type: 'nominal', title: 'reading' }, y: { field: 'mean', type: 'quantitative', title: 'migrated users (total)' }, color: schemeColor(totals) } },
          {
            data: { values: totals },
            mark: { type: 'errorbar', ticks: true, size: 6 },
            encoding: { x: { field: 'scheme', type: 'nominal' }, y: { field: 'ci95_low', type: 'quantitative', title: 'migrated users (total)' }, y2: { field: 'ci95_high' } },
          },
          {
            data: { values: paper.map((p) => ({ ...p, what: "the paper's value" })) },
            mark: { type: 'point', shape: 'diamond', filled: true, size: 120, color: '#d62728' },
            encoding: {
              x: { field: 'scheme', type: 'nominal' }, y: { field: 'paper', type: 'quantitative' },
              shape: { field: 'what', type: 'nominal', title: null, scale: { range: ['diamond'] }, legend: { symbolFillColor: '#d62728', symbolStrokeColor: '#d62728' } },
            },
          },
        ],
      },
    });
    return charts;
  },
  report(data) {
    const lines: string[] = [];
    const get = (scheme: string, bucket: string, metric: string) =>
      data.summary.find((r) => r.scheme === scheme && r.bucket === bucket && r.metric === metric);
    const schemes = [...new Set(data.summary.map((r) => String(r.scheme)))];
    const order = bucketOrder(data.params.users as number, data.params.bucketSize as number);
    for (const s of schemes) {
      const t = get(s, 'total', 'migratedUsers');
      const e = get(s, 'total', 'migrationEvents');
      if (!t || !e) continue;
      let busiest = order[0];
      let most = -1;
      for (const b of order) {
        const m = get(s, b, 'migratedUsers');
        if (m && (m.mean as number) > most) {
          most = m.mean as number;
          busiest = b;
        }
      }
      lines.push(
        `${s}: migrated users ${fmt(t)}, events ${fmt(e)}, busiest bucket ${busiest} (${most.toFixed(1)} users)`,
      );
    }
    lines.push(`paper: dynamic 156, user-centric 99; dynamic busiest at 200-300`);
    return lines;
  },
};

function fmt(r: Row): string {
  return `${(r.mean as number).toFixed(1)} [${(r.ci95_low as number).toFixed(1)}, ${(r.ci95_high as number).toFixed(1)}]`;
}
