/** The one world: the LB world in time and the heartbeat HA cluster on one kernel (docs/world.md). */
export * from './run.ts';
export * from './options.ts';
export type { Incident } from './incidents.ts';
export { OW_METRIC_INFO, type MetricInfo } from './metric-info.ts';
