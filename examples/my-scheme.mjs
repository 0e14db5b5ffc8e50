// An own load-balancing scheme: "nearest-centre" sends each arriving user to the server whose
// region centre (equal vertical strips) is nearest, and never migrates anyone. It implements the
// Scheme interface and is registered like the built-in three; runScheme then runs it on the
// same arrivals (common random numbers) as the paper's user-centric scheme.
import { registerScheme, runScheme } from 'gamesim';

registerScheme('nearest-centre', (world) => {
  const N = world.opts.servers, W = world.opts.mapWidth;
  return {
    name: 'nearest-centre',
    skipped: 0,
    cellsReturned: 0,
    assign(u) {
      const s = Math.min(N - 1, Math.floor((world.xs[u] / W) * N));
      world.place(u, s);
      return s;
    },
    rebalance() {
      return [];
    },
  };
});

const opts = { users: 1000, arrivals: 'skew 3:1' };
for (const scheme of ['nearest-centre', 'user-centric']) {
  const r = runScheme(scheme, opts, 7);
  const loads = [...r.world.loads].join(' / ');
  console.log(`${scheme}: loads ${loads}, migrated users ${r.total.migratedUsers}`);
}
