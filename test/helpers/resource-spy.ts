/**
 * Watches the real camera tracks, canvas-capture tracks and workers that the
 * element creates, by wrapping (not replacing) getUserMedia,
 * HTMLCanvasElement.captureStream and Worker, so tests can check that every
 * one is released. The segmenter worker and the CPU renderer's composite
 * helper run inside the blur worker, where no page can see them:
 * `stats.segmenterWorkers` and `stats.compositeWorkers` count them instead.
 */
export interface ResourceSpy {
  readonly cameraTracks: MediaStreamTrack[];
  /** Tracks of captured canvases (tiers 3 and 4's output). */
  readonly captureTracks: MediaStreamTrack[];
  readonly workers: { worker: Worker; terminated: boolean }[];
  getUserMediaCalls(): number;
  liveTracks(): MediaStreamTrack[];
  liveWorkers(): number;
  restore(): void;
}

export function spyOnResources(): ResourceSpy {
  const mediaDevices = navigator.mediaDevices;
  const originalGetUserMedia = mediaDevices.getUserMedia;
  const OriginalWorker = window.Worker;
  const cameraTracks: MediaStreamTrack[] = [];
  const captureTracks: MediaStreamTrack[] = [];
  const originalCaptureStream = HTMLCanvasElement.prototype.captureStream;
  HTMLCanvasElement.prototype.captureStream = function (this: HTMLCanvasElement, frameRate?: number): MediaStream {
    const stream = originalCaptureStream.call(this, frameRate);
    captureTracks.push(...stream.getTracks());
    return stream;
  };
  const workers: { worker: Worker; terminated: boolean }[] = [];
  let calls = 0;
  mediaDevices.getUserMedia = async function (constraints?: MediaStreamConstraints): Promise<MediaStream> {
    calls++;
    const stream = await originalGetUserMedia.call(mediaDevices, constraints);
    cameraTracks.push(...stream.getTracks());
    return stream;
  };
  class SpiedWorker extends OriginalWorker {
    constructor(url: string | URL, options?: WorkerOptions) {
      super(url, options);
      const entry = { worker: this as Worker, terminated: false };
      workers.push(entry);
      const terminate = this.terminate.bind(this);
      this.terminate = () => {
        entry.terminated = true;
        terminate();
      };
    }
  }
  window.Worker = SpiedWorker;
  return {
    cameraTracks,
    captureTracks,
    workers,
    getUserMediaCalls: () => calls,
    liveTracks: () => [...cameraTracks, ...captureTracks].filter((track) => track.readyState === 'live'),
    liveWorkers: () => workers.filter((entry) => !entry.terminated).length,
    restore: () => {
      mediaDevices.getUserMedia = originalGetUserMedia;
      window.Worker = OriginalWorker;
      HTMLCanvasElement.prototype.captureStream = originalCaptureStream;
    },
  };
}

export function nextEvent<T extends Event>(target: EventTarget, type: string, timeoutMs = 60000): Promise<T> {
  return new Promise((resolve, reject) => {
    // The errors seen while waiting go into the timeout's message: a wait that
    // ends in a timeout then says why the event never came.
    const errors: string[] = [];
    const noteError = (event: Event): void => {
      const detail = (event as CustomEvent<{ type?: string; message?: string } | undefined>).detail;
      errors.push(detail ? `${detail.type ?? '?'}: ${detail.message ?? ''}` : event.type);
    };
    if (type !== 'error') target.addEventListener('error', noteError);
    const timer = setTimeout(() => {
      target.removeEventListener('error', noteError);
      const seen = errors.length ? `; errors meanwhile: ${errors.join(' | ')}` : '; no error event meanwhile';
      reject(new Error(`no ${type} event within ${timeoutMs} ms${seen}`));
    }, timeoutMs);
    target.addEventListener(type, (event) => {
      clearTimeout(timer);
      target.removeEventListener('error', noteError);
      resolve(event as T);
    }, { once: true });
  });
}

export async function waitFor(condition: () => boolean, what: string, timeoutMs = 10000): Promise<void> {
  const started = performance.now();
  while (!condition()) {
    if (performance.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Stops and removes every <blur-camera> a test left in the page. */
export async function removeBlurCameras(): Promise<void> {
  for (const element of document.querySelectorAll('blur-camera')) {
    await element.stop();
    element.remove();
  }
}

/**
 * A spy for each test of the calling `describe` block: a new one before each
 * test; after it, `cleanUp` (the block's own teardown, which may still need
 * the spy's wrappers, e.g. to remove elements), then the spy is restored.
 * Returns a getter of the running test's spy.
 */
export function useResourceSpy(cleanUp?: () => Promise<void> | void): () => ResourceSpy {
  let spy: ResourceSpy | null = null;
  beforeEach(() => {
    spy = spyOnResources();
  });
  afterEach(async () => {
    try {
      await cleanUp?.();
    } finally {
      spy?.restore();
      spy = null;
    }
  });
  return () => {
    if (!spy) throw new Error('the resource spy is only there while a test runs');
    return spy;
  };
}
