import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { decodeMessage, Hl7, mapMessage } from '../../../mappers/index.ts';
import { createResourceValidator } from '../../../server/fhir/validation/index.ts';

type Json = Record<string, any>;
const fixture = (name: string) => readFileSync(new URL(`../../fixtures/hl7/${name}`, import.meta.url));
const ORM = decodeMessage(fixture('orm-o01-latin1.hl7')).text;
const map = (t: string) =>
  mapMessage(Hl7.parse(t), { organization: 'Organization/zkh-oost' }) as unknown as Json;
const request = (b: Json) => b.entry.find((e: Json) => e.resource.resourceType === 'ServiceRequest');

describe('mappers: ORM^O01 and OML^O21 → ServiceRequest', () => {
  it('maps the golden order, valid FHIR', () => {
    const b = map(ORM);
    expect(b).to.deep.equal(JSON.parse(fixture('orm-o01-latin1.json').toString('utf8')));
    const errors = createResourceValidator()
      .validate(request(b).resource)
      .filter((i) => i.severity === 'error');
    expect(errors).to.deep.equal([]);
    expect(request(b).resource).to.deep.include({ status: 'active', intent: 'order', priority: 'routine' });
    expect(request(b).resource.note).to.deep.equal([{ text: 'Controle kalium na & diuretica' }]);
  });

  it('a change, hold or cancel updates the same request; OML^O21 reads alike; unknown order control is refused on ORC-1', () => {
    const url = request(map(ORM)).request.url;
    for (const [control, status] of [
      ['XO', 'active'],
      ['HD', 'on-hold'],
      ['CA', 'revoked'],
    ]) {
      const b = map(ORM.replace('ORC|NW|', `ORC|${control}|`));
      expect(request(b).request.url, control).to.equal(url);
      expect(request(b).resource.status, control).to.equal(status);
    }
    expect(request(map(ORM.replace('ORM^O01^ORM_O01', 'OML^O21'))).resource.code.coding[0].code).to.equal(
      '24323-8',
    );
    expect(() => map(ORM.replace('ORC|NW|', 'ORC|ZZ|')))
      .to.throw(/order control 'ZZ'/)
      .with.property('field', 1);
    expect(() => map(ORM.replace('ORM^O01^ORM_O01', 'ORM^O02'))).to.throw(/not mapped/);
  });
});
