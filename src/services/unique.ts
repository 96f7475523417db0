import type { AppError } from '../errors/app-error.js';
import { UniqueViolation } from '../store/port.js';

/** Runs a store write; a unique violation becomes the catalogued conflict error `onTaken()`. */
export async function unique<T>(p: Promise<T>, onTaken: () => AppError): Promise<T> {
  try {
    return await p;
  } catch (e) {
    if (e instanceof UniqueViolation) throw onTaken();
    throw e;
  }
}
