import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import type { Express } from 'express';
import type { Logger } from '@mindbot/logger';
import type { Lifecycle } from './lifecycle.js';

export interface StartServerOptions {
  port: number;
  host?: string;
  logger: Logger;
  lifecycle: Lifecycle;
  /** How long in-flight requests get to finish before their connections are cut. */
  shutdownTimeoutMs?: number;
  /** Run after the last request has finished: close pools and clients, in order. */
  onClosed?: readonly (() => Promise<void>)[];
}

export interface RunningServer {
  server: Server;
  url: string;
  /** Stop accepting, let in-flight requests finish (up to the timeout), then run onClosed. Idempotent. */
  close(): Promise<void>;
}

export async function startServer(app: Express, options: StartServerOptions): Promise<RunningServer> {
  const server = createServer(app);
  // Keep-alive slightly longer than common load balancers' idle timeout, so they close first.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  let closing: Promise<void> | undefined;

  const close = (): Promise<void> => {
    closing ??= (async () => {
      options.lifecycle.draining = true;
      options.logger.info('shutting down: draining in-flight requests');
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => {
        options.logger.warn('shutdown timeout reached: closing remaining connections');
        server.closeAllConnections();
      }, options.shutdownTimeoutMs ?? 10_000);
      // Connections that were busy become idle once their response is sent; close those as they do.
      const idleSweep = setInterval(() => server.closeIdleConnections(), 50);
      await closed;
      clearTimeout(timer);
      clearInterval(idleSweep);
      for (const hook of options.onClosed ?? []) {
        try {
          await hook();
        } catch (error) {
          options.logger.error({ err: error }, 'shutdown hook failed');
        }
      }
      options.logger.info('shut down');
    })();
    return closing;
  };

  return { server, url, close };
}
