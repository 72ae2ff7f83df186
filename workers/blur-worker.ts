/// <reference lib="webworker" />
import { BackendRefused, releaseProbes, startBackend, type BackendContext, type RunningBackend } from './compositor-backends.js';
import { PixelFrameSink, PostFrameSink, StreamFrameSink, type FrameSink } from './frame-sink.js';
import { FramePipeline } from './frame-pipeline.js';
import { terminateSegmenterWorkers } from './remote-segmenter.js';
import { loadSegmenter } from './segmenter-loader.js';
import { shippedAssetUrls } from './shipped-assets.js';
import { type BackendName } from '../contract/backend.js';
import { type Background } from '../contract/background.js';
import { serializeError } from '../contract/errors.js';
import { segmenterRuntimeFor, type LiveOptions, type SegmenterRuntime } from '../contract/options.js';
import { type MainToWorker, type RefusedBackend, type TransportInit, type WorkerToMain } from '../contract/protocol.js';
import { probeWorker } from './worker-capabilities.js';
import { probeFrameRoutes } from '../gpu/webgpu/frame-routes.js';
import { COMPOSITE_BAND_WORKER_NAME } from '../gpu/cpu/composite-band-helper.js';
import { serveCompositeBands } from '../gpu/cpu/composite-band-server.js';

/**
 * The blur worker: owns the GPU device or context, the segmenter and the
 * compositor, so that no frame and no inference touches the page's main thread.
 */
declare const self: DedicatedWorkerGlobalScope;

/** The W3C form (Safari 18): a generator whose track is transferred back to the page. */
declare class VideoTrackGenerator {
  readonly writable: WritableStream<VideoFrame>;
  readonly track: MediaStreamTrack;
}
declare class MediaStreamTrackProcessor {
  constructor(init: { track: MediaStreamTrack });
  readonly readable: ReadableStream<VideoFrame>;
}

let backendContext: BackendContext | null = null;
let running: RunningBackend | null = null;
let fallbacks: BackendName[] = [];
let pipeline: FramePipeline | null = null;
let stopping = false;
let frameWanted = false;
/** The runtime of the segmenter that last started: what `stats.segmenter` reports. */
let segmenterRuntime: SegmenterRuntime | null = null;
/** The `frames` transport's sink when the page takes pixels: it gets the page's drawn buffers back. */
let pixelSink: PixelFrameSink | null = null;
/** The background to start the pipeline with: the start message's, or one that arrived while the backend started. */
let pendingBackground: Background | null = null;
/** Options that arrived while the backend was still starting: the pipeline starts with the latest. */
let pendingOptions: LiveOptions | null = null;

/** The CPU renderer's second thread: a copy of this worker that composites bands (gpu/cpu/composite-band-helper.ts). */
function startCompositeHelperWorker(): Worker {
  return new Worker(self.location.href, { type: 'module', name: COMPOSITE_BAND_WORKER_NAME });
}

function closeImage(background: Background | null): void {
  if (background?.kind === 'image') background.image.close();
}

function post(message: WorkerToMain, transfer: Transferable[] = []): void {
  self.postMessage(message, transfer);
}

function fatal(errorType: 'gpu-lost' | 'worker-crashed' | 'unsupported', message: string, cause?: unknown): void {
  post({ type: 'error', errorType, message, fatal: true, ...(cause !== undefined ? { cause: serializeError(cause) } : {}) });
}

/** The one GPU failure path: drop frames, step down to the next backend, and say so. */
async function onGpuLost(lostBackend: BackendName, reason: string): Promise<void> {
  if (stopping || running?.backend !== lostBackend) return;
  const previous = running;
  running = null;
  pipeline?.replaceCompositor(null, false);
  previous.release();
  const refused: RefusedBackend[] = [];
  const started = await startFirstProven(backendContext!, refused);
  const why = [reason, ...refused.map((r) => r.reason)].join('; ');
  if (started && !stopping) {
    running = started;
    pipeline?.replaceCompositor(started.compositor, started.delegate !== previous.delegate);
    post({ type: 'backend-changed', backend: started.backend, reason: `${why}; stepped down to ${started.backend}` });
    return;
  }
  started?.release();
  fatal('gpu-lost', `${why}. No other backend is left; the output stopped without sending an unblurred frame.`);
  await pipeline?.stop();
}

