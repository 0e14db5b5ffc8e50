/**
 * Options of the load-balancing (LB paper) model, SPEC section 2. Every choice
 * the paper leaves open is a named option here with the SPEC default.
 */

/** A registered scheme's name: the paper's three ('static', 'dynamic', 'user-centric') or one added with registerScheme. */
export type SchemeName = string;
/** The paper's three schemes. */
export const SCHEMES: readonly SchemeName[] = ['static', 'dynamic', 'user-centric'];

export type CellChoice = 'best-boundary' | 'most-loaded' | 'random';
export const CELL_CHOICES: readonly CellChoice[] = ['best-boundary', 'most-loaded', 'random'];

export interface LbOptions {
  /** Map width and height in map units (SPEC 2.1: 1024 x 512). */
  mapWidth: number;
  mapHeight: number;
  /** Number of game servers (the paper: 2). */
  servers: number;
  /** Users that arrive (one per time step); the run ends after the last one. */
  users: number;
  /** 'uniform' or 'skew R:S' (hot region (0,0)-(512,512) gets R/(R+S) of the arrivals). */
  arrivals: string;
  /** Users per bucket of the per-bucket metrics (figure 6 uses 100). */
  bucketSize: number;

  // static partition (2.2)
  /** Width of the band past the centre line each server's region extends (hand-over hysteresis). */
  staticOverlap: number;

  // dynamic piece-cell partition (2.3)
  /** Piece-cell rows and columns; 0 = sized for the servers (cellsPerServer cells each, cells about square). */
  cellRows: number;
  cellCols: number;
  /** With cellRows/cellCols 0: about this many piece cells per server (the paper: 32 cells for 2 servers). */
  cellsPerServer: number;
  cellChoice: CellChoice;
  skipUseless: boolean;
  /** Compare loads after every `checkEvery` arrivals. */
  checkEvery: number;
  /** No cell moves unless the load difference is at least this (besides 2 x users per cell). */
  minDifference: number;

  // user-centric (2.4)
  /** View distance V (map units); not given by the paper. */
  viewDistance: number;
  /** Proximity radius P = proximityFactor x V; the paper: 1.5 to 2. */
  proximityFactor: number;
  /** Rebalance when max load - min load >= threshold (the paper: 6). */
  threshold: number;
  /** Seconds between the transfers of one migration (0 = all at once). */
  transferGap: number;

  // KD-tree partition (after Bezerra and Geyer 2009)
  /** Move the split lines when the busiest server holds more than (1 + kdTolerance) x the mean load. */
  kdTolerance: number;
}

export const DEFAULTS: LbOptions = {
  mapWidth: 1024,
  mapHeight: 512,
  servers: 2,
  users: 1000,
  arrivals: 'uniform',
  bucketSize: 100,
  staticOverlap: 50,
  cellRows: 0,
  cellCols: 0,
  cellsPerServer: 16,
  cellChoice: 'best-boundary',
  skipUseless: true,
  checkEvery: 1,
  minDifference: 0,
  viewDistance: 32,
  proximityFactor: 1.5,
  threshold: 6,
  transferGap: 0,
  kdTolerance: 0.1,
};

/** The two named readings of the dynamic scheme (SPEC 2.3). */
export const READINGS = {
  careful: { cellChoice: 'best-boundary' as CellChoice, skipUseless: true },
  literal: { cellChoice: 'most-loaded' as CellChoice, skipUseless: false },
};

/** The side of the hot region of the skew arrivals (SPEC 2.1: (0,0)-(512,512)). */
export const HOT_SIZE = 512;

export interface Ratio {
  r: number;
  s: number;
}

const RATIO_RE = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*:\s*(\d+(?:\.\d+)?|\.\d+)\s*$/;

/** Parse a skew ratio `R:1` or `R:S` with positive numbers; throws a one-line Error otherwise. */
export function parseRatio(raw: string): Ratio {
  const m = RATIO_RE.exec(String(raw));
  if (!m) throw new Error(`bad skew ratio '${raw}': expected R:S with positive numbers, e.g. 3:1`);
  const r = Number(m[1]);
  const s = Number(m[2]);
  if (!(r > 0) || !(s > 0) || !Number.isFinite(r) || !Number.isFinite(s)) {
    throw new Error(`bad skew ratio '${raw}': both sides must be positive numbers, e.g. 3:1`);
  }
  return { r, s };
}

/** Canonical text of a ratio: '3:1'. */
export function formatRatio(q: Ratio): string {
  return `${q.r}:${q.s}`;
}

export type ArrivalSpec = { kind: 'uniform' } | { kind: 'skew'; ratio: Ratio };

