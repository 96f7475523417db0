import { Type } from '@sinclair/typebox';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../../errors/app-error.js';
import { errorLanguageOf, errorMessage, toAppError } from '../../errors.js';

/** IoT Central's error envelope (spec §8): every 4xx/5xx carries a top-level "error" object. */
export const CentralErrorSchema = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'BadRequest, Unauthenticated, Forbidden, NotFound, Conflict, …' }),
      message: Type.String(),
      requestId: Type.String(),
      time: Type.String({ description: 'RFC 1123, as the Date header' }),
    }),
  },
  { $id: 'CentralError', title: 'CentralError' },
);

const BY_STATUS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthenticated',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  409: 'Conflict',
  413: 'PayloadTooLarge',
  415: 'UnsupportedMediaType',
  429: 'TooManyRequests',
  503: 'ServiceUnavailable',
};

export const centralCode = (e: AppError): string => BY_STATUS[e.status] ?? (e.status >= 500 ? 'InternalServerError' : 'BadRequest');

export function sendCentralError(req: FastifyRequest, reply: FastifyReply, e: AppError) {
  const code = centralCode(e);
  const lang = errorLanguageOf(req, reply);
  const message = errorMessage(e, lang, lang === 'en' ? 'An internal error occurred.' : undefined);
  const body = { error: { code, message, requestId: req.id, time: new Date().toUTCString() } };
  return reply
    .code(e.status)
    .headers({ ...e.headers, 'x-ms-error-code': code, 'content-type': 'application/json' })
    .send(JSON.stringify(body));
}

export function centralErrorHandler(err: FastifyError, req: FastifyRequest, reply: FastifyReply) {
  const e = toAppError(err);
  if (e.status >= 500) req.log.error({ err }, 'request failed');
  return sendCentralError(req, reply, e);
}

export function centralNotFound(req: FastifyRequest, reply: FastifyReply) {
  return sendCentralError(req, reply, new AppError('ROUTE_NOT_FOUND', { method: req.method, url: req.url.split('?')[0] }));
}
