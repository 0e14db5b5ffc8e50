/**
 * The load-balancing schemes behind one interface (each in schemes/, owning its state):
 * assign an arriving user to a server; rebalance; report each migration event
 * with the users it moved.
 */
import type { Stream } from '../../kernel/random.ts';
import type { SchemeName } from './options.ts';
import { World } from './world.ts';
import { resolveOptions } from './options.ts';
import { Streams } from '../../kernel/random.ts';
import type { Moves } from './mobility.ts';
import { Registry } from '../../registry.ts';
import { StaticScheme } from './schemes/static.ts';
import { DynamicScheme } from './schemes/dynamic.ts';
import { UserCentricScheme } from './schemes/user-centric.ts';
import { KdTreeScheme } from './schemes/kd-tree.ts';
import { ProgregaScheme } from './schemes/progrega.ts';

export { StaticScheme, DynamicScheme, UserCentricScheme, KdTreeScheme, ProgregaScheme };

export interface Migration {
  from: number;
  to: number;
  /** The users moved (in the order they were moved). */
  users: number[];
  /** The piece cell moved (dynamic scheme only). */
  cell?: number;
}

export interface Scheme {
  readonly name: SchemeName;
  /** Choose the server of the newly arrived user `u` (already in world.xs/ys) and place it. */
  assign(u: number): number;
  /** Compare loads and move users; returns the migration events (possibly none). */
  rebalance(): Migration[];
  /** User u logs off: the scheme drops it from its indices and removes it from the world. (Needed when players leave.) */
  leave?(u: number): void;
  /**
   * Players walked: m.ids[i] is now at (m.xs[i], m.ys[i]), for i < m.n, in
   * that order. The scheme updates the world and its indices, and hands a
   * player over to another server if its position says so; returns how many
   * hand-offs that made. (Needed when players move.)
   */
  relocate?(m: Moves): number;
  /** The server whose region holds (x, y), for schemes that own regions of the map (a replay draws them). */
  regionOf?(x: number, y: number): number;
  /**
   * Server s failed (the one world's policy scheme): its region and players go
   * to the survivors by the scheme's own rule, and it gets nothing until
   * `restore(s)`. Returns the moves.
   */
  fail?(s: number): Migration[];
  /**
   * Server s is back: its region is its own again; with `handBack` the
   * players in it move back now, else they stay until they walk or the
   * scheme rebalances. Returns the moves.
   */
  restore?(s: number, handBack: boolean): Migration[];
  /** Load checks that fired but moved nothing (dynamic with skipUseless). */
  skipped: number;
  /** Piece cells moved back to a server that owned them before (dynamic). */
  cellsReturned: number;
}

/** Makes a scheme for a world; `cellChoice` is the run's stream for the scheme's random choices. */
export type SchemeFactory = (world: World, cellChoice: Stream) => Scheme;

const SCHEMES = new Registry<SchemeFactory>('scheme');

/**
 * Register a load-balancing scheme under a name: `runScheme(name, ...)` and
 * the LB experiments can then use it like a built-in. The built-in three are
 * registered the same way, below.
 */
export function registerScheme(name: string, factory: SchemeFactory): void {
  SCHEMES.register(name, factory);
}

/** Names of the registered schemes, built-in first. */
export function schemeNames(): string[] {
  return SCHEMES.names();
}

/** Does the scheme have its own fail-over rule (fail and restore: the one world's policy scheme)? */
export function schemeHasFailover(name: string): boolean {
  const w = new World(resolveOptions({}), new Float64Array(0), new Float64Array(0));
  const sch = SCHEMES.get(name)(w, new Streams(0).get('cell-choice'));
  return typeof sch.fail === 'function' && typeof sch.restore === 'function';
}

export function makeScheme(name: SchemeName, world: World, cellChoice: Stream): Scheme {
  return SCHEMES.get(name)(world, cellChoice);
}

registerScheme('static', (world) => new StaticScheme(world));
registerScheme('dynamic', (world, cellChoice) => new DynamicScheme(world, cellChoice));
registerScheme('user-centric', (world) => new UserCentricScheme(world));
registerScheme('kd-tree', (world) => new KdTreeScheme(world));
registerScheme('progrega', (world, cellChoice) => new ProgregaScheme(world, cellChoice));
