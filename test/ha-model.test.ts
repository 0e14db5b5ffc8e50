/**
 * The heartbeat HA model against its closed form and its safety properties:
 * detection latency, channel redundancy, split brain, fail-back, convergence
 * after random faults, and exact replay.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { opArb, type Op } from './ha-arbs.ts';
import { simulate, closedFormDetection, makeConfig, type Fault, type HaCluster, type HaConfig } from '../src/models/ha/index.ts';

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Every service runs on exactly one live node, is up, and has all its users connected. */
function assertConverged(c: HaCluster, label: string) {
  for (let s = 0; s < c.S; s++) {
    const on = c.runningOn(s);
    assert.equal(on.length, 1, `${label}: service s${s} runs on [${on.map((n) => c.names[n])}] (${c.ownerString(s)})`);
    assert.ok(!c.crashed[on[0]] && !c.hung[on[0]], `${label}: s${s} owner not live`);
    assert.ok(c.serviceUp(s), `${label}: s${s} down`);
    assert.equal(c.connectedUsers(s), c.users[s], `${label}: s${s} has ${c.connectedUsers(s)} of ${c.users[s]} users connected`);
  }
}

test('lossless: mean detection latency over >= 1000 crashes is within 2% of T(1+R) - h/2 + latency', () => {
  for (const [h, ratio, R] of [[1, 3, 1], [0.5, 5, 2]] as const) {
    const over: Partial<HaConfig> = { interval: h, timeout: ratio * h, retries: R, mtbf: 200, mttr: 20, repairDist: 'fixed', bootTime: 5 };
    const { result } = simulate(over, 11, 260_000);
    const lat = result.detections.map((d) => d.latency);
    assert.ok(lat.length >= 1000, `only ${lat.length} detections`);
    const cf = closedFormDetection(makeConfig(over));
    const m = mean(lat);
    assert.ok(Math.abs(m / cf - 1) < 0.02, `h=${h}: mean ${m} vs closed form ${cf}`);
    // and the spread is the heartbeat phase: every latency lies in [T(1+R) - h, T(1+R)] + latency
    const TR = ratio * h * (1 + R);
    for (const x of lat) assert.ok(x > TR - h - 1e-9 && x < TR + 0.01, `latency ${x} outside [${TR - h}, ${TR}]`);
    assert.equal(result.mistakes, 0, 'no mistake on a lossless network');
  }
});

test('one channel cut: the other carries the heartbeats, no false fail-over', () => {
  for (const ch of ['net', 'serial'] as const) {
    const { result, cluster } = simulate({ netLoss: 0.01, serialLoss: 0.01 }, 3, 3600, (c) => {
      c.script(100, (x) => x.cut(0, 1, ch));
      c.script(3000, (x) => x.heal(0, 1, ch));
    });
    assert.equal(result.mistakes, 0, `${ch} cut: ${result.mistakes} false detections`);
    assert.equal(result.takeovers, 0);
    assert.equal(result.dualActiveTime, 0);
    assert.equal(result.availability, 1);
    assertConverged(cluster, `${ch} cut`);
  }
});

test('both channels cut: both nodes take over, dual-active time is counted, and ends after the heal', () => {
  const cfg: Partial<HaConfig> = { services: 2, activeNodes: 2, recordTimeline: true };
  const cut = 100, heal = 400;
  const { result, cluster } = simulate(cfg, 5, 900, (c) => {
    c.script(cut, (x) => x.partition([0]));
    c.script(heal, (x) => x.healAll());
  });
  const c = makeConfig(cfg);
  // each side declares the other and takes over its service
  assert.equal(result.mistakes, 2);
  assert.equal(result.takeovers, 2);
  assert.equal(result.falseTakeovers, 2);
  const during = cluster.timeline.filter((t) => t.kind === 'service' && t.time > cut && t.time < heal).map((t) => t.state);
  assert.ok(during.includes('A+B'), `no dual ownership seen: ${during}`);
  // dual-active per service: from take-over done until the release after the heal
  const detectBy = cut + c.timeout * (1 + c.retries) + c.interval;
  const upper = 2 * (heal + 60 - (detectBy + c.fakeProcessTime + c.setupTime + c.startTime) + c.interval);
  const lower = 2 * (heal - (detectBy + c.fakeProcessTime + c.setupTime + c.startTime));
  assert.ok(result.dualActiveTime > lower && result.dualActiveTime < upper, `dual-active ${result.dualActiveTime} not in (${lower}, ${upper})`);
  assert.ok(result.releases >= 2);
  assertConverged(cluster, 'after heal');
  // the split brain resolves to the home nodes
  assert.deepEqual([0, 1].map((s) => cluster.runningOn(s)), [[0], [1]]);
});

