/**
 * The replay of an LB scenario in time: the first sweep point's first
 * replicate, re-run for each scheme with the seed the runner gave it, frames
 * taken as it goes (at most 120, at most 5,000 players drawn per frame).
 */
import { runWorld } from '../models/lb/timed.ts';
import { runOneWorld } from '../models/oneworld/run.ts';
import type { World } from '../models/lb/world.ts';
import type { Scheme } from '../models/lb/schemes.ts';
import { replayHtml, type ReplayTrack } from '../output/replay.ts';
import type { Row } from '../runner/experiment.ts';
import { isOneWorld, type LbScenario } from './load.ts';

const FRAMES = 120;
const SHOWN = 5000;
const RASTER = 64;

/** The replay page of scenario `s` (at the first sweep point) for the schemes and seeds given. */
export function scenarioReplay(s: LbScenario, runs: Array<{ scheme: string; seed: number }>): string {
  const o = s.options ?? {};
  const W = Number(o.mapWidth ?? 1024), H = Number(o.mapHeight ?? 512);
  const cols = RASTER, rows = Math.max(1, Math.round((RASTER * H) / W));
  let servers = 0;
  const wc = s.world ?? {};
  const every = Math.max(Number(wc.step ?? 1), Number(wc.duration ?? 3600) / FRAMES);
  const one = isOneWorld(s);
  const tracks: ReplayTrack[] = runs.map(({ scheme, seed }) => {
    const track: ReplayTrack = { scheme, seed, times: [], positions: [], servers: [], online: [], spots: [], ...(one ? { events: [] } : {}) };
    let next = 0;
    /** Take a frame: each shown player's server (the one world: the node serving it, 255 without service). */
    const frame = (t: number, w: World, sch: Scheme, online: readonly number[], serving?: (u: number) => number, down?: number[]) => {
      const k = Math.max(1, Math.ceil(online.length / SHOWN)), n = Math.ceil(online.length / k);
      const pos = new Uint16Array(2 * n), srv = new Uint8Array(n);
      for (let i = 0, j = 0; i < online.length; i += k, j++) {
        const u = online[i];
        pos[2 * j] = Math.round((w.xs[u] / W) * 65535);
        pos[2 * j + 1] = Math.round((w.ys[u] / H) * 65535);
        srv[j] = serving ? serving(u) : w.server[u];
      }
      track.times.push(t);
      track.positions.push(pos);
      track.servers.push(srv);
      track.online.push(online.length);
      if (down) (track.down ??= []).push(down);
      if (sch.regionOf) {
        const g = new Uint8Array(cols * rows);
        for (let y = 0; y < rows; y++) for (let x = 0; x < cols; x++) g[y * cols + x] = sch.regionOf(((x + 0.5) * W) / cols, ((y + 0.5) * H) / rows);
        (track.regions ??= []).push(g);
      }
    };
    if (one) {
      // the one world: a frame every `every` seconds, and every step while some player is without service (the crash moments)
      let sch!: Scheme, online: number[] = [], wasDown = false;
      const r = runOneWorld(scheme, o as never, wc as never, (s.ha ?? {}) as never, (s.oneWorld ?? {}) as never, seed, s.faults ?? [], {
        measurePairs: false,
        afterStep: (t, v) => {
          const w = v.world;
          const down: number[] = [];
          for (let x = 0; x < w.servers; x++) if (v.hostOf(x) < 0 && w.loads[x] > 0) down.push(x);
          const outage = v.unserved() > 0;
          if (outage && !wasDown) track.events!.push({ t, frame: track.times.length, text: `${v.unserved()} players without service at ${t.toFixed(0)} s` });
          if (!outage && wasDown) track.events!.push({ t, frame: track.times.length, text: `all served again at ${t.toFixed(0)} s` });
          wasDown = outage;
          if (t < next && !outage && track.times.length < 4 * FRAMES) return;
          if (t >= next) next += every;
          if (track.times.length >= 6 * FRAMES) return;
          online = [];
          for (let u = 0; u < w.n; u++) if (w.server[u] >= 0) online.push(u);
          sch ??= v.scheme;
          frame(t, w, sch, online, (u) => (v.hasService(u) ? v.hostOf(w.server[u]) : 255), down);
        },
      });
      servers = r.nodes;
      track.spots = r.world.spots.map((h) => ({ x: h.x, y: h.y, r: r.world.config.hotspotRadius, start: h.start, end: h.end }));
      return track;
    }
    const r = runWorld(scheme, o as never, wc as never, seed, {
      measurePairs: false,
      afterStep: (t, w, sch, online) => {
        if (t < next) return;
        next += every;
        frame(t, w, sch, online);
      },
    });
    servers = r.options.servers;
    track.spots = r.spots.map((h) => ({ x: h.x, y: h.y, r: r.config.hotspotRadius, start: h.start, end: h.end }));
    return track;
  });
  return replayHtml({
    title: `${s.title ?? s.name}: replay`,
    mapWidth: W,
    mapHeight: H,
    servers,
    rasterCols: cols,
    rasterRows: rows,
    tracks,
    note: one
      ? `The one world at the first sweep point, first replicate, of each scheme (seeds as in runs.csv). Dots: players, coloured by the node that serves them (at most ${SHOWN} per frame); ` +
        'a red cross: a player without service (its server is down, or it is reconnecting); dark shading: a region without service; light shading: the regions, coloured by their server. ' +
        'Frames come every step while some player is without service; the links under the map open those moments.'
      : `The first sweep point, first replicate, of each scheme (seeds as in runs.csv). Dots: players, coloured by server (at most ${SHOWN} per frame); ` +
        'shading: the regions of schemes that own regions of the map; rings: the run\'s hot spots while they draw players.',
  });
}

/** From the runs of a scenario experiment: for each scheme, the seed of its first replicate at the first sweep point. */
export function firstRuns(runs: Row[], axisLabels: string[], defaultScheme: string): Array<{ scheme: string; seed: number }> {
  if (runs.length === 0) return [];
  const first = runs[0];
  const out: Array<{ scheme: string; seed: number }> = [];
  for (const r of runs) {
    if (r.replicate !== first.replicate || axisLabels.some((a) => a !== 'scheme' && r[a] !== first[a])) continue;
    const scheme = String(r.scheme ?? defaultScheme);
    if (!out.some((x) => x.scheme === scheme)) out.push({ scheme, seed: Number(r.seed) });
  }
  return out;
}
