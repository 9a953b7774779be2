import type { RequestContext } from './request-context.js';

export type Handler = (ctx: RequestContext) => Promise<void> | void;

export interface RouteOptions {
  /** The lowest API version the route exists in; older requests get 404 like Docker's. */
  minVersion?: string;
}

export interface Route {
  method: string;
  path: string;
  handler: Handler;
  options: RouteOptions;
  pattern: RegExp;
  paramNames: string[];
}

export type RouteMatch =
  | { kind: 'found'; route: Route; params: Record<string, string> }
  | { kind: 'method-not-allowed'; allowed: string[] }
  | { kind: 'not-found' };

/**
 * A route module adds its endpoints to the router; the daemon lists the modules it serves
 * and gives each the dependencies it asks for.
 */
export type RouteModule<Deps> = (router: Router, deps: Deps) => void;

/**
 * Routes in Docker's path syntax: `{name}` is one segment, `{name:.*}` anything (image
 * names contain slashes: `/images/{name:.*}/json`). Paths are matched in the order they were
 * added, as gorilla/mux does, so specific routes go before catch-alls.
 */
export class Router {
  private readonly routes: Route[] = [];

  get(path: string, handler: Handler, options: RouteOptions = {}): this { return this.add('GET', path, handler, options); }
  head(path: string, handler: Handler, options: RouteOptions = {}): this { return this.add('HEAD', path, handler, options); }
  post(path: string, handler: Handler, options: RouteOptions = {}): this { return this.add('POST', path, handler, options); }
  put(path: string, handler: Handler, options: RouteOptions = {}): this { return this.add('PUT', path, handler, options); }
  delete(path: string, handler: Handler, options: RouteOptions = {}): this { return this.add('DELETE', path, handler, options); }

  add(method: string, path: string, handler: Handler, options: RouteOptions = {}): this {
    const { pattern, paramNames } = compilePath(path);
    this.routes.push({ method, path, handler, options, pattern, paramNames });
    return this;
  }

  /** Registers a route module. */
  use<Deps>(module: RouteModule<Deps>, deps: Deps): this {
    module(this, deps);
    return this;
  }

  match(method: string, path: string): RouteMatch {
    const allowed: string[] = [];
    for (const route of this.routes) {
      const m = route.pattern.exec(path);
      if (!m) continue;
      if (route.method !== method) {
        allowed.push(route.method);
        continue;
      }
      const params: Record<string, string> = {};
      route.paramNames.forEach((name, i) => { params[name] = m[i + 1] ?? ''; });
      return { kind: 'found', route, params };
    }
    return allowed.length > 0 ? { kind: 'method-not-allowed', allowed } : { kind: 'not-found' };
  }

  list(): readonly Route[] {
    return this.routes;
  }
}

function compilePath(path: string): { pattern: RegExp; paramNames: string[] } {
  const paramNames: string[] = [];
  let source = '';
  const re = /\{([a-zA-Z_][a-zA-Z0-9_]*)(?::([^}]+))?\}/g;
  let last = 0;
  for (let m = re.exec(path); m; m = re.exec(path)) {
    source += escapeRegex(path.slice(last, m.index));
    paramNames.push(m[1]!);
    source += m[2] ? `(${m[2]})` : '([^/]+)';
    last = m.index + m[0].length;
  }
  source += escapeRegex(path.slice(last));
  return { pattern: new RegExp(`^${source}$`), paramNames };
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
