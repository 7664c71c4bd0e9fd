import { ROUTES } from './provider.ts';
import { OIDC_SCOPES } from './scopes.ts';

/**
 * `/.well-known/smart-configuration` (SMART App Launch v2 §Conformance): where the endpoints
 * are and what this server does. Built from the public base URL, never from the request.
 */
export function smartConfiguration(fhirBase: string) {
  const url = (path: string) => `${fhirBase}${path}`;
  return {
    issuer: fhirBase,
    jwks_uri: url(ROUTES.jwks),
    authorization_endpoint: url(ROUTES.authorization),
    token_endpoint: url(ROUTES.token),
    introspection_endpoint: url(ROUTES.introspection),
    revocation_endpoint: url(ROUTES.revocation),
    userinfo_endpoint: url(ROUTES.userinfo),
    grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
    token_endpoint_auth_methods_supported: ['private_key_jwt', 'client_secret_basic', 'none'],
    token_endpoint_auth_signing_alg_values_supported: ['RS384', 'ES384', 'RS256', 'ES256'],
    scopes_supported: [
      ...OIDC_SCOPES,
      'patient/*.cruds',
      'user/*.cruds',
      'system/*.cruds',
      'patient/*.read',
      'user/*.read',
      'system/*.read',
    ],
    response_types_supported: ['code'],
    code_challenge_methods_supported: ['S256'],
    capabilities: [
      'launch-ehr',
      'launch-standalone',
      'client-public',
      'client-confidential-symmetric',
      'client-confidential-asymmetric',
      'context-ehr-patient',
      'context-ehr-encounter',
      'context-standalone-patient',
      'permission-offline',
      'permission-online',
      'permission-patient',
      'permission-user',
      'permission-v1',
      'permission-v2',
      'sso-openid-connect',
    ],
  };
}
