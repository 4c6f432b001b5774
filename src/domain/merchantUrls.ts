// Merchant URLs at the boundary (CONTRACT §7): webhook endpoints and every merchant_urls field are
// absolute http/https URLs without user info, and what OpenOM stores, calls and redirects to is
// plain ASCII: non-ASCII text, spaces and line separators percent-encoded as UTF-8 (the host as
// its IDNA form), so nothing raw ever reaches a header (Node refuses it there, and Latin-1 text
// would be read as other characters). `{checkout.order.id}` is left as it is for merchantUrlFor.

/** Control characters and lone surrogates: no URL has them, and PostgreSQL text cannot hold U+0000. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what it looks for
const UNSENDABLE = /[\u0000-\u001f\u007f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** What is between `scheme://` and the path, query or fragment: host[:port], or user info with it. */
function rawAuthority(raw: string): { authority: string; rest: string } | undefined {
  const m = /^[a-z][a-z0-9+.-]*:[/\\]{2}([^/\\?#]*)(.*)$/is.exec(raw);
  return m ? { authority: m[1]!, rest: m[2]! } : undefined;
}

/** Why a merchant URL cannot be used ("must be …"), or undefined. Length limits are the caller's (they differ per field). */
export function merchantUrlProblem(raw: string): string | undefined {
  if (UNSENDABLE.test(raw)) return 'must not contain control characters or unpaired surrogates';
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute http or https URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an http or https URL';
  if (url.hostname === '') return 'must be an absolute http or https URL';
  // Even an empty one (`http://@host/`): a URL OpenOM calls never carries credentials.
  if (url.username !== '' || url.password !== '' || rawAuthority(raw)?.authority.includes('@')) return 'must not contain user info (user:password@)';
  return undefined;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Every character outside printable ASCII (and space) as UTF-8 percent escapes; lone surrogates as U+FFFD's. */
export function percentEncodeUnsafe(text: string): string {
  return text.replace(LONE_SURROGATE, '\ufffd').replace(/[^\x21-\x7e]/gu, (ch: string) => encodeURIComponent(ch));
}

/**
 * The URL as OpenOM stores, calls and redirects to it: scheme and host as the URL standard writes
 * them (IDNA host), the rest as sent with unsafe characters percent-encoded. Already-ASCII URLs
 * come back unchanged, so it may be applied again. A URL that does not parse is only encoded.
 */
export function sendableUrl(raw: string): string {
  const parts = rawAuthority(raw);
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (!parts || !url) return percentEncodeUnsafe(raw);
  return `${url.protocol}//${url.host}${percentEncodeUnsafe(parts.rest)}`;
}
