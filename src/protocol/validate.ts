/**
 * Small runtime checks for messages from untrusted senders (webviews). A check returns undefined
 * when the value is acceptable, or a short reason naming the offending field.
 */

/** A runtime check of a value. */
export type Check = (value: unknown, path?: string) => string | undefined;

const at = (path: string | undefined): string => path ?? 'value';

/** A string of at most `max` characters. */
export const str =
  (max = 10_000): Check =>
  (v, p) =>
    typeof v !== 'string'
      ? `${at(p)} must be a string`
      : v.length > max
        ? `${at(p)} is longer than ${max} characters`
        : undefined;

/** An integer within [min, max]. */
export const int =
  (min: number, max: number): Check =>
  (v, p) =>
    typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max
      ? `${at(p)} must be a whole number from ${min} to ${max}`
      : undefined;

/** A finite number within [min, max]. */
export const num =
  (min: number, max: number): Check =>
  (v, p) =>
    typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max
      ? `${at(p)} must be a number from ${min} to ${max}`
      : undefined;

/** A boolean. */
export const bool: Check = (v, p) => (typeof v !== 'boolean' ? `${at(p)} must be true or false` : undefined);

/** One of the given literal values. */
export const oneOf =
  (...values: readonly (string | number | boolean | null)[]): Check =>
  (v, p) =>
    values.includes(v as string)
      ? undefined
      : `${at(p)} must be one of ${values.map((x) => JSON.stringify(x)).join(', ')}`;

/** An array of at most `max` items, each passing `item`. */
export const arr =
  (item: Check, max = 100_000): Check =>
  (v, p) => {
    if (!Array.isArray(v)) return `${at(p)} must be a list`;
    if (v.length > max) return `${at(p)} has more than ${max} items`;
    for (let i = 0; i < v.length; i++) {
      const problem = item(v[i], `${at(p)}[${i}]`);
      if (problem) return problem;
    }
    return undefined;
  };

/** A value that may be absent (undefined). */
export const optional =
  (check: Check): Check =>
  (v, p) =>
    v === undefined ? undefined : check(v, p);

/** A value that may be null. */
export const nullable =
  (check: Check): Check =>
  (v, p) =>
    v === null ? undefined : check(v, p);

/**
 * A plain object with exactly these fields (unknown fields are refused). Only own properties count,
 * of the value and of `fields`: a key such as `__proto__` (an own key after JSON.parse), `constructor`
 * or `toString` is an unexpected field, and a field inherited from a prototype is missing.
 */
export const obj =
  (fields: Record<string, Check>): Check =>
  (v, p) => {
    if (!isPlainObject(v)) return `${at(p)} must be an object`;
    for (const key of Reflect.ownKeys(v)) {
      if (typeof key !== 'string' || !Object.hasOwn(fields, key))
        return `${at(p)} has an unexpected field "${String(key)}"`;
    }
    for (const [key, check] of Object.entries(fields)) {
      const problem = check(Object.hasOwn(v, key) ? v[key] : undefined, p ? `${p}.${key}` : key);
      if (problem) return problem;
    }
    return undefined;
  };

/** An object made by a literal, JSON.parse or structured cloning (its prototype is Object.prototype or null). */
function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** A value that passes any one of the checks. */
export const union =
  (...checks: Check[]): Check =>
  (v, p) => {
    const reasons: string[] = [];
    for (const check of checks) {
      const problem = check(v, p);
      if (!problem) return undefined;
      reasons.push(problem);
    }
    return reasons.join(', or ');
  };

/** A relative dataset path: `/` separators, no `..`, no absolute path, no NUL. */
export const relPath: Check = (v, p) => {
  const problem = str(4096)(v, p);
  if (problem) return problem;
  const s = v as string;
  if (s === '' || s.startsWith('/') || /^[A-Za-z]:/.test(s) || s.includes('\\') || s.includes('\0'))
    return `${at(p)} must be a relative path inside the dataset`;
  if (s.split('/').some((part) => part === '..' || part === '.' || part === ''))
    return `${at(p)} must be a relative path inside the dataset`;
  return undefined;
};
