import type { FrameRoutes } from '../../contract/stats.js';
import { RgbaCopier } from '../cpu/copy-rgba.js';
import { CanvasFrameOutput } from './canvas-frame-output.js';
import { ExternalFrameImporter } from './external-frame-import.js';
import { alignedBytesPerRow, GpuPasses } from './gpu-passes.js';
import { packRows } from './padded-rows.js';

export type { FrameRoutes };

/** The routes that work on every WebGPU device: VideoFrame.copyTo and an upload in, a read-back out. */
export function copyRoutes(why: string): FrameRoutes {
  return { in: 'copy', out: 'readback', why };
}

/** The canary: four flat quadrants, so that a swapped channel, a flip or a blank shows at each quadrant's centre. */
const CANARY_SIZE = 32;
const QUADRANT_COLOURS: readonly (readonly [number, number, number])[] = [
  [200, 40, 40],
  [40, 200, 40],
  [40, 40, 200],
  [230, 230, 90],
];
/** Most a canary pixel may differ from its colour, per channel (0–255): rounding and colour conversion, not a wrong route. */
const CANARY_TOLERANCE = 6;

/**
 * Probes the zero-copy routes on a device of their own (a new adapter's, which
 * is destroyed after), so that a route that loses its device costs nothing
 * but the probe: in Chromium 156 over SwiftShader both lose the device ("A
 * valid external Instance reference no longer exists"). Each route is trusted
 * only if its canary frame comes out right and the device is still there
 * after both ran; otherwise the copy route runs.
 */
export async function probeFrameRoutes(): Promise<FrameRoutes> {
  let adapter: GPUAdapter | null;
  try {
    adapter = await navigator.gpu.requestAdapter();
  } catch (error) {
    return copyRoutes(`the zero-copy probe got no adapter (${String(error)})`);
  }
  if (!adapter) return copyRoutes('the zero-copy probe got no adapter');
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice();
  } catch (error) {
    return copyRoutes(`the zero-copy probe got no device (${String(error)})`);
  }
  let lost: string | null = null;
  void device.lost.then((info) => {
    lost ??= info.message || info.reason || 'lost';
  });
  try {
    const inFault = await faultOf(() => canaryIn(device));
    const outFault = await faultOf(() => canaryOut(device));
    // Over SwiftShader this rejects ("A valid external Instance reference no longer exists") when a route broke the device.
    const settled = await faultOf(async () => {
      await device.queue.onSubmittedWorkDone();
      return null;
    });
    // A loss is told asynchronously: give it a turn before it is read.
    await new Promise((resolve) => setTimeout(resolve, 0));
    if (lost !== null || settled !== null) return copyRoutes(`the zero-copy routes lost the probe's device (${lost ?? settled})`);
    return {
      in: inFault === null ? 'external' : 'copy',
      out: outFault === null ? 'canvas' : 'readback',
      why: [
        inFault === null ? 'importExternalTexture gave the canary frame right' : `importExternalTexture: ${inFault}`,
        outFault === null ? 'a VideoFrame of a WebGPU canvas gave it right' : `a VideoFrame of a WebGPU canvas: ${outFault}`,
      ].join('; '),
    };
  } finally {
    device.destroy();
    // The adapter must outlive its device (see webgpu-probe.ts).
    void adapter;
  }
}

/** Null when `canary` passed; else what went wrong, in words. */
async function faultOf(canary: () => Promise<string | null>): Promise<string | null> {
  try {
    return await canary();
  } catch (error) {
    return `failed (${error instanceof Error ? error.message : String(error)})`;
  }
}

function canaryPixels(): Uint8Array {
  const pixels = new Uint8Array(CANARY_SIZE * CANARY_SIZE * 4);
  const half = CANARY_SIZE / 2;
  for (let y = 0; y < CANARY_SIZE; y++) {
    for (let x = 0; x < CANARY_SIZE; x++) {
      const [r, g, b] = QUADRANT_COLOURS[(y < half ? 0 : 2) + (x < half ? 0 : 1)]!;
      pixels.set([r, g, b, 255], (y * CANARY_SIZE + x) * 4);
    }
  }
  return pixels;
}

