/**
 * Kernel tests: the heap order as a property against a reference model (a
 * sorted array), plus the edge cases of scheduling and run(until).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Sim, SchedulingError, type EventHandle } from '../src/kernel/sim.ts';

// ---------------------------------------------------------------------------
// Reference model: pending events in an array kept sorted by (time, seq).

interface RefEvent {
  id: number;
  time: number;
  seq: number;
  state: 'pending' | 'fired' | 'cancelled';
  /** Delays of the events this event schedules when it fires. */
  children: number[];
  /** Index (mod number of events) of an event this event cancels when it fires. */
  cancelInHandler: number | undefined;
}

class RefModel {
  now = 0;
  seq = 0;
  pending: RefEvent[] = [];
  events: RefEvent[] = [];

  at(time: number, children: number[], cancelInHandler: number | undefined): RefEvent {
    const e: RefEvent = { id: this.events.length, time, seq: this.seq++, state: 'pending', children, cancelInHandler };
    this.events.push(e);
    let i = this.pending.length;
    while (i > 0 && (this.pending[i - 1].time > time || (this.pending[i - 1].time === time && this.pending[i - 1].seq > e.seq))) i--;
    this.pending.splice(i, 0, e);
    return e;
  }

  cancel(id: number): boolean {
    const e = this.events[id];
    if (e.state !== 'pending') return false;
    e.state = 'cancelled';
    this.pending.splice(this.pending.indexOf(e), 1);
    return true;
  }

  /** Pops the next event due by `until`, or undefined. */
  pop(until: number): RefEvent | undefined {
    if (this.pending.length === 0 || this.pending[0].time > until) return undefined;
    const e = this.pending.shift()!;
    e.state = 'fired';
    this.now = e.time;
    return e;
  }
}

// ---------------------------------------------------------------------------
// Commands

type Cmd =
  | { kind: 'schedule'; delay: number; absolute: boolean; children: number[]; cancelInHandler: number | undefined }
  | { kind: 'cancel'; pick: number }
  | { kind: 'run'; advance: number };

// Half-second steps over a short range: many exact ties, exact float sums.
const delayArbHalf = fc.integer({ min: 0, max: 6 }).map((k) => k / 2);
const delayArb = delayArbHalf;

// Spread times: mostly dense in [0, 1), some ties, a few far in the future. The
// kernel's calendar lays its buckets out from a sample of the pending times;
// this makes buckets of several events, empty runs of buckets, an overflow
// and outliers that defeat the sample.
const spreadDelayArb = fc.oneof(
  { weight: 6, arbitrary: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }) },
  { weight: 2, arbitrary: delayArb },
  { weight: 1, arbitrary: fc.double({ min: 0, max: 1e6, noNaN: true }) },
);

const cmdArbWith = (w: { schedule: number; cancel: number; run: number }, delayArb = delayArbHalf): fc.Arbitrary<Cmd> =>
  fc.oneof(
    {
      weight: w.schedule,
      arbitrary: fc.record({
        kind: fc.constant('schedule' as const),
        delay: delayArb,
        absolute: fc.boolean(),
        children: fc.array(delayArb, { maxLength: 3 }),
        cancelInHandler: fc.option(fc.nat({ max: 1000 }), { nil: undefined, freq: 4 }),
      }),
    },
    { weight: w.cancel, arbitrary: fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat({ max: 1000 }) }) },
    { weight: w.run, arbitrary: fc.record({ kind: fc.constant('run' as const), advance: delayArb }) },
  );

const cmdArb = cmdArbWith({ schedule: 5, cancel: 3, run: 1 });
// Mostly schedules and cancels, rarely a run: many cancelled entries pile up
// in the heap, which exercises the kernel's compaction.
const cancelHeavyArb = cmdArbWith({ schedule: 10, cancel: 10, run: 1 });

