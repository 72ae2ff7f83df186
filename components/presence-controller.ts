import type { ReactiveController, ReactiveControllerHost } from 'lit';

/** Removal and re-insertion within this window (a move in the DOM) keeps the camera running. */
const DISCONNECT_GRACE_MS = 0;

/**
 * Tells `<blur-camera>` when it truly arrives in and leaves the page. A move
 * (removed, then inserted again in the same task) is neither: the camera
 * keeps running rather than closing and asking the browser again.
 */
export class PresenceController implements ReactiveController {
  private leaving: ReturnType<typeof setTimeout> | undefined;

  /**
   * @param arrived called on connect, unless the element comes back from a move
   * @param left called once the element has stayed out of the page past the grace window
   */
  constructor(
    host: ReactiveControllerHost,
    private readonly arrived: () => void,
    private readonly left: () => void,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    if (this.leaving !== undefined) {
      // Moved within the page: the camera keeps running.
      clearTimeout(this.leaving);
      this.leaving = undefined;
      return;
    }
    this.arrived();
  }

  hostDisconnected(): void {
    // Defer, so that a move (remove then insert in the same task) doesn't restart the camera.
    this.leaving = setTimeout(() => {
      this.leaving = undefined;
      this.left();
    }, DISCONNECT_GRACE_MS);
  }
}
