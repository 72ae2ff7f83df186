import { expect } from '@open-wc/testing';
import { chooseTier, tierOf, type Capabilities, type PageCapabilities } from '../src/capability-ladder.js';
import type { ProbedBackend } from '../contract/ladder.js';
import type { WorkerCapabilities } from '../contract/protocol.js';

const chromiumPage: PageCapabilities = { mainThreadInsertableStreams: true, canvasCapture: true, webAssembly: true };
/** The registry's backends as the worker reports them, with the rungs their descriptors declare (gpu/<name>/backend.ts). */
const webgpu: ProbedBackend = {
  name: 'webgpu',
  available: true,
  reason: '',
  software: true,
  rungs: [{ tier: 1, transports: ['insertable'] }, { tier: 3, transports: ['capture'] }],
};
const webgl2: ProbedBackend = { name: 'webgl2', available: true, reason: '', software: true, rungs: [{ tier: 2, transports: ['insertable'] }] };
const cpu: ProbedBackend = { name: 'cpu', available: true, reason: '', software: false, rungs: [{ tier: 4, transports: ['insertable', 'capture'], needsWebAssembly: true }] };
const noWebGpu: Partial<ProbedBackend> = { available: false, reason: 'requestAdapter() returned no adapter', software: false };
const noWebGl2: Partial<ProbedBackend> = { available: false, reason: 'no WebGL2', software: false };

interface WorkerFixture extends Partial<Omit<WorkerCapabilities, 'backends'>> {
  readonly webgpu?: Partial<ProbedBackend>;
  readonly webgl2?: Partial<ProbedBackend>;
}

function decide(page: Partial<PageCapabilities>, worker: WorkerFixture, maxTier: Capabilities['maxTier'] = 1, segmenter: Capabilities['segmenter'] = 'auto') {
  const { webgpu: webgpuProbe, webgl2: webgl2Probe, ...rest } = worker;
  const capabilities: WorkerCapabilities = {
    backends: [{ ...webgpu, ...webgpuProbe }, { ...webgl2, ...webgl2Probe }, cpu],
    trackProcessorInWorker: false,
    webglForSegmenter: true,
    ...rest,
  };
  return chooseTier({ page: { ...chromiumPage, ...page }, worker: capabilities, maxTier, segmenter });
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
    const decision = decide({ mainThreadInsertableStreams: false }, { webgl2: noWebGl2 });
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

  it('leaves the segmenter to the accelerator where the worker has WebGL, and takes LiteRT where it has none', () => {
    // MediaPipe for a hardware GPU's delegate, LiteRT for the CPU: the worker knows which.
    expect(decide({}, {}).segmenter).to.equal('by-accelerator');
    // Chromium on a blocklisted GPU: no WebGL, no WebGPU adapter; the CPU renderer on its streams, LiteRT segmenting.
    const noGpu = decide({}, { webglForSegmenter: false, webgpu: noWebGpu, webgl2: noWebGl2 });
    expect(noGpu).to.deep.include({ tier: 4, transport: 'streams', segmenter: 'litert' });
    expect(noGpu.backends).to.deep.equal(['cpu']);
    // WebKit without WebGL in workers: canvas capture and the CPU renderer.
    const webKit = decide({ mainThreadInsertableStreams: false }, { webglForSegmenter: false, webgpu: noWebGpu, webgl2: noWebGl2 });
    expect(webKit).to.deep.include({ tier: 4, transport: 'frames', segmenter: 'litert' });
  });

  it('honours segmenter="mediapipe" and "litert", and refuses every tier the chosen one cannot run on', () => {
    expect(decide({}, {}, 1, 'litert')).to.deep.include({ tier: 1, segmenter: 'litert' });
    expect(decide({}, {}, 1, 'mediapipe')).to.deep.include({ tier: 1, segmenter: 'mediapipe' });
    const mediapipeWithoutWebGl = decide({}, { webglForSegmenter: false }, 1, 'mediapipe');
    expect(mediapipeWithoutWebGl).to.deep.include({ tier: 5, segmenter: null });
    expect(mediapipeWithoutWebGl.refused.map((r) => r.tier)).to.deep.equal([1, 2, 3, 4]);
    expect(mediapipeWithoutWebGl.refused[0]!.reason).to.match(/no WebGL in a worker.*MediaPipe/);
    const noWasm = decide({ webAssembly: false }, { webglForSegmenter: false });
    expect(noWasm.tier).to.equal(5);
    expect(noWasm.refused[0]!.reason).to.match(/WebAssembly.*LiteRT/);
  });

  it('is unsupported without a transport', () => {
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

describe('tierOf', () => {
  const backends = [webgpu, webgl2, cpu];
  it("reads a backend's tier from its rung for the transport", () => {
    expect(tierOf(backends, 'webgpu', 'streams')).to.equal(1);
    expect(tierOf(backends, 'webgpu', 'track')).to.equal(1);
    expect(tierOf(backends, 'webgpu', 'frames')).to.equal(3);
    expect(tierOf(backends, 'webgl2', 'streams')).to.equal(2);
    expect(tierOf(backends, 'cpu', 'streams')).to.equal(4);
    expect(tierOf(backends, 'cpu', 'frames')).to.equal(4);
  });
});
