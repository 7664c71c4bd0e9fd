import type { SamlConfig } from '../../config.ts';
import { personReference } from '../principal.ts';
import type { LoginOption, Smart } from '../smart/index.ts';
import type { IdpConfig } from './idp-config.ts';
import { samlLoginOptions, type OnSamlLogin } from './saml-routes.ts';

/**
 * A SAML login started from a SMART login page carries RelayState `smart:<interaction uid>`.
 * The ACS answers with a 303 to a one-time ticket URL of that interaction: a top-level GET,
 * so the browser sends the interaction cookie that the IdP's cross-site POST could not carry,
 * and only the browser that started the interaction can finish it.
 */
const SMART_RELAY = /^smart:([A-Za-z0-9_-]{1,64})$/;

/** The SAML IdPs as login options of the SMART login page. */
export function smartLoginOptions(config: Pick<SamlConfig, 'spBaseUrl'>, idps: IdpConfig[]): LoginOption[] {
  return samlLoginOptions(config, idps).map((o) => ({
    label: o.label,
    href: (uid: string) => o.href(`smart:${uid}`),
  }));
}

/** A SAML login outside a SMART interaction answers who it proved (the person and the IdP). */
const showSamlLogin: OnSamlLogin = (_req, res, login) => {
  const identifier =
    login.identity.kind === 'caregiver'
      ? { name: 'uziNumber', valueString: login.identity.uziNumber }
      : { name: 'bsn', valueString: login.identity.bsn };
  res.setHeader('Cache-Control', 'no-store');
  res.status(200).json({
    resourceType: 'Parameters',
    parameter: [
      { name: 'idp', valueString: login.idp },
      { name: 'kind', valueCode: login.identity.kind },
      identifier,
      { name: 'person', valueReference: { reference: personReference(login.person) } },
      ...(login.relayState === undefined ? [] : [{ name: 'relayState', valueString: login.relayState }]),
    ],
  });
};

/** Where a successful SAML login goes: into its SMART interaction, or shown. */
export function samlLoginInto(smart: Pick<Smart, 'completeLoginUrl'>): OnSamlLogin {
  return async (req, res, login) => {
    const uid = SMART_RELAY.exec(login.relayState ?? '')?.[1];
    if (!uid) return showSamlLogin(req, res, login);
    res.setHeader('Cache-Control', 'no-store');
    res.redirect(303, await smart.completeLoginUrl(uid, login.person));
  };
}
