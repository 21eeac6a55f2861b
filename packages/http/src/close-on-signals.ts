import type { Logger } from '@mindbot/logger';
import type { RunningServer } from './start-server.js';

/**
 * SIGTERM / SIGINT (and, for a child of `npm start`, the parent going away) drain the server and
 * end the process: 0 when the drain finished, 1 when it failed. `onSignal` runs first, once.
 */
export function closeOnSignals(server: Pick<RunningServer, 'close'>, logger: Logger, onSignal?: () => void): void {
  let closing = false;
  const stop = (signal: string) => {
    if (closing) return;
    closing = true;
    onSignal?.();
    logger.info({ signal }, 'signal received: shutting down');
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  // Started by `npm start` with an IPC channel: if that parent dies, do not linger.
  if (process.send) process.once('disconnect', () => stop('parent exited'));
}