/** Parse the `arrivals` option: 'uniform' or 'skew R:S'. */
export function parseArrivals(raw: string): ArrivalSpec {
  const t = String(raw).trim();
  if (t === 'uniform') return { kind: 'uniform' };
  const m = /^skew\s+(.*)$/.exec(t);
  if (m) return { kind: 'skew', ratio: parseRatio(m[1]) };
  throw new Error(`bad arrivals '${raw}': expected 'uniform' or 'skew R:S' (e.g. 'skew 3:1')`);
}

/**
 * The piece-cell grid: cellRows x cellCols as given, a 0 sized for the
 * servers: about cellsPerServer x servers cells, as square as the map allows
 * (the paper's 1024 x 512 map and 2 servers: 4 x 8).
 */
export function cellGrid(o: Pick<LbOptions, 'cellRows' | 'cellCols' | 'cellsPerServer' | 'servers' | 'mapWidth' | 'mapHeight'>): [number, number] {
  const total = o.cellsPerServer * o.servers;
  let rows = o.cellRows, cols = o.cellCols;
  if (rows === 0 && cols === 0) rows = Math.max(1, Math.round(Math.sqrt((total * o.mapHeight) / o.mapWidth)));
  if (rows === 0) rows = Math.max(1, Math.round(total / cols));
  if (cols === 0) cols = Math.max(1, Math.round(total / rows));
  return [rows, cols];
}

function need(ok: boolean, msg: string): void {
  if (!ok) throw new Error(msg);
}

/** Fill defaults and check every option; throws a one-line Error on a bad value. */
export function resolveOptions(partial: Partial<LbOptions> = {}): LbOptions {
  const o: LbOptions = { ...DEFAULTS, ...partial };
  const posInt = (name: keyof LbOptions, min = 1) => {
    const v = o[name] as number;
    need(Number.isInteger(v) && v >= min, `option ${name} must be an integer >= ${min}, got ${v}`);
  };
  need(Number.isFinite(o.mapWidth) && o.mapWidth >= 1 && o.mapWidth <= 1e9, `option mapWidth must be in [1, 1e9] map units, got ${o.mapWidth}`);
  need(Number.isFinite(o.mapHeight) && o.mapHeight >= 1 && o.mapHeight <= 1e9, `option mapHeight must be in [1, 1e9] map units, got ${o.mapHeight}`);
  posInt('servers', 1);
  posInt('users', 1);
  // memory: the model keeps a few dozen bytes per user
  need(o.users <= 20_000_000, `option users must be at most 20,000,000 per run (about 2 GB of model state), got ${o.users}`);
  posInt('bucketSize', 1);
  posInt('cellRows', 0);
  posInt('cellCols', 0);
  posInt('cellsPerServer', 1);
  posInt('checkEvery', 1);
  need(Number.isFinite(o.staticOverlap) && o.staticOverlap >= 0, `option staticOverlap must be >= 0, got ${o.staticOverlap}`);
  need(CELL_CHOICES.includes(o.cellChoice), `option cellChoice must be one of ${CELL_CHOICES.join(', ')}, got ${o.cellChoice}`);
  need(typeof o.skipUseless === 'boolean', `option skipUseless must be a boolean`);
  need(Number.isFinite(o.minDifference) && o.minDifference >= 0, `option minDifference must be >= 0, got ${o.minDifference}`);
  need(Number.isFinite(o.viewDistance) && o.viewDistance > 0, `option viewDistance must be positive, got ${o.viewDistance}`);
  need(Number.isFinite(o.proximityFactor) && o.proximityFactor >= 0, `option proximityFactor must be >= 0, got ${o.proximityFactor}`);
  need(Number.isInteger(o.threshold) && o.threshold >= 2, `option threshold must be an integer >= 2, got ${o.threshold}`);
  need(Number.isFinite(o.transferGap) && o.transferGap >= 0 && o.transferGap <= 3600, `option transferGap must be in [0, 3600] seconds, got ${o.transferGap}`);
  need(Number.isFinite(o.kdTolerance) && o.kdTolerance >= 0, `option kdTolerance must be >= 0, got ${o.kdTolerance}`);
  const [rows, cols] = cellGrid(o);
  o.cellRows = rows;
  o.cellCols = cols;
  const a = parseArrivals(o.arrivals);
  if (a.kind === 'skew') {
    need(o.mapWidth > HOT_SIZE || o.mapHeight > HOT_SIZE, `skew arrivals need a map larger than the ${HOT_SIZE}x${HOT_SIZE} hot region`);
  }
  return o;
}
