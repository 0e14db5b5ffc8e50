/**
 * The heartbeat HA cluster of the HA paper (SPEC section 3): N nodes, services
 * with a home node and connected users, a shared database that does not fail,
 * two channels (`net`, `serial`) between every pair of nodes, the heartbeat
 * detector of figure 5, the fail-over of figure 6 and the fail-back of
 * figure 7.
 *
 * Every message travels through a channel and can be lost or delayed, and every
 * copy of it is an event. Each node's heartbeat clock ticks every h from a
 * random phase, before any other event in the same instant (ties happen when
 * times are round numbers, as after a repair). A heartbeat (and a probe, the
 * retry heartbeat) goes on both channels to every peer; each copy's latency is
 * drawn at send, then whether the channel's loss process takes it (losses are
 * Bernoulli per message, drawn as geometric gaps); it is lost then or when its
 * channel is down at send or at arrival (a cut while it is in flight loses it).
 * On arrival it counts only if the receiver is running and not paused at that
 * moment and it is the first copy of its sequence number to count (the
 * duplicate on the other channel, or an older copy overtaken by a newer one,
 * carries no news): the detector's "last heard" (`hbLast`) is the time of the
 * last arrival that counted. Copies overtaking each other (a latency spike
 * longer than h on one channel) and any number of copies in flight are handled
 * by the event order. A copy that arrives at a node that has the sender out of
 * view is a rejoin. All heartbeat copies share one handler with an integer
 * payload (sequence number, pair, channel, probe flag), so the hot path
 * allocates nothing. With cfg.heartbeatEvents = 'deferred' (the default) the
 * ordinary copies wait in per-pair buffers at places reserved in the kernel's
 * event order instead of in the kernel's heap (see deferHeartbeat, settle and
 * flush), and the ticks whose copies are all deferred are run by the first
 * event after them (see runTick); the run is the same as with one kernel event
 * per tick and per copy ('kernel'), which a test checks byte for byte on random
 * fault scenarios. Protocol messages are events too (one object each); their
 * loss and channel state are decided at send.
 *
 * The paper does not say how a split brain ends. Here the controller (lowest
 * live id in a node's view) polls all nodes with SYSTEM_LOAD on every
 * membership change, after every fail-back and every `reconcileInterval`:
 * services held by nobody are failed over (FAIL_OVER), services running on two
 * nodes are released (RELEASE) by all but one (the home node if it holds it,
 * else the lowest id). Dual-active time is counted while it lasts.
 */
import type { Sim, EventHandle } from '../../kernel/sim.ts';
import type { Streams, Stream } from '../../kernel/random.ts';
import { type HaConfig, serialFrameTime, validate } from './config.ts';

export const CHANNELS = ['net', 'serial'] as const;
export type ChannelName = (typeof CHANNELS)[number];
export type ChannelSel = ChannelName | 'both';

/** Service state on one node. */
const NONE = 0, STARTING = 1, RUNNING = 2, STOPPING = 3;
const SVC_STATE_NAMES = ['none', 'starting', 'running', 'stopping'];

export type NodePhase = 'up' | 'crashed' | 'booting' | 'config' | 'check-ip' | 'fail-back' | 'external-ip' | 'starting';

export interface MessageRecord {
  time: number;
  from: string;
  to: string;
  channel: ChannelName | 'local';
  type: string;
  status: 'delivered' | 'lost' | 'dropped' | 'duplicate';
  arrival: number;
  info: string;
}

export interface TimelineRecord {
  time: number;
  /** node: a node's state from now on; service: who holds it from now on; event: a step of an algorithm. */
  kind: 'node' | 'service' | 'event';
  name: string;
  state: string;
}

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
}

interface Msg {
  id: number;
  from: number;
  to: number;
  type: string;
  body: any;
  handled: boolean;
}

interface Round {
  id: number;
  expected: number[];
  answers: Map<number, Array<[number, number]>>;
  loads: Map<number, number>;
  phases: Map<number, boolean>;
  timer: EventHandle;
}

const HB_PROBE = 1;
/** Deferred heartbeat copies held per pair before the oldest are applied (or a copy goes to the kernel). */
const DEFER_CAP = 8;

export class HaCluster {
  readonly N: number;
  readonly S: number;
  readonly names: string[];
  readonly home: Int32Array;
  readonly users: Float64Array;

  // ---- node state ----
  readonly crashed: Uint8Array;
  /** Heartbeat daemon and network up (after boot). */
  readonly running: Uint8Array;
  readonly hung: Uint8Array;
  readonly phase: NodePhase[];
  private readonly hangEnd: Float64Array;
  private readonly epoch: Int32Array;
  private readonly tickHandle: Float64Array;
  /**
   * Time of node i's next heartbeat tick while it is run lazily (no kernel
   * event; see runTick), else Infinity. lazyMin is at most their minimum.
   */
  private readonly lazyTick: Float64Array;
  private lazyMin = Infinity;
  private readonly deferred: Array<Array<() => void>>;
  private readonly crashTime: Float64Array;
  private readonly seq: Float64Array;

  // ---- membership and detector, index i*N+j: node i's view of node j ----
  readonly view: Uint8Array;
  private readonly hbLast: Float64Array;
  /** Sequence number of the last probe from j that i answered (index i*N+j). */
  private readonly probeAnswered: Float64Array;
  /** Highest sequence number of j's heartbeats that counted at i (index i*N+j; a node's sequence never restarts). */
  private readonly hbSeq: Float64Array;
  private readonly detTimer: Float64Array;
  private readonly detAtt: Int32Array;
  private readonly detProbe: Float64Array;
  /** Crash time of j when i was watching it (running, not paused, j in view) at the crash; NaN otherwise. */
  private readonly watchCrash: Float64Array;

  // ---- channels, index ((min*N+max)*2 + c) ----
  readonly linkUp: Uint8Array;
  readonly linkLoss: Float64Array;
  /**
   * Per channel: messages it delivers before it loses the next one. Each
   * channel's losses are Bernoulli(linkLoss) per message, drawn as geometric
   * gaps (one draw per loss, not one per message); a new loss probability
   * draws a new gap, which is exact because the process is memoryless.
   */
  private readonly lossLeft: Float64Array;
  readonly linkExtra: Float64Array;

  // ---- services, index node*S+s ----
  readonly svc: Uint8Array;
  private readonly svcToken: Int32Array;
  private readonly lastHolder: Int32Array;
  private readonly svcUp: Uint8Array;
  /** Live owners of each service as of its last update (what the accounting integrates). */
  private readonly svcOwners: Int32Array;
  private readonly connected: Float64Array;
  private readonly reconnectToken: Int32Array;
  private readonly svcLastT: Float64Array;

  // ---- controller ----
  private readonly round: (Round | undefined)[];
  private readonly roundAgain: Uint8Array;
  /** Scratch for finishRound: holders per service. */
  private readonly holderCount: Int32Array;
  private readonly periodic: EventHandle[];
  private roundCounter = 0;
  private msgCounter = 0;

  // ---- fail-back ----
  private readonly fb: Array<{ answers: Map<number, number[]>; attempt: number; waiting: Set<number>; timer: EventHandle; services: number[] } | undefined>;

  // ---- metrics ----
  readonly upTime: Float64Array;
  readonly dualTime: Float64Array;
  readonly disconnectedUserSeconds: Float64Array;
  hbMessages = 0;
  protocolMessages = 0;
  messagesLost = 0;
  falseTakeovers = 0;
  takeovers = 0;
  releases = 0;
  readonly incidents: Incident[] = [];
  readonly detections: Detection[] = [];
  private readonly openIncident: (Incident | undefined)[];
  // failure-detector quality per ordered pair
  private readonly trust: Uint8Array;
  private readonly suspicionMistake: Uint8Array;
  private readonly mistakeStart: Float64Array;
  private readonly pairLastT: Float64Array;
  readonly pairObsUp: Float64Array;
  readonly pairTrustUp: Float64Array;
  mistakes = 0;
  mistakesEnded = 0;
  mistakeDurationSum = 0;
  declarations = 0;

  readonly messages: MessageRecord[] = [];
  readonly timeline: TimelineRecord[] = [];

  // ---- randomness ----
  private readonly rNet: Stream;
  private readonly rSerial: Stream;
  private readonly rLoss: Stream;
  private readonly rFaults: Stream;
  private readonly rRepair: Stream;
  private readonly rPause: Stream;
  private readonly serialFrame: number;
  // hot-path constants
  private readonly netLo: number;
  private readonly netSpan: number;
  private readonly serialJit: number;
  /** Heartbeat payload = seq * hbCodes + code (see sendHeartbeat). */
  private readonly hbCodes: number;
  /** recordMessages only: heartbeat copy in flight -> its index in `messages` (to mark it lost if its channel goes down). */
  private readonly hbRecord = new Map<number, number>();
  private readonly interval: number;
  private readonly record: boolean;

