/**
 * Which reading of the LB paper reproduces its figures? Sweeps the options the
 * paper leaves open and scores each reading by its distance to the published values.
 */
import type { Experiment, Params, Point, Row, Value } from '../src/runner/experiment.ts';
import { DEFAULTS, type SchemeName } from '../src/models/lb/index.ts';
import { bucketOrder, modelParams, resultRows, runReadings, VEGA, checkLbPoint, LB_METRICS, BUCKET_SPLIT } from './lb-common.ts';
import { SKEW_RATIOS } from './skew.ts';

const base = modelParams();
const DYN = ['cellChoice', 'skipUseless', 'checkEvery', 'minDifference'];
const UC = ['viewDistance', 'proximityFactor'];
const TARGET = { dynamic: 156, 'user-centric': 99 };

export interface Score {
  family: string;
  reading: string;
  point: Point;
  total: number;
  busiest: string;
  trendUsers: number; // mean total 5:1 / 1:1
  trendEvents: number;
  eTotal: number;
  eBusy: number;
  eTrend: number;
  score: number;
}

function label(p: Point): string {
  return p.family === 'dynamic'
    ? `${p.cellChoice} ${p.skipUseless ? 'skip' : 'noskip'} every=${p.checkEvery} min=${p.minDifference}`
    : `V=${p.viewDistance} k=${p.proximityFactor}`;
}

/** Score every reading from the summary means (lower is better; 0 = the paper's values exactly). */
export function scoreReadings(summary: Row[], points: Point[], users: number, bucketSize: number): Score[] {
  const idx = new Map<string, number>();
  for (const r of summary) idx.set(`${label(r as Point)}|${r.family}|${r.ratio}|${r.bucket}|${r.metric}`, r.mean as number);
  const get = (p: Point, ratio: string, bucket: string, metric: string) => idx.get(`${label(p)}|${p.family}|${ratio}|${bucket}|${metric}`) ?? NaN;
  const order = bucketOrder(users, bucketSize);
  const target = order.indexOf(bucketLabelFor(200, 300));
  const out: Score[] = [];
  for (const p of points) {
    const fam = p.family as 'dynamic' | 'user-centric';
    const total = get(p, 'uniform', 'total', 'migratedUsers');
    let bi = 0;
    order.forEach((b, i) => {
      if (get(p, 'uniform', b, 'migratedUsers') > get(p, 'uniform', order[bi], 'migratedUsers')) bi = i;
    });
    const ratio = (m: string) => (get(p, SKEW_RATIOS[4], 'total', m) + 1) / (get(p, SKEW_RATIOS[0], 'total', m) + 1);
    const tu = ratio('migratedUsers');
    const te = ratio('migrationEvents');
    const ln5 = Math.log(5);
    const trendErr = (t: number) => Math.min(1, Math.abs(Math.log(t) - (fam === 'dynamic' ? ln5 : 0)) / ln5);
    const eTotal = Math.abs(total - TARGET[fam]) / TARGET[fam];
    const eBusy = fam === 'dynamic' ? Math.abs(bi - target) / 2 : 0;
    const eTrend = (trendErr(tu) + trendErr(te)) / 2;
    out.push({ family: fam, reading: label(p), point: p, total, busiest: order[bi], trendUsers: tu, trendEvents: te, eTotal, eBusy, eTrend, score: eTotal + eBusy + eTrend });
  }
  return out.sort((a, b) => a.score - b.score || (a.reading < b.reading ? -1 : 1));
}

function bucketLabelFor(lo: number, hi: number): string {
  return `${lo}-${hi}`;
}

