#!/usr/bin/env -S node --import tsx
import { withLocalPlatform } from './local-platform.js';
import { runCli } from './program.js';

// Without DATABASE_URL, the platform `npm start` runs in this checkout (if one runs).
const { env } = withLocalPlatform(process.env);
const code = await runCli(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  env,
});
process.exitCode = code;
