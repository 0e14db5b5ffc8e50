/**
 * LB paper figure 5: where the users end up after 1000 uniform arrivals, one
 * panel per scheme (static halves, dynamic piece-cell blocks, user-centric clusters).
 */
import type { Experiment, Row } from '../src/runner/experiment.ts';
import { DynamicScheme, StaticScheme, resolveOptions, type LbResult } from '../src/models/lb/index.ts';
import { modelParams, optionsFrom, parseArrivalsParam, resultRows, RUN_METRICS, runReadings, VEGA, type Reading, checkLbPoint, LB_METRICS, LB_MAIN_METRICS, BUCKET_SPLIT } from './lb-common.ts';

const SERVER_NAMES = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const serverName = (s: number) => (s < SERVER_NAMES.length ? SERVER_NAMES[s] : `S${s}`);

export const fig5: Experiment = {
  name: 'fig5',
  title: 'LB figure 5: users by server after 1000 uniform arrivals',
  description:
    'One run per scheme on the same 1000 uniform arrivals; a scatter of users coloured by server, one panel per scheme: ' +
    'the static partition (two halves; dashed lines: the 562-wide regions), the dynamic piece-cell partition (the ' +
    "'options' reading, careful by default; shaded cells: owner) and the user-centric scheme (crosses: centroids). " +
    'The paper: static = two halves, dynamic = cell blocks, user-centric = clusters.',
  seeds: 1,
  // microseconds of CPU per run, about linear in the arrivals (measured at the defaults)
  cost: (p) => 300 * Number(p.users ?? 1000),
  params: { ...modelParams(), arrivals: { type: 'string', default: 'uniform', parse: parseArrivalsParam, help: "'uniform' or 'skew R:S'" } },
  check: checkLbPoint,
  metricInfo: LB_METRICS,
  mainMetrics: LB_MAIN_METRICS,
  keys: ['scheme', 'bucket'],
  split: BUCKET_SPLIT,
  metrics: [...RUN_METRICS],
  run(point, seed) {
    const readings: Reading[] = [
      { name: 'static', scheme: 'static', overrides: {} },
      { name: 'dynamic', scheme: 'dynamic', overrides: {} },
      { name: 'user-centric', scheme: 'user-centric', overrides: {} },
    ];
    const rows: Row[] = [];
    const users: Row[] = [];
    const cells: Row[] = [];
    const centroids: Row[] = [];
    const regions: Row[] = [];
    const opts = resolveOptions(optionsFrom(point));
    for (const { reading, result } of runReadings(point, seed, readings)) {
      rows.push(...resultRows(result, { scheme: reading.name }, false));
      const w = result.world;
      for (let u = 0; u < w.n; u++) {
        users.push({ scheme: reading.name, user: u, x: w.xs[u], y: w.ys[u], server: serverName(w.server[u]), moves: w.moves[u] });
      }
      if (reading.scheme === 'dynamic') cells.push(...cellRows(result, opts.cellRows, opts.cellCols));
      if (reading.scheme === 'user-centric') {
        for (let s = 0; s < w.servers; s++) centroids.push({ scheme: reading.name, server: serverName(s), x: w.centroidX(s), y: w.centroidY(s), load: w.loads[s] });
      }
    }
    for (let s = 0; s < opts.servers; s++) {
      const [x0, x1] = StaticScheme.region(opts, s);
      regions.push({ scheme: 'static', server: serverName(s), x0, x1 });
    }
    return { rows, tables: { users, cells, centroids, regions } };
  },
  charts(data) {
    const seed = data.tables.users?.[0]?.seed;
    const bySeed = (t: string) => (data.tables[t] ?? []).filter((r) => r.seed === seed);
    const W = data.params.mapWidth as number;
    const H = data.params.mapHeight as number;
    const x = { field: 'x', type: 'quantitative', title: 'x', scale: { domain: [0, W] } };
    const y = { field: 'y', type: 'quantitative', title: 'y', scale: { domain: [0, H] } };
    const color = { field: 'server', type: 'nominal', title: 'server' };
    const pts = (scheme: string) => ({
      data: { values: bySeed('users').filter((r) => r.scheme === scheme) },
      mark: { type: 'point', filled: true, size: 12 },
      encoding: { x, y, color },
    });
    const panel = (title: string, layer: unknown[]) => ({ title, width: 320, height: (320 * H) / W, layer });
    return [
      {
        name: 'scatter',
        title: 'Figure 5: users coloured by server, one panel per scheme',
        caption: 'Static: dashed lines bound the overlapping regions. Dynamic: the piece cells (outlined), each shaded in the colour of the server that owns it at the end. User-centric: black crosses are the centroids.',
        spec: {
          $schema: VEGA,
          vconcat: [
            panel('static partition', [
              pts('static'),
              { data: { values: bySeed('regions') }, mark: { type: 'rule', strokeDash: [4, 3] }, encoding: { x: { field: 'x0', type: 'quantitative', scale: { domain: [0, W] } }, color } },
              { data: { values: bySeed('regions') }, mark: { type: 'rule', strokeDash: [4, 3] }, encoding: { x: { field: 'x1', type: 'quantitative', scale: { domain: [0, W] } }, color } },
            ]),
            panel('dynamic piece-cell partition', [
              {
                data: { values: bySeed('cells') },
                mark: { type: 'rect', fillOpacity: 0.22, stroke: '#444', strokeWidth: 1, strokeOpacity: 0.9 },
                encoding: { x: { field: 'x0', type: 'quantitative', scale: { domain: [0, W] } }, x2: { field: 'x1' }, y: { field: 'y0', type: 'quantitative', scale: { domain: [0, H] } }, y2: { field: 'y1' }, color: { field: 'owner', type: 'nominal', title: 'server' } },
              },
              pts('dynamic'),
            ]),
            panel('user-centric', [
              pts('user-centric'),
              { data: { values: bySeed('centroids') }, mark: { type: 'point', shape: 'cross', size: 300, color: 'black', filled: true }, encoding: { x, y } },
            ]),
          ],
          resolve: { scale: { color: 'shared' } },
        },
      },
    ];
  },
};

function cellRows(result: LbResult, rows: number, cols: number): Row[] {
  const d = result.schemeState as DynamicScheme;
  const o = result.options;
  const out: Row[] = [];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const k = r * cols + c;
      out.push({
        scheme: 'dynamic',
        row: r,
        col: c,
        x0: (c * o.mapWidth) / cols,
        x1: ((c + 1) * o.mapWidth) / cols,
        y0: (r * o.mapHeight) / rows,
        y1: ((r + 1) * o.mapHeight) / rows,
        owner: serverName(d.owner[k]),
        users: d.cellCount[k],
      });
    }
  }
  return out;
}