/** Starts the first backend in `fallbacks` that starts and proves its blur; records the others in `refused`. */
async function startFirstProven(context: BackendContext, refused: RefusedBackend[]): Promise<RunningBackend | null> {
  while (fallbacks.length > 0 && !stopping) {
    const backend = fallbacks.shift()!;
    try {
      const started = await startBackend(backend, context);
      // A probe's device (WebGPU's) idles otherwise until stop: let it go when no backend left to try will use it.
      releaseProbes(context, fallbacks);
      return started;
    } catch (error) {
      refused.push({ backend, reason: error instanceof BackendRefused ? error.message : `${backend} failed: ${String(error)}` });
    }
  }
  releaseProbes(context);
  return null;
}

function createTransport(transport: TransportInit): { readable?: ReadableStream<VideoFrame>; sink: FrameSink } {
  switch (transport.kind) {
    case 'streams':
      return { readable: transport.readable, sink: new PostFrameSink((frame) => post({ type: 'output-frame', frame }, [frame])) };
    case 'track': {
      const processor = new MediaStreamTrackProcessor({ track: transport.track });
      const generator = new VideoTrackGenerator();
      post({ type: 'output-track', track: generator.track }, [generator.track as unknown as Transferable]);
      return { readable: processor.readable, sink: new StreamFrameSink(generator.writable) };
    }
    case 'frames': {
      const postFrame = (frame: VideoFrame): void => post({ type: 'output-frame', frame }, [frame]);
      if (!transport.pixels) return { sink: new PostFrameSink(postFrame) };
      pixelSink = new PixelFrameSink((pixels, width, height) => post({ type: 'output-pixels', pixels, width, height }, [pixels]), postFrame);
      return { sink: pixelSink };
    }
  }
}

