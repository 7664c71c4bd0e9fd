import { expect } from 'chai';
import { mapAssertion } from '../../../server/auth/saml/attributes.ts';
import type { IdpConfig } from '../../../server/auth/saml/idp-config.ts';
import { FhirError } from '../../../server/fhir/errors.ts';

const base = { label: 'x', entityId: 'https://idp', ssoUrl: 'https://idp/sso', signingCerts: ['c'] };
const uzi: IdpConfig = {
  ...base,
  id: 'uzi',
  kind: 'caregiver',
  attributes: { uziNumber: 'uzi', roleCode: 'role', ura: 'ura', agb: 'agb' },
};
const digid: IdpConfig = { ...base, id: 'digid', kind: 'patient', attributes: { bsn: 'NameID' } };

function refusal(fn: () => unknown): FhirError {
  try {
    fn();
  } catch (e) {
    expect(e).to.be.instanceOf(FhirError);
    return e as FhirError;
  }
  throw new Error('not refused');
}

describe('SAML attribute mapping', () => {
  it('maps a caregiver: UZI number, role codes, URA and AGB', () => {
    expect(
      mapAssertion(uzi, {
        nameID: 'ignored',
        attributes: {
          uzi: '900012345',
          role: ['01.015', { $: { code: '30.000' } }],
          ura: '90000123',
          agb: '01234567',
        },
      }),
    ).to.deep.equal({
      identity: { kind: 'caregiver', uziNumber: '900012345', ura: '90000123', roleCode: '01.015' },
      claims: { roleCodes: ['01.015', '30.000'], ura: '90000123', agb: '01234567' },
    });
  });

  it('reads the UZI number from the NameID when so configured; URA and AGB are optional', () => {
    const byNameId: IdpConfig = { ...uzi, attributes: { uziNumber: 'NameID', roleCode: 'role' } };
    expect(mapAssertion(byNameId, { nameID: '900012345' })).to.deep.equal({
      identity: { kind: 'caregiver', uziNumber: '900012345' },
      claims: { roleCodes: [], ura: undefined, agb: undefined },
    });
  });

  it('refuses a missing, repeated or malformed UZI number (401)', () => {
    expect(refusal(() => mapAssertion(uzi, { attributes: {} })).status).to.equal(401);
    expect(
      refusal(() => mapAssertion(uzi, { attributes: { uzi: ['900012345', '900012346'] } })).message,
    ).to.match(/2 values for UZI number/);
    expect(refusal(() => mapAssertion(uzi, { attributes: { uzi: 'abc' } })).message).to.match(/6-12 digits/);
    expect(
      refusal(() => mapAssertion(uzi, { attributes: { uzi: '900012345', ura: ['1', '2'] } })).message,
    ).to.match(/URA/);
  });

  it('maps a DigiD-style NameID s00000000:<BSN> to a patient', () => {
    expect(mapAssertion(digid, { nameID: 's00000000:123456782' })).to.deep.equal({
      identity: { kind: 'patient', bsn: '123456782' },
    });
    const byAttribute: IdpConfig = { ...digid, attributes: { bsn: 'bsn' } };
    expect(mapAssertion(byAttribute, { attributes: { bsn: '123456782' } }).identity).to.deep.equal({
      kind: 'patient',
      bsn: '123456782',
    });
  });

  it('refuses other sectors, malformed numbers and BSNs failing the 11-test', () => {
    expect(refusal(() => mapAssertion(digid, { nameID: 's00000001:123456782' })).message).to.match(
      /names no BSN/,
    );
    expect(refusal(() => mapAssertion(digid, { nameID: 's00000000:12345678' })).message).to.match(
      /names no BSN/,
    );
    expect(refusal(() => mapAssertion(digid, { nameID: 's00000000:123456789' })).message).to.match(/11-test/);
    expect(refusal(() => mapAssertion(digid, {})).message).to.match(/has no BSN/);
  });
});
