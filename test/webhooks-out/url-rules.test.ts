/** Where webhooks may go: each address class refused, at creation and after resolution, and the checked address used. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { HttpWebhookSender, retryAfterSecondsOf } from '../../shared/webhooks-out/http-sender';
import {
  checkEndpointUrl,
  isPublicAddress,
  resolveAllowedAddress,
  STRICT_URL_POLICY,
  UrlRefusedError,
} from '../../shared/webhooks-out/url-rules';
import type { Resolver } from '../../shared/webhooks-out/url-rules';
import {
  DEFAULT_RETRY_DELAYS_SECONDS,
  parseRetrySchedule,
  retryDelaySeconds,
} from '../../shared/webhooks-out/retry-schedule';

const LOCAL = { allowLoopback: true };

describe('address classes', () => {
  it.each([
    ['loopback', ['127.0.0.1', '127.255.255.254', '::1']],
    ['private', ['10.0.0.1', '172.16.0.1', '172.31.255.255', '192.168.1.1', 'fd12:3456::1', 'fc00::1']],
    ['link-local', ['169.254.0.1', 'fe80::1', 'fe80::abcd:1']],
    ['the metadata address', ['169.254.169.254', 'fd00:ec2::254']],
    ['unspecified', ['0.0.0.0', '0.1.2.3', '::']],
    [
      'IPv4-mapped IPv6',
      [
        '::ffff:127.0.0.1',
        '::ffff:10.0.0.1',
        '::ffff:a9fe:a9fe',
        '::ffff:7f00:1',
        '0:0:0:0:0:ffff:c0a8:0101',
      ],
    ],
    ['NAT64 and 6to4 wrappers', ['64:ff9b::a00:1', '2002:a00:1::1', '2001:0:a00:1::1']],
    [
      'carrier-grade NAT, multicast, reserved, documentation',
      ['100.64.0.1', '224.0.0.1', '240.0.0.1', '255.255.255.255', '192.0.2.1', 'ff02::1', '2001:db8::1'],
    ],
  ])('%s is not public', (_class, addresses) => {
    for (const address of addresses) expect(isPublicAddress(address), address).toBe(false);
  });

  it('public IPv4 and IPv6 addresses are public', () => {
    for (const address of [
      '93.184.216.34',
      '8.8.8.8',
      '172.32.0.1',
      '2606:4700:4700::1111',
      '::ffff:8.8.8.8',
    ])
      expect(isPublicAddress(address), address).toBe(true);
  });
});

describe('the URL at creation', () => {
  it('takes https to a public name or address', () => {
    expect(checkEndpointUrl('https://hooks.example.com/x?y=1', STRICT_URL_POLICY).href).toBe(
      'https://hooks.example.com/x?y=1',
    );
    expect(checkEndpointUrl('https://93.184.216.34:8443/', STRICT_URL_POLICY).hostname).toBe('93.184.216.34');
  });

  it.each([
    'http://hooks.example.com/',
    'ftp://hooks.example.com/',
    'https://127.0.0.1/',
    'https://localhost/',
    'http://localhost:3000/',
    'https://[::1]/',
    'https://0x7f.1/',
    'https://2130706433/',
    'https://[::ffff:127.0.0.1]/',
    'https://169.254.169.254/',
    'https://intranet/',
    'https://db.internal/',
    'https://u:p@hooks.example.com/',
    'not a url',
  ])('refuses %s', (url) => {
    expect(() => checkEndpointUrl(url, STRICT_URL_POLICY)).toThrow(UrlRefusedError);
  });

  it('on the local server alone, also takes http and https to 127.0.0.1 and localhost, and nothing else more', () => {
    for (const url of ['http://127.0.0.1:9000/hook', 'http://localhost:9000/hook', 'https://localhost/'])
      expect(checkEndpointUrl(url, LOCAL).href).toBe(new URL(url).href);
    for (const url of [
      'http://127.0.0.2/',
      'http://10.0.0.1/',
      'http://hooks.example.com/',
      'https://169.254.169.254/',
    ])
      expect(() => checkEndpointUrl(url, LOCAL), url).toThrow(UrlRefusedError);
  });
});

describe('at every send, after resolution', () => {
  const resolvingTo =
    (...addresses: string[]): Resolver =>
    async () =>
      addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

  it.each([
    ['a loopback address', '127.0.0.1'],
    ['a private address', '10.0.0.7'],
    ['the metadata address', '169.254.169.254'],
    ['an IPv6 loopback', '::1'],
    ['an IPv4-mapped private address', '::ffff:192.168.0.1'],
    ['0.0.0.0', '0.0.0.0'],
  ])('refuses a public name that resolves to %s', async (_what, address) => {
    await expect(
      resolveAllowedAddress(new URL('https://hooks.example.com/'), STRICT_URL_POLICY, resolvingTo(address)),
    ).rejects.toThrow(UrlRefusedError);
  });

  it('refuses a name with one private address among public ones', async () => {
    await expect(
      resolveAllowedAddress(
        new URL('https://hooks.example.com/'),
        STRICT_URL_POLICY,
        resolvingTo('93.184.216.34', '10.0.0.1'),
      ),
    ).rejects.toThrow(/10\.0\.0\.1/);
  });

  it('the sender refuses such a name without connecting, and reports it as an attempt without an answer', async () => {
    const sender = new HttpWebhookSender({ policy: STRICT_URL_POLICY, resolve: resolvingTo('127.0.0.1') });
    const outcome = await sender.send({ url: 'https://rebinding.example.com/', headers: {}, body: '{}' });
    expect(outcome).toMatchObject({ refused: true, error: expect.stringMatching(/127\.0\.0\.1/) });
    expect(outcome.status).toBeUndefined();
  });

  it('connects to the address it checked: the name is resolved once, the Host header stays the name', async () => {
    const hosts: string[] = [];
    const server = createServer((request, response) => {
      hosts.push(String(request.headers.host));
      response.writeHead(204).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    let lookups = 0;
    const sender = new HttpWebhookSender({
      policy: LOCAL,
      resolve: async () => {
        lookups += 1;
        return [{ address: '127.0.0.1', family: 4 }];
      },
    });
    try {
      const outcome = await sender.send({ url: `http://localhost:${port}/hook`, headers: {}, body: '{}' });
      expect(outcome.status).toBe(204);
      expect(lookups).toBe(1);
      expect(hosts).toEqual([`localhost:${port}`]);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('follows no redirect, gives up when no answer comes in time, keeps at most 1 KB of the answer', async () => {
    const server = createServer((request, response) => {
      if (request.url === '/redirect') response.writeHead(307, { location: '/elsewhere' }).end();
      else if (request.url === '/long') response.writeHead(500).end('é'.repeat(2000));
      // '/silent' never answers
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const sender = new HttpWebhookSender({ policy: LOCAL, timeoutMs: 300 });
    try {
      const base = `http://127.0.0.1:${port}`;
      expect(await sender.send({ url: `${base}/redirect`, headers: {}, body: '{}' })).toMatchObject({
        status: 307,
      });
      const silent = await sender.send({ url: `${base}/silent`, headers: {}, body: '{}' });
      expect(silent.status).toBeUndefined();
      expect(silent.error).toMatch(/no answer within/);
      const long = await sender.send({ url: `${base}/long`, headers: {}, body: '{}' });
      expect(long.status).toBe(500);
      expect(Buffer.byteLength(long.answer!)).toBeLessThanOrEqual(1024);
      expect(long.answer).toMatch(/^é+$/);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('the retry schedule', () => {
  it('is 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h after the first attempt, then the message has failed', () => {
    const delays = [1, 2, 3, 4, 5, 6, 7, 8].map((attempt) =>
      retryDelaySeconds(DEFAULT_RETRY_DELAYS_SECONDS, attempt),
    );
    expect(delays).toEqual([5, 300, 1800, 7200, 18_000, 36_000, 36_000, undefined]);
  });

  it('honours Retry-After up to the next step', () => {
    expect(retryDelaySeconds(DEFAULT_RETRY_DELAYS_SECONDS, 1, 60)).toBe(60);
    expect(retryDelaySeconds(DEFAULT_RETRY_DELAYS_SECONDS, 1, 3600)).toBe(300);
    expect(retryDelaySeconds(DEFAULT_RETRY_DELAYS_SECONDS, 1, 2)).toBe(5);
    expect(retryAfterSecondsOf('120')).toBe(120);
    expect(retryAfterSecondsOf(new Date(Date.now() + 30_000).toUTCString())).toBeGreaterThanOrEqual(29);
    expect(retryAfterSecondsOf('soon')).toBeUndefined();
  });

  it('WEBHOOK_RETRY_SCHEDULE replaces the delays; what it cannot read is named', () => {
    expect(parseRetrySchedule('1s,2s,4s')).toEqual([1, 2, 4]);
    expect(parseRetrySchedule('5m, 2h')).toEqual([300, 7200]);
    expect(() => parseRetrySchedule('1s,soon')).toThrow(/"soon"/);
    expect(() => parseRetrySchedule('13h')).toThrow(/13h/);
  });
});
