/**
 * `npm run bench`: the kernel against flatqueue and a bare heap, then the LB scale runs and
 * the HA simulated-time rate, in this order. Each part is a module exporting
 * `run()`; speed is reported as rates and ratios measured in this process.
 *
 * A part's module is loaded when the part runs, not before: what one part loads must not
 * change another's numbers. (Loaded through tsx, the chart libraries that later parts import
 * made the kernel part's code about 12% slower when they came first: 0.95 of flatqueue
 * against 1.08; the built package, on plain node, runs at 1.07 with them loaded.) And each
 * part starts from a collected heap (npm run bench gives node --expose-gc), so that the
 * garbage an earlier part left is not collected on a later part's time.
 */
type Part = { run: () => Promise<void> };

const parts: [string, () => Promise<Part>][] = [
  ['kernel', () => import('./bench/kernel.ts')],
  ['lb', () => import('./bench/lb.ts')],
  ['lb world', () => import('./bench/lb-world.ts')],
  ['ha', () => import('./bench/ha.ts')],
  ['one world', () => import('./bench/one-world.ts')],
  ['tune', () => import('./bench/tune.ts')],
  ['membership', () => import('./bench/membership.ts')],
  ['runner', () => import('./bench/runner.ts')],
];

const gc = (globalThis as { gc?: () => void }).gc;
for (const [name, load] of parts) {
  const part = await load();
  console.log(`== ${name} ==`);
  gc?.();
  await part.run();
}
