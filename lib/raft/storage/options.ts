/** Validation of the storage options objects: every bad value gets a precise message. */

/** Thrown for an invalid storage option; the message names the option and the value. */
export class StorageOptionError extends RangeError {
  override name = 'StorageOptionError';
}

/** An integer option in [min, max], or its default when undefined. */
export function intOption(owner: string, name: string, value: number | undefined, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new StorageOptionError(`${owner}.${name} must be an integer in [${min}, ${max}], got ${String(value)}`);
  }
  return value;
}

export function boolOption(owner: string, name: string, value: boolean | undefined, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new StorageOptionError(`${owner}.${name} must be a boolean, got ${String(value)}`);
  return value;
}

export function functionOption<F extends (...args: never[]) => unknown>(owner: string, name: string, value: F | undefined, fallback: F): F {
  if (value === undefined) return fallback;
  if (typeof value !== 'function') throw new StorageOptionError(`${owner}.${name} must be a function`);
  return value;
}

/** Rejects fields the options type does not have (a typo would otherwise be ignored). */
export function rejectUnknownOptions(owner: string, options: object, known: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new StorageOptionError(`${owner} has no option '${key}' (known: ${known.join(', ')})`);
  }
}
