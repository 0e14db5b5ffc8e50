/**
 * The membership model against published results: SWIM's expected time to
 * first detection, e/(e-1) protocol periods with random targets in aligned
 * rounds (Das, Gupta and Motivala 2002, section 3.1); a load per member that
 * does not grow with the group; Lifeguard cutting the false positives that
 * slow members cause (Dadgar, Phillips and Currey 2018: by more than an
 * order of magnitude); no false positive on a quiet network; a seed replays.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MembershipGroup, MEMBERSHIP_PRESETS } from '../src/models/membership/index.ts';

test('membership: SWIM finds a crash in e/(e-1) protocol periods on average (random targets, aligned rounds)', () => {
  const N = 200;
  const g = new MembershipGroup({ ...MEMBERSHIP_PRESETS['swim-paper'], nodes: N }, 7);
  // one member at a time crashes (a random one, at a random time in a minute) and comes back 30 s later
  const r = { x: 12345 };
  const rnd = () => ((r.x = (r.x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let k = 0; k < 400; k++) {
    const t = 60 * k + 1 + 50 * rnd(), n = Math.floor(rnd() * N);
    g.sim.at(t, () => g.crash(n));
    g.sim.at(t + 30, () => g.restart(n));
  }
  const res = g.run(60 * 400 + 60);
  const periods = res.crashes.map((c) => c.firstPickPeriods).filter((x) => !Number.isNaN(x));
  assert.ok(periods.length > 350, `${periods.length} crashes picked`);
  const mean = periods.reduce((a, b) => a + b, 0) / periods.length;
  // each of the N - 1 others picks it with probability 1 / (N - 1) per round: geometric with 1 - (1 - 1/(N-1))^(N-1)
  const exact = 1 / (1 - (1 - 1 / (N - 1)) ** (N - 1));
  assert.ok(Math.abs(exact - Math.E / (Math.E - 1)) < 0.005);
  // the standard error of the mean of ~400 geometric draws is about 0.05
  assert.ok(Math.abs(mean - exact) < 0.15, `mean ${mean} periods, e/(e-1) ${Math.E / (Math.E - 1)}`);
  assert.equal(res.falsePositives, 0);
});

test('membership: the load per member does not grow with the group (one ping and one ack per period); k monitors cost k, all-to-all N - 1', () => {
  const loads = [16, 128, 1024].map((n) => new MembershipGroup({ nodes: n }, 1).run(120).messagesPerNodeSecond);
  for (const l of loads) assert.ok(Math.abs(l - 2) < 0.05, `${loads}`);
  for (const n of [16, 256]) assert.ok(Math.abs(new MembershipGroup({ nodes: n, protocol: 'k-monitors' }, 1).run(60).messagesPerNodeSecond - 5) < 0.01);
  assert.ok(Math.abs(new MembershipGroup({ nodes: 40, protocol: 'all-to-all' }, 1).run(60).messagesPerNodeSecond - 39) < 0.05);
});

test('membership: k monitors detect a crash T after its last heartbeat, at the first watcher\'s look: T - h/2 + h/(k+1) on average', () => {
  const g = new MembershipGroup({ nodes: 32, protocol: 'k-monitors', monitors: 5, heartbeatTimeout: 4, latency: 0.001, jitter: 0 }, 3);
  for (let k = 0; k < 40; k++) (g.sim.at(30 + 60 * k + 0.37 * k, () => g.crash(k % 32)), g.sim.at(60 + 60 * k, () => g.restart(k % 32)));
  const r = g.run(60 * 40 + 30);
  const det = r.crashes.map((c) => c.detection);
  // the last heartbeat left within the period before the crash; a watcher looks once a period: T - h < detection <= T + h
  for (const d of det) assert.ok(d > 3 - 1e-9 && d <= 5 + 0.01, `${det}`);
  // the last heartbeat arrived uniformly within the period before the crash (mean h/2 before it); the first of the
  // 5 watchers to look after T has passed looks, on average, h/6 after (the least of 5 uniform phases): T - h/2 + h/6
  const mean = det.reduce((a, b) => a + b, 0) / det.length;
  assert.ok(Math.abs(mean - (4 - 0.5 + 1 / 6)) < 0.15, `mean detection ${mean}`);
  assert.equal(r.falsePositives, 0);
});

test('membership: Lifeguard cuts the false positives slow members cause by more than ten times; quiet networks have none', () => {
  const run = (protocol: 'swim' | 'lifeguard') => new MembershipGroup({ nodes: 128, protocol, slowShare: 0.05, slowDelay: 2, failover: true }, 3).run(1800);
  const swim = run('swim'), lifeguard = run('lifeguard');
  assert.ok(swim.falsePositives > 100, `swim ${swim.falsePositives}`);
  assert.ok(lifeguard.falsePositives * 10 < swim.falsePositives, `lifeguard ${lifeguard.falsePositives} vs swim ${swim.falsePositives}`);
  // with the HA fail-over on the views: SWIM's false positives move services off live (slow) homes, which run on: split brains
  const sw = swim.services!, lg = lifeguard.services!;
  assert.ok(sw.falseFailovers >= 10 && sw.falseFailovers > 10 * lg.falseFailovers, `false fail-overs: swim ${sw.falseFailovers}, lifeguard ${lg.falseFailovers}`);
  assert.ok(sw.splitSeconds > sw.falseFailovers * 2, `a false fail-over runs a service twice until the views agree again (${sw.splitSeconds} s)`);
  assert.equal(sw.downSeconds, 0, 'no crash: every service always ran somewhere');
  for (const protocol of ['swim', 'lifeguard'] as const) assert.equal(new MembershipGroup({ nodes: 64, protocol, mtbf: 3600, mttr: 60 }, 2).run(1800).falsePositives, 0);
});

test('membership: every crash is detected and known to all; a seed replays; a restarted member rejoins everywhere', () => {
  const go = () => {
    const g = new MembershipGroup({ nodes: 50, protocol: 'lifeguard', loss: 0.01 }, 5);
    g.massRestart(100, 0.5, 60);
    const r = g.run(600);
    // after the restart every live member holds every other alive
    for (let i = 0; i < 50; i++) for (let j = 0; j < 50; j++) if (i !== j) assert.equal(g.views.of(i, j), 0, `member ${i} holds ${j} in state ${g.views.of(i, j)}`);
    return r;
  };
  const a = go();
  assert.equal(a.crashes.length, 25);
  for (const c of a.crashes) assert.ok(c.detection > 0 && c.allKnow > c.detection, JSON.stringify(c));
  assert.equal(JSON.stringify(go()), JSON.stringify(a));
});

test('membership: a protocol is one file and a line of registration; an unknown one is refused in one line', async () => {
  const { registerMembershipProtocol, membershipProtocolNames } = await import('../src/models/membership/index.ts');
  registerMembershipProtocol('three-watchers', { lifeguard: false, watchers: () => 3 });
  assert.ok(membershipProtocolNames().includes('three-watchers'));
  assert.ok(Math.abs(new MembershipGroup({ nodes: 20, protocol: 'three-watchers' }, 1).run(60).messagesPerNodeSecond - 3) < 0.01);
  assert.throws(() => new MembershipGroup({ nodes: 20, protocol: 'gossip-ish' }, 1), /protocol must be one of swim, lifeguard, k-monitors, all-to-all, three-watchers \(got gossip-ish\)/);
  assert.throws(() => new MembershipGroup({ nodes: 3000, protocol: 'all-to-all' }, 1), /all-to-all watches N x N pairs: at most 2,000 members/);
});

/** The first time (polled every 10 ms from `from`) that member i's view of j is `status`. */
function whenView(g: MembershipGroup, i: number, j: number, status: number, from: number, until: number): () => number {
  let seen = NaN;
  for (let t = from; t < until; t += 0.01) g.sim.at(t, () => {
    if (Number.isNaN(seen) && g.views.of(i, j) === status) seen = g.sim.now;
  });
  return () => seen;
}

