/**
 * The local Temporal dev server `npm start` and `npm run bench` run: creditflow's search
 * attributes are created with its namespace, so the server may keep them cached instead of
 * reading them from SQLite on every use, as the CLI has it do by default.
 */
import { describe, expect, it } from 'vitest';
import { DEV_DYNAMIC_CONFIG, devServerArgs } from '../../infra/local/temporal-dev.js';
import { SEARCH_ATTRIBUTES } from '../../infra/temporal.js';

/** Every value given for `flag`, in order. */
const values = (args: string[], flag: string) => args.flatMap((a, i) => (a === flag ? [args[i + 1]] : []));

describe('the local dev server', () => {
  it('creates every custom search attribute with the namespace, in the type names the CLI reads', () => {
    const args = devServerArgs({ cli: 'temporal', port: 7233, searchAttributes: SEARCH_ATTRIBUTES });
    expect(values(args, '--search-attribute')).toEqual(
      SEARCH_ATTRIBUTES.map((a) => `${a.name}=${a.type.replace('_', '')}`),
    );
    expect(
      devServerArgs({ cli: 'temporal', port: 1, searchAttributes: [{ name: 'Tags', type: 'KEYWORD_LIST' }] }),
    ).toContain('Tags=KEYWORDLIST');
  });

  it('keeps the search-attribute cache when the attributes exist from the start', () => {
    const args = devServerArgs({
      cli: 'temporal',
      port: 7233,
      dynamicConfig: DEV_DYNAMIC_CONFIG,
      searchAttributes: SEARCH_ATTRIBUTES,
    });
    const config = values(args, '--dynamic-config-value');
    expect(config).toContain('system.forceSearchAttributesCacheRefreshOnRead=false');
    for (const [k, v] of Object.entries(DEV_DYNAMIC_CONFIG))
      expect(config).toContain(`${k}=${JSON.stringify(v)}`);
  });

  it("leaves the CLI's read-through as it is when no attributes are created at start, or the config asks it", () => {
    const without = devServerArgs({ cli: 'temporal', port: 7233, dynamicConfig: DEV_DYNAMIC_CONFIG });
    expect(values(without, '--dynamic-config-value').join(' ')).not.toContain(
      'forceSearchAttributesCacheRefreshOnRead',
    );
    const asked = devServerArgs({
      cli: 'temporal',
      port: 7233,
      dynamicConfig: { 'system.forceSearchAttributesCacheRefreshOnRead': true },
      searchAttributes: SEARCH_ATTRIBUTES,
    });
    expect(values(asked, '--dynamic-config-value')).toEqual([
      'system.forceSearchAttributesCacheRefreshOnRead=true',
    ]);
  });

  it('serves its metrics page only when asked', () => {
    expect(
      values(devServerArgs({ cli: 'temporal', port: 7233, metricsPort: 7299 }), '--metrics-port'),
    ).toEqual(['7299']);
    expect(devServerArgs({ cli: 'temporal', port: 7233 })).not.toContain('--metrics-port');
  });
});
