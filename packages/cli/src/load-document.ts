import { readFile, readdir, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { parse as parseTolerant, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { UsageError } from './io.js';

/** Reads and parses a JSON file, turning every failure into a usage error that names the file. */
export async function readJsonFile(path: string, cwd: string): Promise<unknown> {
  const full = isAbsolute(path) ? path : resolve(cwd, path);
  let text: string;
  try {
    text = await readFile(full, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UsageError(`${path}: no such file`);
    if (code === 'EISDIR') throw new UsageError(`${path}: is a directory, expected a JSON file`);
    throw new UsageError(`${path}: cannot be read (${code ?? String(error)})`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new UsageError(`${path}: not valid JSON: ${describeJsonError(error, text)}`);
  }
}

/** `value expected at line 2, column 11`, located by a tolerant parser because V8's messages carry no position. */
function describeJsonError(error: unknown, text: string): string {
  const errors: ParseError[] = [];
  parseTolerant(text, errors, { disallowComments: true, allowTrailingComma: false });
  const first = errors[0];
  if (!first) return error instanceof Error ? error.message : String(error);
  const before = text.slice(0, first.offset).split('\n');
  const what = printParseErrorCode(first.error)
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase();
  return `${what} at line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1}`;
}

/**
 * Reads agent definitions from JSON files: a file holding one definition or an array of them, or a directory
 * whose `*.json` files each hold one. Returns the raw documents with the file each came from.
 */
export async function readAgentDocuments(
  path: string,
  cwd: string,
): Promise<{ file: string; document: unknown }[]> {
  const full = isAbsolute(path) ? path : resolve(cwd, path);
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(full)).isDirectory();
  } catch {
    throw new UsageError(`${path}: no such file or directory`);
  }
  const files = isDirectory
    ? (await readdir(full))
        .filter((name) => name.endsWith('.json'))
        .sort()
        .map((name) => join(full, name))
    : [full];
  const out: { file: string; document: unknown }[] = [];
  for (const file of files) {
    const document = await readJsonFile(file, cwd);
    for (const one of Array.isArray(document) ? (document as unknown[]) : [document])
      out.push({ file, document: one });
  }
  return out;
}
