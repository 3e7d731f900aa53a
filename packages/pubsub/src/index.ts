export * from './event-bus';
export * from './event-log';
export * from './in-process-bus';
export * from './position';
export * from './redis-bus';
export { createEventBus } from './create';
export { consumeEvents, type Consuming, type EventConsumer } from './consume';
