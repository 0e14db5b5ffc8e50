/**
 * Uniform latency: net = netLatency + uniform(-netJitter, netJitter); serial
 * = the frame time (frameBytes x 10 bits / serialBaud) + uniform(0, serialJitter).
 */
import type { LatencyModel } from '../channel-models.ts';

export const uniformLatency: LatencyModel = (cfg, c) => {
  const lo = c === 0 ? cfg.netLatency - cfg.netJitter : (cfg.frameBytes * 10) / cfg.serialBaud;
  const span = c === 0 ? 2 * cfg.netJitter : cfg.serialJitter;
  return { lo, hi: lo + span, at: (u) => lo + span * u };
};
