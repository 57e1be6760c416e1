/** The rule for `notify[].url`: https (http only to loopback), no credentials, no link-local or metadata host. */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { hookUrlProblem, isForbiddenHookAddress } from '../../src/core/config/hook-url.js';
import { parseConfig } from '../../src/core/config/schema.js';

describe('hookUrlProblem', () => {
  it('accepts https anywhere public and plain http to the machine itself', () => {
    for (const url of [
      'https://hooks.slack.com/services/T/B/x',
      'https://ops.example.com:8443/hooks/vault-rollout?x=1',
      'https://203.0.113.7/hook',
      'https://[2001:db8::1]/hook',
      'http://127.0.0.1:8080/hook',
      'http://localhost/hook',
      'http://LOCALHOST./hook',
      'http://[::1]:9/hook',
      // Private (not link-local) ranges stay allowed over https: an in-cluster alert receiver is a real use.
      'https://10.0.0.5/hook',
      'https://alerts.monitoring.svc.cluster.local/hook',
    ])
      expect(hookUrlProblem(url), url).toBeNull();
  });

  it('refuses plain http to any other host', () => {
    for (const url of [
      'http://ops.example.com/hook',
      'http://alertmanager.monitoring.svc:9093/api',
      'http://10.0.0.5/hook',
      'http://[2001:db8::1]/hook',
    ])
      expect(hookUrlProblem(url), url).toMatch(/plain http is allowed only to the machine itself/);
  });

  it('refuses other schemes and unreadable URLs', () => {
    for (const url of ['ftp://x/', 'file:///etc/passwd', 'not a url', ''])
      expect(hookUrlProblem(url), url).toBe('expected an http(s) URL of a webhook');
  });

  it('refuses credentials in the URL', () => {
    for (const url of [
      'https://user:pass@ops.example.com/hook',
      'https://user@ops.example.com/',
      'https://:p@x.example/',
    ])
      expect(hookUrlProblem(url), url).toMatch(/must not carry credentials/);
  });

  it('refuses cloud metadata names, in any case and with a trailing dot', () => {
    for (const url of [
      'https://metadata.google.internal/computeMetadata/v1/',
      'http://METADATA.Google.Internal./computeMetadata/v1/',
      'https://metadata.google.internal../',
      'http://metadata/',
      'https://metadata./',
    ])
      expect(hookUrlProblem(url), url).toMatch(
        /cloud metadata service \(host "metadata(\.google\.internal)?"\)/,
      );
  });

  it('refuses metadata and link-local IPv4 in every spelling the URL parser accepts', () => {
    // The WHATWG parser (fetch's) turns all of these into 169.254.169.254.
    expect(new URL('http://0xa9fea9fe/').hostname).toBe('169.254.169.254');
    for (const url of [
      'http://169.254.169.254/latest/meta-data/',
      'https://169.254.169.254./',
      'http://0xa9fea9fe/',
      'http://0xA9.0xFE.0xA9.0xFE/',
      'http://0251.0376.0251.0376/',
      'http://2852039166/',
      'http://169.254.43518/',
    ])
      expect(hookUrlProblem(url), url).toBe(
        'must not point at a cloud metadata address (host "169.254.169.254")',
      );
    expect(hookUrlProblem('https://169.254.1.2/')).toBe(
      'must not point at a link-local address (host "169.254.1.2")',
    );
    expect(hookUrlProblem('https://0xa9fe0102/')).toMatch(/link-local address \(host "169\.254\.1\.2"\)/);
    expect(hookUrlProblem('https://100.100.100.200/')).toMatch(/cloud metadata address/);
  });

  it('refuses the unspecified address', () => {
    for (const url of ['http://0.0.0.0:8080/', 'http://0/', 'https://[::]/', 'https://[0:0:0:0:0:0:0:0]/'])
      expect(hookUrlProblem(url), url).toMatch(/the unspecified address/);
  });

  it('refuses IPv6 literals in brackets: metadata, link-local and mapped IPv4', () => {
    expect(hookUrlProblem('https://[fd00:ec2::254]/latest/')).toBe(
      'must not point at a cloud metadata address (host "[fd00:ec2::254]")',
    );
    expect(hookUrlProblem('http://[FD00:EC2:0:0:0:0:0:254]/')).toMatch(/cloud metadata address/);
    expect(hookUrlProblem('https://[fe80::1]/')).toMatch(/link-local address \(host "\[fe80::1\]"\)/);
    expect(hookUrlProblem('https://[FEBF:ffff::1]/')).toMatch(/link-local address/);
    expect(hookUrlProblem('https://[::ffff:169.254.169.254]/')).toMatch(/cloud metadata address/);
    expect(hookUrlProblem('https://[::ffff:a9fe:1]/')).toMatch(/link-local address/);
    expect(hookUrlProblem('https://[64:ff9b::169.254.169.254]/')).toMatch(/cloud metadata address/);
    expect(hookUrlProblem('https://[64:ff9b::203.0.113.1]/')).toBeNull();
    expect(hookUrlProblem('https://[fec0::1]/')).toBeNull();
  });
});

describe('isForbiddenHookAddress (what a name resolves to)', () => {
  it('names link-local, metadata and unspecified addresses, and lets others through', () => {
    expect(isForbiddenHookAddress('169.254.169.254')).toBe('a cloud metadata address');
    expect(isForbiddenHookAddress('169.254.0.1')).toBe('a link-local address');
    expect(isForbiddenHookAddress('0.0.0.0')).toBe('the unspecified address');
    expect(isForbiddenHookAddress('fd00:ec2::254')).toBe('a cloud metadata address');
    expect(isForbiddenHookAddress('fe80::a:b%eth0')).toBe('a link-local address');
    expect(isForbiddenHookAddress('::ffff:169.254.169.254')).toBe('a cloud metadata address');
    expect(isForbiddenHookAddress('::')).toBe('the unspecified address');
    for (const ok of [
      '127.0.0.1',
      '::1',
      '10.1.2.3',
      '203.0.113.9',
      '2001:db8::5',
      '::ffff:10.0.0.1',
      'fd00:ec2::253',
    ])
      expect(isForbiddenHookAddress(ok), ok).toBeNull();
  });
});

describe('notify[].url in the config', () => {
  it('is refused at parse time, naming the key and the line', () => {
    const text = [
      'notify:',
      '  - url: https://hooks.slack.com/services/T/B/x',
      '  - url: http://169.254.169.254/latest/meta-data/',
      '',
    ].join('\n');
    let error: unknown;
    try {
      parseConfig(text, 'vault-rollout.yaml');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toContain('notify[1].url');
    expect(message).toContain('cloud metadata address');
    expect(message).toMatch(/:3\b|line 3/);
  });

  it('keeps the URL as written when it is allowed', () => {
    const config = parseConfig('notify: [{ url: "https://ops.example.com/h" }]\n', 'f');
    expect(config.notify[0]?.url).toBe('https://ops.example.com/h');
  });
});
