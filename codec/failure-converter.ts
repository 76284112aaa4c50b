import { DefaultFailureConverter } from '@temporalio/common';

/**
 * The failure converter of workers (workflow sandbox included) and clients: a failure's message and stack
 * trace go into its encoded attributes, a payload the codec encrypts, instead of lying in clear in
 * history (https://docs.temporal.io/production-deployment/data-encryption). History then shows
 * "Encoded failure" until a holder of the key (the codec server, for the UI) decodes it. Failures written
 * before, without encoded attributes, still decode as they are. The SDK loads this module by path.
 */
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
