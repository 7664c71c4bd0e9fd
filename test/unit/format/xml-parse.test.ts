import { expect } from 'chai';
import { stringifyFhirJson } from '../../../server/fhir/format/json.ts';
import { parseFhirXml, toFhirXml } from '../../../server/fhir/format/xml/index.ts';
import { expectStructureError, fhir, XHTML_NS } from './helpers.ts';

const ABSENT = 'http://hl7.org/fhir/StructureDefinition/data-absent-reason';

/** XML -> JSON, then checks that JSON -> XML -> JSON gives the same object again. */
function parseAndRoundTrip(xml: string): Record<string, unknown> {
  const json = parseFhirXml(xml);
  expect(parseFhirXml(toFhirXml(json))).to.deep.equal(json);
  expect(parseFhirXml(toFhirXml(json, { pretty: true }))).to.deep.equal(json);
  return json;
}

describe('parseFhirXml', () => {
  it('maps primitives, repeating elements and JSON kinds', () => {
    const xml =
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
      fhir(
        'Patient',
        '<id value="p1"/><active value="true"/>' +
          '<name><use value="official"/><family value="Chalmers"/><given value="Peter"/></name>' +
          '<gender value="male"/><birthDate value="1974-12-25"/><multipleBirthInteger value="2"/>',
      );
    expect(parseAndRoundTrip(xml)).to.deep.equal({
      resourceType: 'Patient',
      id: 'p1',
      active: true,
      name: [{ use: 'official', family: 'Chalmers', given: ['Peter'] }],
      gender: 'male',
      birthDate: '1974-12-25',
      multipleBirthInteger: 2,
    });
  });

  it('puts extensions and ids of repeating primitives in a parallel _x array with nulls', () => {
    const xml = fhir(
      'Patient',
      '<name><given value="A"/>' +
        `<given><extension url="${ABSENT}"><valueCode value="masked"/></extension></given>` +
        '<given id="g3" value="C"/></name>',
    );
    expect(parseAndRoundTrip(xml)).to.deep.equal({
      resourceType: 'Patient',
      name: [
        {
          given: ['A', null, 'C'],
          _given: [null, { extension: [{ url: ABSENT, valueCode: 'masked' }] }, { id: 'g3' }],
        },
      ],
    });
  });

  it('omits a parallel array that would hold only nulls', () => {
    const xml = fhir(
      'Patient',
      `<name><given><extension url="${ABSENT}"><valueCode value="unknown"/></extension></given></name>`,
    );
    expect(parseAndRoundTrip(xml)).to.deep.equal({
      resourceType: 'Patient',
      name: [{ _given: [{ extension: [{ url: ABSENT, valueCode: 'unknown' }] }] }],
    });
  });

  it('maps ids and extensions of single primitives to _x, element ids to id', () => {
    const xml = fhir(
      'Patient',
      '<name id="n1"><family id="f1" value="Doe"/></name>' +
        `<birthDate id="bd"><extension url="${ABSENT}"><valueCode value="unknown"/></extension></birthDate>`,
    );
    expect(parseAndRoundTrip(xml)).to.deep.equal({
      resourceType: 'Patient',
      name: [{ id: 'n1', family: 'Doe', _family: { id: 'f1' } }],
      _birthDate: { id: 'bd', extension: [{ url: ABSENT, valueCode: 'unknown' }] },
    });
  });

  it('unwraps contained, Bundle.entry.resource, response.outcome and Parameters resources', () => {
    const patient = fhir(
      'Patient',
      '<id value="p"/><contained><Practitioner><id value="pr1"/></Practitioner></contained>' +
        '<generalPractitioner><reference value="#pr1"/></generalPractitioner>',
    ).replace(` xmlns="http://hl7.org/fhir"`, '');
    const xml = fhir(
      'Bundle',
      '<type value="collection"/>' +
        `<entry><fullUrl value="urn:uuid:1"/><resource>${patient}</resource></entry>` +
        '<entry><resource><Parameters><parameter><name value="r"/><resource><Basic><id value="b"/></Basic>' +
        '</resource></parameter></Parameters></resource>' +
        '<response><status value="200"/><outcome><OperationOutcome><issue><severity value="error"/>' +
        '<code value="invalid"/></issue></OperationOutcome></outcome></response></entry>',
    );
    expect(parseAndRoundTrip(xml)).to.deep.equal({
      resourceType: 'Bundle',
      type: 'collection',
      entry: [
        {
          fullUrl: 'urn:uuid:1',
          resource: {
            resourceType: 'Patient',
            id: 'p',
            contained: [{ resourceType: 'Practitioner', id: 'pr1' }],
            generalPractitioner: [{ reference: '#pr1' }],
          },
        },
        {
          resource: {
            resourceType: 'Parameters',
            parameter: [{ name: 'r', resource: { resourceType: 'Basic', id: 'b' } }],
          },
          response: {
            status: '200',
            outcome: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'invalid' }] },
          },
        },
      ],
    });
  });

  it('keeps narrative markup, entities and attributes verbatim', () => {
    const div =
      `<div xmlns="${XHTML_NS}" lang="nl">\n  <p class="x">Hello <b>bold <i>it</i></b> &amp; &lt;tag&gt; ` +
      `&#x20AC; &#8364; \u20ac "q" 'a'</p><br/><table><tr><td style='a:b'>1</td></tr></table><!-- c --></div>`;
    const json = parseAndRoundTrip(fhir('Patient', `<text><status value="generated"/>${div}</text>`));
    expect(json.text).to.deep.equal({ status: 'generated', div });
  });

  it('adds namespace declarations a div inherits from outside it', () => {
    const xml =
      `<Patient xmlns="http://hl7.org/fhir" xmlns:h="${XHTML_NS}">` +
      '<text><status value="generated"/><h:div><h:p>x</h:p></h:div></text></Patient>';
    const json = parseAndRoundTrip(xml);
    expect((json.text as { div: string }).div).to.equal(`<h:div xmlns:h="${XHTML_NS}"><h:p>x</h:p></h:div>`);
  });

  it('decodes predefined entities and character references in values', () => {
    const json = parseAndRoundTrip(
      fhir(
        'Patient',
        '<name><text value="Fish &amp; Chips &#x20AC;&#8364; &lt;&gt; &quot;x&apos; a&#xA;b&#9;c"/></name>',
      ),
    );
    expect(json.name).to.deep.equal([{ text: 'Fish & Chips \u20ac\u20ac <> "x\' a\nb\tc' }]);
  });

  it('parses numbers, a decimal keeping its written text beside its double value', () => {
    const json = parseFhirXml(
      fhir(
        'Observation',
        '<status value="final"/><code><text value="t"/></code>' +
          '<valueQuantity><value value="1.50"/><unit value="mg"/></valueQuantity>' +
          '<component><code><text value="c"/></code><valueInteger value="-7"/></component>',
      ),
    );
    // The model holds the double 1.5; the text 1.50 travels beside it and is what is written out.
    expect((json.valueQuantity as { value: number }).value).to.equal(1.5);
    expect(stringifyFhirJson(json.valueQuantity)).to.equal('{"value":1.50,"unit":"mg"}');
    expect(json.component).to.deep.equal([{ code: { text: 'c' }, valueInteger: -7 }]);
  });

  it('ignores comments, processing instructions, whitespace, xsi attributes and a BOM', () => {
    const xml =
      '\ufeff<?xml version="1.0" encoding="UTF-8"?>\n<!-- header -->\n' +
      '<Patient xmlns="http://hl7.org/fhir" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"' +
      ' xsi:schemaLocation="http://hl7.org/fhir ../patient.xsd">\n  <!-- c --><?pi x?>\n' +
      '  <active value="false"/>\n</Patient>\n';
    expect(parseFhirXml(xml)).to.deep.equal({ resourceType: 'Patient', active: false });
  });

  it('accepts a prefixed FHIR namespace', () => {
    const xml = '<f:Patient xmlns:f="http://hl7.org/fhir"><f:id value="x"/></f:Patient>';
    expect(parseFhirXml(xml)).to.deep.equal({ resourceType: 'Patient', id: 'x' });
  });
});

