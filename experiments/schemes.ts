/**
 * Beyond the LB paper: every registered built-in scheme on five workloads of
 * a world in time, at 2 to 16 servers. What a studio picking a partitioner
 * compares: rebalancing migrations per player-hour against the interaction
 * they cut (cross-server pairs within V) and against the imbalance they
 * leave, and how each scheme rides a hot spot.
 */
import type { ChartSpec, Experiment, Point, Row } from '../src/runner/experiment.ts';
import { WORLD_OPTIONS, resolveWorld, runWorld, schemeNames, type LbOptions, type WorldConfig, type WorldTotals } from '../src/models/lb/index.ts';
import type { OptionSpec } from '../src/schema.ts';
import { VEGA, schemeColor } from './lb-common.ts';
import { WORLD_METRIC_INFO } from '../src/models/lb/metric-info.ts';

export const WORKLOADS = ['paper', 'moving', 'hotspot', 'flash-crowd', 'churn'] as const;

const schemeList = (s: string) => s.split(',').map((x) => x.trim()).filter(Boolean);
const BUILT_IN = ['static', 'dynamic', 'user-centric', 'kd-tree', 'progrega'];

const METRICS: Array<keyof WorldTotals> = [
  'migrationsPerPlayerHour', 'handoffsPerPlayerHour', 'usersPerEvent', 'crossPairsPerPlayer', 'maxOverMean', 'aboveCapacity', 'imbalanceMean', 'peakOnline', 'playerHours',
];

/** The world knobs the workloads use, as parameters (the model's option table, with the workloads' values as defaults). */
const KNOBS: Record<string, number> = { speedMin: 1, speedMax: 5, pauseMax: 30, hotspotRate: 12, hotspotShare: 0.3, hotspotRadius: 48, hotspotDuration: 120, sessionMean: 300, joinUntil: 60 };
const knobParams = Object.fromEntries(
  Object.entries(KNOBS).map(([name, def]) => {
    const o = (WORLD_OPTIONS as Record<string, OptionSpec>)[name];
    const where = name.startsWith('hotspot') ? 'hot-spot workload: ' : name === 'sessionMean' ? 'churn workload: ' : name === 'joinUntil' ? 'flash-crowd workload: the window of its joins; ' : '';
    return [name, { type: o.type, default: def, min: o.min, max: o.max, greaterThan: o.greaterThan, help: where + o.help }];
  }),
);

/** The world of a workload for n servers, p players per server, `duration` seconds (the paper's: one arrival a second), and the knobs. */
export function workload(name: string, n: number, p: number, duration: number, knobs: Record<string, number> = KNOBS): { lb: Partial<LbOptions>; world: Partial<WorldConfig> } {
  const players = n * p;
  const k = { ...KNOBS, ...knobs };
  const walking: Partial<WorldConfig> = { initialPlayers: players, joins: 'none', mobility: 'random-waypoint', duration, speedMin: k.speedMin, speedMax: k.speedMax, pauseMax: k.pauseMax };
  switch (name) {
    case 'paper':
      // uniform arrivals one per second, nobody moves or leaves; the run ends with the last arrival
      return { lb: { users: players }, world: { joins: 'paper', duration: players } };
    case 'moving':
      return { lb: {}, world: walking };
    case 'hotspot':
      // a point of interest about every five minutes, drawing 30% of the players for two minutes on average
      return { lb: {}, world: { ...walking, mobility: 'hotspot', hotspotRate: k.hotspotRate, hotspotShare: k.hotspotShare, hotspotRadius: k.hotspotRadius, hotspotDuration: k.hotspotDuration } };
    case 'flash-crowd':
      // a fifth of the players online; the other four fifths join within one minute, three quarters of them in the (0,0)-(512,512) corner
      return { lb: { arrivals: 'skew 3:1' }, world: { ...walking, initialPlayers: Math.round(players / 5), joins: 'poisson', joinRate: (players * 0.8) / k.joinUntil, joinUntil: k.joinUntil } };
    case 'churn':
      // sessions of five minutes on average (exponential), joins at the rate that keeps p per server online
      return { lb: {}, world: { ...walking, joins: 'poisson', joinRate: players / k.sessionMean, session: 'exponential', sessionMean: k.sessionMean } };
  }
  throw new Error(`unknown workload '${name}' (${WORKLOADS.join(', ')})`);
}

const workloadOf = (p: Point) =>
  workload(p.workload as string, p.servers as number, p.playersPerServer as number, p.duration as number, Object.fromEntries(Object.keys(KNOBS).map((x) => [x, p[x] as number])));

