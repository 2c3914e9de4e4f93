import { z } from 'zod';

/** The shape of a secret name, as `EnvSecretStore` reads it (`BATON_SECRET_<NAME>`). */
export const SecretNameSchema = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'must be a secret name: a letter, then letters, digits or _');

/** An absolute http(s) URL without credentials (those belong in a secret). */
export const HttpUrlSchema = z.string().superRefine((value, ctx) => {
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
      message: 'must not carry credentials; name a secret in authSecret instead',
    });
  }
});

/** A header value: no line break or NUL, which could smuggle another header. */
export function isSafeHeaderValue(value: string): boolean {
  return !/[\r\n\0]/.test(value);
}

/**
 * Static request headers. Names must be tokens and not ones the transport sets itself; `Authorization` is
 * refused too, since a credential belongs in a secret (`authSecret`), not in a definition.
 */
export function headersSchema(reserved: readonly string[]): z.ZodType<Record<string, string>> {
  const taken = new Set([
    'host',
    'content-length',
    'content-type',
    'transfer-encoding',
    'connection',
    'accept',
  ]);
  for (const name of reserved) taken.add(name.toLowerCase());
  taken.add('authorization');
  return keyedRecord((name) =>
    !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)
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

/** The bearer value of `authSecret`, or an error message when it cannot be used. */
export function bearerHeader(
  secret: string,
  value: string | undefined,
): { value: string } | { error: string } {
  if (value === undefined)
    return { error: `needs the secret "${secret}" (settings.authSecret), which is not set` };
  // Checked here so that neither the value nor a header-injection attempt reaches an error message.
  if (!isSafeHeaderValue(value)) {
    return { error: `the secret "${secret}" holds a line break or NUL, which a header cannot carry` };
  }
  return { value: `Bearer ${value}` };
}
