import { expect } from 'chai';
import { and, FALSE, or, TRUE } from '../../../server/fhir/search/conditions.ts';
import type { Condition } from '../../../server/fhir/search/types.ts';

const a: Condition = { kind: 'compartment', compartmentType: 'Patient', compartmentId: 'a' };
const b: Condition = { kind: 'compartment', compartmentType: 'Patient', compartmentId: 'b' };

describe('condition builders', () => {
  it('an empty or matches nothing and an empty and everything', () => {
    expect(or([])).to.deep.equal(FALSE);
    expect(and([])).to.deep.equal(TRUE);
  });
  it('true and false absorb or vanish as in logic', () => {
    expect(or([a, TRUE])).to.deep.equal(TRUE);
    expect(or([FALSE, a])).to.deep.equal(a);
    expect(and([a, FALSE])).to.deep.equal(FALSE);
    expect(and([TRUE, a])).to.deep.equal(a);
    expect(or([FALSE, FALSE])).to.deep.equal(FALSE);
    expect(and([TRUE, TRUE])).to.deep.equal(TRUE);
  });
  it('keeps real alternatives', () => {
    expect(or([a, b])).to.deep.equal({ kind: 'or', args: [a, b] });
    expect(and([a, b])).to.deep.equal({ kind: 'and', args: [a, b] });
  });
});
