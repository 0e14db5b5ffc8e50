/**
 * Availability, downtime and outage cost per year (the HA paper's table 1)
 * against the heartbeat interval, for one server without HA and for the
 * heartbeat pair, with the closed forms beside them.
 */
import { fixedColor, SYSTEM_COLORS } from './ha-colors.ts';
import { HA_METRICS } from './ha-metrics.ts';
import type { ChartSpec, Experiment, Row } from '../src/runner/experiment.ts';
import {
  simulate, simulateSingle, availabilityNoHa, availabilityHa, doubleFailureFraction, closedFormDetection, closedFormFailover, closedFormFailbackOutage,
  OUTAGE_COST_PER_HOUR, SECTORS, SECONDS_PER_YEAR,
} from '../src/models/ha/index.ts';
import { VEGA, checkPoints, haCost, configOf, detectorParams, detectorPoints, logAxisX, logDomain, modelParams, presetsTable, seriesLabel } from './ha-common.ts';

const MIN_PER_YEAR = SECONDS_PER_YEAR / 60;

export const downtime: Experiment = {
  name: 'downtime',
  title: 'HA: availability, downtime and outage cost per year against the heartbeat interval',
  description:
    'Node failures arrive with exponential time to failure (mtbf, default 30 days) and are repaired after mttr (default 1 hour). ' +
    'A single server is down for the whole repair; the heartbeat pair is down for the detection, the take-over and the ' +
    "fail-back hand-over. Downtime per year is priced with the HA paper's table 1 (dollars per hour of outage, `sector`). " +
    'Closed forms: MTBF/(MTBF+MTTR) without HA, MTBF/(MTBF+detection+fail-over) for the pair, and the same plus the fail-back outage.',
  seeds: 32,
  params: {
    ...detectorParams([0.5, 1, 2, 5, 10], 'heartbeat interval h in seconds'),
    loss: { type: 'number', default: [0], list: true, min: 0, max: 0.99, help: 'loss probability of every message on each channel' },
    mtbf: { type: 'number', default: 30 * 86400, greaterThan: 0, help: 'mean time between failures per node (s; default 30 days)' },
    mttr: { type: 'number', default: 3600, greaterThan: 0, help: 'mean time to repair (s; default 1 hour)' },
    years: { type: 'number', default: 12, greaterThan: 0, max: 100, help: 'simulated years per run (per seed)' },
    sector: { type: 'enum', default: 'brokerage', choices: SECTORS, help: `outage cost per hour from the paper's table 1: ${SECTORS.map((s) => `${s} $${OUTAGE_COST_PER_HOUR[s].toLocaleString('en-US')}`).join(', ')}` },
    ...modelParams(['mtbf', 'mttr']),
  },
  points: (params) => checkPoints(detectorPoints(params), (p) => (p.years as number) * SECONDS_PER_YEAR, (p) => ({ mtbf: p.mtbf as number, mttr: p.mttr as number })),
  cost: haCost,
  metricInfo: HA_METRICS,
  mainMetrics: ['availability', 'downtimeMinPerYear', 'downtimeClosedMinPerYear', 'downtimeClosedFailbackMinPerYear', 'downtimeClosedDoubleMinPerYear', 'costPerYear'],
  keys: ['system'],
  metrics: [
    'availability', 'availabilityClosedForm', 'availabilityClosedFormFailback', 'downtimeMinPerYear', 'downtimeClosedMinPerYear',
    'downtimeClosedFailbackMinPerYear', 'downtimeClosedDoubleMinPerYear', 'costPerYear', 'costClosedPerYear', 'failuresPerYear', 'dualActiveTime',
  ],
  run(point, seed) {
    const mtbf = point.mtbf as number, mttr = point.mttr as number;
    const cfg = configOf(point, { mtbf, mttr });
    const duration = (point.years as number) * SECONDS_PER_YEAR;
    const cost = OUTAGE_COST_PER_HOUR[point.sector as string];
    const perYear = (secondsDown: number) => (secondsDown / duration) * MIN_PER_YEAR;
    const single = simulateSingle(cfg, seed, duration);
    const aNo = availabilityNoHa(mtbf, mttr);
    const { result } = simulate(cfg, seed, duration);
    const D = closedFormDetection(cfg), F = closedFormFailover(cfg), FB = closedFormFailbackOutage(cfg);
    const aHa = availabilityHa(mtbf, D, F);
    const aHaFb = cfg.autoFailback ? availabilityHa(mtbf, D, F + FB) : aHa;
    // plus double failures (one node crashes while the other is down), which the two forms above leave out
    const dbl = doubleFailureFraction(cfg);
    const rows: Row[] = [
      {
        system: 'single (no HA)',
        availability: single.availability,
        availabilityClosedForm: aNo,
        availabilityClosedFormFailback: NaN,
        downtimeMinPerYear: perYear(single.downtime),
        downtimeClosedMinPerYear: (1 - aNo) * MIN_PER_YEAR,
        downtimeClosedFailbackMinPerYear: NaN,
        downtimeClosedDoubleMinPerYear: NaN,
        costPerYear: (perYear(single.downtime) / 60) * cost,
        costClosedPerYear: ((1 - aNo) * MIN_PER_YEAR / 60) * cost,
        failuresPerYear: single.failures / (point.years as number),
        dualActiveTime: 0,
      },
      {
        system: 'HA pair',
        availability: result.availability,
        availabilityClosedForm: aHa,
        availabilityClosedFormFailback: aHaFb,
        downtimeMinPerYear: perYear(result.downtime),
        downtimeClosedMinPerYear: (1 - aHa) * MIN_PER_YEAR,
        downtimeClosedFailbackMinPerYear: (1 - aHaFb) * MIN_PER_YEAR,
        downtimeClosedDoubleMinPerYear: (1 - aHaFb + dbl) * MIN_PER_YEAR,
        costPerYear: (perYear(result.downtime) / 60) * cost,
        costClosedPerYear: ((1 - aHa) * MIN_PER_YEAR / 60) * cost,
        // crashes of the node running the service (the only ones that cost downtime)
        failuresPerYear: result.incidents.filter((i) => i.services.length > 0).length / (point.years as number),
        dualActiveTime: result.dualActiveTime,
      },
    ];
    return { rows, tables: { presets: presetsTable() } };
  },
  charts(data) {
    // Colour = system, line style = which closed form, filled points = simulated (95% CI), the same in both charts.
    const CF = 'closed form', CF_FB = 'closed form + fail-back outage', CF_DBL = '+ fail-back + double failures';
    const SIM = 'simulated (95% CI over seeds)';
    const color = fixedColor('system', 'system', Object.keys(SYSTEM_COLORS), (v) => SYSTEM_COLORS[v]);
    // one legend entry per line drawn (the availability chart has no double-failure form), each symbol long enough to show its dashes
    const DASHES: Record<string, number[]> = { [CF]: [6, 3], [CF_FB]: [1, 3], [CF_DBL]: [10, 2, 2, 2] };
    const dashOf = (forms: string[]) => ({
      field: 'form', type: 'nominal', title: 'closed form', scale: { domain: forms, range: forms.map((f) => DASHES[f]) },
      legend: { labelLimit: 320, symbolStrokeColor: '#444', symbolSize: 900, symbolStrokeWidth: 2 },
    });
    const shape = { field: 'kind', type: 'nominal', title: null, scale: { domain: [SIM], range: ['circle'] }, legend: { symbolFillColor: '#444', symbolStrokeColor: '#444', labelLimit: 320 } };
    const sim = (m: string) => data.summary.filter((r) => r.metric === m).map((r): Row => ({ ...r, kind: SIM, label: seriesLabel(r) }));
    // the single server has one closed form, MTBF/(MTBF+MTTR), drawn with the plain style
    const closed = (m: string, form: string) =>
      data.summary.filter((r) => r.metric === m && r.mean !== '' && Number.isFinite(Number(r.mean))).map((r): Row => ({ ...r, form, label: seriesLabel(r) }));
    const hs = data.summary.map((r) => Number(r.h));
    const x = logAxisX(hs);
    const sector = String(data.params.sector);
    const price = OUTAGE_COST_PER_HOUR[sector] ?? NaN;
    const tooltip = [{ field: 'system' }, { field: 'label' }, { field: 'h' }, { field: 'mean', format: ',.4~f' }];
    /** A log panel: closed forms as lines, simulated means as points with CI bars (a bar reaching 0 or below is cut at the axis). */
    const panel = (s: Row[], c: Row[], title: string, format?: string) => {
      const dash = dashOf([CF, CF_FB, CF_DBL]);
      const domain = logDomain([...s, ...c], ['mean', 'ci95_low', 'ci95_high'], 1.6) ?? [1, 10];
      const sc = s.map((r): Row => ({ ...r, lo: Number(r.ci95_low) > 0 ? Number(r.ci95_low) : domain[0] }));
      const y = { field: 'mean', type: 'quantitative', title, scale: { type: 'log', domain, nice: false }, ...(format ? { axis: { format } } : {}) };
      return {
        width: 270,
        height: 250,
        layer: [
          { data: { values: c }, mark: { type: 'line', strokeWidth: 2 }, encoding: { x, y, color, strokeDash: dash, detail: { field: 'label' }, tooltip } },
          { data: { values: sc }, mark: { type: 'rule', strokeWidth: 1.5 }, encoding: { x, y: { ...y, field: 'lo' }, y2: { field: 'ci95_high' }, color } },
          { data: { values: sc }, mark: { type: 'point', filled: true, size: 60, opacity: 1 }, encoding: { x, y, color, shape, tooltip } },
        ],
      };
    };
    const costOf = (r: Row): Row => ({ ...r, mean: (Number(r.mean) / 60) * price, ci95_low: (Number(r.ci95_low) / 60) * price, ci95_high: (Number(r.ci95_high) / 60) * price });
    const downtimeChart: ChartSpec = {
      name: 'downtime',
      title: 'Downtime and outage cost per year',
      caption:
        `Left: downtime per year; right: its cost at the paper's table 1 price for "${sector}" ($${OUTAGE_COST_PER_HOUR[sector]?.toLocaleString('en-US')} ` +
        'per hour of outage). Colour = system; filled points = simulated mean with the 95% CI over seeds (a CI reaching zero is cut at the axis); ' +
        'dashed line = closed form (single: MTTR/(MTBF+MTTR); HA pair: detection + fail-over), dotted line = the HA pair\'s closed form ' +
        'plus the fail-back outage, as in the availability chart, and dash-dotted the same plus double failures (a node crashes while the other ' +
        'is down; the two single-failure forms leave them out). The cost lines are the downtime lines times the price. Log scales.',
      spec: {
        $schema: VEGA,
        hconcat: [
          panel(sim('downtimeMinPerYear'), [...closed('downtimeClosedMinPerYear', CF), ...closed('downtimeClosedFailbackMinPerYear', CF_FB), ...closed('downtimeClosedDoubleMinPerYear', CF_DBL)], 'downtime (minutes / year)'),
          panel(sim('costPerYear'), [...closed('costClosedPerYear', CF), ...closed('downtimeClosedFailbackMinPerYear', CF_FB).map(costOf), ...closed('downtimeClosedDoubleMinPerYear', CF_DBL).map(costOf)], 'outage cost ($ / year)', '$.2~s'),
        ],
      },
    };
    // availability as nines: -log10(1 - A); a CI end at A >= 1 is drawn to the top of the axis
    const toNines = (a: number) => (a < 1 ? -Math.log10(1 - a) : Infinity);
    const nines = (r: Row): Row => ({ ...r, mean: toNines(Number(r.mean)), lo: toNines(Number(r.ci95_low)), hi: toNines(Number(r.ci95_high)) });
    const availS = sim('availability').map(nines);
    const availC = [...closed('availabilityClosedForm', CF), ...closed('availabilityClosedFormFailback', CF_FB)].map(nines);
    const top = Math.ceil(Math.max(2, ...[...availS, ...availC].flatMap((r) => [Number(r.mean), Number(r.hi)]).filter(Number.isFinite)) + 0.5);
    const availSc = availS.map((r): Row => ({ ...r, lo: Math.max(0, Number(r.lo)), hi: Math.min(top, Number(r.hi)) }));
    const y = { field: 'mean', type: 'quantitative', title: 'availability, nines: -log10(1 - A)', scale: { domain: [0, top], nice: false } };
    const CLAIM = '#c51b7d';
    const availabilityChart: ChartSpec = {
      name: 'availability',
      title: 'Availability (number of nines) against the heartbeat interval',
      caption:
        'Availability as nines (1 = 90%, 3 = 99.9%, 5 = 99.999%). Colour = system; filled points = simulated mean with the 95% CI over seeds (cut at the axis); dashed ' +
        "line = closed form (single: MTBF/(MTBF+MTTR); HA pair: MTBF/(MTBF+detection+fail-over)), dotted line = the HA pair's closed form " +
        "with the fail-back outage added. The magenta rule at 1 nine is the paper's claim of over 90%; both systems are far above it with these MTBF and MTTR.",
      spec: {
        $schema: VEGA,
        width: 400,
        height: 280,
        layer: [
          { data: { values: [{ nines: 1 }] }, mark: { type: 'rule', color: CLAIM, strokeWidth: 1.5 }, encoding: { y: { field: 'nines', type: 'quantitative' } } },
          {
            data: { values: [{ nines: 1, text: "paper's claim: > 90% (1 nine)" }] },
            mark: { type: 'text', color: CLAIM, align: 'left', baseline: 'bottom', dx: 4, dy: -3, fontWeight: 'bold' },
            encoding: { x: { value: 0 }, y: { field: 'nines', type: 'quantitative' }, text: { field: 'text' } },
          },
          { data: { values: availC }, mark: { type: 'line', strokeWidth: 2 }, encoding: { x, y, color, strokeDash: dashOf([CF, CF_FB]), detail: { field: 'label' }, tooltip } },
          { data: { values: availSc }, mark: { type: 'rule', strokeWidth: 1.5 }, encoding: { x, y: { ...y, field: 'lo' }, y2: { field: 'hi' }, color } },
          { data: { values: availSc }, mark: { type: 'point', filled: true, size: 60, opacity: 1 }, encoding: { x, y, color, shape, tooltip } },
        ],
      },
    };
    return [availabilityChart, downtimeChart];
  },
  report(data) {
    const lines: string[] = [];
    const get = (m: string, r: Row) => data.summary.find((x) => x.metric === m && x.system === r.system && x.h === r.h && seriesLabel(x) === seriesLabel(r));
    for (const r of data.summary.filter((x) => x.metric === 'availability')) {
      const d = get('downtimeMinPerYear', r), dc = get('downtimeClosedMinPerYear', r), dfb = get('downtimeClosedFailbackMinPerYear', r), dd = get('downtimeClosedDoubleMinPerYear', r), c = get('costPerYear', r);
      lines.push(
        `${seriesLabel(r)} h=${r.h} ${r.system}: availability ${(Number(r.mean) * 100).toFixed(5)}%, downtime ${Number(d?.mean).toFixed(2)} min/yr ` +
          `[${Number(d?.ci95_low).toFixed(2)}, ${Number(d?.ci95_high).toFixed(2)}] (closed form ${Number(dc?.mean).toFixed(2)}` +
          `${Number.isFinite(Number(dfb?.mean)) ? `, with fail-back ${Number(dfb?.mean).toFixed(2)}, and double failures ${Number(dd?.mean).toFixed(2)}` : ''}), cost $${Math.round(Number(c?.mean)).toLocaleString('en-US')}/yr`,
      );
    }
    return lines;
  },
};
