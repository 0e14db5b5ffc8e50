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
