import { expect } from 'chai';
import { stringifyFhirJson } from '../../../server/fhir/format/json.ts';
import { parseFhirXml, toFhirXml } from '../../../server/fhir/format/xml/index.ts';
import { expectStructureError, expectWellFormedFhirXml, XHTML_NS } from './helpers.ts';

const DECL = '<?xml version="1.0" encoding="UTF-8"?>';

describe('toFhirXml', () => {
  it('writes compact XML in FHIR element order whatever the JSON key order', () => {
    const xml = toFhirXml({
      birthDate: '1970',
      name: [{ given: ['B', 'A'], family: 'F' }],
      id: 'x',
      resourceType: 'Patient',
    });
    expect(xml).to.equal(
      `${DECL}<Patient xmlns="http://hl7.org/fhir"><id value="x"/>` +
        '<name><family value="F"/><given value="B"/><given value="A"/></name><birthDate value="1970"/></Patient>',
    );
  });

  it('indents with two spaces when pretty', () => {
    const xml = toFhirXml({ resourceType: 'Patient', id: 'x', name: [{ family: 'F' }] }, { pretty: true });
    expect(xml).to.equal(
      `${DECL}\n<Patient xmlns="http://hl7.org/fhir">\n  <id value="x"/>\n  <name>\n    <family value="F"/>\n` +
        '  </name>\n</Patient>\n',
    );
  });

  it('writes element ids and Extension.url as attributes, primitive _x as id + child extensions', () => {
    const json = {
      resourceType: 'Patient',
      extension: [{ id: 'e1', url: 'http://x/y', valueBoolean: false }],
      name: [
        {
          id: 'n1',
          given: ['A', null],
          _given: [{ id: 'g1' }, { extension: [{ url: 'u', valueString: 's' }] }],
        },
      ],
    };
    const xml = toFhirXml(json);
    expect(xml).to.contain('<extension id="e1" url="http://x/y"><valueBoolean value="false"/></extension>');
    expect(xml).to.contain(
      '<name id="n1"><given id="g1" value="A"/><given><extension url="u"><valueString value="s"/></extension></given></name>',
    );
    expect(parseFhirXml(xml)).to.deep.equal(json);
  });

  it('wraps contained resources and declares the namespace only on the root', () => {
    const xml = toFhirXml({ resourceType: 'Patient', contained: [{ resourceType: 'Basic', id: 'b' }] });
    expect(xml).to.contain('<contained><Basic><id value="b"/></Basic></contained>');
    expect(xml.match(/xmlns=/g)).to.have.length(1);
  });

  it('escapes attribute values so that they survive attribute-value normalisation', () => {
    const text = 'a & b < c > d " e \' f\ng\th\r\ni \u20ac \u{1F600}';
    const json = { resourceType: 'Patient', name: [{ text }] };
    const xml = toFhirXml(json);
    expect(xml).to.contain(
      '<text value="a &amp; b &lt; c &gt; d &quot; e \' f&#xA;g&#x9;h&#xD;&#xA;i \u20ac \u{1F600}"/>',
    );
    expectWellFormedFhirXml(xml);
    expect(parseFhirXml(xml)).to.deep.equal(json);
  });

  it('embeds the narrative div verbatim and keeps -0 and exponents', () => {
    const div = `<div xmlns="${XHTML_NS}"><p>a &amp; <b class="c">b</b></p>\n<br/></div>`;
    const json = {
      resourceType: 'Observation',
      text: { status: 'generated', div },
      status: 'final',
      code: { text: 'c' },
      valueQuantity: { value: -0 },
      referenceRange: [{ low: { value: 1e21 }, high: { value: 1.5e-7 } }],
    };
    const xml = toFhirXml(json, { pretty: true });
    expect(xml).to.contain(`\n    ${div}\n`);
    expect(xml).to.contain('<value value="-0"/>');
    const back = parseFhirXml(xml);
    expect(JSON.parse(JSON.stringify(back))).to.deep.equal(JSON.parse(JSON.stringify(json)));
    expect(Object.is((back.valueQuantity as { value: number }).value, -0)).to.equal(true);
    // JSON.stringify writes -0 as 0; the text read from XML keeps it.
    expect(stringifyFhirJson(back.valueQuantity)).to.equal('{"value":-0}');
  });

  it('rejects JSON that has no FHIR XML representation', () => {
    expectStructureError(() => toFhirXml({ resourceType: 'Nope' }), /resourceType 'Nope'/);
    expectStructureError(() => toFhirXml({ id: 'x' }), /resourceType/);
    expectStructureError(
      () => toFhirXml({ resourceType: 'Patient', foo: 1 }),
      /Unknown element 'foo' in Patient/,
    );
    expectStructureError(
      () => toFhirXml({ resourceType: 'Patient', name: [{ family: 'x', x: 1 }] }),
      /Unknown element 'x' in Patient\.name\[0\]/,
    );
    expectStructureError(
      () => toFhirXml({ resourceType: 'Patient', name: [{ family: 'x', _family: 1 }] }),
      /Expected an object for the extensions of Patient\.name\[0\]\.family/,
    );
    expectStructureError(
      () => toFhirXml({ resourceType: 'Patient', name: [{ _family: { foo: 1 } }] }),
      /Unknown element 'foo' in Patient\.name\[0\]\.family/,
    );
    expectStructureError(() => toFhirXml({ resourceType: 'Patient', _name: [] }), /Unknown element '_name'/);
    expectStructureError(
      () => toFhirXml({ resourceType: 'Patient', extension: [{ url: 'u', _url: {} }] }),
      /Unknown element '_url'/,
    );
    expectStructureError(() => toFhirXml({ resourceType: 'Patient', active: 'true' }), /Invalid boolean/);
    expectStructureError(() => toFhirXml({ resourceType: 'Patient', multipleBirthInteger: '1' }), /integer/);
    expectStructureError(() => toFhirXml({ resourceType: 'Patient', birthDate: 1970 }), /date/);
    expectStructureError(
      () => toFhirXml({ resourceType: 'Patient', name: { family: 'x' } }),
      /must be an array/,
    );
    expectStructureError(
      () => toFhirXml({ resourceType: 'Patient', gender: ['male'] }),
      /must not be an array/,
    );
    expectStructureError(
      () => toFhirXml({ resourceType: 'Patient', name: [{ given: ['a', 'b'], _given: [null] }] }),
      /differ in length/,
    );
    expectStructureError(
      () => toFhirXml({ resourceType: 'Patient', name: [{ given: [null] }] }),
      /neither a value/,
    );
    expectStructureError(
      () => toFhirXml({ resourceType: 'Patient', id: 'a\u0001' }),
      /cannot be represented in XML/,
    );
    expectStructureError(
      () => toFhirXml({ resourceType: 'Patient', contained: [{ id: 'x' }] }),
      /contained\[0\]/,
    );
  });

  it('rejects narrative that is not one self-contained XHTML div', () => {
    const withDiv = (div: string) => () =>
      toFhirXml({ resourceType: 'Patient', text: { status: 'generated', div } });
    expectStructureError(withDiv('<div>no namespace</div>'), /XHTML namespace/);
    expectStructureError(withDiv(`<p xmlns="${XHTML_NS}">x</p>`), /must be an XHTML <div>/);
    expectStructureError(withDiv(`<div xmlns="${XHTML_NS}"><b>unclosed</div>`), /Invalid narrative XHTML/);
    expectStructureError(
      withDiv(`<div xmlns="${XHTML_NS}">a</div><div xmlns="${XHTML_NS}">b</div>`),
      /Invalid/,
    );
    expectStructureError(withDiv(`text <div xmlns="${XHTML_NS}">a</div>`), /Invalid narrative XHTML/);
    expectStructureError(withDiv(`<!DOCTYPE div><div xmlns="${XHTML_NS}">a</div>`), /DOCTYPE/);
    expectStructureError(withDiv(`<?xml version="1.0"?><div xmlns="${XHTML_NS}">a</div>`), /XML declaration/);
    expectStructureError(withDiv(`<div xmlns="${XHTML_NS}">&nbsp;</div>`), /entity/);
  });
});
