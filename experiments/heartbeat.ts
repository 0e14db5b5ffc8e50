/**
 * The heartbeat interval trade-off the HA paper describes in words: a short
 * interval detects a failure sooner but costs more messages and mistakes
 * short pauses for failures. Sweep h (and optionally T/h, R, loss, preset).
 */
import type { ChartSpec, Experiment, Row } from '../src/runner/experiment.ts';
import { simulate, closedFormDetection } from '../src/models/ha/index.ts';
import { VEGA, configOf, detectorParams, detectorPoints, modelParams, presetsTable, quantile, seriesLabel } from './ha-common.ts';

const DAY = 86400;

export const heartbeat: Experiment = {
  name: 'heartbeat',
  title: 'HA: heartbeat interval vs detection latency, traffic and false fail-overs',
  description:
    'A 2-node cluster runs for `duration` seconds with random crashes (mtbf, mttr) and random pauses (pauseMtb, pauseMean: ' +
    'a node stops answering for a while, e.g. a GC or swap stall) on channels with message loss. For each interval h ' +
    '(T = 3h, R = 1 by default) it measures the detection latency of the crashes (mean, p50, p99; SPEC 3.7 closed form ' +
    'T(1+R) - h/2 + one-way latency on a lossless net, which the simulation must match within 2%), heartbeat messages per ' +
    'second, false detections and false fail-overs per day, and the detector quality of Chen, Toueg and Aguilera (T_MR, T_M, P_A).',
  seeds: 3,
  params: {
    ...detectorParams([0.1, 0.2, 0.5, 1, 2, 5], "heartbeat interval h in seconds (0 = the preset's)"),
    loss: { type: 'number', default: [0, 0.01, 0.05], list: true, min: 0, max: 0.99, help: 'loss probability of every message on each channel' },
    duration: { type: 'number', default: DAY, greaterThan: 0, help: 'simulated time per run (s)' },
    mtbf: { type: 'number', default: 600, greaterThan: 0, help: 'mean time between crashes per node (s); short, to collect many detections' },
    mttr: { type: 'number', default: 60, greaterThan: 0, help: 'mean repair time (s)' },
    pauseMtb: { type: 'number', default: 3600, min: 0, help: 'mean time between pauses per node (s; 0 = none)' },
    pauseMean: { type: 'number', default: 1, greaterThan: 0, help: 'mean pause length (s, exponential)' },
    ...modelParams(),
  },
  points: detectorPoints,
  keys: [],
  metrics: [
    'detMean', 'detP50', 'detP99', 'detClosedForm', 'detRelErr', 'detN', 'hbPerSec', 'hbPerSecClosedForm', 'hbBytesPerSec',
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
    const lat = result.detections.map((d) => d.latency).sort((a, b) => a - b);
    const detMean = lat.length ? lat.reduce((a, b) => a + b, 0) / lat.length : NaN;
    const cf = closedFormDetection(cfg);
    const pairs = cfg.nodes * (cfg.nodes - 1);
    const row: Row = {
      detMean,
      detP50: quantile(lat, 0.5),
      detP99: quantile(lat, 0.99),
      detClosedForm: cf,
      detRelErr: detMean / cf - 1,
      detN: lat.length,
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
    const det = metric('detMean');
    const closed = metric('detClosedForm').filter((r, i, a) => a.findIndex((x) => x.h === r.h && x.T === r.T && x.R === r.R) === i);
    const x = { field: 'h', type: 'quantitative', title: 'heartbeat interval h (s)', scale: { type: 'log' } };
    const detection: ChartSpec = {
      name: 'detection',
      title: 'Detection latency against the heartbeat interval',
      caption:
        'Mean time from a crash to its declaration (points, 95% CI over seeds) and the closed form T(1+R) - h/2 + latency ' +
        '(black line, lossless). Loss makes the last heartbeat heard earlier on average, so lossy runs sit slightly above.',
      spec: {
        $schema: VEGA,
        width: 420,
        height: 260,
        layer: [
          { data: { values: closed }, mark: { type: 'line', color: 'black' }, encoding: { x, y: { field: 'mean', type: 'quantitative', title: 'detection latency (s)' }, detail: { field: 'T' } } },
          {
            data: { values: det },
            mark: { type: 'point', filled: true },
            encoding: { x, y: { field: 'mean', type: 'quantitative', title: 'detection latency (s)', scale: { type: 'log' } }, color: { field: 'series', type: 'nominal', title: 'series' } },
          },
          { data: { values: det }, mark: 'errorbar', encoding: { x, y: { field: 'ci95_low', type: 'quantitative', title: 'detection latency (s)' }, y2: { field: 'ci95_high' }, color: { field: 'series', type: 'nominal' } } },
        ],
      },
    };
    const hb = metric('hbPerSec');
    const hbClosed = metric('hbPerSecClosedForm').filter((r, i, a) => a.findIndex((x) => x.h === r.h) === i);
    const traffic: ChartSpec = {
      name: 'traffic',
      title: 'Heartbeat messages per second',
      caption: 'Heartbeat messages per second on both channels, both directions (points), and the closed form 2 N(N-1)/h (line). Probes add a little.',
      spec: {
        $schema: VEGA,
        width: 420,
        height: 260,
        layer: [
          { data: { values: hbClosed }, mark: { type: 'line', color: 'black' }, encoding: { x, y: { field: 'mean', type: 'quantitative', title: 'heartbeat messages / s' } } },
          {
            data: { values: hb },
            mark: { type: 'point', filled: true },
            encoding: { x, y: { field: 'mean', type: 'quantitative', title: 'heartbeat messages / s', scale: { type: 'log' } }, color: { field: 'series', type: 'nominal', title: 'series' } },
          },
        ],
      },
    };
    const fd = metric('falseDetectionsPerDay');
    const ff = metric('falseFailoversPerDay');
    const mistakes: ChartSpec = {
      name: 'false-failovers',
      title: 'False detections and false fail-overs per day',
      caption:
        'Declarations of a node that had not crashed (left, per day of one node watching another) and take-overs of a service whose ' +
        'holder had not crashed (right, per day), mean and 95% CI. With two independent channels loss alone almost never causes one; ' +
        'pauses longer than the detection time do.',
      spec: {
        $schema: VEGA,
        hconcat: [
          ['falseDetectionsPerDay', fd, 'false detections / pair-day'],
          ['falseFailoversPerDay', ff, 'false fail-overs / day'],
        ].map(([, values, title]) => ({
          width: 300,
          height: 240,
          data: { values },
          layer: [
            { mark: { type: 'line', point: true }, encoding: { x, y: { field: 'mean', type: 'quantitative', title }, color: { field: 'series', type: 'nominal', title: 'series' } } },
            { mark: 'errorbar', encoding: { x, y: { field: 'ci95_low', type: 'quantitative', title }, y2: { field: 'ci95_high' }, color: { field: 'series', type: 'nominal' } } },
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
