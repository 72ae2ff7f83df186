import { expect } from '@open-wc/testing';
import { coefficientsFor, planarToRgba, type PlanarFormat } from '../gpu/cpu/planar-to-rgba.js';
import { RgbaCopier } from '../gpu/cpu/copy-rgba.js';

const WIDTH = 64;
const HEIGHT = 36;

/** A 4:2:0 frame with every plane a different ramp, so that a swapped plane or a wrong matrix shows. */
function planarFrame(format: PlanarFormat, colorSpace: VideoColorSpaceInit): VideoFrame {
  const luma = WIDTH * HEIGHT;
  const chroma = (WIDTH / 2) * (HEIGHT / 2);
  const data = new Uint8Array(luma + 2 * chroma);
  for (let y = 0; y < HEIGHT; y++) for (let x = 0; x < WIDTH; x++) data[y * WIDTH + x] = 16 + ((x * 7 + y * 3) % 220);
  for (let i = 0; i < chroma; i++) {
    const u = 40 + ((i * 5) % 180);
    const v = 200 - ((i * 3) % 170);
    if (format === 'I420') {
      data[luma + i] = u;
      data[luma + chroma + i] = v;
    } else {
      data[luma + 2 * i] = u;
      data[luma + 2 * i + 1] = v;
    }
  }
  return new VideoFrame(data, { format, codedWidth: WIDTH, codedHeight: HEIGHT, timestamp: 0, colorSpace });
}

async function browserRgba(frame: VideoFrame): Promise<Uint8ClampedArray> {
  const rgba = new Uint8ClampedArray(WIDTH * HEIGHT * 4);
  await frame.copyTo(rgba, { format: 'RGBA' });
  return rgba;
}

/** Mean and largest absolute difference over R, G and B. */
function difference(a: Uint8ClampedArray, b: Uint8ClampedArray): { mean: number; max: number } {
  let sum = 0;
  let max = 0;
  for (let i = 0; i < a.length; i += 4) {
    for (let c = 0; c < 3; c++) {
      const d = Math.abs(a[i + c]! - b[i + c]!);
      sum += d;
      max = Math.max(max, d);
    }
  }
  return { mean: sum / ((a.length / 4) * 3), max };
}

describe('planar-to-rgba: 4:2:0 frames converted on the CPU match the browser', () => {
  const spaces: [string, VideoColorSpaceInit][] = [
    ['BT.601, limited range', { matrix: 'smpte170m', fullRange: false }],
    ['BT.601, full range (JPEG cameras)', { matrix: 'smpte170m', fullRange: true }],
    ['BT.709, limited range', { matrix: 'bt709', fullRange: false }],
    ['BT.709, full range', { matrix: 'bt709', fullRange: true }],
  ];
  for (const format of ['I420', 'NV12'] as const) {
    for (const [name, colorSpace] of spaces) {
      it(`${format}, ${name}`, async () => {
        const frame = planarFrame(format, colorSpace);
        try {
          const expected = await browserRgba(frame);
          const planes = new Uint8Array(frame.allocationSize());
          const layout = await frame.copyTo(planes);
          const ours = new Uint8ClampedArray(WIDTH * HEIGHT * 4).fill(7);
          planarToRgba(format, planes, layout, WIDTH, HEIGHT, coefficientsFor(frame.colorSpace)!, ours);
          const { mean, max } = difference(ours, expected);
          console.log(`${format}, ${name}: mean ${mean.toFixed(2)}, max ${max}`);
          // Chromium rounds through its own fixed point, and for BT.709 it filters the chroma where this code repeats each
          // sample: on this pattern's sharp chroma steps that is up to 10 levels (0.99 on average; flat colours agree within 1).
          // A wrong matrix, range or plane order is tens of levels on average.
          expect(mean, 'mean difference per channel').to.be.below(1.5);
          expect(max, 'largest difference').to.be.at.most(12);
          for (let i = 3; i < ours.length; i += 4) expect(ours[i], 'alpha').to.equal(255);
        } finally {
          frame.close();
        }
      });
    }
  }

  it('a matrix it does not know is left to the browser', () => {
    expect(coefficientsFor(new VideoColorSpace({ matrix: 'rgb' }))).to.equal(null);
  });

  it('RgbaCopier times both ways on the first planar frames, then keeps one, and its output matches the browser either way', async () => {
    const copier = new RgbaCopier();
    for (let i = 0; i < 8; i++) {
      const frame = planarFrame('I420', { matrix: 'bt709', fullRange: false });
      try {
        const expected = await browserRgba(frame);
        const target = new Uint8ClampedArray(WIDTH * HEIGHT * 4);
        await copier.copy(frame, target, WIDTH);
        expect(difference(target, expected).mean, `frame ${i}`).to.be.below(1.5);
      } finally {
        frame.close();
      }
      if (i < 5) expect(copier.planarWay, `after frame ${i}: still on trial`).to.equal(null);
    }
    expect(copier.planarWay).to.be.oneOf(['browser', 'own']);
  });
});
