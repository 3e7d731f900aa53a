export * from './event-bus';
export * from './in-process-bus';
export * from './redis-bus';
export { createEventBus } from './create';
export { consumeEvents } from './consume';