  // ---- deferred heartbeat copies (cfg.heartbeatEvents = 'deferred') ----
  private readonly deferOn: boolean;
  /** Per pair k = receiver * N + sender, DEFER_CAP entries each, sorted by (arrival, reserved sequence number). */
  private readonly dT: Float64Array;
  private readonly dQ: Float64Array;
  private readonly dKey: Float64Array;
  /** The heartbeat's sequence number (also in dKey; kept apart so settling needs no division). */
  private readonly dS: Float64Array;
  /** The heartbeat's other copy, if delivered (dQ2 = -1: none): it arrives after the entry's. */
  private readonly dT2: Float64Array;
  private readonly dQ2: Float64Array;
  private readonly dKey2: Float64Array;
  private readonly dN: Int32Array;
  private dTotal = 0;

  // bound handlers (allocated once)
  private readonly onTick: (i: number) => void;
  private readonly onCheck: (k: number) => void;
  private readonly onHeartbeat: (key: number) => void;
  private readonly onDeliver: (p: { m: Msg; ch: number }) => void;

  constructor(readonly sim: Sim, streams: Streams, readonly cfg: HaConfig) {
    validate(cfg);
    const N = (this.N = cfg.nodes);
    const S = (this.S = cfg.services);
    this.names = Array.from({ length: N }, (_, i) => (N <= 26 ? String.fromCharCode(65 + i) : `n${i}`));
    this.home = new Int32Array(S);
    this.users = new Float64Array(S);
    for (let s = 0; s < S; s++) {
      this.home[s] = s % cfg.activeNodes;
      this.users[s] = cfg.usersPerService;
    }
    this.crashed = new Uint8Array(N);
    this.running = new Uint8Array(N);
    this.hung = new Uint8Array(N);
    this.phase = new Array(N).fill('up');
    this.hangEnd = new Float64Array(N);
    this.epoch = new Int32Array(N);
    this.tickHandle = new Float64Array(N).fill(-1);
    this.lazyTick = new Float64Array(N).fill(Infinity);
    this.deferred = Array.from({ length: N }, () => []);
    this.crashTime = new Float64Array(N).fill(NaN);
    this.seq = new Float64Array(N);
    this.view = new Uint8Array(N * N);
    this.hbLast = new Float64Array(N * N);
    this.probeAnswered = new Float64Array(N * N);
    this.hbSeq = new Float64Array(N * N);
    this.detTimer = new Float64Array(N * N).fill(-1);
    this.detAtt = new Int32Array(N * N);
    this.detProbe = new Float64Array(N * N);
    this.watchCrash = new Float64Array(N * N).fill(NaN);
    this.linkUp = new Uint8Array(N * N * 2).fill(1);
    this.linkLoss = new Float64Array(N * N * 2);
    this.lossLeft = new Float64Array(N * N * 2).fill(Infinity);
    this.linkExtra = new Float64Array(N * N * 2);
    for (let a = 0; a < N; a++)
      for (let b = a + 1; b < N; b++) {
        this.linkLoss[(a * N + b) * 2] = cfg.netLoss;
        this.linkLoss[(a * N + b) * 2 + 1] = cfg.serialLoss;
      }
    this.svc = new Uint8Array(N * S);
    this.svcToken = new Int32Array(N * S);
    this.lastHolder = new Int32Array(S);
    this.svcUp = new Uint8Array(S);
    this.svcOwners = new Int32Array(S);
    this.connected = new Float64Array(S);
    this.reconnectToken = new Int32Array(S);
    this.svcLastT = new Float64Array(S);
    this.round = new Array(N).fill(undefined);
    this.roundAgain = new Uint8Array(N);
    this.holderCount = new Int32Array(S);
    this.periodic = new Array(N).fill(-1);
    this.fb = new Array(N).fill(undefined);
    this.upTime = new Float64Array(S);
    this.dualTime = new Float64Array(S);
    this.disconnectedUserSeconds = new Float64Array(S);
    this.openIncident = new Array(N).fill(undefined);
    this.trust = new Uint8Array(N * N).fill(1);
    this.suspicionMistake = new Uint8Array(N * N);
    this.mistakeStart = new Float64Array(N * N);
    this.pairLastT = new Float64Array(N * N);
    this.pairObsUp = new Float64Array(N * N);
    this.pairTrustUp = new Float64Array(N * N);

    this.rNet = streams.get('net-latency');
    this.rSerial = streams.get('serial-latency');
    this.rLoss = streams.get('loss');
    for (let a = 0; a < N; a++) for (let b = a + 1; b < N; b++) for (let c = 0; c < 2; c++) this.newLossGap((a * N + b) * 2 + c);
    this.rFaults = streams.get('faults');
    this.rRepair = streams.get('repair');
    this.rPause = streams.get('pauses');
    this.serialFrame = serialFrameTime(cfg);
    this.netLo = cfg.netLatency - cfg.netJitter;
    this.netSpan = 2 * cfg.netJitter;
    this.serialJit = cfg.serialJitter;
    this.hbCodes = N * N * 4;
    this.interval = cfg.interval;
    this.record = cfg.recordMessages;
    this.deferOn = cfg.heartbeatEvents === 'deferred';
    this.dT = new Float64Array(this.deferOn ? N * N * DEFER_CAP : 0);
    this.dQ = new Float64Array(this.dT.length);
    this.dKey = new Float64Array(this.dT.length);
    this.dS = new Float64Array(this.dT.length);
    this.dT2 = new Float64Array(this.dT.length);
    this.dQ2 = new Float64Array(this.dT.length);
    this.dKey2 = new Float64Array(this.dT.length);
    this.dN = new Int32Array(N * N);

    this.onTick = (i) => this.tick(i);
    this.onCheck = (k) => this.check(k);
    this.onHeartbeat = (key) => this.arriveHeartbeat(key);
    this.onDeliver = (p) => this.deliver(p);

    // initial state: every node up, every service running on its home, users connected
    const phases = streams.get('phase');
    for (let i = 0; i < N; i++) {
      this.running[i] = 1;
      for (let j = 0; j < N; j++) this.view[i * N + j] = 1;
    }
    for (let s = 0; s < S; s++) {
      this.svc[this.home[s] * S + s] = RUNNING;
      this.lastHolder[s] = this.home[s];
      this.svcUp[s] = 1;
      this.svcOwners[s] = 1;
      this.connected[s] = this.users[s];
    }
    for (let i = 0; i < N; i++) {
      for (let j = 0; j < N; j++) if (j !== i) this.startMonitoring(i, j);
      // each node's heartbeat clock starts at a random phase in [0, h)
      this.scheduleTick(i, phases.uniform(0, cfg.interval));
      this.mark('node', i);
    }
    for (let s = 0; s < S; s++) this.markService(s);
    if (cfg.reconcileInterval > 0) this.schedulePeriodic(this.lowestInView(0));
    if (cfg.mtbf > 0) for (let i = 0; i < N; i++) this.scheduleRandomCrash(i);
    if (cfg.pauseMtb > 0) for (let i = 0; i < N; i++) this.scheduleRandomPause(i);
  }

  // =====================================================================
  // fault verbs (scripted)
  // =====================================================================

  /** Run `verb` at absolute time t (a scenario line). */
  script(t: number, verb: (c: HaCluster) => void): void {
    this.sim.at(t, () => {
      this.flush();
      verb(this);
    });
  }

  /** Fail-stop crash: the node loses its services and all volatile state. */
  crash(n: number): void {
    this.flush();
    if (this.crashed[n]) return;
    const now = this.sim.now;
    this.accountPairsOf(n);
    // a node that was sending heartbeats (not booting, not paused) can be watched for this crash
    const wasSending = this.running[n] === 1 && !this.hung[n];
    this.crashed[n] = 1;
    this.running[n] = 0;
    this.hung[n] = 0;
    this.phase[n] = 'crashed';
    this.epoch[n]++;
    this.crashTime[n] = now;
    this.deferred[n].length = 0;
    if (this.tickHandle[n] >= 0) this.sim.cancel(this.tickHandle[n]);
    this.tickHandle[n] = -1;
    const N = this.N;
    if (wasSending) for (let i = 0; i < N; i++) if (i !== n && this.running[i] && !this.hung[i] && this.view[i * N + n]) this.watchCrash[i * N + n] = now;
    for (let j = 0; j < N; j++) {
      const k = n * N + j;
      this.watchCrash[k] = NaN;
      this.stopMonitoring(k);
      this.view[k] = 0;
      // suspicions held by the crashed node end; suspicions of it become correct
      this.endSuspicion(n, j);
      const kk = j * N + n;
      if (!this.trust[kk] && this.suspicionMistake[kk]) this.closeMistake(kk);
    }
    const r = this.round[n];
    if (r) this.sim.cancel(r.timer);
    this.round[n] = undefined;
    if (this.periodic[n] >= 0) this.sim.cancel(this.periodic[n]);
    this.periodic[n] = -1;
    const fb = this.fb[n];
    if (fb) this.sim.cancel(fb.timer);
    this.fb[n] = undefined;
    const held: number[] = [];
    for (let s = 0; s < this.S; s++) {
      if (this.svc[n * this.S + s] === RUNNING) held.push(s);
      this.setSvc(n, s, NONE);
    }
    const prev = this.openIncident[n];
    if (prev) this.incidents.push(prev);
    this.openIncident[n] = {
      node: n, crash: now, detected: NaN, failoverDone: NaN, serviceBack: NaN, failback: NaN, repaired: NaN, services: held,
    };
    this.mark('node', n);
  }

