import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import type { Response } from 'express';
import { AppError } from '@mindbot/errors';

/** The widget's build: `widget.js` (the loader) and `widget/` (the app and its chunks), from `npm run build:web`. */
export const LOADER_FILE = 'widget.js';
export const APP_DIR = 'widget';

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.wasm': 'application/wasm',
  '.mp3': 'audio/mpeg',
  '.ogg': 'audio/ogg',
  '.wav': 'audio/wav',
};

/** The loader and unhashed files: re-checked after five minutes, so a new build reaches every page soon. */
export const SHORT_CACHE = 'public, max-age=300';
/** A file whose name carries its content hash never changes. */
export const IMMUTABLE_CACHE = 'public, max-age=31536000, immutable';

/** Vite's `[name]-[hash].[ext]`: a hash of 8 or more base64url characters before the extension. */
export function isHashedName(name: string): boolean {
  return /-[A-Za-z0-9_-]{8,}\.[a-z0-9]+(\.map)?$/.test(name);
}

/** One path segment a build writes: letters, digits, `.`, `_`, `-`, never starting with a dot (no `..`, no hidden files). */
const SAFE_SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,199}$/;

export function contentTypeOf(name: string): string {
  return CONTENT_TYPES[extname(name).toLowerCase()] ?? 'application/octet-stream';
}

/** 503 until the widget is built: the routes say what to run. */
export async function requireWidgetBuilt(distDir: string): Promise<void> {
  const loader = await stat(join(distDir, LOADER_FILE)).catch(() => undefined);
  if (!loader?.isFile())
    throw new AppError('unavailable', 'The widget is not built: run npm run build:web.', { extensions: { reason: 'widget_not_built' } });
}

/**
 * The file at `segments` under `dir`, or a 404 problem. Segments are checked one by one (no `..`,
 * no separators, no dot files) and the resolved path must stay under `dir`: nothing outside the
 * build is ever read.
 */
export async function readWidgetFile(dir: string, segments: readonly string[]): Promise<Buffer> {
  const notFound = () => new AppError('not_found', 'No such widget file.');
  if (segments.length === 0 || segments.length > 8 || !segments.every((s) => SAFE_SEGMENT.test(s))) throw notFound();
  const root = resolve(dir);
  const path = resolve(root, ...segments);
  if (!path.startsWith(root + sep)) throw notFound();
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile()) throw notFound();
  return readFile(path);
}

/**
 * Headers every widget file carries: any page may load it (as a classic script, or as a module the
 * loader imports, which browsers fetch with CORS), so the resource policy helmet sets is relaxed
 * to cross-origin and CORS allows any origin. These files are public and never need credentials.
 */
export function setPublicAssetHeaders(res: Response, name: string, cacheControl: string): void {
  res.set({
    'Content-Type': contentTypeOf(name),
    'Cache-Control': cacheControl,
    'Cross-Origin-Resource-Policy': 'cross-origin',
    'Access-Control-Allow-Origin': '*',
  });
}
