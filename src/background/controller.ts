import type { Background } from '../../contract/background.js';
import type { MainToWorker } from '../../contract/protocol.js';
import type { BackgroundEffect, BlurErrorDetail } from '../events.js';
import { loadBackground, type LoadedBackground } from './load.js';
import { BackgroundLoadError } from './load-error.js';
import { parseBackground, type BackgroundValue, type ParsedBackground } from './value.js';
import { VideoBackgroundPump } from './video-pump.js';

/** What the controller asks of the processor it works for. */
export interface BackgroundHost {
  /** Posts to the running worker; false when there is none (the caller still owns what it meant to transfer). */
  send(message: MainToWorker, transfer?: Transferable[]): boolean;
  /** What the output shows behind the person changed. */
  onEffectChange(effect: BackgroundEffect): void;
  /** A picture failed to load; the blur is in effect instead. */
  onError(detail: BlurErrorDetail): void;
  /** Whether the processor is stopping: a load that ends then is dropped. */
  stopping(): boolean;
}

/**
 * The processor's background: what the page set, what is in effect (the
 * previous one stays while a new picture loads), the load in flight and a
 * video background's frame pump. It tells the worker each change, and the
 * processor each change of what is on screen.
 */
export class BackgroundController {
  /** The background as the page set it. */
  private value: BackgroundValue = 'blur';
  /** The background in effect: what the worker gets. */
  private loaded: LoadedBackground = { kind: 'blur' };
  private load: AbortController | null = null;
  private pump: VideoBackgroundPump | null = null;

  constructor(private readonly host: BackgroundHost) {}

  get current(): BackgroundValue {
    return this.value;
  }

  /** What the output shows behind the person now, whatever was last asked for. */
  get effect(): BackgroundEffect {
    return effectOf(this.loaded);
  }

  /**
   * Loads `value` and puts it in effect when ready, unless a newer one was set
   * meanwhile; keywords and colours take effect at once. A value that is no
   * background is refused with a console warning, and the previous one stays.
   */
  set(value: BackgroundValue): void {
    const parsed = parseBackground(value);
    if (!parsed) {
      const shown = typeof value === 'string' ? JSON.stringify(value) : Object.prototype.toString.call(value);
      console.warn(`blur-camera: background=${shown} is not blur, none, a CSS colour, an image URL (a path with "/" or ".", or url(…)), an ImageBitmap, a Blob, an <img> or a <video>; keeping the previous background.`);
      return;
    }
    this.value = value;
    this.startLoad(parsed);
  }

  /** Loads what the page set again, after `release()` closed the decoded picture. */
  reload(): void {
    this.set(this.value);
  }

  /** The background in effect as the worker takes it; a picture is cloned (not transferred), so a restarted worker can have it too. */
  forWorker(): Background {
    switch (this.loaded.kind) {
      case 'image':
        return { kind: 'image', image: this.loaded.bitmap };
      case 'video':
        // Its frames follow from the pump.
        return { kind: 'blur' };
      default:
        return this.loaded;
    }
  }

  /** A new worker started: a video background's frames come on their own, and it needs one now. */
  refresh(): void {
    this.pump?.refresh();
  }

  /** Stops the load and the pump and closes the decoded picture; what the page set is kept for `reload()`. */
  release(): void {
    this.load?.abort();
    this.load = null;
    this.pump?.stop();
    this.pump = null;
    if (this.loaded.kind === 'image') this.loaded.bitmap.close();
    this.loaded = { kind: 'blur' };
  }

  private startLoad(parsed: ParsedBackground): void {
    this.load?.abort();
    this.load = null;
    if (parsed.kind === 'blur' || parsed.kind === 'none' || parsed.kind === 'colour') {
      this.use(parsed);
      return;
    }
    const aborter = new AbortController();
    this.load = aborter;
    loadBackground(parsed, aborter.signal).then(
      (loaded) => {
        if (aborter.signal.aborted || this.host.stopping()) {
          if (loaded.kind === 'image') loaded.bitmap.close();
          return;
        }
        this.load = null;
        this.use(loaded);
      },
      (error: unknown) => {
        if (aborter.signal.aborted || this.host.stopping()) return;
        this.load = null;
        const message = error instanceof BackgroundLoadError
          ? error.message
          : `The background could not be loaded: ${error instanceof Error ? error.message : String(error)}. The background stays blurred.`;
        console.error(`blur-camera: ${message}`);
        // Never the raw room: the blur, which every fault falls back to.
        this.use({ kind: 'blur' });
        this.host.onError({ type: 'background-load', message, cause: error });
      },
    );
  }

  /** Puts a loaded background in effect and tells the worker. */
  private use(loaded: LoadedBackground): void {
    const previous = this.loaded;
    this.pump?.stop();
    this.pump = null;
    this.loaded = loaded;
    if (loaded.kind === 'video') {
      this.pump = new VideoBackgroundPump(loaded.video, (frame) => {
        // Transferred: the worker closes it when the next one comes. A frame that can reach no worker is still ours.
        if (!this.host.send({ type: 'background', background: { kind: 'image', image: frame } }, [frame])) frame.close();
      });
    } else {
      this.host.send({ type: 'background', background: this.forWorker() });
    }
    if (previous.kind === 'image' && previous !== loaded) previous.bitmap.close();
    if (effectOf(previous) !== effectOf(loaded)) this.host.onEffectChange(this.effect);
  }
}

/** What a background in effect shows behind the person. */
function effectOf(background: LoadedBackground): BackgroundEffect {
  return background.kind === 'blur' || background.kind === 'none' ? background.kind : 'replaced';
}
