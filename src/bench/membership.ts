/**
 * Membership at scale (issue 25): SWIM on 1,000 members for one simulated
 * hour (goal <= 10 s) and on 10,000 for ten minutes (goal <= 60 s and
 * <= 4 GiB), with random crashes (mtbf such that about 30 crash in the run);
 * beside them the paper's all-to-all heartbeats (the HA model) at 64 nodes
 * for a day; and how SWIM's cost grows with N (wall time per member-hour).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { MembershipGroup } from '../models/membership/index.ts';
import { simulate } from '../models/ha/index.ts';
import { renderSvg, svgToPng } from '../output/charts.ts';

/** Where the bench draws how the cost grows with N (a chart of this machine's timings: not a committed result). */
const CHART_DIR = 'out/bench';

function swim(nodes: number, duration: number): { s: number; rss: number; msgs: number } {
  (globalThis as { gc?: () => void }).gc?.(); // from a collected heap (npm run bench gives --expose-gc)
  const t0 = performance.now();
  const g = new MembershipGroup({ nodes, protocol: 'swim', mtbf: (nodes * duration) / 30, mttr: 60 }, 1);
  let rss = process.memoryUsage().rss;
  g.sim.at(duration / 2, () => (rss = Math.max(rss, process.memoryUsage().rss)));
  const r = g.run(duration);
  return { s: (performance.now() - t0) / 1000, rss: Math.max(rss, process.memoryUsage().rss), msgs: r.messagesPerNodeSecond };
}

export async function run(): Promise<void> {
  const a = swim(1000, 3600);
  console.log(`membership: SWIM, 1,000 members, 1 h: ${a.s.toFixed(1)} s (${a.msgs.toFixed(2)} messages per member per second); goal <= 10 s: ${a.s <= 10 ? 'met' : 'NOT met'}`);
  const b = swim(10_000, 600);
  console.log(`membership: SWIM, 10,000 members, 10 min: ${b.s.toFixed(1)} s, peak rss ${(b.rss / 2 ** 30).toFixed(2)} GiB; goal <= 60 s and <= 4 GiB: ${b.s <= 60 && b.rss <= 4 * 2 ** 30 ? 'met' : 'NOT met'}`);
  const t0 = performance.now();
  simulate({ nodes: 64, services: 0, interval: 1 }, 1, 86400);
  console.log(`membership: beside it, the paper's all-to-all heartbeats (HA model, lazy heartbeats), 64 nodes, 1 day: ${((performance.now() - t0) / 1000).toFixed(1)} s (4,032 watching pairs; SWIM watches with one probe per member per period)`);
  const rows: string[] = [];
  const points: Array<{ nodes: number; ms: number; what: string }> = [];
  for (const n of [100, 300, 1000, 3000]) {
    const d = 600, r = swim(n, d), ms = (r.s / (n * d)) * 3600 * 1e3;
    rows.push(`${n}: ${ms.toFixed(2)} ms`);
    points.push({ nodes: n, ms, what: 'SWIM, 10 min runs' });
  }
  points.push({ nodes: 10_000, ms: (b.s / (10_000 * 600)) * 3600 * 1e3, what: 'SWIM, 10 min runs' }, { nodes: 1000, ms: (a.s / (1000 * 3600)) * 3600 * 1e3, what: 'SWIM, a 1 h run' });
  console.log(`membership: SWIM wall time per member-hour by N (10 min runs): ${rows.join(', ')} (the work per member is the same; from a few thousand members on, the N x N views no longer fit the caches)`);
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'SWIM: wall time per member-hour (this machine)',
    width: 420,
    height: 220,
    data: { values: points },
    mark: { type: 'line', point: { filled: true, size: 50 } },
    encoding: {
      x: { field: 'nodes', type: 'quantitative', title: 'members (log)', scale: { type: 'log' }, axis: { values: [100, 300, 1000, 3000, 10000], format: 'd' } },
      y: { field: 'ms', type: 'quantitative', title: 'ms of wall time per member-hour' },
      color: { field: 'what', type: 'nominal', title: null },
    },
  };
  mkdirSync(CHART_DIR, { recursive: true });
  const svg = await renderSvg(spec);
  writeFileSync(`${CHART_DIR}/membership-cost.svg`, svg);
  writeFileSync(`${CHART_DIR}/membership-cost.png`, svgToPng(svg));
  console.log(`membership: the cost against N drawn in ${CHART_DIR}/membership-cost.png`);
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
