import type { Compositor } from '../gpu/compositor.js';
import { CpuCompositor } from '../gpu/cpu/cpu-compositor.js';
import { WebGl2Compositor } from '../gpu/webgl2/webgl2-compositor.js';
import { WebGpuCompositor } from '../gpu/webgpu/webgpu-compositor.js';
import { proveBlur, type BlurProof } from './blur-proof.js';
import type { Backend } from '../contract/backend.js';
import type { RendererPreference } from '../contract/options.js';
import type { WorkerCapabilities } from '../contract/protocol.js';
import type { WebGpuAcquired } from './webgpu-probe.js';

/** A compositor with what it runs on, and the one place its GPU faults are caught. */
export interface RunningBackend {
  readonly backend: Backend;
  readonly compositor: Compositor;
  /** MediaPipe's delegate to pair with this backend. */
  readonly delegate: 'CPU' | 'GPU';
  /** What the canary measured when this backend started. */
  readonly proof: BlurProof;
  /** Test hook: lose the device or context as a GPU reset would. */
  loseForTest(): void;
  /** Destroys the compositor and its device or context. */
  release(): void;
}

export interface BackendContext {
  readonly capabilities: WorkerCapabilities;
  /** The device the probe acquired; used once, by the first WebGPU backend. */
  webgpu: WebGpuAcquired | null;
  readonly profile: boolean;
  readonly renderer: RendererPreference;
  /** Test hook: these backends' compositors pass frames through unblurred, as `ctx.filter` did in WebKit. */
  readonly brokenBlur: readonly Backend[];
  /** Called once when the running backend's device or context is lost unexpectedly. */
  readonly onLost: (backend: Backend, reason: string) => void;
}

/** A backend that would not start or did not prove its blur; the reason goes to `tierchange.detail.refused`. */
export class BackendRefused extends Error {
  constructor(readonly backend: Backend, reason: string) {
    super(reason);
    this.name = 'BackendRefused';
  }
}

/** The GPU reports itself as a software one (SwiftShader, llvmpipe, a WebGPU fallback adapter). */
function knownSoftware(backend: Backend, capabilities: WorkerCapabilities): boolean {
  if (backend === 'webgpu') return capabilities.webgpu.fallbackAdapter;
  if (backend === 'webgl2') return capabilities.webgl2.software;
  return false;
}

/** Without a GPU compositor the CPU renders, and MediaPipe runs on its CPU delegate. */
function startCpu(): Omit<RunningBackend, 'backend' | 'proof'> {
  const compositor = new CpuCompositor();
  return { compositor, delegate: 'CPU', loseForTest: () => undefined, release: () => compositor.destroy() };
}

function startWebGpu(context: BackendContext): Omit<RunningBackend, 'backend' | 'proof'> {
  const acquired = context.webgpu;
  context.webgpu = null;
  const device = acquired?.device;
  if (!device) throw new Error('no WebGPU device');
  let released = false;
  void device.lost.then((info) => {
    if (!released) context.onLost('webgpu', `the WebGPU device was lost (${info.reason}: ${info.message})`);
  });
  device.addEventListener('uncapturederror', (event) => {
    console.error('blur-camera: WebGPU error', (event as GPUUncapturedErrorEvent).error.message);
  });
  const release = (): void => {
    released = true;
    device.destroy();
    // The adapter must outlive the device (see webgpu-probe.ts), so this closure holds it until now.
    void acquired.adapter;
  };
  let compositor: WebGpuCompositor;
  try {
    compositor = new WebGpuCompositor(device, context.profile);
  } catch (error) {
    release();
    throw error;
  }
  return {
    compositor,
    delegate: context.capabilities.webgpu.fallbackAdapter ? 'CPU' : 'GPU',
    loseForTest: () => device.destroy(),
    release: () => {
      compositor.destroy();
      release();
    },
  };
}

function startWebGl2(context: BackendContext): Omit<RunningBackend, 'backend' | 'proof'> {
  let released = false;
  const compositor = new WebGl2Compositor(() => {
    if (!released) context.onLost('webgl2', 'the WebGL2 context was lost');
  });
  return {
    compositor,
    delegate: context.capabilities.webgl2.software ? 'CPU' : 'GPU',
    loseForTest: () => compositor.loseContextForTest(),
    release: () => {
      released = true;
      compositor.destroy();
    },
  };
}

