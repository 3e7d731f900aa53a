export * from './database';
export * from './graphql';
export * from './platform';
export * from './subscriptions';
export * from './stack';
export * from './harness-stack';
export * from './process';
export * from './service-loaders';