  /** Repair a crashed node: it boots (bootTime), reads its configuration and fails back (figure 7). */
  repair(n: number): void {
    this.flush();
    if (!this.crashed[n]) return;
    this.accountPairsOf(n);
    this.crashed[n] = 0;
    this.phase[n] = 'booting';
    const inc = this.openIncident[n];
    if (inc) inc.repaired = this.sim.now;
    this.mark('node', n);
    this.nodeAfter(n, this.cfg.bootTime, () => this.bootDone(n));
  }

  /** The node stops answering for d seconds (a pause), then resumes where it was. */
  hang(n: number, d: number): void {
    this.flush();
    if (this.crashed[n] || d <= 0) return;
    const end = this.sim.now + d;
    if (this.hung[n]) {
      if (end > this.hangEnd[n]) this.hangEnd[n] = end;
      else return;
    } else {
      this.hung[n] = 1;
      this.hangEnd[n] = end;
      this.accountPairsOf(n);
      for (let s = 0; s < this.S; s++) if (this.svc[n * this.S + s] === RUNNING) this.updateService(s);
      this.mark('node', n);
    }
    const ep = this.epoch[n];
    this.sim.at(end, () => {
      this.flush();
      if (this.epoch[n] === ep && this.hung[n] && this.sim.now >= this.hangEnd[n]) this.resume(n);
    });
  }

  /** Take a channel (or both) between a and b down. */
  cut(a: number, b: number, ch: ChannelSel = 'both'): void {
    this.flush();
    for (const c of this.chans(ch)) this.linkUp[this.link(a, b, c)] = 0;
  }

  heal(a: number, b: number, ch: ChannelSel = 'both'): void {
    this.flush();
    for (const c of this.chans(ch)) this.linkUp[this.link(a, b, c)] = 1;
  }

  /** Cut every channel between the two groups. */
  partition(groupA: number[], groupB?: number[]): void {
    const other = groupB ?? this.names.map((_, i) => i).filter((i) => !groupA.includes(i));
    for (const a of groupA) for (const b of other) if (a !== b) this.cut(a, b, 'both');
  }

  healAll(): void {
    this.flush();
    this.linkUp.fill(1);
    this.linkExtra.fill(0);
  }

  /** Loss probability of a channel; without a and b, of that channel between every pair. */
  setLoss(p: number, ch: ChannelSel = 'both', a?: number, b?: number): void {
    if (!(p >= 0 && p < 1)) throw new Error(`loss must be in [0, 1) (got ${p})`);
    this.flush();
    for (const c of this.chans(ch)) {
      if (a !== undefined && b !== undefined) {
        this.linkLoss[this.link(a, b, c)] = p;
        this.newLossGap(this.link(a, b, c));
      } else
        for (let x = 0; x < this.N; x++)
          for (let y = x + 1; y < this.N; y++) {
            this.linkLoss[this.link(x, y, c)] = p;
            this.newLossGap(this.link(x, y, c));
          }
    }
  }

  /** Add `extra` seconds of latency on a channel for `d` seconds. */
  spike(a: number, b: number, ch: ChannelSel, extra: number, d: number): void {
    this.flush();
    const links = this.chans(ch).map((c) => this.link(a, b, c));
    for (const l of links) this.linkExtra[l] += extra;
    this.sim.schedule(d, () => {
      this.flush();
      for (const l of links) this.linkExtra[l] = Math.max(0, this.linkExtra[l] - extra);
    });
  }

  // =====================================================================
  // random faults
  // =====================================================================

  private scheduleRandomCrash(n: number): void {
    const ttf = this.rFaults.exponential(this.cfg.mtbf);
    const ep = this.epoch[n];
    this.sim.schedule(ttf, () => {
      this.flush();
      if (this.crashed[n] || this.epoch[n] !== ep) return;
      this.crash(n);
      this.sim.schedule(this.drawRepair(), () => {
        this.flush();
        this.repair(n);
        this.scheduleRandomCrash(n);
      });
    });
  }

  private drawRepair(): number {
    const c = this.cfg;
    switch (c.repairDist) {
      case 'fixed':
        return c.mttr;
      case 'lognormal': {
        // mean of the lognormal = mttr
        const mu = Math.log(c.mttr) - (c.repairSigma * c.repairSigma) / 2;
        return this.rRepair.lognormal(mu, c.repairSigma);
      }
      default:
        return this.rRepair.exponential(c.mttr);
    }
  }

  private scheduleRandomPause(n: number): void {
    this.sim.schedule(this.rPause.exponential(this.cfg.pauseMtb), () => {
      this.flush();
      const d = this.rPause.exponential(this.cfg.pauseMean);
      if (!this.crashed[n] && this.running[n]) this.hang(n, d);
      this.scheduleRandomPause(n);
    });
  }

  // =====================================================================
  // heartbeats and the detector (figure 5)
  // =====================================================================

  /**
   * A tick as a kernel event: a head event (before every ordinary event at
   * its time, nodes in id order), or an ordinary one for the first tick
   * after a boot. Lazy ticks that come before it run first.
   */
  private tick(i: number): void {
    this.tickHandle[i] = -1;
    const now = this.sim.now;
    if (this.lazyMin <= now) this.catchUp(now, this.sim.currentSeq < 0 ? i : Infinity);
    this.runTick(i, now, false);
  }

  /**
   * Node i's heartbeat clock ticks at time t: the next tick is due at t + h,
   * and the heartbeat goes to every peer. The next tick is run lazily (no
   * kernel event: the first event after it runs it, see catchUp) while
   * everything its copies depend on is as it must be for them to be
   * deferred: i running and not paused, every peer running, not paused and
   * with i in view. Anything that can change that flushes first, which
   * makes the lazy tick a kernel event again. Because a tick comes before every ordinary event at its time, the
   * first event after it sees the same random draws, reserved places and
   * state either way.
   */
  private runTick(i: number, t: number, lazy: boolean): void {
    const next = t + this.interval;
    if (lazy || this.lazyOk(i)) {
      this.lazyTick[i] = next;
      if (next < this.lazyMin) this.lazyMin = next;
    } else this.tickHandle[i] = this.sim.atHead(next, i, this.onTick, i);
    if (this.hung[i]) return;
    const s = ++this.seq[i];
    const N = this.N;
    for (let j = 0; j < N; j++) if (j !== i) this.sendHeartbeat(i, j, s, 0, t);
  }

  private scheduleTick(i: number, t: number): void {
    if (this.lazyOk(i)) {
      this.lazyTick[i] = t;
      if (t < this.lazyMin) this.lazyMin = t;
    } else this.tickHandle[i] = this.sim.atHead(t, i, this.onTick, i);
  }

  private lazyOk(i: number): boolean {
    if (!this.deferOn || !this.running[i] || this.hung[i]) return false;
    const N = this.N;
    for (let j = 0; j < N; j++) if (j !== i && (!this.running[j] || this.hung[j] || !this.view[j * N + i])) return false;
    return true;
  }

  /** Lazy ticks due by now, for a reader between events or from an ordinary event (not a tick). */
  private catchUpOutside(): void {
    if (this.lazyMin <= this.sim.now) this.catchUp(this.sim.now, Infinity);
  }

  /** Run the lazy ticks that come before (time bt, head rank brank), in (time, node) order. */
  private catchUp(bt: number, brank: number): void {
    const lt = this.lazyTick, N = this.N;
    for (;;) {
      let i = -1, t = Infinity;
      for (let n = 0; n < N; n++) if (lt[n] < t) { t = lt[n]; i = n; }
      if (i < 0 || t > bt || (t === bt && i >= brank)) break;
      lt[i] = Infinity;
      // nothing has flushed since it was made lazy, so its successor may be lazy too
      this.runTick(i, t, true);
    }
    let m = Infinity;
    for (let n = 0; n < N; n++) if (lt[n] < m) m = lt[n];
    this.lazyMin = m;
  }

