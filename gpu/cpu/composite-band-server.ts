import { isCompositeBandRequest, type CompositeBandRequest, type FromCompositeBandHelper } from './composite-band-protocol.js';
import { RgbaCompositePass } from './rgba-composite.js';

/**
 * The helper thread's side (see composite-band-helper.ts): one composite pass,
 * kept from band to band because the guided edge's hold remembers, per pixel
 * of its rows, the weight it last showed.
 */
export class CompositeBandServer {
  private readonly pass = new RgbaCompositePass();
  private silent = false;

  constructor(private readonly post: (message: FromCompositeBandHelper, transfer: Transferable[]) => void) {
    post({ type: 'composite-band-ready' }, []);
  }

  handle(request: CompositeBandRequest): void {
    if (request.goSilent) this.silent = true;
    if (this.silent) return;
    try {
      const started = performance.now();
      const { width, height, first, last, rgba, blurred, downsample, mask } = request;
      if (request.forgetShownWeights) this.pass.forgetShownWeights();
      this.pass.edgeHold = request.edgeHold;
      this.pass.composite(rgba, width, height, blurred, downsample, mask, { first, last, origin: first - 1 });
      const transfer: Transferable[] = [rgba.buffer, blurred.data.buffer];
      if (mask) transfer.push(mask.data.buffer);
      const ms = performance.now() - started;
      this.post({ type: 'composite-band-done', id: request.id, ms, rgba, blurredData: blurred.data, maskData: mask?.data ?? null }, transfer);
    } catch (error) {
      this.post({ type: 'composite-band-failed', id: request.id, message: error instanceof Error ? error.message : String(error) }, []);
    }
  }
}

/** What of a worker's global scope the server uses. */
interface MessagingScope {
  postMessage(message: unknown, transfer: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<unknown>) => void): void;
}

/** Makes this worker a composite helper; the blur worker's script calls it when started under COMPOSITE_BAND_WORKER_NAME. */
export function serveCompositeBands(scope: MessagingScope): void {
  const server = new CompositeBandServer((message, transfer) => scope.postMessage(message, transfer));
  scope.addEventListener('message', (event) => {
    if (isCompositeBandRequest(event.data)) server.handle(event.data);
  });
}
