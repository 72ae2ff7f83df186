import { GuidedMaskFilter, type GuidedCoefficients } from '../guided-mask-filter.js';
import { BackgroundFitter, renderMode, type Background } from '../background.js';
import { historyLength, type Compositor, type CompositorTimings, type ConfidenceMask, type MaskRefinement, type RenderParams } from '../compositor.js';
import { gaussianKernel, maskSmoothingKernel, planBlur, type GaussianKernel } from '../gaussian-kernel.js';
import { frameSize } from '../frame-size.js';
import { blurSigma, EDGE_RANGE_SIGMA, MASK_HISTORY_LENGTH, MASK_SIGMOID_STEEPNESS } from '../refine-constants.js';
import fullscreenVertex from './fullscreen.vert.glsl';
import downscaleFragment from './downscale.frag.glsl';
import separableBlurFragment from './separable-blur.frag.glsl';
import compositeFragment from './composite.frag.glsl';

interface Target {
  readonly texture: WebGLTexture;
  readonly framebuffer: WebGLFramebuffer;
  readonly width: number;
  readonly height: number;
}

interface Program {
  readonly program: WebGLProgram;
  readonly uniform: (name: string) => WebGLUniformLocation | null;
}

/** Raised when the WebGL2 context is lost; the pipeline steps down the ladder. */
export class WebGlContextLostError extends Error {
  constructor() {
    super('The WebGL2 context was lost');
    this.name = 'WebGlContextLostError';
  }
}

/**
 * Tier 2's compositor: the same passes as the WebGPU one (downscale, σ=2 mask
 * smoothing with the sigmoid, separable blur of a downsampled copy, mix),
 * in WebGL2 on an OffscreenCanvas. The output VideoFrame is a snapshot of
 * that canvas, so the frame never leaves the GPU on the way out.
 */
export class WebGl2Compositor implements Compositor {
  readonly name = 'webgl2';
  /** Shares its GPU resources between stages: one frame at a time. */
  readonly overlaps = false;
  /** Not counted yet for WebGL2. */
  readonly gpuBytes = null;
  private readonly canvas: OffscreenCanvas;
  private readonly gl: WebGL2RenderingContext;
  private readonly downscale: Program;
  private readonly blur: Program;
  private readonly composite: Program;
  private readonly vertexArray: WebGLVertexArrayObject;
  private readonly maskFormat: { internal: number; format: number; type: number };
  private frameTexture: WebGLTexture;
  private uploadedFrame: VideoFrame | null = null;
  private modelInput: Target | null = null;
  private rawMask: { texture: WebGLTexture; width: number; height: number } | null = null;
  private smoothedRows: Target | null = null;
  private history: Target[] = [];
  private blurA: Target | null = null;
  private blurB: Target | null = null;
  private masksHeld = 0;
  /** The `guided` refinement: its filter (on the CPU, at the mask's size) and its coefficients' texture. */
  private readonly guided = new GuidedMaskFilter();
  private coefficients: { texture: WebGLTexture; width: number; height: number } | null = null;
  private guidedHeld = false;
  /** The weight each pixel showed (R8, at the frame's size), for the guided edge's hold: the last frame's, and this frame's. */
  private shownWeights: [Target | null, Target | null] = [null, null];
  /** Which of the two the last frame wrote. */
  private lastShown: 0 | 1 = 0;
  /** Whether it holds the guided weights a frame showed (not after a resize, a cleared mask or a frame without the guided mask). */
  private shownValid = false;
  private nextHistorySlot = 0;
  private maskRefinement: MaskRefinement | null = null;
  /** The frame blur's kernel, rebuilt only when sigma changes. */
  private blurKernel: GaussianKernel | null = null;
  /** u_weights, padded to the shader's 32 slots; reused every pass. */
  private readonly paddedWeights = new Float32Array(32);
  private lost = false;
  private destroyed = false;
  private readonly background = new BackgroundFitter();
  /** The fitted background and its light; uploaded when the fitted version changes. */
  private backgroundTexture: WebGLTexture | null = null;
  private lightTexture: WebGLTexture | null = null;
  private uploadedBackground = -1;

