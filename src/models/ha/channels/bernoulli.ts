/**
 * Independent (Bernoulli) loss: each copy is lost with probability p,
 * independently. The lost copies are drawn as geometric gaps, one draw per
 * loss rather than one per copy.
 */
import type { LossModel } from '../channel-models.ts';
import { LossPositions } from './positions.ts';

export const bernoulli: LossModel = (p, start, _cfg, rng) => {
  let at = start - 1;
  // geometric gaps by inversion, as Stream.geometric, with log(1 - p) taken once
  const lq = Math.log1p(-p);
  return new LossPositions(() => (at += 1 + Math.floor(Math.log(1 - rng.random()) / lq)));
};
