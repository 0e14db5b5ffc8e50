/**
 * Options of the heartbeat high-availability model (SPEC section 3), their
 * defaults, the detector presets and the closed forms the experiments draw
 * beside the simulation. Every value where the HA paper is vague is an option
 * here, with the name used in the experiments' parameters and in docs/ha.md.
 */

export type RepairDist = 'exponential' | 'fixed' | 'lognormal';

export interface HaConfig {
  /** Number of nodes (SPEC 3.1: 2, A active and B standby). */
  nodes: number;
  /** Number of services (game worlds). */
  services: number;
  /** Services are placed round-robin on nodes 0..activeNodes-1 (1: A active, B standby). */
  activeNodes: number;
  /** Users connected to each service. */
  usersPerService: number;

  // ---- detector (SPEC 3.2) ----
  /** Heartbeat interval h (s). */
  interval: number;
  /** Timeout T (s): silence after which the node probes (the paper's "fixed time"). */
  timeout: number;
  /** Retries R: probes before the peer is declared failed (the paper's "predefined number"). */
  retries: number;
  /** A live node answers a probe (the retry heartbeat) at once with a heartbeat. */
  probeReply: boolean;

  // ---- channels (SPEC 3.1) ----
  /** Mean one-way latency of the private UDP network (s). */
  netLatency: number;
  /** Half-width of the uniform jitter around netLatency (s). */
  netJitter: number;
  /** Serial line speed (baud, 10 bits per byte on the wire). */
  serialBaud: number;
  /** Heartbeat / protocol frame size (bytes). */
  frameBytes: number;
  /** Serial latency = frame time + uniform(0, serialJitter) (s). */
  serialJitter: number;
  /** Loss probability of every message on the net channel. */
  netLoss: number;
  /** Loss probability of every message on the serial channel. */
  serialLoss: number;
  /** Protocol messages (not heartbeats) go on every channel ('all', deduplicated) or on 'net' only. */
  protocolChannels: 'all' | 'net';

  // ---- fail-over (SPEC 3.3), seconds ----
  /** The controller waits this long for SYSTEM_LOAD answers, then polls again. */
  loadTimeout: number;
  /** Fake process (IP take-over, gratuitous ARP). */
  fakeProcessTime: number;
  /** Set the system up for the taken-over services. */
  setupTime: number;
  /** Start the services (load the world from the shared database). */
  startTime: number;
  /** Clients reconnect this long after their service starts. */
  reconnectDelay: number;
  /** The controller polls all nodes (SYSTEM_LOAD) this often to find orphaned and doubly-owned services; 0 = only on membership changes. */
  reconcileInterval: number;

  // ---- fail-back (SPEC 3.4), seconds ----
  autoFailback: boolean;
  /** Boot with the internal IP. */
  bootTime: number;
  /** Read the configuration ("check Diehard configuration"). */
  configTime: number;
  /** Wait for CHECK_IP answers, then ask again (up to checkIpRetries) or go on with what arrived. */
  checkIpTimeout: number;
  checkIpRetries: number;
  /** The take-over node stops the services it hands back (the planned outage). */
  handbackTime: number;
  /** Wait for FAIL_BACK_OK before giving up and going on. */
  failbackTimeout: number;
  /** Set up the external IP. */
  externalIpTime: number;

  // ---- random faults (SPEC 3.5) ----
  /** Mean time between failures per node (s); 0 = no random crashes. */
  mtbf: number;
  /** Mean time to repair (s). */
  mttr: number;
  repairDist: RepairDist;
  /** Sigma of the underlying normal when repairDist = lognormal. */
  repairSigma: number;
  /** Mean time between pauses (hangs) per node (s); 0 = none. */
  pauseMtb: number;
  /** Mean pause length (s), exponential. */
  pauseMean: number;

  // ---- engine ----
  /**
   * How heartbeat copies are delivered; the results are the same either way,
   * byte for byte (a test compares them). 'kernel': every copy is a kernel
   * event. 'deferred': a copy whose arrival can only move the receiver's
   * "last heard" (an ordinary heartbeat to a running, unpaused node that has
   * the sender in view) takes a reserved place in the event order and waits
   * in a small per-pair buffer; it is applied, in that order, before anything
   * reads the receiver's detector, and any event that may change the state
   * its arrival depends on (channels, nodes, views) first turns every copy
   * still in flight into a kernel event at its reserved place. While nothing
   * stands in the way of deferring its copies, a node's heartbeat clock is
   * no kernel event either: the first event after a tick runs it.
   */
  heartbeatEvents: 'kernel' | 'deferred';

