import type { BackendName } from '../contract/backend.js';
import type { MainToWorker, WorkerToMain } from '../contract/protocol.js';
import { BLUR_WORKER_NAME, createBlurWorker } from './asset-urls.js';
import { WorkerBridge } from './worker-bridge.js';

/**
 * A running worker posts stats twice a second; this long without a message
 * means it died (terminated, or crashed without an `error` event).
 */
const WORKER_SILENCE_MS = 8000;
/** How long a stopping worker gets to close its frames and GPU resources before it is terminated. */
const STOP_TIMEOUT_MS = 2000;

/** What the supervisor asks of the processor it works for. */
export interface SupervisorHost {
  /** Every message of the current worker. */
  onMessage(message: WorkerToMain): void;
  /** Whether a new worker can take over the dead one's output track. */
  canReconnect(): boolean;
  /** Starts a new worker on `backends`, joined to the transport the dead one used. */
  restart(bridge: WorkerBridge, backends: readonly BackendName[]): void;
  /** A worker died and a replacement starts: the dead one's counts are gone with it. */
  onReplaced(message: string): void;
  /** The replacement runs the ladder's last step down (the CPU renderer today), after a second loss: a new tier. */
  onSteppedDown(backend: BackendName, message: string): void;
  /** No worker could be kept: the output must stop, with this message. */
  onLost(message: string): void;
}

/**
 * Owns the blur worker of one run: spawns it, notices when it dies (an error
 * it reports, or silence), and replaces it. The first loss restarts it as it
 * was; the second restarts it on the CPU path; the third ends the output. The
 * output track stays meanwhile and gets no frame (never a raw one).
 */
export class WorkerSupervisor {
  /** The backends the ladder chose, best first; a first replacement gets them again. */
  backends: readonly BackendName[] = [];
  private current: WorkerBridge | null = null;
  private losses = 0;
  private lastMessageAt = 0;
  private watchdog: ReturnType<typeof setInterval> | null = null;
  private recovering = false;
  private stopped = false;

  constructor(private readonly host: SupervisorHost, private readonly signal: AbortSignal) {}

  /** The running worker's bridge, or null between a death and its replacement. */
  get bridge(): WorkerBridge | null {
    return this.current;
  }

  /** Whether the pipeline runs and is watched: faults from here on replace the worker. */
  get armed(): boolean {
    return this.watchdog !== null;
  }

  /** Whether a replacement is under way (the old output may look ended meanwhile). */
  get replacing(): boolean {
    return this.recovering;
  }

  /** A new worker, listened to; it becomes the current one. */
  spawn(): WorkerBridge {
    const bridge = new WorkerBridge(createBlurWorker(), BLUR_WORKER_NAME);
    this.current = bridge;
    bridge.listen((message) => {
      this.lastMessageAt = performance.now();
      this.host.onMessage(message);
    });
    return bridge;
  }

  /**
   * A new worker in place of the current one (which is terminated), once it
   * has answered its probe. For a worker that never made its first frame:
   * nothing ran yet to count as a loss.
   */
  async respawn(): Promise<WorkerBridge> {
    this.current?.terminate();
    return this.spawnProbed();
  }

  private async spawnProbed(): Promise<WorkerBridge> {
    const bridge = this.spawn();
    const probed = bridge.once('probed', this.signal);
    bridge.send({ type: 'probe' });
    await probed;
    return bridge;
  }

  /** Posts to the current worker; false when there is none, so the caller still owns what it meant to transfer. */
  send(message: MainToWorker, transfer: Transferable[] = []): boolean {
    return this.current?.send(message, transfer) ?? false;
  }

  /** Starts watching for silence, once the pipeline runs. */
  arm(): void {
    this.lastMessageAt = performance.now();
    this.watchdog ??= setInterval(() => {
      if (performance.now() - this.lastMessageAt > WORKER_SILENCE_MS) void this.replace('it stopped answering');
    }, 1000);
  }

  /** Replaces a worker that died under a running pipeline (see the class comment). */
  async replace(reason: string): Promise<void> {
    if (this.recovering || this.stopped || !this.armed) return;
    this.recovering = true;
    try {
      this.current?.terminate();
      this.current = null;
      this.losses++;
      const canReconnect = this.host.canReconnect();
      if (this.losses > 2 || !canReconnect) {
        this.host.onLost(`The blur worker died (${reason}) ${canReconnect ? 'again after two restarts' : 'and its output track went with it'}. The output has stopped; call start() to try again.`);
        return;
      }
      const steppedDown = this.losses === 2;
      const message = `The blur worker died (${reason}); ${steppedDown ? 'restarted it on the CPU path' : 'restarted it'}. The output kept its track and sent no unblurred frame.`;
      this.host.onReplaced(message);
      const bridge = await this.spawnProbed();
      this.lastMessageAt = performance.now();
      // The second restart runs only the ladder's last step down: the CPU renderer, which ends every ladder of today's registry.
      const lastResort = this.backends.slice(-1);
      this.host.restart(bridge, steppedDown ? lastResort : this.backends);
      if (steppedDown && lastResort[0]) this.host.onSteppedDown(lastResort[0], message);
    } catch (error) {
      if (!this.stopped) this.host.onLost(`The blur worker could not be restarted: ${String(error)}. The output has stopped; call start() to try again.`);
    } finally {
      this.recovering = false;
    }
  }

  /** Lets the worker close its frames and destroy its GPU resources, then terminates it. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = null;
    const bridge = this.current;
    if (bridge?.alive) {
      const stopped = bridge.once('stopped');
      bridge.send({ type: 'stop' });
      await Promise.race([stopped.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, STOP_TIMEOUT_MS))]);
    }
    bridge?.terminate();
  }

  /** Test hook: terminates the worker as a crash would, without telling anyone. */
  terminateForTest(): void {
    this.current?.terminate();
  }
}
