import { expect } from 'chai';
import { isPersonCard, parseUziOtherName } from '../../../server/auth/uzi/uzi-card.ts';

describe('UZI subjectAltName (otherName 2.5.5.5)', () => {
  it('reads the seven fields', () => {
    expect(
      parseUziOtherName('2.16.528.1.1003.1.3.5.5.2-1-12345678-Z-90000380-01.015-00000000'),
    ).to.deep.equal({
      caOid: '2.16.528.1.1003.1.3.5.5.2',
      version: '1',
      uziNumber: '12345678',
      cardType: 'Z',
      subscriber: '90000380',
      roleCode: '01.015',
      agb: '00000000',
    });
  });

  it('refuses what is not in the layout', () => {
    for (const bad of [
      '',
      '2.16.528.1.1003.1.3.5.5.2-1-12345678-X-90000380-01.015-00000000',
      '2.16.528.1.1003.1.3.5.5.2-1-12345678-Z-90000380-1.15-00000000',
      '2.16.528.1.1003.1.3.5.5.2-1-12345678-Z-90000380-01.015',
      'not-an-oid-1-12345678-Z-90000380-01.015-00000000',
    ]) {
      expect(parseUziOtherName(bad), bad).to.equal(undefined);
    }
  });

  it('only named cards (Z, N) log in a person', () => {
    const card = (t: string) => parseUziOtherName(`2.16.528.1.1003.1.3.5.5.2-1-1-${t}-1-00.000-0`)!;
    expect(['Z', 'N', 'M', 'S'].map((t) => isPersonCard(card(t)))).to.deep.equal([true, true, false, false]);
  });
});
