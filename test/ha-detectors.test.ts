/**
 * Failure detectors checked against numbers published by others: RFC 5798
 * (VRRP's master-down interval), Akka's and Cassandra's phi-accrual
 * detectors at their defaults, and Chen, Toueg and Aguilera's formulas for
 * the mistake recurrence time and query accuracy of a timeout detector.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { simulate, resolveDetector, makeConfig, availabilityHa, closedFormDetection, closedFormFailover, closedFormFailbackOutage, doubleFailureFraction, PRESETS, RECORD_BUDGET, type HaConfig } from '../src/models/ha/index.ts';
import { phiNormal, phiExponential, PhiDetector } from '../src/models/ha/detectors/phi.ts';
import { AdaptiveDetector } from '../src/models/ha/detectors/adaptive.ts';
import type { FailureDetector } from '../src/models/ha/detector.ts';
import fc from 'fast-check';

const near = (x: number, want: number, rel: number, what: string) =>
  assert.ok(Math.abs(x / want - 1) <= rel, `${what}: ${x} is not within ${rel * 100}% of ${want}`);

test('VRRP (RFC 5798): master-down interval 3 Adv + (256 - priority) Adv / 256 = 3.609 s; mean detection 3.609 - h/2 + one-way latency', () => {
  const masterDown = 3 * 1 + ((256 - 100) * 1) / 256;
  assert.equal(masterDown, 3.609375);
  const d = resolveDetector('vrrp');
  assert.equal(d.timeout, masterDown);
  assert.equal(d.retries, 0);
  const cfg: Partial<HaConfig> = { interval: d.interval, timeout: d.timeout, retries: 0, mtbf: 600, mttr: 60, bootTime: 10 };
  const { result } = simulate(cfg, 5, 150_000);
  const lat = result.detections.filter((x) => x.clean).map((x) => x.latency);
  assert.ok(lat.length > 300, `${lat.length} detections`);
  const mean = lat.reduce((a, b) => a + b, 0) / lat.length;
  near(mean, masterDown - d.interval / 2 + 0.0005, 0.01, 'mean detection latency');
});

/** Declaration time minus the last heartbeat heard before a crash at `crashAt`, on a jitter-free lossless link. */
function detectionAfterLastHeartbeat(over: Partial<HaConfig>, crashAt: number): number {
  let lastHeard = NaN;
  const { result } = simulate({ netJitter: 0, serialJitter: 0, ...over }, 3, crashAt + 60, (c) => {
    c.script(crashAt, (x) => {
      lastHeard = x.lastHeard(1, 0);
      x.crash(0);
    });
  });
  const det = result.detections.find((x) => x.observer === 1 && x.target === 0);
  assert.ok(det, 'the crash was detected');
  return det.crash + det.latency - lastHeard;
}

test("Akka's phi-accrual at its defaults (heartbeat 1 s, acceptable pause 3 s, min std 100 ms, phi 8) declares a crash 4.52 s after the last heartbeat", () => {
  // the logistic approximation as Akka writes it: phi(mean) = log10(2), and it grows with t
  assert.ok(Math.abs(phiNormal(4, 4, 0.1) - Math.log10(2)) < 1e-12);
  assert.ok(phiNormal(4.6, 4, 0.1) > phiNormal(4.5, 4, 0.1));
  // 1,200 s of heartbeats fill the window of 1,000 with 1 s intervals (std 0, clamped to 0.1)
  const after = detectionAfterLastHeartbeat({ detector: 'phi', phiForm: 'normal', phiThreshold: 8, phiWindow: 1000, phiMinStd: 0.1, phiPause: 3, phiFirst: 1 }, 1200.3);
  near(after, 4.52, 0.01, 'declaration after the last heartbeat');
});

test("Cassandra's phi (exponential: phi = t / (mean ln 10)) at phi = 8 with 1 s heartbeats declares a crash 18.42 s after the last one", () => {
  assert.ok(Math.abs(phiExponential(18.42, 1) - 8) < 0.001);
  const after = detectionAfterLastHeartbeat({ detector: 'phi', phiForm: 'exponential', phiThreshold: 8, phiWindow: 1000, phiFirst: 2, phiMaxInterval: 2 }, 1200.3);
  near(after, 18.42, 0.01, 'declaration after the last heartbeat');
});

test('Chen-Toueg-Aguilera: a timeout detector with R = 0 and constant latency has E(T_MR) = h / ((1 - q) q^k) and P_A = 1 - E(T_M) / E(T_MR)', () => {
  // net cut, serial at 30% loss: a heartbeat is lost on every channel with q = 0.3; T / h = 3.5, k = 3
  const h = 1, T = 3.5, q = 0.3, k = Math.floor(T / h);
  const tmr = h / ((1 - q) * q ** k);
  near(tmr, 52.9, 0.001, 'E(T_MR) as the issue states it');
  // a mistake lasts until the next heartbeat arrives: heartbeats k+1, k+2, ... each arrive with 1 - q
  const tm = (k + 1 / (1 - q)) * h - T;
  const pa = 1 - tm / tmr;
  const cfg: Partial<HaConfig> = { interval: h, timeout: T, retries: 0, netJitter: 0, serialJitter: 0, serialLoss: q };
  const { result } = simulate(cfg, 7, 400_000, (c) => c.script(0, (x) => x.cut(0, 1, 'net')));
  assert.ok(result.mistakes > 10_000, `${result.mistakes} mistakes`);
  near(result.mistakeRecurrence, tmr, 0.03, 'measured T_MR');
  near(result.meanMistakeDuration, tm, 0.03, 'measured T_M');
  near(result.queryAccuracy, pa, 0.002, 'measured P_A');
});

