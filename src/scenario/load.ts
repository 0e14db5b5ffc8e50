/**
 * Scenario files: read (YAML or JSON), check against the published schema and
 * against the model (one line naming the place and the problem, e.g.
 * `faults[2].at: must be >= 0`), and find the sweep axes: every list given
 * where a single value is expected.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** The largest scenario file read (a story of faults is a few kilobytes). */
export const MAX_SCENARIO_BYTES = 1 << 20;
import { isCollection, isScalar, LineCounter, parseDocument, visit } from 'yaml';
import Ajv2020 from 'ajv/dist/2020.js';
import { scenarioSchema } from './schema.ts';
import { makeConfig, type HaConfig } from '../models/ha/options.ts';
import { checkRecordBudget } from '../models/ha/config.ts';
import { resolveOptions } from '../models/lb/options.ts';
import { resolveWorld } from '../models/lb/world-options.ts';
import { schemeNames, schemeHasFailover } from '../models/lb/schemes.ts';
import { resolveOneWorld } from '../models/oneworld/options.ts';
import { oneWorldHa } from '../models/oneworld/run.ts';
import type { Fault } from '../models/ha/faults.ts';

export interface HaScenario {
  kind: 'ha';
  name: string;
  title?: string;
  description?: string;
  seeds?: number;
  duration: number;
  options?: Record<string, unknown>;
  links?: LinkSetting[];
  faults?: Array<Fault & { at: number }>;
}

/** One link's channels from the start of the run. */
export interface LinkSetting {
  a: number;
  b: number;
  channel?: 'net' | 'serial' | 'both';
  oneWay?: boolean;
  loss?: number;
  extraLatency?: number;
}

export interface LbScenario {
  kind: 'lb';
  name: string;
  title?: string;
  description?: string;
  seeds?: number;
  scheme?: string;
  options?: Record<string, unknown>;
  /** The world in time (players join, leave and move); absent: the paper's arrivals. */
  world?: Record<string, unknown>;
  /** Write replay.html (needs world). */
  replay?: boolean;
  /** With world: the servers are an HA cluster (the one world): its HA options, its own options and a fault script. */
  ha?: Record<string, unknown>;
  oneWorld?: Record<string, unknown>;
  faults?: Array<Fault & { at: number }>;
}

/** An LB scenario that runs the one world (world: with ha:, oneWorld: or faults:). */
export function isOneWorld(s: Scenario): s is LbScenario {
  return s.kind === 'lb' && s.world !== undefined && (s.ha !== undefined || s.oneWorld !== undefined || s.faults !== undefined);
}

export type Scenario = HaScenario | LbScenario;

/** A sweep axis: where in the file (path) and its values; `label` names its CSV column. */
export interface Axis {
  path: (string | number)[];
  label: string;
  values: Array<number | string | boolean>;
}

/** Bad scenario: the CLI prints `error: FILE: <message>` and exits 2. */
export class ScenarioError extends Error {}

type Validator = ((x: unknown) => boolean) & { errors?: Array<{ instancePath: string; message?: string; keyword: string; params: Record<string, unknown> }> | null };
/** One validator per kind: the branch of the schema's oneOf for that kind, so an error is reported inside the kind the file names. */
let validators: Record<string, Validator> | undefined;

function validate(x: unknown): void {
  const kind = (x as { kind?: unknown })?.kind;
  if (kind !== 'ha' && kind !== 'lb') throw new ScenarioError(`kind: must be 'ha' or 'lb' (got ${JSON.stringify(kind)})`);
  if (!validators) {
    const ajv = new (Ajv2020 as unknown as typeof Ajv2020.default)({ allErrors: false, strict: false });
    const schema = scenarioSchema() as { oneOf: Array<{ properties: { kind: { const: string } } }> };
    validators = Object.fromEntries(schema.oneOf.map((branch) => [branch.properties.kind.const, ajv.compile(branch) as Validator]));
  }
  const v = validators[kind];
  if (v(x)) return;
  const e = (v.errors ?? [])[0];
  if (!e) throw new ScenarioError('does not match the scenario schema');
  const where = place(e.instancePath.split('/').slice(1));
  let msg = e.message ?? 'is not valid';
  if (e.keyword === 'additionalProperties') msg = `unknown field '${e.params.additionalProperty}'`;
  if (e.keyword === 'const' && where.endsWith('verb')) msg = 'unknown verb';
  // an enum error says what was given and what may be
  if (e.keyword === 'enum') msg = `${JSON.stringify(valueAt(x, e.instancePath))} is not one of ${(e.params.allowedValues as unknown[]).map(String).join(', ')}`;
  throw new ScenarioError(`${where || '(top)'}: ${msg}`);
}

