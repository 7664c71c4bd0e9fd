import { expect } from 'chai';
import { parseFhirXml, toFhirXml } from '../../../server/fhir/format/xml/index.ts';
import { XHTML_NS } from './helpers.ts';

/**
 * XML 1.0 §2.11: a processor passes every CRLF and lone CR on as LF, before anything else. The
 * narrative is taken from the source text as markup, so it must be normalised the same way; the
 * Nictiz zib2020 examples, for one, are published with CRLF line ends.
 */
describe('parseFhirXml: line ends', () => {
  const patient = (eol: string, family = 'Jansen') =>
    [
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<Patient xmlns="http://hl7.org/fhir">',
      '  <text>',
      '    <status value="generated"/>',
      `    <div xmlns="${XHTML_NS}">`,
      '      <p title="two',
      `lines">${family}</p>`,
      '    </div>',
      '  </text>',
      `  <name><family value="${family}"/></name>`,
      '</Patient>',
    ].join(eol);

  it('gives the narrative LF line ends whatever the source used (CRLF, CR, LF)', () => {
    const lf = parseFhirXml(patient('\n')) as { text: { div: string } };
    expect(lf.text.div).to.equal(
      `<div xmlns="${XHTML_NS}">\n      <p title="two\nlines">Jansen</p>\n    </div>`,
    );
    expect(parseFhirXml(patient('\r\n'))).to.deep.equal(lf);
    expect(parseFhirXml(patient('\r'))).to.deep.equal(lf);
  });

  it('keeps a CR written as a character reference, in the narrative and in values', () => {
    const json = parseFhirXml(patient('\r\n', 'a&#13;b')) as {
      text: { div: string };
      name: Array<{ family: string }>;
    };
    expect(json.text.div).to.include('>a&#13;b</p>');
    expect(json.text.div).to.not.include('\r');
    expect(json.name[0]!.family).to.equal('a\rb');
    expect(parseFhirXml(toFhirXml(json))).to.deep.equal(json);
  });

  it('normalises a narrative that inherits its namespace prefix from outside the div', () => {
    const xml =
      `<Patient xmlns="http://hl7.org/fhir" xmlns:h="${XHTML_NS}"><text><status value="generated"/>` +
      '<h:div>\r\n<h:p>x</h:p>\r</h:div></text></Patient>';
    const json = parseFhirXml(xml) as { text: { div: string } };
    expect(json.text.div).to.equal(`<h:div xmlns:h="${XHTML_NS}">\n<h:p>x</h:p>\n</h:div>`);
  });
});
