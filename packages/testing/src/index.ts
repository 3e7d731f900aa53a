export * from './database';
export * from './graphql';
export * from './platform';
export * from './subscriptions';
