import type { Problem } from '../errors/errors.js';

/** One step into a JSON document: an array index or an object key. */
export type PathSegment = string | number;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Appends one segment to a path: `[3]` for an index, `.key` for an identifier, `["a b"]` for any other key. */
export function childPath(base: string, segment: PathSegment): string {
  if (typeof segment === 'number') return `${base}[${segment}]`;
  if (IDENTIFIER.test(segment)) return base === '' ? segment : `${base}.${segment}`;
  return `${base}[${JSON.stringify(segment)}]`;
}

/**
 * Formats path segments (as zod reports them) the way the graph module writes paths: `nodes[3].inputs.document`.
 * The document itself is the empty path.
 */
export function formatPath(segments: readonly PropertyKey[]): string {
  let path = '';
  for (const segment of segments) {
    path = childPath(path, typeof segment === 'symbol' ? String(segment) : segment);
  }
  return path;
}

/** Splits a path written by `formatPath` back into segments. */
export function parsePath(path: string): PathSegment[] {
  const segments: PathSegment[] = [];
  const pattern = /\.?([A-Za-z_$][A-Za-z0-9_$]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/y;
  let match: RegExpExecArray | null;
  while (pattern.lastIndex < path.length && (match = pattern.exec(path)) !== null) {
    const [, key, index, quoted] = match;
    if (key !== undefined) segments.push(key);
    else if (index !== undefined) segments.push(Number(index));
    else if (quoted !== undefined) segments.push(JSON.parse(quoted) as string);
  }
  return segments;
}

/** The value at a path of a document, or undefined when any step is missing. Only own properties are read. */
export function valueAt(document: unknown, segments: readonly PropertyKey[]): unknown {
  let value = document;
  for (const segment of segments) {
    if (typeof value !== 'object' || value === null) return undefined;
    const key = typeof segment === 'number' ? String(segment) : segment;
    if (!Object.prototype.hasOwnProperty.call(value, key)) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

type Position = [rank: number, key: string];

/**
 * Where a path sits in a document: at each step, the index of the array item or of the key among the object's
 * keys. A key the document lacks ranks after the keys it has, and ends the position.
 */
function documentPosition(document: unknown, path: string): Position[] {
  const positions: Position[] = [];
  let value: unknown = document;
  for (const segment of parsePath(path)) {
    if (typeof segment === 'number') {
      positions.push([segment, '']);
      value = Array.isArray(value) ? (value[segment] as unknown) : undefined;
      continue;
    }
    const keys = typeof value === 'object' && value !== null ? Object.keys(value) : [];
    const rank = keys.indexOf(segment);
    if (rank === -1) {
      // Past a missing key the document says nothing about order: such problems keep the order found,
      // which follows the schema's field order.
      positions.push([Number.MAX_SAFE_INTEGER, '']);
      break;
    }
    positions.push([rank, segment]);
    value = (value as Record<string, unknown>)[segment];
  }
  return positions;
}

function comparePositions(a: readonly Position[], b: readonly Position[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const [rankA, keyA] = a[i] as Position;
    const [rankB, keyB] = b[i] as Position;
    if (rankA !== rankB) return rankA - rankB;
    if (keyA !== keyB) return keyA < keyB ? -1 : 1;
  }
  return a.length - b.length;
}

/**
 * Sorts problems by where their paths point in the document, parents before children. Problems at the same
 * path keep the order they were found in.
 */
export function sortByDocumentPosition(document: unknown, problems: readonly Problem[]): Problem[] {
  const positions = new Map<string, Position[]>();
  const positionOf = (path: string): Position[] => {
    let position = positions.get(path);
    if (!position) {
      position = documentPosition(document, path);
      positions.set(path, position);
    }
    return position;
  };
  return [...problems].sort((a, b) => comparePositions(positionOf(a.path), positionOf(b.path)));
}
