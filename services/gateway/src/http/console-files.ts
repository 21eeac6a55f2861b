import { readFile, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import type { Response } from 'express';
import { AppError } from '@mindbot/errors';
import { contentTypeOf, IMMUTABLE_CACHE, isHashedName } from './widget-files.js';

/** The console's build (`npm run build:web`, into web/console/dist): index.html and assets/<name>-<hash>.{js,css}. */
export const CONSOLE_INDEX = 'index.html';
export const CONSOLE_ASSETS_DIR = 'assets';

/** One path segment a build writes: letters, digits, `.`, `_`, `-`, never starting with a dot (no `..`, no hidden files). */
const SAFE_SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,199}$/;

/** 503 until the console is built: the routes say what to run. */
export async function requireConsoleBuilt(distDir: string): Promise<void> {
  const index = await stat(join(distDir, CONSOLE_INDEX)).catch(() => undefined);
  if (!index?.isFile())
    throw new AppError('unavailable', 'The console is not built: run npm run build:web.', { extensions: { reason: 'console_not_built' } });
}

/**
 * The file at `segments` under the build, or undefined when there is none. Segments are checked one
 * by one (no `..`, no separators, no dot files) and the resolved path must stay under the build:
 * nothing outside it is ever read.
 */
export async function consoleFile(distDir: string, segments: readonly string[]): Promise<Buffer | undefined> {
  if (segments.length === 0 || segments.length > 8 || !segments.every((s) => SAFE_SEGMENT.test(s))) return undefined;
  const root = resolve(distDir);
  const path = resolve(root, ...segments);
  if (!path.startsWith(root + sep)) return undefined;
  const info = await stat(path).catch(() => undefined);
  return info?.isFile() ? readFile(path) : undefined;
}

/**
 * The console's Content-Security-Policy: its scripts and styles from this host only, API calls to
 * this host only, images also from anywhere on the web (the logo URL an admin types is previewed
 * before it is saved); never framed (its buttons change what the tenant sells and who gets in).
 * Inline styles are allowed for React's style attributes and the charts; inline scripts are not.
 */
export function consoleCsp(options: { https: boolean }): string {
  const directives: [string, ...string[]][] = [
    ['default-src', "'self'"],
    ['script-src', "'self'"],
    ['style-src', "'self'", "'unsafe-inline'"],
    ['img-src', "'self'", 'data:', 'blob:', 'https:', ...(options.https ? [] : ['http:'])],
    ['font-src', "'self'", 'data:'],
    ['connect-src', "'self'"],
    ['object-src', "'none'"],
    ['base-uri', "'none'"],
    ['form-action', "'self'"],
    ['frame-ancestors', "'none'"],
    // Over plain http (local development) an upgrade would send the page's own requests to https.
    ...(options.https ? [['upgrade-insecure-requests'] as [string]] : []),
  ];
  return directives.map((d) => d.join(' ')).join('; ');
}

/** The single page: revalidated on every visit (a new build is picked up at once), under the console's CSP. */
export async function sendConsoleIndex(res: Response, distDir: string, https: boolean): Promise<void> {
  await requireConsoleBuilt(distDir);
  const body = await readFile(join(distDir, CONSOLE_INDEX));
  res.set({
    'Content-Type': 'text/html; charset=utf-8',
    'Cache-Control': 'no-cache',
    'Content-Security-Policy': consoleCsp({ https }),
  });
  res.send(body);
}

/** A built file: hashed names are immutable for a year, anything else is revalidated. */
export function sendConsoleFile(res: Response, name: string, body: Buffer): void {
  res.set({ 'Content-Type': contentTypeOf(name), 'Cache-Control': isHashedName(name) ? IMMUTABLE_CACHE : 'no-cache' });
  res.send(body);
}
