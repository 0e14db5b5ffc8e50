/**
 * The heartbeat interval trade-off the HA paper describes in words: a short
 * interval detects a failure sooner but costs more messages and mistakes
 * short pauses for failures. Sweep h (and optionally T/h, R, loss, preset).
 */
import { HA_METRICS } from './ha-metrics.ts';
import type { ChartSpec, Experiment, Row } from '../src/runner/experiment.ts';
import { simulate, closedFormDetection } from '../src/models/ha/index.ts';
import { fixedColor, presetColor } from './ha-colors.ts';
import { VEGA, checkPoints, haCost, configOf, detectorParams, detectorPoints, dodgeLog, logAxisX, logDomain, modelParams, presetsTable, quantile, seriesLabel } from './ha-common.ts';

const DAY = 86400;

export const heartbeat: Experiment = {
  name: 'heartbeat',
  title: 'HA: heartbeat interval vs detection latency, traffic and false fail-overs',
  description:
    'A 2-node cluster runs for `duration` seconds with random crashes (mtbf, mttr) and random pauses (pauseMtb, pauseMean: ' +
    'a node stops answering for a while, e.g. a GC or swap stall) on channels with message loss. For each interval h ' +
    '(T = 3h, R = 1 by default) it measures the detection latency of the crashes (mean, p50, p99; closed form ' +
    'T(1+R) - h/2 + one-way latency on a lossless net, which the simulation must match within 2%), heartbeat messages per ' +
    'second, false detections and false fail-overs per day, and the detector quality of Chen, Toueg and Aguilera (T_MR, T_M, P_A).',
  seeds: 3,
  params: {
    ...detectorParams([0.1, 0.2, 0.5, 1, 2, 5], 'heartbeat interval h in seconds'),
    loss: { type: 'number', default: [0, 0.01, 0.05], list: true, min: 0, max: 0.99, help: 'loss probability of every message on each channel' },
    duration: { type: 'number', default: DAY, greaterThan: 0, help: 'simulated time per run (s)' },
    mtbf: { type: 'number', default: 600, greaterThan: 0, help: 'mean time between crashes per node (s); short, to collect many detections' },
    mttr: { type: 'number', default: 60, greaterThan: 0, help: 'mean repair time (s)' },
    pauseMtb: { type: 'number', default: 3600, min: 0, help: 'mean time between pauses per node (s; 0 = none)' },
    pauseMean: { type: 'number', default: 1, greaterThan: 0, help: 'mean pause length (s, exponential)' },
    ...modelParams(['mtbf', 'mttr', 'pauseMtb', 'pauseMean']),
  },
  points: (params) =>
    checkPoints(detectorPoints(params), (p) => p.duration as number, (p) => ({ mtbf: p.mtbf as number, mttr: p.mttr as number, pauseMtb: p.pauseMtb as number, pauseMean: p.pauseMean as number })),
  cost: haCost,
  metricInfo: HA_METRICS,
  mainMetrics: ['detMean', 'detP99', 'detClosedForm', 'hbPerSec', 'falseDetectionsPerDay', 'falseFailoversPerDay', 'P_A'],
  keys: [],
  metrics: [
    'detMean', 'detP50', 'detP99', 'detClosedForm', 'detRelErr', 'detN', 'detMeanAll', 'detP99All', 'detNAll', 'hbPerSec', 'hbPerSecClosedForm', 'hbBytesPerSec',
    'falseDetectionsPerDay', 'falseFailoversPerDay', 'T_MR_hours', 'T_M', 'P_A', 'availability', 'dualActiveTime',
  ],
  run(point, seed) {
    const cfg = configOf(point, {
      mtbf: point.mtbf as number,
      mttr: point.mttr as number,
      pauseMtb: point.pauseMtb as number,
      pauseMean: point.pauseMean as number,
    });
    const duration = point.duration as number;
    const { result } = simulate(cfg, seed, duration);
    // clean detections: the observer ran unpaused from the crash to its declaration; all: every detected crash
    const lat = result.detections.filter((d) => d.clean).map((d) => d.latency).sort((a, b) => a - b);
    const all = result.detections.map((d) => d.latency).sort((a, b) => a - b);
    const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
    const detMean = mean(lat);
    const cf = closedFormDetection(cfg);
    const pairs = cfg.nodes * (cfg.nodes - 1);
    const row: Row = {
      detMean,
      detP50: quantile(lat, 0.5),
      detP99: quantile(lat, 0.99),
      detClosedForm: cf,
      detRelErr: detMean / cf - 1,
      detN: lat.length,
      detMeanAll: mean(all),
      detP99All: quantile(all, 0.99),
      detNAll: all.length,
      hbPerSec: result.hbMessages / duration,
      hbPerSecClosedForm: (pairs * 2) / cfg.interval,
      hbBytesPerSec: (result.hbMessages * cfg.frameBytes) / duration,
      // per watching pair: a day of one node watching another while it is up
      falseDetectionsPerDay: result.observedTime > 0 ? (result.mistakes / result.observedTime) * DAY * pairs : NaN,
      falseFailoversPerDay: (result.falseTakeovers / duration) * DAY,
      T_MR_hours: result.mistakeRecurrence / 3600,
      T_M: result.meanMistakeDuration,
      P_A: result.queryAccuracy,
      availability: result.availability,
      dualActiveTime: result.dualActiveTime,
    };
    return { rows: [row], tables: { presets: presetsTable() } };
  },
  charts(data) {
    const metric = (m: string) =>
      data.summary.filter((r) => r.metric === m).map((r): Row => ({ ...r, series: seriesLabel(r) }));
    const hs = data.summary.map((r) => Number(r.h));
    const xAxis = logAxisX(hs);
    const xDodged = { ...xAxis, field: 'hx' };
    // one fixed colour per preset, lighter with more loss (ha-colors.ts)
    const seriesColor = new Map(data.summary.map((r) => [seriesLabel(r), presetColor(String(r.preset), Number(r.loss ?? 0))]));
    const color = fixedColor('series', 'series', [...seriesColor.keys()], (v) => seriesColor.get(v)!);
    // a legend entry for a black closed-form line: strokeDash on a one-value field
    const lineLegend = (what: string) => ({ field: 'what', type: 'nominal', title: null, scale: { domain: [what], range: [[1, 0]] }, legend: { symbolStrokeColor: 'black', symbolStrokeWidth: 2, labelLimit: 420 } });

    // (a) latency in heartbeat intervals (latency / h: the statistics lie apart, where on a log scale of seconds they covered each other):
    // closed form line, simulated mean (95% CI), p50 and p99; the loss series dodged sideways
    const perH = (r: Row): Row => ({ ...r, mean: Number(r.mean) / Number(r.h), ci95_low: Number(r.ci95_low) / Number(r.h), ci95_high: Number(r.ci95_high) / Number(r.h) });
    const cfWhat = 'closed form (T(1+R) - h/2 + latency) / h';
    const closed = metric('detClosedForm')
      .filter((r, i, a) => a.findIndex((x) => x.h === r.h && x.T === r.T && x.R === r.R && x.preset === r.preset) === i)
      .map((r): Row => ({ ...perH(r), what: cfWhat, curve: `${r.preset} T/h=${Number(r.T) / Number(r.h)} R=${r.R}` }));
    const MEAN = 'mean (95% CI)', P50 = 'p50', P99 = 'p99';
    const stats: Row[] = dodgeLog([
      ...metric('detMean').map((r): Row => ({ ...perH(r), stat: MEAN })),
      ...metric('detP50').map((r): Row => ({ ...perH(r), stat: P50 })),
      ...metric('detP99').map((r): Row => ({ ...perH(r), stat: P99 })),
    ]);
    const latVals = [...stats, ...closed].flatMap((r) => [Number(r.mean), Number(r.ci95_low), Number(r.ci95_high)]).filter(Number.isFinite);
    const latPad = 0.08 * (Math.max(...latVals) - Math.min(...latVals) || 1);
    const yLat = {
      field: 'mean', type: 'quantitative', title: 'detection latency / h',
      scale: { domain: [Math.max(0, Math.min(...latVals) - latPad), Math.max(...latVals) + latPad], nice: false, zero: false },
    };
    // the mean filled, the percentiles hollow, each its own shape
    const shape = { field: 'stat', type: 'nominal', title: 'simulated', scale: { domain: [MEAN, P50, P99], range: ['circle', 'diamond', 'triangle-up'] }, legend: { labelLimit: 200 } };
    const latency = {
      title: '(a) latency in heartbeat intervals, against the closed form',
      width: 380,
      height: 230,
      layer: [
        { data: { values: closed }, mark: { type: 'line', color: 'black', strokeWidth: 1.5 }, encoding: { x: xAxis, y: yLat, detail: { field: 'curve' }, strokeDash: lineLegend(cfWhat) } },
        { data: { values: stats.filter((r) => r.stat !== MEAN) }, mark: { type: 'point', filled: false, size: 55, strokeWidth: 1.8 }, encoding: { x: xDodged, y: yLat, color, shape, tooltip: [{ field: 'series' }, { field: 'stat' }, { field: 'h' }, { field: 'mean', title: 'latency / h', format: '.3f' }] } },
        { data: { values: stats.filter((r) => r.stat === MEAN) }, mark: { type: 'rule' }, encoding: { x: xDodged, y: { ...yLat, field: 'ci95_low' }, y2: { field: 'ci95_high' }, color } },
        {
          data: { values: stats.filter((r) => r.stat === MEAN) },
          mark: { type: 'point', filled: true, size: 45, opacity: 1 },
          encoding: { x: xDodged, y: yLat, color, shape, tooltip: [{ field: 'series' }, { field: 'stat' }, { field: 'h' }, { field: 'mean', title: 'latency / h', format: '.3f' }] },
        },
      ],
    };
    // (b) deviation of the simulated mean from the closed form, in percent, with our 2% tolerance
    const dev = metric('detRelErr').map((r): Row => ({ ...r, pct: Number(r.mean) * 100, pctLo: Number(r.ci95_low) * 100, pctHi: Number(r.ci95_high) * 100 }));
    const devVals = dev.flatMap((r) => [Number(r.pctLo), Number(r.pctHi)]).filter(Number.isFinite);
    const yDev = {
      field: 'pct', type: 'quantitative', title: 'mean vs closed form (%)', axis: { labelFlush: true },
      scale: { domain: [Math.min(-2.5, ...devVals.map((v) => v - 0.3)), Math.max(2.5, ...devVals.map((v) => v + 0.3))], nice: false },
    };
    const xBand = { field: 'h', type: 'ordinal', title: 'heartbeat interval h (s)', axis: { labelAngle: 0 }, sort: 'ascending' };
    const deviation = {
      title: '(b) deviation from the closed form',
      width: 380,
      height: 230,
      layer: [
        { data: { values: [{ lo: -2, hi: 2 }] }, mark: { type: 'rect', color: '#bbb', opacity: 0.25 }, encoding: { y: { field: 'lo', type: 'quantitative', scale: yDev.scale, title: yDev.title }, y2: { field: 'hi' } } },
        { data: { values: [{ y: -2 }, { y: 2 }] }, mark: { type: 'rule', color: '#777', strokeDash: [4, 3] }, encoding: { y: { field: 'y', type: 'quantitative' } } },
        { data: { values: [{ y: 0 }] }, mark: { type: 'rule', color: 'black' }, encoding: { y: { field: 'y', type: 'quantitative' } } },
        { data: { values: [{ y: 2, text: "tolerance ±2%" }] }, mark: { type: 'text', align: 'right', baseline: 'bottom', dx: -4, dy: -3, color: '#555' }, encoding: { x: { value: 'width' }, y: { field: 'y', type: 'quantitative' }, text: { field: 'text' } } },
        { data: { values: dev }, mark: { type: 'rule', strokeWidth: 1.5 }, encoding: { x: xBand, xOffset: { field: 'series', sort: null }, y: { ...yDev, field: 'pctLo' }, y2: { field: 'pctHi' }, color } },
        {
          data: { values: dev },
          mark: { type: 'point', filled: true, size: 40, opacity: 1 },
          encoding: { x: xBand, xOffset: { field: 'series', sort: null }, y: yDev, color, tooltip: [{ field: 'series' }, { field: 'h' }, { field: 'pct', format: '.2f' }, { field: 'pctLo', format: '.2f' }, { field: 'pctHi', format: '.2f' }] },
        },
      ],
    };
    const detection: ChartSpec = {
      name: 'detection',
      title: 'Detection latency against the heartbeat interval',
      caption:
        '(a) Time from a crash to its declaration, in heartbeat intervals (latency / h, so that the statistics lie apart at every h): the ' +
        'closed form (T(1+R) - h/2 + one-way latency) / h (black line, lossless net), the simulated mean (filled circle, 95% CI over seeds ' +
        'as a vertical bar), p50 (open diamond) and p99 (open triangle), one colour per series, the series shifted slightly sideways so they ' +
        'do not hide each other (they differ by well under 1%). Log x scale. (b) The simulated mean ' +
        'relative to the closed form in percent (mean over seeds of each run\'s deviation, 95% CI), one colour per series; the grey band is the ' +
        "±2% tolerance we hold the model to.",
      spec: { $schema: VEGA, vconcat: [latency, deviation], resolve: { scale: { color: 'shared' } } },
    };

    const hbWhat = 'closed form 2 channels x N(N-1) / h';
    const hb = dodgeLog(metric('hbPerSec'));
    const hbClosed = metric('hbPerSecClosedForm').filter((r, i, a) => a.findIndex((x) => x.h === r.h) === i).map((r): Row => ({ ...r, what: hbWhat }));
    const yHb = { field: 'mean', type: 'quantitative', title: 'heartbeat messages / s', scale: { type: 'log', domain: logDomain([...hb, ...hbClosed], ['mean'], 1.25), nice: false } };
    const traffic: ChartSpec = {
      name: 'traffic',
      title: 'Heartbeat messages per second',
      caption:
        'Heartbeat and probe copies sent per second, net and serial, both directions (points, mean over seeds, the series shifted slightly sideways), and the ' +
        'closed form 2 channels x N(N-1) directed pairs / h (black line), which assumes both nodes up all the time: a crashed or still ' +
        'booting node sends none, so the points sit below the line by about that share of time (mttr and boot time against mtbf). Log scales.',
      spec: {
        $schema: VEGA,
        width: 420,
        height: 280,
        layer: [
          { data: { values: hbClosed }, mark: { type: 'line', color: 'black', strokeWidth: 1.5 }, encoding: { x: xAxis, y: yHb, strokeDash: lineLegend(hbWhat) } },
          { data: { values: hb }, mark: { type: 'point', filled: true, size: 40, opacity: 1 }, encoding: { x: xDodged, y: yHb, color, tooltip: [{ field: 'series' }, { field: 'h' }, { field: 'mean', format: '.3f' }] } },
        ],
      },
    };
    const fd = dodgeLog(metric('falseDetectionsPerDay'));
    const ff = dodgeLog(metric('falseFailoversPerDay'));
    const mistakes: ChartSpec = {
      name: 'false-failovers',
      title: 'False detections and false fail-overs per day',
      caption:
        'Declarations of a node that had not crashed (left, per day of one node watching another) and take-overs of a service whose ' +
        'holder had not crashed (right, per day): mean over seeds (points joined by lines) and 95% CI (vertical bars, normal approximation, ' +
        'clipped at zero since a rate cannot be negative), the series shifted slightly sideways. With two independent channels loss alone almost never causes one; ' +
        'pauses longer than the detection time do.',
      spec: {
        $schema: VEGA,
        hconcat: [
          [fd, 'false detections / pair-day'],
          [ff, 'false fail-overs / day'],
        ].map(([values, title]) => ({
          width: 280,
          height: 220,
          data: { values },
          layer: [
            // rates cannot be negative: the normal-approximation interval is clipped at zero (the caption says so)
            { transform: [{ calculate: 'max(0, datum.ci95_low)', as: 'lo' }], mark: { type: 'rule', strokeWidth: 1.5 }, encoding: { x: xDodged, y: { field: 'lo', type: 'quantitative', title }, y2: { field: 'ci95_high' }, color } },
            {
              mark: { type: 'line', point: { filled: true, size: 40 } },
              encoding: { x: xDodged, y: { field: 'mean', type: 'quantitative', title }, color, tooltip: [{ field: 'series' }, { field: 'h' }, { field: 'mean', format: '.2f' }, { field: 'ci95_low', format: '.2f' }, { field: 'ci95_high', format: '.2f' }] },
            },
          ],
        })),
      },
    };
    return [detection, traffic, mistakes];
  },
  report(data) {
    const by = (m: string) => new Map(data.summary.filter((r) => r.metric === m).map((r) => [seriesLabel(r) + ` h=${r.h}`, r]));
    const det = by('detMean'), cf = by('detClosedForm'), err = by('detRelErr'), p99 = by('detP99'), hb = by('hbPerSec'), ff = by('falseFailoversPerDay'), fd = by('falseDetectionsPerDay');
    const lines = ['series, h: detection mean (closed form, rel. error) p99 | heartbeats/s | false detections/pair-day | false fail-overs/day'];
    for (const [k, r] of det) {
      const f = (m: Map<string, Row>, d = 3) => Number(m.get(k)?.mean).toFixed(d);
      lines.push(`${k}: ${Number(r.mean).toFixed(3)} s (${f(cf)}, ${(Number(err.get(k)?.mean) * 100).toFixed(2)}%) p99 ${f(p99)} | ${f(hb, 1)} | ${f(fd, 2)} | ${f(ff, 2)}`);
    }
    return lines;
  },
};