/** Executes the commands on a real Sim and the model side by side, checking as it goes. */
function check(cmds: Cmd[]): void {
  const sim = new Sim(16); // small, so that larger cases grow the heap
  const ref = new RefModel();
  const handles: EventHandle[] = []; // by event id
  const fired: number[] = [];
  const expectedFired: number[] = [];
  let currentUntil = Infinity;

  const handler = (id: number, s: Sim): void => {
    assert.equal(s, sim);
    fired.push(id);
    const e = ref.events[id];
    assert.equal(sim.now, e.time, `event ${id} runs at its time`);
    assert.ok(e.time <= currentUntil, `event ${id} at ${e.time} ran in run(${currentUntil})`);
    // The model pops its own next event; it must be this one.
    const r = ref.pop(Infinity)!;
    expectedFired.push(r.id);
    assert.equal(id, r.id, `event ${id} fired, the model expected ${r.id}`);
    // The running event sits at the top of the heap until its handler schedules
    // something; vary what the handler does first (cancel, which may compact the
    // heap; look at the queue; schedule) so every order is exercised.
    const cancelInHandler = (): void => {
      if (e.cancelInHandler === undefined) return;
      const target = e.cancelInHandler % ref.events.length;
      assert.equal(sim.cancel(handles[target]), ref.cancel(target), `cancel of ${target} from handler ${id}`);
    };
    const look = (): void => {
      assert.equal(sim.pending, ref.pending.length, `pending inside handler ${id}`);
      assert.equal(sim.peekTime(), ref.pending.length > 0 ? ref.pending[0].time : Infinity, `peekTime inside handler ${id}`);
    };
    if (id % 3 === 1) cancelInHandler();
    if (id % 4 === 2) look();
    for (const d of e.children) {
      const child = ref.at(sim.now + d, [], undefined);
      const h = sim.schedule(d, handler, child.id);
      handles.push(h);
      assert.equal(handles.length, ref.events.length);
    }
    if (id % 3 !== 1) cancelInHandler();
    look();
  };

  const runUntil = (until: number): void => {
    const before = fired.length;
    // The handler checks each popped event against the model; here we check the boundary.
    currentUntil = until;
    const n = sim.run(until);
    assert.equal(n, fired.length - before, 'run returns the number of events executed');
    if (until !== Infinity) {
      assert.equal(sim.now, until, 'run(until) leaves now == until');
      ref.now = until;
    }
    assert.ok(ref.pending.length === 0 || ref.pending[0].time > until, 'no due event left pending');
  };

  const checkState = (): void => {
    assert.equal(sim.pending, ref.pending.length, 'pending count');
    assert.equal(sim.peekTime(), ref.pending.length > 0 ? ref.pending[0].time : Infinity, 'peekTime');
    for (const e of ref.events) assert.equal(sim.isPending(handles[e.id]), e.state === 'pending', `isPending(${e.id})`);
  };

  for (const c of cmds) {
    if (c.kind === 'schedule') {
      const time = sim.now + c.delay;
      const e = ref.at(time, c.children, c.cancelInHandler);
      handles.push(c.absolute ? sim.at(time, handler, e.id) : sim.schedule(c.delay, handler, e.id));
    } else if (c.kind === 'cancel') {
      if (ref.events.length === 0) continue;
      const target = c.pick % ref.events.length;
      assert.equal(sim.cancel(handles[target]), ref.cancel(target), `cancel(${target})`);
    } else {
      runUntil(sim.now + c.advance);
    }
    checkState();
  }
  runUntil(Infinity);
  checkState();
  assert.equal(sim.pending, 0);

  assert.deepEqual(fired, expectedFired);
  // Every non-cancelled event fired exactly once; cancelled ones never.
  const count = new Map<number, number>();
  for (const id of fired) count.set(id, (count.get(id) ?? 0) + 1);
  for (const e of ref.events) {
    if (e.state === 'cancelled') assert.equal(count.get(e.id), undefined, `cancelled event ${e.id} fired`);
    else assert.equal(count.get(e.id), 1, `event ${e.id} fired ${count.get(e.id) ?? 0} times`);
  }
  // (time, seq) order overall.
  for (let i = 1; i < fired.length; i++) {
    const a = ref.events[fired[i - 1]], b = ref.events[fired[i]];
    assert.ok(a.time < b.time || (a.time === b.time && a.seq < b.seq), '(time, seq) order');
  }
}

test('heap order matches a sorted-array reference model (property)', () => {
  fc.assert(fc.property(fc.array(cmdArb, { maxLength: 120 }), check), { numRuns: 1000, seed: 20240611 });
});

test('heap order property, long command sequences (growth, slot reuse)', () => {
  fc.assert(fc.property(fc.array(cmdArb, { minLength: 200, maxLength: 600 }), check), { numRuns: 120, seed: 7 });
});

test('heap order property, cancel-heavy sequences (compaction)', () => {
  fc.assert(fc.property(fc.array(cancelHeavyArb, { minLength: 100, maxLength: 500 }), check), { numRuns: 300, seed: 11 });
});

test('heap order property, spread times and far outliers (calendar buckets, overflow)', () => {
  fc.assert(fc.property(fc.array(cmdArbWith({ schedule: 8, cancel: 2, run: 1 }, spreadDelayArb), { minLength: 100, maxLength: 800 }), check), { numRuns: 150, seed: 13 });
});