  constructor(onContextLost: () => void) {
    this.canvas = new OffscreenCanvas(1, 1);
    const gl = this.canvas.getContext('webgl2', { alpha: false, antialias: false, depth: false, stencil: false, preserveDrawingBuffer: false });
    if (!gl) throw new Error('WebGL2 is not available on OffscreenCanvas');
    this.gl = gl;
    this.canvas.addEventListener('webglcontextlost', (event) => {
      event.preventDefault();
      this.lost = true;
      onContextLost();
    });
    // Half-float render targets keep the refined mask as precise as the WebGPU tier's r16float.
    this.maskFormat = gl.getExtension('EXT_color_buffer_float')
      ? { internal: gl.R16F, format: gl.RED, type: gl.HALF_FLOAT }
      : { internal: gl.R8, format: gl.RED, type: gl.UNSIGNED_BYTE };
    this.downscale = this.program(downscaleFragment);
    this.blur = this.program(separableBlurFragment);
    this.composite = this.program(compositeFragment);
    this.vertexArray = gl.createVertexArray()!;
    this.frameTexture = this.createTexture();
  }

  get hasMask(): boolean {
    return this.masksHeld > 0 || this.guidedHeld;
  }

  async prepareModelInput(frame: VideoFrame, width: number, height: number, timings: CompositorTimings): Promise<ImageData> {
    const gl = this.checkedContext();
    const started = performance.now();
    this.upload(frame, timings);
    this.modelInput = this.ensureTarget(this.modelInput, width, height, gl.RGBA8, gl.RGBA, gl.UNSIGNED_BYTE);
    const { width: frameWidth, height: frameHeight } = frameSize(frame);
    this.drawDownscale(this.modelInput, Math.max(1, Math.min(4, Math.ceil(Math.max(frameWidth / width, frameHeight / height) / 2))));
    timings.scale = performance.now() - started;
    const readStarted = performance.now();
    const pixels = new Uint8ClampedArray(width * height * 4);
    gl.readPixels(0, 0, width, height, gl.RGBA, gl.UNSIGNED_BYTE, pixels);
    timings.readback = performance.now() - readStarted;
    return new ImageData(pixels, width, height);
  }

  async pushMask(mask: ConfidenceMask, guide: ImageData, refinement: MaskRefinement, timings: CompositorTimings): Promise<void> {
    const gl = this.checkedContext();
    const started = performance.now();
    if (refinement === 'guided') {
      // One refinement's state at a time: a switch starts the other from this mask.
      this.forgetHistory();
      this.maskRefinement = refinement;
      this.uploadCoefficients(this.guided.push(mask, guide));
      this.guidedHeld = true;
      timings.refine = performance.now() - started;
      return;
    }
    this.guided.clear();
    this.guidedHeld = false;
    const naive = refinement === 'naive';
    // Switching between one mask and three makes the held history meaningless.
    if (this.maskRefinement !== null && (this.maskRefinement === 'naive') !== naive) this.clearMasks();
    this.maskRefinement = refinement;
    if (!this.rawMask || this.rawMask.width !== mask.width || this.rawMask.height !== mask.height) {
      this.resizeMaskTargets(mask.width, mask.height);
    }
    gl.bindTexture(gl.TEXTURE_2D, this.rawMask!.texture);
    gl.pixelStorei(gl.UNPACK_ALIGNMENT, 1);
    gl.texImage2D(gl.TEXTURE_2D, 0, gl.R32F, mask.width, mask.height, 0, gl.RED, gl.FLOAT, mask.data);
    const kernel = maskSmoothingKernel(naive);
    this.drawBlur(this.rawMask!.texture, this.smoothedRows!, kernel, [1, 0], 0);
    this.drawBlur(this.smoothedRows!.texture, this.history[this.nextHistorySlot]!, kernel, [0, 1], naive ? 0 : MASK_SIGMOID_STEEPNESS);
    const length = historyLength(refinement);
    this.nextHistorySlot = (this.nextHistorySlot + 1) % length;
    this.masksHeld = Math.min(this.masksHeld + 1, length);
    timings.refine = performance.now() - started;
  }

  clearMasks(): void {
    this.forgetHistory();
    this.guided.clear();
    this.guidedHeld = false;
    this.shownValid = false;
  }

