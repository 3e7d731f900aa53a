export * from './documents';
export * from './fuzz';
export * from './random';
export * from './transports';
export * from './values';
export * from './verdict';
