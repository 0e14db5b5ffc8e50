/**
 * What each member knows: its view of every member (status and incarnation,
 * N x N typed arrays: 300 MB at 10,000 members) and its queue of updates to
 * piggyback (each sent retransmitMult x ceil(log10(N + 1)) times, the
 * fewest-sent first). The SWIM update rules: a higher incarnation wins; at
 * the same incarnation suspect beats alive and dead beats both; a death or
 * suspicion at an older incarnation than known is stale.
 */
import type { Update } from './network.ts';

export const ALIVE = 0, SUSPECT = 1, DEAD = 2;

/** The piggyback of a message with nothing to tell (shared: nobody changes it). */
const NOTHING: Update[] = [];

interface Queued extends Update {
  left: number;
  /** Replaced by a newer update about the same member (dropped when met). */
  stale: boolean;
}

export class Views {
  readonly status: Uint8Array;
  readonly inc: Uint16Array;
  /** Per member: its queued updates by how many sends they have left (index), and its entry per member. */
  private readonly buckets: Queued[][][];
  private readonly byMember: Map<number, Queued>[];
  private readonly limit: number;

  constructor(readonly N: number, retransmitMult: number, private readonly maxPiggyback: number) {
    this.status = new Uint8Array(N * N);
    this.inc = new Uint16Array(N * N);
    this.limit = Math.max(1, Math.round(retransmitMult * Math.ceil(Math.log10(N + 1))));
    this.buckets = Array.from({ length: N }, () => []);
    this.byMember = Array.from({ length: N }, () => new Map());
  }

  of(i: number, j: number): number {
    return this.status[i * this.N + j];
  }

  /**
   * Member i learns u: returns true when it is news (i's view changed), and
   * then i passes it on. A member never takes a suspicion or death of itself
   * here (the protocol refutes it).
   */
  learn(i: number, u: Update): boolean {
    const k = i * this.N + u.member, s = this.status[k], inc = this.inc[k];
    let news = false;
    if (s === DEAD) news = u.status === ALIVE && u.inc > inc; // a rejoin with a new incarnation
    else if (u.status === DEAD) news = u.inc >= inc; // a death at an older incarnation is stale (memberlist ignores it too)
    else if (u.status === SUSPECT) news = u.inc > inc || (u.inc === inc && s === ALIVE);
    else news = u.inc > inc;
    if (!news) return false;
    this.status[k] = u.status;
    this.inc[k] = u.inc;
    this.queue(i, u);
    return true;
  }

  /** Member i will piggyback u (replacing what it had queued about that member). */
  queue(i: number, u: Update): void {
    const old = this.byMember[i].get(u.member);
    if (old) old.stale = true;
    const e: Queued = { member: u.member, status: u.status, inc: u.inc, by: u.by, left: this.limit, stale: false };
    this.byMember[i].set(u.member, e);
    const b = this.buckets[i];
    (b[this.limit] ??= []).push(e);
  }

  /** The updates member i piggybacks on its next message (the fewest-sent first), counting them sent. */
  take(i: number): Update[] {
    const b = this.buckets[i];
    if (b.length === 0 || this.byMember[i].size === 0) return NOTHING;
    // the queued entries themselves go out (a receiver reads them and keeps nothing of them): no copy per update
    const out: Update[] = [], sent: Queued[] = [];
    for (let L = this.limit; L >= 1 && out.length < this.maxPiggyback; L--) {
      const q = b[L];
      if (!q || q.length === 0) continue;
      let x = 0;
      for (; x < q.length && out.length < this.maxPiggyback; x++) {
        const e = q[x];
        if (e.stale) continue;
        out.push(e);
        sent.push(e);
      }
      q.splice(0, x);
    }
    // one send each: they go down a bucket after this message (not again in it)
    for (const e of sent) {
      e.left--;
      if (e.left > 0) (b[e.left] ??= []).push(e);
      else this.byMember[i].delete(e.member);
    }
    return out;
  }

  /** Member i forgets what it knew (a crash): everyone alive at incarnation 0 as far as it knows, until told. */
  reset(i: number): void {
    this.status.fill(ALIVE, i * this.N, (i + 1) * this.N);
    this.inc.fill(0, i * this.N, (i + 1) * this.N);
    this.buckets[i] = [];
    this.byMember[i].clear();
  }
}
