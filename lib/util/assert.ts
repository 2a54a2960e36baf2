/** Thrown when an internal invariant breaks: a bug in respraft, never bad user input. */
export class AssertionError extends Error {
  override name = 'AssertionError';
}

/** Checks an invariant. The message says what should have held, so a failure reads as a bug report. */
export function assert(condition: unknown, message: string | (() => string)): asserts condition {
  if (!condition) {
    throw new AssertionError(typeof message === 'function' ? message() : message);
  }
}

/** For switch exhaustiveness: the compiler proves this is unreachable. */
export function unreachable(value: never, what = 'value'): never {
  throw new AssertionError(`unexpected ${what}: ${String(value)}`);
}
