/** Parsing and validation of experiment parameters from raw strings (the CLI) or defaults. */
import type { Experiment, ParamSpec, Params, Value } from './experiment.ts';

/** Bad input from the user: the CLI prints `error: <message>` and exits 2. */
export class UsageError extends Error {}

const TRUE = new Set(['true', 'on', 'yes', '1']);
const FALSE = new Set(['false', 'off', 'no', '0']);

/** Parse one raw value of a parameter; throws UsageError with a one-line message. */
export function parseValue(name: string, spec: ParamSpec, raw: string): Value {
  const s = raw.trim();
  if (spec.parse) {
    try {
      return spec.parse(s);
    } catch (e) {
      throw new UsageError(`--${name}: ${(e as Error).message}`);
    }
  }
  switch (spec.type) {
    case 'boolean':
      if (TRUE.has(s.toLowerCase())) return true;
      if (FALSE.has(s.toLowerCase())) return false;
      throw new UsageError(`--${name}: '${raw}' is not a boolean (use true/false or on/off)`);
    case 'enum':
      if (!spec.choices?.includes(s)) throw new UsageError(`--${name}: '${raw}' is not one of ${spec.choices?.join(', ')}`);
      return s;
    case 'string':
      return s;
    case 'number':
    case 'integer': {
      const v = s === '' ? NaN : Number(s);
      if (!Number.isFinite(v)) throw new UsageError(`--${name}: '${raw}' is not a number`);
      if (spec.type === 'integer' && !Number.isInteger(v)) throw new UsageError(`--${name}: '${raw}' is not an integer`);
      checkRange(name, spec, v, s);
      return v;
    }
  }
}

/** Check a number against its bounds; the message echoes the value as the user typed it (`typed`). */
function checkRange(name: string, spec: ParamSpec, v: number, typed = String(v)): void {
  if (spec.min !== undefined && v < spec.min) throw new UsageError(`--${name}: ${typed} is below the minimum ${spec.min}`);
  if (spec.max !== undefined && v > spec.max) throw new UsageError(`--${name}: ${typed} is above the maximum ${spec.max}`);
  if (spec.greaterThan !== undefined && !(v > spec.greaterThan))
    throw new UsageError(`--${name}: ${typed} must be greater than ${spec.greaterThan}`);
}

/**
 * Resolve an experiment's parameters: defaults, overridden by raw strings
 * (comma-separated lists for `list` parameters). Unknown names are errors.
 */
export function resolveParams(exp: Experiment, raw: Record<string, string | string[]>): Params {
  const out: Params = {};
  for (const name of Object.keys(raw)) {
    if (!(name in exp.params)) throw new UsageError(`unknown option --${name} for experiment ${exp.name}`);
  }
  for (const [name, spec] of Object.entries(exp.params)) {
    const given = raw[name];
    if (given === undefined) {
      if (spec.default === undefined) continue; // an optional parameter left out
      out[name] = Array.isArray(spec.default) ? [...spec.default] : spec.default;
      continue;
    }
    const parts = (Array.isArray(given) ? given : [given]).flatMap((g) => (spec.list ? g.split(',') : [g]));
    if (!spec.list && parts.length !== 1) throw new UsageError(`--${name} takes one value`);
    const values = parts.map((p) => parseValue(name, spec, p));
    if (spec.list) {
      if (values.length === 0) throw new UsageError(`--${name}: no value given`);
      const seen = new Map<string, Value>();
      for (const v of values) {
        const key = spec.canonical ? spec.canonical(v) : String(v);
        const before = seen.get(key);
        if (before !== undefined)
          throw new UsageError(String(before) === String(v) ? `--${name}: ${v} is given twice (each sweep value once)` : `--${name}: ${v} is the same as ${before} (each sweep value once)`);
        seen.set(key, v);
      }
      out[name] = values;
    } else out[name] = values[0];
  }
  return out;
}

/** Names of the parameters that are sweep axes (their values become CSV columns). */
export function listParams(exp: Experiment): string[] {
  return Object.entries(exp.params)
    .filter(([, s]) => s.list)
    .map(([n]) => n);
}
