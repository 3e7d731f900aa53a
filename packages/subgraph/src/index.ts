export * from './authorization';
export * from './event-loaders';
export * from './event-positions';
export * from './federated-schema';
export * from './serve-subgraph';
export * from './subscriptions';
export * from './service-call';
