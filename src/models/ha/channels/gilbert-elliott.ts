/**
 * Bursty loss, the Gilbert-Elliott two-state channel: the channel is in a
 * good or a bad state for runs of copies (geometric run lengths: mean
 * `burstLength` copies in the bad state), losing each copy with probability
 * `goodLoss` in the good state and `burstLoss` in the bad one. The mean gap
 * (good run) follows from the channel's long-run loss rate p:
 * p = (G goodLoss + B burstLoss) / (G + B), so G = B (burstLoss - p) / (p - goodLoss).
 * Real networks lose packets in bursts; a run of losses longer than the
 * detector's timeout is then far likelier than with independent losses.
 */
import type { LossModel } from '../channel-models.ts';
import { LossPositions } from './positions.ts';

/** Its options (declared here, collected into the HA options by channel-models.ts). */
export const GILBERT_ELLIOTT_OPTIONS = {
  burstLength: { type: 'number', default: 10, min: 1, group: 'channels', help: 'gilbert-elliott: mean length of a bad-state run (copies); the mean good run follows from the loss rate' },
  burstLoss: { type: 'number', default: 0.5, greaterThan: 0, max: 1, group: 'channels', help: 'gilbert-elliott: loss probability of a copy in the bad state' },
  goodLoss: { type: 'number', default: 0, min: 0, lessThan: 1, group: 'channels', help: 'gilbert-elliott: loss probability of a copy in the good state' },
} as const;

/** The mean good-state run (copies) for a long-run loss rate p. */
export function gapLength(p: number, burstLength: number, burstLoss: number, goodLoss: number): number {
  return (burstLength * (burstLoss - p)) / (p - goodLoss);
}

export const gilbertElliott: LossModel = (p, start, cfg, rng) => {
  const B = cfg.burstLength, pB = cfg.burstLoss, pG = cfg.goodLoss;
  if (!(p > pG && p < pB)) throw new Error(`gilbert-elliott loss: a channel's loss rate (${p}) must lie between goodLoss (${pG}) and burstLoss (${pB})`);
  const G = gapLength(p, B, pB, pG);
  // a run of mean M >= 1: 1 + geometric(1 / M)
  const run = (mean: number) => 1 + rng.geometric(1 / mean);
  let bad = rng.random() < B / (B + G);
  let end = start + run(bad ? B : G);
  let at = start - 1;
  return new LossPositions(() => {
    for (;;) {
      const next = at + 1 + rng.geometric(bad ? pB : pG);
      if (next < end) return (at = next);
      // the run ends first: the next state starts afresh (geometric gaps are memoryless)
      at = end - 1;
      bad = !bad;
      end += run(bad ? B : G);
    }
  });
};
