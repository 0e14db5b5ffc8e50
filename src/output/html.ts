/** DIR/index.html: every experiment found under DIR, its charts with captions and its summary table. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeAtomic } from './atomic.ts';

const MAX_ROWS = 60;

function esc(s: unknown): string {
  return String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

/** A minimal CSV reader for our own files (quoted cells only where csv-stringify quoted them). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (cell += '"', i++);
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') (row.push(cell), (cell = ''));
    else if (c === '\n') (row.push(cell), rows.push(row), (row = []), (cell = ''));
    else cell += c;
  }
  if (cell !== '' || row.length) (row.push(cell), rows.push(row));
  return rows;
}

function fmt(cell: string): string {
  const v = Number(cell);
  if (cell === '' || !Number.isFinite(v) || Number.isInteger(v)) return cell;
  return String(Number(v.toPrecision(4)));
}

function table(csvPath: string, link: string): string {
  const rows = parseCsv(readFileSync(csvPath, 'utf8'));
  const [head, ...body] = rows;
  if (!head) return '';
  const shown = body.slice(0, MAX_ROWS);
  const more = body.length > MAX_ROWS ? `<p class="more">${body.length - MAX_ROWS} more rows in <a href="${link}">summary.csv</a></p>` : '';
  return (
    `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>` +
    shown.map((r) => `<tr>${r.map((c) => `<td>${esc(fmt(c))}</td>`).join('')}</tr>`).join('') +
    `</tbody></table>${more}`
  );
}

/** Write `outDir/index.html` over every experiment directory in it; `order` names the experiments to list first. */
export function writeIndex(outDir: string, order: string[] = []): void {
  const names = existsSync(outDir)
    ? readdirSync(outDir, { withFileTypes: true })
        .filter((d) => d.isDirectory() && !d.name.startsWith('.') && existsSync(join(outDir, d.name, 'meta.json')))
        .map((d) => d.name)
        .sort((a, b) => {
          const ia = order.indexOf(a), ib = order.indexOf(b);
          return (ia < 0 ? 1e9 : ia) - (ib < 0 ? 1e9 : ib) || (a < b ? -1 : a > b ? 1 : 0);
        })
    : [];
  const sections = names.map((name) => {
    let meta;
    try {
      meta = JSON.parse(readFileSync(join(outDir, name, 'meta.json'), 'utf8'));
      if (!Array.isArray(meta.charts) || !Array.isArray(meta.files)) throw new Error('not a gamesim meta.json');
    } catch (e) {
      process.stderr.write(`warning: ${join(outDir, name)} is left out of index.html: its meta.json is unreadable (${(e as Error).message.split('\n')[0]})\n`);
      return '';
    }
    const charts = (meta.charts as { name: string; title: string; caption: string }[])
      .map(
        (c) =>
          `<figure><img src="${esc(name)}/${esc(c.name)}.svg" alt="${esc(c.title)}"><figcaption><b>${esc(c.title)}.</b> ${esc(c.caption)} ` +
          `(<a href="${esc(name)}/${esc(c.name)}.png">png</a>, <a href="${esc(name)}/${esc(c.name)}.vl.json">vega-lite</a>)</figcaption></figure>`,
      )
      .join('\n');
    const params = Object.entries(meta.params as Record<string, unknown>)
      .map(([k, v]) => `<code>${esc(k)}=${esc(Array.isArray(v) ? v.join(',') : v)}</code>`)
      .join(' ');
    const files = (meta.files as string[]).filter((f) => f.endsWith('.csv')).map((f) => `<a href="${esc(name)}/${esc(f)}">${esc(f)}</a>`).join(', ');
    return `<section id="${esc(name)}"><h2>${esc(meta.title)}${meta.example ? ' <small>(pipeline example, not a paper result)</small>' : ''}</h2>
<p>${esc(meta.description)}</p>
<p class="params">${params} <code>seeds=${esc(meta.seeds.count)}</code> <code>seed=${esc(meta.seeds.base)}</code></p>
${charts}
<h3>Summary (mean and 95% CI over seeds)</h3>
${table(join(outDir, name, 'summary.csv'), `${name}/summary.csv`)}
<p>Data: ${files}, <a href="${esc(name)}/meta.json">meta.json</a></p></section>`;
  });
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>gamesim results</title>
<style>
body{font-family:'DejaVu Sans',sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
figure{display:inline-block;margin:1em 1em 1em 0;vertical-align:top}figure img{max-width:100%}
figcaption{font-size:90%;max-width:640px}table{border-collapse:collapse;font-size:80%}
td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}code{font-size:85%;background:#f4f4f4;padding:1px 3px}
section{border-top:2px solid #ddd;margin-top:2em}.more{font-size:80%}
</style></head><body>
<h1>gamesim: results</h1>
<p>${names.map((n) => `<a href="#${esc(n)}">${esc(n)}</a>`).join(' · ')}</p>
${sections.join('\n')}
</body></html>
`;
  writeAtomic(join(outDir, 'index.html'), html);
}
