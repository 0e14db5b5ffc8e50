/**
 * Availability, downtime and outage cost per year (the HA paper's table 1)
 * against the heartbeat interval, for one server without HA and for the
 * heartbeat pair, with the closed forms of SPEC 3.7 beside them.
 */
import type { ChartSpec, Experiment, Row } from '../src/runner/experiment.ts';
import {
  simulate, simulateSingle, availabilityNoHa, availabilityHa, closedFormDetection, closedFormFailover, closedFormFailbackOutage,
  OUTAGE_COST_PER_HOUR, SECTORS, SECONDS_PER_YEAR,
} from '../src/models/ha/index.ts';
import { VEGA, configOf, detectorParams, detectorPoints, modelParams, presetsTable, seriesLabel } from './ha-common.ts';

const MIN_PER_YEAR = SECONDS_PER_YEAR / 60;

export const downtime: Experiment = {
  name: 'downtime',
  title: 'HA: availability, downtime and outage cost per year against the heartbeat interval',
  description:
    'Node failures arrive with exponential time to failure (mtbf, default 30 days) and are repaired after mttr (default 1 hour). ' +
    'A single server is down for the whole repair; the heartbeat pair is down for the detection, the take-over and the ' +
    "fail-back hand-over. Downtime per year is priced with the HA paper's table 1 (dollars per hour of outage, `sector`). " +
    'Closed forms: MTBF/(MTBF+MTTR) without HA, MTBF/(MTBF+detection+fail-over) for the pair (SPEC 3.7), and the same plus the fail-back outage.',
  seeds: 4,
  params: {
    ...detectorParams([0.5, 1, 2, 5, 10], "heartbeat interval h in seconds (0 = the preset's)"),
    loss: { type: 'number', default: [0], list: true, min: 0, max: 0.99, help: 'loss probability of every message on each channel' },
    mtbf: { type: 'number', default: 30 * 86400, greaterThan: 0, help: 'mean time between failures per node (s; default 30 days)' },
    mttr: { type: 'number', default: 3600, greaterThan: 0, help: 'mean time to repair (s; default 1 hour)' },
    years: { type: 'number', default: 1, greaterThan: 0, max: 100, help: 'simulated years per run' },
    sector: { type: 'enum', default: 'brokerage', choices: SECTORS, help: `outage cost per hour from the paper's table 1: ${SECTORS.map((s) => `${s} $${OUTAGE_COST_PER_HOUR[s].toLocaleString('en-US')}`).join(', ')}` },
    ...modelParams(),
  },
  points: detectorPoints,
  keys: ['system'],
  metrics: [
    'availability', 'availabilityClosedForm', 'availabilityClosedFormFailback', 'downtimeMinPerYear', 'downtimeClosedMinPerYear',
    'downtimeClosedFailbackMinPerYear', 'costPerYear', 'costClosedPerYear', 'failuresPerYear', 'dualActiveTime',
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
    const rows: Row[] = [
      {
        system: 'single (no HA)',
        availability: single.availability,
        availabilityClosedForm: aNo,
        availabilityClosedFormFailback: NaN,
        downtimeMinPerYear: perYear(single.downtime),
        downtimeClosedMinPerYear: (1 - aNo) * MIN_PER_YEAR,
        downtimeClosedFailbackMinPerYear: NaN,
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
    const sim = (m: string) => data.summary.filter((r) => r.metric === m).map((r): Row => ({ ...r, series: `${r.system} (simulated)`, label: seriesLabel(r) }));
    const closed = (m: string, name: string) =>
      data.summary.filter((r) => r.metric === m && Number.isFinite(Number(r.mean))).map((r): Row => ({ ...r, series: `${r.system} (${name})`, label: seriesLabel(r) }));
    const hs = data.summary.map((r) => Number(r.h)).filter((v) => v > 0);
    const x = { field: 'h', type: 'quantitative', title: 'heartbeat interval h (s)', scale: { type: 'log', domain: [Math.min(...hs) / 1.25, Math.max(...hs) * 1.25], nice: false } };
    const sector = String(data.params.sector);
    const pricePerMinute = (OUTAGE_COST_PER_HOUR[sector] ?? NaN) / 60;
    // the closed form with the fail-back outage, priced: downtime minutes x the sector's price per minute
    const costFailback = () =>
      closed('downtimeClosedFailbackMinPerYear', 'closed form + fail-back').map(
        (r): Row => ({ ...r, mean: Number(r.mean) * pricePerMinute, ci95_low: Number(r.ci95_low) * pricePerMinute, ci95_high: Number(r.ci95_high) * pricePerMinute }),
      );
    const panel = (simM: string, cfM: string, cfFb: Row[], title: string, logY: boolean) => {
      const c = [...closed(cfM, 'closed form'), ...cfFb];
      let s = sim(simM);
      let scale: Record<string, unknown> = { zero: false };
      if (logY) {
        // a log axis cannot show a CI that reaches 0 or below: such a bar runs to the bottom of the axis
        const positive = [...s, ...c].flatMap((r) => [Number(r.mean), Number(r.ci95_low)]).filter((v) => v > 0);
        const floor = Math.min(...positive) / 2;
        const top = Math.max(...[...s, ...c].flatMap((r) => [Number(r.mean), Number(r.ci95_high)]).filter(Number.isFinite)) * 1.5;
        s = s.map((r): Row => ({ ...r, mean: Math.max(Number(r.mean), floor), ci95_low: Number(r.ci95_low) > 0 ? Number(r.ci95_low) : floor }));
        scale = { type: 'log', domain: [floor, top], nice: false };
      }
      const y = { field: 'mean', type: 'quantitative', title, scale, axis: title.includes('$') ? { format: '$~s' } : {} };
      return {
        width: 300,
        height: 240,
        layer: [
          { data: { values: c }, mark: { type: 'line', strokeDash: [4, 3] }, encoding: { x, y, color: { field: 'series', type: 'nominal', title: 'series', legend: { labelLimit: 360 } }, detail: { field: 'label' } } },
          { data: { values: s }, mark: { type: 'point', filled: true, size: 50 }, encoding: { x, y, color: { field: 'series', type: 'nominal' }, detail: { field: 'label' } } },
          { data: { values: s }, mark: 'errorbar', encoding: { x, y: { field: 'ci95_low', type: 'quantitative', title }, y2: { field: 'ci95_high' }, color: { field: 'series', type: 'nominal' } } },
        ],
      };
    };
    const downtimeChart: ChartSpec = {
      name: 'downtime',
      title: 'Downtime and outage cost per year',
      caption:
        `Simulated (points, 95% CI over seeds) and closed forms (dashed) for one server without HA and for the heartbeat pair; cost per year at the ` +
        `paper's table 1 price for "${sector}" ($${OUTAGE_COST_PER_HOUR[sector]?.toLocaleString('en-US')} per hour); both panels draw the HA pair's closed form ` +
        `with and without the planned fail-back outage. Log scales; a CI that reaches 0 runs to the bottom of the axis.`,
      spec: {
        $schema: VEGA,
        hconcat: [
          panel('downtimeMinPerYear', 'downtimeClosedMinPerYear', closed('downtimeClosedFailbackMinPerYear', 'closed form + fail-back'), 'downtime (minutes / year)', true),
          panel('costPerYear', 'costClosedPerYear', costFailback(), 'outage cost ($ / year)', true),
        ],
      },
    };
    const nines = (m: string) => (r: Row): Row => ({ ...r, mean: -Math.log10(1 - Number(r.mean)), ci95_low: -Math.log10(1 - Number(r.ci95_low)), ci95_high: -Math.log10(1 - Number(r.ci95_high)), metric: m });
    const availS = sim('availability').map(nines('availability'));
    const availC = [...closed('availabilityClosedForm', 'closed form'), ...closed('availabilityClosedFormFailback', 'closed form + fail-back')].map(nines('closed'));
    const y = { field: 'mean', type: 'quantitative', title: 'availability in nines: -log10(1 - A)' };
    const availabilityChart: ChartSpec = {
      name: 'availability',
      title: 'Availability (number of nines) against the heartbeat interval',
      caption:
        "Availability as nines, -log10(1 - A): 1 = 90% (the paper's \"over 90%\" claim, dotted rule), 3 = 99.9%, 5 = 99.999%. Simulated: points with 95% CI " +
        'over seeds; closed forms: dashed (the SPEC\'s MTBF/(MTBF + detection + fail-over), and the same with the planned fail-back outage added). ' +
        'Both systems are far above 90% with these MTBF and MTTR.',
      spec: {
        $schema: VEGA,
        width: 420,
        height: 260,
        layer: [
          { data: { values: availC }, mark: { type: 'line', strokeDash: [4, 3] }, encoding: { x, y, color: { field: 'series', type: 'nominal', title: 'series', legend: { labelLimit: 360 } }, detail: { field: 'label' } } },
          { data: { values: availS }, mark: { type: 'point', filled: true, size: 50 }, encoding: { x, y, color: { field: 'series', type: 'nominal' }, detail: { field: 'label' } } },
          { data: { values: availS }, mark: 'errorbar', encoding: { x, y: { field: 'ci95_low', type: 'quantitative', title: y.title }, y2: { field: 'ci95_high' }, color: { field: 'series', type: 'nominal' } } },
          { data: { values: [{ nines: 1 }] }, mark: { type: 'rule', color: '#444', strokeDash: [2, 2] }, encoding: { y: { field: 'nines', type: 'quantitative' } } },
          {
            data: { values: [{ nines: 1, text: "the paper's claim: over 90% (1 nine)" }] },
            mark: { type: 'text', align: 'left', baseline: 'bottom', dx: 4, dy: -3, color: '#444' },
            encoding: { x: { value: 0 }, y: { field: 'nines', type: 'quantitative' }, text: { field: 'text' } },
          },
        ],
      },
    };
    return [availabilityChart, downtimeChart];
  },
  report(data) {
    const lines: string[] = [];
    const get = (m: string, r: Row) => data.summary.find((x) => x.metric === m && x.system === r.system && x.h === r.h && seriesLabel(x) === seriesLabel(r));
    for (const r of data.summary.filter((x) => x.metric === 'availability')) {
      const d = get('downtimeMinPerYear', r), dc = get('downtimeClosedMinPerYear', r), dfb = get('downtimeClosedFailbackMinPerYear', r), c = get('costPerYear', r);
      lines.push(
        `${seriesLabel(r)} h=${r.h} ${r.system}: availability ${(Number(r.mean) * 100).toFixed(5)}%, downtime ${Number(d?.mean).toFixed(2)} min/yr ` +
          `[${Number(d?.ci95_low).toFixed(2)}, ${Number(d?.ci95_high).toFixed(2)}] (closed form ${Number(dc?.mean).toFixed(2)}` +
          `${Number.isFinite(Number(dfb?.mean)) ? `, with fail-back ${Number(dfb?.mean).toFixed(2)}` : ''}), cost $${Math.round(Number(c?.mean)).toLocaleString('en-US')}/yr`,
      );
    }
    return lines;
  },
};
