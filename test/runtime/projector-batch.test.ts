import { failWhenAllFailed } from '../../lambda/projection/projector-batch';

const records = [{ messageId: 'a', body: '{}' }, { messageId: 'b', body: '{}' }];
const failing = (ids: string[], causes: string[]) => async (log: (entry: Record<string, unknown>) => void) => {
  for (const message of causes) log({ message });
  return { batchItemFailures: ids.map((itemIdentifier) => ({ itemIdentifier })) };
};

describe('a projector batch that failed whole', () => {
  test('throws with the first cause logged, after passing every entry on to the log', async () => {
    const logged: Record<string, unknown>[] = [];
    await expect(failWhenAllFailed({ projectionName: 'P', log: (entry) => logged.push(entry) }, records, failing(['a', 'b'], ['first', 'second'])))
      .rejects.toThrow('Projection P: all 2 messages of the batch failed; the first cause: first');
    expect(logged).toEqual([{ message: 'first' }, { message: 'second' }]);
  });

  test('says so when nothing was logged', async () => {
    await expect(failWhenAllFailed({ projectionName: 'P', log: () => undefined }, records, failing(['a', 'b'], [])))
      .rejects.toThrow('Projection P: all 2 messages of the batch failed; the first cause: not logged');
  });

  test('returns the response when some messages, or none, failed, and for an empty batch', async () => {
    await expect(failWhenAllFailed({ projectionName: 'P', log: () => undefined }, records, failing(['b'], ['x'])))
      .resolves.toEqual({ batchItemFailures: [{ itemIdentifier: 'b' }] });
    await expect(failWhenAllFailed({ projectionName: 'P', log: () => undefined }, [], failing([], []))).resolves.toEqual({ batchItemFailures: [] });
  });
});
