/**
 * `npm run bench`: the kernel against flatqueue and a bare heap, then the LB scale runs and
 * the HA simulated-time rate, in this order. Each part is a module exporting
 * `run()`; speed is reported as rates and ratios measured in this process.
 */
import * as kernel from './bench/kernel.ts';
import * as lb from './bench/lb.ts';
import * as lbWorld from './bench/lb-world.ts';
import * as ha from './bench/ha.ts';
import * as oneWorld from './bench/one-world.ts';
import * as tune from './bench/tune.ts';
import * as membership from './bench/membership.ts';
import * as runner from './bench/runner.ts';

const parts: [string, { run: () => Promise<void> }][] = [
  ['kernel', kernel],
  ['lb', lb],
  ['lb world', lbWorld],
  ['ha', ha],
  ['one world', oneWorld],
  ['tune', tune],
  ['membership', membership],
  ['runner', runner],
];

// each part starts from a collected heap (npm run bench gives node --expose-gc), so that the
// garbage an earlier part left is not collected on a later part's time
const gc = (globalThis as { gc?: () => void }).gc;
for (const [name, part] of parts) {
  console.log(`== ${name} ==`);
  gc?.();
  await part.run();
}
