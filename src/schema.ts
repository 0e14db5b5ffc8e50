/**
 * Option schemas: each option of a model declared once, with its type,
 * default, bounds or choices and help. Models validate their configuration
 * with it; the runner turns the same entries into experiment parameters,
 * CLI help and meta.json. Imports nothing.
 */

export interface OptionSpec {
  type: 'number' | 'integer' | 'boolean' | 'enum' | 'string';
  default: number | boolean | string;
  help: string;
  /** Inclusive bounds (number, integer). */
  min?: number;
  max?: number;
  /** Strictly greater than this. */
  greaterThan?: number;
  /** Strictly less than this. */
  lessThan?: number;
  /** Allowed values (enum). */
  choices?: readonly string[];
  /** A group name for help and docs (e.g. 'detector', 'fail-over'). */
  group?: string;
  /** A string option that may be empty (the default '' means "not set"). */
  optional?: boolean;
}

export type Schema = Record<string, OptionSpec>;

/** The value type of an option. */
export type ValueOf<S> = S extends { type: 'boolean' } ? boolean : S extends { type: 'enum'; choices: readonly (infer C)[] } ? C : S extends { type: 'string' } ? string : number;

/** The configuration type a schema describes. */
export type ConfigOf<T extends Schema> = { -readonly [K in keyof T]: ValueOf<T[K]> };

/** Every option's default. */
export function defaultsOf<T extends Schema>(schema: T): ConfigOf<T> {
  const out: Record<string, unknown> = {};
  for (const [k, s] of Object.entries(schema)) out[k] = s.default;
  return out as ConfigOf<T>;
}

/** The problem with one value, or undefined when it is valid. */
export function checkOption(spec: OptionSpec, v: unknown): string | undefined {
  switch (spec.type) {
    case 'boolean':
      return typeof v === 'boolean' ? undefined : `must be true or false (got ${String(v)})`;
    case 'enum':
      return typeof v === 'string' && spec.choices!.includes(v) ? undefined : `must be one of ${spec.choices!.join(', ')} (got ${String(v)})`;
    case 'string':
      return typeof v === 'string' && (v !== '' || spec.optional) ? undefined : `must be a non-empty string (got ${String(v)})`;
    default: {
      if (typeof v !== 'number' || Number.isNaN(v)) return `must be a number (got ${String(v)})`;
      if (spec.type === 'integer' && !Number.isInteger(v)) return `must be an integer (got ${v})`;
      if (!Number.isFinite(v)) return `must be finite (got ${v})`;
      if (spec.min !== undefined && v < spec.min) return `must be >= ${spec.min} (got ${v})`;
      if (spec.max !== undefined && v > spec.max) return `must be <= ${spec.max} (got ${v})`;
      if (spec.greaterThan !== undefined && !(v > spec.greaterThan)) return `must be > ${spec.greaterThan} (got ${v})`;
      if (spec.lessThan !== undefined && !(v < spec.lessThan)) return `must be < ${spec.lessThan} (got ${v})`;
      return undefined;
    }
  }
}

/** Check every option of `values` against the schema; throws Error('name must ...') at the first problem, or for a name the schema lacks. */
export function validateOptions(schema: Schema, values: Record<string, unknown>): void {
  for (const name of Object.keys(values)) if (!(name in schema)) throw new Error(`unknown option '${name}'`);
  for (const [name, spec] of Object.entries(schema)) {
    const problem = checkOption(spec, values[name]);
    if (problem) throw new Error(`${name} ${problem}`);
  }
}