  /**
   * Send one heartbeat (or probe) from i to j on every channel. Each copy is
   * an event with payload `seq * hbCodes + code`, code = ((i*N + j)*2 +
   * channel)*2 + probe (no object per message): a kernel event, or deferred
   * at a reserved place (deferHeartbeat). Latency is drawn for every copy,
   * then loss (not decided when the channel is down).
   */
  private sendHeartbeat(i: number, j: number, s: number, probe: number, now: number): void {
    const N = this.N;
    const l = (i < j ? i * N + j : j * N + i) * 2;
    const key0 = s * this.hbCodes + (i * N + j) * 4 + probe;
    this.hbMessages += 2;
    // the two copies, net then serial: latency drawn, then loss (not drawn when the channel is down)
    const latNet = this.netLo + this.netSpan * this.rNet.random() + this.linkExtra[l];
    const lostNet = this.linkUp[l] === 0 || this.lose(l);
    const latSerial = this.serialFrame + this.serialJit * this.rSerial.random() + this.linkExtra[l + 1];
    const lostSerial = this.linkUp[l + 1] === 0 || this.lose(l + 1);
    const k = j * N + i;
    if (this.deferOn && probe === 0 && this.running[j] === 1 && this.hung[j] === 0 && this.view[k] === 1) {
      // its arrival can only move j's "last heard" of i (see cfg.heartbeatEvents)
      // reserve the places the kernel events would take, net first as below
      if (!lostNet) {
        const qNet = this.sim.reserve();
        if (!lostSerial) this.deferHeartbeat(k, s, now + latNet, qNet, key0, now + latSerial, this.sim.reserve(), key0 + 2);
        else this.deferHeartbeat(k, s, now + latNet, qNet, key0, NaN, -1, NaN);
      } else if (!lostSerial) this.deferHeartbeat(k, s, now + latSerial, this.sim.reserve(), key0 + 2, NaN, -1, NaN);
    } else {
      if (!lostNet) this.sim.at(now + latNet, this.onHeartbeat, key0);
      if (!lostSerial) this.sim.at(now + latSerial, this.onHeartbeat, key0 + 2);
    }
    if (lostNet) this.messagesLost++;
    if (lostSerial) this.messagesLost++;
    if (this.record) this.recordHeartbeat(now, i, j, s, probe, key0, latNet, lostNet, latSerial, lostSerial);
  }

  private recordHeartbeat(now: number, i: number, j: number, s: number, probe: number, key0: number, latNet: number, lostNet: boolean, latSerial: number, lostSerial: boolean): void {
    const type = probe ? 'HEART_BEAT(probe)' : 'HEART_BEAT';
    if (!lostNet) this.hbRecord.set(key0, this.messages.length);
    this.logMsg(now, i, j, 'net', type, lostNet ? 'lost' : 'delivered', now + latNet, `seq ${s}`);
    if (!lostSerial) this.hbRecord.set(key0 + 2, this.messages.length);
    this.logMsg(now, i, j, 'serial', type, lostSerial ? 'lost' : 'delivered', now + latSerial, `seq ${s}`);
  }

  /** A heartbeat or probe copy arrives (the one handler of every copy). */
  private arriveHeartbeat(key: number): void {
    const M = this.hbCodes;
    const code = key % M;
    const N = this.N;
    const probe = code & 1;
    const c = (code >> 1) & 1;
    const pair = code >> 2; // i*N + j
    const i = (pair / N) | 0;
    const j = pair - i * N;
    const k = j * N + i;
    // deferred copies of this pair that come earlier in the event order arrive first
    const now = this.sim.now;
    if (this.lazyMin <= now) this.catchUp(now, Infinity);
    if (this.dTotal > 0) this.settle(k, now, this.sim.currentSeq);
    if (this.cfg.recordMessages) {
      const r = this.hbRecord.get(key);
      this.hbRecord.delete(key);
      if (r !== undefined && this.linkUp[(i < j ? i * N + j : j * N + i) * 2 + c] === 0) this.messages[r].status = 'lost';
    }
    // the channel went down while the copy was in flight
    if (this.linkUp[(i < j ? i * N + j : j * N + i) * 2 + c] === 0) {
      this.messagesLost++;
      return;
    }
    // counted only by a receiver that is running and not paused now
    if (!this.running[j] || this.hung[j]) return;
    // a heartbeat counts once, at its first copy to arrive; a copy older than one already
    // counted (overtaken on the other channel) carries no news
    const s = (key - code) / M;
    if (s <= this.hbSeq[k]) return;
    this.hbSeq[k] = s;
    if (this.view[k]) this.hbLast[k] = this.sim.now;
    else {
      this.flush(); // j's view changes
      this.heardOutsider(j, i);
    }
    if (probe && this.cfg.probeReply) {
      // answer each probe once
      if (s > this.probeAnswered[k]) {
        this.probeAnswered[k] = s;
        this.sendHeartbeat(j, i, ++this.seq[j], 0, this.sim.now);
      }
    }
  }

  /** Does channel l lose the message it is sending now? (It is up.) */
  private lose(l: number): boolean {
    const left = this.lossLeft[l];
    if (left > 0) {
      this.lossLeft[l] = left - 1;
      return false;
    }
    this.newLossGap(l);
    return true;
  }

  private newLossGap(l: number): void {
    this.lossLeft[l] = this.rLoss.geometric(this.linkLoss[l]);
  }

  /**
   * The delivered copies of heartbeat s from i to j (k = j * N + i), with the
   * places in the event order reserved for them (q2 = -1: only one copy).
   * The copy that arrives first counts (if s is news); the other is then a
   * duplicate. Copies that arrived before the running event (sent by a lazy
   * tick) count at once; the others wait in k's buffer as one entry, the
   * later copy riding with the first.
   *
   * The order in which arrived heartbeats are applied does not matter: each
   * counts when its number is higher than any counted so far, so once a set
   * of them has been applied (each first copy before its duplicate) the
   * detector holds the highest number and the arrival of its first copy,
   * whatever the order. What matters is the set, and settle applies exactly
   * the copies that come before the running event.
   */
  private deferHeartbeat(k: number, s: number, t1: number, q1: number, key1: number, t2: number, q2: number, key2: number): void {
    if (q2 >= 0 && t2 < t1) {
      // the later-sent copy arrives first (equal times: the earlier number first)
      const t = t1, q = q1, key = key1;
      t1 = t2; q1 = q2; key1 = key2;
      t2 = t; q2 = q; key2 = key;
    }
    const now = this.sim.now, cur = this.sim.currentSeq;
    if (t1 < now || (t1 === now && q1 < cur)) {
      // arrived already: count it, and drop or keep its duplicate
      if (this.record) this.hbRecord.delete(key1);
      if (s > this.hbSeq[k]) {
        this.hbSeq[k] = s;
        this.hbLast[k] = t1;
      }
      if (q2 < 0) return;
      if (t2 < now || (t2 === now && q2 < cur)) {
        if (this.record) this.hbRecord.delete(key2);
        return;
      }
      t1 = t2; q1 = q2; key1 = key2;
      q2 = -1; t2 = NaN; key2 = NaN;
    }
    if (this.dN[k] === DEFER_CAP) {
      this.settle(k, now, cur);
      if (this.dN[k] === DEFER_CAP) {
        // (many heartbeats in flight on this pair: a latency spike much longer than h)
        this.sim.atReserved(t1, q1, this.onHeartbeat, key1);
        if (q2 >= 0) this.sim.atReserved(t2, q2, this.onHeartbeat, key2);
        return;
      }
    }
    const x = k * DEFER_CAP + this.dN[k]++;
    this.dT[x] = t1;
    this.dQ[x] = q1;
    this.dKey[x] = key1;
    this.dS[x] = s;
    this.dT2[x] = t2;
    this.dQ2[x] = q2;
    this.dKey2[x] = key2;
    this.dTotal++;
  }

  /**
   * Apply pair k's deferred heartbeats whose first copy comes before (now,
   * cur), the running event (every one due by now between events; see
   * deferHeartbeat for why their order does not matter). Each counts unless
   * a higher-numbered heartbeat already did: the channel and the receiver
   * have not changed since it was sent (an event that could change them
   * flushes first). A second copy still in flight stays as an entry of its
   * own, so that a flush can still make it an event.
   */
  private settle(k: number, now: number, cur: number): void {
    const n = this.dN[k];
    if (n === 0) return;
    const dT = this.dT, dQ = this.dQ, dKey = this.dKey, dS = this.dS, dT2 = this.dT2, dQ2 = this.dQ2, dKey2 = this.dKey2;
    const record = this.record;
    const base = k * DEFER_CAP, end = base + n;
    let w = base;
    for (let x = base; x < end; x++) {
      const t = dT[x];
      if (t < now || (t === now && dQ[x] < cur)) {
        if (record) this.hbRecord.delete(dKey[x]);
        const s = dS[x];
        if (s > this.hbSeq[k]) {
          this.hbSeq[k] = s;
          this.hbLast[k] = t;
        }
        const q2 = dQ2[x];
        if (q2 < 0) continue;
        const t2 = dT2[x];
        if (t2 < now || (t2 === now && q2 < cur)) {
          if (record) this.hbRecord.delete(dKey2[x]);
          continue;
        }
        // rare: settled between the arrivals of the two copies
        dT[w] = t2;
        dQ[w] = q2;
        dKey[w] = dKey2[x];
        dS[w] = s;
        dQ2[w] = -1;
        w++;
      } else {
        if (w !== x) {
          dT[w] = t;
          dQ[w] = dQ[x];
          dKey[w] = dKey[x];
          dS[w] = dS[x];
          dT2[w] = dT2[x];
          dQ2[w] = dQ2[x];
          dKey2[w] = dKey2[x];
        }
        w++;
      }
    }
    this.dN[k] = w - base;
    this.dTotal -= end - w;
  }

