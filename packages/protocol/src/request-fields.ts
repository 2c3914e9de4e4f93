import { z } from 'zod';

/*
 * Fields several request schemas share: how values written in a query string or a header are read, and who
 * acts. Used by the schemas of every route.
 */

/** A query parameter given once or repeated (`?status=a&status=b`), each value possibly a comma list. */
export const listParam = z.union([z.string(), z.array(z.string())]).transform((value) =>
  (Array.isArray(value) ? value : [value])
    .flatMap((item) => item.split(','))
    .map((item) => item.trim())
    .filter((item) => item !== ''),
);

/** A whole number from 1 to `max` written in a query string. */
export const countParam = (max: number) =>
  z
    .string()
    .regex(/^\d+$/, { message: 'must be a whole number' })
    .transform(Number)
    .pipe(z.int().min(1).max(max));

/** An event's `seq` (0: before the first event) written in a query string or a `Last-Event-ID` header. */
export const seqParam = z
  .string()
  .regex(/^\d{1,15}$/, { message: 'must be the seq of an event: a whole number, 0 for the start' })
  .transform(Number);

/** Who acts, as the audit trail records it. */
export const actorField = z.string().min(1).max(200);
