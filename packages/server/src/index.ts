export * from './cors';
export * from './error-codes';
export * from './errors';
export * from './graphql-http';
export * from './http-server';
export * from './in-flight';
export * from './logger';
export * from './tracing';
