/**
 * `npm run bench`: the kernel benchmark, then the model benchmarks that
 * exist, in a fixed order. Each part is a module exporting `run()`.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const parts = [
  { name: 'kernel', file: './bench/kernel.ts' },
  { name: 'lb', file: './bench/lb.ts' },
  { name: 'ha', file: './bench/ha.ts' },
] as const;

for (const part of parts) {
  const url = new URL(part.file, import.meta.url);
  if (!existsSync(fileURLToPath(url))) continue;
  console.log(`== ${part.name} ==`);
  const mod = (await import(url.href)) as { run: () => Promise<void> };
  await mod.run();
}
