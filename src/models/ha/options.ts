/**
 * Every option of the heartbeat HA model, declared once: type, default,
 * bounds, help. The configuration type, the defaults, validation, the
 * experiments' parameters and meta.json all come from this table. Where the
 * HA paper is vague the value is an option here (docs/ha.md says why).
 */
import { defaultsOf, validateOptions, type ConfigOf } from '../../schema.ts';
import { detectorNames } from './detector.ts';
import { failoverPolicyNames } from './failover.ts';
import { latencyModelNames, lossModelNames, latencyModel, CHANNEL_MODEL_OPTIONS } from './channel-models.ts';

export const HA_OPTIONS = {
  // ---- cluster ----
  nodes: { type: 'integer', default: 2, min: 2, max: 64, group: 'cluster', help: 'nodes in the cluster (the paper: 2, A active and B standby)' },
  services: { type: 'integer', default: 1, min: 0, max: 64, group: 'cluster', help: 'services (game worlds) in the cluster' },
  activeNodes: { type: 'integer', default: 1, min: 1, max: 64, group: 'cluster', help: 'services are placed round-robin on the first activeNodes nodes (1: A active, B standby)' },
  usersPerService: { type: 'integer', default: 500, min: 0, group: 'cluster', help: 'users connected to each service (the paper: 500-600 per server)' },

  // ---- failure detector ----
  detector: { type: 'string', default: 'timeout', group: 'detector', help: "failure detector: 'timeout' (the paper's: silence T, then R probes), 'phi' (phi-accrual), 'adaptive' (Chen-Toueg-Aguilera NFD-E), or one added with registerDetector" },
  interval: { type: 'number', default: 1, greaterThan: 0, group: 'detector', help: 'heartbeat interval h (s)' },
  timeout: { type: 'number', default: 3, greaterThan: 0, group: 'detector', help: "timeout detector: silence T (s) after which the node probes (the paper's 'fixed time')" },
  retries: { type: 'integer', default: 1, min: 0, max: 100, group: 'detector', help: "timeout detector: probes R before the peer is declared failed (the paper's 'predefined number')" },
  probeReply: { type: 'boolean', default: true, group: 'detector', help: 'a live node answers a probe (the retry heartbeat) at once with a heartbeat' },
  phiForm: { type: 'enum', default: 'normal', choices: ['normal', 'exponential'], group: 'detector', help: "phi detector: 'normal' (Akka: logistic approximation of the normal tail, mean + acceptable pause, std clamped below) or 'exponential' (Cassandra: phi = t / (mean ln 10))" },
  phiThreshold: { type: 'number', default: 8, greaterThan: 0, group: 'detector', help: 'phi detector: suspect when phi exceeds this (Akka and Cassandra: 8)' },
  phiWindow: { type: 'integer', default: 1000, min: 1, max: 100000, group: 'detector', help: 'phi detector: inter-arrival times kept (Akka max-sample-size and Cassandra: 1000)' },
  phiMinStd: { type: 'number', default: 0.1, greaterThan: 0, group: 'detector', help: 'phi detector, normal form: lower bound of the standard deviation (s; Akka: 0.1)' },
  phiPause: { type: 'number', default: 3, min: 0, group: 'detector', help: 'phi detector, normal form: acceptable heartbeat pause added to the mean (s; Akka: 3)' },
  phiFirst: { type: 'number', default: 1, greaterThan: 0, group: 'detector', help: "phi detector: the first inter-arrival estimate (s; Akka: the heartbeat interval, seeded as mean -/+ mean/4; Cassandra: twice the gossip interval)" },
  phiMaxInterval: { type: 'number', default: 1e9, greaterThan: 0, group: 'detector', help: 'phi detector: inter-arrival times longer than this are not recorded (s; Cassandra: 2; the default keeps all)' },
  adaptiveWindow: { type: 'integer', default: 1000, min: 1, max: 100000, group: 'detector', help: 'adaptive detector: heartbeats whose arrival offsets estimate the next arrival' },
  adaptiveAlpha: { type: 'number', default: 1, min: 0, group: 'detector', help: 'adaptive detector: safety margin alpha added to the expected arrival (s)' },
  pauseClock: { type: 'enum', default: 'grid', choices: ['grid', 'late'], group: 'detector', help: "a paused node's heartbeat clock: 'grid' keeps its tick grid (ticks that fall inside the pause are not sent; the next one comes at the next grid point, as a fixed-rate timer that skips missed runs); 'late' sends one heartbeat at the resume and restarts the grid from there (as a timer that fires late once)" },
  resumeDetector: { type: 'enum', default: 'fresh', choices: ['fresh', 'keep'], group: 'detector', help: "what a paused node's detector does on resume: 'fresh' restarts every watch as if it had just heard each peer (its receive buffers held their heartbeats); 'keep' keeps its state and checks at once" },

  // ---- channels ----
  netLatency: { type: 'number', default: 0.0005, greaterThan: 0, group: 'channels', help: 'net channel mean one-way latency (s)' },
  netJitter: { type: 'number', default: 0.0001, min: 0, group: 'channels', help: 'net channel latency = netLatency + uniform(-netJitter, netJitter) (s; at most netLatency)' },
  serialBaud: { type: 'number', default: 115200, greaterThan: 0, group: 'channels', help: 'serial line speed (baud; 10 bits per byte)' },
  frameBytes: { type: 'integer', default: 64, min: 1, group: 'channels', help: 'heartbeat and protocol frame size (bytes)' },
  serialJitter: { type: 'number', default: 0.0005, min: 0, group: 'channels', help: 'serial latency = frame time + uniform(0, serialJitter) (s)' },
  netLoss: { type: 'number', default: 0, min: 0, lessThan: 1, group: 'channels', help: 'loss probability of every message on the net channel' },
  serialLoss: { type: 'number', default: 0, min: 0, lessThan: 1, group: 'channels', help: 'loss probability of every message on the serial channel' },
  lossModel: { type: 'string', default: 'bernoulli', group: 'channels', help: "how a channel loses copies, at its loss rate (netLoss, serialLoss): 'bernoulli' (each copy independently) or 'gilbert-elliott' (bursts: a good and a bad state, see burstLength, burstLoss, goodLoss), or one added with registerLossModel" },
  latencyModel: { type: 'string', default: 'uniform', group: 'channels', help: "a channel's latency: 'uniform' (netLatency +/- netJitter; serial frame time + uniform(0, serialJitter)) or 'empirical' (from netLatencyTable, serialLatencyTable), or one added with registerLatencyModel" },
  ...CHANNEL_MODEL_OPTIONS,
  protocolChannels: { type: 'enum', default: 'all', choices: ['all', 'net'], group: 'channels', help: 'protocol messages on every channel (deduplicated) or on net only' },

  // ---- fail-over (s) ----
  failoverPolicy: { type: 'string', default: 'paper', group: 'fail-over', help: "who takes over the services of a failed node: 'paper' (the least-loaded node that is up), 'spare' (a standby that is up and holds nothing, else as paper), 'external' (nobody in the cluster: the orphaned signal tells whoever listens; the one world's scheme policy), or one added with registerFailoverPolicy" },
  loadTimeout: { type: 'number', default: 0.5, greaterThan: 0, group: 'fail-over', help: 'the controller waits this long for SYSTEM_LOAD answers, then polls again (s)' },
  fakeProcessTime: { type: 'number', default: 1, min: 0, group: 'fail-over', help: 'take-over: fake process / IP take-over (s)' },
  setupTime: { type: 'number', default: 2, min: 0, group: 'fail-over', help: 'take-over: set the system up for the services (s)' },
  startTime: { type: 'number', default: 5, min: 0, group: 'fail-over', help: 'start the services (take-over and fail-back) (s)' },
  reconnectDelay: { type: 'number', default: 5, min: 0, group: 'fail-over', help: 'clients reconnect this long after their service starts (s)' },
  reconcileInterval: { type: 'number', default: 60, greaterThan: 0, group: 'fail-over', help: 'the controller polls every node this often to find orphaned or doubly-run services (s)' },

  // ---- fail-back (s) ----
  autoFailback: { type: 'boolean', default: true, group: 'fail-back', help: 'a repaired node takes its services back (the paper: on)' },
  bootTime: { type: 'number', default: 60, min: 0, group: 'fail-back', help: 'fail-back: boot with the internal IP (s)' },
  configTime: { type: 'number', default: 1, min: 0, group: 'fail-back', help: 'fail-back: read the configuration (s)' },
  checkIpTimeout: { type: 'number', default: 0.5, greaterThan: 0, group: 'fail-back', help: 'fail-back: wait for CHECK_IP answers (s)' },
  checkIpRetries: { type: 'integer', default: 3, min: 1, max: 100, group: 'fail-back', help: 'fail-back: CHECK_IP rounds before going on with the answers received' },
  handbackTime: { type: 'number', default: 2, min: 0, group: 'fail-back', help: 'fail-back: the take-over node stops the services it hands back (s)' },
  failbackTimeout: { type: 'number', default: 10, greaterThan: 0, group: 'fail-back', help: 'fail-back: wait for FAIL_BACK_OK (s)' },
  externalIpTime: { type: 'number', default: 1, min: 0, group: 'fail-back', help: 'fail-back: set up the external IP (s)' },

  // ---- random faults ----
  mtbf: { type: 'number', default: 0, min: 0, group: 'faults', help: 'mean time between crashes per node (s, exponential; 0 = no random crashes)' },
  mttr: { type: 'number', default: 3600, greaterThan: 0, group: 'faults', help: 'mean time to repair (s)' },
  repairDist: { type: 'enum', default: 'exponential', choices: ['exponential', 'fixed', 'lognormal'], group: 'faults', help: 'repair-time distribution (mean mttr)' },
  repairSigma: { type: 'number', default: 0.5, min: 0, group: 'faults', help: 'sigma of the underlying normal when repairDist = lognormal' },
  pauseMtb: { type: 'number', default: 0, min: 0, group: 'faults', help: 'mean time between pause starts per node (s; starts are a Poisson process, a pause that starts during another extends it; 0 = none)' },
  pauseMean: { type: 'number', default: 1, greaterThan: 0, group: 'faults', help: 'mean pause length (s)' },
  pauseDist: { type: 'enum', default: 'exponential', choices: ['exponential', 'lognormal', 'pareto'], group: 'faults', help: 'pause-length distribution (GC-like: lognormal or Pareto tails), mean pauseMean' },
  pauseShape: { type: 'number', default: 1, greaterThan: 0, group: 'faults', help: 'lognormal: sigma of the underlying normal; pareto: shape alpha (must be > 1 for a finite mean)' },
  starveMtb: { type: 'number', default: 0, min: 0, group: 'faults', help: "mean time between observer starvations per node (s; Poisson; 0 = none): the node's failure-detector checks run late, heartbeats still flow" },
  starveMean: { type: 'number', default: 1, greaterThan: 0, group: 'faults', help: 'mean starvation length (s, exponential)' },
  spikeMtb: { type: 'number', default: 0, min: 0, group: 'faults', help: 'mean time between latency spikes per link, both directions, both channels (s; Poisson; 0 = none)' },
  spikeMean: { type: 'number', default: 5, greaterThan: 0, group: 'faults', help: 'mean spike length (s, exponential)' },
  spikeExtra: { type: 'number', default: 0.5, min: 0, group: 'faults', help: 'latency added during a spike (s)' },

  // ---- engine and recording ----
  heartbeatEvents: { type: 'enum', default: 'lazy', choices: ['lazy', 'deferred', 'kernel'], group: 'engine', help: "engine only, the same results byte for byte: how heartbeats are scheduled. 'kernel' = every heartbeat copy a kernel event (the reference); 'deferred' = copies that can only move a receiver's last heard later wait in their link and are applied when read; 'lazy' = while a sender is quiet its heartbeats are not events at all: each receiver's detector is fed the arrivals in order when needed and acts at its deadline, and a quiet controller's reconcile polls are drawn ahead. 'lazy' needs channels whose latencies are spread less than h apart (copies arrive in send order) and no message log; a configuration that cannot use it is refused" },
  recordMessages: { type: 'boolean', default: false, group: 'recording', help: 'keep a log of every message' },
  recordTimeline: { type: 'boolean', default: false, group: 'recording', help: 'keep a log of node and service state changes' },
  maxLogRows: { type: 'integer', default: 1_000_000, min: 1, group: 'recording', help: 'rows kept per log (messages, timeline); past it the log stops and says so' },
} as const;