/** The value at a JSON pointer of the data. */
function valueAt(x: unknown, pointer: string): unknown {
  return pointer.split('/').slice(1).reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k.replace(/~1/g, '/').replace(/~0/g, '~')], x);
}

/** `faults/2/at` as `faults[2].at`. */
function place(parts: Array<string | number>): string {
  return parts.map((p, i) => (/^\d+$/.test(String(p)) ? `[${p}]` : `${i ? '.' : ''}${p}`)).join('');
}

/**
 * The file's data (JSON is read by the YAML parser too, as JSON is YAML: a
 * key given twice is refused, with its line, in both). A syntax error names
 * its line; where the parser only finds the fault at the end of what is open
 * (a quote, a bracket or a brace never closed), the line where it opened too.
 */
function parseText(text: string, kind: 'JSON' | 'YAML'): unknown {
  const lines = new LineCounter();
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true, lineCounter: lines });
  const e = doc.errors[0];
  if (e === undefined) return doc.toJS();
  let opened: [number, number, number] | undefined;
  let what = '';
  visit(doc, (_key, n) => {
    const r = (n as { range?: [number, number, number] } | null)?.range;
    const open = isCollection(n) ? n.flow === true : isScalar(n) && n.type !== 'PLAIN';
    if (!open || r === undefined || !(r[0] < e.pos[0] && r[2] >= e.pos[0])) return;
    const closer = { '[': ']', '{': '}' }[text[r[0]]] ?? text[r[0]];
    if (r[1] - 1 > r[0] && text[r[1] - 1] === closer) return;
    opened = r;
    what = isScalar(n) ? 'the quote' : `the ${text[r[0]]}`;
  });
  let msg = e.message.split('\n')[0].replace(/:$/, '');
  if (opened !== undefined) {
    const at = lines.linePos(opened[0]);
    if (at.line !== e.linePos?.[0].line) msg += ` (${what} opened at line ${at.line}, column ${at.col} is not closed)`;
  }
  throw new ScenarioError(`not valid ${kind}: ${msg}`);
}

/** Read and check a scenario file; throws ScenarioError with one line. */
export function loadScenario(path: string): { scenario: Scenario; axes: Axis[] } {
  let text: string;
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new ScenarioError('cannot read the file');
  }
  // a FIFO or a device would block or never end; a scenario is a small text file
  if (!st.isFile()) throw new ScenarioError('not a regular file (a scenario is a YAML or JSON file)');
  if (st.size > MAX_SCENARIO_BYTES) throw new ScenarioError(`${st.size.toLocaleString('en-US')} bytes: a scenario file holds at most ${MAX_SCENARIO_BYTES.toLocaleString('en-US')} bytes`);
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new ScenarioError('cannot read the file');
  }
  const data = parseText(text, /\.json$/i.test(path) ? 'JSON' : 'YAML');
  validate(data);
  const scenario = data as Scenario;
  resolveTracePaths(scenario, dirname(resolve(path)));
  const axes = findAxes(scenario);
  for (const a of axes) if (new Set(a.values.map(String)).size !== a.values.length) throw new ScenarioError(`${place(a.path)}: a sweep lists a value twice`);
  // every point must make a valid model: check each axis value with the others at their first value
  for (const a of axes) for (const v of a.values) checkModel(at(scenario, axes, { [a.label]: v }));
  if (axes.length === 0) checkModel(scenario);
  return { scenario, axes };
}