test('fail-back returns every service to its original owner', () => {
  const { result, cluster } = simulate({ nodes: 3, services: 6, activeNodes: 3 }, 9, 1000, (c) => {
    c.script(50, (x) => x.crash(0));
    c.script(120, (x) => x.crash(1));
    c.script(300, (x) => x.repair(0));
    c.script(330, (x) => x.repair(1));
  });
  for (let s = 0; s < 6; s++) assert.deepEqual(cluster.runningOn(s), [cluster.home[s]], `s${s}: ${cluster.ownerString(s)}`);
  assertConverged(cluster, 'fail-back');
  const inc = result.incidents;
  assert.equal(inc.length, 2);
  for (const i of inc) {
    assert.ok(i.detected > i.crash && i.failoverDone > i.detected && i.serviceBack > i.failoverDone && i.failback > i.repaired, JSON.stringify(i));
  }
  // with autoFailback off the services stay where they were taken over
  const off = simulate({ nodes: 2, services: 1, autoFailback: false }, 9, 1000, (c) => {
    c.script(50, (x) => x.crash(0));
    c.script(300, (x) => x.repair(0));
  });
  assert.deepEqual(off.cluster.runningOn(0), [1]);
});

test('a crash of the take-over node in the middle of the fail-over is recovered from', () => {
  const { cluster, result } = simulate({ nodes: 3, services: 1 }, 2, 600, (c) => {
    c.script(60, (x) => x.crash(0)); // B (lowest load, lowest id) is chosen to take over
    c.script(68, (x) => x.crash(1)); // ...and crashes while starting s0; C takes over
  });
  assert.deepEqual(cluster.runningOn(0), [2]);
  assert.ok(result.takeovers >= 2);
});

test('swarm: random fault sequences, then a quiet tail: one live owner per service, no user lost', () => {
  const scenario = fc
    .record({
      N: fc.integer({ min: 2, max: 3 }), services: fc.integer({ min: 1, max: 4 }), seed: fc.integer({ min: 1, max: 1e6 }), autoFailback: fc.boolean(),
      // protocol messages on net only, with loss: a lost REJOIN must not leave a split brain for ever
      protocolChannels: fc.constantFrom('all' as const, 'net' as const),
      resumeDetector: fc.constantFrom('fresh' as const, 'keep' as const),
      detector: fc.constantFrom('timeout' as const, 'phi' as const, 'adaptive' as const),
    })
    .chain((base) =>
      fc.record({
        base: fc.constant(base),
        active: fc.integer({ min: 1, max: base.N }),
        ops: fc.array(opArb(base.N), { maxLength: 25 }),
      }),
    );
  fc.assert(
    fc.property(scenario, ({ base, active, ops }) => {
      const cfg: Partial<HaConfig> = {
        nodes: base.N, services: base.services, activeNodes: active, bootTime: 10, autoFailback: base.autoFailback,
        protocolChannels: base.protocolChannels, resumeDetector: base.resumeDetector, detector: base.detector, phiPause: 2, adaptiveAlpha: 1,
      };
      const quiet = 320;
      const { cluster } = simulate(cfg, base.seed, quiet + 400, (c) => {
        for (const op of ops) c.at(op.t, op.fault);
        // the quiet tail: faults stop, links heal, loss ends, crashed nodes are repaired
        c.script(quiet, (x) => {
          x.healAll();
          x.setLoss(0);
          for (let n = 0; n < x.N; n++) x.repair(n);
        });
      });
      for (let n = 0; n < cluster.N; n++) assert.ok(!cluster.crashed[n] && !cluster.hung[n] && cluster.phase[n] === 'up', `node ${n} is ${cluster.nodeState(n)}`);
      assertConverged(cluster, JSON.stringify({ cfg, ops }));
    }),
    { numRuns: 150, seed: 20240601 },
  );
});

