/** Where a webhook may be sent: the address rule, the allow-list, and names resolving to several addresses. */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../infra/config.js';
import {
  addressRefusal,
  destinationRefusal,
  parseAllowedNetworks,
} from '../../infra/webhook-destinations.js';

const resolver = (addresses: string[]) => async () =>
  addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

describe('webhook destinations', () => {
  it('public unicast addresses are receivers; special ranges are not', () => {
    for (const ok of ['8.8.8.8', '2606:4700:4700::1111']) expect(addressRefusal(ok, []), ok).toBeNull();
    const special: [string, string][] = [
      ['127.0.0.1', 'loopback'],
      ['::1', 'loopback'],
      ['10.1.2.3', 'private'],
      ['169.254.169.254', 'linkLocal'],
      ['fd00:ec2::254', 'uniqueLocal'],
      ['::ffff:a9fe:a9fe', 'ipv4Mapped'],
      ['100.64.0.1', 'carrierGradeNat'],
      ['0.0.0.0', 'unspecified'],
      ['224.0.0.1', 'multicast'],
    ];
    for (const [address, range] of special)
      expect(addressRefusal(address, []), address).toBe(`${address} is a ${range} address, not a public one`);
  });

  it('the allow-list admits exactly its networks, of the same family', () => {
    const allowed = parseAllowedNetworks(['10.20.0.0/16', '192.168.1.5', 'fd12::/16'], 'X');
    expect(allowed).toEqual(['10.20.0.0/16', '192.168.1.5/32', 'fd12::/16']);
    expect(addressRefusal('10.20.9.9', allowed)).toBeNull();
    expect(addressRefusal('192.168.1.5', allowed)).toBeNull();
    expect(addressRefusal('fd12::7', allowed)).toBeNull();
    expect(addressRefusal('10.21.0.1', allowed)).toMatch(/private/);
    expect(addressRefusal('192.168.1.6', allowed)).toMatch(/private/);
    expect(addressRefusal('::ffff:10.20.0.1', allowed)).toMatch(/ipv4Mapped/);
  });

  it('a malformed allow-list entry stops the start, naming the setting', () => {
    expect(() => loadConfig({ WEBHOOK_ALLOWED_NETWORKS: '10.0.0.0/8, crm.internal' })).toThrow(
      /WEBHOOK_ALLOWED_NETWORKS: "crm.internal" is not an IP address or a CIDR network/,
    );
    expect(
      loadConfig({ WEBHOOK_ALLOWED_NETWORKS: '10.0.0.0/8, 127.0.0.1' }).webhooks.allowedNetworks,
    ).toEqual(['10.0.0.0/8', '127.0.0.1/32']);
  });

  it('a name is refused when any of its addresses is; an unresolvable one too', async () => {
    expect(await destinationRefusal('https://hooks.test/x', [], resolver(['8.8.8.8']))).toBeNull();
    expect(await destinationRefusal('https://hooks.test/x', [], resolver(['8.8.8.8', '10.0.0.1']))).toBe(
      'hooks.test resolves to 10.0.0.1 is a private address, not a public one',
    );
    expect(await destinationRefusal('https://hooks.test/x', [], resolver([]))).toMatch(/does not resolve/);
    const failing = async () => {
      throw new Error('ENOTFOUND');
    };
    expect(await destinationRefusal('https://nowhere.test/x', [], failing)).toMatch(/does not resolve/);
    expect(await destinationRefusal('https://u:p@hooks.test/x', [], resolver(['8.8.8.8']))).toMatch(
      /user name or password/,
    );
    expect(await destinationRefusal('http://0x7f000001:3000/', [], resolver([]))).toMatch(/loopback/);
  });
});
