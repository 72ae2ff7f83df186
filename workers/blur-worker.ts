/// <reference lib="webworker" />
import { WebGpuCompositor } from '../gpu/webgpu/webgpu-compositor.js';
import { FramePipeline } from './frame-pipeline.js';
import { MediaPipeSegmenter } from './mediapipe-segmenter.js';
import { serializeError, type MainToWorker, type WorkerToMain } from './protocol.js';
import { acquireWebGpu } from './webgpu-probe.js';

/**
 * The blur worker: owns the GPU device, the segmenter and the compositor, so
 * that no frame and no inference ever touches the page's main thread.
 */
declare const self: DedicatedWorkerGlobalScope;

let device: GPUDevice | null = null;
let adapter: GPUAdapter | null = null;
let softwareGpu = false;
let compositor: WebGpuCompositor | null = null;
let pipeline: FramePipeline | null = null;
let stopping = false;

function post(message: WorkerToMain): void {
  self.postMessage(message);
}

function fail(errorType: 'gpu-lost' | 'worker-crashed', message: string, cause?: unknown): void {
  post({ type: 'error', errorType, message, fatal: true, ...(cause !== undefined ? { cause: serializeError(cause) } : {}) });
}

async function handle(message: MainToWorker): Promise<void> {
  switch (message.type) {
    case 'probe': {
      const acquired = await acquireWebGpu();
      device = acquired.device;
      adapter = acquired.adapter;
      softwareGpu = acquired.probe.fallbackAdapter;
      if (device) {
        const watched = device;
        void watched.lost.then((info) => {
          // destroy() during stop() also resolves `lost`; only an unexpected loss is a fault.
          if (stopping) return;
          fail('gpu-lost', `The GPU device was lost (${info.reason}: ${info.message}). The pipeline stopped; no unblurred frame was sent.`);
          void pipeline?.stop();
        });
        watched.addEventListener('uncapturederror', (event) => {
          console.error('blur-camera: WebGPU error', (event as GPUUncapturedErrorEvent).error.message);
        });
      }
      post({ type: 'probed', webgpu: acquired.probe });
      return;
    }
    case 'start': {
      if (!device) throw new Error('start before a successful probe');
      compositor = new WebGpuCompositor(device, message.profile);
      const assets = message.assets;
      const delegate = softwareGpu ? 'CPU' : 'GPU';
      pipeline = new FramePipeline({
        readable: message.readable,
        writable: message.writable,
        compositor,
        options: message.options,
        testHooks: message.testHooks,
        post,
        loadSegmenter: async (model) => {
          try {
            return await MediaPipeSegmenter.create(assets, model, delegate);
          } catch (error) {
            // A real GPU whose WebGL2 MediaPipe cannot use still has a CPU path.
            if (delegate === 'GPU') return MediaPipeSegmenter.create(assets, model, 'CPU');
            throw error;
          }
        },
      });
      return;
    }
    case 'options':
      pipeline?.setOptions(message.options);
      return;
    case 'stop': {
      stopping = true;
      await pipeline?.stop();
      if (pipeline) post({ type: 'stats', stats: pipeline.stats() });
      pipeline = null;
      compositor?.destroy();
      compositor = null;
      device?.destroy();
      device = null;
      adapter = null;
      post({ type: 'stopped' });
      return;
    }
  }
}

self.addEventListener('message', (event: MessageEvent<MainToWorker>) => {
  handle(event.data).catch((error: unknown) => {
    fail('worker-crashed', `The blur worker failed: ${error instanceof Error ? error.message : String(error)}`, error);
  });
});