test('a seed replays a run exactly', () => {
  const cfg: Partial<HaConfig> = { netLoss: 0.05, serialLoss: 0.05, mtbf: 600, mttr: 60, pauseMtb: 900, pauseMean: 5, recordMessages: true, recordTimeline: true, heartbeatEvents: 'deferred' };
  const run = (seed: number) => {
    const { cluster, result } = simulate(cfg, seed, 5000);
    return JSON.stringify({ result, m: cluster.messages, t: cluster.timeline });
  };
  const a = run(42);
  assert.equal(run(42), a);
  assert.notEqual(run(43), a);
});

test('a channel cut while heartbeats are in flight loses them: no rejoin from copies sent before the cut', () => {
  // serial down, net copies delayed by 3 h: both sides declare each other; the copies sent while
  // the net was up are still in flight when it goes down at t = 150
  const run = (cutNet: boolean) =>
    simulate({ recordMessages: true, heartbeatEvents: 'deferred' }, 4, 11_200, (c) => {
      c.script(100, (x) => x.cut(0, 1, 'serial'));
      c.script(100, (x) => x.spike(0, 1, 'net', 3 * 3600, 20_000));
      if (cutNet) c.script(150, (x) => x.cut(0, 1, 'net'));
    });
  const cut = run(true);
  assert.equal(cut.result.mistakes, 2, 'each side declares the other');
  assert.ok(!cut.cluster.inView(0, 1) && !cut.cluster.inView(1, 0), 'no rejoin: the copies in flight were lost at arrival');
  const inFlight = cut.cluster.messages.filter((m) => m.channel === 'net' && m.type === 'HEART_BEAT' && m.time > 100 && m.time < 150);
  assert.ok(inFlight.length >= 98, `${inFlight.length} copies sent while the net was up`);
  for (const m of inFlight) assert.equal(m.status, 'lost', `copy sent at ${m.time} logged ${m.status}`);
  assert.ok(cut.result.messagesLost >= inFlight.length);
  // control: without the cut the delayed copies arrive after 3 h and the nodes rejoin
  const noCut = run(false);
  assert.ok(noCut.cluster.inView(0, 1) && noCut.cluster.inView(1, 0), 'the late copies bring the peers back');
});

test('a receiver that pauses while a heartbeat is in flight does not count it', () => {
  // both channels +2 s from t = 100: copies sent from 100 on arrive from 102 on
  const run = (pause: boolean) =>
    simulate({}, 6, 103.4, (c) => {
      c.script(100, (x) => x.spike(0, 1, 'both', 2, 1000));
      if (pause) c.script(100.5, (x) => x.hang(1, 3));
    });
  const paused = run(true);
  assert.ok(paused.cluster.lastHeard(1, 0) < 100.5, `paused receiver counted a copy at ${paused.cluster.lastHeard(1, 0)}`);
  const awake = run(false);
  assert.ok(awake.cluster.lastHeard(1, 0) > 102, `awake receiver last heard at ${awake.cluster.lastHeard(1, 0)}`);
});

test('a latency spike longer than h on one channel, the other fine: no false detection', () => {
  for (const ch of ['net', 'serial'] as const) {
    for (const loss of [0, 0.01]) {
      const { result, cluster } = simulate({ netLoss: loss, serialLoss: loss }, 8, 3000, (c) => {
        c.script(100, (x) => x.spike(0, 1, ch, 7.3, 2000)); // > T = 3 s: many copies in flight at once
      });
      assert.equal(result.mistakes, 0, `${ch} spike, loss ${loss}: ${result.mistakes} false detections`);
      assert.equal(result.takeovers, 0);
      assert.ok(cluster.lastHeard(0, 1) > 3000 - 1.1 && cluster.lastHeard(1, 0) > 3000 - 1.1);
    }
  }
});

