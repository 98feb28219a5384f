import { describe, expect, it } from 'vitest';
import { operationOf } from '../../../src/connectors/http';
import { webhookOutcome } from '../../../src/metrics/engine-metrics';

describe('metric labels', () => {
  it('an operation is the method and path template: IDs, logins and queries never reach a label', () => {
    expect(operationOf('GET /api/v1/users/{login}')).toBe('GET /api/v1/users/{login}');
    expect(operationOf('POST /api/v1/users/00u1abcd2EFGH3ijk4l5/lifecycle/suspend')).toBe('POST /api/v1/users/{id}/lifecycle/suspend');
    expect(operationOf('GET /scim/v2/Users/2819c223-7f76-453a-919d-413861904646')).toBe('GET /scim/v2/Users/{id}');
    expect(operationOf('GET /scim/v2/Users?filter=userName eq "jane@acme.test"')).toBe('GET /scim/v2/Users');
    expect(operationOf('DELETE /v1.0/groups/6f3c/members/a1b2c3/$ref')).toBe('DELETE /v1.0/groups/{id}/members/{id}/$ref');
    expect(operationOf('GET /orgs/acme/memberships/{username}')).toBe('GET /orgs/acme/memberships/{username}');
  });

  it("a webhook answer's status becomes a handful of outcomes", () => {
    expect([202, 200, 400, 401, 413, 415, 429, 503, 500].map(webhookOutcome)).toEqual(['accepted', 'accepted', 'rejected', 'unauthorized', 'too_large', 'rejected', 'throttled', 'unavailable', 'error']);
  });
});
