/** Unit and meaning of every metric the HA experiments write: the model's dictionary (src/models/ha/metric-info.ts). */
export { HA_METRIC_INFO as HA_METRICS } from '../src/models/ha/metric-info.ts';
