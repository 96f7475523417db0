// Every visible string of the console comes from a catalogue; both catalogues hold the same keys
// with the same placeholders (zh-TW.ts is also typed Record<MessageKey, string>).
import { describe, expect, it } from 'vitest';
import { en } from '../../console/src/i18n/en.js';
import { zhTW } from '../../console/src/i18n/zh-TW.js';
import { languageFrom, translator } from '../../console/src/i18n/index.js';

const vars = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('console message catalogues', () => {
  it('en and zh-TW have the same keys, each non-empty, with the same placeholders', () => {
    expect(Object.keys(zhTW).sort()).toEqual(Object.keys(en).sort());
    for (const [k, v] of Object.entries(en)) {
      expect(v.trim(), k).not.toBe('');
      expect(zhTW[k as keyof typeof en].trim(), k).not.toBe('');
      expect(vars(zhTW[k as keyof typeof en]), k).toEqual(vars(v));
    }
  });

  it('chooses zh-TW for any Chinese the browser names, English otherwise, and fills placeholders', () => {
    expect(languageFrom(['zh-TW'])).toBe('zh-TW');
    expect(languageFrom(['zh-Hant-HK', 'en'])).toBe('zh-TW');
    expect(languageFrom(['fr-FR', 'en-GB'])).toBe('en');
    expect(languageFrom(['de'])).toBe('en');
    expect(translator('zh-TW')('keys.expiry.days', { days: 30 })).toBe('30 天');
    expect(translator('en')('keys.delete.text', { name: 'k1' })).toContain('k1');
  });
});
