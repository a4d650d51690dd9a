import type { Connect, Plugin, ResolvedConfig, ViteDevServer } from 'vite';

/**
 * What the lab's plugins use of the server that serves the app: Vite's dev server (`LAB_SPA_SERVE=dev`)
 * or its preview server, which serves the production build (`built`, the default). Both are a
 * Connect app on a Node HTTP server; `serves` says which one it is.
 */
export interface AppServer {
  readonly middlewares: Connect.Server;
  readonly config: ResolvedConfig;
  readonly httpServer: ViteDevServer['httpServer'];
  readonly serves: 'built' | 'dev';
}

/**
 * A plugin whose middlewares are installed the same way in either server. Installed directly (not
 * as a returned hook), they run before Vite's own middlewares, its proxy and its static files.
 */
export function onEveryServer(name: string, install: (server: AppServer) => void): Plugin {
  return {
    name,
    configureServer(server) {
      install({ middlewares: server.middlewares, config: server.config, httpServer: server.httpServer, serves: 'dev' });
    },
    configurePreviewServer(server) {
      install({ middlewares: server.middlewares, config: server.config, httpServer: server.httpServer, serves: 'built' });
    },
  };
}