test('a crash of the controller in the middle of the fail-over is recovered from (controller != take-over node)', () => {
  // A runs s0, B runs s1, C is idle: when A crashes, B (lowest live id) is the controller and picks C (lowest load).
  const over = { nodes: 3, services: 2, activeNodes: 2, recordMessages: true, heartbeatEvents: 'deferred' as const };
  const base = simulate(over, 5, 600, (c) => c.script(60, (x) => x.crash(0)));
  assert.deepEqual(base.cluster.runningOn(0), [2], 'without the second crash C takes s0 over');
  const poll = base.cluster.messages.find((m) => m.type === 'SYSTEM_LOAD' && m.from === 'B' && m.time > 60);
  assert.ok(poll, 'B polls the loads as the controller');
  // crash B while it waits for the SYSTEM_LOAD answers (C's answer is a net round trip away), before it sends FAIL_OVER
  const crashB = poll.time + 1e-4;
  const { cluster, result } = simulate(over, 5, 900, (c) => {
    c.script(60, (x) => x.crash(0));
    c.script(crashB, (x) => x.crash(1));
  });
  const sentFailOverBeforeCrash = cluster.messages.some((m) => m.type === 'FAIL_OVER' && m.from === 'B' && m.time <= crashB);
  assert.equal(sentFailOverBeforeCrash, false, 'B crashed before it sent FAIL_OVER');
  // C becomes the controller and takes both services
  assert.deepEqual(cluster.runningOn(0), [2]);
  assert.deepEqual(cluster.runningOn(1), [2]);
  assert.ok(cluster.serviceUp(0) && cluster.serviceUp(1));
  assert.ok(result.takeovers >= 2);
});

test('each channel loses its messages with the set probability, also after setLoss in the middle of a run', () => {
  // losses are drawn as geometric gaps between lost messages: the fraction must still be p
  const a = simulate({ interval: 0.1, timeout: 0.3, netLoss: 0.05, serialLoss: 0.05 }, 21, 2000).result;
  const sd = Math.sqrt((0.05 * 0.95) / a.hbMessages);
  assert.ok(Math.abs(a.messagesLost / a.hbMessages - 0.05) < 4 * sd + 0.002, `lost ${a.messagesLost} of ${a.hbMessages}`);
  // net only, 30% from t = 500 of 1000 s: a quarter of the copies are exposed, 7.5% lost
  const b = simulate({ interval: 0.1, timeout: 0.3 }, 22, 1000, (c) => c.script(500, (x) => x.setLoss(0.3, 'net'))).result;
  assert.equal(b.mistakes, 0, 'the serial copies carry the heartbeats');
  const frac = b.messagesLost / b.hbMessages;
  assert.ok(Math.abs(frac - 0.075) < 0.006, `lost fraction ${frac}`);
});

test('false fail-overs: every take-over of a service another node still runs counts, also without crashes', () => {
  // no crashes, long pauses: each pause of the active node that is detected is a false take-over
  // (the reproduction: it used to count one per run whatever happened)
  const { result, cluster } = simulate({ pauseMtb: 600, pauseMean: 20, recordTimeline: true }, 3, 86400);
  const takeoverSteps = cluster.timeline.filter((t) => t.kind === 'event' && t.state.startsWith('take-over')).length;
  assert.ok(result.falseTakeovers > 20, `${result.falseTakeovers} false take-overs`);
  assert.equal(result.falseTakeovers, result.takeovers, 'no crash: every take-over is false');
  assert.equal(result.takeovers, takeoverSteps);
  assert.ok(result.dualActiveTime > 0);
});

test('property: dual-active time implies a false take-over; flaps never exceed mistakes', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 1e6 }), fc.constantFrom(0, 0.05, 0.3), fc.constantFrom(0, 300), (seed, loss, mtbf) => {
      const { result } = simulate({ nodes: 3, services: 2, activeNodes: 2, netLoss: loss, serialLoss: loss, pauseMtb: 400, pauseMean: 10, mtbf, mttr: 60, bootTime: 10 }, seed, 3000);
      if (result.dualActiveTime > 0) assert.ok(result.falseTakeovers > 0, JSON.stringify(result));
      assert.ok(result.flaps <= result.mistakes);
    }),
    { numRuns: 40, seed: 7 },
  );
});

