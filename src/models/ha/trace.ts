/**
 * Trace: the message log and the timeline (node states, service holders,
 * steps of the algorithms), when the configuration asks for them. It listens
 * to the parts' signals (signals.ts); protocol code never calls it. Each log
 * stops at `maxLogRows` rows and says so in the run's notes, so a long or
 * large run cannot fill the memory with its own record.
 */
import type { Sim } from '../../kernel/sim.ts';
import type { HaConfig } from './options.ts';
import type { ChannelName } from './links.ts';
import type { Signals } from './signals.ts';

export interface MessageRecord {
  time: number;
  from: string;
  to: string;
  channel: ChannelName | 'local';
  type: string;
  status: 'delivered' | 'lost' | 'dropped' | 'duplicate';
  arrival: number;
  info: string;
}

export interface TimelineRecord {
  time: number;
  /** node: a node's state from now on; service: who holds it from now on; event: a step of an algorithm. */
  kind: 'node' | 'service' | 'event';
  name: string;
  state: string;
}

export class Trace {
  readonly messages: MessageRecord[] = [];
  readonly timeline: TimelineRecord[] = [];
  readonly recordMessages: boolean;
  readonly recordTimeline: boolean;
  /** Heartbeat copy in flight -> its row in `messages` (to mark it lost if its channel goes down). */
  private readonly inFlight = new Map<number, number>();
  private full = { messages: false, timeline: false };

  constructor(private readonly sim: Sim, cfg: HaConfig, private readonly names: string[], private readonly notes: string[], private readonly max = cfg.maxLogRows) {
    this.recordMessages = cfg.recordMessages;
    this.recordTimeline = cfg.recordTimeline;
  }

  /** Listen to the signals of the record it is asked to keep (none: it costs the parts nothing). */
  listen(sig: Signals): void {
    if (this.recordMessages) {
      sig.on('copySent', (...a) => this.heartbeat(...a));
      sig.on('copyArrived', (key, lost) => this.arrived(key, lost));
      sig.on('message', (...a) => this.message(...a));
    }
    if (this.recordTimeline) {
      sig.on('step', (n, what, detail) => this.step(n, what, detail));
      sig.on('state', (kind, name, state) => this.row(kind, name, state));
    }
  }

  message(time: number, from: number, to: number, channel: ChannelName | 'local', type: string, status: MessageRecord['status'], arrival: number, info: string): void {
    if (!this.room('messages', this.messages.length)) return;
    this.messages.push({ time, from: this.names[from], to: this.names[to], channel, type, status, arrival, info });
  }

  /** A heartbeat copy: logged now as delivered or lost; `key` marks it lost later if its channel goes down in flight. */
  heartbeat(time: number, from: number, to: number, channel: ChannelName, probe: number, seq: number, lost: boolean, arrival: number, key: number): void {
    if (!lost && this.messages.length < this.max) this.inFlight.set(key, this.messages.length);
    this.message(time, from, to, channel, probe ? 'HEART_BEAT(probe)' : 'HEART_BEAT', lost ? 'lost' : 'delivered', arrival, `seq ${seq}`);
  }

  /** The copy `key` arrived (lostOnArrival: its channel was down). */
  arrived(key: number, lostOnArrival: boolean): void {
    const r = this.inFlight.get(key);
    if (r === undefined) return;
    this.inFlight.delete(key);
    if (lostOnArrival) this.messages[r].status = 'lost';
  }

  /** A step of an algorithm at node n. */
  step(n: number, what: string, detail: number | string): void {
    if (!this.recordTimeline || !this.room('timeline', this.timeline.length)) return;
    const d = typeof detail === 'number' ? this.names[detail] : detail === '' ? '' : `services ${detail.split(' ').map((x) => 's' + x).join(' ')}`;
    this.timeline.push({ time: this.sim.now, kind: 'event', name: this.names[n], state: `${what}${d ? ' ' + d : ''}` });
  }

  row(kind: 'node' | 'service', name: string, state: string): void {
    if (!this.recordTimeline || !this.room('timeline', this.timeline.length)) return;
    this.timeline.push({ time: this.sim.now, kind, name, state });
  }

  private room(log: 'messages' | 'timeline', n: number): boolean {
    if (n < this.max) return true;
    if (!this.full[log]) {
      this.full[log] = true;
      this.notes.push(`the ${log} log stopped at ${this.max} rows at t = ${this.sim.now} s (maxLogRows)`);
    }
    return false;
  }
}
