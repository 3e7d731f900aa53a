import 'server-only';

/** The portal's settings, read from the environment once (server side only; the browser never sees them). */
export interface PortalConfig {
  /** PORTAL_ROUTER_URL: the router's GraphQL endpoint; default http://localhost:ROUTER_PORT/graphql (ROUTER_PORT 4000). */
  routerUrl: string;
  /** PORTAL_SECURE_COOKIES=true: the session cookie is always Secure; default: only when the request came over HTTPS (X-Forwarded-Proto). */
  secureCookies: boolean;
}

export const portalConfig: PortalConfig = {
  routerUrl: process.env.PORTAL_ROUTER_URL ?? `http://localhost:${process.env.ROUTER_PORT ?? '4000'}/graphql`,
  secureCookies: process.env.PORTAL_SECURE_COOKIES === 'true',
};
