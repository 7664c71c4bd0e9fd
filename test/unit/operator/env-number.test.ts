import { expect } from 'chai';
import { envNumber } from '../../../server/env-number.ts';

describe('number settings from the environment (server/env-number.ts)', () => {
  it('gives the default when unset or empty, else the value', () => {
    expect(envNumber({}, 'X', 7)).to.equal(7);
    expect(envNumber({ X: '' }, 'X', 7)).to.equal(7);
    expect(envNumber({ X: '1.5' }, 'X', 7)).to.equal(1.5);
    expect(envNumber({ X: '0' }, 'X', 7, { integer: true })).to.equal(0);
  });

  it('refuses what the setting cannot be, naming it and the rule', () => {
    expect(() => envNumber({ X: 'drie' }, 'X', 7)).to.throw("X must be a non-negative number, got 'drie'");
    expect(() => envNumber({ X: '-1' }, 'X', 7, { integer: true })).to.throw(
      "X must be a non-negative integer, got '-1'",
    );
    expect(() => envNumber({ X: '2.5' }, 'X', 7, { integer: true })).to.throw(/non-negative integer/);
    expect(() => envNumber({ X: '0' }, 'X', 7, { positive: true })).to.throw(
      "X must be a positive number, got '0'",
    );
    expect(() => envNumber({ X: '0' }, 'X', 7, { integer: true, min: 1 })).to.throw(
      "X must be an integer of at least 1, got '0'",
    );
    expect(() => envNumber({ X: 'Infinity' }, 'X', 7)).to.throw(/non-negative number/);
  });
});
