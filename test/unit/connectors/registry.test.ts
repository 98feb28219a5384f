import { describe, expect, it } from 'vitest';
import { systemSchema, type SystemConfig } from '../../../src/config/file';
import { UnsupportedError } from '../../../src/connectors/errors';
import { createConnectors, requireAbility } from '../../../src/connectors/registry';
import { ScimConnector } from '../../../src/connectors/scim/connector';
import type { Connector } from '../../../src/connectors/types';
import { oktaConnector } from '../../../src/connectors/okta';
import type { Pacer } from '../../../src/connectors/pacer';

const systems: SystemConfig[] = [
  systemSchema.parse({ id: 'okta', type: 'okta', baseUrl: 'https://acme.okta.com', tokenEnv: 'OKTA_TOKEN' }),
  systemSchema.parse({ id: 'aws', type: 'scim', baseUrl: 'https://scim.example/scim/v2', tokenEnv: 'AWS_SCIM_TOKEN' }),
];

describe('createConnectors', () => {
  it('builds one connector per system, keyed by id, without secrets in its location', () => {
    const connectors = createConnectors(systems, { OKTA_TOKEN: 'o-secret', AWS_SCIM_TOKEN: 's-secret' });
    expect([...connectors.keys()]).toEqual(['okta', 'aws']);
    expect(connectors.get('okta')).toMatchObject({ id: 'okta', type: 'okta', location: 'https://acme.okta.com' });
    expect(connectors.get('aws')).toMatchObject({ id: 'aws', type: 'scim', location: 'https://scim.example/scim/v2' });
    expect(JSON.stringify([...connectors.values()].map((c) => c.location))).not.toMatch(/secret/);
  });

  it('names the system and type it has no connector for', () => {
    const unknown = { id: 'erp', type: 'sap', baseUrl: 'https://erp.example', tokenEnv: 'ERP_TOKEN' } as unknown as SystemConfig;
    expect(() => createConnectors([unknown], { ERP_TOKEN: 'x' })).toThrow(/system "erp".*type "sap"/);
    expect(() => systemSchema.parse(unknown)).toThrow();
  });

  it('paces each system by its type\'s documented default unless it sets its own', () => {
    const pacers: Pacer[] = [];
    createConnectors([systems[0]!, { ...systems[1]!, maxConcurrency: 3 }], { OKTA_TOKEN: 'o', AWS_SCIM_TOKEN: 's' }, { onPacer: (p) => pacers.push(p) });
    expect(pacers.map((p) => p.maxConcurrency)).toEqual([oktaConnector.limits.maxConcurrency, 3]);
  });

  it('passes each system its SCIM profile and rate-limit cap', () => {
    const aws = systemSchema.parse({ id: 'aws', type: 'scim', baseUrl: 'https://scim.example/scim/v2', tokenEnv: 'T', profile: 'aws-identity-center', maxRetryAfter: '90s' });
    const plain = systemSchema.parse({ id: 'apps', type: 'scim', baseUrl: 'https://apps.example/scim/v2', tokenEnv: 'T' });
    expect(aws).toMatchObject({ profile: 'aws-identity-center', maxRetryAfter: 90_000 });
    expect(plain).toMatchObject({ profile: 'rfc7644', maxRetryAfter: 300_000 });
    const connectors = createConnectors([aws, plain], { T: 'secret' });
    expect((connectors.get('aws') as ScimConnector).profile.name).toBe('aws-identity-center');
    expect((connectors.get('apps') as ScimConnector).profile.name).toBe('rfc7644');
    expect(() => systemSchema.parse({ id: 'x', type: 'scim', baseUrl: 'https://x.example', tokenEnv: 'T', profile: 'okta' })).toThrow();
    expect(() => systemSchema.parse({ id: 'o', type: 'okta', baseUrl: 'https://x.okta.com', tokenEnv: 'T', profile: 'entra-id' })).toThrow();
  });

  it('names the system and variable when a token is missing', () => {
    expect(() => createConnectors(systems, { OKTA_TOKEN: 'o' })).toThrow(/system "aws".*AWS_SCIM_TOKEN/);
  });
});

describe('requireAbility', () => {
  const base = {
    id: 'sys',
    type: 'test',
    location: 'https://sys.test',
    checkAccess: async () => {},
    findAccount: async () => null,
    disableAccount: async () => {},
    listEntitlements: async () => [],
    grantEntitlement: async () => {},
    revokeEntitlement: async () => {},
  } satisfies Connector;

  it('returns the ability bound to its connector', async () => {
    const connector = { ...base, calls: 0, async killSessions(this: { calls: number }) { this.calls++; } };
    await requireAbility(connector, 'killSessions')('u1');
    expect(connector.calls).toBe(1);
  });

  it('throws an UnsupportedError naming the system and ability', () => {
    expect(() => requireAbility(base, 'createAccount')).toThrow(UnsupportedError);
    expect(() => requireAbility(base, 'createAccount')).toThrow('sys does not support createAccount');
  });
});
