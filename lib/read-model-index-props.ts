/**
 * A global secondary index of the read model, for queries other than by aggregate id.
 *
 * A projection fills it by returning the key attributes `<indexName>_pk` and `<indexName>_sk`
 * (strings) for a document; a document without them is not in the index.
 */
export interface ReadModelIndexProps {
  /**
   * The index's name: letters, digits and `_`, starting with a letter, 3 to 64 characters.
   *
   * It also names the index's key attributes: `<indexName>_pk` (partition key) and
   * `<indexName>_sk` (sort key), both strings. The index projects all attributes.
   */
  readonly indexName: string;
}
