/**
 * Signals: what the parts of the HA model tell the world, by name (as
 * OMNeT++'s `emit`). Protocol code only emits; the metrics and anything else
 * listen (`on`). A lazy stretch of heartbeats emits its counts in bulk
 * through the same signals.
 */
export interface SignalMap {
  /** n heartbeat or probe copies sent, `lost` of them lost at send. */
  heartbeats: (n: number, lost: number) => void;
  /** n protocol copies sent, `lost` of them lost at send. */
  protocol: (n: number, lost: number) => void;
  /** n copies lost at arrival (their channel went down in flight). */
  lostInFlight: (n: number) => void;
  /** i declared j failed (its detector suspects j). */
  suspected: (i: number, j: number) => void;
  /** i took j out of its view on a FAULT report from another node. */
  reported: (i: number, j: number) => void;
  /** i heard j, which it had out of view (it trusts j again). */
  trusted: (i: number, j: number) => void;
  /** A node took a service over; `stillRunning`: another node still ran it (a false take-over). */
  tookOver: (stillRunning: boolean) => void;
  /** Controller c found service s held by nobody and the fail-over policy gave it to nobody in the cluster (policy 'external'). */
  orphaned: (s: number, c: number) => void;
  /** Service s is no longer run by a live node; `planned`: its holder handed it back (a fail-back), else a fault. */
  serviceDown: (s: number, planned: boolean) => void;
  /** Node n crashed (before it loses its services). */
  nodeCrashed: (n: number) => void;
  /** A cut, heal, partition or heal-all changed which channels are up. */
  linksChanged: () => void;
  /** A node released a service it held twice. */
  released: () => void;
  /** Node n runs its home services again after a repair (fail-back done). */
  failedBack: (n: number) => void;
  /** Service s is up; `allUp(list)` tells whether every service of a list is. */
  serviceUp: (s: number, allUp: (services: number[]) => boolean) => void;
  /** Service s has its users back; `allBack(list)` tells whether every service of a list has. */
  usersBack: (s: number, allBack: (services: number[]) => boolean) => void;
  // ---- the record (the trace listens when asked to keep a log) ----
  /** A heartbeat or probe copy sent (key: its identity, to say later whether it was lost in flight). */
  copySent: (time: number, from: number, to: number, channel: ChannelName, probe: number, seq: number, lost: boolean, arrival: number, key: number) => void;
  /** The copy `key` arrived; lost: its channel was down then. */
  copyArrived: (key: number, lost: boolean) => void;
  /** A protocol message copy (or a step a node logs as a message to itself). */
  message: (time: number, from: number, to: number, channel: ChannelName | 'local', type: string, status: MessageRecord['status'], arrival: number, info: string) => void;
  /** A step of an algorithm at node n. */
  step: (n: number, what: string, detail: number | string) => void;
  /** A node's state, or a service's holders, from now on. */
  state: (kind: 'node' | 'service', name: string, state: string) => void;
}

import type { ChannelName } from './links.ts';
import type { MessageRecord } from './trace.ts';

export type SignalName = keyof SignalMap;

type Listeners = { [K in SignalName]: SignalMap[K][] };

/**
 * The signals of one cluster. Emitting a signal nobody listens to costs one
 * check; `listened(name)` lets an emitter skip building what nobody reads
 * (the message log's lines).
 */
export class Signals {
  private readonly l: Listeners = {
    heartbeats: [], protocol: [], lostInFlight: [], suspected: [], reported: [], trusted: [], tookOver: [], released: [], failedBack: [], orphaned: [], serviceDown: [], nodeCrashed: [], linksChanged: [],
    serviceUp: [], usersBack: [], copySent: [], copyArrived: [], message: [], step: [], state: [],
  };

  /** Listen to a signal. */
  on<K extends SignalName>(name: K, f: SignalMap[K]): void {
    (this.l[name] as SignalMap[K][]).push(f);
  }

  /** Does anyone listen to this signal? */
  listened(name: SignalName): boolean {
    return this.l[name].length > 0;
  }

  /** Emit a signal to its listeners, in the order they began to listen. */
  emit<K extends SignalName>(name: K, ...args: Parameters<SignalMap[K]>): void {
    const fs = this.l[name] as Array<(...a: Parameters<SignalMap[K]>) => void>;
    for (let x = 0; x < fs.length; x++) fs[x](...args);
  }

  // the counts, emitted on hot paths: direct methods (no argument arrays)
  heartbeats(n: number, lost: number): void {
    const fs = this.l.heartbeats;
    for (let x = 0; x < fs.length; x++) fs[x](n, lost);
  }

  protocol(n: number, lost: number): void {
    const fs = this.l.protocol;
    for (let x = 0; x < fs.length; x++) fs[x](n, lost);
  }
}
