/**
 * Mixins for estimators: a classifier and a regressor that share fitted
 * state and accessors have different bases (BaseClassifier, BaseRegressor),
 * so what they share is a function that adds it to either base:
 *
 * ```ts
 * function withThing<Base extends AbstractClass<BaseEstimator<object>>>(base: Base): Base & AbstractClass<Thing> {
 *   abstract class WithThing extends base implements Thing { ... }
 *   return WithThing;
 * }
 * export class ThingClassifier extends withThing(BaseClassifier<ThingClassifierParams>) { ... }
 * ```
 * The declared return type names the added members by an interface, so the
 * exported classes' declarations need no anonymous class type.
 */

/** A class constructor, possibly abstract, whose instances are T. */
// biome-ignore lint/suspicious/noExplicitAny: TypeScript requires a mixin's constructor type to take `...args: any[]`
export type AbstractClass<T> = abstract new (...args: any[]) => T;
