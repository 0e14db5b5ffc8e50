/**
 * The HA paper's figures 5-7 step by step: one scripted crash of the active
 * node and its repair. Output: the incident's times, a timeline (state of
 * every node, holder of every service) and every message as a table.
 */
import { HA_METRICS } from './ha-metrics.ts';
import type { ChartSpec, Experiment, Row } from '../src/runner/experiment.ts';
import { simulate, closedFormDetection, closedFormFailover } from '../src/models/ha/index.ts';
import { holderScale, nodeStateScale, outages, timelineSegments } from '../src/output/timeline.ts';
import { VEGA, checkPoints, configOf, detectorParams, detectorPoints, haCost, modelParams, presetsTable } from './ha-common.ts';

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
    ...detectorParams(undefined, "heartbeat interval h in seconds (left out: the preset's: paper 1, linux-ha 2, vrrp 1, akka 1, cassandra 1)"),
    loss: { type: 'number', default: [0], list: true, min: 0, max: 0.99, help: 'loss probability of every message on each channel' },
    crashAt: { type: 'number', default: 60, min: 0, help: 'time of the crash of node A (s)' },
    repairAt: { type: 'number', default: 300, min: 0, help: 'time node A is repaired and starts to boot (s)' },
    duration: { type: 'number', default: 400, greaterThan: 0, help: 'simulated time (s)' },
    heartbeatRows: { type: 'boolean', default: true, help: 'include heartbeats in messages.csv' },
    maxLogRows: { type: 'integer', default: 200_000, min: 1, help: 'rows kept per log (messages, timeline); past it the log stops and notes.csv says when (a 16-node cluster at h = 0.1 s sends 24,000 heartbeat copies a second)' },
    ...modelParams(['maxLogRows', 'heartbeatEvents']),
    heartbeatEvents: {
      ...modelParams().heartbeatEvents, default: 'deferred',
      help: "the heartbeat schedule (the same results from each): 'deferred' (default here: messages.csv lists every message, which 'lazy' does not keep) or 'kernel'",
    },
  },
  cost: (p) => haCost(p, { recordMessages: true, recordTimeline: true }),
  points(params) {
    const pts = detectorPoints(params);
    for (const p of pts) {
      if (!((p.repairAt as number) > (p.crashAt as number))) throw new Error(`repairAt (${p.repairAt}) must be after crashAt (${p.crashAt})`);
      if (!((p.duration as number) > (p.repairAt as number))) throw new Error(`duration (${p.duration}) must be after repairAt (${p.repairAt})`);
    }
    return checkPoints(pts, (p) => p.duration as number, () => ({ recordMessages: true, recordTimeline: true }));
  },
  metricInfo: HA_METRICS,
  mainMetrics: ['detection', 'failover', 'outage', 'failbackOutage', 'availability', 'dualActiveTime'],
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
    // the logs' records are rows already (plain fields): no copy of a log that may hold its cap
    const messages = (withHb ? cluster.messages : cluster.messages.filter((m) => !m.type.startsWith('HEART_BEAT'))) as unknown as Row[];
    const timeline = cluster.timeline as unknown as Row[];
    const notes: Row[] = result.notes.map((note) => ({ note }));
    return { rows, tables: { messages, timeline, presets: presetsTable(), ...(notes.length ? { notes } : {}) } };
  },
  charts(data) {
    const end = Number(data.points[0]?.duration ?? 400);
    const first = data.runs[0] ?? {};
    const same = (r: Row) => r.seed === first.seed && r.preset === first.preset && r.interval === first.interval;
    const tl = (data.tables.timeline ?? []).filter(same);
    const crashAt = Number(first.crashAt ?? 60), repairAt = Number(first.repairAt ?? 300);
    const det = Number(first.detectedAt ?? crashAt + 6);
    const doneAt = Number(first.failoverDoneAt ?? det + 8);
    const fbAt = Number(first.failbackAt ?? repairAt + 80);
    // the repaired node's first state after booting: where the fail-back protocol starts
    const fbStart = Math.min(
      fbAt,
      ...tl.filter((r) => r.kind === 'node' && Number(r.time) > repairAt && r.state !== 'booting').map((r) => Number(r.time)),
    );
    // state segments per lane
    const segs = timelineSegments(tl, end).segments;
    const events = tl.filter((r) => r.kind === 'event').map((r): Row => ({ event: `${r.name}: ${r.state}`, time: Number(r.time) }));
    const eventOrder = [...new Set(events.map((e) => String(e.event)))];
    // colours by meaning (src/output/timeline.ts): node up green, down red, the steps back in ambers; a service running in cool hues, its outage in warm ones
    const nodeScale = nodeStateScale(segs.filter((x) => x.kind === 'node').map((x) => String(x.state)));
    const holderSc = holderScale(segs.filter((x) => x.kind === 'service').map((x) => String(x.state)));
    // the outage (users without service), marked across every panel as a pale red band
    const outage = outages(segs);
    const windows: [number, number, string][] = [
      [0, end, `whole run (0-${end} s)`],
      [Math.max(0, crashAt - 2), doneAt + 2, 'crash and take-over'],
      [fbStart - 2, Math.min(end, fbAt + 2), 'fail-back'],
    ];
    const clip = (lo: number, hi: number, kind: string) =>
      segs.filter((x) => x.kind === kind && Number(x.to) > lo && Number(x.from) < hi).map((x): Row => ({ ...x, from: Math.max(lo, Number(x.from)), to: Math.min(hi, Number(x.to)) }));
    const part = (what: 'node' | 'event' | 'service', [lo, hi, title]: [number, number, string], col: number) => {
      const x = { field: 'from', type: 'quantitative', title: what === 'service' ? 'time (s)' : null, scale: { domain: [lo, hi], nice: false, zero: false } };
      const yAxis = { labelLimit: 400 };
      const width = 420;
      // the colours are fixed by their domains: one legend (under the first window) serves all three
      const legend = col === 0 ? { columns: 3 } : null;
      const band = {
        data: { values: outage.filter((o) => Number(o.to) > lo && Number(o.from) < hi).map((o) => ({ ...o, from: Math.max(lo, Number(o.from)), to: Math.min(hi, Number(o.to)) })) },
        mark: { type: 'rect', color: '#d62728', opacity: 0.1 },
        encoding: { x, x2: { field: 'to' } },
      };
      if (what === 'event') {
        return {
          width,
          height: 14 * Math.max(1, eventOrder.length),
          layer: [band, {
            data: { values: events.filter((e) => Number(e.time) >= lo && Number(e.time) <= hi) },
            mark: { type: 'point', shape: 'diamond', filled: true, color: 'black', size: 50, opacity: 1 },
            encoding: {
              x: { ...x, field: 'time' },
              y: { field: 'event', type: 'nominal', title: null, sort: eventOrder, scale: { domain: eventOrder }, axis: yAxis },
              tooltip: [{ field: 'event' }, { field: 'time', format: '.3f' }],
            },
          }],
        };
      }
      const isNode = what === 'node';
      return {
        title: isNode ? title : undefined,
        width,
        height: isNode ? 44 : 22,
        layer: [band, {
          data: { values: clip(lo, hi, what) },
          mark: { type: 'bar', height: 16 },
          encoding: {
            y: { field: 'lane', type: 'nominal', title: null, axis: yAxis },
            x,
            x2: { field: 'to' },
            color: isNode
              ? { field: 'state', type: 'nominal', title: 'node state', scale: nodeScale, legend }
              : { field: 'state', type: 'nominal', title: 'service runs on', scale: holderSc, legend },
            tooltip: [{ field: 'lane' }, { field: 'state' }, { field: 'from', format: '.3f' }, { field: 'to', format: '.3f' }],
          },
        }],
      };
    };
    const timelineChart: ChartSpec = {
      name: 'timeline',
      title: 'Timeline: node states and service holders',
      caption:
        'From top to bottom: the whole run, then the crash and take-over, then the fail-back, zoomed. In each: the state of each node, then the events ' +
        'of the take-over and fail-back (black diamonds, one row each: declaration, take-over, fake process, set-up, start, hand-back), then ' +
        'which node runs the service. Colours say what a state means: a node up is green, crashed red, paused purple, and its steps back to service ' +
        '(booting to starting) amber, darker as it nears the end; a service running is a cool hue per node (magenta while two nodes run it: split brain), and its outage is warm: "-" = nobody ' +
        'runs it (red), "(starting)" = being started there (orange), "(stopping)" = being handed back (pink). The outage, when users have no ' +
        'service, is also a pale red band across each window. First seed and point only.',
      spec: {
        $schema: VEGA,
        // the windows one above the other (a figure a page wide), each: node states, events, service holders
        vconcat: windows.map((w, col) => ({ vconcat: (['node', 'event', 'service'] as const).map((what) => part(what, w, col)), spacing: 6, resolve: { scale: { color: 'independent' } } })),
        spacing: 18,
        resolve: { scale: { color: 'independent' } },
      },
    };
    const allMsgs = (data.tables.messages ?? [])
      .filter((r) => same(r) && r.channel !== 'serial')
      .map((r) => ({ time: Number(r.time), arrow: `${r.from} -> ${r.to}`, type: String(r.type), status: String(r.status) }))
      .sort((p, q) => (p.status === 'dropped' ? 1 : 0) - (q.status === 'dropped' ? 1 : 0)); // dropped copies drawn on top
    const arrows = [...new Set(allMsgs.map((m) => m.arrow))].sort();
    const statuses = [...new Set(allMsgs.map((m) => m.status))].sort();
    const panel = (lo: number, hi: number, title: string, heartbeats: boolean, marks: { t: number; text: string }[]) => {
      const x = { field: 'time', type: 'quantitative', title: 'time (s)', scale: { domain: [lo, hi], zero: false, nice: false } };
      const values = allMsgs.filter((m) => m.time >= lo && m.time <= hi && (heartbeats || !m.type.startsWith('HEART_BEAT')));
      const types = [...new Set(values.map((m) => m.type))];
      return {
        title,
        width: 420,
        height: 30 * Math.max(3, types.length),
        layer: [
          { data: { values: marks }, mark: { type: 'rule', color: '#888', strokeDash: [3, 3] }, encoding: { x: { ...x, field: 't' } } },
          // the first label right of its rule, the second left of its rule, so both stay inside the panel
          ...marks.map((m, i) => ({
            data: { values: [m] },
            mark: { type: 'text', align: i === 0 ? 'left' : 'right', baseline: 'top', dx: i === 0 ? 3 : -3, dy: 2, color: '#555', fontStyle: 'italic' },
            encoding: { x: { ...x, field: 't' }, y: { value: 0 }, text: { field: 'text' } },
          })),
          {
            data: { values },
            mark: { type: 'point', size: 55, opacity: 1, filled: true },
            encoding: {
              x,
              y: { field: 'type', type: 'nominal', title: null, sort: types, scale: { paddingInner: 0.25 } },
              yOffset: { field: 'arrow', type: 'nominal', sort: arrows, scale: { domain: arrows } },
              // a dropped copy: a black cross over its sub-row
              color: {
                condition: { test: "datum.status !== 'delivered'", value: 'black' },
                field: 'arrow', type: 'nominal', title: 'from -> to', scale: { domain: arrows, scheme: 'tableau10' },
              },
              shape: {
                field: 'status', type: 'nominal', title: 'status',
                scale: { domain: statuses, range: statuses.map((st) => (st === 'delivered' ? 'circle' : 'cross')) },
                legend: { symbolFillColor: 'black', symbolStrokeColor: 'black' },
              },
              tooltip: [{ field: 'time', format: '.4f' }, { field: 'arrow' }, { field: 'type' }, { field: 'status' }],
            },
          },
        ],
      };
    };
    const messagesChart: ChartSpec = {
      name: 'messages',
      title: 'Messages around the crash, the fail-over and the fail-back',
      caption:
        'Each message copy sent on the net or locally (a node to itself; the serial copies are in messages.csv): one row per message type, split into ' +
        'sub-rows and colours by sender -> receiver; coloured circles were delivered, black crosses dropped (e.g. sent to a crashed node). Dashed rules mark the crash, ' +
        'the declaration and the fail-back. Top (figures 5 and 6), heartbeats included: the heartbeats from A stop at the crash, B probes once (retry), ' +
        'declares A failed, handles the fault and fails over. Below (figure 7), heartbeats left out: the repaired A hears REJOIN, asks CHECK_IP, ' +
        'sends FAIL_BACK and gets FAIL_BACK_OK; SYSTEM_LOAD and its answers are the controller\'s load polls.',
      spec: {
        $schema: VEGA,
        vconcat: [
          panel(crashAt - 3, det + 2, 'crash and fail-over (figures 5, 6)', true, [{ t: crashAt, text: 'A crashes' }, { t: det, text: 'B declares A' }]),
          panel(fbStart - 2, fbAt + 2, 'fail-back (figure 7)', false, [{ t: fbStart, text: 'A booted' }, { t: fbAt, text: 'A runs it again' }]),
        ],
        resolve: { scale: { color: 'shared', shape: 'shared' } },
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
    for (const n of data.tables.notes ?? []) out.push(`note (seed ${n.seed}): ${n.note}`);
    return out;
  },
};

function fmt(v: unknown): string {
  const x = Number(v);
  return Number.isFinite(x) ? x.toFixed(3) : String(v);
}
