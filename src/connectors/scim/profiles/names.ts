/** Which SCIM server's documented filters, paging and PATCH forms to speak. */
export const scimProfileNames = ['rfc7644', 'aws-identity-center', 'entra-id'] as const;
export type ScimProfileName = (typeof scimProfileNames)[number];
