import type { Compositor } from '../gpu/compositor.js';
import type { CpuRendererOptions, StartedCompositor } from '../gpu/backend-descriptor.js';
import { startCpuRenderer } from '../gpu/cpu/backend.js';
import { proveBlur, type BlurProof } from './blur-proof.js';
import type { BackendName } from '../contract/backend.js';
import type { RendererPreference } from '../contract/options.js';
import type { ProbedEntry } from './worker-capabilities.js';

/** A compositor with what it runs on, and the one place its GPU faults are caught. */
export interface RunningBackend extends StartedCompositor {
  readonly backend: BackendName;
  /** What the canary measured when this backend started. */
  readonly proof: BlurProof;
}

export interface BackendContext {
  /** Every registered backend and its probe, in the registry's order; a probe holds what its start uses (WebGPU's device). */
  readonly probes: readonly ProbedEntry[];
  readonly profile: boolean;
  readonly renderer: RendererPreference;
  /** Test hook: these backends' compositors pass frames through unblurred, as `ctx.filter` did in WebKit. */
  readonly brokenBlur: readonly BackendName[];
  /** Called once when the running backend's device or context is lost unexpectedly. */
  readonly onLost: (backend: BackendName, reason: string) => void;
  /** What the CPU renderer needs: how to start its second thread. */
  readonly cpuRenderer: CpuRendererOptions;
}

/** A backend that would not start or did not prove its blur; the reason goes to `tierchange.detail.refused`. */
export class BackendRefused extends Error {
  constructor(readonly backend: BackendName, reason: string) {
    super(reason);
    this.name = 'BackendRefused';
  }
}

/** Test hook: a compositor whose blur does nothing, the failure that WebKit's missing `ctx.filter` caused. */
function withoutBlur(started: StartedCompositor): StartedCompositor {
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
    pushMask: (mask, guide, refinement, timings) => inner.pushMask(mask, guide, refinement, timings),
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
async function startProven(backend: BackendName, renderer: 'gpu' | 'cpu', start: () => StartedCompositor, context: BackendContext): Promise<RunningBackend> {
  let started: StartedCompositor;
  try {
    started = start();
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
 * - a backend whose descriptor says it is a CPU renderer (`cpu`) starts as it is;
 * - a GPU backend whose GPU says it is a software one renders on the CPU (one
 *   720p pass over SwiftShader costs ~60 ms of CPU, the whole CPU renderer ~15);
 * - a GPU backend that does not say (WebKit reports every GPU as "Apple GPU")
 *   renders the canary both ways; the GPU keeps the work only when it is both
 *   faster and as fast as hardware. A software GPU that won by noise would also
 *   get MediaPipe's GPU delegate, which blocked WebKit's worker for seconds on
 *   llvmpipe until the watchdog ended the output;
 * - `renderer: 'gpu'` always uses the GPU API.
 * The CPU renderer of a GPU backend is gpu/cpu's, reported under the GPU
 * backend's name (its compositor says `cpu`).
 * Throws BackendRefused when the backend cannot start or does not blur.
 */
export async function startBackend(backend: BackendName, context: BackendContext): Promise<RunningBackend> {
  const entry = context.probes.find((e) => e.descriptor.name === backend);
  if (!entry) throw new BackendRefused(backend, `${backend} is not a registered backend`);
  const { descriptor, probe } = entry;
  const startOwn = (): StartedCompositor => probe.start({ profile: context.profile, onLost: (reason) => context.onLost(backend, reason), cpuRenderer: context.cpuRenderer });
  const startCpu = (): StartedCompositor => startCpuRenderer(context.cpuRenderer);
  if (descriptor.renderer === 'cpu') return startProven(backend, 'cpu', startOwn, context);
  if (context.renderer === 'gpu') return startProven(backend, 'gpu', startOwn, context);
  // No device to hold: the caller releases the probe's once no backend left to try needs it.
  if (probe.software) return startProven(backend, 'cpu', startCpu, context);
  const gpu = await startProven(backend, 'gpu', startOwn, context);
  let cpu: RunningBackend;
  try {
    cpu = await startProven(backend, 'cpu', startCpu, context);
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

/** Releases what the probes acquired (WebGPU's device) for every backend but `keep`: no backend left to try needs it. */
export function releaseProbes(context: BackendContext, keep: readonly BackendName[] = []): void {
  for (const { descriptor, probe } of context.probes) if (!keep.includes(descriptor.name)) probe.release();
}
