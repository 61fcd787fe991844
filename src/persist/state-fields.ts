/**
 * Which own fields of an estimator are its saved state: all of them but
 * `params` (saved through getParams) and the ones its class declares
 * transient; and which names a file may never set (anything the class
 * defines as a method or accessor, prototype links).
 */
import type { Estimator } from '../models/base.js';

/**
 * What an estimator class may declare when the default walk over its own
 * fields is not enough:
 * - `static transientFields`: own fields never written (caches, values
 *   rebuilt from params);
 * - `restoreTransientFields()`: called on the loaded estimator, after its
 *   state is back, to rebuild them.
 */
export interface PersistHooks {
  restoreTransientFields?(): void;
}

export function transientFieldsOf(est: Estimator): readonly string[] {
  const fields = (est.constructor as { transientFields?: unknown }).transientFields;
  return Array.isArray(fields) ? (fields as string[]) : [];
}

/** Names a state field can never have: the params, prototype links and the persistence hook. */
const RESERVED_FIELDS: ReadonlySet<string> = new Set(['params', '__proto__', 'constructor', 'prototype', 'restoreTransientFields', 'transientFields']);
const FIELD_NAME = /^[A-Za-z_$][\w$]{0,199}$/;

/**
 * Why `field` cannot be a state field of `est` (undefined when it can): it
 * must look like an identifier and must not shadow anything its class
 * defines (a method, a getter) — a file can set data, never behaviour.
 */
export function stateFieldProblem(est: Estimator, field: string): string | undefined {
  if (!FIELD_NAME.test(field)) return `'${field.slice(0, 40)}' is not a valid field name`;
  if (RESERVED_FIELDS.has(field)) return `'${field}' is reserved`;
  if (field in Object.getPrototypeOf(est)) return `'${field}' is defined by the class ${est.constructor.name} (a method or accessor), not a data field`;
  return undefined;
}
