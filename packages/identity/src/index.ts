export * from './account-events';
export * from './identity';
export * from './signed-headers';
export * from './tokens';
