/**
 * Kernel tests, the order of events beyond plain scheduling: what has passed,
 * priorities at one time, and repeating timers against the self-rescheduling
 * events they stand for.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Sim, SchedulingError, type EventHandle } from '../src/kernel/sim.ts';

test('passed(time, priority): what would already have run, by the order of an instant (priority), never by sequence numbers', () => {
  const sim = new Sim(16);
  const seen: boolean[] = [];
  sim.at(5, () => {
    // the running event has priority -1
    seen.push(sim.passed(4.9, 100), sim.passed(5, -2), sim.passed(5, -1), sim.passed(5, 0), sim.passed(5.1, -100));
  }, undefined, -1);
  sim.at(6, () => seen.push(sim.passed(6, -1), sim.passed(6, 0), sim.passed(6, 1)));
  sim.run();
  assert.deepEqual(seen, [true, true, false, false, false, true, false, false]);
  assert.ok(sim.passed(6, 1000), 'between runs every event at or before now has passed');
  assert.ok(!sim.passed(6.5, -1000));
});

test('priority orders events at one time (lower first), then scheduling order, whenever they were scheduled', () => {
  const sim = new Sim(16);
  const out: string[] = [];
  const h = (name: string): void => {
    out.push(name);
  };
  sim.at(5, h, 'a');
  sim.at(3, () => {
    out.push('first');
    sim.at(5, h, 'b');
    sim.at(5, h, 'p-1', -1);
    sim.at(5, h, 'p-3', -3);
    sim.at(5, h, 'p+2', 2);
    sim.at(5, h, 'p-1 later', -1);
  });
  sim.at(5, h, 'c');
  sim.run();
  assert.deepEqual(out, ['first', 'p-3', 'p-1', 'p-1 later', 'a', 'c', 'b', 'p+2']);
  assert.throws(() => sim.at(10, h, 'x', 0.5), SchedulingError, 'priority must be an integer');
  assert.throws(() => sim.at(10, h, 'x', 2 ** 20), SchedulingError, 'priority out of range');
});

test('a repeating timer fires exactly as a self-rescheduling event of its priority would (property)', () => {
  // Reference: each timer is a heap event that reschedules itself first thing in its handler.
  // Under test: Sim.repeat. Both run the same random workload of one-shot events that
  // schedule others and cancel timers; the logs (time, name) must be equal.
  const arb = fc.record({
    timers: fc.array(fc.record({ first: fc.integer({ min: 0, max: 20 }), period: fc.constantFrom(0.5, 1, 1.5, 3, 0.1, 0.3), prio: fc.integer({ min: -3, max: 3 }) }), { minLength: 1, maxLength: 4 }),
    shots: fc.array(fc.record({ at: fc.integer({ min: 0, max: 40 }), prio: fc.integer({ min: -2, max: 2 }), child: fc.option(fc.integer({ min: 0, max: 3 })), cancel: fc.option(fc.integer({ min: 0, max: 3 })) }), { maxLength: 30 }),
  });
  fc.assert(
    fc.property(arb, ({ timers, shots }) => {
      const run = (useRepeat: boolean): string[] => {
        const sim = new Sim(8);
        const log: string[] = [];
        const handles: EventHandle[] = [];
        const stopped = new Set<number>();
        timers.forEach((tm, k) => {
          if (useRepeat) handles[k] = sim.repeat(tm.first, tm.period, () => log.push(`${sim.now} T${k}`), undefined, tm.prio);
          else {
            let n = 0;
            const fire = (): void => {
              if (stopped.has(k)) return;
              handles[k] = sim.at(tm.first + ++n * tm.period, fire, undefined, tm.prio);
              log.push(`${sim.now} T${k}`);
            };
            handles[k] = sim.at(tm.first, fire, undefined, tm.prio);
          }
        });
        shots.forEach((sh, k) => {
          sim.at(sh.at, () => {
            log.push(`${sim.now} S${k}`);
            if (sh.child !== null) sim.schedule(sh.child, () => log.push(`${sim.now} C${k}`), undefined, sh.prio);
            if (sh.cancel !== null && sh.cancel < timers.length) {
              stopped.add(sh.cancel);
              sim.cancel(handles[sh.cancel]);
            }
          }, undefined, sh.prio);
        });
        sim.run(45);
        return log;
      };
      assert.deepEqual(run(true), run(false));
    }),
    { numRuns: 300 },
  );
});

test('repeating timers: cancel, isPending, pending, peekTime', () => {
  const sim = new Sim();
  const seen: number[] = [];
  const h = sim.repeat(1, 2, () => seen.push(sim.now));
  assert.notEqual(h, -1, 'no handle is -1 (models use it for "none")');
  assert.ok(!sim.isPending(-1));
  assert.ok(sim.isPending(h));
  assert.equal(sim.pending, 1);
  assert.equal(sim.peekTime(), 1);
  sim.at(6, () => sim.cancel(h));
  sim.run(20);
  assert.deepEqual(seen, [1, 3, 5]);
  assert.ok(!sim.isPending(h));
  assert.ok(!sim.cancel(h), 'a stopped timer cannot be cancelled again');
  assert.equal(sim.pending, 0);
  assert.throws(() => sim.repeat(30, 0, () => {}), SchedulingError);
  const h2 = sim.repeat(25, 1, () => {});
  assert.notEqual(h2, h, 'a reused timer slot gets a new handle');
  assert.ok(!sim.isPending(h));
});

test('a repeating timer keeps an exact grid (anchor + n period, a product) and can start at any firing of it', () => {
  const sim = new Sim(8);
  const seen: number[] = [];
  const h = sim.repeat(0.3, 0.1, () => seen.push(sim.now));
  sim.run(1.05);
  sim.cancel(h);
  // a running sum would drift off the grid (0.1 is not exact in binary)
  assert.deepEqual(seen, Array.from({ length: 8 }, (_, n) => 0.3 + n * 0.1));
  const later: number[] = [];
  sim.repeat(0.3, 0.1, () => later.push(sim.now), undefined, 0, 12);
  sim.run(1.75);
  assert.deepEqual(later, [0.3 + 12 * 0.1, 0.3 + 13 * 0.1, 0.3 + 14 * 0.1]);
  assert.throws(() => sim.repeat(0.3, 0.1, () => {}, undefined, 0, 2), SchedulingError, 'firing 2 is in the past');
});
