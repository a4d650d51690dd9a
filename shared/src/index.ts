// The lab's contract, browser-safe: what the services, the SPA, the scenarios and the tests agree
// on. No Node imports here; the Node kit is `@lab/kit`, the lab's instruments `@lab/wing`.
export * from './topology.ts';
export * from './users.ts';
export * from './token-lifetimes.ts';
export * from './defences.ts';
export * from './redact.ts';
export * from './config-error.ts';
export * from './trace-event.ts';
export * from './lab-run-config.ts';
export * from './xss-payloads.ts';
export * from './trace-view.ts';
export * from './trace-holdings.ts';
export * from './loot-item.ts';
export * from './lab-store.ts';
