import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../errors/app-error.js';
import { eiErrorBody } from '../faces/iam/errors.js';

/**
 * Fastify's `clientErrorHandler`: a request Node's parser refused (header overflow, broken
 * framing, request timeout) is answered on the raw socket. Fastify's default handler logs the
 * error object, whose `rawPacket` holds the request bytes (Authorization headers, bodies with
 * passwords); this one logs only the parser's error code. The answer is in the EI envelope, as for
 * any request no face has claimed.
 */
export function clientErrorHandler(headers: Record<string, string>) {
  return function (this: FastifyInstance, err: Error & { code?: string }, socket: Socket): void {
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    const e =
      err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? new AppError('REQUEST_TIMEOUT')
        : err.code === 'HPE_HEADER_OVERFLOW'
          ? new AppError('HEADERS_TOO_LARGE')
          : new AppError('REQUEST_MALFORMED');
    this.log.debug({ clientError: err.code ?? err.name, status: e.status }, 'client error');
    if (socket.writable) {
      const body = JSON.stringify(eiErrorBody(e));
      const lines = [
        `HTTP/1.1 ${e.status} ${STATUS_CODES[e.status]}`,
        'content-type: application/json; charset=utf-8',
        `content-length: ${Buffer.byteLength(body)}`,
        'connection: close',
        ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
      ];
      // destroyed once written: the parser cannot go on with this connection
      socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`, () => socket.destroy());
    } else socket.destroy();
  };
}
