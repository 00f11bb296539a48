export * from './dynamodb';
export * from './secrets';
