/**
 * Heartbeat and latency traces: measured fates of a stream of messages (sent
 * at a time, received after a one-way latency, or lost), read from three
 * common forms. Each parser takes the text and returns the trace or throws
 * a one-line Error naming the line and the problem; `loadHeartbeatTrace`
 * reads a file (any of the three, told apart by content unless named).
 *
 * - csv: `seq,send,receive` (seconds; an empty receive is a loss; a header
 *   line and `#` comments are allowed), the form a heartbeat log or a
 *   tcpdump export is put in (docs/traces.md);
 * - ping: Linux iputils `ping -D` output (`[epoch] 64 bytes from ...:
 *   icmp_seq=N ... time=X ms`); a sequence number missing between two that
 *   came back, or a `no answer yet for icmp_seq=N` line (-O), is a loss; the
 *   one-way latency is half the round trip;
 * - ripe-atlas: RIPE Atlas ping results (a JSON array, or one result per
 *   line): each packet of each result in time order, `{rtt}` received (half
 *   the round trip, ms), `{x: '*'}` lost.
 */
import { parse } from 'csv-parse/sync';
import { readTrace } from './read.ts';

export { MAX_TRACE_BYTES } from './read.ts';

export interface HeartbeatTrace {
  /** Send times (s, increasing). */
  send: Float64Array;
  /** One-way latency of each message (s), NaN when it was lost. */
  latency: Float64Array;
  format: TraceFormat;
}

export const TRACE_FORMATS = ['csv', 'ping', 'ripe-atlas'] as const;
export type TraceFormat = (typeof TRACE_FORMATS)[number];

function trace(format: TraceFormat, send: number[], latency: number[]): HeartbeatTrace {
  if (send.length === 0) throw new Error('no messages in the trace');
  if (latency.every((x) => Number.isNaN(x))) throw new Error('every message of the trace was lost: nothing to learn a latency from');
  return { send: Float64Array.from(send), latency: Float64Array.from(latency), format };
}

/** `seq,send,receive` rows (seconds; empty receive: lost), sorted by sequence number. */
export function parseHeartbeatCsv(text: string): HeartbeatTrace {
  let rows: string[][];
  try {
    rows = parse(text, { comment: '#', skip_empty_lines: true, trim: true, relax_column_count: true }) as string[][];
  } catch (e) {
    throw new Error(`not valid CSV: ${(e as Error).message.split('\n')[0]}`);
  }
  if (rows.length && rows[0].some((c) => c !== '' && !Number.isFinite(Number(c)))) rows = rows.slice(1); // a header
  const out: Array<[number, number, number]> = [];
  rows.forEach((r, i) => {
    const line = `row ${i + 1}`;
    if (r.length < 2 || r.length > 3) throw new Error(`${line}: expected seq,send,receive (got ${r.length} fields)`);
    const [seq, send] = [Number(r[0]), Number(r[1])];
    if (!Number.isInteger(seq) || seq < 0) throw new Error(`${line}: seq '${r[0]}' is not a non-negative integer`);
    if (!Number.isFinite(send)) throw new Error(`${line}: send '${r[1]}' is not a time in seconds`);
    const recv = r[2] === undefined || r[2] === '' ? NaN : Number(r[2]);
    if (r[2] !== undefined && r[2] !== '' && !Number.isFinite(recv)) throw new Error(`${line}: receive '${r[2]}' is not a time in seconds (empty: lost)`);
    if (recv < send) throw new Error(`${line}: received at ${recv} before it was sent at ${send} (the two clocks differ: subtract their offset)`);
    out.push([seq, send, recv - send]);
  });
  out.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < out.length; i++) if (out[i][0] === out[i - 1][0]) throw new Error(`seq ${out[i][0]} is given twice`);
  return trace('csv', out.map((x) => x[1]), out.map((x) => x[2]));
}