  /**
   * Before anything that may change what a heartbeat's arrival depends on:
   * run the lazy ticks due, apply the deferred heartbeats that have arrived,
   * make the copies still in flight kernel events at their reserved places
   * and the next lazy ticks kernel events (their successors are lazy again
   * if they still may be).
   */
  private flush(): void {
    const now = this.sim.now;
    if (this.lazyMin < Infinity) {
      if (this.lazyMin <= now) this.catchUp(now, Infinity);
      const lt = this.lazyTick;
      for (let i = 0; i < this.N; i++)
        if (lt[i] < Infinity) {
          this.tickHandle[i] = this.sim.atHead(lt[i], i, this.onTick, i);
          lt[i] = Infinity;
        }
      this.lazyMin = Infinity;
    }
    if (this.dTotal === 0) return;
    const NN = this.N * this.N, cur = this.sim.currentSeq;
    for (let k = 0; k < NN; k++) {
      if (this.dN[k] === 0) continue;
      this.settle(k, now, cur);
      const base = k * DEFER_CAP;
      for (let x = base; x < base + this.dN[k]; x++) {
        this.sim.atReserved(this.dT[x], this.dQ[x], this.onHeartbeat, this.dKey[x]);
        if (this.dQ2[x] >= 0) this.sim.atReserved(this.dT2[x], this.dQ2[x], this.onHeartbeat, this.dKey2[x]);
      }
      this.dTotal -= this.dN[k];
      this.dN[k] = 0;
    }
  }

  private startMonitoring(i: number, j: number): void {
    const k = i * this.N + j;
    const now = this.sim.now;
    this.hbLast[k] = now;
    this.detAtt[k] = 0;
    if (this.detTimer[k] >= 0) this.sim.cancel(this.detTimer[k]);
    this.detTimer[k] = this.sim.schedule(this.cfg.timeout, this.onCheck, k);
  }

  private stopMonitoring(k: number): void {
    if (this.detTimer[k] >= 0) this.sim.cancel(this.detTimer[k]);
    this.detTimer[k] = -1;
  }

  private check(k: number): void {
    this.detTimer[k] = -1;
    const now = this.sim.now;
    if (this.lazyMin <= now) this.catchUp(now, Infinity);
    if (this.dTotal > 0) this.settle(k, now, this.sim.currentSeq);
    const N = this.N;
    const i = (k / N) | 0;
    const j = k - i * N;
    if (!this.running[i] || !this.view[k]) return;
    if (this.hung[i]) return; // restarted at resume
    const T = this.cfg.timeout;
    const heard = this.hbLast[k];
    if (this.detAtt[k] === 0) {
      if (heard + T > now) {
        this.detTimer[k] = this.sim.at(heard + T, this.onCheck, k);
        return;
      }
    } else if (heard > this.detProbe[k]) {
      this.detAtt[k] = 0;
      this.detTimer[k] = this.sim.at(heard + T, this.onCheck, k);
      return;
    }
    if (this.detAtt[k] < this.cfg.retries) {
      // "send HEART_BEAT_PACKET to neighbor, wait for a fixed time"
      this.detAtt[k]++;
      this.detProbe[k] = now;
      this.sendHeartbeat(i, j, ++this.seq[i], HB_PROBE, now);
      this.detTimer[k] = this.sim.schedule(T, this.onCheck, k);
      return;
    }
    // a copy still in flight arrives after the declaration and is a rejoin
    this.flush();
    this.declare(i, j);
  }

  private resume(n: number): void {
    this.hung[n] = 0;
    this.accountPairsOf(n);
    const N = this.N;
    for (let j = 0; j < N; j++) this.watchCrash[n * N + j] = NaN;
    // the receive buffers held the peers' heartbeats: restart every detector as if just heard
    for (let j = 0; j < N; j++) if (j !== n && this.view[n * N + j]) this.startMonitoring(n, j);
    for (let s = 0; s < this.S; s++) if (this.svc[n * this.S + s] === RUNNING) this.updateService(s);
    this.mark('node', n);
    const q = this.deferred[n].splice(0);
    for (const f of q) f();
  }

  /** Node i declares node j failed: broadcast the fault, rebuild the view (figure 6, first lines). */
  private declare(i: number, j: number): void {
    const k = i * this.N + j;
    this.declarations++;
    this.stopMonitoring(k);
    this.view[k] = 0;
    this.beginSuspicion(i, j);
    // a crash not yet noticed: the target is crashed, or repaired and still booting
    if (!this.running[j]) {
      const inc = this.openIncident[j];
      if (inc && Number.isNaN(inc.detected)) inc.detected = this.sim.now;
      // detection latency only where i watched j continuously since the crash
      if (!Number.isNaN(this.watchCrash[k]))
        this.detections.push({ observer: i, target: j, crash: this.watchCrash[k], latency: this.sim.now - this.watchCrash[k] });
    }
    this.watchCrash[k] = NaN;
    this.log(i, 'declares', j);
    if (this.cfg.recordMessages) this.logMsg(this.sim.now, i, i, 'local', 'FAULT', 'delivered', this.sim.now, describe('FAULT', { failed: j }));
    for (let x = 0; x < this.N; x++) if (x !== i && this.view[i * this.N + x]) this.send(i, x, 'FAULT', { failed: j });
    this.membershipChanged(i);
  }

  /** Node i hears node j, which it has out of its view: j is back. */
  private heardOutsider(i: number, j: number): void {
    if (!this.running[i] || this.hung[i] || this.view[i * this.N + j]) return;
    this.view[i * this.N + j] = 1;
    this.endSuspicion(i, j);
    this.startMonitoring(i, j);
    const c = this.lowestInView(i);
    if (c === i) this.membershipChanged(i);
    else this.send(i, c, 'REJOIN', { node: j });
  }

  // =====================================================================
  // protocol messages
  // =====================================================================

  private send(from: number, to: number, type: string, body: any): void {
    const now = this.sim.now;
    const m: Msg = { id: ++this.msgCounter, from, to, type, body, handled: false };
    if (from === to) {
      if (this.cfg.recordMessages) this.logMsg(now, from, to, 'local', type, 'delivered', now, describe(type, body));
      this.sim.schedule(0, this.onDeliver, { m, ch: -1 });
      return;
    }
    const N = this.N;
    const base = (from < to ? from * N + to : to * N + from) * 2;
    const nch = this.cfg.protocolChannels === 'all' ? 2 : 1;
    for (let c = 0; c < nch; c++) {
      const l = base + c;
      this.protocolMessages++;
      const lat = (c === 0 ? this.rNet.uniform(this.cfg.netLatency - this.cfg.netJitter, this.cfg.netLatency + this.cfg.netJitter)
        : this.serialFrame + this.rSerial.uniform(0, this.cfg.serialJitter)) + this.linkExtra[l];
      const lost = !this.linkUp[l] || this.lose(l);
      if (lost) this.messagesLost++;
      if (this.cfg.recordMessages) this.logMsg(now, from, to, CHANNELS[c], type, lost ? 'lost' : 'delivered', now + lat, describe(type, body));
      if (!lost) this.sim.schedule(lat, this.onDeliver, { m, ch: c });
    }
  }

  private deliver(p: { m: Msg; ch: number }): void {
    this.flush();
    const m = p.m;
    const to = m.to;
    if (!this.running[to] || this.hung[to]) {
      if (this.cfg.recordMessages) this.markDrop(m, 'dropped');
      return;
    }
    if (m.handled) return; // the copy on the other channel was first
    m.handled = true;
    this.handle(m);
  }

  private markDrop(m: Msg, status: 'dropped'): void {
    this.logMsg(this.sim.now, m.from, m.to, 'local', m.type, status, this.sim.now, 'receiver down or paused');
  }

  private handle(m: Msg): void {
    const me = m.to;
    const N = this.N;
    const b = m.body;
    switch (m.type) {
      case 'FAULT': {
        const j = b.failed as number;
        if (j === me || !this.view[me * N + j]) return; // duplicate report, or about me
        this.stopMonitoring(me * N + j);
        this.view[me * N + j] = 0;
        this.beginSuspicion(me, j);
        this.membershipChanged(me);
        return;
      }
      case 'REJOIN':
        this.requestRound(me);
        return;
      case 'SYSTEM_LOAD': {
        const rep = this.loadReport(me);
        this.send(me, m.from, 'SYSTEM_LOAD_ANSWER', { round: b.round, held: rep.held, load: rep.load, up: rep.up });
        return;
      }
      case 'SYSTEM_LOAD_ANSWER':
        this.onLoadAnswer(me, m.from, b);
        return;
      case 'FAIL_OVER':
        this.takeOver(me, b.services as number[]);
        return;
      case 'RELEASE':
        for (const s of b.services as number[]) {
          if (this.svc[me * this.S + s] === RUNNING || this.svc[me * this.S + s] === STARTING) {
            this.releases++;
            this.setSvc(me, s, NONE);
          }
        }
        return;
      case 'CHECK_IP': {
        const held: number[] = [];
        for (let s = 0; s < this.S; s++) {
          const st = this.svc[me * this.S + s];
          if (this.home[s] === m.from && (st === RUNNING || st === STARTING)) held.push(s);
        }
        this.send(me, m.from, 'CHECK_IP_ANSWER', { held });
        return;
      }
      case 'CHECK_IP_ANSWER':
        this.onCheckIpAnswer(me, m.from, b.held as number[]);
        return;
      case 'FAIL_BACK':
        this.handBack(me, m.from, b.services as number[]);
        return;
      case 'FAIL_BACK_OK':
        this.onFailBackOk(me, m.from);
        return;
    }
  }

