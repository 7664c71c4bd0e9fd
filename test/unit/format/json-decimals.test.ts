import { expect } from 'chai';
import {
  cloneFhirJson,
  decimalText,
  parseFhirJson,
  setDecimalText,
  stringifyFhirJson,
} from '../../../server/fhir/format/json.ts';
import { parseFhirXml, toFhirXml } from '../../../server/fhir/format/xml/index.ts';
import { applyFhirPathPatch, applyJsonPatch } from '../../../server/fhir/patch/index.ts';
import { applyElements } from '../../../server/fhir/search/shape.ts';
import { rewriteReferences } from '../../../server/fhir/bundle/references.ts';

type Json = Record<string, any>;

const TEXT =
  '{"resourceType":"Observation","status":"final","code":{"text":"k"},' +
  '"valueQuantity":{"value":5.0,"unit":"mmol/L"},' +
  '"referenceRange":[{"low":{"value":0.010},"high":{"value":100}},{"low":{"value":1.50e2}},' +
  '{"low":{"value":0.1234567890123456789}},{"low":{"value":1e-3}},{"low":{"value":-0}}]}';

describe('FHIR JSON decimals as written (server/fhir/format/json.ts)', () => {
  it('round-trips every number as written, while the model holds plain numbers', () => {
    const obs = parseFhirJson(TEXT) as Json;
    expect(obs.valueQuantity.value).to.equal(5);
    expect(obs.referenceRange[1].low.value).to.equal(150);
    expect(stringifyFhirJson(obs)).to.equal(TEXT);
    expect(stringifyFhirJson(cloneFhirJson(obs))).to.equal(TEXT);
    expect(JSON.parse(stringifyFhirJson(obs, 2))).to.deep.equal(JSON.parse(TEXT));
    expect(stringifyFhirJson(obs, 2)).to.contain('"value": 5.0,');
  });

  it('takes the fast path when every number is written as a double prints it', () => {
    const text = '{"a":[1,2.5,100,-3],"b":"5.0 mg","c":{"d":0.5}}';
    const parsed = parseFhirJson(text) as Json;
    expect(Object.getOwnPropertySymbols(parsed.c)).to.have.length(0);
    expect(stringifyFhirJson(parsed)).to.equal(text);
  });

  it('forgets a text once its number changes, and a spread copy keeps texts', () => {
    const obs = parseFhirJson(TEXT) as Json;
    const copy = { ...obs.valueQuantity };
    obs.valueQuantity.value = 6;
    expect(stringifyFhirJson(obs.valueQuantity)).to.equal('{"value":6,"unit":"mmol/L"}');
    expect(decimalText(copy, 'value')).to.equal('5.0');
    setDecimalText(copy, 'value', '5.00');
    expect(stringifyFhirJson(copy)).to.equal('{"value":5.00,"unit":"mmol/L"}');
    obs.valueQuantity.value = 5;
    expect(decimalText(obs.valueQuantity, 'value')).to.equal('5.0'); // a copy's change stays in the copy
  });

  it('XML in and out keeps the written text of decimals', () => {
    const xml = toFhirXml(parseFhirJson(TEXT) as Json);
    expect(xml).to.contain('<value value="5.0"/>').and.contain('<value value="0.010"/>');
    expect(xml).to.contain('<value value="1.50e2"/>').and.contain('<value value="0.1234567890123456789"/>');
    expect(stringifyFhirJson(parseFhirXml(xml))).to.equal(TEXT);
  });

  it('_elements, reference rewriting and patches keep the texts', () => {
    const obs = parseFhirJson(TEXT) as Json;
    expect(stringifyFhirJson(applyElements(obs as never, ['value']))).to.contain('"value":5.0,');
    expect(stringifyFhirJson(rewriteReferences(obs, new Map()))).to.equal(TEXT);
    const jsonPatched = applyJsonPatch(
      obs,
      parseFhirJson(
        '[{"op":"replace","path":"/status","value":"amended"},' +
          '{"op":"replace","path":"/referenceRange/0/high/value","value":2.50},' +
          '{"op":"replace","path":"/referenceRange/1/low/value","value":150},' +
          '{"op":"copy","from":"/valueQuantity","path":"/referenceRange/2/high"}]',
      ),
    );
    const out = stringifyFhirJson(jsonPatched);
    expect(out).to.contain('"valueQuantity":{"value":5.0,').and.contain('"low":{"value":0.010}');
    expect(out).to.contain('"high":{"value":2.50}').and.contain('{"low":{"value":150}}');
    expect(out).to.contain('"high":{"value":5.0,"unit":"mmol/L"}');
    const fhirPathPatched = applyFhirPathPatch(
      obs,
      parseFhirJson(
        '{"resourceType":"Parameters","parameter":[{"name":"operation","part":[' +
          '{"name":"type","valueCode":"replace"},{"name":"path","valueString":"Observation.referenceRange[0].low.value"},' +
          '{"name":"value","valueDecimal":0.0100}]}]}',
      ),
    );
    const out2 = stringifyFhirJson(fhirPathPatched);
    expect(out2).to.contain('"valueQuantity":{"value":5.0,').and.contain('"low":{"value":0.0100}');
    expect(stringifyFhirJson(obs)).to.equal(TEXT); // patches work on a copy
  });
});
