const SOFTWARE_RENDERER = /swiftshader|llvmpipe|software|lavapipe|basic render/i;

export interface WebGl2Probe {
  readonly ok: boolean;
  readonly reason: string;
  /** A software renderer (SwiftShader, llvmpipe): MediaPipe's CPU delegate is faster there. */
  readonly software: boolean;
}

/** WebGL2 counts only when a context can be made on an OffscreenCanvas here, in the worker. */
export function probeWebGl2(): WebGl2Probe {
  if (typeof OffscreenCanvas === 'undefined') return { ok: false, reason: 'no OffscreenCanvas in workers', software: false };
  let gl: WebGL2RenderingContext | null = null;
  try {
    gl = new OffscreenCanvas(1, 1).getContext('webgl2');
  } catch (error) {
    return { ok: false, reason: `WebGL2 context creation failed: ${String(error)}`, software: false };
  }
  if (!gl) return { ok: false, reason: 'no WebGL2 context on OffscreenCanvas in a worker', software: false };
  const debug = gl.getExtension('WEBGL_debug_renderer_info');
  const renderer = String(gl.getParameter(debug ? debug.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  return { ok: true, reason: '', software: SOFTWARE_RENDERER.test(renderer) };
}