  // =====================================================================
  // fail-over (figure 6): controller rounds
  // =====================================================================

  private lowestInView(i: number): number {
    const N = this.N;
    for (let j = 0; j < N; j++) if (this.view[i * N + j]) return j;
    return i;
  }

  private membershipChanged(i: number): void {
    if (this.lowestInView(i) === i) this.requestRound(i);
  }

  private requestRound(c: number): void {
    if (!this.running[c]) return;
    if (this.lowestInView(c) !== c) return;
    if (this.round[c]) {
      this.roundAgain[c] = 1;
      return;
    }
    this.startRound(c);
  }

  private startRound(c: number): void {
    const N = this.N;
    const expected: number[] = [];
    for (let j = 0; j < N; j++) if (j !== c && this.view[c * N + j]) expected.push(j);
    const id = ++this.roundCounter;
    const r: Round = { id, expected, answers: new Map(), loads: new Map(), phases: new Map(), timer: -1 };
    this.round[c] = r;
    this.roundAgain[c] = 0;
    const mine = this.loadReport(c);
    if (this.cfg.recordMessages) {
      const now = this.sim.now;
      this.logMsg(now, c, c, 'local', 'SYSTEM_LOAD', 'delivered', now, describe('SYSTEM_LOAD', { round: id }));
      this.logMsg(now, c, c, 'local', 'SYSTEM_LOAD_ANSWER', 'delivered', now, describe('SYSTEM_LOAD_ANSWER', { round: id, ...mine }));
    }
    r.answers.set(c, mine.held);
    r.loads.set(c, mine.load);
    r.phases.set(c, mine.up);
    for (const j of expected) this.send(c, j, 'SYSTEM_LOAD', { round: id });
    r.timer = this.nodeAfterHandle(c, this.cfg.loadTimeout, () => this.roundTimeout(c, id));
    if (expected.length === 0) this.finishRound(c);
  }

  private loadReport(n: number): { held: Array<[number, number]>; load: number; up: boolean } {
    const held: Array<[number, number]> = [];
    let load = 0;
    for (let s = 0; s < this.S; s++) {
      const st = this.svc[n * this.S + s];
      if (st !== NONE) held.push([s, st]);
      if (st === RUNNING || st === STARTING) load += this.users[s];
    }
    // a node failing back claims its home services
    const fb = this.fb[n];
    if (fb || (this.phase[n] !== 'up' && this.phase[n] !== 'crashed')) {
      for (let s = 0; s < this.S; s++) if (this.home[s] === n && this.svc[n * this.S + s] === NONE && this.cfg.autoFailback) held.push([s, STARTING]);
    }
    return { held, load, up: this.phase[n] === 'up' };
  }

  private onLoadAnswer(c: number, from: number, b: any): void {
    const r = this.round[c];
    if (!r || r.id !== b.round || !r.expected.includes(from)) return;
    r.answers.set(from, b.held);
    r.loads.set(from, b.load);
    r.phases.set(from, b.up);
    if (r.expected.every((j) => r.answers.has(j))) this.finishRound(c);
  }

  private roundTimeout(c: number, id: number): void {
    const r = this.round[c];
    if (!r || r.id !== id) return;
    // someone in the view did not answer: poll again (the detector removes dead nodes from the view)
    this.round[c] = undefined;
    this.requestRound(c);
  }

  private finishRound(c: number): void {
    const r = this.round[c]!;
    this.sim.cancel(r.timer);
    this.round[c] = undefined;
    const S = this.S;
    if (!this.roundAgain[c] && this.eachServiceHeldOnce(r)) {
      // the usual outcome of a periodic poll: nothing to do (the general path below would agree)
      if (this.cfg.reconcileInterval > 0) this.schedulePeriodic(c);
      return;
    }
    const holders: number[][] = Array.from({ length: S }, () => []);
    const nodes = [...r.answers.keys()].sort((a, b) => a - b);
    for (const n of nodes) {
      for (const [s, st] of r.answers.get(n)!) {
        if (st === RUNNING || st === STARTING) holders[s].push(n);
      }
    }
    const orphans: number[] = [];
    const releases = new Map<number, number[]>();
    let acted = false;
    for (let s = 0; s < S; s++) {
      const hs = holders[s];
      if (hs.length === 0) orphans.push(s);
      else if (hs.length > 1) {
        const inTransit = hs.some((n) => r.answers.get(n)!.some(([x, st]) => x === s && st === STARTING));
        if (inTransit) {
          acted = true; // look again once the start is done
          continue;
        }
        const keep = hs.includes(this.home[s]) ? this.home[s] : hs[0];
        for (const n of hs) if (n !== keep) {
          if (!releases.has(n)) releases.set(n, []);
          releases.get(n)!.push(s);
        }
      }
    }
    for (const [n, list] of [...releases.entries()].sort((a, b) => a[0] - b[0])) {
      acted = true;
      this.send(c, n, 'RELEASE', { services: list });
    }
    if (orphans.length > 0) {
      // the lowest-load node that is up (ties: lowest id); nodes failing back only if nobody else
      let best = -1, bestLoad = Infinity;
      for (const pass of [true, false]) {
        for (const n of nodes) {
          if (pass && !r.phases.get(n)) continue;
          const l = r.loads.get(n)!;
          if (l < bestLoad) {
            best = n;
            bestLoad = l;
          }
        }
        if (best >= 0) break;
      }
      acted = true;
      this.send(c, best, 'FAIL_OVER', { services: orphans });
    }
    if (acted || this.roundAgain[c]) {
      // verify once the orders had time to be carried out
      const delay = this.roundAgain[c] ? 0 : 2 * this.cfg.loadTimeout + this.cfg.fakeProcessTime + this.cfg.setupTime + this.cfg.startTime;
      this.roundAgain[c] = 0;
      this.nodeAfter(c, delay, () => this.requestRound(c));
    } else if (this.cfg.reconcileInterval > 0) this.schedulePeriodic(c);
  }

  /** True when every service is running or starting on exactly one answering node. */
  private eachServiceHeldOnce(r: Round): boolean {
    const count = this.holderCount;
    for (let s = 0; s < this.S; s++) count[s] = 0;
    for (const held of r.answers.values())
      for (let x = 0; x < held.length; x++) {
        const st = held[x][1];
        if (st === RUNNING || st === STARTING) count[held[x][0]]++;
      }
    for (let s = 0; s < this.S; s++) if (count[s] !== 1) return false;
    return true;
  }

  private schedulePeriodic(c: number): void {
    if (this.periodic[c] >= 0) this.sim.cancel(this.periodic[c]);
    const ep = this.epoch[c];
    this.periodic[c] = this.sim.schedule(this.cfg.reconcileInterval, () => {
      this.flush();
      this.periodic[c] = -1;
      if (this.epoch[c] !== ep) return;
      if (this.hung[c]) {
        this.deferred[c].push(() => this.requestRound(c));
        return;
      }
      if (this.lowestInView(c) === c) this.requestRound(c);
      else this.schedulePeriodic(c); // keep a watch in case the view changes
    });
  }

  /** Take over services (figure 6, last lines): fake process, set-up, start. */
  private takeOver(n: number, services: number[]): void {
    const S = this.S;
    const mine = services.filter((s) => this.svc[n * S + s] === NONE);
    if (mine.length === 0) return;
    const tokens = new Map<number, number>();
    for (const s of mine) {
      this.takeovers++;
      const lh = this.lastHolder[s];
      // false when the last node to run it still runs it (it never crashed; paused or cut off)
      if (lh >= 0 && lh !== n && this.svc[lh * S + s] === RUNNING) this.falseTakeovers++;
      this.setSvc(n, s, STARTING);
      tokens.set(s, this.svcToken[n * S + s]);
    }
    const c = this.cfg;
    this.log(n, 'take-over', mine.join(' '));
    this.nodeAfter(n, c.fakeProcessTime, () => {
      this.log(n, 'fake process up', mine.join(' '));
      this.nodeAfter(n, c.setupTime, () => {
        this.log(n, 'set-up done', mine.join(' '));
        this.nodeAfter(n, c.startTime, () => {
          for (const s of mine) if (this.svcToken[n * S + s] === tokens.get(s)) this.setSvc(n, s, RUNNING);
          this.log(n, 'services started', mine.join(' '));
        });
      });
    });
  }

