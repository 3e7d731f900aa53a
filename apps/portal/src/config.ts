import 'server-only';

/** The portal's settings, read from the environment once (server side only; the browser never sees them). */
export interface PortalConfig {
  /** PORTAL_ROUTER_URL: the router's GraphQL endpoint; default http://localhost:ROUTER_PORT/graphql (ROUTER_PORT 4000). */
  routerUrl: string;
  /**
   * PORTAL_BROWSER_ROUTER_URL: the router's GraphQL endpoint as browsers reach it, for live views' graphql-ws
   * sockets (http becomes ws); default PORTAL_ROUTER_URL. The router must list the portal's origin in CORS_ORIGINS.
   */
  browserRouterUrl: string;
  /** PORTAL_SECURE_COOKIES=true: the session cookie is always Secure; default: only when the request came over HTTPS (X-Forwarded-Proto). */
  secureCookies: boolean;
}

const routerUrl = process.env.PORTAL_ROUTER_URL ?? `http://localhost:${process.env.ROUTER_PORT ?? '4000'}/graphql`;

export const portalConfig: PortalConfig = {
  routerUrl,
  browserRouterUrl: process.env.PORTAL_BROWSER_ROUTER_URL ?? routerUrl,
  secureCookies: process.env.PORTAL_SECURE_COOKIES === 'true',
};
