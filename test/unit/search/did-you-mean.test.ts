import { expect } from 'chai';
import { closest, didYouMean, editDistance } from '../../../server/fhir/did-you-mean.ts';
import { resourceTypes } from '../../../server/fhir/model/type-info.ts';
import { suggestParameter } from '../../../server/fhir/search/known-names.ts';

const PATIENT = ['name', 'family', 'given', 'birthdate', 'gender', 'identifier', '_id', '_lastUpdated'];

describe('did you mean', () => {
  describe('editDistance', () => {
    const cases: [string, string, number][] = [
      ['', '', 0],
      ['name', 'name', 0],
      ['', 'name', 4],
      ['name', '', 4],
      ['nmae', 'name', 1], // adjacent swap: one edit
      ['nam', 'name', 1],
      ['naame', 'name', 1],
      ['nome', 'name', 1],
      ['brithdate', 'birthdate', 1],
      ['kitten', 'sitting', 3],
      ['ca', 'abc', 3], // optimal string alignment, not full Damerau (which gives 2)
    ];
    for (const [a, b, d] of cases) {
      it(`${a || '""'} → ${b || '""'}: ${d}`, () => {
        expect(editDistance(a, b)).to.equal(d);
        expect(editDistance(b, a)).to.equal(d);
      });
    }
  });

  describe('closest', () => {
    it('finds a swapped, missing, extra or wrong letter', () => {
      expect(closest('nmae', PATIENT)).to.equal('name');
      expect(closest('familly', PATIENT)).to.equal('family');
      expect(closest('birthdat', PATIENT)).to.equal('birthdate');
      expect(closest('gendr', PATIENT)).to.equal('gender');
    });

    it('prefers a candidate that differs only in case', () => {
      expect(closest('_lastupdated', PATIENT)).to.equal('_lastUpdated');
      expect(closest('patient', resourceTypes)).to.equal('Patient');
      expect(closest('Patients', resourceTypes)).to.equal('Patient');
      expect(closest('observation', resourceTypes)).to.equal('Observation');
    });

    it('allows one edit under six characters, two from there on', () => {
      expect(closest('nm', PATIENT), 'two of four letters wrong').to.equal(undefined);
      expect(closest('xame', PATIENT)).to.equal('name');
      expect(closest('xxme', PATIENT), 'two edits on four letters').to.equal(undefined);
      expect(closest('bxrthdaxe', PATIENT), 'two edits on nine letters').to.equal('birthdate');
      expect(closest('bxrthxaxe', PATIENT), 'three edits').to.equal(undefined);
    });

    it('suggests nothing for an exact match, an empty or a very long name', () => {
      expect(closest('name', PATIENT)).to.equal(undefined);
      expect(closest('', PATIENT)).to.equal(undefined);
      expect(closest(`name${'x'.repeat(100)}`, PATIENT)).to.equal(undefined);
    });

    it('breaks ties the same way every time (alphabetically)', () => {
      expect(closest('cat', ['car', 'bat'])).to.equal('bat');
      expect(closest('cat', ['bat', 'car'])).to.equal('bat');
    });
  });

  it('didYouMean is a phrase to append, or nothing', () => {
    expect(didYouMean('nmae', PATIENT)).to.equal(" — did you mean 'name'?");
    expect(didYouMean('zzqqxx', PATIENT)).to.equal('');
  });

  describe('suggestParameter', () => {
    it('compares the code and keeps the modifier or chain that follows it', () => {
      expect(suggestParameter('nmae', PATIENT)).to.equal(" — did you mean 'name'?");
      expect(suggestParameter('nmae:exact', PATIENT)).to.equal(" — did you mean 'name:exact'?");
      expect(suggestParameter('idnetifier:of-type', PATIENT)).to.equal(
        " — did you mean 'identifier:of-type'?",
      );
      expect(suggestParameter('subjet.name', ['subject'])).to.equal(" — did you mean 'subject.name'?");
    });

    it('suggests nothing when the code is close to nothing', () => {
      expect(suggestParameter('zzqqxx:exact', PATIENT)).to.equal('');
      expect(suggestParameter(':exact', PATIENT)).to.equal('');
    });
  });
});
