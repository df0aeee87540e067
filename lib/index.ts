export * from './cqrs-aggregate';
