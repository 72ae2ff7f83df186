/**
 * The worker's view of a MediaStreamTrack: TypeScript's WebWorker library
 * lacks it, though tracks can be transferred to workers (the W3C form of
 * insertable streams, shipped by Safari 18).
 */
interface MediaStreamTrack extends EventTarget {
  readonly kind: string;
  readonly readyState: 'live' | 'ended';
  stop(): void;
}