  // =====================================================================
  // fail-back (figure 7)
  // =====================================================================

  private bootDone(n: number): void {
    const N = this.N;
    this.accountPairsOf(n);
    this.running[n] = 1;
    this.phase[n] = 'config';
    // its detector starts trusting everyone (its suspicions ended with the crash)
    for (let j = 0; j < N; j++) {
      this.view[n * N + j] = 1;
      if (j !== n) this.startMonitoring(n, j);
    }
    this.tickHandle[n] = this.sim.schedule(0, this.onTick, n);
    this.mark('node', n);
    this.nodeAfter(n, this.cfg.configTime, () => this.checkIp(n, 1));
  }

  private checkIp(n: number, attempt: number): void {
    const N = this.N;
    this.phase[n] = 'check-ip';
    this.mark('node', n);
    let fb = this.fb[n];
    if (!fb) {
      fb = { answers: new Map(), attempt, waiting: new Set(), timer: -1, services: [] };
      this.fb[n] = fb;
    }
    fb.attempt = attempt;
    const ask: number[] = [];
    for (let j = 0; j < N; j++) if (j !== n && this.view[n * N + j] && !fb.answers.has(j)) ask.push(j);
    for (const j of ask) this.send(n, j, 'CHECK_IP', {});
    if (ask.length === 0) {
      this.afterCheckIp(n);
      return;
    }
    fb.timer = this.nodeAfterHandle(n, this.cfg.checkIpTimeout, () => {
      const f = this.fb[n];
      if (!f || this.phase[n] !== 'check-ip') return;
      if (f.attempt < this.cfg.checkIpRetries) this.checkIp(n, f.attempt + 1);
      else this.afterCheckIp(n);
    });
  }

  private onCheckIpAnswer(n: number, from: number, held: number[]): void {
    const fb = this.fb[n];
    if (!fb || this.phase[n] !== 'check-ip') return;
    fb.answers.set(from, held);
    const N = this.N;
    for (let j = 0; j < N; j++) if (j !== n && this.view[n * N + j] && !fb.answers.has(j)) return;
    this.sim.cancel(fb.timer);
    this.afterCheckIp(n);
  }

  private afterCheckIp(n: number): void {
    const fb = this.fb[n]!;
    const S = this.S;
    const heldElsewhere = new Set<number>();
    const servers = [...fb.answers.entries()].filter(([, h]) => h.length > 0).sort((a, b) => a[0] - b[0]);
    for (const [, h] of servers) for (const s of h) heldElsewhere.add(s);
    const homeSvcs: number[] = [];
    for (let s = 0; s < S; s++) if (this.home[s] === n) homeSvcs.push(s);
    if (!this.cfg.autoFailback) {
      // keep services where they are; start only the home services nobody holds
      fb.services = homeSvcs.filter((s) => !heldElsewhere.has(s));
      this.externalIp(n);
      return;
    }
    fb.services = homeSvcs;
    if (servers.length === 0) {
      this.externalIp(n);
      return;
    }
    this.phase[n] = 'fail-back';
    this.mark('node', n);
    fb.waiting = new Set(servers.map(([j]) => j));
    for (const [j, h] of servers) this.send(n, j, 'FAIL_BACK', { services: h });
    fb.timer = this.nodeAfterHandle(n, this.cfg.failbackTimeout, () => {
      if (this.phase[n] === 'fail-back') this.externalIp(n);
    });
  }

  private handBack(me: number, to: number, services: number[]): void {
    const S = this.S;
    const giving: number[] = [];
    for (const s of services) {
      const st = this.svc[me * S + s];
      if (st === STARTING) this.setSvc(me, s, NONE);
      else if (st === RUNNING) {
        this.setSvc(me, s, STOPPING);
        giving.push(s);
      }
    }
    this.log(me, 'hand back', giving.join(' '));
    const tokens = giving.map((s) => this.svcToken[me * S + s]);
    this.nodeAfter(me, giving.length ? this.cfg.handbackTime : 0, () => {
      giving.forEach((s, idx) => {
        if (this.svcToken[me * S + s] === tokens[idx]) this.setSvc(me, s, NONE);
      });
      this.send(me, to, 'FAIL_BACK_OK', { services: giving });
    });
  }

  private onFailBackOk(n: number, from: number): void {
    const fb = this.fb[n];
    if (!fb || this.phase[n] !== 'fail-back') return;
    fb.waiting.delete(from);
    if (fb.waiting.size === 0) {
      this.sim.cancel(fb.timer);
      this.externalIp(n);
    }
  }

  private externalIp(n: number): void {
    this.phase[n] = 'external-ip';
    this.mark('node', n);
    this.nodeAfter(n, this.cfg.externalIpTime, () => {
      // "check computing resources for services, start services"
      this.phase[n] = 'starting';
      const fb = this.fb[n]!;
      const S = this.S;
      const tokens = fb.services.map((s) => {
        if (this.svc[n * S + s] === NONE) this.setSvc(n, s, STARTING);
        return this.svcToken[n * S + s];
      });
      this.mark('node', n);
      this.nodeAfter(n, this.cfg.startTime, () => {
        fb.services.forEach((s, idx) => {
          if (this.svcToken[n * S + s] === tokens[idx] && this.svc[n * S + s] === STARTING) this.setSvc(n, s, RUNNING);
        });
        this.fb[n] = undefined;
        this.phase[n] = 'up';
        this.mark('node', n);
        const inc = this.openIncident[n];
        if (inc && Number.isNaN(inc.failback)) {
          const S2 = this.S;
          let all = true;
          for (let s = 0; s < S2; s++) if (this.home[s] === n && this.svc[n * S2 + s] !== RUNNING) all = false;
          if (all && this.cfg.autoFailback) inc.failback = this.sim.now;
        }
        // tell the controller: reconcile (finds what the fail-back left double or orphaned)
        const c = this.lowestInView(n);
        if (c === n) this.requestRound(n);
        else this.send(n, c, 'REJOIN', { node: n });
        if (this.cfg.reconcileInterval > 0) this.schedulePeriodic(n);
      });
    });
  }

  // =====================================================================
  // services, users, accounting
  // =====================================================================

  private setSvc(n: number, s: number, st: number): void {
    const k = n * this.S + s;
    if (this.svc[k] === st) return;
    this.svc[k] = st;
    this.svcToken[k]++;
    if (st === RUNNING) this.lastHolder[s] = n;
    this.updateService(s);
  }

  /** Recompute whether service s is up and how many nodes run it; account the time since the last change. */
  private updateService(s: number): void {
    const now = this.sim.now;
    this.accountService(s, now);
    const N = this.N, S = this.S;
    let up = 0;
    for (let n = 0; n < N; n++) if (this.svc[n * S + s] === RUNNING && !this.crashed[n] && !this.hung[n]) up = 1;
    this.svcOwners[s] = this.owners(s);
    if (up !== this.svcUp[s]) {
      this.svcUp[s] = up;
      const tok = ++this.reconnectToken[s];
      if (up) {
        this.sim.schedule(this.cfg.reconnectDelay, () => {
          this.flush();
          if (this.reconnectToken[s] !== tok) return;
          this.accountService(s, this.sim.now);
          this.connected[s] = this.users[s];
          this.onUsersBack(s);
        });
        this.onServiceUp(s);
      } else this.connected[s] = 0;
    }
    this.markService(s);
  }

  private accountService(s: number, now: number): void {
    const dt = now - this.svcLastT[s];
    if (dt > 0) {
      if (this.svcUp[s]) this.upTime[s] += dt;
      if (this.svcOwners[s] >= 2) this.dualTime[s] += dt;
      this.disconnectedUserSeconds[s] += (this.users[s] - this.connected[s]) * dt;
    }
    this.svcLastT[s] = now;
  }

  /** Nodes that are not crashed and run s (a paused node still owns it: it resumes serving). */
  owners(s: number): number {
    let o = 0;
    for (let n = 0; n < this.N; n++) if (this.svc[n * this.S + s] === RUNNING && !this.crashed[n]) o++;
    return o;
  }

  private onServiceUp(s: number): void {
    for (const inc of this.openIncident) {
      if (!inc || !Number.isNaN(inc.failoverDone) || !inc.services.includes(s)) continue;
      if (inc.services.every((x) => this.svcUp[x])) inc.failoverDone = this.sim.now;
    }
  }

  private onUsersBack(s: number): void {
    for (const inc of this.openIncident) {
      if (!inc || Number.isNaN(inc.failoverDone) || !Number.isNaN(inc.serviceBack) || !inc.services.includes(s)) continue;
      if (inc.services.every((x) => this.connected[x] === this.users[x])) inc.serviceBack = this.sim.now;
    }
  }

  // ---- failure-detector quality (Chen, Toueg, Aguilera) ----