/** Trace files named in a scenario are relative to the scenario file (a list of them is a sweep). */
const TRACE_FIELDS = ['netTrace', 'serialTrace', 'playerTrace'];

function resolveTracePaths(s: Scenario, dir: string): void {
  const sections = s.kind === 'ha' ? [s.options] : [s.world, s.ha];
  for (const sec of sections) {
    if (!sec) continue;
    for (const k of TRACE_FIELDS) {
      const v = sec[k];
      const abs = (x: unknown) => (typeof x === 'string' && x !== '' ? resolve(dir, x) : x);
      if (Array.isArray(v)) sec[k] = v.map(abs);
      else if (v !== undefined) sec[k] = abs(v);
    }
  }
}

/** Lists where single values are expected: the sweep axes, in file order. */
function findAxes(s: Scenario): Axis[] {
  const axes: Axis[] = [];
  const add = (path: (string | number)[], label: string, v: unknown) => {
    if (Array.isArray(v)) axes.push({ path, label, values: v as Axis['values'] });
  };
  if (s.kind === 'ha') add(['duration'], 'duration', s.duration);
  if (s.kind === 'lb') add(['scheme'], 'scheme', s.scheme);
  for (const [k, v] of Object.entries(s.options ?? {})) add(['options', k], k, v);
  if (s.kind === 'lb') for (const [k, v] of Object.entries(s.world ?? {})) add(['world', k], k, v);
  if (s.kind === 'lb') for (const sec of ['ha', 'oneWorld'] as const) for (const [k, v] of Object.entries(s[sec] ?? {})) add([sec, k], k, v);
  if (s.kind === 'ha')
    (s.links ?? []).forEach((l, i) => {
      for (const k of ['loss', 'extraLatency']) add(['links', i, k], `links[${i}].${k}`, (l as unknown as Record<string, unknown>)[k]);
    });
  ;(s.faults ?? []).forEach((f, i) => {
      for (const k of ['at', 'duration', 'p', 'extra']) add(['faults', i, k], `faults[${i}].${k}`, (f as Record<string, unknown>)[k]);
    });
  return axes;
}

/** The scenario at one sweep point: every axis at the point's value (or its first value). */
export function at<S extends Scenario>(s: S, axes: Axis[], point: Record<string, unknown>): S {
  const out = structuredClone(s);
  for (const a of axes) {
    let o = out as unknown as Record<string | number, unknown>;
    for (const k of a.path.slice(0, -1)) o = o[k] as Record<string | number, unknown>;
    o[a.path[a.path.length - 1]] = a.label in point ? point[a.label] : a.values[0];
  }
  return out;
}

/**
 * The HA options a scenario runs with: it logs every message and the
 * timeline, so it runs the deferred heartbeat schedule unless its options
 * name another (the same results; lazy keeps no message log and is refused).
 */
export function haRunOptions(s: HaScenario): Record<string, unknown> {
  return { maxLogRows: 200_000, heartbeatEvents: 'deferred', ...(s.options ?? {}), recordMessages: true, recordTimeline: true };
}

/** A one-world scenario: its own options, the HA options it may set, and the script against the nodes. */
function checkOneWorld(s: LbScenario, servers: number): void {
  let ow;
  try {
    ow = resolveOneWorld((s.oneWorld ?? {}) as never);
  } catch (e) {
    throw new ScenarioError(`oneWorld: ${(e as Error).message}`);
  }
  let cfg: HaConfig;
  try {
    cfg = oneWorldHa(servers, ow, (s.ha ?? {}) as never);
  } catch (e) {
    throw new ScenarioError(`ha: ${(e as Error).message.replace(/^ha option /, 'option ')}`);
  }
  if (ow.policy === 'scheme' && !schemeHasFailover(s.scheme ?? 'user-centric')) throw new ScenarioError(`oneWorld.policy: scheme ${s.scheme} has no fail-over rule of its own: use paper or spare`);
  checkFaults(s.faults ?? [], cfg, resolveWorld(s.world ?? {}).duration);
}

