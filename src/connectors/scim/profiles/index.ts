import type { ScimProfileName } from './names';
import { awsIdentityCenterProfile } from './aws-identity-center';
import { entraIdProfile } from './entra-id';
import type { ScimProfile } from './profile';
import { rfc7644Profile } from './rfc7644';

export type { ScimApi, ScimProfile } from './profile';

/** A fresh profile per connector: some remember what their server refused. */
export function createScimProfile(name: ScimProfileName): ScimProfile {
  switch (name) {
    case 'rfc7644':
      return rfc7644Profile();
    case 'aws-identity-center':
      return awsIdentityCenterProfile();
    case 'entra-id':
      return entraIdProfile();
  }
}
