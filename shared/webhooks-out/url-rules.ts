/**
 * Where the gateway may send a supplier's webhooks (no server-side request forgery): `https` to public
 * addresses only. A URL is checked when an endpoint is created or changed, and the addresses its host resolves
 * to are checked again before every send; the request then connects to the address that was checked, never to a
 * second resolution of the name (no DNS rebinding window). The local default alone also allows
 * `http://127.0.0.1:…` and `http://localhost:…` (`allowLoopback`), for a receiver on the developer's machine.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

export interface UrlPolicy {
  /** The local default only: http or https to 127.0.0.1, ::1 or localhost. */
  allowLoopback: boolean;
}

export const STRICT_URL_POLICY: UrlPolicy = { allowLoopback: false };

/** The addresses no webhook goes to: everything but the public unicast internet (IANA special-purpose registries). */
const NOT_PUBLIC = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this network", including 0.0.0.0
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, including the metadata address 169.254.169.254
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay anycast
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, including 255.255.255.255
] as const)
  NOT_PUBLIC.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['64:ff9b::', 96], // NAT64: reaches an IPv4 address of the translator's choosing
  ['64:ff9b:1::', 48], // local-use NAT64
  ['100::', 64], // discard
  ['2001::', 32], // Teredo
  ['2001:db8::', 32], // documentation
  ['2002::', 16], // 6to4
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
] as const)
  NOT_PUBLIC.addSubnet(network, prefix, 'ipv6');

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** The IPv4 address an IPv4-mapped IPv6 address carries (`::ffff:127.0.0.1`, `::ffff:7f00:1`), if it is one. */
function mappedIpv4(address: string): string | undefined {
  const match = /^(?:0{0,4}:){0,5}:?ffff:(.+)$/i.exec(address);
  if (!match) return undefined;
  const tail = match[1]!;
  if (isIP(tail) === 4) return tail;
  const words = /^([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(tail);
  if (!words) return undefined;
  const high = parseInt(words[1]!, 16);
  const low = parseInt(words[2]!, 16);
  return [high >> 8, high & 255, low >> 8, low & 255].join('.');
}

/** True for an address on the public internet; false for loopback, private, link-local, mapped ones and the like. */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  if (family === 4) return !NOT_PUBLIC.check(address, 'ipv4');
  // IPv4-mapped (::ffff:0:0/96): the IPv4 address they carry decides. (Not a BlockList subnet: BlockList checks
  // IPv4 addresses against IPv6 rules in their mapped form, so the subnet would take in every IPv4 address.)
  const mapped = mappedIpv4(address);
  if (mapped !== undefined) return isPublicAddress(mapped);
  return !NOT_PUBLIC.check(address, 'ipv6');
}

export function isLoopbackAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  const mapped = family === 6 ? mappedIpv4(address) : undefined;
  if (mapped !== undefined) return LOOPBACK.check(mapped, 'ipv4');
  return LOOPBACK.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** A URL refused, and why, in words a supplier can act on. */
export class UrlRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UrlRefusedError';
  }
}

/** The URL's host without IPv6 brackets. */
const hostOf = (url: URL) => url.hostname.replace(/^\[(.*)\]$/, '$1');

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '::1']);
/** Names that only ever mean something inside a network. */
const INTERNAL_NAME = /(^|\.)(localhost|local|internal|intranet|lan|home\.arpa|localdomain)$/i;

/**
 * Checks what can be checked without resolving: the scheme, no credentials, and an IP literal's class (the URL
 * parser has already turned decimal, octal and hexadecimal IPv4 forms into dotted quads). Returns the parsed URL.
 */
export function checkEndpointUrl(text: string, policy: UrlPolicy): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UrlRefusedError('is not an absolute URL');
  }
  const host = hostOf(url).toLowerCase();
  const loopbackAllowed = policy.allowLoopback && LOOPBACK_NAMES.has(host);
  if (url.protocol !== 'https:' && !(loopbackAllowed && url.protocol === 'http:'))
    throw new UrlRefusedError(
      policy.allowLoopback
        ? 'must use https (or http to 127.0.0.1 or localhost on this local gateway)'
        : 'must use https',
    );
  if (url.username || url.password) throw new UrlRefusedError('must not carry a user name or password');
  if (loopbackAllowed) return url;
  if (isIP(host) !== 0) {
    if (!isPublicAddress(host)) throw new UrlRefusedError(`must name a public address, not ${host}`);
  } else if (!host.includes('.') || INTERNAL_NAME.test(host)) {
    throw new UrlRefusedError(`must name a public host, not ${host}`);
  }
  return url;
}

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a name to every address it has (the system resolver, as a connection would). */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolver: Resolver = async (hostname) =>
  (await dnsLookup(hostname, { all: true, verbatim: true })).map(({ address, family }) => ({
    address,
    family: family === 6 ? 6 : 4,
  }));

/**
 * The address to connect to for `url`, checked now: every address the host resolves to must be allowed (one
 * private address among public ones is refused: which one a connection would pick is not ours to know).
 */
export async function resolveAllowedAddress(
  url: URL,
  policy: UrlPolicy,
  resolve: Resolver = systemResolver,
): Promise<ResolvedAddress> {
  checkEndpointUrl(url.href, policy);
  const host = hostOf(url);
  const family = isIP(host);
  const addresses: ResolvedAddress[] =
    family === 0 ? await resolve(host) : [{ address: host, family: family as 4 | 6 }];
  if (addresses.length === 0) throw new UrlRefusedError(`${host} resolves to no address`);
  const allowed = (address: string) =>
    policy.allowLoopback && LOOPBACK_NAMES.has(host.toLowerCase())
      ? isLoopbackAddress(address)
      : isPublicAddress(address);
  const refused = addresses.find(({ address }) => !allowed(address));
  if (refused)
    throw new UrlRefusedError(`${host} resolves to ${refused.address}, which is not a public address`);
  return addresses[0]!;
}
