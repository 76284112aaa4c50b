import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { toApplicationFailure } from '../../activities/failures.js';
import { DevoHttpRedirected } from '../../devo/errors.js';
import { httpTransport } from '../../devo/transport.js';
import { FailureType } from '../../contracts/failure-types.js';
import { localHttpServer } from '../helpers/local-http-server.js';

const TAG = 'cloud.office365.messagetracing';
const TOKEN = 'a5370g9e8f7d7edf9da5370g9e8f7d7e';
const events = [{ tag: TAG, hostname: 'collector-1', timestamp: 0, message: '{"id":"m1"}' }];

describe('Devo HTTP redirects', () => {
  for (const status of [301, 302, 307, 308]) {
    it(`a ${status} is a failed send: the records never reach where it points, and the error names no token`, async (t) => {
      const elsewhere = await localHttpServer(t, (_req, res) => res.writeHead(200).end());
      const devo = await localHttpServer(t, (req, res) => res.writeHead(status, { location: `${elsewhere.url}${req.url ?? '/'}` }).end());
      const err = await httpTransport({ url: devo.url, domain: 'acme', token: TOKEN }).sendBatch(events).then(
        () => assert.fail('a redirect was taken for a confirmation'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof DevoHttpRedirected, String(err));
      assert.equal(err.status, status);
      assert.match(err.message, /redirect, not followed/);
      assert.doesNotMatch(err.message, new RegExp(`${TOKEN}|${elsewhere.url}`));
      assert.equal(devo.requests.length, 1);
      assert.deepEqual(elsewhere.requests, [], 'the redirect target saw a request');
      const failure = toApplicationFailure(err);
      assert.ok(failure instanceof ApplicationFailure);
      assert.equal(failure.type, FailureType.DevoRejected);
      assert.equal(failure.nonRetryable, true);
    });
  }
});
