import { z } from 'zod';

/**
 * The zod pieces of the settings of the kinds that call a remote service (`http`, `llm`, `mcp`, `a2a`): the
 * URL, the secret that carries a credential, and static headers. Each kind composes its schema from them, so
 * a URL or a secret name is checked, and refused with the same message, whatever the kind.
 */

/** The shape of a secret name, as `EnvSecretStore` reads it (`BATON_SECRET_<NAME>`). */
export const SecretNameSchema = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'must be a secret name: a letter, then letters, digits or _');

/**
 * An absolute http(s) URL without credentials: those belong in a secret, named by the settings field
 * `secretField` (`authSecret`), which the refusal points to.
 */
export function httpUrlSchema(secretField: string): z.ZodType<string> {
  return z.string().superRefine((value, ctx) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be an absolute http or https URL' });
      return;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      ctx.addIssue({ code: 'custom', message: `must be an http or https URL, not ${url.protocol}` });
    }
    if (url.username !== '' || url.password !== '') {
      ctx.addIssue({
        code: 'custom',
        message: `must not carry credentials; name a secret in ${secretField} instead`,
      });
    }
  });
}

/** An HTTP header name: a token of RFC 9110. */
export const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Headers the transport sets itself, which no setting may replace. */
export const TRANSPORT_HEADERS: readonly string[] = [
  'host',
  'content-length',
  'content-type',
  'transfer-encoding',
  'connection',
  'accept',
];

/** A header value: no line break or NUL, which could smuggle another header. */
export function isSafeHeaderValue(value: string): boolean {
  return !/[\r\n\0]/.test(value);
}

/**
 * Static request headers. Names must be tokens and neither `TRANSPORT_HEADERS` nor the kind's `reserved`
 * ones; `Authorization` is refused too, since a credential belongs in a secret (`authSecret`), not in a
 * definition.
 */
export function headersSchema(reserved: readonly string[]): z.ZodType<Record<string, string>> {
  const taken = new Set([
    ...TRANSPORT_HEADERS,
    ...reserved.map((name) => name.toLowerCase()),
    'authorization',
  ]);
  return keyedRecord((name) =>
    !HEADER_NAME.test(name)
      ? 'must be an HTTP header name'
      : taken.has(name.toLowerCase())
        ? 'is a header the runtime sets itself, or a credential (name a secret in authSecret)'
        : undefined,
  ).superRefine((headers, ctx) => {
    for (const [name, value] of Object.entries(headers)) {
      if (!isSafeHeaderValue(value)) {
        ctx.addIssue({ code: 'custom', path: [name], message: 'must not contain a line break or NUL' });
      }
    }
  });
}

/**
 * A record of strings whose keys `problem` checks, each refusal naming its key (`settings.env.PATH: …`);
 * zod's own key schemas report only "Invalid key in record".
 */
export function keyedRecord(problem: (key: string) => string | undefined): z.ZodType<Record<string, string>> {
  return z.record(z.string(), z.string()).superRefine((record, ctx) => {
    for (const key of Object.keys(record)) {
      const message = problem(key);
      if (message !== undefined) ctx.addIssue({ code: 'custom', path: [key], message });
    }
  });
}
