/**
 * The JSON Schema of scenario files, built from the models' own option
 * tables (so an option is still declared once): `options:` takes any HA or
 * LB option by name, and every numeric option may be a list, which makes a
 * sweep. `npm run schema` writes it to schema/scenario.schema.json (the
 * published copy, for editors); a test keeps the two equal.
 */
import { HA_OPTIONS } from '../models/ha/options.ts';
import { DEFAULTS as LB_DEFAULTS, CELL_CHOICES } from '../models/lb/options.ts';
import { WORLD_OPTIONS } from '../models/lb/world-options.ts';
import { ONE_WORLD_OPTIONS, SET_BY_ONE_WORLD } from '../models/oneworld/options.ts';
import type { OptionSpec } from '../schema.ts';

/** A JSON object (the scenario schema is one). */
export type Json = Record<string, unknown>;

/** A number, or a non-empty list of them (a sweep axis). */
function numberOrList(s: Json): Json {
  return { anyOf: [s, { type: 'array', items: s, minItems: 1 }] };
}

function optionSchema(o: OptionSpec): Json {
  const base: Json = { description: o.help };
  switch (o.type) {
    case 'boolean':
      return { ...base, type: 'boolean' };
    case 'enum':
      return { ...base, anyOf: [{ enum: [...o.choices!] }, { type: 'array', items: { enum: [...o.choices!] }, minItems: 1 }] };
    case 'string':
      return { ...base, anyOf: [{ type: 'string', minLength: 1 }, { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1 }] };
    default: {
      const n: Json = { type: o.type === 'integer' ? 'integer' : 'number' };
      if (o.min !== undefined) n.minimum = o.min;
      if (o.max !== undefined) n.maximum = o.max;
      if (o.greaterThan !== undefined) n.exclusiveMinimum = o.greaterThan;
      if (o.lessThan !== undefined) n.exclusiveMaximum = o.lessThan;
      return { ...base, ...numberOrList(n) };
    }
  }
}

const RECORDING = new Set(['recordMessages', 'recordTimeline']);

function haOptions(): Json {
  const props: Json = {};
  for (const [name, o] of Object.entries(HA_OPTIONS) as Array<[string, OptionSpec]>) if (!RECORDING.has(name)) props[name] = optionSchema(o);
  return { type: 'object', additionalProperties: false, properties: props };
}

function worldOptions(table: Record<string, OptionSpec> = WORLD_OPTIONS): Json {
  const props: Json = {};
  for (const [name, o] of Object.entries(table)) props[name] = optionSchema(o);
  return { type: 'object', additionalProperties: false, properties: props };
}

/** The HA options a one world takes (those it sets itself are left out). */
function oneWorldHaOptions(): Json {
  const all = haOptions() as { properties: Json };
  const props = Object.fromEntries(Object.entries(all.properties).filter(([k]) => !(SET_BY_ONE_WORLD as readonly string[]).includes(k)));
  return { type: 'object', additionalProperties: false, properties: props };
}

/** The LB model's integer options (the others are numbers >= 0; the model checks the rest). */
const LB_INTEGERS = new Set(['servers', 'users', 'bucketSize', 'cellRows', 'cellCols', 'cellsPerServer', 'checkEvery', 'threshold']);

