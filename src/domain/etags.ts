/**
 * If-Match against a resource's current etag, as ARM answers it: a comma-separated list whose
 * entries match when one is `*` (any existing resource) or equals the etag once a `W/` prefix and
 * surrounding double quotes are dropped (weak and strong compare alike). Case-sensitive.
 */
export function etagMatches(ifMatch: string, etag: string): boolean {
  return ifMatch
    .split(',')
    .map((s) =>
      s
        .trim()
        .replace(/^W\//, '')
        .replace(/^"(.*)"$/, '$1'),
    )
    .some((t) => t === '*' || t === etag);
}
