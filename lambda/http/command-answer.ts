import type { CommandResult } from '../shared/envelope';
import type { HttpAnswer } from './problem';

/**
 * The answer to an accepted command: 201 when it created the aggregate (its first events, from
 * version 0), else 200; the body is the result, and `ETag: "<version>"` is what the caller sends
 * back as `If-Match` to change it again.
 */
export function commandAnswer(result: CommandResult, correlationId: string): HttpAnswer {
  const created = result.events.length > 0 && result.events[0].version === 1;
  return {
    statusCode: created ? 201 : 200,
    headers: { 'content-type': 'application/json', 'etag': `"${result.version}"`, 'x-correlation-id': correlationId },
    body: JSON.stringify(result),
  };
}