async function handle(message: MainToWorker): Promise<void> {
  switch (message.type) {
    case 'probe': {
      const { capabilities, probes } = await probeWorker();
      backendContext = {
        probes,
        profile: false,
        renderer: 'auto',
        brokenBlur: [],
        onLost: (backend, reason) => void onGpuLost(backend, reason),
        cpuRenderer: { startHelperWorker: startCompositeHelperWorker },
      };
      post({ type: 'probed', capabilities });
      return;
    }
    case 'probe-frame-routes':
      // This is a throwaway copy, started by a blur worker's probe (frame-routes-apart.ts): it answers and is terminated.
      post({ type: 'frame-routes', routes: await probeFrameRoutes() });
      return;
    case 'start': {
      if (!backendContext) throw new Error('start before probe');
      const silenceHelperAfterBands = message.testHooks.silenceCompositeHelperAfterBands;
      backendContext = {
        ...backendContext,
        profile: message.profile,
        renderer: message.renderer,
        brokenBlur: message.testHooks.brokenBlur ?? [],
        cpuRenderer: { startHelperWorker: startCompositeHelperWorker, ...(silenceHelperAfterBands !== undefined ? { silenceHelperAfterBands } : {}) },
      };
      closeImage(pendingBackground);
      pendingBackground = message.background;
      fallbacks = [...message.backends];
      pendingOptions = null;
      let stallHook = message.testHooks.stallSegmenterAfterMasks;
      const refused: RefusedBackend[] = [];
      const delay = message.testHooks.delayBackendMs ?? 0;
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      running = await startFirstProven(backendContext, refused);
      if (!running) {
        fatal('unsupported', `No renderer here proved that it blurs (${refused.map((r) => r.reason).join('; ')}). Nothing was sent.`);
        return;
      }
      post({ type: 'backend-ready', backend: running.backend, compositor: running.compositor.name, refused });
      const { readable, sink } = createTransport(message.transport);
      const assets = message.assets ?? shippedAssetUrls();
      const pullFrames = message.transport.kind === 'frames';
      let firstRequest = true;
      const background = pendingBackground;
      pendingBackground = null;
      pipeline = new FramePipeline({
        ...(readable ? { readable } : {}),
        sink,
        compositor: running.compositor,
        segmenterRuntime: () => segmenterRuntime,
        options: pendingOptions ?? message.options,
        ...(background ? { background } : {}),
        adaptive: message.adaptive,
        inputFrameRate: message.inputFrameRate,
        testHooks: message.testHooks,
        post,
        ...(pullFrames
          ? {
              onReady: () => {
                if (frameWanted) return;
                frameWanted = true;
                const holdMs = firstRequest ? (message.testHooks.delayFirstFrameRequestMs ?? 0) : 0;
                firstRequest = false;
                if (holdMs > 0) setTimeout(() => post({ type: 'need-frame' }), holdMs);
                else post({ type: 'need-frame' });
              },
            }
          : {}),
        loadSegmenter: (model) => {
          // The test hook stalls the first segmenter only: its replacement must work.
          const stallAfterMasks = stallHook;
          stallHook = undefined;
          // A compositor that can overlap gets the segmenter on a second thread (the segmenter worker).
          const accelerator = running?.delegate ?? 'CPU';
          const runtime = segmenterRuntimeFor(message.segmenter, accelerator);
          return loadSegmenter(runtime, { assets, model, accelerator }, { ownThread: running?.compositor.overlaps ?? false, stallAfterMasks }).then((segmenter) => {
            segmenterRuntime = runtime;
            return segmenter;
          });
        },
      });
      return;
    }
    case 'frame':
      frameWanted = false;
      if (pipeline) pipeline.pushFrame(message.frame);
      else message.frame.close();
      return;
    case 'spare-pixels':
      pixelSink?.recycle(message.pixels);
      return;
    case 'options':
      // Before the pipeline exists (the backend is proving its blur), keep them for it: a slider moved then must count.
      if (pipeline) pipeline.setOptions(message.options);
      else pendingOptions = message.options;
      return;
    case 'background':
      if (pipeline) {
        pipeline.setBackground(message.background);
      } else if (stopping) {
        closeImage(message.background);
      } else {
        // The backend is still starting: the pipeline starts with the latest one.
        if (pendingBackground?.kind !== 'image' || message.background.kind !== 'image' || pendingBackground.image !== message.background.image) closeImage(pendingBackground);
        pendingBackground = message.background;
      }
      return;
    case 'lose-gpu':
      running?.loseForTest();
      return;
    case 'stop': {
      stopping = true;
      closeImage(pendingBackground);
      pendingBackground = null;
      await pipeline?.stop();
      terminateSegmenterWorkers();
      running?.release();
      running = null;
      // A device the probe acquired but no backend used.
      if (backendContext) releaseProbes(backendContext);
      backendContext = null;
      // The last stats, after every release: they show what this worker still holds (nothing).
      if (pipeline) post({ type: 'stats', stats: pipeline.stats() });
      pipeline = null;
      post({ type: 'stopped' });
      return;
    }
  }
}

if (self.name === COMPOSITE_BAND_WORKER_NAME) {
  // A copy started by a CPU renderer as its second thread: it composites bands and nothing else.
  serveCompositeBands(self);
} else {
  self.addEventListener('message', (event: MessageEvent<MainToWorker>) => {
    handle(event.data).catch((error: unknown) => {
      fatal('worker-crashed', `The blur worker failed: ${error instanceof Error ? error.message : String(error)}`, error);
    });
  });
}
