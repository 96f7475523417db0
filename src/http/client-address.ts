import { isIPv4, isIPv6 } from 'node:net';
import type { FastifyRequest } from 'fastify';

/**
 * An address as a proxy writes it into `X-Forwarded-For`: a bare IPv4 or IPv6 address,
 * `ipv4:port`, `[ipv6]` or `[ipv6]:port`. Answers the bare address (IPv4-mapped IPv6 as IPv4,
 * IPv6 lower-cased), or undefined for anything else.
 */
export function parseAddress(entry: string | undefined): string | undefined {
  if (entry === undefined) return undefined;
  let s = entry.trim();
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(s);
  if (bracketed) s = bracketed[1]!;
  else {
    const withPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/.exec(s);
    if (withPort) s = withPort[1]!;
  }
  if (isIPv4(s)) return s;
  if (!isIPv6(s)) return undefined;
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(s);
  return mapped ? mapped[1] : s.toLowerCase();
}

/**
 * The client's address behind LATCH_TRUST_PROXY. Fastify's `req.ips` lists the socket peer, then
 * each X-Forwarded-For entry the trusted proxies vouch for, ending with the client's as written.
 * Each is parsed as an address; an entry that is not one (garbage, a host name) is charged to the
 * proxy that wrote it, the hop before it, so a varying text (`ip:port`, junk) never opens a fresh
 * throttle bucket.
 */
export function forwardedClientAddress(req: FastifyRequest): string | null {
  const hops = req.ips ?? [];
  for (let i = hops.length - 1; i >= 0; i--) {
    const a = parseAddress(hops[i]);
    if (a !== undefined) return a;
  }
  return req.socket?.remoteAddress ?? null;
}