export type HaConfig = ConfigOf<typeof HA_OPTIONS>;
export type RepairDist = HaConfig['repairDist'];
export type DetectorName = HaConfig['detector'];

export const DEFAULTS: HaConfig = defaultsOf(HA_OPTIONS);

/** Check a configuration; throws Error with a one-line message. */
export function validate(c: HaConfig): void {
  validateOptions(HA_OPTIONS, c as unknown as Record<string, unknown>);
  if (!detectorNames().includes(c.detector)) throw new Error(`detector must be one of ${detectorNames().join(', ')} (got ${c.detector})`);
  if (!failoverPolicyNames().includes(c.failoverPolicy)) throw new Error(`failoverPolicy must be one of ${failoverPolicyNames().join(', ')} (got ${c.failoverPolicy})`);
  if (c.activeNodes > c.nodes) throw new Error(`activeNodes (${c.activeNodes}) must not exceed nodes (${c.nodes})`);
  if (c.detector === 'timeout' && !(c.timeout > c.interval)) throw new Error(`timeout (${c.timeout}) must be greater than interval (${c.interval})`);
  if (c.netJitter > c.netLatency) throw new Error(`netJitter (${c.netJitter}) must not exceed netLatency (${c.netLatency})`);
  if (!lossModelNames().includes(c.lossModel)) throw new Error(`lossModel must be one of ${lossModelNames().join(', ')} (got ${c.lossModel})`);
  if (!latencyModelNames().includes(c.latencyModel)) throw new Error(`latencyModel must be one of ${latencyModelNames().join(', ')} (got ${c.latencyModel})`);
  if (c.lossModel === 'gilbert-elliott')
    for (const [name, p] of [['netLoss', c.netLoss], ['serialLoss', c.serialLoss]] as const)
      if (p > 0 && !(p > c.goodLoss && p < c.burstLoss)) throw new Error(`${name} (${p}) must lie between goodLoss (${c.goodLoss}) and burstLoss (${c.burstLoss}) with lossModel gilbert-elliott (or be 0)`);
  const dists = [latencyModel(c.latencyModel)(c, 0), latencyModel(c.latencyModel)(c, 1)];
  if (c.heartbeatEvents === 'lazy') {
    const spread = Math.max(dists[0].hi, dists[1].hi) - Math.min(dists[0].lo, dists[1].lo);
    if (!(spread < c.interval)) throw new Error(`heartbeatEvents lazy needs latencies spread less than the interval (${spread} s spread, h = ${c.interval} s): use heartbeatEvents deferred or kernel`);
    if (c.recordMessages) throw new Error('heartbeatEvents lazy keeps no message log: use heartbeatEvents deferred or kernel with recordMessages');
  }
  if (c.pauseDist === 'pareto' && c.pauseMtb > 0 && !(c.pauseShape > 1)) throw new Error(`pauseShape (${c.pauseShape}) must be > 1 for Pareto pauses (a finite mean)`);
}

export function makeConfig(over: Partial<HaConfig> = {}): HaConfig {
  const c = { ...DEFAULTS, ...over };
  validate(c);
  return c;
}
