/**
 * gamesim, the library: a deterministic discrete-event kernel, the MMORPG
 * load-balancing model, the heartbeat high-availability model, and the runner
 * and writers the experiments use. Everything exported here is the public
 * API (documented in the README's "Library" section and by `npm run docs`);
 * everything else is internal.
 *
 * @packageDocumentation
 */

// ---- kernel: event queue, clock, seeded streams ----
export { Sim, SchedulingError, MAX_PRIORITY, type Handler, type EventHandle } from './kernel/sim.ts';
export { Stream, Streams, KeyedStream, deriveSeed } from './kernel/random.ts';
export { defaultsOf, validateOptions, checkOption, type OptionSpec, type Schema, type ConfigOf, type ValueOf } from './schema.ts';

// ---- load balancing ----
export {
  runScheme, generateArrivals, resolveOptions, registerScheme, schemeNames, makeScheme, World,
  SCHEMES, DEFAULTS as LB_DEFAULTS,
  type LbOptions, type LbResult, type Scheme, type SchemeFactory, type SchemeName, type Migration, type RunHooks, type Arrivals,
  type CellChoice, type BucketMetrics, type MigrationRecord, type RunMetrics,
  runWorld, resolveWorld, WORLD_OPTIONS, WORLD_DEFAULTS,
  type WorldConfig, type WorldResult, type WorldTotals, type WorldSample, type WorldHooks, type WorldContext, type HotSpot, type Moves,
} from './models/lb/index.ts';

// ---- high availability ----
export {
  simulate, HaCluster, makeConfig, validate as validateHaConfig, HA_OPTIONS, DEFAULTS as HA_DEFAULTS, PRESETS, PRESET_NAMES, resolveDetector,
  registerDetector, detectorNames, makeDetector, TimeoutDetector, PhiDetector, AdaptiveDetector, phiNormal, phiExponential,
  registerLossModel, registerLatencyModel, lossModelNames, latencyModelNames, LossPositions, Signals, CHANNELS,
  applyFault, FAULT_VERBS, simulateSingle,
  closedFormDetection, closedFormFailover, closedFormFailbackOutage, availabilityHa, availabilityNoHa, doubleFailureFraction, SECONDS_PER_YEAR,
  type HaConfig, type HaResult, type Incident, type Detection, type Fault, type FaultVerb, type FaultTarget,
  type FailureDetector, type DetectorFactory, type DetectorPort, type QuietStream, type HeartbeatArrivals, type MessageRecord, type TimelineRecord, type ChannelSel, type ChannelName, type SingleResult,
  type Preset, type PhiOptions, type LossModel, type LossProcess, type LatencyModel, type LatencyDist, type SignalMap, type SignalName,
} from './models/ha/index.ts';

// ---- the one world: the LB world in time on a heartbeat HA cluster ----
export {
  runOneWorld, oneWorldHa, resolveOneWorld, ONE_WORLD_OPTIONS, ONE_WORLD_DEFAULTS, OW_METRIC_INFO,
  type OneWorldConfig, type OneWorldResult, type OneWorldTotals, type OneWorldSample, type OneWorldView, type OneWorldHooks,
  type Incident as WorldIncident, type MetricInfo,
} from './models/oneworld/index.ts';
export { registerFailoverPolicy, failoverPolicyNames, type FailoverPolicy, type Candidate } from './models/ha/failover.ts';
export { schemeHasFailover } from './models/lb/schemes.ts';

// ---- membership at scale: SWIM and Lifeguard ----
export {
  MembershipGroup, MEMBERSHIP_OPTIONS, MEMBERSHIP_DEFAULTS, MEMBERSHIP_PRESETS, resolveMembership, registerMembershipProtocol, membershipProtocolNames,
  type MembershipConfig, type MembershipResult, type Crash, type ProtocolTraits,
} from './models/membership/index.ts';

// ---- traces: heartbeat and player measurements in, a fitted channel out ----
export {
  parseHeartbeatTrace, parseHeartbeatCsv, parsePing, parseRipeAtlas, loadHeartbeatTrace, traceSummary, TRACE_FORMATS,
  type HeartbeatTrace, type TraceFormat,
} from './traces/heartbeat.ts';
export { fitChannel, fitGilbertElliott, ksDistance, quantileTable, lossRuns, type ChannelFit, type GilbertElliottFit } from './traces/fit.ts';
export { parsePlayerTrace, loadPlayerTrace, type PlayerTrace, type PlayerSession } from './traces/players.ts';
export { poissonUpper, poissonCdf } from './traces/bounds.ts';

// ---- runner: points x seeds on worker threads ----
export { runExperiment, expandPoints, summarizeRuns, type RunOptions, type ExperimentResult } from './runner/run.ts';
export type { Task, TaskResult } from './runner/task.ts';
export { resolveParams, parseValue, UsageError } from './runner/params.ts';
export { cartesian, type Experiment, type ParamSpec, type Params, type Point, type Row, type Value, type RunOutput, type ChartSpec, type ChartData } from './runner/experiment.ts';
export { summarize, type Summary } from './runner/stats.ts';

// ---- scenario files ----
export { loadScenario, ScenarioError, type Scenario, type HaScenario, type LbScenario, type Axis, type LinkSetting } from './scenario/load.ts';
export { scenarioExperiment, scenarioModule } from './scenario/experiment.ts';
export { scenarioSchema, type Json } from './scenario/schema.ts';

// ---- output: CSV, charts, meta.json, the HTML index ----
export { writeExperiment, type WriteOptions, type Written } from './output/write.ts';
export { writeIndex } from './output/html.ts';
export { toCsv, formatValue } from './output/csv.ts';
export { renderSvg, svgToPng } from './output/charts.ts';
