/**
 * Protocol messages (everything but heartbeats): a typed union, their
 * one-line descriptions for the message log, and the transport that sends
 * them over the links. A message goes on every channel ('all', the receiver
 * handles the first copy to arrive) or on net only; each copy's fate is its
 * channel's (links.ts: by the channel's count of protocol copies, and the
 * channel's state at send). A copy that arrives at a crashed or paused node
 * is dropped.
 */
import type { Sim } from '../../kernel/sim.ts';
import type { HaConfig } from './options.ts';
import type { Nodes } from './nodes.ts';
import type { Links } from './links.ts';
import type { Signals } from './signals.ts';
import type { Monitor } from './monitor.ts';
import type { Services } from './services.ts';
import { CHANNELS } from './links.ts';

/** Copy class of protocol messages (links.ts PROTO; a literal, as an imported binding costs a lookup per use on a hot path). */
const PROTO = 1;
import { SVC_STATE_NAMES } from './services.ts';

/** A service and its state on the answering node. */
export type Held = Array<[service: number, state: number]>;

export type Message =
  | { type: 'FAULT'; failed: number }
  | { type: 'REJOIN'; node: number }
  | { type: 'SYSTEM_LOAD'; round: number }
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
  signals: Signals;
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
  /** Someone keeps a log of every message. */
  private readonly record: boolean;

  constructor(
    private readonly sim: Sim,
    cfg: HaConfig,
    private readonly nodes: Nodes,
    private readonly links: Links,
    private readonly signals: Signals,
    /** Called with every message a live node receives (once, the first copy). */
    private readonly handle: (me: number, from: number, msg: Message) => void,
  ) {
    this.channels = cfg.protocolChannels === 'all' ? 2 : 1;
    this.record = signals.listened('message');
    this.onDeliver = (e) => this.deliver(e);
  }

  /** Number of copies of a message between two nodes (2 on 'all', 1 on net only). */
  get copies(): number {
    return this.channels;
  }

  /**
   * The message that would be the k-th (from 0) sent from `from` to `to`
   * from now on, if nothing changes meanwhile (polls drawn ahead): its first
   * copy's latency (Infinity: every copy lost). Nothing is sent; a copy that
   * cannot come first is not looked at.
   */
  peek(from: number, to: number, k: number): number {
    const L = this.links;
    let first = Infinity;
    for (let c = 0; c < this.channels; c++) {
      const l = L.index(from, to, c);
      if (first <= L.dist[c].lo + L.extra[l]) continue;
      const m = L.protoNext(l) + k;
      if (L.lost(l, PROTO, m)) continue;
      const lat = L.latency(l, PROTO, m);
      if (lat < first) first = lat;
    }
    return first;
  }

  /** Copies lost among the next n messages from `from` to `to` (all channels). */
  lostAhead(from: number, to: number, n: number): number {
    const L = this.links;
    let lost = 0;
    for (let c = 0; c < this.channels; c++) {
      const l = L.index(from, to, c), m = L.protoNext(l);
      lost += L.lostIn(l, PROTO, m, m + n);
    }
    return lost;
  }

  /** The next n messages from `from` to `to` are counted as sent without being delivered (polls drawn ahead that ended). */
  skip(from: number, to: number, n: number): void {
    const L = this.links;
    for (let c = 0; c < this.channels; c++) {
      const l = L.index(from, to, c);
      L.protoTake(l, L.protoNext(l) + n);
    }
  }

  send(from: number, to: number, msg: Message): void {
    const now = this.sim.now;
    if (from === to) {
      if (this.record) this.signals.emit('message', now, from, to, 'local', msg.type, 'delivered', now, describe(msg, this.nodes.names));
      this.sim.schedule(0, this.onDeliver, { from, to, msg, handled: false });
      return;
    }
    this.sendAt(from, to, msg, now);
  }

  /**
   * Send msg as sent at `sentAt` (now, or earlier for a poll drawn ahead:
   * the channels and the receiver have not changed since), counted now. A
   * copy that arrived before now was handled then, and its arrival time is
   * returned (the caller carries out what the receiver did); otherwise the
   * copies still on their way are scheduled and undefined is returned.
   */
  sendAt(from: number, to: number, msg: Message, sentAt: number): number | undefined {
    const now = this.sim.now, L = this.links;
    const record = this.record;
    const lats: number[] = [];
    let first = Infinity, lostN = 0;
    for (let c = 0; c < this.channels; c++) {
      const l = L.index(from, to, c), m = L.protoNext(l);
      const lost = L.lost(l, PROTO, m), lat = L.latency(l, PROTO, m);
      L.protoTake(l, m + 1);
      if (lost) lostN++;
      else if (sentAt + lat < first) first = sentAt + lat;
      lats.push(lost ? -1 : lat);
      if (record) this.signals.emit('message', sentAt, from, to, CHANNELS[c], msg.type, lost ? 'lost' : 'delivered', sentAt + lat, describe(msg, this.nodes.names));
    }
    this.signals.protocol(this.channels, lostN);
    if (first < now) return first;
    const e: Envelope = { from, to, msg, handled: false };
    for (const lat of lats) if (lat >= 0) this.sim.at(sentAt + lat, this.onDeliver, e);
    return undefined;
  }

  /** Log a step a node takes by itself as a message to itself (its own answer in a poll). */
  local(n: number, msg: Message): void {
    if (this.record) this.signals.emit('message', this.sim.now, n, n, 'local', msg.type, 'delivered', this.sim.now, describe(msg, this.nodes.names));
  }

  private deliver(e: Envelope): void {
    if (!this.nodes.live(e.to)) {
      if (this.record) this.signals.emit('message', this.sim.now, e.from, e.to, 'local', e.msg.type, 'dropped', this.sim.now, 'receiver down or paused');
      return;
    }
    if (e.handled) return; // the copy on the other channel was first
    e.handled = true;
    this.handle(e.to, e.from, e.msg);
  }
}
