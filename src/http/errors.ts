import type { FastifyError } from 'fastify';
import { AppError } from '../errors/app-error.js';

/** Maps anything thrown while handling a request onto the catalogue. Unknown errors become INTERNAL. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const fe = err as FastifyError & {
    validation?: { instancePath?: string; message?: string; params?: Record<string, unknown> }[];
    validationContext?: string;
  };
  if (fe?.validation) {
    const v = fe.validation[0];
    const where = fe.validationContext ?? 'request';
    const path = v?.instancePath ? v.instancePath.replace(/^\//, '').replace(/\//g, '.') : '';
    const extra = v?.params && 'additionalProperty' in v.params ? ` '${String(v.params.additionalProperty)}'` : '';
    const missing = v?.params && 'missingProperty' in v.params ? ` '${String(v.params.missingProperty)}'` : '';
    return new AppError('VALIDATION_FAILED', {
      detail: `${where}${path ? '.' + path : ''} ${v?.message ?? 'is invalid'}${extra}${missing}`.trim(),
    });
  }
  switch (fe?.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError('BODY_INVALID_JSON');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError('UNSUPPORTED_MEDIA_TYPE', { type: '' });
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('BODY_TOO_LARGE');
  }
  if (err instanceof SyntaxError || (fe?.statusCode === 400 && fe?.code?.startsWith('FST_')))
    return new AppError('VALIDATION_FAILED', { detail: fe.message });
  if (typeof fe?.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return new AppError('VALIDATION_FAILED', { detail: fe.message });
  }
  return new AppError('INTERNAL', {}, { cause: err });
}
