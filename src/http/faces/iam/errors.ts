import { Type } from '@sinclair/typebox';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../../errors/app-error.js';
import type { Lang } from '../../../errors/messages.js';
import { errorLanguageOf, errorMessage, toAppError } from '../../errors.js';

/** The EI / IoT OD error body (spec/ei-iam.md §6.4, §7.3), plus our stable `code`. */
export const EiErrorSchema = Type.Object(
  {
    status: Type.Integer(),
    error: Type.String({ description: 'Reason phrase; "Unauthorized" for 401 and 403 as Cisco writes it' }),
    code: Type.String({ description: 'Stable error code from the catalogue (docs/errors.md)' }),
    message: Type.String(),
  },
  { $id: 'EiError', title: 'EiError' },
);

const REASON: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Unauthorized',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** The EI body of `e`, its message in `lang` (the reason phrase and the code never change). */
export function eiErrorBody(e: AppError, lang: Lang = 'en') {
  return { status: e.status, error: REASON[e.status] ?? 'Error', code: e.code, message: errorMessage(e, lang) };
}

export function eiErrorHandler(err: FastifyError, req: FastifyRequest, reply: FastifyReply) {
  const e = toAppError(err);
  if (e.status >= 500) req.log.error({ err }, 'request failed');
  return reply
    .code(e.status)
    .headers(e.headers)
    .send(eiErrorBody(e, errorLanguageOf(req, reply)));
}

export function eiNotFound(req: FastifyRequest, reply: FastifyReply) {
  const e = new AppError('ROUTE_NOT_FOUND', { method: req.method, url: req.url.split('?')[0] });
  return reply.code(404).send(eiErrorBody(e, errorLanguageOf(req, reply)));
}
