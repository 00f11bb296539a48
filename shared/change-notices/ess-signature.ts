/**
 * ESS signs every delivery in the `Concur-Signature` header. Concur publishes its public key but not the scheme;
 * the gateway takes it to be RSA-SHA256 over the raw body, base64 in the header (docs/events.md names this as an
 * assumption to confirm with Concur). Several keys may verify at once: Concur rotated its key on 2025-10-22, and
 * the next rotation will again overlap.
 */
import { createPublicKey, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

export const CONCUR_SIGNATURE_HEADER = 'concur-signature';

/** Concur's ESS public key since 2025-10-22, as its ESS page publishes it. */
export const CONCUR_ESS_PUBLIC_KEY = `-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAuE2x914aLmJa9GSzVVcT
e6CEi3afbs84RIEhRoLO8oK2nBKKS0fyRfZtzUZIiD0kcjBjeLrMjJpC5oI6f709
DpGQSgL1ytzP9dnIp/n1lcCk88NA+ihJlHwB6gNX6lMbftTbCpxvkY6PZmjZfnw/
/Ito5iM2P2IY7oxK8GsYWXLnnMDw9ONnvxfPLoZLGxYXXs+zR2yGFiZ0wPRY6QJ+
NT0xusN2nacPPwtgQQoD/oh7QMaBhXZ7WLSM0Gm68/c2lzMjQjtXgwAyy1+5h4EH
YhasT+p98Q0P3LpMcX9wZN3hMqbhRiRaJAQffCdYgk2Kv6EjE2l88K8kXdsocIZc
iQIDAQAB
-----END PUBLIC KEY-----
`;

/** The keys of a `CONCUR_ESS_PUBLIC_KEYS` value: one or more PEM public keys, one after the other. */
export function parsePublicKeys(pems: string): KeyObject[] {
  const blocks = pems.match(/-----BEGIN PUBLIC KEY-----[\s\S]+?-----END PUBLIC KEY-----/g) ?? [];
  if (blocks.length === 0) throw new Error('no PEM public key (-----BEGIN PUBLIC KEY-----) was given');
  return blocks.map((pem) => createPublicKey(pem));
}

/** Whether one of the keys signed exactly this body; a missing, malformed or foreign signature is false. */
export function isSignedByConcur(
  keys: readonly KeyObject[],
  rawBody: string,
  signature: string | undefined,
): boolean {
  if (!signature || signature.length > 2_048 || !/^[A-Za-z0-9+/=\s]+$/.test(signature)) return false;
  const bytes = Buffer.from(signature.replace(/\s/g, ''), 'base64');
  if (bytes.length === 0) return false;
  return keys.some((key) => {
    try {
      return verify('sha256', Buffer.from(rawBody, 'utf8'), key, bytes);
    } catch {
      return false;
    }
  });
}
