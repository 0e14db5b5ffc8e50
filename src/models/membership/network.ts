/**
 * The network of the membership model: it owns the messages in flight. A
 * message leaves at once and arrives after the latency (latency + uniform
 * jitter), unless it is lost: at the network's loss rate, at the extra loss
 * of every path to or from a member (a failing sidecar proxy), or because
 * the racks of its ends are cut apart. A slow member (CPU-starved) handles
 * what it receives late (exponential, mean slowDelay). Draws come from the
 * `net` stream in send order. State is O(members): it scales to 10,000.
 */
import type { Sim } from '../../kernel/sim.ts';
import type { Stream } from '../../kernel/random.ts';
import type { MembershipConfig } from './options.ts';

export const PING = 0, ACK = 1, PING_REQ = 2, NACK = 3, HEARTBEAT = 4;

/** An update about a member: its status (0 alive, 1 suspect, 2 dead) at an incarnation. */
export interface Update {
  member: number;
  status: number;
  inc: number;
  /** For a suspicion: who suspects (Lifeguard counts independent confirmations). */
  by: number;
}

export interface Msg {
  kind: number;
  from: number;
  to: number;
  /** The member a ping-req asks about, or an ack or nack is for. */
  target: number;
  /** The prober's sequence number (acks and nacks carry it back). */
  seq: number;
  /** Who asked for an indirect probe (the ack goes back to it). */
  origin: number;
  updates: Update[];
}

export class Network {
  /** Extra loss of every message to or from each member. */
  readonly pathLoss: Float64Array;
  readonly rack: Int32Array;
  /** Racks cut from the others (a partition). */
  readonly cut: Uint8Array;
  readonly slow: Uint8Array;
  sent = 0;
  lost = 0;

  constructor(
    private readonly sim: Sim,
    private readonly cfg: MembershipConfig,
    private readonly r: Stream,
    private readonly deliver: (m: Msg) => void,
  ) {
    const N = cfg.nodes;
    this.pathLoss = new Float64Array(N);
    this.rack = Int32Array.from({ length: N }, (_, i) => i % cfg.racks);
    this.cut = new Uint8Array(cfg.racks);
    this.slow = new Uint8Array(N);
  }

  send(m: Msg): void {
    this.sent++;
    const c = this.cfg, r = this.r;
    const p = 1 - (1 - c.loss) * (1 - this.pathLoss[m.from]) * (1 - this.pathLoss[m.to]);
    const lost = p > 0 && r.random() < p;
    const ra = this.rack[m.from], rb = this.rack[m.to];
    if (lost || (ra !== rb && (this.cut[ra] || this.cut[rb]))) {
      this.lost++;
      return;
    }
    let d = c.latency + (c.jitter > 0 ? r.uniform(0, c.jitter) : 0);
    if (this.slow[m.to] && c.slowDelay > 0) d += r.exponential(c.slowDelay);
    this.sim.schedule(d, this.deliver, m);
  }
}
