/**
 * Where a webhook may be sent. A subscription names a URL; an attacker with the admin
 * role (or a typo) must not turn creditflow into a client of its own network: its
 * database, the cloud metadata service, another service on loopback. So only public
 * unicast addresses are receivers, unless an address falls in the configured
 * allow-list (WEBHOOK_ALLOWED_NETWORKS, for on-premises receivers). The rule is
 * request-filtering-agent's (anything ipaddr.js does not class as `unicast` is refused),
 * checked when the subscription is made and again, on the resolved address the
 * connection then uses, at every delivery (workers/webhook.dispatcher.ts).
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/** Normalises the allow-list to CIDRs; a malformed entry is a configuration error. */
export function parseAllowedNetworks(entries: readonly string[], setting: string): string[] {
  return entries.map((entry) => {
    const family = isIP(entry);
    if (family) return `${entry}/${family === 4 ? 32 : 128}`;
    if (ipaddr.isValidCIDR(entry)) return entry;
    throw new Error(`Invalid configuration: ${setting}: "${entry}" is not an IP address or a CIDR network`);
  });
}

function allowedBy(address: ipaddr.IPv4 | ipaddr.IPv6, allowed: readonly string[]): boolean {
  return allowed.some((cidr) => {
    const [network, bits] = ipaddr.parseCIDR(cidr);
    return network.kind() === address.kind() && address.match(network, bits);
  });
}

/** Why `address` may not receive webhooks, or null when it may. */
export function addressRefusal(address: string, allowed: readonly string[]): string | null {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.parse(address);
  } catch {
    return `${address} is not an IP address`;
  }
  if (allowedBy(parsed, allowed)) return null;
  const range = parsed.range();
  // loopback, private, linkLocal (cloud metadata), uniqueLocal, ipv4Mapped, reserved, …
  return range === 'unicast' ? null : `${address} is a ${range} address, not a public one`;
}

/** The URL's own faults: scheme, credentials in it. */
export function urlRefusal(url: URL): string | null {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an http or https URL';
  // A secret in the URL would be stored and shown to every reader of the subscriptions.
  if (url.username || url.password)
    return 'must not carry a user name or password: authenticate the delivery by its signature';
  return null;
}

/** Resolves a host name to every address it has (as the connection would). */
export type ResolveHost = (hostname: string) => Promise<LookupAddress[]>;
export const resolveHost: ResolveHost = (hostname) =>
  new Promise((resolve, reject) =>
    dnsLookup(hostname, { all: true, verbatim: true }, (err, addresses) =>
      err ? reject(err) : resolve(addresses),
    ),
  );

/** The URL's host without IPv6 brackets. */
export const hostOf = (url: URL) => url.hostname.replace(/^\[(.*)\]$/, '$1');

/**
 * Why a subscription to `rawUrl` is refused, or null: its scheme and credentials, then
 * every address its host is, or resolves to (all must be allowed).
 */
export async function destinationRefusal(
  rawUrl: string,
  allowed: readonly string[],
  resolve: ResolveHost = resolveHost,
): Promise<string | null> {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return 'must be an http or https URL';
  }
  const fault = urlRefusal(url);
  if (fault) return fault;
  // WHATWG parsing already turned 2130706433, 0x7f000001 and 127.1 into 127.0.0.1.
  const host = hostOf(url);
  if (isIP(host)) return addressRefusal(host, allowed);
  let addresses: LookupAddress[];
  try {
    addresses = await resolve(host);
  } catch {
    return `${host} does not resolve to an address`;
  }
  if (addresses.length === 0) return `${host} does not resolve to an address`;
  for (const { address } of addresses) {
    const why = addressRefusal(address, allowed);
    if (why) return `${host} resolves to ${why}`;
  }
  return null;
}

/** A delivery to a refused address: not sent. */
export class DestinationRefused extends Error {
  override name = 'DestinationRefused';
}
