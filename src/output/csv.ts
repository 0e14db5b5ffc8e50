/** Tidy CSV with a fixed column order and a fixed number format. */
import { stringify } from 'csv-stringify/sync';
import type { Row, Value } from '../runner/experiment.ts';

/** Numbers to 12 significant digits (drops float noise, keeps every real digit); NaN as an empty cell. */
export function formatValue(v: Value | undefined): string {
  if (v === undefined) return '';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return Number.isNaN(v) ? '' : v > 0 ? 'Infinity' : '-Infinity';
    if (Number.isInteger(v)) return String(v);
    return String(Number(v.toPrecision(12)));
  }
  return String(v);
}

/** Columns in first-seen order over all rows. */
export function columnsOf(rows: Row[], first: string[] = []): string[] {
  const cols = [...first];
  const seen = new Set(cols);
  for (const r of rows) for (const k of Object.keys(r)) if (!seen.has(k)) (seen.add(k), cols.push(k));
  return cols;
}

export function toCsv(rows: Row[], columns: string[] = columnsOf(rows)): string {
  return stringify(
    rows.map((r) => columns.map((c) => formatValue(r[c]))),
    { header: true, columns, record_delimiter: 'unix' },
  );
}
