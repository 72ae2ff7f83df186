import { BlurError } from './blur-error.js';

export interface CameraRequest {
  readonly width: number;
  readonly height: number;
  readonly frameRate: number;
  readonly deviceId?: string | undefined;
  readonly facingMode?: string | undefined;
}

/**
 * Opens the camera and turns getUserMedia's DOMExceptions into errors whose
 * type and message tell the user what to do.
 */
export async function openCamera(request: CameraRequest): Promise<MediaStreamTrack> {
  if (!navigator.mediaDevices?.getUserMedia) {
    throw new BlurError('unsupported', 'This page cannot use the camera: getUserMedia needs a secure context (https or localhost).');
  }
  const video: MediaTrackConstraints = {
    width: { ideal: request.width },
    height: { ideal: request.height },
    frameRate: { ideal: request.frameRate },
    ...(request.deviceId ? { deviceId: { exact: request.deviceId } } : {}),
    ...(request.facingMode ? { facingMode: { ideal: request.facingMode } } : {}),
  };
  let stream: MediaStream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video, audio: false });
  } catch (error) {
    throw cameraError(error, request);
  }
  const [track] = stream.getVideoTracks();
  if (!track) throw new BlurError('no-camera', 'The camera gave no video track.');
  return track;
}

function cameraError(error: unknown, request: CameraRequest): BlurError {
  const name = error instanceof DOMException ? error.name : '';
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return new BlurError('permission-denied', 'Camera permission was denied. Allow the camera in the browser\'s site settings, then start again.', { cause: error });
    case 'NotFoundError':
    case 'OverconstrainedError':
      return new BlurError(
        'no-camera',
        request.deviceId
          ? `No camera matches device-id "${request.deviceId}". Pick one from navigator.mediaDevices.enumerateDevices(), or remove device-id.`
          : 'No camera was found. Connect a camera, then start again.',
        { cause: error },
      );
    case 'NotReadableError':
    case 'AbortError':
      return new BlurError('camera-busy', 'The camera is in use by another application or tab. Close it there, then start again.', { cause: error });
    default:
      return new BlurError('no-camera', `The camera could not be opened: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}
