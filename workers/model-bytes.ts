import { ModelLoadError } from './segmenter.js';

/** TFLite files start their FlatBuffer with this identifier at byte 4. */
const TFLITE_IDENTIFIER = 'TFL3';

/** Fetches a segmentation model and checks that it is a TFLite file; every runtime runs the same file. */
export async function fetchModel(url: string): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (cause) {
    throw new ModelLoadError(url, 'The segmentation model could not be fetched', { cause });
  }
  if (!response.ok) throw new ModelLoadError(url, `The segmentation model answered HTTP ${response.status}`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  const identifier = String.fromCharCode(...bytes.subarray(4, 8));
  if (identifier !== TFLITE_IDENTIFIER) throw new ModelLoadError(url, 'The segmentation model is not a TFLite file');
  return bytes;
}
