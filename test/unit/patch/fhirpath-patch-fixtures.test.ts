import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { SaxesParser } from 'saxes';
import { FhirError } from '../../../server/fhir/errors.ts';
import { applyFhirPathPatch } from '../../../server/fhir/patch/index.ts';
import { parseFhirXml } from '../../../server/fhir/format/xml/index.ts';

interface PatchCase {
  name: string;
  mode: string;
  input: string;
  diff: string;
  output?: string;
  error?: string;
}

// Cases this implementation is known not to pass, with the reason. Keep empty when possible.
const KNOWN_FAILURES: Record<string, string> = {};

const fixture = readFileSync(new URL('../../fixtures/patch/fhir-patch-tests.xml', import.meta.url), 'utf8');

// The fixture is a flat list of <case> elements whose children are never nested in one
// another, so a string extraction is enough to hand each resource to the real XML parser.
function readCases(xml: string): PatchCase[] {
  return [...xml.matchAll(/<case\s+name="([^"]*)"\s+mode="([^"]*)"\s*>([\s\S]*?)<\/case>/g)].map((m) => {
    const body = m[3]!;
    const child = (tag: string) => new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(body)?.[1];
    const error = /<error\s+msg="([^"]*)"\s*\/>/.exec(body)?.[1];
    return {
      name: m[1]!,
      mode: m[2]!,
      input: child('input')!,
      diff: child('diff')!,
      output: child('output'),
      error: error === undefined ? undefined : decodeEntities(error),
    };
  });
}

function decodeEntities(text: string): string {
  return text
    .replace(/&apos;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

// Narrative divs are XHTML: the parser keeps the div's source text while a patched div is the
// decoded valueString, so both are compared as parsed markup rather than as strings.
function canonicalXhtml(markup: string): string {
  const parts: string[] = [];
  const parser = new SaxesParser({ xmlns: true });
  parser.on('opentag', (tag) => {
    const attrs = Object.values(tag.attributes)
      .map((a) => `${a.uri}|${a.local}=${a.value}`)
      .sort();
    parts.push(`<${tag.uri}|${tag.local} ${attrs.join(' ')}>`);
  });
  parser.on('text', (text) => {
    const squeezed = text.replace(/\s+/g, ' ');
    if (squeezed !== ' ') parts.push(squeezed);
  });
  parser.on('closetag', (tag) => parts.push(`</${tag.local}>`));
  parser.write(markup).close();
  return parts.join('');
}

function normaliseNarrative(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normaliseNarrative);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, v]) => [
      key,
      key === 'div' && typeof v === 'string' ? canonicalXhtml(v) : normaliseNarrative(v),
    ]),
  );
}

const cases = readCases(fixture);

describe('applyFhirPathPatch: fhir-test-cases r4/patch fixtures', () => {
  it('reads all 33 cases', () => expect(cases).to.have.length(33));

  for (const testCase of cases) {
    const knownFailure = KNOWN_FAILURES[testCase.name];
    const title = `${testCase.name} [${testCase.mode}]`;
    // "mode" only says whether the reference diff engine can also produce this diff
    // ("both") or only apply it ("forwards"); applying is all this module does.
    it(knownFailure ? `${title} (known failure: ${knownFailure})` : title, function () {
      const input = parseFhirXml(testCase.input);
      const diff = parseFhirXml(testCase.diff);
      const before = structuredClone(input);
      const attempt = () => applyFhirPathPatch(input, diff);
      if (knownFailure) {
        expect(() => {
          expect(normaliseNarrative(attempt())).to.deep.equal(
            normaliseNarrative(parseFhirXml(testCase.output!)),
          );
        }, 'known failure now passes: remove it from KNOWN_FAILURES').to.throw();
        return;
      }
      if (testCase.error !== undefined) {
        expect(attempt)
          .to.throw(FhirError)
          .that.satisfies((err: FhirError) => {
            expect(err.status).to.equal(422);
            expect(err.issues[0]?.code).to.equal('processing');
            expect(err.message).to.contain(testCase.error);
            return true;
          });
      } else {
        const expected = parseFhirXml(testCase.output!);
        expect(normaliseNarrative(attempt())).to.deep.equal(normaliseNarrative(expected));
      }
      expect(input).to.deep.equal(before);
    });
  }
});