export const calibrate: Experiment = {
  name: 'calibrate',
  title: 'LB: which reading of the paper reproduces its figures?',
  description:
    'Sweeps the options the paper leaves open: for the dynamic partition cellChoice x skipUseless x checkEvery x ' +
    'minDifference, for the user-centric scheme V x k. Each reading runs uniform arrivals (figure 6) and skews 1:1..5:1 ' +
    '(figure 7) to 1000 users and is scored by its distance to the published values: |total - 156| / 156 (dynamic) or ' +
    '|total - 99| / 99 (user-centric), 0.5 per bucket the busiest figure-6 bucket lies from 200-300 (dynamic), and the ' +
    'figure-7 trend (dynamic: 5:1/1:1 ratio of migrated users and events against 5, user-centric: against 1, on a log ' +
    'scale, capped at 1). Lower is better. 30 seeds per reading, as the figures (about 15 s on 2 cores).',
  seeds: 30,
  // microseconds of CPU per run, about linear in the arrivals (measured at the defaults)
  cost: (p) => 10 * Number(p.users ?? 1000),
  params: {
    ...base,
    cellChoice: { ...base.cellChoice, default: ['best-boundary', 'most-loaded', 'random'], list: true },
    skipUseless: { ...base.skipUseless, default: [true, false], list: true },
    checkEvery: { ...base.checkEvery, default: [1, 2, 5, 10, 25], list: true },
    minDifference: { ...base.minDifference, default: [0, 6, 12, 20], list: true },
    viewDistance: { ...base.viewDistance, default: [8, 32, 128], list: true },
    proximityFactor: { ...base.proximityFactor, default: [1.5, 2], list: true },
  },
  points(params: Params): Point[] {
    const scalars: Point = {};
    for (const [k, v] of Object.entries(params)) if (!Array.isArray(v)) scalars[k] = v;
    const list = (k: string) => (Array.isArray(params[k]) ? (params[k] as Value[]) : [params[k] as Value]);
    const pts: Point[] = [];
    const dyn = (i: number, acc: Point) => {
      if (i === DYN.length) {
        pts.push({ ...scalars, family: 'dynamic', ...acc, viewDistance: DEFAULTS.viewDistance, proximityFactor: DEFAULTS.proximityFactor });
        return;
      }
      for (const v of list(DYN[i])) dyn(i + 1, { ...acc, [DYN[i]]: v });
    };
    dyn(0, {});
    for (const v of list('viewDistance'))
      for (const k of list('proximityFactor'))
        pts.push({ ...scalars, family: 'user-centric', cellChoice: DEFAULTS.cellChoice, skipUseless: DEFAULTS.skipUseless, checkEvery: DEFAULTS.checkEvery, minDifference: DEFAULTS.minDifference, viewDistance: v, proximityFactor: k });
    return pts;
  },
  check: checkLbPoint,
  metricInfo: LB_METRICS,
  keys: ['ratio', 'bucket'],
  split: BUCKET_SPLIT,
  metrics: ['migratedUsers', 'migrationEvents'],
  run(point, seed) {
    const scheme = point.family as SchemeName;
    const rows: Row[] = [];
    for (const ratio of ['uniform', ...SKEW_RATIOS]) {
      const p = { ...point, arrivals: ratio === 'uniform' ? 'uniform' : `skew ${ratio}` };
      const [{ result }] = runReadings(p, seed, [{ name: scheme, scheme, overrides: {} }], { measurePairs: false });
      for (const r of resultRows(result, { ratio }, ratio === 'uniform')) rows.push({ ratio: r.ratio, bucket: r.bucket, migratedUsers: r.migratedUsers, migrationEvents: r.migrationEvents });
    }
    return { rows };
  },
  charts(data) {
    const scores = scoreReadings(data.summary, data.points, data.params.users as number, data.params.bucketSize as number);
    const chart = (fam: string) => {
      const values = scores.filter((s) => s.family === fam).slice(0, 15).flatMap((s) => [
        { reading: s.reading, part: 'fig 6 total', error: s.eTotal, score: s.score },
        ...(fam === 'dynamic' ? [{ reading: s.reading, part: 'busiest bucket', error: s.eBusy, score: s.score }] : []),
        { reading: s.reading, part: 'fig 7 trend', error: s.eTrend, score: s.score },
      ]);
      return {
        $schema: VEGA,
        width: 360,
        data: { values },
        mark: 'bar',
        encoding: {
          y: { field: 'reading', type: 'nominal', title: null, sort: { field: 'score', order: 'ascending' }, axis: { labelLimit: 400 } },
          x: { field: 'error', type: 'quantitative', title: 'distance to the paper (lower is better)', stack: 'zero' },
          color: { field: 'part', type: 'nominal', title: 'part of the score' },
        },
      };
    };
    return [
      { name: 'dynamic-scores', title: 'Best readings of the dynamic partition', caption: 'The 15 best-scoring readings, score split by claim (targets: total 156, busiest bucket 200-300, migrations growing ~5x from 1:1 to 5:1).', spec: chart('dynamic') },
      { name: 'user-centric-scores', title: 'Readings of the user-centric scheme', caption: 'Score split by claim (targets: total 99, no large change from 1:1 to 5:1).', spec: chart('user-centric') },
    ];
  },
  report(data) {
    const scores = scoreReadings(data.summary, data.points, data.params.users as number, data.params.bucketSize as number);
    const lines: string[] = [];
    for (const fam of ['dynamic', 'user-centric']) {
      lines.push(`${fam}: best readings (score = total + busiest + trend errors)`);
      for (const s of scores.filter((x) => x.family === fam).slice(0, 5)) {
        lines.push(
          `  ${s.score.toFixed(3)}  ${s.reading}: total ${s.total.toFixed(1)}, busiest ${s.busiest}, 5:1/1:1 users x${s.trendUsers.toFixed(2)} events x${s.trendEvents.toFixed(2)}`,
        );
      }
    }
    return lines;
  },
};
