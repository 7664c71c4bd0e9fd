import { expect } from 'chai';
import { csvField } from '../../../server/domain/referral/referral-report.ts';

describe('referral report CSV fields (RFC 4180)', () => {
  it('quotes a field with a comma, quote or line break, doubling quotes; leaves others as they are', () => {
    expect(csvField('Cardiologie')).to.equal('Cardiologie');
    expect(csvField(undefined)).to.equal('');
    expect(csvField('a,b')).to.equal('"a,b"');
    expect(csvField('zeg "ja"')).to.equal('"zeg ""ja"""');
    expect(csvField('twee\r\nregels')).to.equal('"twee\r\nregels"');
  });

  it('makes a cell a spreadsheet would run as a formula text', () => {
    expect(csvField('=1+1')).to.equal("'=1+1");
    expect(csvField('+31 20')).to.equal("'+31 20");
    expect(csvField('-5')).to.equal("'-5");
    expect(csvField('@SUM(A1)')).to.equal("'@SUM(A1)");
    expect(csvField('=HYPERLINK("x","y")')).to.equal(`"'=HYPERLINK(""x"",""y"")"`);
  });
});
