/** Under Stryker, DynamoDB Local outlives a jest run: see stryker-global-setup.ts. */
export default async function strykerGlobalTeardown(): Promise<void> {}
