import { createContext, useContext } from 'react';
import { en, type MessageKey } from './en.js';
import { zhTW } from './zh-TW.js';

export const LANGUAGES = { en, 'zh-TW': zhTW } as const;
export type Language = keyof typeof LANGUAGES;

/** zh-TW for any Chinese the browser names (zh, zh-Hant, zh-HK…), else English. */
export function languageFrom(tags: readonly string[]): Language {
  for (const tag of tags) {
    const t = tag.toLowerCase();
    if (t.startsWith('zh')) return 'zh-TW';
    if (t.startsWith('en')) return 'en';
  }
  return 'en';
}

export type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

export function translator(lang: Language): Translate {
  const messages = LANGUAGES[lang];
  return (key, vars) => messages[key].replace(/\{(\w+)\}/g, (m: string, name: string) => (vars && name in vars ? String(vars[name]) : m));
}

export interface I18n {
  lang: Language;
  setLang: (l: Language) => void;
  t: Translate;
}

export const I18nContext = createContext<I18n>({ lang: 'en', setLang: () => undefined, t: translator('en') });
export const useI18n = () => useContext(I18nContext);
