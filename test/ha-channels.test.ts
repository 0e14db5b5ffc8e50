/**
 * Channel models: each loss model's process and each latency model's draws
 * against what they are defined to give, and the keyed stream every schedule
 * reads latencies from.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Stream, KeyedStream } from '../src/kernel/random.ts';
import { makeConfig, simulate } from '../src/models/ha/index.ts';
import { lossModel, latencyModel } from '../src/models/ha/channel-models.ts';
import { gapLength } from '../src/models/ha/channels/gilbert-elliott.ts';
import { parseTable } from '../src/models/ha/channels/empirical.ts';

/** The lost copies among 0..n-1 of a process, and the lengths of its runs of consecutive losses. */
function runsOf(p: { nextLoss(m: number): number }, n: number): { lost: number; runs: number[] } {
  const runs: number[] = [];
  let lost = 0, prev = -2, len = 0;
  for (let m = p.nextLoss(0); m < n; m = p.nextLoss(m + 1)) {
    lost++;
    if (m === prev + 1) len++;
    else {
      if (len > 0) runs.push(len);
      len = 1;
    }
    prev = m;
  }
  if (len > 0) runs.push(len);
  return { lost, runs };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

test('bernoulli loss: the rate is p and runs of losses are geometric (mean 1 / (1 - p))', () => {
  const p = 0.2, n = 400_000;
  const { lost, runs } = runsOf(lossModel('bernoulli')(p, 0, makeConfig(), new Stream(1, 'b')), n);
  assert.ok(Math.abs(lost / n - p) < 0.003, `rate ${lost / n}`);
  assert.ok(Math.abs(mean(runs) - 1 / (1 - p)) < 0.01, `mean run ${mean(runs)}`);
});

test('gilbert-elliott loss: the long-run rate is p, and with burstLoss 1 and goodLoss 0 runs of losses are the bad runs (mean burstLength)', () => {
  const cfg = makeConfig({ lossModel: 'gilbert-elliott', burstLength: 8, burstLoss: 1, goodLoss: 0, netLoss: 0.05 });
  const n = 2_000_000;
  const { lost, runs } = runsOf(lossModel('gilbert-elliott')(0.05, 0, cfg, new Stream(2, 'g')), n);
  assert.ok(Math.abs(lost / n - 0.05) < 0.004, `rate ${lost / n}`);
  assert.ok(Math.abs(mean(runs) / 8 - 1) < 0.04, `mean burst ${mean(runs)}`);
  // the good runs follow from the rate: G = B (1 - p) / p = 152
  assert.ok(Math.abs(gapLength(0.05, 8, 1, 0) - 152) < 1e-9);
  // losses in the good state too, and a bad state that does not lose everything: the rate still holds
  const cfg2 = makeConfig({ lossModel: 'gilbert-elliott', burstLength: 5, burstLoss: 0.6, goodLoss: 0.01, netLoss: 0.04 });
  const r2 = runsOf(lossModel('gilbert-elliott')(0.04, 0, cfg2, new Stream(3, 'g')), n);
  assert.ok(Math.abs(r2.lost / n - 0.04) < 0.004, `rate ${r2.lost / n}`);
  // a process started at copy 1000 loses nothing before it
  const late = lossModel('gilbert-elliott')(0.05, 1000, cfg, new Stream(4, 'g'));
  assert.ok(late.nextLoss(0) >= 1000);
  assert.throws(() => makeConfig({ lossModel: 'gilbert-elliott', burstLoss: 0.5, netLoss: 0.6 }), /netLoss \(0\.6\) must lie between goodLoss/);
});

test('a loss process answers the same whatever order it is asked in', () => {
  const cfg = makeConfig({ lossModel: 'gilbert-elliott', burstLength: 4, burstLoss: 0.9, netLoss: 0.1 });
  for (const model of ['bernoulli', 'gilbert-elliott']) {
    const a = lossModel(model)(0.1, 0, cfg, new Stream(5, 'x')), b = lossModel(model)(0.1, 0, cfg, new Stream(5, 'x'));
    const forward = Array.from({ length: 3000 }, (_, m) => a.nextLoss(m) === m);
    const order = Array.from({ length: 3000 }, (_, m) => m).sort((x, y) => ((x * 7919) % 3001) - ((y * 7919) % 3001));
    const shuffled = new Array<boolean>(3000);
    for (const m of order) shuffled[m] = b.nextLoss(m) === m;
    assert.deepEqual(shuffled, forward, model);
    assert.equal(a.count(100, 2000), forward.slice(100, 2000).filter(Boolean).length);
    // a count that draws far ahead (the kept positions are compacted and grown meanwhile) after forgetting some
    const c = lossModel(model)(0.1, 0, cfg, new Stream(5, 'x'));
    c.nextLoss(1500);
    c.forget(1400);
    assert.equal(c.count(1500, 3000), forward.slice(1500, 3000).filter(Boolean).length);
    const brute = lossModel(model)(0.1, 0, cfg, new Stream(5, 'x'));
    let n = 0;
    for (let m = brute.nextLoss(50_000); m < 90_000; m = brute.nextLoss(m + 1)) n++;
    const d = lossModel(model)(0.1, 0, cfg, new Stream(5, 'x'));
    d.nextLoss(40_000);
    d.forget(39_000);
    assert.equal(d.count(50_000, 90_000), n);
  }
});

test('empirical latency: draws follow the table (its quantiles, interpolated), within its range', () => {
  const table = '0.004 0.001,0.002 0.003 0.010';
  assert.deepEqual(parseTable(table, 'x'), [0.001, 0.002, 0.003, 0.004, 0.01]);
  assert.throws(() => parseTable('0.001 abc', 'netLatencyTable'), /netLatencyTable: 'abc' is not a latency/);
  const d = latencyModel('empirical')(makeConfig({ latencyModel: 'empirical', netLatencyTable: table }), 0);
  assert.equal(d.lo, 0.001);
  assert.equal(d.hi, 0.01);
  assert.equal(d.at(0), 0.001);
  assert.equal(d.at(0.5), 0.003);
  assert.ok(Math.abs(d.at(0.875) - 0.007) < 1e-12, 'halfway between the 4th and 5th values');
  // the serial channel keeps the uniform model when its table is empty
  const s = latencyModel('empirical')(makeConfig({ latencyModel: 'empirical', netLatencyTable: table }), 1);
  assert.ok(Math.abs(s.lo - (64 * 10) / 115200) < 1e-15);
  // a run's copies: a median near the table's
  const { result } = simulate({ latencyModel: 'empirical', netLatencyTable: '0.0002 0.0004 0.02', interval: 0.1, timeout: 0.3, heartbeatEvents: 'kernel', recordMessages: true }, 3, 100);
  assert.ok(result.hbMessages > 3000);
});

test('the keyed stream: the same number for the same key whenever asked, uniform, and keys apart are independent', () => {
  const k = new KeyedStream(7, 'latency'), k2 = new KeyedStream(7, 'latency');
  assert.equal(k.at(3, 123456789), k2.at(3, 123456789));
  assert.notEqual(k.at(3, 1), k.at(4, 1));
  assert.notEqual(k.at(3, 2 ** 40 + 1), k.at(3, 1), 'the high bits of the key count');
  const n = 200_000, bins = new Array(20).fill(0);
  let s = 0, lag = 0, prev = k.at(0, 0);
  for (let i = 1; i <= n; i++) {
    const u = k.at(1, i);
    assert.ok(u >= 0 && u < 1);
    bins[Math.floor(u * 20)]++;
    s += u;
    lag += (u - 0.5) * (prev - 0.5);
    prev = u;
  }
  assert.ok(Math.abs(s / n - 0.5) < 0.003, `mean ${s / n}`);
  // chi-square with 19 degrees of freedom: 43.8 is its 0.1% point
  const chi = bins.reduce((a, b) => a + (b - n / 20) ** 2 / (n / 20), 0);
  assert.ok(chi < 43.8, `chi-square ${chi}`);
  assert.ok(Math.abs(lag / n) < 0.002, `lag-1 covariance ${lag / n}`);
});

test('bursty loss makes a timeout detector wrong far more often than independent loss at the same rate', () => {
  const base = { interval: 1, timeout: 3.5, retries: 0, netLoss: 0.1, serialLoss: 0.1 };
  const iid = simulate(base, 11, 20 * 86400).result;
  const bursty = simulate({ ...base, lossModel: 'gilbert-elliott', burstLength: 10, burstLoss: 0.9 }, 11, 20 * 86400).result;
  // the same long-run loss of copies
  assert.ok(Math.abs(bursty.messagesLost / bursty.hbMessages - 0.1) < 0.01, `bursty loss rate ${bursty.messagesLost / bursty.hbMessages}`);
  // independent: a mistake needs 3 heartbeats lost on both channels, (0.01)^3 per heartbeat; bursts on both channels at once are rarer than that only by their overlap
  assert.ok(bursty.mistakes > 20 * Math.max(1, iid.mistakes), `mistakes: bursty ${bursty.mistakes}, independent ${iid.mistakes}`);
});
