import { MalformedResponseError, RequestRejectedError } from './errors.js';

/**
 * Longest next link accepted. The link travels in the pull's result, beside the packed records, so its
 * size counts against the payload too. Graph's skiptoken encodes the window's bounds, a recipient address
 * (at most 320 characters) and the page size; the Reporting Web Service's is a row offset: a few hundred
 * characters in all, so 8 KiB is generous.
 */
export const MAX_NEXT_LINK_CHARS = 8 * 1024;

/**
 * Resolves an API's next link against the URL that returned it (the Reporting Web Service's JSON-light
 * `odata.nextLink` may be relative, e.g. `../../ReportingWebService/...`, docs/sources.md#rws-json-shapes) and refuses a
 * link to any other origin than the configured API: the bearer token must never leave for another host.
 */
export function resolveNextLink(link: unknown, requestUrl: string, what: string): string | undefined {
  if (link === undefined || link === null || link === '') return undefined;
  if (typeof link !== 'string') throw new MalformedResponseError(`${what}: next link is not a string`);
  if (link.length > MAX_NEXT_LINK_CHARS) throw new MalformedResponseError(`${what}: next link of ${link.length} characters, more than ${MAX_NEXT_LINK_CHARS}`);
  let resolved: URL;
  try {
    resolved = new URL(link, requestUrl);
  } catch (err) {
    throw new MalformedResponseError(`${what}: next link is not a URL`, undefined, { cause: err });
  }
  if (resolved.origin !== new URL(requestUrl).origin) {
    throw new MalformedResponseError(`${what}: next link points to another host (${resolved.origin}); refusing to send the token there`);
  }
  return resolved.toString();
}

/**
 * A next link handed to the page puller (from workflow history, not from the page just read) that does not
 * belong to the configured API's origin: scheme, host and port. Thrown before any request, so the bearer
 * token never leaves for it. A RequestRejectedError (non-retryable), because the link can never be used;
 * the workflow then queries the rest of the window afresh from its resume point, as it does when
 * Microsoft refuses its own link. Seen when O365_GRAPH_URL or O365_REPORTING_URL changed while a window
 * was in progress, or when history holds a link no Microsoft page gave.
 */
export class ForeignNextLinkError extends RequestRejectedError {
  override name = 'ForeignNextLinkError';
}

/** Checks, before every request with the token, that a next link is on the configured API's origin. */
export function checkNextLinkOrigin(link: string, baseUrl: string): void {
  const api = new URL(baseUrl).origin;
  let origin: string;
  try {
    origin = new URL(link).origin;
  } catch (err) {
    throw new ForeignNextLinkError(`the next link to follow is not an absolute URL; refusing to send the token with it (API ${api})`, undefined, { cause: err });
  }
  if (origin !== api) throw new ForeignNextLinkError(`the next link to follow points to ${origin}, not the configured API ${api}; refusing to send the token there`);
}
