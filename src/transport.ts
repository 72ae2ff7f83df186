import type { TransportInit, WorkerToMain } from '../contract/protocol.js';
import type { TransportKind } from './capability-ladder.js';
import type { WorkerBridge } from './worker-bridge.js';

/** What a worker's `start` message carries for the transport, and what it transfers. */
export interface TransportConnection {
  readonly init: TransportInit;
  readonly transfer: Transferable[];
}

/**
 * How camera frames reach the worker and processed ones leave it: Chromium's
 * streams (tiers 1 and 2), the W3C track (Safari 18, tiers 1 and 2), or canvas
 * capture (tiers 3 and 4). `BlurProcessor` holds one and never branches on
 * which.
 */
export interface Transport {
  readonly kind: TransportKind;
  /**
   * The processed track. The W3C transport's comes from the worker, after
   * `connect`; the others make it on the page, so that a replacement worker
   * writes to the same track an RTCPeerConnection may be sending.
   */
  readonly output: Promise<MediaStreamTrack>;
  /** Whether a new worker can take over after one died, keeping the output track. */
  readonly reconnectable: boolean;
  /** Joins a (new) worker: what its `start` message needs. */
  connect(bridge: WorkerBridge, signal: AbortSignal): TransportConnection;
  /** Frames and requests from the worker that are the transport's to handle. */
  onWorkerMessage(message: WorkerToMain): void;
  /** What the transport has seen so far, for an error that must say where frames stopped (null: nothing to add). */
  progress?(): string | null;
  /**
   * Whether the camera is known to be sending pictures here (canvas capture's
   * hidden video has one), so that a first frame still missing is the
   * worker's delay, not the camera's silence. Absent: the transport cannot tell.
   */
  cameraHasPicture?(): boolean;
  /** Ends the output and releases what the transport holds. Safe to call twice. */
  stop(): void;
}
