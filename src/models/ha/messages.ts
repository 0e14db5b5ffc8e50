/**
 * Protocol messages (everything but heartbeats): a typed union, their
 * one-line descriptions for the message log, and the transport that sends
 * them over the links. A message goes on every channel ('all', the receiver
 * handles the first copy to arrive) or on net only; each copy's latency and
 * loss are drawn, and its channel's state decided, at send. A copy that
 * arrives at a crashed or paused node is dropped.
 */
import type { Sim } from '../../kernel/sim.ts';
import type { HaConfig } from './options.ts';
import type { Nodes } from './nodes.ts';
import type { Links } from './links.ts';
import type { Counters, Metrics } from './metrics.ts';
import type { Monitor } from './monitor.ts';
import type { Services } from './services.ts';
import type { Trace } from './trace.ts';
import { CHANNELS } from './links.ts';
import { SVC_STATE_NAMES } from './services.ts';

/** One copy of a protocol message as drawn at send: its latency and whether it is lost. */
export interface Copy {
  lat: number;
  lost: boolean;
}

/** A service and its state on the answering node. */
export type Held = Array<[service: number, state: number]>;

export type Message =
  | { type: 'FAULT'; failed: number }
  | { type: 'REJOIN'; node: number }
  | { type: 'SYSTEM_LOAD'; round: number; reply?: Copy[] }
  | { type: 'SYSTEM_LOAD_ANSWER'; round: number; held: Held; load: number; up: boolean }
  | { type: 'FAIL_OVER'; services: number[] }
  | { type: 'RELEASE'; services: number[] }
  | { type: 'CHECK_IP' }
  | { type: 'CHECK_IP_ANSWER'; held: number[] }
  | { type: 'FAIL_BACK'; services: number[] }
  | { type: 'FAIL_BACK_OK'; services: number[] };

export type MessageType = Message['type'];

/** The message log's one-line description of a message. */
export function describe(m: Message, names: string[]): string {
  const svcs = (list: number[]) => list.map((s) => 's' + s).join(' ');
  switch (m.type) {
    case 'FAULT':
      return `node ${names[m.failed]} failed`;
    case 'REJOIN':
      return `node ${names[m.node]} is back`;
    case 'SYSTEM_LOAD':
      return `round ${m.round}`;
    case 'SYSTEM_LOAD_ANSWER':
      return `round ${m.round} load ${m.load}${m.held.length ? ' holds ' + m.held.map(([s, st]) => `s${s}:${SVC_STATE_NAMES[st]}`).join(' ') : ''}`;
    case 'FAIL_OVER':
    case 'RELEASE':
    case 'FAIL_BACK':
    case 'FAIL_BACK_OK':
      return `services ${svcs(m.services)}`;
    case 'CHECK_IP':
      return '';
    case 'CHECK_IP_ANSWER':
      return m.held.length ? `holds ${svcs(m.held)}` : 'holds none';
  }
}

/** What the protocol roles (controller, fail-back) act through: the parts they read and the transport. */
export interface ProtocolParts {
  sim: Sim;
  cfg: HaConfig;
  nodes: Nodes;
  monitor: Monitor;
  services: Services;
  transport: Transport;
  metrics: Metrics;
  trace: Trace;
}

interface Envelope {
  from: number;
  to: number;
  msg: Message;
  handled: boolean;
}

export class Transport {
  private readonly onDeliver: (e: Envelope) => void;
  private readonly channels: number;

  constructor(
    private readonly sim: Sim,
    cfg: HaConfig,
    private readonly nodes: Nodes,
    private readonly links: Links,
    private readonly counts: Counters,
    private readonly trace: Trace,
    /** Called with every message a live node receives (once, the first copy). */
    private readonly handle: (me: number, from: number, msg: Message) => void,
  ) {
    this.channels = cfg.protocolChannels === 'all' ? 2 : 1;
    this.onDeliver = (e) => this.deliver(e);
  }

  /** Number of copies of a message between two nodes (2 on 'all', 1 on net only). */
  get copies(): number {
    return this.channels;
  }

  /**
   * Draw the copies of a message from `from` to `to` as a send would, into
   * out[at..at+copies) (nothing is sent or counted): each latency, -1 when
   * lost, NaN when it cannot arrive first and is drawn later by
   * `drawLatency` (Links.drawFirst). Returns the first arrival's latency.
   */
  drawFirst(from: number, to: number, out: Float64Array, at: number): number {
    return this.links.drawFirst(from, to, this.channels, out, at);
  }

  /** The latency of a copy whose draw was left for later. */
  drawLatency(from: number, to: number, c: number): number {
    return this.links.drawLatency(from, to, c);
  }

  send(from: number, to: number, msg: Message): void {
    const now = this.sim.now;
    if (from === to) {
      if (this.trace.recordMessages) this.trace.message(now, from, to, 'local', msg.type, 'delivered', now, describe(msg, this.nodes.names));
      this.sim.schedule(0, this.onDeliver, { from, to, msg, handled: false });
      return;
    }
    const copies: Copy[] = [];
    for (let c = 0; c < this.channels; c++) copies.push(this.links.drawProtocol(from, to, c));
    this.sendDrawn(from, to, msg, copies, now);
  }

  /**
   * Send msg with copies drawn earlier (a poll drawn ahead, polls.ts) as
   * sent at `sentAt` (now or earlier), counted now. The receiver was live
   * and nothing changed since sentAt (the caller knows): a copy that
   * arrived before now was handled then, and its arrival time is returned
   * (the caller carries out what the receiver did); otherwise the copies
   * still on their way are scheduled and undefined is returned.
   */
  sendDrawn(from: number, to: number, msg: Message, copies: Copy[], sentAt: number): number | undefined {
    const now = this.sim.now;
    let first = Infinity;
    for (const { lat, lost } of copies) if (!lost && sentAt + lat < first) first = sentAt + lat;
    const record = this.trace.recordMessages;
    for (let c = 0; c < copies.length; c++) {
      const { lat, lost } = copies[c];
      this.counts.protocolMessages++;
      if (lost) this.counts.messagesLost++;
      if (record) this.trace.message(sentAt, from, to, CHANNELS[c], msg.type, lost ? 'lost' : 'delivered', sentAt + lat, describe(msg, this.nodes.names));
    }
    if (first < now) return first;
    const e: Envelope = { from, to, msg, handled: false };
    for (const { lat, lost } of copies) if (!lost) this.sim.at(sentAt + lat, this.onDeliver, e);
    return undefined;
  }

  /** Log a step a node takes by itself as a message to itself (its own answer in a poll). */
  local(n: number, msg: Message): void {
    if (this.trace.recordMessages) this.trace.message(this.sim.now, n, n, 'local', msg.type, 'delivered', this.sim.now, describe(msg, this.nodes.names));
  }

  private deliver(e: Envelope): void {
    if (!this.nodes.live(e.to)) {
      if (this.trace.recordMessages) this.trace.message(this.sim.now, e.from, e.to, 'local', e.msg.type, 'dropped', this.sim.now, 'receiver down or paused');
      return;
    }
    if (e.handled) return; // the copy on the other channel was first
    e.handled = true;
    this.handle(e.to, e.from, e.msg);
  }
}
