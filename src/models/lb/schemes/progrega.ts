/**
 * A region-growing partition in the style of ProGReGA (Bezerra and Geyer's
 * progressive greedy region growing): the map is a grid of cells (the
 * dynamic scheme's grid, sized for the servers), each server's region a set
 * of cells, and an overloaded server sheds cells, as few as it needs,
 * choosing the ones that cut the fewest interactions. Where the sources leave
 * rules open, ours are:
 *
 * - the initial regions are the dynamic scheme's blocks;
 * - the interaction between two edge-adjacent cells is the product of their
 *   player counts (players who can see each other across the edge), and a
 *   cell's tie to its region is the sum over its neighbours in the region;
 * - a server is overloaded when its load exceeds (1 + kdTolerance) x the mean
 *   load and max - min >= threshold (the KD-tree's trigger, so the two compare
 *   on the same terms); checked every checkEvery steps;
 * - it then gives, one at a time, the non-empty boundary cell with the weakest
 *   tie to its region (ties: fewest players, then lowest index) to the least
 *   loaded neighbouring server, as long as that server stays below the
 *   overloaded one and the overload lasts;
 * - one migration event per cell moved; hand-offs as in the dynamic scheme.
 */
import type { Stream } from '../../../kernel/random.ts';
import type { World } from '../world.ts';
import type { Migration } from '../schemes.ts';
import { DynamicScheme } from './dynamic.ts';

export class ProgregaScheme extends DynamicScheme {
  override readonly name: string = 'progrega';
  private steps = 0;

  constructor(world: World, choice: Stream) {
    super(world, choice);
  }

  override rebalance(): Migration[] {
    const w = this.world, o = w.opts, S = w.liveServers();
    if (++this.steps % o.checkEvery !== 0 || w.count === 0) return [];
    const out: Migration[] = [];
    const mean = w.count / S;
    const lo = () => w.loads[w.lightest()];
    // the most overloaded server first, each until it is not overloaded or has nothing to give
    for (let guard = 0; guard < o.cellRows * o.cellCols; guard++) {
      const heavy = w.heaviest();
      if (heavy < 0) break; // every server out of the partition
      if (w.loads[heavy] <= (1 + o.kdTolerance) * mean || w.loads[heavy] - lo() < o.threshold) break;
      const m = this.shed(heavy);
      if (!m) {
        this.skipped++;
        break;
      }
      out.push(m);
    }
    return out;
  }

  /** Give server s's weakest-tied boundary cell to its least loaded neighbour, if that helps. */
  private shed(s: number): Migration | undefined {
    const w = this.world, o = w.opts, C = o.cellCols, R = o.cellRows;
    let best = -1, bestTie = Infinity, bestTo = -1;
    for (let c = 0; c < R * C; c++) {
      if (this.owner[c] !== s || this.cellCount[c] === 0) continue;
      const row = Math.floor(c / C), col = c % C;
      const next = [col > 0 ? c - 1 : -1, col < C - 1 ? c + 1 : -1, row > 0 ? c - C : -1, row < R - 1 ? c + C : -1];
      let tie = 0, to = -1;
      for (const d of next) {
        if (d < 0) continue;
        const t = this.owner[d];
        if (t === s) tie += this.cellCount[c] * this.cellCount[d];
        else if (to < 0 || w.loads[t] < w.loads[to] || (w.loads[t] === w.loads[to] && t < to)) to = t;
      }
      // the receiver must stay below the giver after the move
      if (to < 0 || w.loads[to] + this.cellCount[c] >= w.loads[s]) continue;
      if (tie < bestTie || (tie === bestTie && this.cellCount[c] < this.cellCount[best])) {
        best = c;
        bestTie = tie;
        bestTo = to;
      }
    }
    return best < 0 ? undefined : this.give(best, bestTo);
  }
}
