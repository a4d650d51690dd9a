// What a service needs around its routes, as a real deployment would have it: JSON errors, the
// server's edges (malformed requests, tunnels, bodies nobody reads), start-up and shutdown, and
// the HTML page template with its escaping. Node only.
export * from './http-errors.ts';
export * from './reject-malformed-url.ts';
export * from './escape-html.ts';
export * from './html.ts';
export * from './service-main.ts';
export * from './service-hook.ts';
export * from './pooled-request.ts';
export * from './redis-connection.ts';
