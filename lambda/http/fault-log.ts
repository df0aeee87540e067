import { HTTP_FAULT_METRIC } from '../../lib/private/runtime-contract';

/** A fault answered as a 500: what is logged, with the correlation id the caller was given. */
export interface FaultEntry {
  readonly level: 'ERROR';
  readonly message: string;
  readonly correlationId: string;
  readonly error: string;
}

/** Where a fault is reported. */
export type FaultLog = (entry: FaultEntry) => void;

/**
 * The fault's log line as an Embedded Metric Format document: the entry's fields, and a count of 1
 * in `HTTP_FAULT_METRIC` that CloudWatch extracts from the line. A fault answered as a 500 is not
 * thrown, so Lambda's Errors metric never counts it; this metric does, with no call to CloudWatch.
 */
export function faultLogDocument(entry: FaultEntry, nowMs: number, functionName: string): Record<string, unknown> {
  const { namespace, metricName, dimension } = HTTP_FAULT_METRIC;
  return {
    ...entry,
    _aws: { Timestamp: nowMs, CloudWatchMetrics: [{ Namespace: namespace, Dimensions: [[dimension]], Metrics: [{ Name: metricName, Unit: 'Count' }] }] },
    [dimension]: functionName,
    [metricName]: 1,
  };
}

/** Writes a fault as one JSON line on stderr, which Lambda sends to CloudWatch Logs. */
export const logFaultToConsole: FaultLog = (entry) =>
  console.error(JSON.stringify(faultLogDocument(entry, Date.now(), process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'local')));
