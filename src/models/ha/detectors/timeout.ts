/**
 * The HA paper's detector (figure 5): after a silence of T the observer
 * sends a probe (the retry heartbeat) and waits T again, up to R times; a
 * heartbeat heard after the last probe ends the retries; after R unanswered
 * probes the peer is declared failed. Only the last arrival matters.
 */
import type { DetectorPort, FailureDetector } from '../detector.ts';

export class TimeoutDetector implements FailureDetector {
  readonly name = 'timeout';
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

  /** A heartbeat heard after the last probe ends the retries. */
  private probing(k: number, heard: number): boolean {
    return this.attempts[k] > 0 && heard <= this.probedAt[k];
  }

  deadline(k: number, heard: number): number {
    return this.probing(k, heard) ? this.probedAt[k] + this.T : heard + this.T;
  }

  silence(k: number, heard: number): number {
    return this.probing(k, heard) ? -1 : this.T;
  }

  save(): undefined {
    return undefined;
  }

  restore(): void {}

  expire(k: number, now: number, heard: number, port: DetectorPort): number {
    if (!this.probing(k, heard)) this.attempts[k] = 0;
    if (this.attempts[k] < this.R) {
      // "send HEART_BEAT_PACKET to neighbor, wait for a fixed time"
      this.attempts[k]++;
      this.probedAt[k] = now;
      const i = (k / this.N) | 0;
      port.probe(i, k - i * this.N);
      return now + this.T;
    }
    return -1;
  }
}
