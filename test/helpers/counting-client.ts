import type { DocumentClientLike } from 'cdk-cqrs/runtime';

/**
 * A real document client, with each call recorded as `<command> <table>` (a BatchGetItem names
 * each table it reads) and the most calls that were in flight at once: reads are judged by
 * their round trips, not only by their answers.
 */
export function countingClient(doc: DocumentClientLike) {
  const calls: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const client: DocumentClientLike = {
    send: async (command) => {
      const input = (command as { input: { TableName?: string; RequestItems?: Record<string, unknown> } }).input;
      const tables = input.TableName ?? Object.keys(input.RequestItems ?? {}).join(',');
      calls.push(`${command.constructor.name} ${tables}`);
      maxInFlight = Math.max(maxInFlight, inFlight += 1);
      try {
        return await doc.send(command);
      } finally {
        inFlight -= 1;
      }
    },
  };
  return { client, calls, maxInFlight: () => maxInFlight };
}
