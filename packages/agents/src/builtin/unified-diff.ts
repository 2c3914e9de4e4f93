/** A line the change adds, with its number in the new file. */
export interface AddedLine {
  readonly line: number;
  readonly text: string;
}

/** One file of a unified diff. */
export interface DiffFile {
  /** Path in the new tree (the old path for a deleted file). */
  readonly path: string;
  readonly added: AddedLine[];
  additions: number;
  deletions: number;
}

const HUNK = /^@@ -\d+(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;

/**
 * Reads a unified diff (`git diff` or `diff -u` output): the files it touches, the lines each adds with their
 * line numbers in the new file, and the counts of added and removed lines. Hunks are read by the line counts
 * in their headers; anything outside a hunk other than file headers is ignored, so text around a diff does
 * no harm.
 */
export function parseUnifiedDiff(diff: string): DiffFile[] {
  const files: DiffFile[] = [];
  let file: DiffFile | undefined;
  // A `diff --git` header names the file before its `---`/`+++` lines, which then only refine the path.
  let headerOnly = false;
  let oldPath = '';
  let nextLine = 0;
  let oldLeft = 0;
  let newLeft = 0;

  const start = (path: string): DiffFile => {
    const created: DiffFile = { path, added: [], additions: 0, deletions: 0 };
    files.push(created);
    return created;
  };

  for (const raw of diff.split(/\r?\n/)) {
    if (oldLeft > 0 || newLeft > 0) {
      if (!file) break;
      if (raw.startsWith('+')) {
        file.added.push({ line: nextLine, text: raw.slice(1) });
        file.additions++;
        nextLine++;
        newLeft--;
      } else if (raw.startsWith('-')) {
        file.deletions++;
        oldLeft--;
      } else if (raw.startsWith(' ') || raw === '') {
        nextLine++;
        oldLeft--;
        newLeft--;
      } else if (!raw.startsWith('\\')) {
        oldLeft = 0;
        newLeft = 0;
      } else {
        continue;
      }
      if (oldLeft > 0 || newLeft > 0) continue;
      if (raw.startsWith('+') || raw.startsWith('-') || raw.startsWith(' ') || raw === '') continue;
    }
    if (raw.startsWith('diff --git ')) {
      const match = / b\/(.+)$/.exec(raw);
      file = start(match?.[1] ?? raw.slice('diff --git '.length));
      headerOnly = true;
      continue;
    }
    if (raw.startsWith('--- ')) {
      oldPath = stripPrefix(raw.slice(4));
      continue;
    }
    if (raw.startsWith('+++ ')) {
      const newPath = stripPrefix(raw.slice(4));
      const path = newPath === '/dev/null' ? oldPath : newPath;
      if (file && headerOnly) file = files[files.length - 1] = { ...file, path };
      else file = start(path);
      headerOnly = false;
      continue;
    }
    const hunk = HUNK.exec(raw);
    if (hunk) {
      file ??= start('');
      headerOnly = false;
      oldLeft = hunk[1] === undefined ? 1 : Number(hunk[1]);
      nextLine = Number(hunk[2]);
      newLeft = hunk[3] === undefined ? 1 : Number(hunk[3]);
    }
  }
  return files;
}

function stripPrefix(path: string): string {
  const clean = path.split('\t')[0]?.trim() ?? '';
  return clean.replace(/^[ab]\//, '');
}
