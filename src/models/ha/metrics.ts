/**
 * Metrics: a listener that the other parts tell what happened, and that
 * builds the run's result. It owns the counters, the incidents (crash,
 * detection, fail-over, fail-back), the detection latencies, and the
 * failure-detector quality of Chen, Toueg and Aguilera per ordered pair
 * (observer i, target j): mistakes (suspecting a node that runs), their
 * durations and recurrence, and the query accuracy P_A.
 */
import type { Sim } from '../../kernel/sim.ts';
import type { Nodes } from './nodes.ts';
import type { Signals } from './signals.ts';

export interface Incident {
  node: number;
  crash: number;
  /** First declaration by any node after the crash. */
  detected: number;
  /** All services the node ran at the crash are running elsewhere. */
  failoverDone: number;
  /** Their users are reconnected. */
  serviceBack: number;
  /** The node runs its home services again (fail-back done). */
  failback: number;
  repaired: number;
  services: number[];
}

export interface Detection {
  observer: number;
  target: number;
  crash: number;
  latency: number;
  /** The observer watched the target without a pause from the crash to the declaration. */
  clean: boolean;
}

export interface HaResult {
  duration: number;
  /** Mean over services of up time / run time. */
  availability: number;
  /** Mean downtime per service (s). */
  downtime: number;
  /** Summed over services: time with two or more live owners (s). */
  dualActiveTime: number;
  disconnectedUserSeconds: number;
  hbMessages: number;
  protocolMessages: number;
  messagesLost: number;
  declarations: number;
  /** Chen-Toueg-Aguilera: suspicions of a node that had not crashed. */
  mistakes: number;
  /** T_M (s). */
  meanMistakeDuration: number;
  /** T_MR (s): observed pair-time with the target up / mistakes. */
  mistakeRecurrence: number;
  /** P_A. */
  queryAccuracy: number;
  observedTime: number;
  takeovers: number;
  /** Take-overs of a service that another node still ran (paused or cut off, not crashed). */
  falseTakeovers: number;
  releases: number;
  /** Suspect -> trust transitions of a wrong suspicion (the target ran all along): the detector flapped. */
  flaps: number;
  incidents: Incident[];
  detections: Detection[];
  /** Notes on what the run left out (a log that reached its cap). */
  notes: string[];
}

/** Plain counters the parts add to. */
export class Counters {
  hbMessages = 0;
  protocolMessages = 0;
  messagesLost = 0;
  declarations = 0;
  takeovers = 0;
  falseTakeovers = 0;
  releases = 0;
  flaps = 0;
}

export class Metrics {
  readonly counts = new Counters();
  readonly incidents: Incident[] = [];
  readonly detections: Detection[] = [];
  readonly notes: string[] = [];
  private readonly open: (Incident | undefined)[];
  /** Crash time of j while i watched it (index i*N+j), NaN when i was not watching at the crash. */
  private readonly watchCrash: Float64Array;
  /** i paused at some time since j's crash (index i*N+j). */
  private readonly pausedSince: Uint8Array;
  // detector quality per ordered pair
  private readonly trust: Uint8Array;
  private readonly mistake: Uint8Array;
  private readonly mistakeStart: Float64Array;
  private readonly lastT: Float64Array;
  private readonly obsUp: Float64Array;
  private readonly trustUp: Float64Array;
  private mistakes = 0;
  private mistakesEnded = 0;
  private mistakeDurationSum = 0;

  constructor(private readonly sim: Sim, private readonly nodes: Nodes) {
    const N = nodes.N;
    this.open = new Array(N).fill(undefined);
    this.watchCrash = new Float64Array(N * N).fill(NaN);
    this.pausedSince = new Uint8Array(N * N);
    this.trust = new Uint8Array(N * N).fill(1);
    this.mistake = new Uint8Array(N * N);
    this.mistakeStart = new Float64Array(N * N);
    this.lastT = new Float64Array(N * N);
    this.obsUp = new Float64Array(N * N);
    this.trustUp = new Float64Array(N * N);
  }