/** Linux iputils `ping -D` output. */
export function parsePing(text: string): HeartbeatTrace {
  const got = new Map<number, { t: number; rtt: number }>();
  const unanswered = new Set<number>();
  const lines = text.split(/\r?\n/);
  lines.forEach((l, i) => {
    const ts = /^\[(\d+(?:\.\d+)?)\]/.exec(l);
    const seq = /icmp_seq=(\d+)/.exec(l);
    if (!seq) return;
    if (!ts) throw new Error(`line ${i + 1}: no [epoch] timestamp (run ping with -D)`);
    const n = Number(seq[1]);
    if (/no answer yet/.test(l)) {
      unanswered.add(n);
      return;
    }
    const rtt = /time=(\d+(?:\.\d+)?) ms/.exec(l);
    if (!rtt || /DUP!/.test(l)) return;
    if (!got.has(n)) got.set(n, { t: Number(ts[1]), rtt: Number(rtt[1]) / 1000 });
  });
  if (got.size === 0) throw new Error('no ping replies found (expected lines like "[1733478000.123] 64 bytes from ...: icmp_seq=1 ttl=64 time=0.5 ms")');
  const seqs = [...got.keys(), ...unanswered].sort((a, b) => a - b);
  const first = seqs[0], last = Math.max(...got.keys());
  // the send interval: the median gap between the send times of consecutive replies
  const sends = [...got.entries()].sort((a, b) => a[0] - b[0]).map(([n, r]) => [n, r.t - r.rtt] as const);
  const gaps: number[] = [];
  for (let i = 1; i < sends.length; i++) gaps.push((sends[i][1] - sends[i - 1][1]) / (sends[i][0] - sends[i - 1][0]));
  gaps.sort((a, b) => a - b);
  const h = gaps.length ? gaps[Math.floor(gaps.length / 2)] : 1;
  // a lost one's send time: between the replies around it, in proportion to the sequence numbers (past the ends: the median interval)
  const send: number[] = [], latency: number[] = [];
  let j = 0;
  for (let n = first; n <= last; n++) {
    const r = got.get(n);
    while (j < sends.length - 1 && sends[j + 1][0] <= n) j++;
    const [na, ta] = sends[j];
    const after = sends[j + 1];
    const at = n < na ? ta - (na - n) * h : after ? ta + ((n - na) * (after[1] - ta)) / (after[0] - na) : ta + (n - na) * h;
    send.push(r ? r.t - r.rtt : at);
    latency.push(r ? r.rtt / 2 : NaN);
  }
  return trace('ping', send, latency);
}

/** RIPE Atlas ping results (a JSON array, or one JSON result per line). */
export function parseRipeAtlas(text: string): HeartbeatTrace {
  let results: unknown[];
  const t = text.trim();
  try {
    results = t.startsWith('[') ? (JSON.parse(t) as unknown[]) : t.split(/\r?\n/).filter((l) => l.trim()).map((l) => JSON.parse(l) as unknown);
  } catch (e) {
    throw new Error(`not valid RIPE Atlas JSON: ${(e as Error).message.split('\n')[0]}`);
  }
  const packets: Array<[number, number, number]> = [];
  results.forEach((r, i) => {
    const x = r as { type?: string; timestamp?: number; result?: Array<Record<string, unknown>> };
    if (x === null || typeof x !== 'object' || x.type !== 'ping' || !Array.isArray(x.result) || typeof x.timestamp !== 'number')
      throw new Error(`result ${i + 1}: not a RIPE Atlas ping result (type 'ping', timestamp, result[])`);
    x.result.forEach((p, k) => {
      // packets of a result go out about a second apart (Atlas' default spacing)
      const send = x.timestamp! + k;
      if (typeof p.rtt === 'number') packets.push([send, i, p.rtt / 2000]);
      else if (p.x === '*') packets.push([send, i, NaN]);
      // errors and late packets ({error}, {late}) say nothing about this packet's fate: skipped
    });
  });
  packets.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  return trace('ripe-atlas', packets.map((p) => p[0]), packets.map((p) => p[2]));
}

/** The form of a trace's text: JSON is RIPE Atlas, `icmp_seq=` is ping, else CSV. */
export function detectFormat(text: string): TraceFormat {
  const t = text.trimStart();
  if (t.startsWith('[{') || t.startsWith('{') || /^\[\s*\{/.test(t)) return 'ripe-atlas';
  if (/icmp_seq=/.test(text.slice(0, 4096))) return 'ping';
  return 'csv';
}

export function parseHeartbeatTrace(text: string, format: TraceFormat | 'auto' = 'auto'): HeartbeatTrace {
  const f = format === 'auto' ? detectFormat(text) : format;
  return f === 'csv' ? parseHeartbeatCsv(text) : f === 'ping' ? parsePing(text) : parseRipeAtlas(text);
}

/** Read and parse a trace file (kept: the runs of a sweep read it once per thread); throws a one-line Error. */
export function loadHeartbeatTrace(path: string, format: TraceFormat | 'auto' = 'auto'): HeartbeatTrace {
  return readTrace('trace', path, `heartbeat\u0000${format}\u0000${path}`, (text) => parseHeartbeatTrace(text, format));
}

/** Loss rate and latency summary of a trace. */
export function traceSummary(t: HeartbeatTrace): { messages: number; lost: number; lossRate: number; latencyMin: number; latencyMedian: number; latencyMax: number; interval: number } {
  const got = Array.from(t.latency).filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  const n = t.latency.length;
  return {
    messages: n,
    lost: n - got.length,
    lossRate: (n - got.length) / n,
    latencyMin: got[0],
    latencyMedian: got[Math.floor(got.length / 2)],
    latencyMax: got[got.length - 1],
    interval: n > 1 ? (t.send[n - 1] - t.send[0]) / (n - 1) : NaN,
  };
}