  // ---- recording ----
  /** Keep a log of every message (for the failover experiment). */
  recordMessages: boolean;
  /** Keep a log of node and service state changes. */
  recordTimeline: boolean;
}

export const DEFAULTS: HaConfig = {
  nodes: 2,
  services: 1,
  activeNodes: 1,
  usersPerService: 500,
  interval: 1,
  timeout: 3,
  retries: 1,
  probeReply: true,
  netLatency: 0.0005,
  netJitter: 0.0001,
  serialBaud: 115200,
  frameBytes: 64,
  serialJitter: 0.0005,
  netLoss: 0,
  serialLoss: 0,
  protocolChannels: 'all',
  loadTimeout: 0.5,
  fakeProcessTime: 1,
  setupTime: 2,
  startTime: 5,
  reconnectDelay: 5,
  reconcileInterval: 60,
  autoFailback: true,
  bootTime: 60,
  configTime: 1,
  checkIpTimeout: 0.5,
  checkIpRetries: 3,
  handbackTime: 2,
  failbackTimeout: 10,
  externalIpTime: 1,
  mtbf: 0,
  mttr: 3600,
  repairDist: 'exponential',
  repairSigma: 0.5,
  pauseMtb: 0,
  pauseMean: 1,
  heartbeatEvents: 'deferred',
  recordMessages: false,
  recordTimeline: false,
};

/** A detector preset: the interval and how T and R follow from it. */
export interface Preset {
  name: string;
  /** The preset's own interval (s), used when an experiment does not sweep h. */
  interval: number;
  /** T = timeoutRatio x h. */
  timeoutRatio: number;
  retries: number;
  /** Informational (Linux-HA warntime), in seconds; no effect on the model. */
  warntime?: number;
  note: string;
}

/** VRRP skew time for the default backup priority 100: (256 - 100) / 256 x advert. */
export const VRRP_SKEW_RATIO = (256 - 100) / 256;

export const PRESETS: Record<string, Preset> = {
  paper: {
    name: 'paper',
    interval: 1,
    timeoutRatio: 3,
    retries: 1,
    note: 'SPEC 3.2 defaults: h = 1 s, T = 3 s, R = 1 (detection T(1+R) = 6 s after the last heartbeat)',
  },
  'linux-ha': {
    name: 'linux-ha',
    interval: 2,
    timeoutRatio: 15,
    retries: 0,
    warntime: 10,
    note: 'Linux-HA heartbeat: keepalive 2 s, deadtime 30 s (T = 15 h, no retry), warntime 10 s (a log line only)',
  },
  vrrp: {
    name: 'vrrp',
    interval: 1,
    timeoutRatio: 3 + VRRP_SKEW_RATIO,
    retries: 0,
    note: 'VRRP: advert 1 s, master down after 3 x advert + skew (256-100)/256 x advert = 3.61 s, no retry',
  },
};

export const PRESET_NAMES = Object.keys(PRESETS);

/**
 * Resolve the detector values. `interval` 0 means the preset's interval,
 * `timeoutRatio` 0 the preset's T/h, `retries` -1 the preset's R.
 */
export function resolveDetector(preset: string, interval = 0, timeoutRatio = 0, retries = -1) {
  const p = PRESETS[preset];
  if (!p) throw new Error(`unknown preset '${preset}' (choose one of ${PRESET_NAMES.join(', ')})`);
  const h = interval > 0 ? interval : p.interval;
  const ratio = timeoutRatio > 0 ? timeoutRatio : p.timeoutRatio;
  const r = retries >= 0 ? retries : p.retries;
  if (!(ratio > 1)) throw new Error(`timeout ratio T/h must be greater than 1 (got ${ratio}): a shorter timeout fires between heartbeats`);
  return { interval: h, timeout: ratio * h, retries: r, timeoutRatio: ratio };
}

