export * from './authorization';
export * from './federated-schema';
export * from './serve-subgraph';
export * from './subscriptions';
