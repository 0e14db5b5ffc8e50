/**
 * Large clusters: SWIM and Lifeguard from 16 to thousands of members on the
 * same faults and seeds. Per run: detection time (a crash to the first
 * suspicion), time until every live member holds the crashed one dead, false
 * positives per member-hour, messages per member per second; and the SWIM
 * paper's checks: protocol periods to first detection (e/(e-1) with random
 * targets in aligned rounds) and a load per member that does not grow with N.
 */
import type { ChartSpec, Experiment, Row } from '../src/runner/experiment.ts';
import { MembershipGroup, MEMBERSHIP_PRESETS, type MembershipConfig } from '../src/models/membership/index.ts';
import { VEGA } from './ha-common.ts';

const PROTOCOLS = ['swim', 'lifeguard', 'k-monitors', 'all-to-all'] as const;
export const FAULTS = ['crashes', 'slow members', 'path loss', 'rack partition', 'mass restart'] as const;

const mean = (v: number[]) => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN);

/** The faults of a workload on a group of n members over `duration` seconds. */
function faultsOf(name: string, n: number, duration: number): { over: Partial<MembershipConfig>; script?: (g: MembershipGroup) => void } {
  switch (name) {
    case 'crashes':
      // about 30 crashes per run whatever the size: mtbf grows with n
      return { over: { mtbf: (n * duration) / 30, mttr: 60 } };
    case 'slow members':
      // Lifeguard's evaluation: a few CPU-starved members (their processing waits 2 s on average)
      return { over: { slowShare: 0.05, slowDelay: 2 } };
    case 'path loss':
      // every path to one member loses 60% (a failing sidecar proxy); crashes too, for detections
      return { over: { mtbf: (n * duration) / 30, mttr: 60 }, script: (g) => g.pathLoss(n - 1, 0.6) };
    case 'rack partition':
      // 4 racks; one is cut off for two minutes in the middle of the run
      return { over: { racks: 4 }, script: (g) => (g.sim.at(duration / 2, () => g.partitionRack(0, true)), g.sim.at(duration / 2 + 120, () => g.partitionRack(0, false))) };
    case 'mass restart':
      // half the members crash at once and come back a minute later
      return { over: {}, script: (g) => g.massRestart(duration / 3, 0.5, 60) };
  }
  throw new Error(`unknown fault workload '${name}'`);
}

