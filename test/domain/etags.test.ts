import { describe, expect, it } from 'vitest';
import { etagMatches } from '../../src/domain/etags.js';

const ETAG = 'AAAAAAFx2+c='; // what the service makes: base64 of 8 bytes

describe('etagMatches (ARM If-Match)', () => {
  it.each([
    ['quoted', `"${ETAG}"`],
    ['bare', ETAG],
    ['weak', `W/"${ETAG}"`],
    ['weak, unquoted', `W/${ETAG}`],
    ['padded', `  "${ETAG}"  `],
    ['star', '*'],
    ['quoted star', '"*"'],
    ['weak star', 'W/*'],
    ['in a list', `"stale", "${ETAG}"`],
    ['in a list with a star', '"stale", *'],
  ])('matches %s', (_what, header) => expect(etagMatches(header, ETAG)).toBe(true));

  it.each([
    ['another etag', '"AAAAAAFx2+d="'],
    ['different case', `"${ETAG.toLowerCase()}"`],
    ['a lower-case weak prefix', `w/"${ETAG}"`],
    ['the weak prefix inside the quotes', `"W/${ETAG}"`],
    ['an unbalanced quote', `"${ETAG}`],
    ['a quote only at the end', `${ETAG}"`],
    ['an empty header', ''],
    ['empty list entries', ' , ,'],
    ['a prefix of the etag', `"${ETAG.slice(0, -1)}"`],
  ])('refuses %s', (_what, header) => expect(etagMatches(header, ETAG)).toBe(false));
});
