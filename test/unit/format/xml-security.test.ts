import { expect } from 'chai';
import { parseFhirXml } from '../../../server/fhir/format/xml/index.ts';
import { expectStructureError, fhir, XHTML_NS } from './helpers.ts';

const BILLION_LAUGHS = `<?xml version="1.0"?>
<!DOCTYPE Patient [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<Patient xmlns="http://hl7.org/fhir"><name><text value="&lol9;"/></name></Patient>`;

/** `depth` nested extensions inside a Patient: total element depth is depth + 1. */
function nestedExtensions(depth: number): string {
  return fhir('Patient', '<extension url="u">'.repeat(depth) + '</extension>'.repeat(depth));
}

describe('parseFhirXml security limits', () => {
  it('rejects any DOCTYPE', () => {
    expectStructureError(() => parseFhirXml(`<!DOCTYPE Patient>${fhir('Patient', '')}`), /DOCTYPE/);
  });

  it('rejects an entity-expansion ("billion laughs") document without expanding it', () => {
    const started = Date.now();
    expectStructureError(() => parseFhirXml(BILLION_LAUGHS), /DOCTYPE/);
    expect(Date.now() - started).to.be.below(1000);
  });

  it('rejects external entities (XXE)', () => {
    const xxe =
      '<?xml version="1.0"?><!DOCTYPE Patient [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>' +
      fhir('Patient', '<name><text value="&xxe;"/></name>');
    expectStructureError(() => parseFhirXml(xxe), /DOCTYPE/);
  });

  it('rejects entities other than the five predefined ones', () => {
    expectStructureError(
      () => parseFhirXml(fhir('Patient', '<name><text value="&nbsp;"/></name>')),
      /entity/,
    );
    const div = `<text><status value="generated"/><div xmlns="${XHTML_NS}">a&nbsp;b</div></text>`;
    expectStructureError(() => parseFhirXml(fhir('Patient', div)), /entity/);
  });

  it('enforces the default maximum depth of 100', () => {
    expect(parseFhirXml(nestedExtensions(99)).extension).to.have.length(1);
    expectStructureError(() => parseFhirXml(nestedExtensions(100)), /maximum depth of 100/);
    expectStructureError(() => parseFhirXml(nestedExtensions(100_000)), /maximum depth of 100/);
  });

  it('honours a custom maxDepth, counting narrative markup too', () => {
    expect(() => parseFhirXml(nestedExtensions(4), { maxDepth: 5 })).not.to.throw();
    expectStructureError(() => parseFhirXml(nestedExtensions(5), { maxDepth: 5 }), /maximum depth of 5/);
    const deepDiv = `<text><status value="generated"/><div xmlns="${XHTML_NS}">${'<b>'.repeat(3)}x${'</b>'.repeat(3)}</div></text>`;
    expect(() => parseFhirXml(fhir('Patient', deepDiv), { maxDepth: 6 })).not.to.throw();
    expectStructureError(() => parseFhirXml(fhir('Patient', deepDiv), { maxDepth: 5 }), /maximum depth/);
  });
});
