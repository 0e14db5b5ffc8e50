/** The load-balancing model (LB paper, SPEC section 2). */
export * from './options.ts';
export * from './world.ts';
export * from './grid.ts';
export * from './schemes.ts';
export * from './run.ts';
export * from './world-options.ts';
export * from './mobility.ts';
export * from './timed.ts';
