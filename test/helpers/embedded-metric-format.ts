import { isRecord } from '../../lambda/shared/guards';

// CloudWatch's units for a metric of Embedded Metric Format (the specification's MetricDefinition.Unit).
const UNITS = new Set([
  'Seconds', 'Microseconds', 'Milliseconds', 'Bytes', 'Kilobytes', 'Megabytes', 'Gigabytes', 'Terabytes', 'Bits', 'Kilobits', 'Megabits',
  'Gigabits', 'Terabits', 'Percent', 'Count', 'Bytes/Second', 'Kilobytes/Second', 'Megabytes/Second', 'Gigabytes/Second', 'Terabytes/Second',
  'Bits/Second', 'Kilobits/Second', 'Megabits/Second', 'Gigabits/Second', 'Terabits/Second', 'Count/Second', 'None',
]);

/**
 * What keeps a log line from being a valid Embedded Metric Format document, as the specification
 * (docs.aws.amazon.com, CloudWatch_Embedded_Metric_Format_Specification) states it; none: valid.
 * CloudWatch extracts no metric from a document with any of these problems.
 */
export function emfProblems(document: unknown): string[] {
  if (!isRecord(document)) return ['the document is not a JSON object'];
  const aws = document._aws;
  if (!isRecord(aws)) return ['_aws is not an object'];
  const problems: string[] = [];
  if (typeof aws.Timestamp !== 'number' || !Number.isInteger(aws.Timestamp)) problems.push('_aws.Timestamp is not milliseconds since the epoch');
  if (!Array.isArray(aws.CloudWatchMetrics) || aws.CloudWatchMetrics.length === 0) return [...problems, '_aws.CloudWatchMetrics is not a non-empty array'];
  for (const directive of aws.CloudWatchMetrics as unknown[]) {
    if (!isRecord(directive)) { problems.push('a metric directive is not an object'); continue; }
    if (typeof directive.Namespace !== 'string' || directive.Namespace.length === 0 || directive.Namespace.length > 1024) problems.push('Namespace is not a string of 1 to 1024 characters');
    const dimensionSets = directive.Dimensions;
    if (!Array.isArray(dimensionSets)) problems.push('Dimensions is not an array');
    for (const set of Array.isArray(dimensionSets) ? dimensionSets as unknown[] : []) {
      if (!Array.isArray(set) || set.length > 30) { problems.push('a dimension set is not an array of at most 30 names'); continue; }
      for (const name of set as unknown[]) {
        if (typeof name !== 'string' || typeof document[name] !== 'string') problems.push(`dimension ${String(name)} is not a string member of the document`);
      }
    }
    const metrics = directive.Metrics;
    if (!Array.isArray(metrics) || metrics.length > 100) { problems.push('Metrics is not an array of at most 100 metrics'); continue; }
    for (const metric of metrics as unknown[]) {
      if (!isRecord(metric) || typeof metric.Name !== 'string') { problems.push('a metric has no Name'); continue; }
      const value = document[metric.Name];
      if (typeof value !== 'number' && !(Array.isArray(value) && value.every((v) => typeof v === 'number'))) problems.push(`metric ${metric.Name} is not a numeric member of the document`);
      if (metric.Unit !== undefined && !UNITS.has(String(metric.Unit))) problems.push(`metric ${metric.Name} has unit ${String(metric.Unit)}, which CloudWatch does not know`);
    }
  }
  return problems;
}
