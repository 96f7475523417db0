/**
 * Error messages in the languages Latch answers in. The code and status of an error never depend
 * on the language; only the human message does. Faces pick the language (http/errors.ts,
 * `errorLanguage`) and render here, at the edge: services throw codes and params only.
 */
import type { ErrorParams } from './app-error.js';
import { ERRORS, type ErrorCode } from './catalog.js';
import { MESSAGES_ZH_TW } from './catalog.zh-TW.js';

export const LANGUAGES = ['en', 'zh-TW'] as const;
export type Lang = (typeof LANGUAGES)[number];

const MESSAGES: Record<Lang, Record<ErrorCode, string>> = {
  en: Object.fromEntries(Object.entries(ERRORS).map(([code, e]) => [code, e.message])) as Record<ErrorCode, string>,
  'zh-TW': MESSAGES_ZH_TW,
};

/** The `{name}` placeholders a template uses (the tests compare them across languages). */
export const placeholders = (template: string): string[] => [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).sort();

export function fill(template: string, params: ErrorParams): string {
  return template.replace(/\{(\w+)\}/g, (_, k: string) => String(params[k] ?? ''));
}

/** The message of `code` in `lang`, with its params filled in. */
export const messageIn = (lang: Lang, code: ErrorCode, params: ErrorParams = {}): string => fill(MESSAGES[lang][code], params);

export const catalogueOf = (lang: Lang): Readonly<Record<ErrorCode, string>> => MESSAGES[lang];
