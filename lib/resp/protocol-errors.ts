/**
 * Every protocol error the request parser reports, in one place. The server answers
 * `-ERR Protocol error: <text>` and closes the connection, as redis-server does. The
 * texts without a comment are redis-server 7.0's own; the others are stricter checks of
 * ours, where Redis has no text (it skips the bytes or waits forever).
 */
export const PROTOCOL_ERRORS = {
  invalidMultibulkLength: 'invalid multibulk length',
  invalidBulkLength: 'invalid bulk length',
  unauthenticatedMultibulkLength: 'unauthenticated multibulk length',
  unauthenticatedBulkLength: 'unauthenticated bulk length',
  tooBigInlineRequest: 'too big inline request',
  tooBigMbulkCountString: 'too big mbulk count string',
  tooBigBulkCountString: 'too big bulk count string',
  unbalancedQuotes: 'unbalanced quotes in request',
  /** `got` is the byte itself when printable, else \xHH (Redis prints the raw byte). */
  expectedDollar: (got: string) => `expected '$', got '${got}'`,
  /** Ours: Redis closes the connection without a reply at its client-query-buffer-limit. */
  queryBufferLimit: 'query buffer limit exceeded',
  /** Ours: Redis skips the two bytes after a bulk without looking at them. */
  bulkNotTerminated: (length: number) => `expected CRLF after a bulk string of ${length} bytes`,
  /** Ours: Redis skips the byte after the CR of a length line. */
  lengthNotTerminated: (what: 'multibulk' | 'bulk') => `expected '\\n' after '\\r' in a ${what} length`,
} as const;
