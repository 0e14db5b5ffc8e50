/**
 * The HA paper's figures 5-7 step by step: one scripted crash of the active
 * node and its repair. Output: the incident's times, a timeline (state of
 * every node, holder of every service) and every message as a table.
 */
import type { ChartSpec, Experiment, Row } from '../src/runner/experiment.ts';
import { simulate, closedFormDetection, closedFormFailover } from '../src/models/ha/index.ts';
import { VEGA, configOf, detectorParams, detectorPoints, modelParams, presetsTable } from './ha-common.ts';

export const failover: Experiment = {
  name: 'failover',
  title: 'HA: one crash and repair, step by step (HA paper figures 5-7)',
  description:
    'Node A (active) crashes at crashAt and is repaired at repairAt; B (standby) detects the silence (figure 5), ' +
    'broadcasts the fault, polls the loads and takes the service over (figure 6); the repaired A boots, finds the ' +
    'take-over server with CHECK_IP and gets its service back with FAIL_BACK (figure 7). messages.csv lists every ' +
    'message (heartbeats included) with its channel and fate; timeline.csv the state changes.',
  seeds: 1,
  params: {
    ...detectorParams([0], "heartbeat interval h in seconds (0 = the preset's: paper 1, linux-ha 2, vrrp 1)"),
    loss: { type: 'number', default: [0], list: true, min: 0, max: 0.99, help: 'loss probability of every message on each channel' },
    crashAt: { type: 'number', default: 60, min: 0, help: 'time of the crash of node A (s)' },
    repairAt: { type: 'number', default: 300, min: 0, help: 'time node A is repaired and starts to boot (s)' },
    duration: { type: 'number', default: 400, greaterThan: 0, help: 'simulated time (s)' },
    heartbeatRows: { type: 'boolean', default: true, help: 'include heartbeats in messages.csv' },
    ...modelParams(),
  },
  points(params) {
    const pts = detectorPoints(params);
    for (const p of pts) {
      if (!((p.repairAt as number) > (p.crashAt as number))) throw new Error(`repairAt (${p.repairAt}) must be after crashAt (${p.crashAt})`);
      if (!((p.duration as number) > (p.repairAt as number))) throw new Error(`duration (${p.duration}) must be after repairAt (${p.repairAt})`);
    }
    return pts;
  },
  keys: ['incident'],
  metrics: [
    'crashAt', 'detectedAt', 'failoverDoneAt', 'serviceBackAt', 'repairedAt', 'failbackAt',
    'detection', 'detectionClosedForm', 'failover', 'failoverClosedForm', 'outage', 'failbackOutage',
    'availability', 'downtime', 'disconnectedUserSeconds', 'dualActiveTime', 'messages', 'heartbeats', 'lost',
  ],
  run(point, seed) {
    const cfg = configOf(point, { recordMessages: true, recordTimeline: true });
    const crashAt = point.crashAt as number, repairAt = point.repairAt as number;
    const { cluster, result } = simulate(cfg, seed, point.duration as number, (c) => {
      c.script(crashAt, (x) => x.crash(0));
      c.script(repairAt, (x) => x.repair(0));
    });
    // the fail-back outage: mean downtime per service minus the take-over outage (one incident)
    const inc0 = result.incidents[0];
    const fbOutage = inc0 ? result.downtime - (inc0.failoverDone - inc0.crash) : NaN;
    const rows: Row[] = result.incidents.map((inc, idx) => ({
      incident: idx + 1,
      crashAt: inc.crash,
      detectedAt: inc.detected,
      failoverDoneAt: inc.failoverDone,
      serviceBackAt: inc.serviceBack,
      repairedAt: inc.repaired,
      failbackAt: inc.failback,
      detection: inc.detected - inc.crash,
      detectionClosedForm: closedFormDetection(cfg),
      failover: inc.failoverDone - inc.detected,
      failoverClosedForm: closedFormFailover(cfg),
      outage: inc.failoverDone - inc.crash,
      failbackOutage: fbOutage,
      availability: result.availability,
      disconnectedUserSeconds: result.disconnectedUserSeconds,
      downtime: result.downtime,
      dualActiveTime: result.dualActiveTime,
      messages: result.protocolMessages,
      heartbeats: result.hbMessages,
      lost: result.messagesLost,
    }));
    const withHb = point.heartbeatRows as boolean;
    const messages: Row[] = cluster.messages
      .filter((m) => withHb || !m.type.startsWith('HEART_BEAT'))
      .map((m) => ({ time: m.time, from: m.from, to: m.to, channel: m.channel, type: m.type, status: m.status, arrival: m.arrival, info: m.info }));
    const timeline: Row[] = cluster.timeline.map((t) => ({ time: t.time, kind: t.kind, name: t.name, state: t.state }));
    return { rows, tables: { messages, timeline, presets: presetsTable() } };
  },
  charts(data) {
    const end = Number(data.points[0]?.duration ?? 400);
    const first = data.runs[0] ?? {};
    const tl = (data.tables.timeline ?? []).filter((r) => r.seed === first.seed && r.preset === first.preset && r.interval === first.interval);
    // state segments per lane
    const segs: Row[] = [];
    const lanes = new Map<string, Row[]>();
    for (const r of tl) {
      if (r.kind === 'event') continue;
      const lane = r.kind === 'node' ? `node ${r.name}` : `service ${r.name} on`;
      if (!lanes.has(lane)) lanes.set(lane, []);
      lanes.get(lane)!.push(r);
    }
    for (const [lane, rs] of lanes) {
      rs.forEach((r, i) => {
        const next = rs.slice(i + 1).find((x) => Number(x.time) > Number(r.time));
        const to = next ? Number(next.time) : end;
        if (i + 1 < rs.length && Number(rs[i + 1].time) === Number(r.time)) return; // superseded at the same instant
        segs.push({ lane, from: Number(r.time), to, state: String(r.state) });
      });
    }
    const events = tl.filter((r) => r.kind === 'event').map((r) => ({ lane: `node ${r.name}`, time: Number(r.time), what: String(r.state) }));
    const allMsgs = (data.tables.messages ?? [])
      .filter((r) => r.seed === first.seed && r.preset === first.preset && r.interval === first.interval && r.channel !== 'serial')
      .map((r) => ({ time: Number(r.time), arrow: `${r.from} -> ${r.to}`, type: String(r.type), status: String(r.status) }));
    const crashAt = Number(first.crashAt ?? 60), repairAt = Number(first.repairAt ?? 300);
    const det = Number(first.detectedAt ?? crashAt + 6);
    const fbAt = Number(first.failbackAt ?? repairAt + 80);
    const lane = (kind: 'node' | 'service', title: string, withEvents: boolean) => ({
      title,
      width: 640,
      height: kind === 'node' ? 70 : 40,
      layer: [
        {
          data: { values: segs.filter((x) => String(x.lane).startsWith(kind)) },
          mark: { type: 'bar', height: 16 },
          encoding: {
            y: { field: 'lane', type: 'nominal', title: null },
            x: { field: 'from', type: 'quantitative', title: 'time (s)', scale: { domain: [0, end] } },
            x2: { field: 'to' },
            color: { field: 'state', type: 'nominal', title: kind === 'node' ? 'node state' : 'service runs on', scale: { scheme: kind === 'node' ? 'tableau10' : 'set2' } },
            tooltip: [{ field: 'lane' }, { field: 'state' }, { field: 'from' }, { field: 'to' }],
          },
        },
        ...(withEvents
          ? [{
              data: { values: events },
              mark: { type: 'tick', color: 'black', thickness: 2, size: 22 },
              encoding: { y: { field: 'lane', type: 'nominal' }, x: { field: 'time', type: 'quantitative' }, tooltip: [{ field: 'what' }, { field: 'time' }] },
            }]
          : []),
      ],
    });
    const timelineChart: ChartSpec = {
      name: 'timeline',
      title: 'Timeline: node states and service holders',
      caption:
        'Top: the state of each node (black ticks: declaration, take-over, fake process, set-up, start, hand-back). ' +
        'Bottom: which node runs the service ("-" = nobody, "(starting)" = being taken over or failed back). First seed and point only.',
      spec: { $schema: VEGA, vconcat: [lane('node', 'nodes', true), lane('service', 'services', false)], resolve: { scale: { color: 'independent' } } },
    };
    const panel = (lo: number, hi: number, title: string, heartbeats: boolean) => ({
      title,
      width: 320,
      height: 200,
      data: { values: allMsgs.filter((m) => m.time >= lo && m.time <= hi && (heartbeats || !m.type.startsWith('HEART_BEAT'))) },
      mark: { type: 'point', filled: true, size: 60 },
      encoding: {
        x: { field: 'time', type: 'quantitative', title: 'time (s)', scale: { domain: [lo, hi], zero: false } },
        y: { field: 'type', type: 'nominal', title: null, sort: null },
        shape: { field: 'arrow', type: 'nominal', title: 'from -> to' },
        color: { field: 'status', type: 'nominal' },
        tooltip: [{ field: 'time' }, { field: 'arrow' }, { field: 'type' }, { field: 'status' }],
      },
    });
    const messagesChart: ChartSpec = {
      name: 'messages',
      title: 'Messages around the crash, the fail-over and the fail-back',
      caption:
        'Net copies only (the serial copies are in messages.csv; "local" = a node to itself). Left (figures 5 and 6): the heartbeats stop ' +
        'at the crash, the detector probes once (retry), declares the node failed, handles the fault and fails over. Right (figure 7): ' +
        'the repaired node asks CHECK_IP, sends FAIL_BACK, gets FAIL_BACK_OK; REJOIN and SYSTEM_LOAD are the reconcile poll.',
      spec: {
        $schema: VEGA,
        hconcat: [panel(crashAt - 3, det + 2, 'crash and fail-over (figures 5, 6)', true), panel(fbAt - 12, fbAt + 2, 'fail-back (figure 7)', false)],
      },
    };
    return [timelineChart, messagesChart];
  },
  report(data) {
    const out: string[] = [];
    for (const r of data.runs) {
      out.push(
        `preset ${r.preset} h=${r.h} T=${r.T} R=${r.R} loss=${r.loss}: crash ${fmt(r.crashAt)} s, detected ${fmt(r.detectedAt)} s ` +
          `(+${fmt(r.detection)} s; closed form mean ${fmt(r.detectionClosedForm)} s), service running on the take-over node ${fmt(r.failoverDoneAt)} s, ` +
          `users back ${fmt(r.serviceBackAt)} s, repaired ${fmt(r.repairedAt)} s, failed back ${fmt(r.failbackAt)} s (outage ${fmt(r.failbackOutage)} s); ` +
          `availability ${(Number(r.availability) * 100).toFixed(3)}%`,
      );
    }
    return out;
  },
};

function fmt(v: unknown): string {
  const x = Number(v);
  return Number.isFinite(x) ? x.toFixed(3) : String(v);
}
