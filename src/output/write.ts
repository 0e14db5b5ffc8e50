/** Writes one experiment's outputs under DIR/<experiment>/ and refreshes DIR/index.html. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChartSpec, Experiment } from '../runner/experiment.ts';
import type { ExperimentResult } from '../runner/run.ts';
import { writeAtomic } from './atomic.ts';
import { renderSvg, svgToPng, withDefaults } from './charts.ts';
import { columnsOf, toCsv } from './csv.ts';
import { writeIndex } from './html.ts';

const ROOT = new URL('../../', import.meta.url);

function packageVersion(): string {
  return JSON.parse(readFileSync(new URL('package.json', ROOT), 'utf8')).version;
}

function gitCommit(): string | null {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return null;
  }
}

export interface WriteOptions {
  seeds: number;
  seed: number;
}

export interface Written {
  dir: string;
  files: string[];
  charts: ChartSpec[];
}

export async function writeExperiment(outDir: string, exp: Experiment, res: ExperimentResult, opts: WriteOptions): Promise<Written> {
  const dir = join(outDir, exp.name);
  const files: string[] = [];
  const put = (name: string, data: string | Uint8Array) => {
    writeAtomic(join(dir, name), data);
    files.push(name);
  };
  const lead = [...res.pointColumns, 'seed', 'replicate', ...exp.keys];
  put('runs.csv', toCsv(res.runs, columnsOf(res.runs, lead.filter((c) => res.runs.some((r) => c in r)))));
  put(
    'summary.csv',
    toCsv(res.summary, columnsOf(res.summary, [...res.pointColumns, ...exp.keys, 'metric', 'mean', 'ci95_low', 'ci95_high', 'n'].filter((c) => res.summary.some((r) => c in r)))),
  );
  for (const [name, rows] of Object.entries(res.tables)) put(`${name}.csv`, toCsv(rows));
  const charts = exp.charts(res);
  for (const chart of charts) {
    const spec = { title: chart.title, ...chart.spec };
    put(`${chart.name}.vl.json`, JSON.stringify(withDefaults(spec), null, 1) + '\n');
    const svg = await renderSvg(spec);
    put(`${chart.name}.svg`, svg);
    put(`${chart.name}.png`, svgToPng(svg));
  }
  const meta = {
    experiment: exp.name,
    title: exp.title,
    description: exp.description,
    example: exp.example ?? false,
    params: res.params,
    paramHelp: Object.fromEntries(Object.entries(exp.params).map(([n, s]) => [n, s.help])),
    points: res.points.length,
    seeds: { count: opts.seeds, base: opts.seed, perPoint: res.runSeeds },
    keys: exp.keys,
    metrics: exp.metrics,
    charts: charts.map((c) => ({ name: c.name, title: c.title, caption: c.caption })),
    files: [...files, 'meta.json'],
    version: packageVersion(),
    gitCommit: gitCommit(),
    node: process.version,
  };
  put('meta.json', JSON.stringify(meta, null, 1) + '\n');
  writeIndex(outDir);
  return { dir, files, charts };
}