function lbOptions(): Json {
  const props: Json = {};
  for (const [name, v] of Object.entries(LB_DEFAULTS)) {
    if (name === 'cellChoice') props[name] = { anyOf: [{ enum: [...CELL_CHOICES] }, { type: 'array', items: { enum: [...CELL_CHOICES] }, minItems: 1 }] };
    else if (name === 'arrivals') props[name] = { description: "'uniform' or 'skew R:S' (the hot region (0,0)-(512,512) gets R/(R+S) of the arrivals)", anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' }, minItems: 1 }] };
    else if (typeof v === 'boolean') props[name] = { type: 'boolean' };
    else if (LB_INTEGERS.has(name)) props[name] = numberOrList({ type: 'integer', minimum: name === 'threshold' ? 2 : name === 'cellRows' || name === 'cellCols' ? 0 : 1 });
    else props[name] = numberOrList({ type: 'number', minimum: 0 });
  }
  return { type: 'object', additionalProperties: false, properties: props };
}

const node = { type: 'integer', minimum: 0 };
const time = numberOrList({ type: 'number', minimum: 0 });
const positive = numberOrList({ type: 'number', exclusiveMinimum: 0 });
const channel = { enum: ['net', 'serial', 'both'] };

/** The faults a scenario's script may hold: one schema per verb. */
function faultSchema(): Json {
  const verb = (name: string, props: Json, required: string[]): Json => ({
    if: { properties: { verb: { const: name } }, required: ['verb'] },
    then: { properties: { at: time, verb: { const: name }, ...props }, required: ['at', 'verb', ...required], additionalProperties: false },
  });
  return {
    type: 'object',
    required: ['at', 'verb'],
    properties: {
      at: time,
      verb: { enum: ['crash', 'repair', 'pause', 'starve', 'cut', 'heal', 'partition', 'heal-all', 'loss', 'spike'] },
    },
    allOf: [
      verb('crash', { node }, ['node']),
      verb('repair', { node }, ['node']),
      verb('pause', { node, duration: positive }, ['node', 'duration']),
      verb('starve', { node, duration: positive }, ['node', 'duration']),
      verb('cut', { a: node, b: node, channel, oneWay: { type: 'boolean' } }, ['a', 'b']),
      verb('heal', { a: node, b: node, channel, oneWay: { type: 'boolean' } }, ['a', 'b']),
      verb('partition', { group: { type: 'array', items: node, minItems: 1 }, other: { type: 'array', items: node, minItems: 1 } }, ['group']),
      verb('heal-all', {}, []),
      verb('loss', { p: numberOrList({ type: 'number', minimum: 0, exclusiveMaximum: 1 }), channel, a: node, b: node }, ['p']),
      verb('spike', { a: node, b: node, channel, extra: numberOrList({ type: 'number', minimum: 0 }), duration: positive }, ['a', 'b', 'extra', 'duration']),
    ],
  };
}

/** The published JSON Schema of a scenario file (HA or LB). */
export function scenarioSchema(): Json {
  const common = {
    $schema: { type: 'string', description: 'the schema this file follows (for editors; ignored by gamesim)' },
    name: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]*$', description: 'the output folder name: lower-case letters, digits, dashes' },
    title: { type: 'string' },
    description: { type: 'string' },
    seeds: { type: 'integer', minimum: 1, maximum: 10000, description: 'replicates per sweep point (default 1); --seeds overrides' },
  };
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'gamesim scenario',
    description: 'A cluster and its story (kind: ha) or a map and its players (kind: lb), run with `gamesim run FILE`. Any numeric field may be a list: the run sweeps their cartesian product.',
    oneOf: [
      {
        type: 'object',
        additionalProperties: false,
        required: ['kind', 'name', 'duration'],
        properties: {
          kind: { const: 'ha' },
          ...common,
          duration: positive,
          options: { ...haOptions(), description: 'any option of the HA model (see docs/ha.md): nodes, services, detector and its knobs, channels, fail-over and fail-back timings, random fault processes' },
          links: {
            type: 'array',
            description: "per-link settings from the start, on top of the options' channel defaults: a loss probability and a lasting extra latency, on one channel or both, both directions unless oneWay",
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['a', 'b'],
              properties: {
                a: node, b: node, channel, oneWay: { type: 'boolean' },
                loss: numberOrList({ type: 'number', minimum: 0, exclusiveMaximum: 1 }),
                extraLatency: numberOrList({ type: 'number', minimum: 0 }),
              },
            },
          },
          faults: { type: 'array', items: faultSchema(), description: 'the script: fault verbs at times (s)' },
        },
      },
      {
        type: 'object',
        additionalProperties: false,
        required: ['kind', 'name'],
        properties: {
          kind: { const: 'lb' },
          ...common,
          scheme: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' }, minItems: 1 }], description: "a registered scheme: 'static', 'dynamic', 'user-centric' or an own one; a list compares them" },
          options: { ...lbOptions(), description: 'any option of the LB model: map, servers, users, arrivals, the schemes\' knobs' },
          replay: { type: 'boolean', description: 'with world: also write replay.html, a self-contained page that replays the first sweep point (players coloured by server, regions, hot spots, a time slider)' },
          world: { ...worldOptions(), description: 'the world in time (players who join, leave and move; docs/lb.md): with it the run lasts `duration` seconds and reports hand-offs, migrations per player-hour, imbalance and cross-server pairs over time' },
          ha: { ...oneWorldHaOptions(), description: 'with world: the servers are a heartbeat HA cluster (the one world, docs/world.md): detector, heartbeats, fail-over and fail-back times, random faults (mtbf, pauses...). Node n is server n; the standby of policy spare is node = servers' },
          oneWorld: { ...worldOptions(ONE_WORLD_OPTIONS as unknown as Record<string, OptionSpec>), description: 'with world: the one world\'s fail-over policy, fail-back, capacity and overload (docs/world.md)' },
          faults: { type: 'array', items: faultSchema(), description: 'with world: the script of the one world, fault verbs at times (s) on the servers (node n = server n)' },
        },
      },
    ],
  };
}
