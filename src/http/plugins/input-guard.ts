import type { FastifyError } from 'fastify';
import type { App } from '../types.js';
import { AppError } from '../../errors/app-error.js';
import { MAX_JSON_DEPTH, findInvalidText, jsonDepthExceeds } from '../../domain/text.js';

function textError(where: 'path' | 'query string' | 'body', value: unknown): FastifyError | undefined {
  const at = findInvalidText(value);
  return at === undefined
    ? undefined
    : (new AppError('TEXT_INVALID', { where, at: at.slice(0, 100) || '(top level)' }) as unknown as FastifyError);
}

/**
 * The HTTP edge of the input rules (domain/text.ts), on the root context so every face and route
 * inherits them and none can forget: path parameters and query strings are checked on arrival by
 * the root onRequest hook (`urlTextError`, in app.ts), bodies (JSON and form) once parsed. JSON bodies nesting deeper than MAX_JSON_DEPTH are refused before they
 * are parsed. Errors are thrown as catalogued AppErrors, so each face renders them in its envelope.
 */
export function registerInputGuards(app: App): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    if (jsonDepthExceeds(body as string, MAX_JSON_DEPTH))
      return done(new AppError('BODY_TOO_DEEP', { max: MAX_JSON_DEPTH }) as unknown as FastifyError, undefined);
    void parseJson(req, body as string, done);
  });
  app.addHook('preValidation', (req, _reply, done) => done(textError('body', req.body)));
}

/**
 * A URL that can hold no NUL and no lone surrogate: llhttp refuses raw control bytes in a request
 * line and Node reads the URL as latin1 (no surrogates), so both can only arrive percent-encoded.
 * Non-ASCII is checked too, to stay safe whatever produced the URL (rewriteUrl, a proxy).
 */
const MAY_HOLD_INVALID_TEXT = /[%\u0080-\uffff]/;

/**
 * The path parameters and query string checked on arrival (domain/text.ts), before any face's
 * hook reads them (some look the app or tenant up from the path); skipped when the URL cannot hold
 * what the rule refuses (the common case: no scan of params and query at all).
 */
export function urlTextError(req: { url: string; params: unknown; query: unknown }): FastifyError | undefined {
  if (!MAY_HOLD_INVALID_TEXT.test(req.url)) return undefined;
  return textError('path', req.params) ?? textError('query string', req.query);
}
