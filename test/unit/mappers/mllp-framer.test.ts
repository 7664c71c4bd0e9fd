import { expect } from 'chai';
import { CR, FS, frame, MllpFramer, VT, type FrameEvent } from '../../../server/hl7v2/mllp-framer.ts';

const frames = (events: FrameEvent[]) =>
  events.map((e) => ('frame' in e ? e.frame.toString('latin1') : 'TOO LARGE'));

describe('MLLP framing', () => {
  it('one frame, noise around it skipped', () => {
    const f = new MllpFramer(100);
    expect(
      frames(
        f.push(Buffer.concat([Buffer.from('\r\nnoise'), frame(Buffer.from('MSH|a')), Buffer.from('\n')])),
      ),
    ).to.deep.equal(['MSH|a']);
  });

  it('a frame in pieces, also with FS and CR in different pieces; two frames in one piece', () => {
    const f = new MllpFramer(100);
    const whole = Buffer.concat([frame(Buffer.from('MSH|one')), frame(Buffer.from('MSH|two'))]);
    const fsAt = whole.indexOf(FS);
    expect(frames(f.push(whole.subarray(0, fsAt + 1)))).to.deep.equal([]);
    expect(frames(f.push(whole.subarray(fsAt + 1)))).to.deep.equal(['MSH|one', 'MSH|two']);
    const g = new MllpFramer(100);
    const out: string[] = [];
    for (const byte of whole) out.push(...frames(g.push(Buffer.from([byte]))));
    expect(out).to.deep.equal(['MSH|one', 'MSH|two']);
  });

  it('an FS not followed by CR is part of the message', () => {
    const f = new MllpFramer(100);
    const raw = Buffer.from([VT, 0x41, FS, 0x42, FS, CR]);
    expect(frames(f.push(raw))).to.deep.equal(['A\x1cB']);
  });

  it('a frame past the limit is refused as it grows, the rest of it skipped, and the next one read', () => {
    const f = new MllpFramer(10);
    const big = frame(Buffer.alloc(25, 0x41));
    expect(frames(f.push(big.subarray(0, 15)))).to.deep.equal(['TOO LARGE']);
    expect(frames(f.push(Buffer.concat([big.subarray(15), frame(Buffer.from('MSH|ok'))])))).to.deep.equal([
      'MSH|ok',
    ]);
  });
});
