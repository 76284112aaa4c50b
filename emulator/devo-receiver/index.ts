/** The local Devo receiver: mutual-TLS and plain-TCP syslog plus HTTP stream ingestion, for the demo and tests. */
export { startDevoReceiver, type DevoReceiver, type DevoReceiverOptions, type DevoReceiverStats } from './receiver.js';
export { FrameParser, type ParseResult } from './frame-parser.js';
export { parseRecord, type ParsedEvent } from './record.js';
export type { ReceivedEvent, ReceiverTransport } from './store.js';
export { MAX_HTTP_BODY } from './http-stream.js';
