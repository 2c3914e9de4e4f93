/**
 * Holds payloads too large to travel inside task rows and events; they travel as `{ $blob: key }` references.
 * Contract: `put` is idempotent for the same key and bytes; `get` of an unknown key is a `NotFoundError`.
 */
export interface BlobStore {
  put(key: string, data: Uint8Array): Promise<void>;
  get(key: string): Promise<Uint8Array>;
  delete(key: string): Promise<void>;
}
