/**
 * Kernel tests, the order of events beyond plain scheduling: reserved tickets,
 * priorities at one time, and repeating timers against the self-rescheduling
 * events they stand for.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Sim, SchedulingError, type EventHandle } from '../src/kernel/sim.ts';

test('an event scheduled with a reserved ticket runs where it would have run had it been scheduled then', () => {
  const sim = new Sim(16);
  const out: string[] = [];
  const h = (name: string): void => {
    out.push(name);
  };
  sim.at(5, h, 'a');
  const rb = sim.reserve(); // b's place: after a, before c
  sim.at(5, h, 'c');
  const rf = sim.reserve(); // before d in sequence, but used for a later time
  sim.at(1, () => {
    out.push('first');
    assert.ok(!sim.hasPassed(5, rb));
    sim.atTicket(5, rb, h, 'b');
  });
  sim.at(5, () => {
    out.push('d');
    // (5, rf) comes before the running event (5, d): too late for it
    assert.ok(sim.hasPassed(5, rf));
    assert.ok(!sim.hasPassed(7, rf));
    assert.throws(() => sim.atTicket(5, rf, h, 'x'), SchedulingError);
    sim.atTicket(7, rf, h, 'f');
    sim.atTicket(5, sim.reserve(), h, 'e');
  });
  sim.run();
  assert.deepEqual(out, ['first', 'a', 'b', 'c', 'd', 'e', 'f']);
  assert.ok(sim.hasPassed(7, rf), 'between runs every place at or before now has passed');
  assert.throws(() => sim.atTicket(8, 10_000 as never, h, 'y'), SchedulingError, 'never reserved');
  assert.throws(() => sim.atTicket(1, rb, h, 'z'), SchedulingError, 'in the past');
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
  // a ticket keeps its priority
  const t = sim.reserve(-5);
  sim.at(9, h, 'ordinary@9');
  sim.atTicket(9, t, h, 'ticket-5@9');
  sim.run();
  assert.deepEqual(out.slice(-2), ['ticket-5@9', 'ordinary@9']);
  assert.throws(() => sim.at(10, h, 'x', 0.5), SchedulingError, 'priority must be an integer');
  assert.throws(() => sim.at(10, h, 'x', 2 ** 20), SchedulingError, 'priority out of range');
});

test('a repeating timer fires exactly as a self-rescheduling event of its priority would (property)', () => {
  // Reference: each timer is a heap event that reschedules itself first thing in its handler.
  // Under test: Sim.repeat. Both run the same random workload of one-shot events that
  // schedule others and cancel timers; the logs (time, name) must be equal.
  const arb = fc.record({
    timers: fc.array(fc.record({ first: fc.integer({ min: 0, max: 20 }), period: fc.constantFrom(0.5, 1, 1.5, 3), prio: fc.integer({ min: -3, max: 3 }) }), { minLength: 1, maxLength: 4 }),
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
            const fire = (): void => {
              if (stopped.has(k)) return;
              handles[k] = sim.at(sim.now + tm.period, fire, undefined, tm.prio);
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
