export { buildProgram, runCli, type CliIo } from './program.js';
