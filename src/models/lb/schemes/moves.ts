/** Moves of many users at once (a failed server's players), grouped into one migration per (from, to). */
import type { World } from '../world.ts';
import type { Migration } from '../schemes.ts';

/**
 * Move each user to `target(u)` (targets computed before anyone moves), one
 * migration per (from, to) pair, pairs in increasing order and users in the
 * order given; `moved(u, to)` tells the scheme's own indices.
 */
export function moveGrouped(w: World, users: readonly number[], target: (u: number) => number, moved?: (u: number, to: number) => void): Migration[] {
  const S = w.servers;
  const groups = new Map<number, number[]>();
  for (const u of users) {
    const from = w.server[u], to = target(u);
    if (from < 0 || to === from) continue;
    const key = from * S + to;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(u);
  }
  const out: Migration[] = [];
  for (const key of [...groups.keys()].sort((a, b) => a - b)) {
    const list = groups.get(key)!, to = key % S;
    for (const u of list) {
      w.reassign(u, to);
      moved?.(u, to);
    }
    out.push({ from: Math.floor(key / S), to, users: list });
  }
  return out;
}
