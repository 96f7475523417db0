import { Type } from '@sinclair/typebox';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../../errors/app-error.js';
import { toAppError } from '../../errors.js';

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

export function eiErrorBody(e: AppError) {
  return { status: e.status, error: REASON[e.status] ?? 'Error', code: e.code, message: e.expose ? e.message : 'Internal server error' };
}

export function eiErrorHandler(err: FastifyError, req: FastifyRequest, reply: FastifyReply) {
  const e = toAppError(err);
  if (e.status >= 500) req.log.error({ err }, 'request failed');
  return reply.code(e.status).headers(e.headers).send(eiErrorBody(e));
}

export function eiNotFound(req: FastifyRequest, reply: FastifyReply) {
  const e = new AppError('ROUTE_NOT_FOUND', { method: req.method, url: req.url.split('?')[0] });
  return reply.code(404).send(eiErrorBody(e));
}