/** Check a configuration; throws Error with a one-line message. */
export function validate(c: HaConfig): void {
  const pos = (name: keyof HaConfig) => {
    const v = c[name] as number;
    if (!(typeof v === 'number' && v > 0 && Number.isFinite(v))) throw new Error(`${name} must be a positive number (got ${v})`);
  };
  const nonneg = (name: keyof HaConfig) => {
    const v = c[name] as number;
    if (!(typeof v === 'number' && v >= 0 && Number.isFinite(v))) throw new Error(`${name} must be a number >= 0 (got ${v})`);
  };
  const prob = (name: keyof HaConfig) => {
    const v = c[name] as number;
    if (!(v >= 0 && v < 1)) throw new Error(`${name} must be a probability in [0, 1) (got ${v})`);
  };
  if (!(Number.isInteger(c.nodes) && c.nodes >= 2 && c.nodes <= 16)) throw new Error(`nodes must be an integer in [2, 16] (got ${c.nodes})`);
  if (!(Number.isInteger(c.services) && c.services >= 0)) throw new Error(`services must be an integer >= 0 (got ${c.services})`);
  if (!(Number.isInteger(c.activeNodes) && c.activeNodes >= 1 && c.activeNodes <= c.nodes))
    throw new Error(`activeNodes must be an integer in [1, nodes] (got ${c.activeNodes})`);
  if (!(Number.isInteger(c.retries) && c.retries >= 0)) throw new Error(`retries must be an integer >= 0 (got ${c.retries})`);
  pos('interval');
  pos('timeout');
  if (!(c.timeout > c.interval)) throw new Error(`timeout (${c.timeout}) must be greater than interval (${c.interval})`);
  for (const n of ['netLatency', 'netJitter', 'serialJitter', 'loadTimeout', 'fakeProcessTime', 'setupTime', 'startTime', 'reconnectDelay',
    'reconcileInterval', 'bootTime', 'configTime', 'handbackTime', 'externalIpTime', 'mtbf', 'mttr', 'pauseMtb', 'pauseMean', 'usersPerService',
    'repairSigma'] as const)
    nonneg(n);
  if (c.netJitter > c.netLatency) throw new Error(`netJitter (${c.netJitter}) must not exceed netLatency (${c.netLatency})`);
  pos('serialBaud');
  pos('frameBytes');
  pos('checkIpTimeout');
  pos('failbackTimeout');
  pos('loadTimeout');
  prob('netLoss');
  prob('serialLoss');
  if (c.heartbeatEvents !== 'kernel' && c.heartbeatEvents !== 'deferred') throw new Error(`heartbeatEvents must be 'kernel' or 'deferred' (got ${c.heartbeatEvents})`);
  if (c.mtbf > 0) pos('mttr');
  if (c.pauseMtb > 0) pos('pauseMean');
}

export function makeConfig(over: Partial<HaConfig> = {}): HaConfig {
  const c = { ...DEFAULTS, ...over };
  validate(c);
  return c;
}

/** Serial frame time: frameBytes x 10 bits / baud. */
export function serialFrameTime(c: HaConfig): number {
  return (c.frameBytes * 10) / c.serialBaud;
}

/** Mean one-way latency of the first copy of a heartbeat to arrive (net is always first with the defaults). */
export function firstArrivalLatency(c: HaConfig): number {
  const netMax = c.netLatency + c.netJitter;
  const serialMin = serialFrameTime(c);
  if (netMax <= serialMin) return c.netLatency; // net always wins when no copy is lost
  return Math.min(c.netLatency, serialMin + c.serialJitter / 2);
}

/** SPEC 3.7 closed form: mean detection = T(1+R) - h/2 + one-way latency (lossless). */
export function closedFormDetection(c: HaConfig): number {
  return c.timeout * (1 + c.retries) - c.interval / 2 + firstArrivalLatency(c);
}

/** Time from detection to the services running on the take-over node (lossless, one remote hop each way is negligible). */
export function closedFormFailover(c: HaConfig): number {
  return c.fakeProcessTime + c.setupTime + c.startTime;
}

/** Service outage of one fail-back: hand-back + external IP + start (plus message latencies). */
export function closedFormFailbackOutage(c: HaConfig): number {
  return c.handbackTime + c.externalIpTime + c.startTime;
}

export const SECONDS_PER_YEAR = 365 * 86400;

/** No HA: availability = MTBF / (MTBF + MTTR). */
export function availabilityNoHa(mtbf: number, mttr: number): number {
  return mtbf / (mtbf + mttr);
}

/** SPEC 3.7 HA pair: MTBF / (MTBF + detection + fail-over). */
export function availabilityHa(mtbf: number, detection: number, failover: number): number {
  return mtbf / (mtbf + detection + failover);
}

/** The HA paper's table 1: cost of one hour of outage, in dollars. */
export const OUTAGE_COST_PER_HOUR: Record<string, number> = {
  brokerage: 6_450_000,
  'credit-card': 2_600_000,
  'home-shopping': 113_000,
  catalogue: 90_000,
  airline: 89_500,
  'ticket-sales': 69_000,
  shipping: 28_000,
  atm: 14_500,
};
export const SECTORS = Object.keys(OUTAGE_COST_PER_HOUR);