export const membership: Experiment = {
  name: 'membership',
  title: 'Large clusters: SWIM, Lifeguard and k monitors, 16 to thousands of members',
  description:
    'Each member watches the group with SWIM (probe, indirect probes, suspicion, piggybacked dissemination) or with Lifeguard (SWIM with local health aware probe and ' +
    "suspicion and the buddy system; memberlist's LAN defaults: probe 1 s, timeout 500 ms, 3 indirect probes, suspicion 4 x max(1, log10 N) s up to 6x). " +
    "Workloads: random crashes; 5% slow (CPU-starved) members; one member whose every path loses 60%; a rack cut off for 2 minutes; half the group restarting at once. " +
    'Both protocols see the same faults and seeds. The HA fail-over runs on the views: every member runs its home service and those its own view gives it (the paper\'s policy among the 3 live members after a dead home, 2 s to take over). docs/membership.md has the rules.',
  seeds: 2,
  // two and a half minutes on 2 cores: run by name (npm run results runs it)
  outsideAll: true,
  paired: ['protocol'],
  params: {
    protocol: { type: 'enum', default: ['swim', 'lifeguard', 'k-monitors'], choices: PROTOCOLS, list: true, help: "membership protocols ('all-to-all' watches N x N pairs: at most 2,000 members)" },
    nodes: { type: 'integer', default: [16, 64, 256, 1024], min: 3, max: 20000, list: true, help: 'members' },
    faults: { type: 'enum', default: [...FAULTS], choices: FAULTS, list: true, help: 'fault workloads (see the description)' },
    duration: { type: 'number', default: 600, greaterThan: 0, max: 86400, help: 'simulated seconds per run' },
    loss: { type: 'number', default: 0.001, min: 0, max: 0.99, help: 'loss probability of every message' },
  },
  // microseconds of CPU per run: about 2.5 us per member-second
  cost: (p) => 2.5 * (p.nodes as number) * (p.duration as number),
  keys: [],
  metrics: ['detectionMean', 'allKnowMean', 'crashes', 'falsePositivesPerNodeHour', 'falsePositives', 'messagesPerNodeSecond', 'serviceDownPerCrash', 'splitPerNodeHour', 'falseFailoversPerNodeHour'],
  metricInfo: {
    detectionMean: { unit: 's', meaning: "a crash to the first suspicion of it by a member's own probe or heartbeat check, mean over crashes" },
    allKnowMean: { unit: 's', meaning: 'a crash until every live member holds it dead, mean over the crashes that got there before the member came back' },
    crashes: { unit: 'count', meaning: 'members that crashed in the run' },
    falsePositivesPerNodeHour: { unit: '1/member-h', meaning: 'members declared dead by a suspicion that ran out while they ran (at an incarnation of their present life), per member-hour' },
    falsePositives: { unit: 'count', meaning: 'the same, in the run' },
    messagesPerNodeSecond: { unit: '1/member-s', meaning: 'messages sent per member per second (pings, acks, ping-reqs, nacks; heartbeats)' },
    serviceDownPerCrash: { unit: 's', meaning: "HA fail-over on the views: a home's crash until a member runs its service again (its taker, after its own view held the home dead and the 2 s take-over, or the home back), mean over crashes" },
    splitPerNodeHour: { unit: 's/member-h', meaning: 'HA fail-over on the views: seconds a service ran on two members or more at once (a taker and a live or returned home whose views disagree), per member-hour' },
    falseFailoversPerNodeHour: { unit: '1/member-h', meaning: 'HA fail-over on the views: services taken over while their home ran, per member-hour' },
  },
  mainMetrics: ['detectionMean', 'allKnowMean', 'falsePositivesPerNodeHour', 'messagesPerNodeSecond', 'serviceDownPerCrash', 'falseFailoversPerNodeHour'],
  run(point, seed) {
    const n = point.nodes as number, duration = point.duration as number;
    const f = faultsOf(point.faults as string, n, duration);
    const g = new MembershipGroup({ ...MEMBERSHIP_PRESETS['memberlist-lan'], protocol: point.protocol as MembershipConfig['protocol'], nodes: n, loss: point.loss as number, failover: true, ...f.over }, seed);
    f.script?.(g);
    const r = g.run(duration);
    const row: Row = {
      detectionMean: mean(r.crashes.map((c) => c.detection).filter((x) => !Number.isNaN(x))),
      allKnowMean: mean(r.crashes.map((c) => c.allKnow).filter((x) => !Number.isNaN(x))),
      crashes: r.crashes.length,
      falsePositivesPerNodeHour: r.falsePositivesPerNodeHour,
      falsePositives: r.falsePositives,
      messagesPerNodeSecond: r.messagesPerNodeSecond,
      serviceDownPerCrash: r.services!.downPerCrash,
      splitPerNodeHour: r.services!.splitSeconds / ((n * duration) / 3600),
      falseFailoversPerNodeHour: r.services!.falseFailovers / ((n * duration) / 3600),
    };
    return { rows: [row] };
  },
  charts(data) {
    const values = (metric: string) => data.summary.filter((r) => r.metric === metric).map((r) => ({ protocol: r.protocol, nodes: Number(r.nodes), faults: r.faults, v: Number(r.mean) }));
    const panel = (metric: string, _title: string, log = false): Record<string, unknown> => ({
      $schema: VEGA,
      data: { values: values(metric).filter((x) => Number.isFinite(x.v) && (!log || x.v > 0)) },
      facet: { field: 'faults', type: 'nominal', title: null, sort: [...FAULTS] },
      columns: 3,
      spec: {
        width: 170,
        height: 130,
        mark: { type: 'line', point: { filled: true, size: 30 } },
        encoding: {
          x: { field: 'nodes', type: 'quantitative', title: 'members (log)', scale: { type: 'log' }, axis: { values: [16, 64, 256, 1024, 4096, 16384], format: 'd' } },
          // the unit is in the chart's title (a title per panel would overlap in the wrapped facets)
          y: { field: 'v', type: 'quantitative', title: null, ...(log ? { scale: { type: 'log' }, axis: { values: [0.001, 0.01, 0.1, 1, 10, 100, 1000, 10000, 100000], format: '~g' } } : {}) },
          color: { field: 'protocol', type: 'nominal', title: 'protocol' },
        },
      },
    });
    const charts: ChartSpec[] = [
      { name: 'load', title: 'Messages per member per second, against the group size', caption: 'SWIM\'s load per member does not grow with N: one probe (ping and ack) per period, more only while members are suspected (indirect probes, nacks). Mean over seeds.', spec: panel('messagesPerNodeSecond', 'messages / member / s') },
      { name: 'detection', title: 'Seconds until every member knows of a crash', caption: 'From a crash until every live member holds the crashed one dead: detection, the suspicion timeout (grows with log10 N; Lifeguard starts at 6 times it and shrinks with confirmations) and dissemination. Mean over crashes and seeds.', spec: panel('allKnowMean', 'all know (s)') },
      { name: 'service-down', title: 'Seconds a crashed home\'s service runs nowhere', caption: 'Every member runs the services its own view gives it (the paper\'s policy among the 3 live members after a dead home); a crashed home\'s service runs again when its taker\'s view holds the home dead, after a 2 s take-over, or when the home is back. Mean over crashes and seeds; workloads without crashes have no point.', spec: panel('serviceDownPerCrash', 'down per crash (s)') },
      { name: 'false-positives', title: 'False positives per member-hour (log)', caption: 'Members declared dead while they ran. Under slow (CPU-starved) members SWIM declares healthy members dead by the thousands; Lifeguard\'s local health awareness keeps the slow members from it. Workloads with none have no point (log scale).', spec: panel('falsePositivesPerNodeHour', 'false positives / member-h (log)', true) },
    ];
    return charts;
  },
};
