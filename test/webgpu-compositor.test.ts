import { expect } from '@open-wc/testing';
import { WebGpuCompositor } from '../gpu/webgpu/webgpu-compositor.js';
import { gaussianKernel, planBlur } from '../gpu/gaussian-kernel.js';
import type { CompositorTimings } from '../gpu/compositor.js';
import { framePixels, loadBitmap } from './helpers/frames.js';
import { meanAbsoluteDifference } from './helpers/image-metrics.js';

const SHADERS = ['fullscreen', 'frame-to-rgb', 'downscale-frame', 'separable-blur', 'composite'];

/** Each GPU test owns its device, watches it through an error scope, and destroys it afterwards. */
async function withDevice(test: (device: GPUDevice) => Promise<void>): Promise<void> {
  const adapter = await navigator.gpu.requestAdapter();
  if (!adapter) throw new Error('no WebGPU adapter: run chromium with the SwiftShader flags');
  const device = await adapter.requestDevice();
  device.pushErrorScope('validation');
  try {
    await test(device);
    const error = await device.popErrorScope();
    expect(error?.message ?? null).to.equal(null);
  } finally {
    device.destroy();
  }
}

describe('gpu/ shaders and the WebGPU compositor', () => {
  it('compiles every WGSL file without errors or warnings', async () => {
    await withDevice(async (device) => {
      const prelude = await (await fetch('/gpu/webgpu/fullscreen.wgsl?raw')).text();
      for (const name of SHADERS) {
        const source = await (await fetch(`/gpu/webgpu/${name}.wgsl?raw`)).text();
        const info = await device.createShaderModule({ code: name === 'fullscreen' ? source : `${prelude}\n${source}` }).getCompilationInfo();
        expect(info.messages.map((m) => `${name}.wgsl ${m.lineNum}:${m.linePos} ${m.message}`)).to.deep.equal([]);
      }
    });
  });

  it('plans a blur whose total spread matches the requested sigma', () => {
    for (const sigma of [2, 4, 8, 16, 32]) {
      const plan = planBlur(sigma);
      const d = plan.downsample;
      const added = d === 1 ? 0 : (d * d - 1) / 12 + (d * d) / 6;
      expect(Math.sqrt((plan.sigmaAtScale * d) ** 2 + added)).to.be.closeTo(sigma, 0.01);
      expect(gaussianKernel(plan.sigmaAtScale).radius).to.be.below(32);
    }
    const kernel = gaussianKernel(2);
    const total = kernel.weights.reduce((sum, w, i) => sum + (i === 0 ? w : 2 * w), 0);
    expect(total).to.be.closeTo(1, 1e-6);
  });

  it('passes the person through exactly where the mask is 1, and blurs everything without a mask', async () => {
    await withDevice(async (device) => {
      const bitmap = await loadBitmap('/media/stills/portrait.jpg');
      const frame = new VideoFrame(bitmap, { timestamp: 1234 });
      const input = framePixels(frame);
      const compositor = new WebGpuCompositor(device);
      const timings: CompositorTimings = {};
      try {
        expect(compositor.hasMask).to.equal(false);
        const blurred = await compositor.render(frame, { sigma: 8, view: 'composite', refinement: 'seed', lightWrap: 0, edgeHold: 0 }, timings);
        const blurredPixels = framePixels(blurred);
        blurred.close();
        expect(blurredPixels.timestamp).to.equal(1234);
        expect(meanAbsoluteDifference(blurredPixels, input)).to.be.above(2);
        const bytesAfterFirstFrame = compositor.gpuBytes;
        expect(bytesAfterFirstFrame).to.be.above(1280 * 720);

        await compositor.pushMask({ width: 4, height: 4, data: new Float32Array(16).fill(1) }, new ImageData(4, 4), 'seed', timings);
        expect(compositor.hasMask).to.equal(true);
        const sharp = await compositor.render(frame, { sigma: 8, view: 'composite', refinement: 'seed', lightWrap: 0, edgeHold: 0 }, timings);
        const sharpPixels = framePixels(sharp);
        sharp.close();
        expect(meanAbsoluteDifference(sharpPixels, input)).to.be.below(1);

        const maskView = await compositor.render(frame, { sigma: 8, view: 'mask', refinement: 'seed', lightWrap: 0, edgeHold: 0 }, timings);
        const maskPixels = framePixels(maskView);
        maskView.close();
        // The sigmoid of a constant 1 is 1/(1+e^-6) ≈ 0.9975.
        expect(maskPixels.data[0]).to.be.at.least(253);

        compositor.clearMasks();
        expect(compositor.hasMask).to.equal(false);
        const modelInput = await compositor.prepareModelInput(frame, 256, 256, timings);
        expect([modelInput.width, modelInput.height]).to.deep.equal([256, 256]);
        // Steady state: more frames allocate nothing new. (The first frame without a mask resizes the blur targets
        // for the unmasked frames' sigma floor; from then on nothing changes.)
        (await compositor.render(frame, { sigma: 8, view: 'composite', refinement: 'seed', lightWrap: 0, edgeHold: 0 }, timings)).close();
        const steady = compositor.gpuBytes;
        for (let i = 0; i < 3; i++) (await compositor.render(frame, { sigma: 8, view: 'composite', refinement: 'seed', lightWrap: 0, edgeHold: 0 }, timings)).close();
        expect(compositor.gpuBytes).to.equal(steady);
        compositor.destroy();
        // Every texture and buffer it made is destroyed.
        expect(compositor.gpuBytes).to.equal(0);
      } finally {
        compositor.destroy();
        frame.close();
        bitmap.close();
      }
    });
  });
});