test('adaptive (NFD-E): on a jitter-free link a crash is declared alpha after the expected next arrival', () => {
  const after = detectionAfterLastHeartbeat({ detector: 'adaptive', adaptiveAlpha: 0.7, adaptiveWindow: 100 }, 300.3);
  near(after, 1 + 0.7, 0.001, 'declaration after the last heartbeat');
});

test('a detector that needs heartbeats in arrival order gets one kernel event per copy (deferred delivery would reorder them)', () => {
  const over: Partial<HaConfig> = { detector: 'phi', phiPause: 0.5, netLoss: 0.05, serialLoss: 0.05, mtbf: 300, mttr: 30, bootTime: 10 };
  const k = simulate({ ...over, heartbeatEvents: 'kernel' }, 9, 5000);
  const d = simulate({ ...over, heartbeatEvents: 'deferred' }, 9, 5000);
  assert.equal(JSON.stringify(d.result), JSON.stringify(k.result));
  assert.equal(d.cluster.sim.executed, k.cluster.sim.executed, 'no copy was deferred');
});

test('the akka and cassandra presets carry their projects\' defaults', () => {
  near(detectionAfterLastHeartbeat({ ...resolveDetector('akka').config, interval: PRESETS.akka.interval }, 1200.3), 4.52, 0.01, 'akka preset');
  near(detectionAfterLastHeartbeat({ ...resolveDetector('cassandra').config, interval: PRESETS.cassandra.interval }, 1200.3), 18.42, 0.01, 'cassandra preset');
});

test('a run whose crash records would exceed the budget is refused before it starts', () => {
  assert.throws(() => simulate({ mtbf: 1 }, 1, RECORD_BUDGET), /over the budget/);
  assert.doesNotThrow(() => simulate({ mtbf: 1000 }, 1, 1000));
});

test('double failures: where they dominate (MTBF 1 day, MTTR 2 h) the closed form with them matches the simulated downtime', () => {
  const over: Partial<HaConfig> = { interval: 10, timeout: 30, mtbf: 86400, mttr: 7200 };
  const cfg = makeConfig(over);
  const singleFailures = 1 - availabilityHa(cfg.mtbf, closedFormDetection(cfg), closedFormFailover(cfg) + closedFormFailbackOutage(cfg));
  const withDouble = singleFailures + doubleFailureFraction(cfg);
  let down = 0, duration = 0;
  for (const seed of [1, 2, 3, 4]) {
    const r = simulate(over, seed, 500 * 86400).result;
    down += r.downtime;
    duration += r.duration;
  }
  const simulated = down / duration;
  near(simulated, withDouble, 0.1, 'downtime fraction against the closed form with double failures');
  assert.ok(simulated > 5 * singleFailures, 'the single-failure forms alone are far off here');
});

test('phi bootstrap, before any heartbeat: Akka seeds its window with mean -/+ mean/4, Cassandra with one interval; a node that never sends is declared at their deadlines', () => {
  // node 0 crashes at once, before its first heartbeat (its clock's phase is after 0.001 s): observer 1 only has the seeded window
  const declaredAt = (over: Partial<HaConfig>) => {
    const { result } = simulate({ netJitter: 0, serialJitter: 0, ...over }, 4, 100, (c) => c.script(0.001, (x) => x.crash(0)));
    const d = result.detections.find((x) => x.observer === 1 && x.target === 0);
    assert.ok(d, 'declared');
    return d.crash + d.latency;
  };
  // Akka: window [0.75, 1.25] (mean 1, std 0.25), plus the acceptable pause 3 s: phi(t) = 8 where the logistic tail of N(4, 0.25) reaches 1e-8
  let lo = 4, hi = 10;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (phiNormal(mid, 4, 0.25) < 8) lo = mid;
    else hi = mid;
  }
  near(declaredAt({ detector: 'phi', phiForm: 'normal', phiThreshold: 8, phiPause: 3, phiMinStd: 0.1, phiFirst: 1 }), hi, 1e-9, 'Akka bootstrap deadline');
  assert.ok(hi > 5.3 && hi < 5.32, `${hi}`);
  // Cassandra: window [2]: phi = t / (2 ln 10) = 8 at t = 16 ln 10 = 36.84 s
  near(declaredAt({ detector: 'phi', phiForm: 'exponential', phiThreshold: 8, phiFirst: 2, phiMaxInterval: 2 }), 16 * Math.LN10, 1e-9, 'Cassandra bootstrap deadline');
});

