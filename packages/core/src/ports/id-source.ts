/** Makes ids. Injected so tests get predictable ids and production gets unique, time-sortable ones. */
export interface IdSource {
  /** A new id, e.g. `run_01J…`. Ids from one source sort by creation time. */
  next(prefix: string): string;
}
