/**
 * `gamesim verify`: the published claims of both papers, run at pinned seeds,
 * as a regression a CI can gate on. Each claim names the experiment and the
 * arguments it runs, how to read our number from the summary, the paper's
 * value, the verdict rule (does our number reproduce the paper's?) and a
 * regression band: the range our number must stay in for the verdict and the
 * README to stay true. verify prints the table, writes it as CSV and
 * Markdown, and exits 1 when a number leaves its band. The claims come in
 * as data (experiments/claims.ts); this file runs them.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Experiment, Row } from '../runner/experiment.ts';
import { resolveParams } from '../runner/params.ts';
import { runExperiment, type ExperimentResult } from '../runner/run.ts';
import { toCsv } from '../output/csv.ts';

/** What a claim reads from a run: our number with its 95% interval. */
export interface Measured {
  value: number;
  low: number;
  high: number;
}

export interface Claim {
  id: string;
  paper: 'LB' | 'HA';
  claim: string;
  /** The paper's value, as the paper gives it. */
  paperValue: string;
  experiment: string;
  /** Raw CLI arguments of the experiment (e.g. { args: '3:1', seeds: ... } as strings). */
  args: Record<string, string>;
  /** Positional arguments, if the experiment takes them. */
  positional?: string[];
  /** Our number from the run's summary. */
  measure(res: ExperimentResult): Measured;
  /** Does our number reproduce the paper's claim? */
  reproduces(m: Measured): boolean;
  /** Why we believe the verdict (shown beside it). */
  reason: string;
  /** Our value must stay in [low, high]: outside, a model changed what the README says. */
  band: [number, number];
  unit?: string;
}

/** The summary row of a metric at the given column values. */
export function summaryOf(res: ExperimentResult, metric: string, at: Record<string, string | number>): Measured {
  const r = res.summary.find((x) => x.metric === metric && Object.entries(at).every(([k, v]) => String(x[k]) === String(v)));
  if (!r) throw new Error(`no summary row for ${metric} at ${JSON.stringify(at)}`);
  return { value: Number(r.mean), low: Number(r.ci95_low), high: Number(r.ci95_high) };
}

export interface VerifyRow extends Row {
  id: string;
  paper: string;
  claim: string;
  paperValue: string;
  ours: number;
  ci95_low: number;
  ci95_high: number;
  band_low: number;
  band_high: number;
  inBand: boolean;
  reproduces: boolean;
  reason: string;
}

/** Run every claim (one run per distinct experiment and arguments) and judge it. */
export async function verify(
  claims: Claim[],
  find: (name: string) => Experiment | undefined,
  opts: { workers: number; module: string; onClaim?: (c: Claim) => void },
): Promise<VerifyRow[]> {
  const cache = new Map<string, ExperimentResult>();
  const rows: VerifyRow[] = [];
  for (const c of claims) {
    const exp = find(c.experiment);
    if (!exp) throw new Error(`claim ${c.id}: no experiment ${c.experiment}`);
    const key = JSON.stringify([c.experiment, c.args, c.positional ?? []]);
    let res = cache.get(key);
    if (!res) {
      opts.onClaim?.(c);
      const raw: Record<string, string | string[]> = { ...c.args };
      const seeds = raw.seeds ? Number(raw.seeds) : exp.seeds;
      delete raw.seeds;
      const pos = Object.entries(exp.params).find(([, s]) => s.positional);
      if (c.positional && pos) raw[pos[0]] = c.positional;
      res = await runExperiment(exp, resolveParams(exp, raw), { seeds, seed: 1, workers: opts.workers, module: opts.module });
      cache.set(key, res);
    }
    const m = c.measure(res);
    rows.push({
      id: c.id, paper: c.paper, claim: c.claim, paperValue: c.paperValue,
      ours: m.value, ci95_low: m.low, ci95_high: m.high, band_low: c.band[0], band_high: c.band[1],
      inBand: m.value >= c.band[0] && m.value <= c.band[1], reproduces: c.reproduces(m), reason: c.reason,
    });
  }
  return rows;
}

const num = (x: number) => (Number.isFinite(x) ? String(Number(x.toPrecision(x > 0.99 && x < 1 ? 7 : 4))) : '-');

/** The table as Markdown. */
export function markdown(rows: VerifyRow[]): string {
  const head = '| claim | paper | ours [95% CI] | verdict | band | why |\n|---|---|---|---|---|---|\n';
  return head + rows.map((r) =>
    `| ${r.paper}: ${r.claim} | ${r.paperValue} | ${num(r.ours)} [${num(r.ci95_low)}, ${num(r.ci95_high)}] | ${r.reproduces ? 'reproduced' : 'not reproduced'} | ` +
    `${r.inBand ? 'in' : '**OUT**'} [${num(r.band_low)}, ${num(r.band_high)}] | ${r.reason} |`).join('\n') + '\n';
}

/** Write verify.csv and verify.md to `dir`. */
/** Write verify.csv and verify.md, each whole or not at all: staged under another name, then renamed in place. */
export function writeVerify(dir: string, rows: VerifyRow[]): void {
  mkdirSync(dir, { recursive: true });
  const files: Array<[string, string]> = [['verify.csv', toCsv(rows)], ['verify.md', markdown(rows)]];
  const staged = files.map(([name, text]) => {
    const tmp = join(dir, `${name}.${process.pid}.tmp`);
    try {
      writeFileSync(tmp, text);
    } catch (e) {
      for (const [n] of files) rmSync(join(dir, `${n}.${process.pid}.tmp`), { force: true });
      throw e;
    }
    return [tmp, join(dir, name)] as const;
  });
  for (const [tmp, target] of staged) renameSync(tmp, target);
}
