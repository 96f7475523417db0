/**
 * Headers on every response of every face (and on the raw answers of client-errors.ts): no MIME
 * sniffing, no referrer leaking a URL (tokens travel in some), never framed. HSTS only when this
 * server itself speaks TLS: sent over plain http it would be ignored, or pin a name to https wrongly.
 */
export function securityHeaders(tls: boolean): Record<string, string> {
  return {
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'content-security-policy': "frame-ancestors 'none'",
    ...(tls ? { 'strict-transport-security': 'max-age=31536000' } : {}),
  };
}
