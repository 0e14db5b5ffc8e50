/**
 * The HA paper's detector (figure 5): after a silence of T the observer
 * sends a probe (the retry heartbeat) and waits T again, up to R times; a
 * heartbeat heard after the last probe ends the retries; after R unanswered
 * probes the peer is declared failed. Only the last arrival matters, so the
 * order heartbeats are applied in does not.
 */
import type { DetectorPort, FailureDetector } from '../detector.ts';

export class TimeoutDetector implements FailureDetector {
  readonly name = 'timeout';
  readonly orderFree = true;
  private readonly attempts: Int32Array;
  private readonly probedAt: Float64Array;

  constructor(private readonly N: number, private readonly T: number, private readonly R: number) {
    this.attempts = new Int32Array(N * N);
    this.probedAt = new Float64Array(N * N);
  }

  reset(k: number): void {
    this.attempts[k] = 0;
  }

  heard(): void {}

  quiet(k: number): number {
    return this.attempts[k] === 0 ? this.T : -1;
  }

  next(k: number, now: number, heard: number, port: DetectorPort): number {
    const T = this.T;
    // a heartbeat heard after the last probe ends the retries
    if (this.attempts[k] > 0 && heard > this.probedAt[k]) this.attempts[k] = 0;
    // silent for less than T: look again when it will have been T (a late look, after a
    // starvation or a pause, may find it silent longer and go on at once)
    if (this.attempts[k] === 0 && heard + T > now) return heard + T;
    if (this.attempts[k] < this.R) {
      // "send HEART_BEAT_PACKET to neighbor, wait for a fixed time"
      this.attempts[k]++;
      this.probedAt[k] = now;
      const i = (k / this.N) | 0;
      port.probe(i, k - i * this.N);
      return now + T;
    }
    return -1;
  }
}
