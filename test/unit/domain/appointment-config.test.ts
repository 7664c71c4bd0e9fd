import { expect } from 'chai';
import { practiceConfig } from '../../../server/domain/practice/config.ts';

describe('the webagenda’s settings (PRACTICE_MAX_OPEN_APPOINTMENTS, PRACTICE_CANCEL_HOURS)', () => {
  it('defaults to 3 open appointments and cancelling up to 24 hours before', () => {
    expect(practiceConfig({}).appointments).to.deep.equal({ maxOpen: 3, cancelNoticeSeconds: 24 * 3600 });
  });

  it('reads both from the environment, hours as a fraction too', () => {
    const c = practiceConfig({ PRACTICE_MAX_OPEN_APPOINTMENTS: '5', PRACTICE_CANCEL_HOURS: '1.5' });
    expect(c.appointments).to.deep.equal({ maxOpen: 5, cancelNoticeSeconds: 5400 });
  });

  it('refuses to start on a value that is no number, saying which setting', () => {
    expect(() => practiceConfig({ PRACTICE_MAX_OPEN_APPOINTMENTS: 'drie' })).to.throw(
      /PRACTICE_MAX_OPEN_APPOINTMENTS must be a non-negative integer/,
    );
    expect(() => practiceConfig({ PRACTICE_CANCEL_HOURS: '-1' })).to.throw(/PRACTICE_CANCEL_HOURS/);
  });
});
