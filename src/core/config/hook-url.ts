/**
 * Which `notify[].url` a run may POST to. The hook list comes from the manifests repository, which is
 * untrusted, while the run itself often sits inside a cluster or a cloud VM: an unchecked URL would let
 * whoever can commit there make the run reach the cloud's metadata service or a link-local address and
 * hand it a report. The rule matches the one for `gitlab.url`: HTTPS, or plain HTTP only to the machine
 * itself; no credentials in the URL; and never a link-local, unspecified or metadata address, whether
 * written as a name, an IPv4 literal in any form the URL parser accepts, or an IPv6 literal.
 *
 * The same address test runs again when the adapter resolves a name (see `isForbiddenHookAddress`), so a
 * name that resolves to such an address is refused too. Pure: no DNS here.
 */
import { isLoopbackHost } from '../repo-location.js';

/** Names of cloud metadata services, lower case, without a trailing dot. */
const METADATA_NAMES = new Set(['metadata.google.internal', 'metadata', 'metadata.goog', 'instance-data']);

/** The 16-bit groups of an IPv4 address (dotted quad), or null. */
function ipv4Groups(ip: string): number[] | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (!m) return null;
  const b = m.slice(1).map(Number);
  if (b.some((x) => x > 255)) return null;
  return [(b[0] as number) * 256 + (b[1] as number), (b[2] as number) * 256 + (b[3] as number)];
}

/** The eight 16-bit groups of an IPv6 address (no brackets, no zone), or null. */
function ipv6Groups(ip: string): number[] | null {
  let text = ip.toLowerCase();
  const zone = text.indexOf('%');
  if (zone !== -1) text = text.slice(0, zone);
  if (!/^[0-9a-f:.]+$/.test(text) || !text.includes(':')) return null;
  const lastColon = text.lastIndexOf(':');
  const last = text.slice(lastColon + 1);
  if (last.includes('.')) {
    // `::ffff:1.2.3.4`: the dotted quad is the last two groups.
    const v4 = ipv4Groups(last);
    if (!v4) return null;
    text = `${text.slice(0, lastColon + 1)}${v4.map((x) => x.toString(16)).join(':')}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const parse = (part: string) => (part === '' ? [] : part.split(':'));
  const head = parse(halves[0] as string);
  const rest = halves.length === 2 ? parse(halves[1] as string) : [];
  if ([...head, ...rest].some((g) => !/^[0-9a-f]{1,4}$/.test(g))) return null;
  const given = head.length + rest.length;
  if (halves.length === 1 ? given !== 8 : given > 7) return null;
  const zeros = Array<number>(8 - given).fill(0);
  return [...head.map((g) => parseInt(g, 16)), ...zeros, ...rest.map((g) => parseInt(g, 16))];
}

/** Why an address literal may not be a hook's destination, or null. */
function forbiddenGroups(g: number[]): string | null {
  const [a = 0, b = 0, c = 0, d = 0, e = 0, f = 0, h1 = 0, h2 = 0] = g;
  if (g.length === 2) {
    // IPv4 as two 16-bit groups.
    if (a === 0xa9fe && b === 0xa9fe) return 'a cloud metadata address';
    if (a >> 8 === 169 && (a & 0xff) === 254) return 'a link-local address';
    if (a >> 8 === 0) return 'the unspecified address';
    // Alibaba Cloud's metadata service.
    if (a === 0x6464 && b === 0x64c8) return 'a cloud metadata address';
    return null;
  }
  // IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible (::a.b.c.d) forms reach the IPv4 address.
  if (a === 0 && b === 0 && c === 0 && d === 0 && e === 0 && (f === 0xffff || f === 0)) {
    if (f === 0 && h1 === 0 && h2 === 0) return 'the unspecified address';
    if (f === 0xffff || h1 !== 0) return forbiddenGroups([h1, h2]);
  }
  // The NAT64 prefix 64:ff9b::/96 reaches the IPv4 address in its last 32 bits on a NAT64 network.
  if (a === 0x64 && b === 0xff9b && c === 0 && d === 0 && e === 0 && f === 0)
    return forbiddenGroups([h1, h2]);
  // AWS's IPv6 metadata endpoint, fd00:ec2::254.
  if (a === 0xfd00 && b === 0x0ec2 && g.slice(2, 7).every((x) => x === 0) && h2 === 0x254)
    return 'a cloud metadata address';
  if ((a & 0xffc0) === 0xfe80) return 'a link-local address';
  return null;
}

/**
 * Why the resolved address `ip` (as `dns.lookup` gives it: no brackets) may not be connected to for a
 * hook, or null when it may.
 * @example
 * isForbiddenHookAddress('169.254.169.254') // 'a cloud metadata address'
 * isForbiddenHookAddress('203.0.113.7')     // null
 */
export function isForbiddenHookAddress(ip: string): string | null {
  const bare = ip.replace(/^\[|\]$/g, '');
  const groups = ipv4Groups(bare) ?? ipv6Groups(bare);
  return groups ? forbiddenGroups(groups) : null;
}

/**
 * Why `raw` may not be a `notify[].url`, or null when it may. Reads the URL as fetch will (the WHATWG
 * parser turns `0xa9fea9fe`, `0251.0376.0251.0376` and `2852039166` into `169.254.169.254`), so no
 * spelling of an address slips past.
 * @example
 * hookUrlProblem('https://hooks.slack.com/services/T/B/x') // null
 * hookUrlProblem('http://169.254.169.254/latest')         // 'must not point at a cloud metadata address …'
 */
export function hookUrlProblem(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'expected an http(s) URL of a webhook';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'expected an http(s) URL of a webhook';
  if (url.username !== '' || url.password !== '')
    return 'must not carry credentials (user:password@): put a shared key in secretHeaderEnv instead';
  const host = url.hostname.toLowerCase().replace(/\.+$/, '');
  if (METADATA_NAMES.has(host)) return `must not point at a cloud metadata service (host "${host}")`;
  const why = isForbiddenHookAddress(host);
  if (why) return `must not point at ${why} (host "${host}")`;
  if (url.protocol === 'http:' && !isLoopbackHost(host))
    return `plain http is allowed only to the machine itself (localhost, 127.0.0.1, [::1]): use https (host "${host}")`;
  return null;
}