test('membership fail-over: each member runs what its own view gives it: the taker starts when its view holds the home dead, the home takes its service back at once and the taker lets go when its view has it back', () => {
  const DEAD = 2, ALIVE = 0;
  for (const protocol of ['swim', 'lifeguard', 'k-monitors'] as const) {
    const g = new MembershipGroup({ nodes: 16, protocol, failover: true, takeover: 2 }, 3);
    g.sim.at(100, () => g.crash(3));
    g.sim.at(200, () => g.restart(3));
    // the paper's policy (least loaded) among members 4, 5, 6 (one service each): the lowest id, 4
    const dead4 = whenView(g, 4, 3, DEAD, 100, 200);
    const alive4 = whenView(g, 4, 3, ALIVE, 200, 300);
    let during: number[] = [];
    g.sim.at(199, () => (during = g.services!.holders(3)));
    const r = g.run(300);
    const s = r.services!;
    assert.deepEqual(during, [4], `${protocol}: member 4 runs service 3 while 3 is down`);
    assert.deepEqual(g.services!.holders(3), [3], `${protocol}: service 3 is back home`);
    // down from the crash until 4's view held 3 dead, plus the take-over time
    assert.ok(Math.abs(s.downSeconds - (dead4() + 2 - 100)) < 0.02, `${protocol}: down ${s.downSeconds} s, 4 saw it dead at ${dead4()}`);
    assert.equal(s.downPerCrash, s.downSeconds);
    // twice from the restart until 4's view had 3 alive again
    assert.ok(Math.abs(s.splitSeconds - (alive4() - 200)) < 0.02, `${protocol}: split ${s.splitSeconds} s, 4 saw it alive at ${alive4()}`);
    assert.deepEqual([s.failovers, s.failbacks, s.falseFailovers], [1, 1, 0]);
  }
});

test('membership fail-over: the HA policies pick the taker (external: nobody, the service waits for its home; spare: a standby)', () => {
  const ext = new MembershipGroup({ nodes: 16, failover: true, failoverPolicy: 'external' }, 3);
  ext.sim.at(100, () => ext.crash(3));
  ext.sim.at(200, () => ext.restart(3));
  const e = ext.run(300).services!;
  assert.ok(Math.abs(e.downSeconds - 100) < 1e-9, `external: down ${e.downSeconds}`);
  assert.equal(e.failovers, 0);

  // the taker dies too: the next candidate in the views takes both services (its view change of 4 reaches home 3's window)
  const two = new MembershipGroup({ nodes: 16, failover: true }, 3);
  two.sim.at(100, () => two.crash(3));
  two.sim.at(150, () => two.crash(4));
  let both: number[][] = [];
  two.sim.at(199, () => (both = [two.services!.holders(3), two.services!.holders(4)]));
  two.run(200);
  assert.deepEqual(both, [[5], [5]]);

  const sp = new MembershipGroup({ nodes: 16, failover: true, failoverPolicy: 'spare', spares: 2, failoverCandidates: 16 }, 3);
  sp.sim.at(100, () => sp.crash(3));
  let taker: number[] = [];
  sp.sim.at(150, () => (taker = sp.services!.holders(3)));
  sp.run(160);
  assert.deepEqual(taker, [14], 'the first standby takes it');
  assert.equal(sp.services!.S, 14);

});
