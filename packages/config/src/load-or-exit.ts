import { ConfigError } from './load-config.js';

/**
 * Loads a process's configuration; a bad environment ends the process with exit code 2 and the
 * message naming every bad variable (never their values), instead of a stack trace.
 */
export function loadConfigOrExit<C>(program: string, load: () => C): C {
  try {
    return load();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${program}: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
}
