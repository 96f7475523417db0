/**
 * `f` of a value that is there at once, or of a promised one: the hot paths answer from memory
 * without a promise (Fastify sends a sync handler's value at once) and go asynchronous only on a miss.
 */
export const whenReady = <T, R>(v: T | Promise<T>, f: (x: T) => R): R | Promise<R> => (v instanceof Promise ? v.then(f) : f(v));