export const schemes: Experiment = {
  name: 'schemes',
  title: 'LB beyond the paper: five schemes x five workloads x 2-16 servers in a world in time',
  description:
    "Every built-in scheme (the paper's static, dynamic and user-centric; a KD-tree partition; ProGReGA-style region growing) on five " +
    "workloads: 'paper' (the paper's static arrivals), 'moving' (players walking, random waypoint), 'hotspot' (a hot spot that draws 30% of them), " +
    "'flash-crowd' (players joining within a minute into one corner) and 'churn' (five-minute sessions). Players per server are fixed, so a run with more " +
    'servers has more players on the same 1024 x 512 map. Metrics per run: migrations and hand-offs per player-hour, players per ' +
    'migration, cross-server pairs within V per player, max/mean load, share of server-time above 1.25 x the mean. docs/lb.md has the rules.',
  seeds: 30,
  // about 20 s on 2 cores: run by name (npm run results runs it after all)
  outsideAll: true,
  params: {
    schemes: { type: 'string', default: BUILT_IN.join(','), help: 'registered schemes to compare, comma-separated (each run runs them all on the same seed: the same players, sessions, walks and hot spots)' },
    workload: { type: 'enum', default: [...WORKLOADS], choices: WORKLOADS, list: true, help: 'the workloads (see the description)' },
    servers: { type: 'integer', default: [2, 4, 8, 16], min: 2, max: 64, list: true, help: 'servers' },
    playersPerServer: { type: 'integer', default: 50, min: 1, max: 100_000, help: 'players per server (the paper: 500 for 2 servers)' },
    duration: { type: 'number', default: 300, greaterThan: 0, max: 86400, help: 'simulated seconds of the moving workloads (the paper workload lasts one second per arrival)' },
    ...knobParams,
  },
  check(point) {
    for (const s of schemeList(point.schemes as string)) if (!schemeNames().includes(s)) throw new Error(`scheme '${s}' is not registered (${schemeNames().join(', ')})`);
    resolveWorld(workloadOf(point).world);
  },
  // microseconds of CPU per run: about half a microsecond per player-second of the world in time (every scheme of a run)
  cost: (p) => 0.5 * (p.servers as number) * (p.playersPerServer as number) * (p.workload === 'paper' ? 100 : (p.duration as number)),
  keys: ['scheme'],
  metrics: METRICS,
  metricInfo: WORLD_METRIC_INFO,
  mainMetrics: ['migrationsPerPlayerHour', 'crossPairsPerPlayer', 'maxOverMean', 'handoffsPerPlayerHour'],
  run(point, seed) {
    const n = point.servers as number;
    const w = workloadOf(point);
    const rows: Row[] = [], series: Row[] = [], spots: Row[] = [];
    // the time series of the hot-spot workload at 8 servers (the chart's), and its hot spots
    const keepSeries = point.workload === 'hotspot' && n === 8;
    for (const scheme of schemeList(point.schemes as string)) {
      const r = runWorld(scheme, { ...w.lb, servers: n }, { ...w.world, sampleEvery: 10 }, seed);
      rows.push({ scheme, ...Object.fromEntries(METRICS.map((m) => [m, r.totals[m]])) });
      if (!keepSeries) continue;
      series.push(...r.samples.map(({ loads: _, ...x }) => ({ scheme, ...x })));
      if (spots.length === 0) spots.push(...(r.spots as unknown as Row[]));
    }
    return keepSeries ? { rows, tables: { series, spots } } : { rows };
  },
  charts(data) {
    const mean = (metric: string) => new Map(data.summary.filter((r) => r.metric === metric).map((r) => [`${r.scheme}|${r.workload}|${r.servers}`, Number(r.mean)]));
    const mig = mean('migrationsPerPlayerHour');
    const points = (metric: string) => {
      const y = mean(metric);
      return [...mig.entries()].map(([k, x]) => {
        const [scheme, wl, servers] = k.split('|');
        return { scheme, workload: wl, servers: Number(servers), x, y: y.get(k)! };
      });
    };
    // schemes that never migrate (static) have no place on a log x: each of their server counts is a dashed level across the panel,
    // labelled with the server count at the right; the facets have their own x axes, so no empty cell draws one
    const PANEL_W = 136;
    const tradeoff = (metric: string, ytitle: string): Record<string, unknown> => {
      const all = points(metric);
      const values = all.filter((r) => r.x > 0);
      const color = schemeColor(all, 'scheme', 'scheme');
      const xs = values.map((r) => r.x);
      const xDomain = xs.length ? [10 ** Math.floor(Math.log10(Math.min(...xs))), 10 ** Math.ceil(Math.log10(Math.max(...xs)))] : [0.1, 100];
      const ticks = [0.001, 0.01, 0.1, 1, 10, 100, 1000, 10000].filter((v) => v >= xDomain[0] && v <= xDomain[1]);
      const x = { field: 'x', type: 'quantitative', scale: { type: 'log', domain: xDomain }, title: 'migrations / player-h', axis: { values: ticks, format: '~g' } };
      const y = { field: 'y', type: 'quantitative', title: ytitle, scale: { zero: false } };
      return {
        $schema: VEGA,
        data: { values: all },
        facet: { field: 'workload', type: 'nominal', title: null, sort: [...WORKLOADS], header: { labelFontSize: 12 } },
        columns: 3,
        resolve: { axis: { x: 'independent', y: 'independent' } },
        spec: {
          width: PANEL_W,
          height: 150,
          layer: [
            { transform: [{ filter: 'datum.x <= 0' }], mark: { type: 'rule', strokeDash: [4, 3], opacity: 0.8 }, encoding: { y, color } },
            {
              transform: [{ filter: 'datum.x <= 0' }],
              mark: { type: 'text', align: 'left', baseline: 'middle', dx: 3, fontSize: 9, color: '#666' },
              encoding: { x: { value: PANEL_W }, y, text: { field: 'label' } },
            },
            { transform: [{ filter: 'datum.x > 0' }], mark: { type: 'line', opacity: 0.5 }, encoding: { x, y, order: { field: 'servers' }, color } },
            {
              transform: [{ filter: 'datum.x > 0' }],
              mark: { type: 'point', filled: true },
              encoding: {
                x, y, color,
                size: { field: 'servers', type: 'ordinal', title: 'servers', scale: { range: [15, 45, 90, 160] } },
                tooltip: [{ field: 'scheme' }, { field: 'servers' }, { field: 'x', format: '.3g' }, { field: 'y', format: '.3g' }],
              },
            },
          ],
        },
        // for the levels' labels
        transform: [{ calculate: "datum.x > 0 ? '' : 'n=' + datum.servers", as: 'label' }],
      };
    };
    const charts: ChartSpec[] = [
      {
        name: 'tradeoff-pairs',
        title: 'Migrations against cross-server interaction, per workload',
        caption: 'Each point: one scheme at one server count (larger: more servers, 50 players per server), mean over 30 seeds; lines join a scheme\'s server counts. x: players moved by rebalancing per player-hour (log); y: pairs of players within V on different servers, per player. The static partition never migrates, so it has no place on the log x: each of its server counts is a dashed grey level across the panel, labelled n = servers at the right. Down and left is better.',
        spec: tradeoff('crossPairsPerPlayer', 'split pairs / player'),
      },
      {
        name: 'tradeoff-imbalance',
        title: 'Migrations against imbalance, per workload',
        caption: 'As the previous chart, against the mean over the run of the busiest server\'s load over the mean load (1 = even).',
        spec: tradeoff('maxOverMean', 'max / mean load'),
      },
    ];
    const series = data.tables.series ?? [];
    const first = series.length ? series[0].replicate : undefined;
    const values = series.filter((r) => r.replicate === first).map((r) => ({ scheme: r.scheme, t: r.t, ratio: Number(r.meanLoad) > 0 ? Number(r.maxLoad) / Number(r.meanLoad) : 1 }));
    const spots = (data.tables.spots ?? []).filter((r) => r.replicate === first);
    if (values.length)
      charts.push({
        name: 'hotspot-series',
        title: 'A hot spot, scheme by scheme (8 servers)',
        caption: 'The busiest server\'s load over the mean, every 10 s, in the first replicate of the hot-spot workload at 8 servers (the same players and the same hot spots for every scheme). Shaded: while a hot spot draws players.',
        spec: {
          $schema: VEGA,
          width: 560,
          height: 240,
          layer: [
            { data: { values: spots.map((s) => ({ start: s.start, end: Math.min(Number(s.end), Number(data.params.duration)) })) }, mark: { type: 'rect', color: '#f2e6c9' }, encoding: { x: { field: 'start', type: 'quantitative' }, x2: { field: 'end' } } },
            {
              data: { values },
              mark: { type: 'line' },
              encoding: {
                x: { field: 't', type: 'quantitative', title: 'time (s)', scale: { nice: false } },
                y: { field: 'ratio', type: 'quantitative', title: 'max / mean load' },
                color: schemeColor(values, 'scheme', 'scheme'),
              },
            },
          ],
        },
      });
    return charts;
  },
};
