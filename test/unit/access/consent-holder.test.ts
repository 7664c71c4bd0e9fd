import { expect } from 'chai';
import { consentFacts } from '../../../server/access/facts/consent-rules.ts';

const consent = (extra: Record<string, unknown>) => ({
  resourceType: 'Consent',
  status: 'active',
  scope: {
    coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }],
  },
  patient: { reference: 'Patient/p1' },
  ...extra,
});
const CATEGORY = 'https://zorgpoort.nl/fhir/CodeSystem/data-category';

describe('consent facts: a Consent recorded by one organisation', () => {
  it('is about the data that organisation holds, of each category it names', () => {
    const facts = consentFacts(
      consent({
        organization: [{ reference: 'Organization/zgt' }],
        provision: {
          type: 'permit',
          actor: [{ reference: { reference: 'Practitioner/gp' } }],
          provision: [{ type: 'deny', code: [{ coding: [{ system: CATEGORY, code: 'medication' }] }] }],
        },
      }),
    );
    expect(facts.map((f) => [f.decision, f.category])).to.deep.equal([
      ['permit', 'held:zgt'],
      ['deny', 'held:zgt&medication'],
    ]);
  });

  it('without an organisation, about everyone’s data; named other than by reference, about nothing it can read', () => {
    const plain = consentFacts(consent({ provision: { type: 'permit' } }));
    expect(plain.map((f) => f.category)).to.deep.equal([undefined]);
    const unreadable = consentFacts(
      consent({ organization: [{ identifier: { value: '123' } }], provision: { type: 'permit' } }),
    );
    expect(unreadable.map((f) => f.category)).to.deep.equal(['held:?']);
  });
});