  /** Listen to the parts' signals (the counts, suspicions, trust, take-overs). */
  listen(sig: Signals): void {
    const c = this.counts;
    sig.on('heartbeats', (n, lost) => {
      c.hbMessages += n;
      c.messagesLost += lost;
    });
    sig.on('protocol', (n, lost) => {
      c.protocolMessages += n;
      c.messagesLost += lost;
    });
    sig.on('lostInFlight', (n) => (c.messagesLost += n));
    sig.on('suspected', (i, j) => this.declared(i, j));
    sig.on('reported', (i, j) => this.suspects(i, j));
    sig.on('trusted', (i, j) => this.trusts(i, j));
    sig.on('tookOver', (still) => this.tookOver(still));
    sig.on('released', () => c.releases++);
    sig.on('failedBack', (n) => this.failedBack(n));
    sig.on('serviceUp', (s, allUp) => this.serviceUp(s, allUp));
    sig.on('usersBack', (s, allBack) => this.usersBack(s, allBack));
  }

  // ---- node life cycle ----

  /** Node n's state is about to change: account every pair it is in up to now. */
  beforeNodeChange(n: number): void {
    const N = this.nodes.N;
    for (let j = 0; j < N; j++) if (j !== n) {
      this.accountPair(n * N + j);
      this.accountPair(j * N + n);
    }
  }

  /**
   * Node n crashed holding `held`; `watchers` run and had it in view while it
   * was sending heartbeats. A watcher paused at the crash, or at any time
   * between the crash and its declaration, makes an unclean detection.
   */
  crashed(n: number, held: number[], watchers: number[]): void {
    const now = this.sim.now, N = this.nodes.N;
    for (const i of watchers) {
      this.watchCrash[i * N + n] = now;
      this.pausedSince[i * N + n] = this.nodes.hung[i];
    }
    for (let j = 0; j < N; j++) {
      this.watchCrash[n * N + j] = NaN;
      // suspicions held by the crashed node end (no flap: it did not change its mind); suspicions of it become correct
      this.trusts(n, j, false);
      const kk = j * N + n;
      if (!this.trust[kk] && this.mistake[kk]) this.closeMistake(kk);
    }
    const prev = this.open[n];
    if (prev) this.incidents.push(prev);
    this.open[n] = { node: n, crash: now, detected: NaN, failoverDone: NaN, serviceBack: NaN, failback: NaN, repaired: NaN, services: held };
  }

  repaired(n: number): void {
    const inc = this.open[n];
    if (inc) inc.repaired = this.sim.now;
  }

  /** Node n paused: a crash it was watching is no longer watched without a break. */
  paused(n: number): void {
    const N = this.nodes.N;
    for (let j = 0; j < N; j++) this.pausedSince[n * N + j] = 1;
  }

  /** i declares j failed (its own detector). */
  declared(i: number, j: number): void {
    const N = this.nodes.N, k = i * N + j;
    this.counts.declarations++;
    this.suspects(i, j);
    if (!this.nodes.running[j]) {
      // a crash not yet noticed: the target is crashed, or repaired and still booting
      const inc = this.open[j];
      if (inc && Number.isNaN(inc.detected)) inc.detected = this.sim.now;
      if (!Number.isNaN(this.watchCrash[k]))
        this.detections.push({ observer: i, target: j, crash: this.watchCrash[k], latency: this.sim.now - this.watchCrash[k], clean: !this.pausedSince[k] });
    }
    this.watchCrash[k] = NaN;
  }

  /** i stops trusting j (its own declaration or a FAULT report). */
  suspects(i: number, j: number): void {
    const k = i * this.nodes.N + j;
    if (!this.trust[k]) return;
    this.accountPair(k);
    this.trust[k] = 0;
    // a mistake: suspecting a node that runs (not crashed, booted); a paused node runs
    const mistake = this.targetUp(j);
    this.mistake[k] = mistake ? 1 : 0;
    if (mistake) {
      this.mistakes++;
      this.mistakeStart[k] = this.sim.now;
    }
  }

  /** i trusts j again (flap: i changed its mind about a node that ran all along). */
  trusts(i: number, j: number, flap = true): void {
    const k = i * this.nodes.N + j;
    if (this.trust[k]) return;
    this.accountPair(k);
    if (this.mistake[k]) {
      if (flap) this.counts.flaps++;
      this.closeMistake(k);
    }
    this.trust[k] = 1;
  }

