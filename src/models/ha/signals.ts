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
  /** A node released a service it held twice. */
  released: () => void;
  /** Node n runs its home services again after a repair (fail-back done). */
  failedBack: (n: number) => void;
}

export type SignalName = keyof SignalMap;

export class Signals implements SignalMap {
  private readonly listeners: { [K in SignalName]: SignalMap[K][] } = {
    heartbeats: [], protocol: [], lostInFlight: [], suspected: [], reported: [], trusted: [], tookOver: [], released: [], failedBack: [],
  };

  /** Listen to a signal. */
  on<K extends SignalName>(name: K, f: SignalMap[K]): void {
    (this.listeners[name] as SignalMap[K][]).push(f);
  }

  heartbeats(n: number, lost: number): void {
    for (const f of this.listeners.heartbeats) f(n, lost);
  }

  protocol(n: number, lost: number): void {
    for (const f of this.listeners.protocol) f(n, lost);
  }

  lostInFlight(n: number): void {
    for (const f of this.listeners.lostInFlight) f(n);
  }

  suspected(i: number, j: number): void {
    for (const f of this.listeners.suspected) f(i, j);
  }

  reported(i: number, j: number): void {
    for (const f of this.listeners.reported) f(i, j);
  }

  trusted(i: number, j: number): void {
    for (const f of this.listeners.trusted) f(i, j);
  }

  tookOver(stillRunning: boolean): void {
    for (const f of this.listeners.tookOver) f(stillRunning);
  }

  released(): void {
    for (const f of this.listeners.released) f();
  }

  failedBack(n: number): void {
    for (const f of this.listeners.failedBack) f(n);
  }
}
