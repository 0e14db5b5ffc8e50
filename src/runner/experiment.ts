/**
 * What an experiment declares: its parameters (defaults, validation, help),
 * its sweep (the parameter points), a pure `run(point, seed)` that returns
 * tidy rows, and its charts. The runner does the rest: seeds, workers, CSV,
 * summaries with confidence intervals, charts, meta.json and the HTML index.
 */

export type Value = number | string | boolean;
export type Row = Record<string, Value>;
/** Parameter values by name. A `list` parameter holds an array until the sweep expands it. */
export type Params = Record<string, Value | Value[]>;
/** One point of a sweep: every parameter has a single value. */
export type Point = Record<string, Value>;

export interface ParamSpec {
  type: 'number' | 'integer' | 'boolean' | 'string' | 'enum';
  /** Default value; an array for a `list` parameter; undefined: left out unless given (e.g. "the preset's"). */
  default: Value | Value[] | undefined;
  help: string;
  /** Inclusive bounds for number/integer. */
  min?: number;
  max?: number;
  /** Strictly greater than this (for "positive" numbers). */
  greaterThan?: number;
  /** Allowed values for enum. */
  choices?: readonly string[];
  /** Accepts a comma-separated list of values: a sweep axis. Its values become CSV columns. */
  list?: boolean;
  /** Custom parse of one raw value (after the type check is skipped): throw Error('...') on bad input. */
  parse?: (raw: string) => Value;
  /** Values that mean the same give the same key (e.g. the ratios 2:1 and 4:2): a sweep lists each meaning once. */
  canonical?: (v: Value) => string;
  /** Filled from the CLI's positional arguments (at most one parameter per experiment). */
  positional?: boolean;
}

export interface RunOutput {
  /** Tidy rows of this run: `keys` columns identify a row within the run, `metrics` are numbers. */
  rows: Row[];
  /** Extra tables written as `<name>.csv` (rows of all runs, in run order, with point and seed columns). */
  tables?: Record<string, Row[]>;
}

export interface SummaryRow {
  /** point columns and key columns */
  [column: string]: Value;
}

export interface ChartData {
  /** Parameters as given (after defaults and parsing). */
  params: Params;
  points: Point[];
  /** runs.csv rows (point columns, seed, replicate, keys, metrics). */
  runs: Row[];
  /** summary.csv rows (point columns, keys, metric, mean, ci95_low, ci95_high, n). */
  summary: Row[];
  /** Extra tables by name. */
  tables: Record<string, Row[]>;
}

export interface ChartSpec {
  /** File stem: `<name>.vl.json`, `<name>.svg`, `<name>.png`. */
  name: string;
  title: string;
  /** One or two sentences shown under the chart in index.html. */
  caption: string;
  /** A vega-lite spec with its data inlined (`data: {values: [...]}`). */
  spec: Record<string, unknown>;
}

export interface Experiment {
  name: string;
  title: string;
  /** One paragraph: what it runs and which paper claim it checks. */
  description: string;
  params: Record<string, ParamSpec>;
  /** A pipeline example, not a paper result: listed as such and left out of `experiment all`. */
  example?: boolean;
  /** Goes beyond the papers and runs longer than `experiment all` allows (a minute for everything): run by name; `npm run results` runs it after `all`. */
  outsideAll?: boolean;
  /** Default number of seeds (replicates per point). */
  seeds: number;
  /**
   * Point columns that name alternatives compared with one another (schemes,
   * detectors, their settings): points that differ only in these get the same
   * seed in a replicate (common random numbers), so they see the same players,
   * crashes and losses. Every other column still gets a seed of its own.
   */
  paired?: string[];
  /** Expand parameters into sweep points. Default: the cartesian product of the list parameters. */
  points?(params: Params): Point[];
  /** Check one point before any run (throw Error('...') for bad input): every point is checked up front. */
  check?(point: Point): void;
  /**
   * The estimated cost of one run at this point, in microseconds of CPU (a rough
   * estimate, within a factor of a few): the pool starts the dearest runs first,
   * and a run whose total is over the work budget is refused before any starts.
   */
  cost?(point: Point): number;
  /** One run: must be deterministic in (point, seed) and draw only from named streams. */
  run(point: Point, seed: number): RunOutput;
  /** Row columns that identify a row within a run (e.g. scheme, bucket). */
  keys: string[];
  /** Numeric row columns summarized as mean and 95% CI over seeds. */
  metrics: string[];
  /**
   * Rows that are parts of a whole: where key column `key` is `total` the row
   * is the whole run, otherwise one part (e.g. a bucket). runs.csv and
   * summary.csv then hold the whole-run rows only (no `key` column, so a sum
   * over them counts each run once), runs-<file>.csv and summary-<file>.csv
   * the parts.
   */
  split?: { key: string; total: string; file: string };
  /** The metrics the report's summary table shows (default: all). */
  mainMetrics?: string[];
  /**
   * Unit and meaning of each metric: the report's dictionary and metrics.csv.
   * `range`: the values the quantity can take; its 95% interval is clipped to
   * it. Left out, a unit that cannot be negative (a time, a count, a rate, ...)
   * gives [0, Infinity] (see `rangeOf`).
   */
  metricInfo?: Record<string, { unit: string; meaning: string; range?: [number, number] }>;
  charts(data: ChartData): ChartSpec[];
  /** Extra files written with the outputs (name -> text), e.g. an HTML replay of one run. */
  files?(data: ChartData): Record<string, string>;
  /** Lines for the human summary on stdout; default: a table of the summary means. */
  report?(data: ChartData): string[];
}

/** The cartesian product of the list parameters, in declaration order (first varies slowest). */
export function cartesian(params: Params): Point[] {
  let points: Point[] = [{}];
  for (const [name, value] of Object.entries(params)) {
    const values = Array.isArray(value) ? value : [value];
    const next: Point[] = [];
    for (const p of points) for (const v of values) next.push({ ...p, [name]: v });
    points = next;
  }
  return points;
}
