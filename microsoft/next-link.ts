import { MalformedResponseError } from './errors.js';

/**
 * Resolves an API's next link against the URL that returned it (the Reporting Web Service's JSON-light
 * `odata.nextLink` may be relative, e.g. `../../ReportingWebService/...`, reference §1.4) and refuses a
 * link to any other origin than the configured API: the bearer token must never leave for another host.
 */
export function resolveNextLink(link: unknown, requestUrl: string, what: string): string | undefined {
  if (link === undefined || link === null || link === '') return undefined;
  if (typeof link !== 'string') throw new MalformedResponseError(`${what}: next link is not a string`);
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
