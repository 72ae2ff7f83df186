import { openCamera, type CameraRequest } from '../src/camera.js';

/**
 * Owns `<blur-camera>`'s camera track: opens it with getUserMedia, and makes
 * sure it is turned off on every path.
 *
 * The last call wins: `release()` (the element's stop()) and each later
 * `open()` make every earlier `open()` stale. The permission prompt can stay
 * open for seconds, so a camera that arrives for a stale call is turned off
 * the moment it arrives, and its failure is nobody's to report: the stale
 * call resolves to null either way.
 *
 * It needs none of Lit's host hooks (PresenceController decides when the
 * element stops), so it is not registered with the host.
 */
export class CameraController {
  private current: MediaStreamTrack | null = null;
  /** Bumped by every open() and release(): an open() whose number is behind it is stale. */
  private generation = 0;

  /**
   * @param onEnded called when the camera ends by itself (unplugged, or taken
   *   by the system); never for a track this controller turned off.
   */
  constructor(private readonly onEnded: () => void) {}

  /** The camera held now, or null before open() resolves and after release(). */
  get track(): MediaStreamTrack | null {
    return this.current;
  }

  /**
   * Opens the camera and holds it. Resolves to null when release() or another
   * open() came while the browser was asking; rejects with open's BlurError
   * (permission-denied, no-camera, …) when the call is still current.
   */
  async open(request: CameraRequest): Promise<MediaStreamTrack | null> {
    const generation = ++this.generation;
    let track: MediaStreamTrack;
    try {
      track = await openCamera(request);
    } catch (error) {
      if (generation !== this.generation) return null;
      throw error;
    }
    if (generation !== this.generation) {
      track.stop();
      return null;
    }
    this.current = track;
    track.addEventListener('ended', this.onEnded);
    return track;
  }

  /** Whether `track` is the camera held now: false once release() turned it off. */
  holds(track: MediaStreamTrack): boolean {
    return this.current === track;
  }

  /** Turns the camera off, and any camera still on its way too once it arrives. */
  release(): void {
    this.generation++;
    // stop() fires no `ended`; the listener goes anyway so that a released track never reaches onEnded.
    this.current?.removeEventListener('ended', this.onEnded);
    this.current?.stop();
    this.current = null;
  }
}