  // ---- services ----

  /** Service s is up again: incidents whose services are all up have their fail-over done. */
  serviceUp(s: number, allUp: (services: number[]) => boolean): void {
    for (const inc of this.open) {
      if (!inc || !Number.isNaN(inc.failoverDone) || !inc.services.includes(s)) continue;
      if (allUp(inc.services)) inc.failoverDone = this.sim.now;
    }
  }

  usersBack(s: number, allBack: (services: number[]) => boolean): void {
    for (const inc of this.open) {
      if (!inc || Number.isNaN(inc.failoverDone) || !Number.isNaN(inc.serviceBack) || !inc.services.includes(s)) continue;
      if (allBack(inc.services)) inc.serviceBack = this.sim.now;
    }
  }

  /** Node n has all its home services back. */
  failedBack(n: number): void {
    const inc = this.open[n];
    if (inc && Number.isNaN(inc.failback)) inc.failback = this.sim.now;
  }

  /** Node n takes service s over; `falseTakeover`: its last holder still runs it. */
  tookOver(falseTakeover: boolean): void {
    this.counts.takeovers++;
    if (falseTakeover) this.counts.falseTakeovers++;
  }

  // ---- accounting ----

  /** Target j is "up" for the detector's accounting when it runs its heartbeat daemon and is not crashed. */
  private targetUp(j: number): boolean {
    return !this.nodes.crashed[j] && this.nodes.running[j] === 1;
  }

  private accountPair(k: number): void {
    const now = this.sim.now, N = this.nodes.N;
    const i = (k / N) | 0, j = k - i * N;
    const dt = now - this.lastT[k];
    if (dt > 0 && this.nodes.running[i] && !this.nodes.crashed[i] && this.targetUp(j)) {
      this.obsUp[k] += dt;
      if (this.trust[k]) this.trustUp[k] += dt;
    }
    this.lastT[k] = now;
  }

  private closeMistake(k: number): void {
    this.mistake[k] = 0;
    this.mistakesEnded++;
    this.mistakeDurationSum += this.sim.now - this.mistakeStart[k];
  }

  /** Close the books at the current time; `services` gives the service totals. */
  result(services: { up: number; dual: number; disconnected: number; count: number }): HaResult {
    const now = this.sim.now, N = this.nodes.N;
    for (let k = 0; k < N * N; k++) if ((k / N | 0) !== k % N) this.accountPair(k);
    let openMistakeTime = 0, openMistakes = 0, obs = 0, trustUp = 0;
    for (let k = 0; k < N * N; k++) {
      if (!this.trust[k] && this.mistake[k]) {
        openMistakes++;
        openMistakeTime += now - this.mistakeStart[k];
      }
      obs += this.obsUp[k];
      trustUp += this.trustUp[k];
    }
    const incidents = [...this.incidents, ...this.open.filter((x): x is Incident => !!x)].sort((a, b) => a.crash - b.crash || a.node - b.node);
    const S = services.count, c = this.counts;
    return {
      duration: now,
      availability: S > 0 ? services.up / (S * now) : 1,
      downtime: S > 0 ? (S * now - services.up) / S : 0,
      dualActiveTime: services.dual,
      disconnectedUserSeconds: services.disconnected,
      hbMessages: c.hbMessages,
      protocolMessages: c.protocolMessages,
      messagesLost: c.messagesLost,
      declarations: c.declarations,
      mistakes: this.mistakes,
      // a mistake still open at the end counts with its duration so far
      meanMistakeDuration: this.mistakes > 0 ? (this.mistakeDurationSum + openMistakeTime) / (this.mistakesEnded + openMistakes) : NaN,
      mistakeRecurrence: this.mistakes > 0 ? obs / this.mistakes : NaN,
      queryAccuracy: obs > 0 ? trustUp / obs : NaN,
      observedTime: obs,
      takeovers: c.takeovers,
      falseTakeovers: c.falseTakeovers,
      releases: c.releases,
      flaps: c.flaps,
      incidents,
      detections: this.detections,
      notes: this.notes,
    };
  }
}