test('cancel returns true exactly once per pending event', () => {
  fc.assert(
    fc.property(fc.array(fc.nat({ max: 40 }), { maxLength: 100 }), fc.array(delayArb, { minLength: 1, maxLength: 40 }), (picks, delays) => {
      const sim = new Sim();
      const hs = delays.map((d) => sim.schedule(d, () => assert.fail('cancelled event fired')));
      const trues = new Set<number>();
      for (const p of picks) {
        const i = p % hs.length;
        const ok = sim.cancel(hs[i]);
        assert.equal(ok, !trues.has(i));
        trues.add(i);
      }
      for (const h of hs) sim.cancel(h);
      assert.equal(sim.pending, 0);
      assert.equal(sim.run(), 0);
    }),
    { numRuns: 200, seed: 3 },
  );
});

// ---------------------------------------------------------------------------
// Edge cases

test('equal times run in scheduling order, also when scheduled from handlers at delay 0', () => {
  const sim = new Sim();
  const log: string[] = [];
  sim.at(1, () => {
    log.push('a');
    sim.schedule(0, () => log.push('a0'));
    sim.schedule(0, () => {
      log.push('a1');
      sim.schedule(0, () => log.push('a1-0'));
    });
  });
  sim.at(1, () => log.push('b'));
  sim.at(0.5, () => log.push('first'));
  sim.at(1, () => log.push('c'));
  sim.run();
  assert.deepEqual(log, ['first', 'a', 'b', 'c', 'a0', 'a1', 'a1-0']);
  assert.equal(sim.now, 1);
});

test('scheduling in the past or at a non-finite time throws SchedulingError', () => {
  const sim = new Sim();
  const noop = (): void => {};
  sim.run(5);
  assert.equal(sim.now, 5);
  assert.throws(() => sim.at(4.999, noop), SchedulingError);
  assert.throws(() => sim.schedule(-1e-9, noop), SchedulingError);
  for (const bad of [NaN, Infinity, -Infinity]) {
    assert.throws(() => sim.at(bad, noop), SchedulingError);
    assert.throws(() => sim.schedule(bad, noop), SchedulingError);
  }
  assert.throws(() => sim.run(NaN), SchedulingError);
  // Nothing was scheduled by the failed calls.
  assert.equal(sim.pending, 0);
  // Scheduling at exactly now is fine.
  let ran = false;
  sim.at(5, () => (ran = true));
  sim.run();
  assert.ok(ran);
  // From inside a handler, the past is also refused.
  const sim2 = new Sim();
  let caught: unknown;
  sim2.at(3, (_: unknown, s: Sim) => {
    try {
      s.at(2, noop);
    } catch (e) {
      caught = e;
    }
  });
  sim2.run();
  assert.ok(caught instanceof SchedulingError);
});

test('run(until) runs events at <= until, leaves now == until and later events pending', () => {
  const sim = new Sim();
  const log: number[] = [];
  for (const t of [1, 2, 3, 3, 4, 10]) sim.at(t, (x: number) => log.push(x), t);
  const late = sim.at(7, () => log.push(7));
  assert.equal(sim.run(3), 4);
  assert.deepEqual(log, [1, 2, 3, 3]);
  assert.equal(sim.now, 3);
  assert.equal(sim.run(3.5), 0);
  assert.equal(sim.now, 3.5);
  assert.equal(sim.pending, 3);
  assert.equal(sim.peekTime(), 4);
  assert.ok(sim.isPending(late));
  assert.equal(sim.run(8), 2);
  assert.equal(sim.now, 8);
  assert.ok(!sim.isPending(late));
  assert.equal(sim.cancel(late), false);
  assert.equal(sim.pending, 1);
  // Scheduling relative to the advanced clock.
  sim.schedule(1, () => log.push(9));
  sim.run();
  assert.deepEqual(log, [1, 2, 3, 3, 4, 7, 9, 10]);
  assert.equal(sim.now, 10);
  assert.equal(sim.executed, 8);
});

test('stop() ends run after the current event', () => {
  const sim = new Sim();
  const log: number[] = [];
  sim.at(1, () => log.push(1));
  sim.at(2, (_: unknown, s: Sim) => {
    log.push(2);
    s.stop();
  });
  sim.at(3, () => log.push(3));
  assert.equal(sim.run(10), 2);
  assert.equal(sim.now, 2, 'a stopped run does not advance the clock to until');
  assert.equal(sim.pending, 1);
  sim.run();
  assert.deepEqual(log, [1, 2, 3]);
});

test('stale and bogus handles are rejected', () => {
  const sim = new Sim(16);
  const h1 = sim.schedule(1, () => {});
  assert.ok(sim.cancel(h1));
  // The slot is reused by the next event; the old handle must not reach it.
  const h2 = sim.schedule(1, () => {});
  assert.notEqual(h1, h2);
  assert.equal(sim.cancel(h1), false);
  assert.equal(sim.isPending(h1), false);
  assert.ok(sim.isPending(h2));
  for (const bad of [-1, 0.5, NaN, Infinity, 2 ** 40, 12345]) {
    assert.equal(sim.cancel(bad), false);
    assert.equal(sim.isPending(bad), false);
  }
  assert.ok(sim.cancel(h2));
});

