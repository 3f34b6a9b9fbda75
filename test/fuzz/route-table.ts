/**
 * The app's own routes, read from its express router, so that every route the app serves is
 * fuzzed without anyone adding it to a list. Express has no public API for this; the walk
 * reads the router's layers (express 5, router 2.x).
 */

export interface Route {
  readonly method: string;
  /** As declared, with its `:params`. */
  readonly path: string;
}

export interface RouteTable {
  readonly routes: readonly Route[];
  /** Where middleware serves a whole subtree (express.static): its mount path. */
  readonly mounts: readonly string[];
}

interface Layer {
  readonly route?: { readonly path: unknown; readonly methods: Record<string, boolean> };
  readonly handle: unknown;
  readonly rawPath?: unknown;
  readonly slash?: boolean;
}

function stackOf(handle: unknown): readonly Layer[] | undefined {
  const stack = (handle as { stack?: unknown } | null)?.stack;
  return Array.isArray(stack) ? (stack as Layer[]) : undefined;
}

function walk(layers: readonly Layer[], table: { routes: Route[]; mounts: string[] }): void {
  for (const layer of layers) {
    if (layer.route) {
      if (typeof layer.route.path !== 'string') throw new Error('a route without a string path');
      for (const method of Object.keys(layer.route.methods)) {
        table.routes.push({ method: method.toUpperCase(), path: layer.route.path });
      }
      continue;
    }
    const nested = stackOf(layer.handle);
    if (nested) {
      // Routers mounted at / keep their routes' paths whole; elsewhere they would need a prefix.
      if (!layer.slash) throw new Error(`a router mounted at ${String(layer.rawPath)}`);
      walk(nested, table);
    } else if (typeof layer.rawPath === 'string' && layer.rawPath !== '/') {
      // An error handler on a route's path is not a subtree of its own.
      if ((layer.handle as (...args: unknown[]) => unknown).length < 4) {
        table.mounts.push(layer.rawPath);
      }
    }
  }
}

/** `app` is the express application createApp returned. */
export function routeTable(app: unknown): RouteTable {
  const layers = stackOf((app as { router?: unknown }).router);
  if (!layers) throw new Error('not an express 5 application');
  const table = { routes: [] as Route[], mounts: [] as string[] };
  walk(layers, table);
  return table;
}
