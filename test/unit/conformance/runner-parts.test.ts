import { expect } from 'chai';
import { missingFromMinimum } from '../../../conformance/runner/asserts.ts';
import { normalizeTestScript } from '../../../conformance/runner/normalize.ts';
import { applyOperator } from '../../../conformance/runner/operators.ts';
import { shiftDate, substitutePlaceholders } from '../../../conformance/runner/placeholders.ts';
import { evaluate } from '../../../conformance/runner/state.ts';
import { readLooseXml } from '../../../conformance/runner/xml-tree.ts';
import { xpathToFhirPath } from '../../../conformance/runner/xpath.ts';

describe('TestScript runner parts', () => {
  describe('Nictiz placeholders', () => {
    const t = new Date('2026-03-05T12:00:00Z');
    it('moves T by days, months and years, with or without spaces', () => {
      expect(
        substitutePlaceholders('${DATE, T, D, -10}|${DATE, T, D,+1}|${DATE, T, M, -1}|${DATE, T, Y, -3}', t),
      ).to.equal('2026-02-23|2026-03-06|2026-02-05|2023-03-05');
      expect(shiftDate(new Date('2024-03-31T00:00:00Z'), 'D', -31)).to.equal('2024-02-29');
    });
    it('CURRENTDATE is T, every UUID is fresh, variables are left alone', () => {
      const out = substitutePlaceholders('${CURRENTDATE} ${UUID} ${UUID} ${patient-token}', t);
      const [date, a, b, v] = out.split(' ');
      expect(date).to.equal('2026-03-05');
      expect(a).to.match(/^[0-9a-f-]{36}$/);
      expect(a).to.not.equal(b);
      expect(v).to.equal('${patient-token}');
    });
    it('UUID-ST is a fresh urn:uuid (a fullUrl), UUID-NODASH one without dashes', () => {
      const [st, st2, nodash] = substitutePlaceholders('${UUID-ST} ${UUID-ST} ${UUID-NODASH}', t).split(' ');
      expect(st).to.match(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(st).to.not.equal(st2);
      expect(nodash).to.match(/^[0-9a-f]{32}$/);
    });
  });

  describe('operators', () => {
    it('compare the first value found', () => {
      expect(applyOperator('equals', ['searchset'], 'searchset')?.ok).to.equal(true);
      expect(applyOperator('equals', ['history'], 'searchset')?.ok).to.equal(false);
      expect(applyOperator('in', ['201'], '200,201')?.ok).to.equal(true);
      expect(applyOperator('notIn', ['201'], '200, 201')?.ok).to.equal(false);
      expect(applyOperator('greaterThan', ['10'], '9')?.ok, 'numbers compare as numbers').to.equal(true);
      expect(applyOperator('lessThan', ['b'], 'a')?.ok).to.equal(false);
      expect(applyOperator('contains', ['application/fhir+xml'], 'xml')?.ok).to.equal(true);
      expect(applyOperator('notContains', ['abc'], 'b')?.ok).to.equal(false);
    });
    it('empty/notEmpty look at the whole result; nothing found fails a comparison', () => {
      expect(applyOperator('empty', [], undefined)?.ok).to.equal(true);
      expect(applyOperator('notEmpty', [], undefined)?.ok).to.equal(false);
      expect(applyOperator('equals', [], 'x')?.ok).to.equal(false);
    });
    it('negative operators hold for every value, so a second value cannot hide the excluded one', () => {
      expect(applyOperator('notEquals', ['Patient/anna', 'Patient/bram'], 'Patient/bram')?.ok).to.equal(
        false,
      );
      expect(applyOperator('notIn', ['a', 'b'], 'b,c')?.ok).to.equal(false);
      expect(applyOperator('notContains', ['abc', 'xyz'], 'y')?.ok).to.equal(false);
      expect(applyOperator('notEquals', ['a', 'c'], 'b')?.ok).to.equal(true);
    });
    it('an operator it does not know is undefined (skipped), never a pass', () => {
      expect(applyOperator('manualEval', ['x'], 'x')).to.equal(undefined);
      expect(applyOperator('eval', ['x'], 'x')).to.equal(undefined);
    });
  });

  it('minimumId: id, meta and text are ignored at the top only; nested text must be there', () => {
    const actual = {
      resourceType: 'X',
      id: 'a',
      text: { div: 'x' },
      note: [{ text: 'nothing' }],
      code: { coding: [{ code: '1' }, { code: '2' }] },
    };
    expect(missingFromMinimum(actual, { resourceType: 'X', id: 'other', text: { div: 'y' } })).to.equal(
      undefined,
    );
    expect(missingFromMinimum(actual, { code: { coding: [{ code: '2' }] } })).to.equal(undefined);
    expect(missingFromMinimum(actual, { note: [{ text: 'allergic' }] })).to.equal('note[0]');
    expect(missingFromMinimum(actual, { code: { coding: [{ code: '3' }] } })).to.equal('code.coding[0]');
  });

  it('translates plain XPath child paths to FHIRPath and nothing else', () => {
    expect(xpathToFhirPath('fhir:Patient/fhir:name/fhir:family/@value')).to.equal('Patient.name.family');
    expect(xpathToFhirPath('fhir:Bundle/fhir:type/@value')).to.equal('Bundle.type');
    expect(xpathToFhirPath('fhir:Patient/fhir:name[1]/fhir:family/@value')).to.equal(undefined);
    expect(xpathToFhirPath('count(fhir:Bundle/fhir:entry)')).to.equal(undefined);
    expect(xpathToFhirPath('fhir:Patient/@id')).to.equal(undefined);
  });

  it("reads Nictiz's R5-layout XML: canonical profiles, rule extensions, foreign namespaces dropped", () => {
    const { root, tree } = readLooseXml(`<?xml version="1.0"?>
      <TestScript xmlns="http://hl7.org/fhir" xmlns:nts="http://nictiz.nl/xsl/testscript">
        <id value="s1"/><name value="S1"/>
        <profile id="Bundle-profile" value="http://hl7.org/fhir/StructureDefinition/Bundle"/>
        <nts:include value="ignored"/>
        <test><name value="t"/>
          <action><assert>
            <extension url="http://touchstone.aegis.net/touchstone/fhir/testing/StructureDefinition/testscript-assert-rule">
              <extension url="ruleId"><valueId value="assert-response-queryParamsInSelfLink"/></extension>
            </extension>
            <warningOnly value="true"/>
          </assert></action>
          <action><assert><expression value="Bundle.total.exists()"/><stopTestOnFail value="true"/></assert></action>
        </test>
      </TestScript>`);
    expect(root).to.equal('TestScript');
    const script = normalizeTestScript(tree as Record<string, unknown>, 'x.xml');
    expect(script.profiles.get('Bundle-profile')).to.equal('http://hl7.org/fhir/StructureDefinition/Bundle');
    const [rule, expr] = script.tests[0]!.actions.map((a) => ('assert' in a ? a.assert : undefined));
    expect(rule?.rule).to.equal('assert-response-queryParamsInSelfLink');
    expect(rule?.warningOnly).to.equal(true);
    expect(expr?.expression).to.equal('Bundle.total.exists()');
    expect(expr?.stopTestOnFail).to.equal(true);
    expect(JSON.stringify(tree)).to.not.contain('ignored');
  });

  it("reads a lower-case type name (Nictiz's is(coding)) as the FHIR type, so the assert checks something", () => {
    const bundle = {
      resourceType: 'Medication',
      code: { coding: [{ system: 'urn:oid:2.16.840.1.113883.2.4.3.11.60.40.2.1', code: 'x' }] },
    };
    const expr =
      "Medication.descendants().where($this.is(coding)).where(system.startsWith('urn:oid:2.16.840.1.113883.2.4.3.11.60.40.2')).exists().not()";
    expect(evaluate(bundle, expr)).to.deep.equal([false]);
  });
});
