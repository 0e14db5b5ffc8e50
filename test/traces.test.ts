/**
 * Traces in, a detector setting out: the three trace forms parse (and bad
 * ones are refused in one line), a fit recovers the Gilbert-Elliott channel
 * that generated a trace, a replayed trace gives the detection time worked
 * out by hand, and on a Bernoulli trace `tune` recommends what the
 * closed form for that channel says.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseHeartbeatCsv, parsePing, parseRipeAtlas, parseHeartbeatTrace, loadHeartbeatTrace, traceSummary } from '../src/traces/heartbeat.ts';
import { fitChannel, fitGilbertElliott, ksDistance, quantileTable } from '../src/traces/fit.ts';
import { poissonUpper } from '../src/traces/bounds.ts';
import { Streams } from '../src/kernel/random.ts';
import { Sim } from '../src/kernel/sim.ts';
import { HaCluster, makeConfig } from '../src/models/ha/index.ts';
import { lossModel } from '../src/models/ha/channel-models.ts';
import { tune, recommend } from '../experiments/tune.ts';
import { resolveParams } from '../src/runner/params.ts';
import type { Row } from '../src/runner/experiment.ts';

const nanEq = (a: ArrayLike<number>, b: number[]) => assert.deepEqual(Array.from(a).map((x) => (Number.isNaN(x) ? null : +x.toFixed(9))), b.map((x) => (Number.isNaN(x) ? null : +x.toFixed(9))));

test('traces: CSV, ping -D and RIPE Atlas parse to the same fates; bad input is one line naming the place', () => {
  const csv = parseHeartbeatCsv('# a log\nseq,send,receive\n2,12,12.5\n0,10,10.25\n1,11,\n');
  nanEq(csv.send, [10, 11, 12]);
  nanEq(csv.latency, [0.25, NaN, 0.5]);
  const ping = parsePing(
    'PING x (1.2.3.4) 56(84) bytes of data.\n' +
      '[100.5] 64 bytes from 1.2.3.4: icmp_seq=1 ttl=57 time=500 ms\n' +
      '[102.4] 64 bytes from 1.2.3.4: icmp_seq=3 ttl=57 time=400 ms\n' +
      '[102.41] 64 bytes from 1.2.3.4: icmp_seq=3 ttl=57 time=410 ms (DUP!)\n' +
      '[103.5] no answer yet for icmp_seq=4\n[105.3] 64 bytes from 1.2.3.4: icmp_seq=5 ttl=57 time=300 ms\n',
  );
  // sends at 100, 102, 105 (reply time - round trip); seq 2 and 4 lost, their send times between their neighbours'
  nanEq(ping.latency, [0.25, NaN, 0.2, NaN, 0.15]);
  nanEq(ping.send, [100, 101, 102, 103.5, 105]);
  const atlas = parseRipeAtlas(JSON.stringify([
    { type: 'ping', timestamp: 200, result: [{ rtt: 20 }, { x: '*' }, { rtt: 30 }] },
    { type: 'ping', timestamp: 100, result: [{ rtt: 10 }, { error: 'timeout' }] },
  ]));
  nanEq(atlas.latency, [0.005, 0.01, NaN, 0.015]);
  assert.equal(parseHeartbeatTrace('[{"type":"ping","timestamp":1,"result":[{"rtt":1}]}]').format, 'ripe-atlas');
  assert.equal(parseHeartbeatTrace('[1.0] 64 bytes from a: icmp_seq=1 ttl=1 time=1 ms').format, 'ping');
  for (const [text, msg] of [
    ['seq,send,receive\n0,1,0.5\n', /row 1: received at 0.5 before it was sent at 1/],
    ['seq,send,receive\n0,1,x\n', /row 1: receive 'x' is not a time/],
    ['0,1,2\n0,2,3\n', /seq 0 is given twice/],
    ['0,1,\n1,2,\n', /every message of the trace was lost/],
    ['64 bytes from a: icmp_seq=1 ttl=1 time=1 ms\n', /line 1: no \[epoch\] timestamp \(run ping with -D\)/],
    ['[{"type":"traceroute"}]', /result 1: not a RIPE Atlas ping result/],
  ] as const)
    assert.throws(() => parseHeartbeatTrace(text), msg);
  assert.throws(() => loadHeartbeatTrace('/nonexistent/trace.csv'), /trace \/nonexistent\/trace.csv: cannot read the file/);
});

test('traces: the example traces load, and their summaries are what the generator made', () => {
  const s = traceSummary(loadHeartbeatTrace('examples/traces/lan-bursty.csv'));
  assert.equal(s.messages, 3 * 3600);
  assert.ok(s.lossRate > 0.005 && s.lossRate < 0.015 && Math.abs(s.interval - 1) < 0.001 && s.latencyMedian > 0.0004 && s.latencyMedian < 0.0006, JSON.stringify(s));
  const p = traceSummary(loadHeartbeatTrace('examples/traces/ping-wan.txt'));
  assert.ok(p.messages === 1200 && p.lossRate > 0.01 && p.lossRate < 0.04 && p.latencyMedian > 0.019 && p.latencyMedian < 0.022, JSON.stringify(p));
  assert.equal(traceSummary(loadHeartbeatTrace('examples/traces/ripe-atlas.json')).messages, 900);
});

test('traces: a fit recovers the Gilbert-Elliott channel that generated a trace; independent losses stay Bernoulli; KS of the table is small', () => {
  for (const [p, B, pB, pG] of [[0.01, 10, 0.9, 0], [0.05, 5, 0.6, 0.01]]) {
    const cfg = makeConfig({ lossModel: 'gilbert-elliott', netLoss: p, burstLength: B, burstLoss: pB, goodLoss: pG });
    const n = 200_000, lost = new Uint8Array(n);
    const proc = lossModel('gilbert-elliott')(p, 0, cfg, new Streams(3).get('x'), 0);
    for (let k = proc.nextLoss(0); k < n; k = proc.nextLoss(k + 1)) lost[k] = 1;
    const g = fitGilbertElliott(lost);
    // stated tolerances: loss rate 10%, mean burst 20%, burst loss 10%, good loss 0.003 absolute
    assert.ok(Math.abs(g.lossRate / p - 1) < 0.1, `rate ${g.lossRate} vs ${p}`);
    assert.ok(Math.abs(g.burstLength / B - 1) < 0.2, `burst ${g.burstLength} vs ${B}`);
    assert.ok(Math.abs(g.burstLoss / pB - 1) < 0.1, `burst loss ${g.burstLoss} vs ${pB}`);
    assert.ok(Math.abs(g.goodLoss - pG) < 0.003, `good loss ${g.goodLoss} vs ${pG}`);
  }
  // Bernoulli losses: the test keeps the simpler model
  const r = new Streams(4).get('y');
  const send: number[] = [], latency: number[] = [];
  for (let k = 0; k < 50_000; k++) (send.push(k), latency.push(r.random() < 0.03 ? NaN : 0.01 + r.uniform(0, 0.002)));
  const fit = fitChannel({ send: Float64Array.from(send), latency: Float64Array.from(latency), format: 'csv' });
  assert.equal(fit.gilbertElliott, undefined);
  assert.equal(fit.config.lossModel, 'bernoulli');
  assert.ok(fit.ks < 0.01, `KS ${fit.ks}`);
  // the KS distance of a table against samples it was not made from is the gap between the two distributions
  const sorted = Array.from({ length: 1000 }, (_, i) => i / 1000);
  assert.ok(Math.abs(ksDistance(sorted, quantileTable(sorted.map((x) => x * 0.5 + 0.5))) - 0.5) < 0.01);
});

test('traces: a replayed trace with a crash: detection at the last arrival before it plus T, worked out by hand', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gamesim-trace-'));
  try {
    // 1 s heartbeats, 20 ms one way, messages 40-42 lost (heartbeat k, counted from 1, gets message k - 1's fate)
    let s = 'seq,send,receive\n';
    for (let k = 0; k < 1000; k++) s += `${k},${k},${k >= 40 && k <= 42 ? '' : (k + 0.02).toFixed(2)}\n`;
    const f = join(dir, 't.csv');
    writeFileSync(f, s);
    const cfg = makeConfig({ lossModel: 'trace', latencyModel: 'trace', netTrace: f, timeout: 2.5, retries: 0, serialLoss: 0 });
    const sim = new Sim();
    const c = new HaCluster(sim, new Streams(2), cfg);
    c.cut(0, 1, 'serial');
    sim.run(2);
    // node 1's heartbeat k (from 1) leaves at phase + k - 1 (phase in [0, 1)) and arrives 20 ms later
    const phase = (c.lastHeard(0, 1) - 0.02) % 1;
    // heartbeats 41-43 (messages 40-42) are lost: sent at phase + 40 .. phase + 42; heartbeat 44 leaves at phase + 43
    const crashAt = phase + 43.5;
    let declared = NaN;
    c.signals.on('suspected', (i, j) => {
      if (i === 0 && j === 1 && Number.isNaN(declared) && sim.now > crashAt) declared = sim.now;
    });
    c.at(crashAt, { verb: 'crash', node: 1 });
    sim.run(crashAt + 30);
    // the last heartbeat heard is 44 (sent at phase + 43, arrived 20 ms later): declared T = 2.5 s after it
    assert.ok(Math.abs(declared - (phase + 43 + 0.02 + 2.5)) < 1e-9, `declared at ${declared}, by hand ${phase + 43 + 0.02 + 2.5}`);
    // before the crash, heartbeats 41-43 (4 s of silence > T) made one wrong suspicion per direction
    assert.equal(c.finish().mistakes, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('traces: on a Bernoulli trace, tune recommends the timeout the closed form gives: the smallest k with (1 - p) p^k per heartbeat under the target', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gamesim-tune-'));
  try {
    const r = new Streams(5).get('b');
    let s = 'seq,send,receive\n', lost = 0;
    const n = 100_000;
    for (let k = 0; k < n; k++) {
      const l = r.random() < 0.1;
      lost += l ? 1 : 0;
      s += `${k},${k},${l ? '' : (k + 0.01).toFixed(2)}\n`;
    }
    const f = join(dir, 'bernoulli.csv');
    writeFileSync(f, s);
    const p = lost / n;
    // Chen, Toueg and Aguilera's NFD-S with a fixed delay and independent losses: a mistake starts when a heartbeat
    // that arrived is followed by k lost ones, k = floor(T / h); per watching pair per 30 days
    const per30 = (k: number) => 30 * 86400 * (1 - p) * p ** k;
    let kStar = 1;
    while (per30(kStar) > 1) kStar++;
    assert.equal(kStar, 7);
    const params = resolveParams(tune, { trace: f, detector: 'timeout', values: '5.5;6.5;7.5;8.5', pairDays: '600' });
    const rows: Row[] = [];
    for (const pt of tune.points!(params as never)) rows.push({ ...pt, ...(tune.run(pt, 1) as { rows: Row[] }).rows[0] });
    assert.deepEqual(recommend(rows, params as never).map((x) => Number(x.knobValue)), [kStar + 0.5]);
    // each setting's measured rate agrees with the closed form (Poisson 95% bounds)
    for (const x of rows) {
      const k = Math.floor(Number(x.knobValue)), m = Number(x.mistakes), want = (per30(k) / 30) * Number(x.pairDays);
      assert.ok(m <= poissonUpper(Math.round(want), 0.999) && want <= poissonUpper(m, 0.999), `T/h ${x.knobValue}: ${m} mistakes, closed form ${want}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('traces: the 95% upper bound of a Poisson count: the rule of three, and published values', () => {
  assert.ok(Math.abs(poissonUpper(0) - 2.9957) < 1e-3);
  assert.ok(Math.abs(poissonUpper(1) - 4.7439) < 1e-3);
  // Garwood's exact bound: chi-square(0.95, 2k + 2) / 2; for k = 10, 33.924 / 2
  assert.ok(Math.abs(poissonUpper(10) - 16.962) < 1e-3);
});

test('player traces: hand-written walks give the hand-offs counted by hand; zones, events, scales', async () => {
  const { runWorld } = await import('../src/models/lb/index.ts');
  const { parsePlayerTrace } = await import('../src/traces/players.ts');
  const dir = mkdtempSync(join(tmpdir(), 'gamesim-players-'));
  try {
    // static strips on 1024 x 512 with 2 servers: A = [0, 562), B = [462, 1024) (overlap 50): a player keeps its server
    // inside its strip and its band, so a walk from x 100 to 900 is one hand-off (at 562), and back to 100 a second (below 462)
    const f = join(dir, 'walks.csv');
    writeFileSync(f, 'time,player,x,y\n0,a,100,100\n80,a,900,100\n0,b,100,300\n80,b,900,300\n160,b,100,300\n0,c,300,200\n160,c,300,200\n');
    const w = runWorld('static', { servers: 2 }, { mobility: 'trace', playerTrace: f, traceMapScale: 1, duration: 200 }, 1, { measurePairs: false });
    assert.equal(w.totals.joins, 3);
    assert.equal(w.totals.handoffs, 3);
    assert.equal(w.totals.leaves, 3); // each at its last sighting (a at 80, b and c at 160)
    // twice as slow: the same walks, the last leave at 320 s
    const slow = runWorld('static', { servers: 2 }, { mobility: 'trace', playerTrace: f, traceMapScale: 1, traceTimeScale: 2, duration: 400 }, 1, { measurePairs: false });
    assert.equal(slow.totals.handoffs, 3);
    assert.ok(Math.abs(slow.totals.playerHours - 2 * w.totals.playerHours) < 0.01, `${slow.totals.playerHours} vs ${w.totals.playerHours}`);
    // zones: two zones are the two halves of the map; a player going A, B, A is handed off twice; events give sessions
    const z = join(dir, 'zones.csv');
    writeFileSync(z, 'time,player,zone,event\n0,p,A,join\n10,p,B,\n20,p,A,\n30,p,A,leave\n40,p,B,join\n50,p,B,leave\n0,q,B,\n50,q,B,\n');
    const zt = parsePlayerTrace(readFileSync(z, 'utf8'));
    assert.deepEqual(zt.zones, ['A', 'B']);
    assert.deepEqual(zt.sessions.map((s) => [s.player, s.join, s.leave]), [['p', 0, 30], ['q', 0, 50], ['p', 40, 50]]);
    const zw = runWorld('static', { servers: 2 }, { mobility: 'trace', playerTrace: z, duration: 100 }, 1, { measurePairs: false });
    assert.equal(zw.totals.joins, 3);
    assert.equal(zw.totals.handoffs, 2);
    for (const [text, msg] of [
      ['time,player,x\n0,a,1\n', /the header names no 'y' column/],
      ['time,player,x,y\nsoon,a,1,2\n', /row 1: time 'soon' is not a number/],
      ['time,player,zone,event\n0,a,A,teleport\n', /row 1: event 'teleport' is not join, leave or move/],
    ] as const)
      assert.throws(() => parsePlayerTrace(text), msg);
    assert.throws(() => runWorld('static', {}, { mobility: 'trace' }, 1), /mobility trace needs playerTrace/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('traces: traceUse fit runs the fitted model, as long as one likes: the loss rate of a generated bursty trace', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gamesim-fit-'));
  try {
    const cfg0 = makeConfig({ lossModel: 'gilbert-elliott', netLoss: 0.02, burstLength: 6, burstLoss: 0.8, goodLoss: 0.001 });
    const n = 100_000, proc = lossModel('gilbert-elliott')(0.02, 0, cfg0, new Streams(9).get('x'), 0);
    let s = 'seq,send,receive\n';
    for (let k = 0, next = proc.nextLoss(0); k < n; k++) {
      const lost = k === next;
      if (lost) next = proc.nextLoss(k + 1);
      s += `${k},${k},${lost ? '' : (k + 0.005).toFixed(3)}\n`;
    }
    const f = join(dir, 'ge.csv');
    writeFileSync(f, s);
    // a pair for 3 trace-lengths: copies past the trace come from the model, not a loop
    const sim = new Sim();
    const c = new HaCluster(sim, new Streams(1), makeConfig({ lossModel: 'trace', latencyModel: 'trace', netTrace: f, traceUse: 'fit', serialLoss: 0, timeout: 100 }));
    let sent = 0, lost = 0;
    c.signals.on('heartbeats', (k, l) => ((sent += k), (lost += l)));
    sim.run(3 * n);
    c.finish();
    // heartbeat copies: half on net (the serial line loses none)
    const netRate = lost / (sent / 2);
    assert.ok(Math.abs(netRate - 0.02) < 0.003, `net loss ${netRate}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('tune takes the channel of an HA scenario file; a replayed trace in it is evidence for its own length only', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gamesim-tune-sc-'));
  try {
    const f = join(dir, 'lan.yaml');
    writeFileSync(f, 'kind: ha\nname: lan\nduration: 100\noptions:\n  netLoss: 0.01\n  interval: 0.5\n');
    const params = resolveParams(tune, { scenario: f, detector: 'timeout', values: '3.5;4.5' });
    const rows: Row[] = [];
    for (const pt of tune.points!(params as never)) rows.push({ ...pt, ...(tune.run(pt, 1) as { rows: Row[] }).rows[0] });
    // 1% independent loss: k = 4 lost heartbeats in a row is the closed form's first k under one per 30 days
    assert.deepEqual(recommend(rows, params as never).map((x) => [Number(x.knobValue), x.words.includes('periodSeconds 0.5')]), [[4.5, true]]);
    const g = join(dir, 'ping.yaml');
    writeFileSync(g, `kind: ha\nname: p\nduration: 100\noptions:\n  lossModel: trace\n  latencyModel: trace\n  netTrace: ${join(process.cwd(), 'examples/traces/ping-wan.txt')}\n`);
    const p2 = resolveParams(tune, { scenario: g, detector: 'timeout', values: '20.5' });
    const [row] = (tune.run(tune.points!(p2 as never)[0], 1) as { rows: Row[] }).rows;
    assert.ok(Math.abs(Number(row.evidenceDays) - 1200 / 86400) < 1e-3 && Number(row.meets) === 0, JSON.stringify(row));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
