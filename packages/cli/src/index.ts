export { runCli, CLI_VERSION } from './program.js';
export { ExitCode, type CliIo } from './io.js';
