import {
  aadError,
  graphError,
  graphForbidden,
  graphUnauthorized,
  reportingError,
  reportingForbidden,
  reportingUnauthorized,
  serviceUnavailablePage,
  signInPage,
  THROTTLED_MESSAGE,
} from './errors.js';
import type { Fault, FaultEndpoint } from './faults.js';
import { jsonReply, type ApiRequest, type Reply } from './http.js';

/** The kinds answered with a canned reply instead of the real handler. */
export type CannedFaultKind = 'throttle' | 'server-error' | 'unavailable' | 'html-sign-in' | 'forbidden' | 'unauthorized';

/** Whether a fault replaces the answer outright (the rest delay, alter or precede a normal answer). */
export function isCanned(kind: Fault['kind']): kind is CannedFaultKind {
  return ['throttle', 'server-error', 'unavailable', 'html-sign-in', 'forbidden', 'unauthorized'].includes(kind);
}

/** The answer a canned fault gives, in the failing endpoint's own error format. */
export function cannedReply(fault: Fault & { kind: CannedFaultKind }, endpoint: FaultEndpoint, req: ApiRequest, nowMs: number): Reply {
  const retryAfter: Record<string, string> = fault.retryAfterSeconds === undefined ? {} : { 'retry-after': String(fault.retryAfterSeconds) };
  switch (fault.kind) {
    case 'html-sign-in':
      return signInPage();
    case 'throttle':
      if (endpoint === 'graph') return graphError(429, 'TooManyRequests', THROTTLED_MESSAGE, req, nowMs, retryAfter);
      if (endpoint === 'reporting') return reportingError(429, THROTTLED_MESSAGE, retryAfter);
      return withHeaders(aadError(429, 'temporarily_unavailable', 50196, 'The server terminated an operation because it encountered a client request loop.', nowMs), retryAfter);
    case 'server-error':
      if (endpoint === 'graph') return graphError(500, 'InternalServerError', 'An internal server error occurred.', req, nowMs);
      if (endpoint === 'reporting') return reportingError(500, 'An error occurred while processing this request.');
      return aadError(500, 'server_error', 90033, 'A transient error has occurred. Please try again.', nowMs);
    case 'unavailable':
      if (endpoint === 'graph') return graphError(503, 'ServiceUnavailable', 'The service is temporarily unavailable. Please retry later.', req, nowMs, retryAfter);
      if (endpoint === 'reporting') return serviceUnavailablePage(retryAfter);
      return withHeaders(aadError(503, 'temporarily_unavailable', 90006, 'The server is temporarily unavailable. Please try again.', nowMs), retryAfter);
    case 'forbidden':
      if (endpoint === 'graph') return graphForbidden(req, nowMs);
      if (endpoint === 'reporting') return reportingForbidden();
      return aadError(400, 'unauthorized_client', 7000112, 'Application is disabled.', nowMs);
    case 'unauthorized':
      if (endpoint === 'graph') return graphUnauthorized('Lifetime validation failed, the token is expired.', req, nowMs);
      if (endpoint === 'reporting') return reportingUnauthorized();
      return aadError(401, 'invalid_client', 7000215, 'Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.', nowMs);
  }
}

/** A `malformed-json` answer: 200 `application/json` with the body cut in half. */
export function truncatedReply(reply: Reply): Reply {
  const body = reply.body.length > 2 ? reply.body.slice(0, Math.floor(reply.body.length / 2)) : '{"value":[';
  return { status: 200, headers: { ...reply.headers, 'content-type': 'application/json; charset=utf-8' }, body };
}

function withHeaders(reply: Reply, headers: Record<string, string>): Reply {
  return { ...reply, headers: { ...reply.headers, ...headers } };
}

/** A JSON 404 for paths no Microsoft API here serves. */
export function notFound(path: string): Reply {
  return jsonReply(404, { error: { code: 'NotFound', message: `No Microsoft 365 emulator resource at ${path}.` } });
}
