#!/usr/bin/env node
// The `baton` command. A plain file that exists before the build, so npm links it at install time;
// the CLI itself is compiled to dist/ by `npm install` (the root `prepare` script) or `npm run build`.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/bin.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('baton: the CLI is not built yet; run `npm run build` in the repository first\n');
  process.exit(2);
}
await import(entry.href);
