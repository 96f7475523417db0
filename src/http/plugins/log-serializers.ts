import { stdSerializers } from 'pino';

/** Query parameters whose values are credentials: some OAuth clients send them in the URL. */
const SECRET_PARAMS = /^(access_token|refresh_token|id_token|token|client_secret|password|secret|sig|code|key|api[-_]?key)$/i;

/** The URL as logged: values of credential-bearing query parameters replaced, the rest kept. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const parts = url
    .slice(q + 1)
    .split('&')
    .map((kv) => {
      const eq = kv.indexOf('=');
      let name = eq < 0 ? kv : kv.slice(0, eq);
      try {
        name = decodeURIComponent(name.replace(/\+/g, ' '));
      } catch {
        // keep the raw name
      }
      return eq >= 0 && SECRET_PARAMS.test(name.trim()) ? `${kv.slice(0, eq)}=[redacted]` : kv;
    });
  return `${url.slice(0, q)}?${parts.join('&')}`;
}

/**
 * An error as logged: pino's standard shape without the request bytes. Node's parser errors carry
 * `rawPacket` (the raw request, Authorization header and body included), and any Buffer or typed
 * array on an error would be written as a list of byte values: neither is ever logged.
 */
function err(e: unknown): unknown {
  if (!(e instanceof Error)) return e;
  const out = stdSerializers.err(e) as unknown as Record<string, unknown>;
  for (const [k, v] of Object.entries(out)) if (k === 'rawPacket' || ArrayBuffer.isView(v) || v instanceof ArrayBuffer) delete out[k];
  return out;
}

/** Fastify's request serializer, with the URL redacted, and the error serializer (no secret ever reaches a log line). */
export const logSerializers = {
  err,
  req(req: {
    method: string;
    url: string;
    headers?: Record<string, unknown>;
    host?: string;
    ip?: string;
    socket?: { remotePort?: number };
  }) {
    return {
      method: req.method,
      url: redactUrl(req.url),
      version: req.headers?.['accept-version'],
      host: req.host,
      remoteAddress: req.ip,
      remotePort: req.socket?.remotePort,
    };
  },
};