/** Check a single-valued scenario against the model (options, node ids, schemes). */
export function checkModel(s: Scenario): void {
  if (s.kind === 'lb') {
    const scheme = s.scheme ?? 'user-centric';
    if (!schemeNames().includes(scheme)) throw new ScenarioError(`scheme: '${scheme}' is not a registered scheme (${schemeNames().join(', ')})`);
    try {
      resolveOptions(s.options ?? {});
    } catch (e) {
      throw new ScenarioError(`options: ${(e as Error).message.replace(/^option /, '')}`);
    }
    if (s.replay && !s.world) throw new ScenarioError('replay: needs a world: section (a replay shows players in time)');
    const o = resolveOptions(s.options ?? {});
    if ((scheme === 'dynamic' || scheme === 'progrega') && o.cellRows * o.cellCols < o.servers)
      throw new ScenarioError(`options: the ${scheme} scheme needs a piece cell per server: cellRows x cellCols = ${o.cellRows * o.cellCols} < servers = ${o.servers}`);
    if (s.world)
      try {
        resolveWorld(s.world);
      } catch (e) {
        throw new ScenarioError(`world: ${(e as Error).message}`);
      }
    if (!s.world && (s.ha || s.oneWorld || s.faults)) throw new ScenarioError(`${s.ha ? 'ha' : s.oneWorld ? 'oneWorld' : 'faults'}: needs a world: section (the one world runs players in time)`);
    if (isOneWorld(s)) checkOneWorld(s, o.servers);
    return;
  }
  let cfg: HaConfig;
  try {
    cfg = makeConfig(haRunOptions(s) as never);
  } catch (e) {
    throw new ScenarioError(`options: ${(e as Error).message}`);
  }
  const nodes = cfg.nodes;
  try {
    checkRecordBudget(cfg, s.duration);
  } catch (e) {
    throw new ScenarioError(`options: ${(e as Error).message}`);
  }
  (s.links ?? []).forEach((l, i) => {
    for (const k of ['a', 'b'] as const) if (l[k] >= nodes) throw new ScenarioError(`links[${i}].${k}: must be < nodes (${nodes})`);
    if (l.a === l.b) throw new ScenarioError(`links[${i}]: a and b must differ`);
  });
  checkFaults(s.faults ?? [], cfg, s.duration);
}

/** Each fault of a script against the cluster's nodes and the run's length. */
function checkFaults(faults: Array<Fault & { at: number }>, cfg: HaConfig, duration: number): void {
  const nodes = cfg.nodes;
  faults.forEach((f, i) => {
    const r = f as unknown as Record<string, unknown>;
    for (const k of ['node', 'a', 'b']) if (typeof r[k] === 'number' && (r[k] as number) >= nodes) throw new ScenarioError(`faults[${i}].${k}: must be < nodes (${nodes})`);
    for (const k of ['group', 'other']) if (Array.isArray(r[k]) && (r[k] as number[]).some((n) => n >= nodes)) throw new ScenarioError(`faults[${i}].${k}: node ids must be < nodes (${nodes})`);
    if ((f.verb === 'cut' || f.verb === 'heal' || f.verb === 'spike') && f.a === f.b) throw new ScenarioError(`faults[${i}]: a and b must differ`);
    if (f.verb === 'loss' && (f.a === undefined) !== (f.b === undefined)) throw new ScenarioError(`faults[${i}]: a loss between two nodes names both a and b (neither: every link)`);
    if (f.verb === 'partition' && f.other?.some((n) => f.group.includes(n))) throw new ScenarioError(`faults[${i}]: node ${f.other.find((n) => f.group.includes(n))} is on both sides of the partition`);
    if (f.verb === 'loss' && f.p > 0 && cfg.lossModel === 'gilbert-elliott' && !(f.p > cfg.goodLoss && f.p < cfg.burstLoss))
      throw new ScenarioError(`faults[${i}].p: with lossModel gilbert-elliott a loss rate must lie between goodLoss (${cfg.goodLoss}) and burstLoss (${cfg.burstLoss}), or be 0 (got ${f.p})`);
    if (f.at >= duration) throw new ScenarioError(`faults[${i}].at: ${f.at} is not before the end of the run (duration ${duration})`);
  });
}
