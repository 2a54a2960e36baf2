/** The RESP protocol layer: request parsing, reply encoding and reply reading. */
export * from './types.js';
export { DEFAULT_RESP_LIMITS, validateRespLimits, type RespLimits } from './limits.js';
export { RequestParser, UNAUTHENTICATED_LIMITS } from './parser.js';
export { PROTOCOL_ERRORS } from './protocol-errors.js';
export { splitInlineArgs } from './inline.js';
export { ReplyWriter, encodeReply, formatDouble } from './writer.js';
export { ReplyReader, decodeReply, REPLY_BUFFER_LIMIT } from './reply-reader.js';