  /** Target j is "up" for the detector's accounting when it runs its heartbeat daemon and is not crashed. */
  private targetUp(j: number): boolean {
    return !this.crashed[j] && this.running[j] === 1;
  }

  private accountPair(k: number): void {
    const now = this.sim.now;
    const N = this.N;
    const i = (k / N) | 0, j = k - i * N;
    const dt = now - this.pairLastT[k];
    if (dt > 0 && this.running[i] && !this.crashed[i] && this.targetUp(j)) {
      this.pairObsUp[k] += dt;
      if (this.trust[k]) this.pairTrustUp[k] += dt;
    }
    this.pairLastT[k] = now;
  }

  private accountPairsOf(n: number): void {
    const N = this.N;
    for (let j = 0; j < N; j++) if (j !== n) {
      this.accountPair(n * N + j);
      this.accountPair(j * N + n);
    }
  }

  private beginSuspicion(i: number, j: number): void {
    const k = i * this.N + j;
    if (!this.trust[k]) return;
    this.accountPair(k);
    this.trust[k] = 0;
    // a mistake: suspecting a node that runs (not crashed, booted); a paused node runs
    const mistake = this.targetUp(j);
    this.suspicionMistake[k] = mistake ? 1 : 0;
    if (mistake) {
      this.mistakes++;
      this.mistakeStart[k] = this.sim.now;
    }
  }

  private endSuspicion(i: number, j: number): void {
    const k = i * this.N + j;
    if (this.trust[k]) return;
    this.accountPair(k);
    if (this.suspicionMistake[k]) this.closeMistake(k);
    this.trust[k] = 1;
  }

  private closeMistake(k: number): void {
    this.suspicionMistake[k] = 0;
    this.mistakesEnded++;
    this.mistakeDurationSum += this.sim.now - this.mistakeStart[k];
  }

  // =====================================================================
  // helpers
  // =====================================================================

  /** Run f on node n after d seconds, unless it crashed meanwhile; deferred while it is paused. */
  private nodeAfter(n: number, d: number, f: () => void): void {
    this.nodeAfterHandle(n, d, f);
  }

  private nodeAfterHandle(n: number, d: number, f: () => void): EventHandle {
    const ep = this.epoch[n];
    return this.sim.schedule(d, () => {
      this.flush();
      if (this.epoch[n] !== ep) return;
      if (this.hung[n]) this.deferred[n].push(f);
      else f();
    });
  }

  private link(a: number, b: number, c: number): number {
    if (a === b) throw new Error(`no channel from node ${a} to itself`);
    if (a < 0 || b < 0 || a >= this.N || b >= this.N) throw new Error(`no such node pair (${a}, ${b})`);
    return ((a < b ? a * this.N + b : b * this.N + a) * 2) + c;
  }

  private chans(ch: ChannelSel): number[] {
    if (ch === 'both') return [0, 1];
    const c = CHANNELS.indexOf(ch);
    if (c < 0) throw new Error(`unknown channel '${ch}' (net, serial or both)`);
    return [c];
  }

  private logMsg(time: number, from: number, to: number, channel: ChannelName | 'local', type: string, status: MessageRecord['status'], arrival: number, info: string): void {
    this.messages.push({ time, from: this.names[from], to: this.names[to], channel, type, status, arrival, info });
  }

  private log(n: number, what: string, detail: number | string): void {
    if (!this.cfg.recordTimeline) return;
    const d = typeof detail === 'number' ? this.names[detail] : detail === '' ? '' : `services ${detail.split(' ').map((x) => 's' + x).join(' ')}`;
    this.timeline.push({ time: this.sim.now, kind: 'event', name: this.names[n], state: `${what}${d ? ' ' + d : ''}` });
  }

  private mark(kind: 'node', n: number): void {
    if (!this.cfg.recordTimeline) return;
    this.timeline.push({ time: this.sim.now, kind, name: this.names[n], state: this.nodeState(n) });
  }

  private markService(s: number): void {
    if (!this.cfg.recordTimeline) return;
    this.timeline.push({ time: this.sim.now, kind: 'service', name: `s${s}`, state: this.ownerString(s) });
  }

  nodeState(n: number): string {
    if (this.crashed[n]) return 'crashed';
    if (this.hung[n]) return 'paused';
    return this.phase[n];
  }

  /** Nodes holding s with their state, e.g. "B" or "A+B" (running), "B(starting)"; "-" when nobody. */
  ownerString(s: number): string {
    const parts: string[] = [];
    for (let n = 0; n < this.N; n++) {
      const st = this.svc[n * this.S + s];
      if (st === NONE) continue;
      parts.push(st === RUNNING ? this.names[n] : `${this.names[n]}(${SVC_STATE_NAMES[st]})`);
    }
    return parts.length ? parts.join('+') : '-';
  }

  /** Running holders of s among live nodes. */
  /** When node i last heard node j (the last heartbeat copy that counted, or when i started watching j). */
  lastHeard(i: number, j: number): number {
    this.catchUpOutside();
    this.settle(i * this.N + j, this.sim.now, this.sim.currentSeq);
    return this.hbLast[i * this.N + j];
  }

  /** True when node i has node j in its view. */
  inView(i: number, j: number): boolean {
    return this.view[i * this.N + j] === 1;
  }

  runningOn(s: number): number[] {
    const out: number[] = [];
    for (let n = 0; n < this.N; n++) if (this.svc[n * this.S + s] === RUNNING && !this.crashed[n]) out.push(n);
    return out;
  }

  serviceUp(s: number): boolean {
    return this.svcUp[s] === 1;
  }

  connectedUsers(s: number): number {
    return this.connected[s];
  }

  /** Close the books at the current time (call once after sim.run). */
  finish(): HaResult {
    this.catchUpOutside();
    const now = this.sim.now;
    for (let k = 0; k < this.N * this.N; k++) this.settle(k, now, this.sim.currentSeq);
    for (let s = 0; s < this.S; s++) this.accountService(s, now);
    const N = this.N;
    for (let k = 0; k < N * N; k++) if ((k / N | 0) !== k % N) this.accountPair(k);
    let openMistakeTime = 0, openMistakes = 0;
    for (let k = 0; k < N * N; k++) if (!this.trust[k] && this.suspicionMistake[k]) {
      openMistakes++;
      openMistakeTime += now - this.mistakeStart[k];
    }
    const incidents = [...this.incidents, ...this.openIncident.filter((x): x is Incident => !!x)].sort((a, b) => a.crash - b.crash || a.node - b.node);
    let obs = 0, trustUp = 0;
    for (let k = 0; k < N * N; k++) {
      obs += this.pairObsUp[k];
      trustUp += this.pairTrustUp[k];
    }
    const S = this.S;
    let up = 0, dual = 0, dus = 0;
    for (let s = 0; s < S; s++) {
      up += this.upTime[s];
      dual += this.dualTime[s];
      dus += this.disconnectedUserSeconds[s];
    }
    return {
      duration: now,
      availability: S > 0 ? up / (S * now) : 1,
      downtime: S > 0 ? (S * now - up) / S : 0,
      dualActiveTime: dual,
      disconnectedUserSeconds: dus,
      hbMessages: this.hbMessages,
      protocolMessages: this.protocolMessages,
      messagesLost: this.messagesLost,
      declarations: this.declarations,
      mistakes: this.mistakes,
      // a mistake still open at the end counts with its duration so far
      meanMistakeDuration: this.mistakes > 0 ? (this.mistakeDurationSum + openMistakeTime) / (this.mistakesEnded + openMistakes) : NaN,
      mistakeRecurrence: this.mistakes > 0 ? obs / this.mistakes : NaN,
      queryAccuracy: obs > 0 ? trustUp / obs : NaN,
      observedTime: obs,
      takeovers: this.takeovers,
      falseTakeovers: this.falseTakeovers,
      releases: this.releases,
      incidents,
      detections: this.detections,
    };
  }
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
  falseTakeovers: number;
  releases: number;
  incidents: Incident[];
  detections: Detection[];
}

function describe(type: string, body: any): string {
  switch (type) {
    case 'FAULT':
      return `node ${String.fromCharCode(65 + body.failed)} failed`;
    case 'SYSTEM_LOAD':
      return `round ${body.round}`;
    case 'SYSTEM_LOAD_ANSWER':
      return `round ${body.round} load ${body.load}${body.held.length ? ' holds ' + body.held.map(([s, st]: [number, number]) => `s${s}:${SVC_STATE_NAMES[st]}`).join(' ') : ''}`;
    case 'FAIL_OVER':
    case 'RELEASE':
    case 'FAIL_BACK':
    case 'FAIL_BACK_OK':
      return `services ${(body.services as number[]).map((s) => 's' + s).join(' ')}`;
    case 'CHECK_IP_ANSWER':
      return body.held.length ? `holds ${(body.held as number[]).map((s) => 's' + s).join(' ')}` : 'holds none';
    case 'REJOIN':
      return `node ${String.fromCharCode(65 + body.node)} is back`;
    default:
      return '';
  }
}
