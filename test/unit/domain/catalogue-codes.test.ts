import { expect } from 'chai';
import { ageOn } from '../../../server/domain/referral/catalogue-request.ts';
import {
  careQuestionsBelow,
  codesNamed,
  icpcMatching,
  REFERRAL_CODE_SYSTEMS,
} from '../../../server/domain/referral/catalogue-terminology.ts';
import { ADMIN_FUNCTIONS, CARE_FUNCTIONS } from '../../../server/domain/referral/vocabulary.ts';

describe('care catalogue codes', () => {
  it('a patient turns a year older on their birthday, not the day before', () => {
    expect(ageOn('2016-09-02', '2026-09-01')).to.equal(9);
    expect(ageOn('2016-09-02', '2026-09-02')).to.equal(10);
    expect(ageOn('1958', '2026-12-07')).to.equal(68);
    expect(ageOn('1958-12', '2026-12-07')).to.equal(68);
  });

  it('a specialism holds its questions; a question only itself', () => {
    expect(careQuestionsBelow('cardiologie')).to.include.members([
      'cardiologie',
      'cardiologie.pijn-op-de-borst',
    ]);
    expect(careQuestionsBelow('diagnostiek')).to.include('diagnostiek.laboratorium.bloed');
    expect(careQuestionsBelow('orthopedie.knieklachten')).to.deep.equal(['orthopedie.knieklachten']);
    expect(careQuestionsBelow('onbekend')).to.deep.equal([]);
  });

  it('an ICPC code matches its three-character code and its known subcodes', () => {
    expect(icpcMatching('T90.02').sort()).to.deep.equal(['T90', 'T90.02']);
    expect(icpcMatching('T90').sort()).to.deep.equal(['T90', 'T90.01', 'T90.02']);
    expect(icpcMatching('K74')).to.deep.equal(['K74']);
  });

  it('a word names the codes whose display holds it, accents ignored, and those below them', () => {
    expect(codesNamed('rontgen').careQuestions).to.deep.equal(['diagnostiek.beeldvorming.rontgen']);
    expect(codesNamed('Cardiologie').careQuestions).to.include('cardiologie.hartfalen');
    expect(codesNamed('eczeem').icpc.sort()).to.deep.equal(['S87', 'S88']);
  });

  it('the referral-function CodeSystem has exactly the functions of vocabulary.ts', () => {
    const functions = REFERRAL_CODE_SYSTEMS.find((s) => s.id === 'referral-function')!;
    expect(functions.concept!.map((c) => c.code)).to.deep.equal([...CARE_FUNCTIONS, ...ADMIN_FUNCTIONS]);
  });
});
