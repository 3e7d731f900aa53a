export * from './identity';
export * from './signed-headers';
export * from './tokens';