  private uploadCoefficients({ width, height, data }: GuidedCoefficients): void {
    const gl = this.gl;
    if (!this.coefficients || this.coefficients.width !== width || this.coefficients.height !== height) {
      if (this.coefficients) gl.deleteTexture(this.coefficients.texture);
      this.coefficients = { texture: this.createTexture(gl.NEAREST), width, height };
    }
    gl.bindTexture(gl.TEXTURE_2D, this.coefficients.texture);
    gl.pixelStorei(gl.UNPACK_ALIGNMENT, 4);
    gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA32F, width, height, 0, gl.RGBA, gl.FLOAT, data);
  }

  setBackground(background: Background): void {
    this.background.set(background);
  }

  async render(frame: VideoFrame, params: RenderParams, timings: CompositorTimings): Promise<VideoFrame> {
    const gl = this.checkedContext();
    const { width, height } = frameSize(frame);
    const blurStarted = performance.now();
    this.upload(frame, timings);
    const plan = planBlur(blurSigma(params.sigma, this.hasMask));
    const smallWidth = Math.max(1, Math.round(width / plan.downsample));
    const smallHeight = Math.max(1, Math.round(height / plan.downsample));
    this.blurA = this.ensureTarget(this.blurA, smallWidth, smallHeight, gl.RGBA8, gl.RGBA, gl.UNSIGNED_BYTE);
    this.blurB = this.ensureTarget(this.blurB, smallWidth, smallHeight, gl.RGBA8, gl.RGBA, gl.UNSIGNED_BYTE);
    const mode = params.view === 'mask' ? 'blur' : renderMode(this.background.current, this.hasMask);
    if (mode === 'blur') {
      this.drawDownscale(this.blurA, Math.max(1, plan.downsample / 2));
      if (this.blurKernel?.sigma !== plan.sigmaAtScale) this.blurKernel = gaussianKernel(plan.sigmaAtScale);
      const kernel = this.blurKernel;
      this.drawBlur(this.blurA.texture, this.blurB, kernel, [1, 0], 0);
      this.drawBlur(this.blurB.texture, this.blurA, kernel, [0, 1], 0);
    }
    if (mode === 'replace') this.uploadBackground(width, height);
    timings.blur = performance.now() - blurStarted;

    const compositeStarted = performance.now();
    if (this.canvas.width !== width || this.canvas.height !== height) {
      this.canvas.width = width;
      this.canvas.height = height;
    }
    if (!this.rawMask) this.resizeMaskTargets(1, 1);
    const program = this.composite;
    gl.useProgram(program.program);
    const held = this.prepareShownWeights(width, height);
    const textures: [string, WebGLTexture][] = [
      ['u_frame', this.frameTexture],
      ['u_blurred', this.blurA.texture],
      ['u_mask0', this.history[0]!.texture],
      ['u_mask1', this.history[1]!.texture],
      ['u_mask2', this.history[2]!.texture],
      ['u_guide', (this.modelInput ?? this.blurA).texture],
      ['u_background', (mode === 'replace' && this.backgroundTexture) || this.blurA.texture],
      ['u_light', (mode === 'replace' && this.lightTexture) || this.blurA.texture],
      // While none are held the shader ignores it; the raw mask (a float texture too) stands in.
      ['u_coefficients', (this.guidedHeld && this.coefficients?.texture) || this.rawMask!.texture],
      ['u_shown', held.previous.texture],
    ];
    this.bindTextures(program, textures);
    gl.uniform1i(program.uniform('u_guided'), this.guidedHeld ? 1 : 0);
    gl.uniform1i(program.uniform('u_mode'), mode === 'blur' ? 0 : mode === 'replace' ? 1 : 2);
    gl.uniform1f(program.uniform('u_lightWrap'), params.lightWrap);
    gl.uniform1i(program.uniform('u_maskCount'), this.guidedHeld ? 1 : this.masksHeld);
    gl.uniform1i(program.uniform('u_edgeAware'), (params.refinement === 'refined' || params.refinement === 'weighted') && this.modelInput ? 1 : 0);
    gl.uniform1f(program.uniform('u_rangeSigma'), EDGE_RANGE_SIGMA);
    gl.uniform1i(program.uniform('u_view'), params.view === 'mask' ? 1 : 0);
    gl.uniform1i(program.uniform('u_weightFromShown'), 0);
    gl.uniform1f(program.uniform('u_edgeHold'), 0);
    if (this.guidedHeld) {
      // First the weights this frame shows, held against the last frame's, into the other R8 target; the composite reads them.
      this.bindTarget(held.next);
      gl.uniform1i(program.uniform('u_view'), 2);
      gl.uniform1f(program.uniform('u_edgeHold'), held.valid ? params.edgeHold : 0);
      this.drawTriangle();
      // bindTextures gives each texture the unit of its place in the list.
      gl.activeTexture(gl.TEXTURE0 + textures.findIndex(([name]) => name === 'u_shown'));
      gl.bindTexture(gl.TEXTURE_2D, held.next.texture);
      gl.uniform1i(program.uniform('u_view'), params.view === 'mask' ? 1 : 0);
      gl.uniform1i(program.uniform('u_weightFromShown'), 1);
    }
    gl.bindFramebuffer(gl.FRAMEBUFFER, null);
    gl.viewport(0, 0, width, height);
    this.drawTriangle();
    const output = new VideoFrame(this.canvas, {
      timestamp: frame.timestamp,
      ...(frame.duration !== null ? { duration: frame.duration } : {}),
    });
    timings.composite = performance.now() - compositeStarted;
    return output;
  }

  /**
   * The two R8 targets of shown weights at the frame's size: `previous` (what
   * the last frame showed; `valid` if it was a guided frame at this size) and
   * `next`, which this frame writes. Flips which is which.
   */
  private prepareShownWeights(width: number, height: number): { previous: Target; next: Target; valid: boolean } {
    const gl = this.gl;
    const resized = this.shownWeights.some((t) => !t || t.width !== width || t.height !== height);
    this.shownWeights = [0, 1].map((i) => this.ensureTarget(this.shownWeights[i] ?? null, width, height, gl.R8, gl.RED, gl.UNSIGNED_BYTE)) as [Target, Target];
    const previous = this.shownWeights[this.lastShown]!;
    this.lastShown = (1 - this.lastShown) as 0 | 1;
    const next = this.shownWeights[this.lastShown]!;
    const valid = this.shownValid && !resized;
    this.shownValid = this.guidedHeld;
    return { previous, next, valid };
  }

  /** @internal Test hook: loses the context as a GPU reset would. */
  loseContextForTest(): void {
    this.gl.getExtension('WEBGL_lose_context')?.loseContext();
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    const gl = this.gl;
    for (const target of [this.modelInput, this.smoothedRows, this.blurA, this.blurB, ...this.history, ...this.shownWeights]) {
      if (!target) continue;
      gl.deleteTexture(target.texture);
      gl.deleteFramebuffer(target.framebuffer);
    }
    if (this.rawMask) gl.deleteTexture(this.rawMask.texture);
    if (this.coefficients) gl.deleteTexture(this.coefficients.texture);
    this.guided.clear();
    if (this.backgroundTexture) gl.deleteTexture(this.backgroundTexture);
    if (this.lightTexture) gl.deleteTexture(this.lightTexture);
    this.background.clear();
    gl.deleteTexture(this.frameTexture);
    gl.deleteVertexArray(this.vertexArray);
    for (const program of [this.downscale, this.blur, this.composite]) gl.deleteProgram(program.program);
    this.uploadedFrame = null;
    // Give the context back now rather than when the canvas is collected.
    gl.getExtension('WEBGL_lose_context')?.loseContext();
  }

  private checkedContext(): WebGL2RenderingContext {
    if (this.lost || this.gl.isContextLost()) throw new WebGlContextLostError();
    return this.gl;
  }

  private upload(frame: VideoFrame, timings: CompositorTimings): void {
    if (this.uploadedFrame === frame) return;
    const started = performance.now();
    const gl = this.gl;
    gl.bindTexture(gl.TEXTURE_2D, this.frameTexture);
    gl.pixelStorei(gl.UNPACK_FLIP_Y_WEBGL, false);
    gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA8, gl.RGBA, gl.UNSIGNED_BYTE, frame);
    this.uploadedFrame = frame;
    timings.upload = performance.now() - started;
  }

  /** Uploads the fitted background and its light, only when they changed since the last upload. */
  private uploadBackground(width: number, height: number): void {
    const fitted = this.background.fit(width, height);
    if (!fitted || fitted.version === this.uploadedBackground) return;
    const gl = this.gl;
    this.backgroundTexture ??= this.createTexture(gl.NEAREST);
    this.lightTexture ??= this.createTexture();
    for (const [texture, image] of [[this.backgroundTexture, fitted.pixels], [this.lightTexture, fitted.light]] as const) {
      gl.bindTexture(gl.TEXTURE_2D, texture);
      gl.pixelStorei(gl.UNPACK_FLIP_Y_WEBGL, false);
      gl.pixelStorei(gl.UNPACK_ALIGNMENT, 4);
      gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA8, image.width, image.height, 0, gl.RGBA, gl.UNSIGNED_BYTE, image.data);
    }
    this.uploadedBackground = fitted.version;
  }

  private drawDownscale(target: Target, taps: number): void {
    const gl = this.gl;
    const program = this.downscale;
    gl.useProgram(program.program);
    this.bindTarget(target);
    this.bindTextures(program, [['u_frame', this.frameTexture]]);
    gl.uniform2f(program.uniform('u_footprint'), 1 / target.width, 1 / target.height);
    gl.uniform1i(program.uniform('u_taps'), taps);
    this.drawTriangle();
  }

  private drawBlur(source: WebGLTexture, target: Target, kernel: GaussianKernel, direction: [number, number], steepness: number): void {
    const gl = this.gl;
    const program = this.blur;
    gl.useProgram(program.program);
    this.bindTarget(target);
    this.bindTextures(program, [['u_source', source]]);
    gl.uniform2i(program.uniform('u_direction'), direction[0], direction[1]);
    gl.uniform1i(program.uniform('u_radius'), kernel.radius);
    this.paddedWeights.fill(0);
    this.paddedWeights.set(kernel.weights.subarray(0, 32));
    gl.uniform1fv(program.uniform('u_weights'), this.paddedWeights);
    gl.uniform1f(program.uniform('u_sigmoidSteepness'), steepness);
    this.drawTriangle();
  }

  private bindTarget(target: Target): void {
    this.gl.bindFramebuffer(this.gl.FRAMEBUFFER, target.framebuffer);
    this.gl.viewport(0, 0, target.width, target.height);
  }

  private bindTextures(program: Program, textures: [string, WebGLTexture][]): void {
    const gl = this.gl;
    textures.forEach(([name, texture], unit) => {
      gl.activeTexture(gl.TEXTURE0 + unit);
      gl.bindTexture(gl.TEXTURE_2D, texture);
      gl.uniform1i(program.uniform(name), unit);
    });
  }

  private drawTriangle(): void {
    this.gl.bindVertexArray(this.vertexArray);
    this.gl.drawArrays(this.gl.TRIANGLES, 0, 3);
  }

  private resizeMaskTargets(width: number, height: number): void {
    const gl = this.gl;
    if (this.rawMask) gl.deleteTexture(this.rawMask.texture);
    this.rawMask = { texture: this.createTexture(gl.NEAREST), width, height };
    const { internal, format, type } = this.maskFormat;
    this.smoothedRows = this.ensureTarget(this.smoothedRows, width, height, internal, format, type);
    this.history = Array.from({ length: MASK_HISTORY_LENGTH }, (_, i) => this.ensureTarget(this.history[i] ?? null, width, height, internal, format, type));
    // Masks of another size (a model change) cannot be averaged with these. The guided coefficients have their own
    // texture: the lazy 1×1 targets of a first render must not drop a guided mask pushed before it.
    this.forgetHistory();
  }

  /** Forgets the history masks (the guided coefficients are kept). */
  private forgetHistory(): void {
    this.masksHeld = 0;
    this.nextHistorySlot = 0;
  }

  private ensureTarget(current: Target | null, width: number, height: number, internal: number, format: number, type: number): Target {
    if (current && current.width === width && current.height === height) return current;
    const gl = this.gl;
    if (current) {
      gl.deleteTexture(current.texture);
      gl.deleteFramebuffer(current.framebuffer);
    }
    const texture = this.createTexture();
    gl.texImage2D(gl.TEXTURE_2D, 0, internal, width, height, 0, format, type, null);
    const framebuffer = gl.createFramebuffer()!;
    gl.bindFramebuffer(gl.FRAMEBUFFER, framebuffer);
    gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, texture, 0);
    return { texture, framebuffer, width, height };
  }

  private createTexture(filter: number = this.gl.LINEAR): WebGLTexture {
    const gl = this.gl;
    const texture = gl.createTexture()!;
    gl.bindTexture(gl.TEXTURE_2D, texture);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, filter);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, filter);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE);
    return texture;
  }

  private program(fragmentSource: string): Program {
    const gl = this.gl;
    const compile = (type: number, source: string): WebGLShader => {
      const shader = gl.createShader(type)!;
      gl.shaderSource(shader, source);
      gl.compileShader(shader);
      if (!gl.getShaderParameter(shader, gl.COMPILE_STATUS)) throw new Error(`GLSL compile error: ${gl.getShaderInfoLog(shader)}`);
      return shader;
    };
    const program = gl.createProgram()!;
    const vertex = compile(gl.VERTEX_SHADER, fullscreenVertex);
    const fragment = compile(gl.FRAGMENT_SHADER, fragmentSource);
    gl.attachShader(program, vertex);
    gl.attachShader(program, fragment);
    gl.linkProgram(program);
    gl.deleteShader(vertex);
    gl.deleteShader(fragment);
    if (!gl.getProgramParameter(program, gl.LINK_STATUS)) throw new Error(`GLSL link error: ${gl.getProgramInfoLog(program)}`);
    const locations = new Map<string, WebGLUniformLocation | null>();
    return {
      program,
      uniform: (name) => {
        if (!locations.has(name)) locations.set(name, gl.getUniformLocation(program, name));
        return locations.get(name)!;
      },
    };
  }
}