describe('parseFhirXml rejects structurally invalid content with 400', () => {
  it('unknown elements, with their location', () => {
    expectStructureError(
      () => parseFhirXml(fhir('Patient', '<foo value="x"/>')),
      /Unknown element 'foo' in Patient\b/,
    );
    expectStructureError(
      () => parseFhirXml(fhir('Patient', '<name/><name><bar value="x"/></name>')),
      /Unknown element 'bar' in Patient\.name\[1\]/,
    );
    expectStructureError(
      () => parseFhirXml(fhir('Patient', '<name><id value="x"/></name>')),
      /Unknown element 'id'/,
    );
  });

  it('unknown attributes and resource types', () => {
    expectStructureError(
      () => parseFhirXml(fhir('Patient', '<active valu="true"/>')),
      /Unknown attribute 'valu'/,
    );
    expectStructureError(() => parseFhirXml(fhir('Patient', '<name url="x"/>')), /Unknown attribute 'url'/);
    expectStructureError(
      () => parseFhirXml('<Patient xmlns="http://hl7.org/fhir" id="x"/>'),
      /attribute 'id'/,
    );
    expectStructureError(() => parseFhirXml(fhir('Foo', '')), /Unknown resource type 'Foo'/);
    expectStructureError(() => parseFhirXml(fhir('HumanName', '')), /Unknown resource type/);
  });

  it('elements outside the FHIR namespace', () => {
    expectStructureError(() => parseFhirXml('<Patient><active value="true"/></Patient>'), /namespace/);
    expectStructureError(() => parseFhirXml('<Patient xmlns="urn:other"/>'), /namespace/);
    expectStructureError(
      () => parseFhirXml(fhir('Patient', '<x:active xmlns:x="urn:x" value="true"/>')),
      /not in the FHIR namespace/,
    );
    expectStructureError(
      () => parseFhirXml(fhir('Patient', '<text><status value="generated"/><div>x</div></text>')),
      /XHTML namespace/,
    );
    expectStructureError(
      () =>
        parseFhirXml(
          fhir(
            'Patient',
            `<text><status value="generated"/><div xmlns="${XHTML_NS}"><svg xmlns="urn:x"/></div></text>`,
          ),
        ),
      /XHTML namespace/,
    );
  });

  it('text content outside the narrative', () => {
    expectStructureError(() => parseFhirXml(fhir('Patient', 'hello')), /Unexpected text content in Patient/);
    expectStructureError(() => parseFhirXml(fhir('Patient', '<name>x</name>')), /Patient\.name\[0\]/);
    expectStructureError(() => parseFhirXml(fhir('Patient', '<name><![CDATA[x]]></name>')), /text content/);
  });

  it('malformed XML, with line and column', () => {
    expectStructureError(
      () => parseFhirXml(`<Patient xmlns="http://hl7.org/fhir">\n<id value="1"></Patient>`),
      /Malformed XML.*line 2, column \d+/,
    );
    expectStructureError(() => parseFhirXml(''), /Malformed XML|root/);
    expectStructureError(() => parseFhirXml('not xml'), /Malformed XML/);
    expectStructureError(() => parseFhirXml(fhir('Patient', '') + '<Patient/>'), /Malformed XML/);
    expectStructureError(
      () => parseFhirXml(fhir('Patient', '<active value="true" value="false"/>')),
      /Malformed/,
    );
  });

  it('invalid primitive values and cardinality', () => {
    expectStructureError(
      () => parseFhirXml(fhir('Patient', '<active value="yes"/>')),
      /Invalid boolean 'yes'/,
    );
    expectStructureError(
      () => parseFhirXml(fhir('Patient', '<multipleBirthInteger value="1.5"/>')),
      /integer/,
    );
    expectStructureError(
      () => parseFhirXml(fhir('Patient', '<multipleBirthInteger value=" 1"/>')),
      /integer/,
    );
    expectStructureError(() => parseFhirXml(fhir('Patient', '<active/>')), /neither a value nor extensions/);
    expectStructureError(
      () => parseFhirXml(fhir('Patient', '<birthDate value="2000"/><birthDate value="2001"/>')),
      /'birthDate' may occur only once/,
    );
  });

  it('resource wrappers that do not hold exactly one resource', () => {
    expectStructureError(() => parseFhirXml(fhir('Patient', '<contained/>')), /must contain a resource/);
    expectStructureError(
      () => parseFhirXml(fhir('Patient', '<contained><Basic/><Basic/></contained>')),
      /only one resource/,
    );
    expectStructureError(
      () => parseFhirXml(fhir('Patient', '<contained><name/></contained>')),
      /resource type/,
    );
  });
});
