import type { Express } from 'express';

interface Layer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/**
 * Every `method path` an express 5 app routes, read from its router stack (nested routers too;
 * paths as registered, e.g. `/v1/api-keys/:id`). A route registered with `all()` is listed with
 * the method `all`. Express keeps no public route table, so this walks the router's internals.
 */
export function expressRoutes(app: Express): Set<string> {
  const found = new Set<string>();
  const walk = (stack: readonly Layer[]) => {
    for (const layer of stack) {
      if (layer.route) {
        const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
        for (const [method, on] of Object.entries(layer.route.methods)) {
          if (on) for (const path of paths) found.add(`${method === '_all' ? 'all' : method} ${path}`);
        }
      }
      if (layer.handle?.stack) walk(layer.handle.stack);
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  return found;
}
