import { lumaCoefficients } from '../color-matrix.js';
import { frameSize } from '../frame-size.js';

/** Samples per axis averaged for each output pixel: enough to cover a 5× downscale without aliasing badly. */
const SAMPLES = 3;

/**
 * Downscales a VideoFrame to the model's input size on the CPU, from the
 * frame's own planes. Tier 4 needs this: drawing a GPU-backed camera frame
 * into a CPU canvas costs ~700 ms over SwiftShader, while `copyTo` of a 720p
 * NV12 frame costs ~5 ms and this loop a few more.
 */
export class CpuFrameScaler {
  private buffer = new Uint8Array(0);
  /** Milliseconds the last `copyTo` took (the rest of `scale` is the downscale loop). */
  lastCopyMs = 0;

  async scale(frame: VideoFrame, width: number, height: number): Promise<ImageData> {
    const native = frame.format === 'I420' || frame.format === 'NV12' || frame.format === 'RGBA' || frame.format === 'RGBX' || frame.format === 'BGRA' || frame.format === 'BGRX';
    const options: VideoFrameCopyToOptions = native ? {} : { format: 'RGBA' };
    const size = frame.allocationSize(options);
    if (this.buffer.byteLength < size) this.buffer = new Uint8Array(size);
    const copyStarted = performance.now();
    const layout = await frame.copyTo(this.buffer, options);
    this.lastCopyMs = performance.now() - copyStarted;
    const format = native ? frame.format : 'RGBA';
    const source = frameSize(frame);
    const out = new ImageData(width, height);
    const data = out.data;
    const sample = this.sampler(frame, format, layout, source.width, source.height);
    const rgb = [0, 0, 0];
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        let r = 0;
        let g = 0;
        let b = 0;
        for (let sy = 0; sy < SAMPLES; sy++) {
          const srcY = Math.min(source.height - 1, Math.floor(((y + (sy + 0.5) / SAMPLES) * source.height) / height));
          for (let sx = 0; sx < SAMPLES; sx++) {
            const srcX = Math.min(source.width - 1, Math.floor(((x + (sx + 0.5) / SAMPLES) * source.width) / width));
            sample(srcX, srcY, rgb);
            r += rgb[0]!;
            g += rgb[1]!;
            b += rgb[2]!;
          }
        }
        const i = (y * width + x) * 4;
        const n = SAMPLES * SAMPLES;
        data[i] = r / n;
        data[i + 1] = g / n;
        data[i + 2] = b / n;
        data[i + 3] = 255;
      }
    }
    return out;
  }

  /** A function that writes the RGB (0–255) of source pixel (x, y) into `out`. */
  private sampler(frame: VideoFrame, format: string | null, layout: PlaneLayout[], _width: number, _height: number): (x: number, y: number, out: number[]) => void {
    const buffer = this.buffer;
    const [p0, p1, p2] = layout;
    if (format === 'I420' || format === 'NV12') {
      const [kr, kb] = lumaCoefficients(frame);
      const kg = 1 - kr - kb;
      const full = frame.colorSpace.fullRange === true;
      const nv12 = format === 'NV12';
      return (x, y, out) => {
        let luma = buffer[p0!.offset + y * p0!.stride + x]!;
        const cx = x >> 1;
        const cy = y >> 1;
        let cb = nv12 ? buffer[p1!.offset + cy * p1!.stride + cx * 2]! : buffer[p1!.offset + cy * p1!.stride + cx]!;
        let cr = nv12 ? buffer[p1!.offset + cy * p1!.stride + cx * 2 + 1]! : buffer[p2!.offset + cy * p2!.stride + cx]!;
        cb -= 128;
        cr -= 128;
        if (!full) {
          luma = (luma - 16) * (255 / 219);
          cb *= 255 / 224;
          cr *= 255 / 224;
        }
        out[0] = luma + 2 * (1 - kr) * cr;
        out[1] = luma - (2 * kb * (1 - kb) * cb + 2 * kr * (1 - kr) * cr) / kg;
        out[2] = luma + 2 * (1 - kb) * cb;
      };
    }
    const bgr = format === 'BGRA' || format === 'BGRX';
    return (x, y, out) => {
      const i = p0!.offset + y * p0!.stride + x * 4;
      out[0] = buffer[bgr ? i + 2 : i]!;
      out[1] = buffer[i + 1]!;
      out[2] = buffer[bgr ? i : i + 2]!;
    };
  }
}
