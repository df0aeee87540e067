import type { ViewDocument } from '../query/repository';
import type { HttpAnswer } from './problem';

/**
 * The answer to a read of a projection's view: the document, with `ETag: "<version>"` (the version
 * of the last event the view includes), which the caller sends back as `If-Match` to change the
 * aggregate from what it saw.
 */
export function viewAnswer(document: ViewDocument<unknown>, correlationId: string): HttpAnswer {
  const { aggregateId, version, view } = document;
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json', 'etag': `"${version}"`, 'x-correlation-id': correlationId },
    body: JSON.stringify({ aggregateId, version, view }),
  };
}
