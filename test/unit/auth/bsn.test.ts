import { expect } from 'chai';
import { isValidBsn } from '../../../server/auth/resolve-person.ts';

describe('BSN 11-test', () => {
  it('accepts numbers that pass it', () => {
    for (const bsn of ['999999990', '111222333', '123456782']) expect(isValidBsn(bsn), bsn).to.equal(true);
  });
  it('refuses numbers that fail it, and what is not nine digits', () => {
    for (const bsn of ['123456789', '999999991', '000000000', '12345678', '1234567820', '12345678a', ''])
      expect(isValidBsn(bsn), bsn).to.equal(false);
  });
});