test('a starved observer looks late and reads late: starved past T it suspects a running peer, then trusts it again', () => {
  const run = (d: number, retries: number) =>
    simulate({ retries }, 4, 200, (c) => c.script(100.2, (x) => x.starve(1, d))).result;
  // T = 3 s, no retry: a 1.5 s starvation only delays B's looks
  assert.equal(run(1.5, 0).mistakes, 0);
  // with the paper's probe (R = 1) the overdue look probes, A answers at once: no mistake
  assert.equal(run(8, 1).mistakes, 0);
  // 8 s, no retry: B's overdue look runs before it reads A's queued heartbeats (a stale "last
  // heard"), so it declares A at the end; the queued heartbeats then bring A back
  const long = run(8, 0);
  assert.equal(long.mistakes, 1);
  assert.equal(long.flaps, 1);
  assert.equal(long.declarations, 1);
});

test('pause lengths follow their distribution with mean pauseMean (lognormal, Pareto)', () => {
  for (const [pauseDist, pauseShape] of [['lognormal', 1], ['pareto', 3]] as const) {
    const { cluster } = simulate({ pauseMtb: 50, pauseMean: 2, pauseDist, pauseShape, recordTimeline: true }, 12, 200_000);
    // every pause: from 'paused' to the next state of that node (pauses that start during one extend it, so use sparse pauses)
    const lengths: number[] = [];
    const open = new Map<string, number>();
    for (const t of cluster.timeline) {
      if (t.kind !== 'node') continue;
      if (t.state === 'paused') open.set(t.name, t.time);
      else if (open.has(t.name)) {
        lengths.push(t.time - open.get(t.name)!);
        open.delete(t.name);
      }
    }
    const mean = lengths.reduce((a, b) => a + b, 0) / lengths.length;
    // merged overlapping pauses (rare at mean 2 s every 50 s) make the mean a little longer
    assert.ok(lengths.length > 5000 && mean > 1.85 && mean < 2.4, `${pauseDist}: ${lengths.length} pauses, mean ${mean}`);
  }
});

test('a service run twice after a false take-over is released when the paused holder resumes, not at the periodic poll', () => {
  for (const seed of [3, 4, 5]) {
    const { cluster, result } = simulate({ recordTimeline: true }, seed, 400, (c) => c.script(100, (x) => x.pause(0, 20)));
    const both = cluster.timeline.find((t) => t.kind === 'service' && t.state === 'A+B');
    assert.ok(both, 'B took the service over while A was paused');
    // dual-active from B's start to A's resume (120 s), plus a poll's round trip (A resumes as the controller)
    const expected = 120 - both.time;
    assert.ok(result.dualActiveTime >= expected && result.dualActiveTime < expected + 0.05, `seed ${seed}: dual ${result.dualActiveTime}, expected ${expected}`);
    assert.equal(result.falseTakeovers, 1);
    assert.deepEqual(cluster.runningOn(0), [0]);
  }
});

test('detections: an observer paused after the crash declares late; it counts among all detections, not among clean ones', () => {
  const { result } = simulate({}, 8, 300, (c) => {
    c.script(100, (x) => x.crash(0));
    c.script(101, (x) => x.pause(1, 20));
  });
  assert.equal(result.detections.length, 1);
  const [d] = result.detections;
  assert.equal(d.clean, false);
  assert.ok(d.latency > 21, `declared ${d.latency} s after the crash, after the pause`);
});

test("resumeDetector: 'fresh' trusts every peer after a long pause, 'keep' looks at once and suspects them", () => {
  const run = (resumeDetector: 'fresh' | 'keep') => simulate({ resumeDetector, retries: 0 }, 9, 300, (c) => c.script(100, (x) => x.pause(1, 30))).result;
  // in both, A suspects the paused B (a mistake: B runs); only with 'keep' does B, on resume, suspect A too
  const fresh = run('fresh'), keep = run('keep');
  assert.equal(fresh.mistakes, 1);
  assert.equal(fresh.falseTakeovers, 0);
  assert.equal(keep.mistakes, 2, 'B suspects A the moment it resumes (its last heartbeat is 30 s old)');
  assert.equal(keep.flaps, 2, 'and trusts it again at its next heartbeat');
  assert.equal(keep.falseTakeovers, 1, 'B, alone in its view, takes the service over');
});
