// LAB ONLY: the lab's instruments. Each service's `main.ts` attaches them through the service's
// one hook (`ServiceHook` of `@lab/kit`); the services' own code has none of this.
export * from './instrument-service.ts';
export * from './instrument-bff.ts';
export * from './instrument-resource-api.ts';
export * from './instrument-authserver.ts';
export * from './lab-control.ts';
export * from './trace.ts';
export * from './trace-middleware.ts';
export * from './traced-fetch.ts';
export * from './trace-jwts.ts';
export * from './trace-links.ts';
export * from './jwt-verifier.ts';
export * from './redact-exchange.ts';
export * from './session-store-breach.ts';
export * from './flow-setting-control.ts';
export * from './lifetime-settings.ts';
export * from './xray/trace-feed.ts';
export * from './xray/xray-routes.ts';
export { sessionLinkOf } from './xray/session-links.ts';
export * from './control-handler.ts';
export * from './lab-clock.ts';
export * from './lab-time.ts';
export * from './store-info.ts';
