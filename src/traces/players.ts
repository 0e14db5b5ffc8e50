/**
 * Player traces: where each player was when (a CSV with a header: `time,
 * player, x, y`, or `time, player, zone` for zone-level logs, and an optional
 * `event` column: join, leave or move). Each session of a player (its first
 * sighting to its last, or join to leave when events are given) becomes one
 * player of the LB world in time, with its sightings in time order. Zones map
 * to the cells of a grid laid over the map, in the order the zones first
 * appear; a player stands at its own fixed spot within each zone's cell.
 */
import { parse } from 'csv-parse/sync';
import { readTrace } from './read.ts';

export interface PlayerSession {
  player: string;
  join: number;
  leave: number;
  /** Sightings in time order: times and positions (zone traces: the zone index in xs, NaN in ys). */
  t: number[];
  xs: number[];
  ys: number[];
}

export interface PlayerTrace {
  sessions: PlayerSession[];
  /** Zone names in order of first appearance (zone traces), else empty. */
  zones: string[];
  /** Bounding box of the positions (x0, y0, x1, y1) (position traces). */
  box: [number, number, number, number];
}

export function parsePlayerTrace(text: string): PlayerTrace {
  let rows: Record<string, string>[];
  try {
    rows = parse(text, { comment: '#', skip_empty_lines: true, trim: true, columns: (h: string[]) => h.map((x) => x.toLowerCase()) }) as Record<string, string>[];
  } catch (e) {
    throw new Error(`not valid CSV: ${(e as Error).message.split('\n')[0]}`);
  }
  if (rows.length === 0) throw new Error('no sightings (a header line time,player,x,y or time,player,zone, then one row per sighting)');
  const cols = Object.keys(rows[0]);
  const zoned = cols.includes('zone');
  for (const need of zoned ? ['time', 'player', 'zone'] : ['time', 'player', 'x', 'y'])
    if (!cols.includes(need)) throw new Error(`the header names no '${need}' column (time,player,x,y or time,player,zone; event optional)`);
  const zones: string[] = [];
  const zoneIndex = new Map<string, number>();
  const per = new Map<string, Array<{ t: number; x: number; y: number; ev: string; row: number }>>();
  rows.forEach((r, i) => {
    const line = `row ${i + 1}`;
    const t = Number(r.time);
    if (!Number.isFinite(t)) throw new Error(`${line}: time '${r.time}' is not a number (s)`);
    if (!r.player) throw new Error(`${line}: no player`);
    const ev = (r.event ?? '').toLowerCase();
    if (ev !== '' && ev !== 'join' && ev !== 'leave' && ev !== 'move') throw new Error(`${line}: event '${r.event}' is not join, leave or move`);
    let x: number, y: number;
    if (zoned) {
      if (!r.zone) throw new Error(`${line}: no zone`);
      if (!zoneIndex.has(r.zone)) (zoneIndex.set(r.zone, zones.length), zones.push(r.zone));
      x = zoneIndex.get(r.zone)!;
      y = NaN;
    } else {
      x = Number(r.x);
      y = Number(r.y);
      if (!Number.isFinite(x) || !Number.isFinite(y)) throw new Error(`${line}: position '${r.x}, ${r.y}' is not two numbers`);
    }
    if (!per.has(r.player)) per.set(r.player, []);
    per.get(r.player)!.push({ t, x, y, ev, row: i });
  });
  const sessions: PlayerSession[] = [];
  for (const [player, list] of per) {
    list.sort((a, b) => a.t - b.t || a.row - b.row);
    const evented = list.some((s) => s.ev === 'join' || s.ev === 'leave');
    let cur: PlayerSession | undefined;
    for (const s of list) {
      if (!cur || (evented && s.ev === 'join')) {
        if (cur) sessions.push(cur);
        cur = { player, join: s.t, leave: s.t, t: [], xs: [], ys: [] };
      }
      cur.t.push(s.t);
      cur.xs.push(s.x);
      cur.ys.push(s.y);
      cur.leave = s.t;
      if (evented && s.ev === 'leave') {
        sessions.push(cur);
        cur = undefined;
      }
    }
    if (cur) sessions.push(cur);
  }
  sessions.sort((a, b) => a.join - b.join || (a.player < b.player ? -1 : a.player > b.player ? 1 : 0));
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  if (!zoned)
    for (const s of sessions)
      for (let k = 0; k < s.t.length; k++) (x0 = Math.min(x0, s.xs[k])), (x1 = Math.max(x1, s.xs[k])), (y0 = Math.min(y0, s.ys[k])), (y1 = Math.max(y1, s.ys[k]));
  return { sessions, zones, box: zoned ? [0, 0, 0, 0] : [x0, y0, x1, y1] };
}

/** Read and parse a player trace file (kept per thread); throws a one-line Error. */
export function loadPlayerTrace(path: string): PlayerTrace {
  return readTrace('player trace', path, `players\u0000${path}`, parsePlayerTrace);
}
