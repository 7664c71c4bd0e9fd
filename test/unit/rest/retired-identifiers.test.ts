import { expect } from 'chai';
import { keepRetiredIdentifiers } from '../../../server/fhir/rest/retired-identifiers.ts';

const PI = 'https://zorgpoort.nl/fhir/NamingSystem/patient-number/ZKH';
const stored = (resource: object) => ({
  resourceType: 'Patient',
  id: 'p',
  versionId: 2,
  lastUpdated: new Date(),
  deleted: false,
  content: JSON.stringify(resource),
});
const retired = { system: PI, value: '1', use: 'old', period: { end: '2026-12-07T10:15:00Z' } };

describe('a Patient keeps its retired numbers on update', () => {
  const before = stored({
    resourceType: 'Patient',
    id: 'p',
    identifier: [{ system: PI, value: '2' }, retired],
  });

  it('adds a retired number an update leaves out', () => {
    const next = keepRetiredIdentifiers(
      { resourceType: 'Patient', id: 'p', identifier: [{ system: PI, value: '2' }] },
      before,
    );
    expect(next.identifier).to.deep.equal([{ system: PI, value: '2' }, retired]);
  });

  it('keeps one the update lists as sent, and leaves other numbers and other types alone', () => {
    const listed = { system: PI, value: '1', use: 'secondary' };
    expect(
      keepRetiredIdentifiers({ resourceType: 'Patient', id: 'p', identifier: [listed] }, before).identifier,
    ).to.deep.equal([listed]);
    // `old` without an end was not retired by a merge: the update decides.
    const plainOld = stored({
      resourceType: 'Patient',
      id: 'p',
      identifier: [{ system: PI, value: '3', use: 'old' }],
    });
    expect(keepRetiredIdentifiers({ resourceType: 'Patient', id: 'p' }, plainOld).identifier).to.equal(
      undefined,
    );
    const observation = { resourceType: 'Observation', id: 'p' };
    expect(keepRetiredIdentifiers(observation, before)).to.equal(observation);
  });
});
