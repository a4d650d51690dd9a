export * from './topology.ts';
export * from './users.ts';
export * from './defences.ts';
export * from './http-errors.ts';
export * from './redact.ts';
export * from './config-error.ts';
