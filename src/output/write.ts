/** Writes one experiment's outputs under DIR/<experiment>/ and refreshes DIR/index.html. */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChartSpec, Experiment, Row } from '../runner/experiment.ts';
import { rangeOf } from '../runner/stats.ts';
import type { ExperimentResult } from '../runner/run.ts';
import { renderSvg, svgToPng, withDefaults } from './charts.ts';
import { columnsOf, toCsv } from './csv.ts';
import { indexHtml } from './html.ts';

/** The gamesim package's own folder: the nearest package.json named gamesim above this file (sources or dist/). */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const p = join(dir, 'package.json');
    if (existsSync(p) && JSON.parse(readFileSync(p, 'utf8')).name === 'gamesim') return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('gamesim: cannot find its own package.json');
    dir = up;
  }
}

export function packageVersion(): string {
  return JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')).version;
}

/**
 * The git commit of gamesim itself, and whether its checkout has uncommitted
 * changes: only when the package folder is the top of a git work tree (a
 * gamesim checkout). Installed as a dependency inside another project's
 * repository, it records neither (that repository's commit says nothing of
 * gamesim's code).
 */
function provenance(): { gitCommit: string | null; gitDirty: boolean | null } {
  const root = packageRoot();
  const git = (...args: string[]) => execFileSync('git', args, { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  try {
    if (realpathSync(git('rev-parse', '--show-toplevel')) !== realpathSync(root)) return { gitCommit: null, gitDirty: null };
    return { gitCommit: git('rev-parse', 'HEAD'), gitDirty: git('status', '--porcelain', '--untracked-files=no').length > 0 };
  } catch {
    return { gitCommit: null, gitDirty: null };
  }
}

export interface WriteOptions {
  seeds: number;
  seed: number;
  /** Experiment names in the order index.html lists them (others follow by name). */
  order?: string[];
}

export interface Written {
  dir: string;
  files: string[];
  charts: ChartSpec[];
}

/**
 * Write an experiment's outputs to `outDir/<name>/`, whole or not at all: the
 * files go to a hidden staging folder, which replaces the old folder by
 * rename at the end (the old one is renamed aside first and removed after).
 * A run killed at any moment leaves the previous complete folder, or its
 * renamed-aside copy that the next run puts back, never a mix; the next run
 * also removes the staging folders of killed runs.
 */
export async function writeExperiment(outDir: string, exp: Experiment, res: ExperimentResult, opts: WriteOptions): Promise<Written> {
  mkdirSync(outDir, { recursive: true });
  cleanLeftovers(outDir);
  const dir = join(outDir, exp.name);
  const stage = join(outDir, `.staging-${exp.name}-${process.pid}`);
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage);
  STAGING.add(stage);
  try {
    return await writeStaged(outDir, dir, stage, exp, res, opts);
  } catch (e) {
    // a failed write (a full disk) leaves nothing behind: the previous folder is untouched
    rmSync(stage, { recursive: true, force: true });
    throw e;
  } finally {
    STAGING.delete(stage);
  }
}

/** Staging folders this process is writing (an interrupt removes them). */
const STAGING = new Set<string>();

/** Remove this process's staging folders (on Ctrl-C or SIGTERM: nothing half-written stays behind). */
export function removeStaging(): void {
  for (const s of STAGING) rmSync(s, { recursive: true, force: true });
  STAGING.clear();
}

async function writeStaged(outDir: string, dir: string, stage: string, exp: Experiment, res: ExperimentResult, opts: WriteOptions): Promise<Written> {
  const files: string[] = [];
  const put = (name: string, data: string | Uint8Array) => {
    writeFileSync(join(stage, name), data);
    files.push(name);
  };
  const tidy = (rows: Row[], lead: string[]) => toCsv(rows, columnsOf(rows, lead.filter((c) => rows.some((r) => c in r))));
  const runLead = [...res.pointColumns, 'seed', 'replicate', ...exp.keys];
  const sumLead = [...res.pointColumns, ...exp.keys, 'metric', 'mean', 'ci95_low', 'ci95_high', 'n'];
  const split = exp.split;
  if (!split) {
    put('runs.csv', tidy(res.runs, runLead));
    put('summary.csv', tidy(res.summary, sumLead));
  } else {
    // whole-run rows and part rows in separate files, so that no naive sum counts a run twice
    const whole = (rows: Row[]) => rows.filter((r) => r[split.key] === split.total).map(({ [split.key]: _, ...r }) => r);
    const parts = (rows: Row[]) => rows.filter((r) => r[split.key] !== split.total);
    const noKey = (lead: string[]) => lead.filter((c) => c !== split.key);
    put('runs.csv', tidy(whole(res.runs), noKey(runLead)));
    put('summary.csv', tidy(whole(res.summary), noKey(sumLead)));
    // the part files only when there are parts (no empty CSV)
    if (parts(res.runs).length > 0) {
      put(`runs-${split.file}.csv`, tidy(parts(res.runs), runLead));
      put(`summary-${split.file}.csv`, tidy(parts(res.summary), sumLead));
    }
  }
  for (const [name, rows] of Object.entries(res.tables)) if (rows.length > 0) put(`${name}.csv`, toCsv(rows));
  if (exp.metricInfo)
    put('metrics.csv', toCsv(exp.metrics.filter((m) => exp.metricInfo![m]).map((m) => {
      const [lo, hi] = rangeOf(exp.metricInfo![m]);
      // the range its 95% intervals are clipped to
      const range = lo === -Infinity && hi === Infinity ? '' : hi === Infinity ? `>= ${lo}` : lo === -Infinity ? `<= ${hi}` : `${lo} to ${hi}`;
      return { metric: m, unit: exp.metricInfo![m].unit, meaning: exp.metricInfo![m].meaning, range };
    })));
  const charts = exp.charts(res);
  for (const chart of charts) {
    const spec = { title: chart.title, ...chart.spec };
    put(`${chart.name}.vl.json`, JSON.stringify(withDefaults(spec), null, 1) + '\n');
    const svg = await renderSvg(spec);
    put(`${chart.name}.svg`, svg);
    put(`${chart.name}.png`, svgToPng(svg));
  }
  for (const [name, text] of Object.entries(exp.files?.(res) ?? {})) put(name, text);
  const meta = {
    experiment: exp.name,
    title: exp.title,
    description: exp.description,
    example: exp.example ?? false,
    params: res.params,
    paramHelp: Object.fromEntries(Object.entries(exp.params).map(([n, s]) => [n, s.help])),
    points: res.points.length,
    seeds: { count: opts.seeds, base: opts.seed, perPoint: res.runSeeds, ...(exp.paired?.length ? { paired: exp.paired } : {}) },
    keys: exp.keys,
    metrics: exp.metrics,
    ...(exp.mainMetrics ? { mainMetrics: exp.mainMetrics } : {}),
    ...(exp.metricInfo ? { metricInfo: exp.metricInfo } : {}),
    charts: charts.map((c) => ({ name: c.name, title: c.title, caption: c.caption })),
    files: [...files, 'meta.json'],
    version: packageVersion(),
    ...provenance(),
    node: process.version,
  };
  put('meta.json', JSON.stringify(meta, null, 1) + '\n');
  // an interrupt that came while the files were written is handled here, before the swap (it removes the staging folder)
  await new Promise((r) => setImmediate(r));
  // the index as it will be, written beside before the swap and renamed in place right after it
  const index = join(outDir, 'index.html'), indexTmp = `${index}.${process.pid}.tmp`;
  writeFileSync(indexTmp, indexHtml(outDir, opts.order, { name: exp.name, dir: stage }));
  // the swap: old aside, new in place, old gone
  const old = join(outDir, `.old-${exp.name}-${process.pid}`);
  if (existsSync(dir)) renameSync(dir, old);
  renameSync(stage, dir);
  renameSync(indexTmp, index);
  rmSync(old, { recursive: true, force: true });
  return { dir, files, charts };
}

/** True while process `pid` runs (another writer may own a staging folder). */
function alive(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Remove what killed runs left in `outDir`; put back a previous result that a kill left renamed aside. */
export function cleanLeftovers(outDir: string): void {
  for (const e of readdirSync(outDir, { withFileTypes: true })) {
    const m = /^\.(staging|old)-(.+)-(\d+)$/.exec(e.name);
    if (m && e.isDirectory() && !alive(Number(m[3]))) {
      const target = join(outDir, m[2]);
      if (m[1] === 'old' && !existsSync(target)) renameSync(join(outDir, e.name), target);
      else rmSync(join(outDir, e.name), { recursive: true, force: true });
    } else if (/\.\d+\.tmp$/.test(e.name) && e.isFile() && !alive(Number(/\.(\d+)\.tmp$/.exec(e.name)![1]))) rmSync(join(outDir, e.name), { force: true });
    // the write probe of a run killed while it checked --out (see cli.ts checkOut)
    else if (/^\.gamesim-probe-(\d+)$/.test(e.name) && !alive(Number(/(\d+)$/.exec(e.name)![1]))) rmSync(join(outDir, e.name), { recursive: true, force: true });
  }
}
