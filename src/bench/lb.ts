/**
 * LB scale bench: user-centric runs of 100,000 and 1,000,000 arrivals on 16
 * servers (default 1024x512 map, V = 32, k = 1.5), with wall time and peak
 * memory. Goal: 1M in <= 10 s and <= 1 GiB, time growing about linearly.
 */
import { runScheme } from '../models/lb/index.ts';

export async function run(): Promise<void> {
  const sizes = [100_000, 1_000_000];
  let prev: { n: number; ms: number } | undefined;
  for (const n of sizes) {
    let peakRss = process.memoryUsage().rss;
    const t0 = performance.now();
    const r = runScheme('user-centric', { users: n, servers: 16, bucketSize: n }, 1, undefined, {
      measurePairs: false,
      keepMigrations: false,
      afterArrival: (w) => {
        if ((w.n & 0xffff) === 0) peakRss = Math.max(peakRss, process.memoryUsage().rss);
      },
    });
    const ms = performance.now() - t0;
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    const growth = prev ? ` (x${(ms / prev.ms).toFixed(1)} time for x${(n / prev.n).toFixed(0)} users)` : '';
    console.log(
      `lb user-centric ${n.toLocaleString('en-US')} arrivals, 16 servers: ${(ms / 1000).toFixed(2)} s, peak rss ${(peakRss / 2 ** 20).toFixed(0)} MiB, ` +
        `${r.total.migrationEvents} migration events, ${r.total.migratedUsers} users moved${growth}`,
    );
    prev = { n, ms };
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