test('heardRange is heard for each arrival, to the last bit: a window set from its last values at a re-sum point equals one pushed value by value', () => {
  // random arrivals (some lost) of a stream, any window size, any range: the state after heardRange and after a loop of heard must be the same bytes
  const makers: Array<[string, (w: number) => FailureDetector]> = [
    ['phi normal', (w) => new PhiDetector(1, { form: 'normal', threshold: 8, window: w, minStd: 0.1, pause: 3, first: 1, maxInterval: 1e9 })],
    ['phi exponential', (w) => new PhiDetector(1, { form: 'exponential', threshold: 8, window: w, minStd: 0.1, pause: 3, first: 2, maxInterval: 1.6 })],
    ['adaptive', (w) => new AdaptiveDetector(1, 1, w, 1)],
  ];
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 2 }), fc.integer({ min: 2, max: 12 }), fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 40 }),
      fc.array(fc.double({ min: 0, max: 0.999, noNaN: true }), { minLength: 400, maxLength: 400 }), fc.double({ min: 0, max: 0.4, noNaN: true }),
      (which, w, seq0, split, u, lossRate) => {
        const [name, make] = makers[which];
        // heartbeat n sent at 10 + n, latency 0.001-0.6 s, lost when its draw is below the loss rate
        const a = { at: (n: number) => (u[n] < lossRate ? Infinity : 10 + n + 0.001 + u[n] * 0.6), seq: (n: number) => seq0 + n };
        const range = make(w), loop = make(w);
        for (const d of [range, loop]) {
          d.reset(0, 9.5);
          for (let n = 0; n < split; n++) if (a.at(n) !== Infinity) d.heard(0, a.at(n), a.seq(n));
        }
        range.heardRange!(0, split, 360, a);
        for (let n = split; n < 360; n++) if (a.at(n) !== Infinity) loop.heard(0, a.at(n), a.seq(n));
        // and on from there, value by value in both (evictions must take the same oldest values)
        for (let n = 360; n < 400; n++) if (a.at(n) !== Infinity) for (const d of [range, loop]) d.heard(0, a.at(n), a.seq(n));
        const s1 = range.save!(0) as { sum: number; sumSq: number; extra: number }, s2 = loop.save!(0) as { sum: number; sumSq: number; extra: number };
        assert.equal(s1.sum, s2.sum, `${name}: sum`);
        assert.equal(s1.sumSq, s2.sumSq, `${name}: sum of squares`);
        assert.equal(s1.extra, s2.extra, `${name}: last`);
        assert.equal(range.deadline(0, 410), loop.deadline(0, 410), `${name}: deadline`);
      },
    ),
    { numRuns: 300, seed: 21 },
  );
});

test('floor is a lower bound: after any heartbeats of the stream it describes, no deadline comes sooner after the last arrival', () => {
  const makers: Array<(w: number) => FailureDetector> = [
    (w) => new PhiDetector(1, { form: 'normal', threshold: 4, window: w, minStd: 0.05, pause: 0.5, first: 1, maxInterval: 1e9 }),
    (w) => new PhiDetector(1, { form: 'exponential', threshold: 2, window: w, minStd: 0.1, pause: 3, first: 2, maxInterval: 1.6 }),
    (w) => new AdaptiveDetector(1, 1, w, 0.8),
  ];
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 2 }), fc.integer({ min: 2, max: 12 }), fc.integer({ min: 0, max: 30 }),
      fc.array(fc.double({ min: 0, max: 0.999, noNaN: true }), { minLength: 200, maxLength: 200 }), fc.double({ min: 0, max: 0.5, noNaN: true }),
      fc.double({ min: 0.001, max: 0.3, noNaN: true }), fc.double({ min: 0, max: 0.6, noNaN: true }),
      (which, w, before, u, lossRate, lo, width) => {
        const d = makers[which](w);
        const hi = lo + width;
        // heartbeat n sent at 100 + n (h = 1), numbered 50 + n, latency in [lo, hi]; the first `before` are heard before the floor is asked
        const at = (n: number) => (u[n] < lossRate ? Infinity : 100 + n + lo + u[n] * width);
        d.reset(0, 99);
        let last = 99;
        for (let n = 0; n < before; n++) if (at(n) !== Infinity) d.heard(0, (last = at(n)), 50 + n);
        const floor = d.floor!(0, { t0: 100 + before, h: 1, seq0: 50 + before, lo, hi });
        if (floor < 0) return;
        for (let n = before; n < 200; n++) {
          if (at(n) === Infinity) continue;
          d.heard(0, (last = at(n)), 50 + n);
          assert.ok(d.deadline(0, last) - last >= floor, `after heartbeat ${n}: deadline ${d.deadline(0, last) - last} after the last arrival, floor ${floor}`);
        }
      },
    ),
    { numRuns: 400, seed: 22 },
  );
});
