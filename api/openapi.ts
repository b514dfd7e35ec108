/**
 * The API described as OpenAPI 3.1, served at `/openapi.json` and as a page at `/docs`.
 * The paths are not written here: each route declares its contract where it is handled
 * (`createRoute` in `routes/*`), and the document is generated from those declarations, so
 * a route cannot be served without being described. This module holds what is not a
 * route: the title, the servers and how to authenticate; and the builders every route is
 * declared with, so what a public, a protected or a JSON-body route declares is said once.
 */
import { createRoute, type OpenAPIHono, type RouteConfig } from '@hono/zod-openapi';
import { SESSION_COOKIE } from './auth';
import { authErrors, errorResponses, requireJson } from './validation';

/** Registers the security schemes the routes refer to; call once on the root app. */
export function registerSecuritySchemes(app: OpenAPIHono): void {
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', description: 'the API token (`API_TOKEN`)' });
  app.openAPIRegistry.registerComponent('securitySchemes', 'session', { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE, description: 'set by `POST /login`, for browsers' });
}

/** The OpenAPI document of every route `app` serves. */
export function openApiDocument(app: OpenAPIHono, serverUrl: string) {
  return app.getOpenAPI31Document({
    openapi: '3.1.0',
    info: {
      title: 'clipfleet API',
      version: '0.1.0',
      description:
        'Durable bulk video publishing. This description (`/openapi.json`, `/docs`) is public; every call needs `Authorization: Bearer <API_TOKEN>`, or the session cookie a browser gets by signing in at `/login`. Errors answer `{ error, issues: [{ field, message }] }`.',
    },
    servers: [{ url: serverUrl }],
    // Document-wide; the public routes (health, sign-in, this description) declare `security: []`.
    security: [{ bearer: [] }, { session: [] }],
  });
}

/** The generated document. */
export type OpenApiDocument = ReturnType<typeof openApiDocument>;

/** A route anyone may call: it declares no security requirement, so the document shows it open. */
export function publicRoute<Path extends string, Config extends Omit<RouteConfig, 'path' | 'security'> & { path: Path }>(config: Config) {
  return createRoute({ ...config, security: [] });
}

/** A route behind the token or session cookie: it may also answer 401, and says so. */
export function protectedRoute<Path extends string, Config extends Omit<RouteConfig, 'path'> & { path: Path }>(config: Config) {
  return createRoute({ ...config, responses: { ...config.responses, ...authErrors } });
}

/**
 * A protected route with a required JSON body (`jsonBody` in its request). `requireJson` runs
 * before the validator, so a body that is not JSON is answered 415 as such rather than as a
 * list of missing fields, and the route declares that 415.
 */
export function jsonBodyRoute<Path extends string, Config extends Omit<RouteConfig, 'path' | 'middleware'> & { path: Path }>(config: Config) {
  return protectedRoute({ ...config, middleware: [requireJson], responses: { ...config.responses, ...errorResponses({ 415: 'the body is not JSON' }) } });
}