/** Null when each quadrant's centre of `rgba` (tight rows) shows its colour. */
function canaryFault(rgba: Uint8Array | Uint8ClampedArray): string | null {
  const quarter = CANARY_SIZE / 4;
  for (let q = 0; q < 4; q++) {
    const x = (q % 2) * 2 * quarter + quarter;
    const y = Math.floor(q / 2) * 2 * quarter + quarter;
    const at = (y * CANARY_SIZE + x) * 4;
    const got = [rgba[at]!, rgba[at + 1]!, rgba[at + 2]!];
    const want = QUADRANT_COLOURS[q]!;
    if (got.some((value, channel) => Math.abs(value - want[channel]!) > CANARY_TOLERANCE)) {
      return `the canary came out wrong (rgb ${got.join(', ')} where ${want.join(', ')} was drawn)`;
    }
  }
  return null;
}

/** The route in: a canary VideoFrame imported and drawn into a texture, read back. */
async function canaryIn(device: GPUDevice): Promise<string | null> {
  const frame = new VideoFrame(canaryPixels(), { format: 'RGBA', codedWidth: CANARY_SIZE, codedHeight: CANARY_SIZE, timestamp: 0 });
  const passes = new GpuPasses(device);
  const sampler = device.createSampler({ magFilter: 'linear', minFilter: 'linear' });
  const target = passes.texture(CANARY_SIZE, CANARY_SIZE, 'rgba8unorm', GPUTextureUsage.RENDER_ATTACHMENT | GPUTextureUsage.COPY_SRC, 'canary in');
  const bytesPerRow = alignedBytesPerRow(CANARY_SIZE);
  const readback = device.createBuffer({ size: bytesPerRow * CANARY_SIZE, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, label: 'canary in readback' });
  try {
    const encoder = device.createCommandEncoder({ label: 'canary in' });
    new ExternalFrameImporter(device, passes, sampler).encode(frame, target, encoder);
    encoder.copyTextureToBuffer({ texture: target }, { buffer: readback, bytesPerRow }, { width: CANARY_SIZE, height: CANARY_SIZE });
    device.queue.submit([encoder.finish()]);
    await readback.mapAsync(GPUMapMode.READ);
    const rows = packRows(new Uint8Array(readback.getMappedRange()), bytesPerRow, CANARY_SIZE * 4, CANARY_SIZE, new Uint8Array(CANARY_SIZE * CANARY_SIZE * 4));
    readback.unmap();
    return canaryFault(rows);
  } finally {
    frame.close();
    target.destroy();
    readback.destroy();
  }
}

/** The route out: a canary texture copied into a WebGPU canvas, made a VideoFrame, copied out. */
async function canaryOut(device: GPUDevice): Promise<string | null> {
  const source = device.createTexture({ size: { width: CANARY_SIZE, height: CANARY_SIZE }, format: 'rgba8unorm', usage: GPUTextureUsage.COPY_SRC | GPUTextureUsage.COPY_DST, label: 'canary out' });
  const output = new CanvasFrameOutput(device);
  let frame: VideoFrame | null = null;
  try {
    device.queue.writeTexture({ texture: source }, canaryPixels(), { bytesPerRow: CANARY_SIZE * 4 }, { width: CANARY_SIZE, height: CANARY_SIZE });
    const encoder = device.createCommandEncoder({ label: 'canary out' });
    output.encode(encoder, source, CANARY_SIZE, CANARY_SIZE);
    device.queue.submit([encoder.finish()]);
    frame = output.frame(0, null);
    const rgba = new Uint8ClampedArray(CANARY_SIZE * CANARY_SIZE * 4);
    // The canvas's frame may be BGRA: the CPU renderer's copy puts any frame's channels in order.
    await new RgbaCopier().copy(frame, rgba, CANARY_SIZE);
    return canaryFault(rgba);
  } finally {
    frame?.close();
    output.destroy();
    source.destroy();
  }
}
