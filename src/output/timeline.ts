/**
 * State segments for a timeline (Gantt) chart from the HA model's timeline
 * rows: one lane per node ("node A") and per service ("service s0 on"),
 * a segment per state from its row's time to the next change (or `end`).
 * A state superseded in the same instant draws nothing.
 */
import type { Row } from '../runner/experiment.ts';

export function timelineSegments(timeline: Row[], end: number): { lanes: string[]; segments: Row[] } {
  const lanes = new Map<string, Row[]>();
  for (const r of timeline) {
    if (r.kind === 'event') continue;
    const lane = r.kind === 'node' ? `node ${r.name}` : `service ${r.name} on`;
    if (!lanes.has(lane)) lanes.set(lane, []);
    lanes.get(lane)!.push(r);
  }
  const segments: Row[] = [];
  for (const [lane, rs] of lanes)
    rs.forEach((r, i) => {
      if (i + 1 < rs.length && Number(rs[i + 1].time) === Number(r.time)) return; // superseded at the same instant
      const next = rs.slice(i + 1).find((x) => Number(x.time) > Number(r.time));
      segments.push({ lane, kind: lane.startsWith('node') ? 'node' : 'service', from: Number(r.time), to: next ? Number(next.time) : end, state: String(r.state) });
    });
  return { lanes: [...lanes.keys()], segments };
}

/** Node states, coloured by meaning: up green, down red, paused purple, the steps back to service in ambers (light to dark, in protocol order). */
const NODE_COLORS: Record<string, string> = {
  up: '#59a14f',
  crashed: '#e15759',
  paused: '#9467bd',
  booting: '#fde0a6',
  config: '#fcc978',
  'check-ip': '#f7ad4f',
  'fail-back': '#ec8f31',
  'external-ip': '#d8721d',
  starting: '#b5590f',
};

/** The colour scale of the node states present, in a fixed order (known states first). */
export function nodeStateScale(states: string[]): { domain: string[]; range: string[] } {
  const order = Object.keys(NODE_COLORS);
  const domain = [...new Set(states)].sort((p, q) => (order.indexOf(p) + 1 || 99) - (order.indexOf(q) + 1 || 99) || (p < q ? -1 : 1));
  return { domain, range: domain.map((s) => NODE_COLORS[s] ?? '#bab0ac') };
}

/** The nodes that run a service in a holder state ('A', 'A+C' while two do, 'B(starting)', 'A(starting)+C', '-' for nobody). */
function runningOn(holder: string): string[] {
  return holder.split('+').filter((p) => p !== '-' && !p.includes('('));
}

/**
 * A holder state is an outage when no node runs the service: users have no
 * service while nobody runs it or while it is only being started or handed
 * back.
 */
export function isOutage(holder: string): boolean {
  return runningOn(holder).length === 0;
}

/**
 * Service holders, coloured by meaning: running on one node in a cool hue
 * per node (blues and teals, apart from the nodes' green), on two or more at
 * once (split brain) magenta, and the outage in warm hues (nobody red,
 * starting orange, stopping pink).
 */
export function holderScale(holders: string[]): { domain: string[]; range: string[] } {
  const cool = ['#4e79a7', '#76b7b2', '#a0cbe8', '#2f5f8a', '#86bcb6', '#9d9ac7', '#5c8fb8', '#3c8d89'];
  const rank = (h: string) => { const n = runningOn(h).length; return n === 1 ? 0 : n > 1 ? 1 : 2; };
  const domain = [...new Set(holders)].sort((p, q) => rank(p) - rank(q) || (p < q ? -1 : 1));
  const nodes = [...new Set(domain.flatMap((h) => (runningOn(h).length === 1 ? runningOn(h) : [])))].sort();
  const color = (h: string) => {
    const on = runningOn(h);
    if (on.length === 1) return cool[nodes.indexOf(on[0]) % cool.length];
    if (on.length > 1) return '#c51b7d';
    return h === '-' ? '#d62728' : h.includes('(starting)') ? '#f28e2b' : '#ff9da7';
  };
  return { domain, range: domain.map(color) };
}

/** The outage intervals of each service lane (merged where they touch), to mark across a chart. */
export function outages(segments: Row[]): Row[] {
  const out: Row[] = [];
  for (const s of segments) {
    if (s.kind !== 'service' || !isOutage(String(s.state))) continue;
    const last = out[out.length - 1];
    if (last && last.lane === s.lane && Number(last.to) >= Number(s.from)) last.to = Math.max(Number(last.to), Number(s.to));
    else out.push({ lane: s.lane, from: Number(s.from), to: Number(s.to) });
  }
  return out;
}
