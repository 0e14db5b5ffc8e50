// An own failure detector: "k-missed" suspects a peer when k heartbeat intervals pass without
// a heartbeat (a fixed deadline, no probe). It implements the FailureDetector interface and is
// registered like the built-in ones, so `detector: 'k-missed'` (or --detector k-missed in any
// HA experiment run through a file that registers it) selects it.
import { registerDetector, simulate } from 'gamesim';

class KMissed {
  name = 'k-missed';
  constructor(wait) {
    this.wait = wait;
  }
  reset() {}
  heard() {}
  // the time this observer acts on pair k if nothing more is heard
  deadline(k, lastHeard) {
    return lastHeard + this.wait;
  }
  // the deadline came with nothing heard: suspect (-1), no probe
  expire() {
    return -1;
  }
  // optional: the deadline is always the last arrival + wait, so the lazy schedule may skip to the first silence that long
  silence() {
    return this.wait;
  }
}

registerDetector('k-missed', (cfg) => new KMissed(4.5 * cfg.interval));

for (const detector of ['k-missed', 'timeout']) {
  const { result } = simulate({ detector, interval: 1 }, 3, 400, (c) => {
    c.at(100, { verb: 'crash', node: 0 });
    c.at(300, { verb: 'repair', node: 0 });
  });
  const d = result.detections[0];
  console.log(`${detector}: crash at ${d.crash} s declared after ${d.latency.toFixed(3)} s; availability ${(result.availability * 100).toFixed(3)}%`);
}
