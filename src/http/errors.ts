import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors/app-error.js';
import { messageIn, type Lang } from '../errors/messages.js';

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

/**
 * The language of an error message, from Accept-Language (RFC 9110 §12.5.4, ranges matched as RFC
 * 4647 basic filtering): the highest-q range that matches a language Latch has wins, ties go to the
 * first. `zh-TW`, `zh-Hant…`, `zh-HK`, `zh-MO` and a bare `zh` answer Traditional Chinese;
 * `zh-CN`, `zh-SG` and `zh-Hans…` match nothing (Latch has no Simplified Chinese) and fall through to
 * the next range; `*`, English or nothing that matches answer English. q=0 excludes.
 */
export function errorLanguage(acceptLanguage: string | string[] | undefined): Lang {
  const header = Array.isArray(acceptLanguage) ? acceptLanguage.join(',') : acceptLanguage;
  if (!header) return 'en';
  let best: Lang = 'en';
  let bestQ = 0;
  for (const part of header.slice(0, 1024).split(',')) {
    const [range = '', ...attrs] = part.trim().split(';');
    const qAttr = attrs.map((a) => a.trim()).find((a) => /^q=/i.test(a));
    const q = qAttr === undefined ? 1 : Number(qAttr.slice(2));
    if (!(q > 0 && q <= 1)) continue;
    const lang = rangeLanguage(range.trim().toLowerCase());
    if (lang && q > bestQ) {
      best = lang;
      bestQ = q;
    }
  }
  return best;
}

function rangeLanguage(range: string): Lang | undefined {
  if (range === '*' || range === 'en' || range.startsWith('en-')) return 'en';
  if (range === 'zh' || range === 'zh-tw' || range === 'zh-hk' || range === 'zh-mo' || range.startsWith('zh-tw-')) return 'zh-TW';
  if (range === 'zh-hant' || range.startsWith('zh-hant-')) return 'zh-TW';
  return undefined;
}

/**
 * The language an error answer to `req` is in: sets `Content-Language` on the reply and adds
 * `Accept-Language` to its `Vary`, then returns the language to render the message in.
 */
export function errorLanguageOf(req: FastifyRequest, reply: FastifyReply): Lang {
  const lang = errorLanguage(req.headers['accept-language']);
  reply.header('content-language', lang);
  const vary = reply.getHeader('vary');
  const list = (Array.isArray(vary) ? vary.join(',') : String(vary ?? ''))
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
  if (!list.some((v) => v.toLowerCase() === 'accept-language' || v === '*')) reply.header('vary', [...list, 'Accept-Language'].join(', '));
  return lang;
}

/** The message of an exposed error in `lang`; `internal` for a 5xx (its message never reaches a client). */
export const errorMessage = (e: AppError, lang: Lang, internal = messageIn(lang, 'INTERNAL')): string =>
  e.expose ? messageIn(lang, e.code, e.params) : internal;
