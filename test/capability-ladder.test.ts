import { expect } from '@open-wc/testing';
import { chooseTier, type Capabilities, type PageCapabilities } from '../src/capability-ladder.js';
import type { WorkerCapabilities } from '../contract/protocol.js';

const chromiumPage: PageCapabilities = { mainThreadInsertableStreams: true, canvasCapture: true, webAssembly: true };
const everything: WorkerCapabilities = {
  webgpu: { ok: true, reason: '', fallbackAdapter: true },
  webgl2: { ok: true, reason: '', software: true },
  trackProcessorInWorker: false,
  webglForSegmenter: true,
};
const noWebGpu = { ok: false, reason: 'requestAdapter() returned no adapter', fallbackAdapter: false };

function decide(page: Partial<PageCapabilities>, worker: Partial<WorkerCapabilities>, maxTier: Capabilities['maxTier'] = 1) {
  return chooseTier({ page: { ...chromiumPage, ...page }, worker: { ...everything, ...worker }, maxTier });
}

describe('capability ladder', () => {
  it('gives Chromium with WebGPU tier 1 over its main-thread streams, stepping down to WebGL2 then the CPU', () => {
    const decision = decide({}, {});
    expect(decision).to.deep.include({ tier: 1, transport: 'streams' });
    expect(decision.backends).to.deep.equal(['webgpu', 'webgl2', 'cpu']);
    expect(decision.refused).to.deep.equal([]);
  });

  it('falls to tier 2 when WebGPU is refused, and says why', () => {
    const decision = decide({}, { webgpu: noWebGpu });
    expect(decision.tier).to.equal(2);
    expect(decision.refused).to.deep.equal([{ tier: 1, reason: 'requestAdapter() returned no adapter' }]);
  });

  it('gives a browser without insertable streams (Firefox) tier 3 through canvas capture', () => {
    const decision = decide({ mainThreadInsertableStreams: false }, { webgl2: { ok: false, reason: 'no WebGL2', software: false } });
    expect(decision).to.deep.include({ tier: 3, transport: 'frames' });
    expect(decision.backends).to.deep.equal(['webgpu', 'cpu']);
    expect(decision.refused.map((r) => r.tier)).to.deep.equal([1, 2]);
  });

  it('uses the W3C transport (track in the worker) where the page has no Chromium streams', () => {
    expect(decide({ mainThreadInsertableStreams: false }, { trackProcessorInWorker: true })).to.deep.include({ tier: 1, transport: 'track' });
  });

  it('lands on tier 4 without WebGPU or insertable streams', () => {
    expect(decide({ mainThreadInsertableStreams: false }, { webgpu: noWebGpu })).to.deep.include({ tier: 4, transport: 'frames' });
  });

  it('is unsupported without any WebGL for the segmenter, or without a transport', () => {
    const noWebGl = decide({}, { webglForSegmenter: false });
    expect(noWebGl.tier).to.equal(5);
    expect(noWebGl.refused[0]!.reason).to.match(/MediaPipe/);
    expect(decide({ mainThreadInsertableStreams: false, canvasCapture: false }, {}).tier).to.equal(5);
  });

  it('obeys max-tier', () => {
    expect(decide({}, {}, 3)).to.deep.include({ tier: 3, transport: 'frames' });
    // Tier 4 takes insertable streams where the page has them, canvas capture only where it has nothing better.
    expect(decide({}, {}, 4)).to.deep.include({ tier: 4, transport: 'streams' });
    expect(decide({ mainThreadInsertableStreams: false }, { trackProcessorInWorker: true }, 4)).to.deep.include({ tier: 4, transport: 'track' });
    const capped = decide({}, {}, 5);
    expect(capped.tier).to.equal(5);
    expect(capped.refused.every((r) => r.reason === 'max-tier is 5')).to.equal(true);
  });
});
