import { expect } from '@open-wc/testing';
import { MODEL_INPUT_SIZE, type SegmentationModel } from '../contract/options.js';
import type { FromSegmenterWorker, ToSegmenterWorker } from '../workers/segmenter-protocol.js';
import type { SegmenterSpec } from '../workers/segmenter-factory.js';

/**
 * LiteRT.js and MediaPipe run the same .tflite; LiteRT's segmenter must give
 * the masks MediaPipe's CPU delegate gives (issue: mean absolute difference
 * ≤ 0.01 and IoU ≥ 0.99 on the stills). Both run in the shipped segmenter
 * worker, as the product runs them, on the same model input.
 */
const STILLS = ['portrait.jpg', 'three-people.jpg', 'portraits-p3m/p_07141906.jpg', 'portraits-p3m/p_09ba26b4.jpg', 'portraits-p3m/p_514ca06a.jpg'];
const dist = (path: string): string => new URL(`../dist/${path}`, import.meta.url).href;

function specFor(kind: 'mediapipe' | 'litert', model: SegmentationModel): SegmenterSpec {
  const modelUrl = dist(model === 'general' ? 'models/selfie_segmenter.tflite' : 'models/selfie_segmenter_landscape.tflite');
  return kind === 'mediapipe'
    ? { kind, options: { runtime: { wasmLoader: dist('wasm/vision_wasm_module_internal.js'), wasmBinary: dist('wasm/vision_wasm_module_internal.wasm') }, modelUrl, delegate: 'CPU' } }
    : { kind, options: { runtime: { wasmLoader: dist('wasm/litert_wasm_compat_internal.js'), wasmBinary: dist('wasm/litert_wasm_compat_internal.wasm') }, modelUrl } };
}

/** The segmenter worker, driven with its own typed messages. */
class SegmenterWorker {
  private readonly worker = new Worker(dist('segmenter-worker.js'), { type: 'module' });
  private nextId = 1;

  private send(message: ToSegmenterWorker, transfer: Transferable[] = []): void {
    this.worker.postMessage(message, transfer);
  }

  private reply(match: (message: FromSegmenterWorker) => boolean): Promise<FromSegmenterWorker> {
    return new Promise((resolve, reject) => {
      const onMessage = (event: MessageEvent<FromSegmenterWorker>): void => {
        if (!match(event.data)) return;
        done();
        resolve(event.data);
      };
      const onError = (event: ErrorEvent): void => {
        done();
        reject(new Error(`the segmenter worker failed: ${event.message}`));
      };
      const done = (): void => {
        this.worker.removeEventListener('message', onMessage);
        this.worker.removeEventListener('error', onError);
      };
      this.worker.addEventListener('message', onMessage);
      this.worker.addEventListener('error', onError);
    });
  }

  async start(segmenter: number, spec: SegmenterSpec): Promise<void> {
    const answer = this.reply((m) => m.segmenter === segmenter && (m.type === 'segmenter-ready' || m.type === 'segmenter-failed'));
    this.send({ type: 'segmenter-start', segmenter, spec });
    const message = await answer;
    if (message.type === 'segmenter-failed') throw new Error(`${spec.kind} did not start: ${message.message}`);
  }

  async run(segmenter: number, image: ImageData): Promise<Float32Array> {
    const id = this.nextId++;
    const answer = this.reply((m) => m.segmenter === segmenter && 'id' in m && m.id === id);
    const pixels = image.data.slice();
    this.send({ type: 'segmenter-run', segmenter, id, width: image.width, height: image.height, pixels, timestampMs: id * 33 }, [pixels.buffer]);
    const message = await answer;
    if (message.type !== 'segmenter-mask') throw new Error(`no mask: ${'message' in message ? message.message : message.type}`);
    expect([message.width, message.height]).to.deep.equal([image.width, image.height]);
    return message.data;
  }

  terminate(): void {
    this.worker.terminate();
  }
}

/** A still stretched to the model's input, as the blur worker's scale stage makes it. */
async function modelInput(still: string, model: SegmentationModel): Promise<ImageData> {
  const response = await fetch(`/media/stills/${still}`);
  expect(response.ok, `${still} is served`).to.equal(true);
  const bitmap = await createImageBitmap(await response.blob());
  const { width, height } = MODEL_INPUT_SIZE[model];
  const canvas = new OffscreenCanvas(width, height);
  const context = canvas.getContext('2d')!;
  context.drawImage(bitmap, 0, 0, width, height);
  bitmap.close();
  return context.getImageData(0, 0, width, height);
}

/** How far `a` is from the reference `b`; `personShare` is the reference's. */
function agreement(a: Float32Array, b: Float32Array): { meanAbsoluteDifference: number; iou: number; personShare: number } {
  let difference = 0;
  let both = 0;
  let either = 0;
  let person = 0;
  for (let i = 0; i < a.length; i++) {
    difference += Math.abs(a[i]! - b[i]!);
    const inA = a[i]! >= 0.5;
    const inB = b[i]! >= 0.5;
    if (inA && inB) both++;
    if (inA || inB) either++;
    if (inB) person++;
  }
  return { meanAbsoluteDifference: difference / a.length, iou: either === 0 ? 1 : both / either, personShare: person / a.length };
}

describe('LiteRT.js against MediaPipe (CPU delegate), the same model on the same stills', () => {
  let worker: SegmenterWorker;
  before(() => {
    worker = new SegmenterWorker();
  });
  after(() => worker.terminate());

  for (const model of ['general', 'landscape'] as const) {
    it(`${model} model: mean absolute difference ≤ 0.01 and IoU ≥ 0.99 on ${STILLS.length} stills`, async () => {
      const mediapipe = model === 'general' ? 1 : 3;
      const litert = mediapipe + 1;
      await worker.start(mediapipe, specFor('mediapipe', model));
      await worker.start(litert, specFor('litert', model));
      for (const still of STILLS) {
        const input = await modelInput(still, model);
        const reference = await worker.run(mediapipe, input);
        const masks = await worker.run(litert, input);
        const result = agreement(masks, reference);
        console.log(`${model} ${still}: mean |Δ| ${result.meanAbsoluteDifference.toExponential(2)}, IoU ${result.iou.toFixed(4)}, person ${(result.personShare * 100).toFixed(1)}%`);
        // A mask of nobody agrees with itself trivially: each still has a person in it.
        expect(result.personShare, `${still}: MediaPipe finds a person`).to.be.above(0.05);
        expect(result.meanAbsoluteDifference, `${still}: mean absolute difference`).to.be.at.most(0.01);
        expect(result.iou, `${still}: IoU`).to.be.at.least(0.99);
      }
    });
  }
});