/** Test hook: a compositor whose blur does nothing, the failure that WebKit's missing `ctx.filter` caused. */
function withoutBlur(started: Omit<RunningBackend, 'backend' | 'proof'>): Omit<RunningBackend, 'backend' | 'proof'> {
  const inner = started.compositor;
  const passThrough: Compositor = {
    get name() {
      return inner.name;
    },
    get overlaps() {
      return inner.overlaps;
    },
    get gpuBytes() {
      return inner.gpuBytes;
    },
    get hasMask() {
      return inner.hasMask;
    },
    prepareModelInput: (frame, width, height, timings) => inner.prepareModelInput(frame, width, height, timings),
    pushMask: (mask, refinement, timings) => inner.pushMask(mask, refinement, timings),
    clearMasks: () => inner.clearMasks(),
    setBackground: (background) => inner.setBackground(background),
    render: async (frame) => frame.clone(),
    destroy: () => inner.destroy(),
  };
  return { ...started, compositor: passThrough };
}

/** Blur checks a renderer gets before it is refused. */
const PROOF_ATTEMPTS = 3;

/** Starts one renderer and proves its blur; releases it and throws BackendRefused when the proof fails. */
async function startProven(backend: Backend, renderer: 'gpu' | 'cpu', context: BackendContext): Promise<RunningBackend> {
  let started: Omit<RunningBackend, 'backend' | 'proof'>;
  try {
    started = renderer === 'cpu' ? startCpu() : backend === 'webgpu' ? startWebGpu(context) : startWebGl2(context);
  } catch (error) {
    throw new BackendRefused(backend, `${backend} would not start: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (context.brokenBlur.includes(backend)) started = withoutBlur(started);
  let proof: BlurProof;
  try {
    proof = await proveBlur(started.compositor);
    // A read-back can come out wrong under load (WebKit once returned a mostly black canvas, "brightness changed by 86%",
    // for the CPU renderer that passes every other time); a compositor that really does not blur fails every attempt.
    for (let attempt = 1; !proof.ok && attempt < PROOF_ATTEMPTS; attempt++) proof = await proveBlur(started.compositor);
  } catch (error) {
    started.release();
    throw new BackendRefused(backend, `${backend} failed its blur check: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!proof.ok) {
    started.release();
    throw new BackendRefused(backend, `${backend} ${renderer === 'cpu' ? '(CPU renderer) ' : ''}did not blur: ${proof.reason}`);
  }
  return { ...started, backend, proof };
}

/**
 * A GPU that renders the canary slower than this is no hardware GPU: an
 * integrated one takes 1–3 ms; WebKit on Mesa's llvmpipe took 37–79 ms.
 */
const HARDWARE_GPU_CANARY_MS = 12;

/**
 * Starts a backend whose blur is proven, with the fastest renderer that really
 * works in its tier:
 * - `cpu` is the typed-array renderer;
 * - a GPU backend whose GPU says it is a software one renders on the CPU (one
 *   720p pass over SwiftShader costs ~60 ms of CPU, the whole CPU renderer ~15);
 * - a GPU backend that does not say (WebKit reports every GPU as "Apple GPU")
 *   renders the canary both ways; the GPU keeps the work only when it is both
 *   faster and as fast as hardware. A software GPU that won by noise would also
 *   get MediaPipe's GPU delegate, which blocked WebKit's worker for seconds on
 *   llvmpipe until the watchdog ended the output;
 * - `renderer: 'gpu'` always uses the GPU API.
 * Throws BackendRefused when the backend cannot start or does not blur.
 */
export async function startBackend(backend: Backend, context: BackendContext): Promise<RunningBackend> {
  if (backend === 'cpu') return startProven('cpu', 'cpu', context);
  if (context.renderer === 'gpu') return startProven(backend, 'gpu', context);
  // No device to hold: the caller destroys the probe's once no backend left to try needs it.
  if (knownSoftware(backend, context.capabilities)) return startProven(backend, 'cpu', context);
  const gpu = await startProven(backend, 'gpu', context);
  let cpu: RunningBackend;
  try {
    cpu = await startProven(backend, 'cpu', context);
  } catch {
    return gpu;
  }
  const gpuMs = gpu.proof.renderMs;
  const cpuMs = cpu.proof.renderMs;
  if (gpuMs <= cpuMs && gpuMs <= HARDWARE_GPU_CANARY_MS) {
    cpu.release();
    return gpu;
  }
  console.info(`blur-camera: ${backend} renders a test frame in ${gpuMs.toFixed(1)} ms, the CPU in ${cpuMs.toFixed(1)} ms; rendering on the CPU, with the segmenter on its CPU delegate (a software GPU).`);
  gpu.release();
  return { ...cpu, backend };
}

/** Destroys the WebGPU device the probe acquired, when no backend will use it. */
export function releaseProbeDevice(context: BackendContext): void {
  context.webgpu?.device?.destroy();
  context.webgpu = null;
}