test('grows far beyond the initial capacity and keeps order', () => {
  const sim = new Sim(16);
  const n = 50_000;
  let x = 12345;
  const times: number[] = [];
  const handles: EventHandle[] = [];
  const out: number[] = [];
  const h = (t: number): void => {
    out.push(t);
  };
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0; // a fixed LCG: a test, not a model
    const t = (x >>> 8) % 1000;
    times.push(t);
    handles.push(sim.at(t, h, t));
  }
  assert.equal(sim.pending, n);
  // cancel every third
  let cancelled = 0;
  for (let i = 0; i < n; i += 3) {
    assert.ok(sim.cancel(handles[i]));
    cancelled++;
  }
  assert.equal(sim.pending, n - cancelled);
  assert.equal(sim.run(), n - cancelled);
  const expected = times.filter((_, i) => i % 3 !== 0).sort((a, b) => a - b);
  assert.deepEqual(out, expected);
});

test('cancelled entries do not pile up: the heap is compacted and order is kept', () => {
  const sim = new Sim(16);
  const internalSize = (): number => (sim as unknown as { queue: { size: number } }).queue.size;
  const n = 10_000;
  const handles: EventHandle[] = [];
  const out: number[] = [];
  const h = (i: number): void => {
    out.push(i);
  };
  for (let i = 0; i < n; i++) handles.push(sim.at(1000 + ((i * 7919) % n) / 10, h, i));
  let maxSize = 0;
  for (let i = 0; i < n; i++) {
    if (i % 10 === 3) continue; // keep every tenth
    assert.ok(sim.cancel(handles[i]));
    maxSize = Math.max(maxSize, internalSize());
  }
  assert.equal(sim.pending, n / 10);
  assert.ok(internalSize() <= 2 * sim.pending + 64, `heap holds ${internalSize()} entries for ${sim.pending} pending`);
  // Reschedule-and-cancel churn, as a timeout that is pushed back on every heartbeat.
  let timeout = sim.schedule(5000, h, -1);
  for (let k = 0; k < 5000; k++) {
    assert.ok(sim.cancel(timeout));
    timeout = sim.schedule(5000 + k, h, -1);
  }
  assert.ok(internalSize() <= 2 * sim.pending + 64, `heap holds ${internalSize()} entries for ${sim.pending} pending`);
  const kept = Array.from({ length: n / 10 }, (_, j) => 10 * j + 3).sort(
    (a, b) => ((a * 7919) % n) - ((b * 7919) % n) || a - b,
  );
  assert.equal(sim.peekTime(), 1000 + ((kept[0] * 7919) % n) / 10);
  sim.run();
  assert.deepEqual(out, [...kept, -1]);
  assert.equal(sim.now, 5000 + 4999);
  assert.equal(sim.pending, 0);
});

test('compaction after the top entry was cancelled restores heap order', () => {
  const sim = new Sim(16);
  const out: number[] = [];
  const h = (t: number): void => {
    out.push(t);
  };
  const a = sim.at(1, h, 1);
  sim.at(3, h, 3);
  sim.at(2, h, 2);
  const later: EventHandle[] = [];
  for (let i = 0; i < 40; i++) later.push(sim.at(100 + i, h, 100 + i));
  assert.ok(sim.cancel(a));
  for (let i = 0; i < 36; i++) assert.ok(sim.cancel(later[i]));
  assert.equal(sim.pending, 6);
  assert.ok((sim as unknown as { queue: { size: number } }).queue.size < 43, 'compacted');
  sim.run();
  assert.deepEqual(out, [2, 3, 136, 137, 138, 139]);
});

test('a handler that cancels enough to compact the heap, then schedules, keeps every event', () => {
  // The running event stays at the top of the heap until its handler schedules
  // something; a compaction in between must take it out first.
  const sim = new Sim(16);
  const out: number[] = [];
  const h = (t: number): void => {
    out.push(t);
  };
  const later: EventHandle[] = [];
  for (let i = 0; i < 60; i++) later.push(sim.at(10 + i, h, 10 + i));
  sim.at(1, () => {
    for (let i = 0; i < 50; i++) assert.ok(sim.cancel(later[i]));
    assert.ok((sim as unknown as { queue: { size: number } }).queue.size < 50, 'compacted inside the handler');
    assert.equal(sim.pending, 10);
    sim.schedule(1, h, 2);
    sim.schedule(0.5, h, 1.5);
    assert.equal(sim.pending, 12);
  });
  sim.run();
  assert.deepEqual(out, [1.5, 2, ...Array.from({ length: 10 }, (_, i) => 60 + i)]);
  assert.equal(sim.pending, 0);
});
