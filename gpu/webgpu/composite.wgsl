// The final pass at the frame's full size: the sharp frame over its blurred
// copy, weighted by the mean of the last refined masks. With no mask yet
// (maskCount = 0) the weight is 0 everywhere, so the whole frame is blurred:
// the pipeline fails closed.
//
// With edgeAware = 1 the mask is upsampled by a joint bilateral filter: each
// output pixel averages the 4×4 nearest mask texels, weighted by distance
// and by how close the colour of the model's input at that texel is to this
// pixel's colour, so the mask's edge snaps to the frame's real edge.
//
// With guided = 1 the weight comes from the guided filter's coefficients
// (a.rgb, b) per mask texel, interpolated here and evaluated with this
// pixel's own colour: smoothstep(clamp(a·colour + b, 0, 1)), so the edge
// follows the full-resolution frame (gpu/guided-mask-filter.ts).
//
// The guided weight is held (edgeHold > 0): a pixel whose new weight is
// within edgeHold of the one it showed last frame (shownWeight) keeps that
// one, so a camera's noise does not flicker the edge (gpu/refine-constants.ts,
// EDGE_HOLD). The weight each pixel shows goes to the second output, which is
// the next frame's shownWeight.
//
// mode 1 replaces the background: the fitted picture (or colour) stands
// behind the person instead of the blur, and near the edge the person takes
// a little of its blurred light (light wrap). mode 2 is the effect turned off
// by the user: the frame as it is.

struct CompositeParams {
  // How many of the three mask slots hold a mask (0..3).
  maskCount: u32,
  // 0: composite, 1: the refined mask as grey.
  view: u32,
  // 1: joint bilateral upsampling of the mask, guided by the frame.
  edgeAware: u32,
  // Colour distance (0–1 per channel) at which a texel's weight falls to e^-0.5.
  rangeSigma: f32,
  // 0: blur, 1: replace the background, 2: none (the frame as it is).
  mode: u32,
  // Light wrap strength (mode 1): the person's colour moves towards the light by lightWrap × (1 − weight).
  lightWrap: f32,
  // 1: the weight is the guided filter's (the coefficients texture), not the mask history's.
  guided: u32,
  // The guided weight's hold; 0: off (or no weight shown yet).
  edgeHold: f32,
};

struct CompositeOutput {
  @location(0) colour: vec4f,
  // The weight this pixel shows, for the next frame's hold (an r8unorm target).
  @location(1) shown: vec4f,
};

@group(0) @binding(0) var frame: texture_2d<f32>;
@group(0) @binding(1) var linearSampler: sampler;
@group(0) @binding(2) var blurred: texture_2d<f32>;
@group(0) @binding(3) var mask0: texture_2d<f32>;
@group(0) @binding(4) var mask1: texture_2d<f32>;
@group(0) @binding(5) var mask2: texture_2d<f32>;
@group(0) @binding(6) var<uniform> params: CompositeParams;
// The model's input: the frame at the mask's size, so texel for texel the mask's guide.
@group(0) @binding(7) var guide: texture_2d<f32>;
// The replacement background at the frame's size, and its small blurred copy (the light).
@group(0) @binding(8) var backgroundImage: texture_2d<f32>;
@group(0) @binding(9) var backgroundLight: texture_2d<f32>;
// The guided filter's coefficients (a.r, a.g, a.b, b) per mask texel; rgba32float, so read with textureLoad.
@group(0) @binding(10) var guidedCoefficients: texture_2d<f32>;
// The weight each pixel showed last frame, at the frame's size.
@group(0) @binding(11) var shownWeight: texture_2d<f32>;

// The frame's colour under a 3×3 tent ([1 2 1] ⊗ [1 2 1] / 16): four bilinear
// samples half a pixel off centre. It keeps the sensor's noise, which the
// guided filter's coefficients would amplify, out of the weight.
fn tentColour(uv: vec2f) -> vec3f {
  let halfTexel = 0.5 / vec2f(textureDimensions(frame));
  return (textureSampleLevel(frame, linearSampler, uv + vec2f(-halfTexel.x, -halfTexel.y), 0.0).rgb
    + textureSampleLevel(frame, linearSampler, uv + vec2f(halfTexel.x, -halfTexel.y), 0.0).rgb
    + textureSampleLevel(frame, linearSampler, uv + vec2f(-halfTexel.x, halfTexel.y), 0.0).rgb
    + textureSampleLevel(frame, linearSampler, uv + vec2f(halfTexel.x, halfTexel.y), 0.0).rgb) * 0.25;
}

fn guidedWeight(uv: vec2f) -> f32 {
  let size = vec2i(textureDimensions(guidedCoefficients));
  // Texel centres aligned and edges clamped, as the CPU renderer's bilinear axis does.
  let position = clamp(uv * vec2f(size) - 0.5, vec2f(0.0), vec2f(size - 1));
  let base = vec2i(floor(position));
  let next = min(base + 1, size - 1);
  let f = position - vec2f(base);
  let top = mix(textureLoad(guidedCoefficients, base, 0), textureLoad(guidedCoefficients, vec2i(next.x, base.y), 0), f.x);
  let bottom = mix(textureLoad(guidedCoefficients, vec2i(base.x, next.y), 0), textureLoad(guidedCoefficients, next, 0), f.x);
  let c = mix(top, bottom, f.y);
  let t = clamp(dot(c.rgb, tentColour(uv)) + c.a, 0.0, 1.0);
  return t * t * (3.0 - 2.0 * t);
}

// Within edgeHold of what the pixel showed, it keeps showing that.
fn heldWeight(uv: vec2f, weight: f32) -> f32 {
  if (params.edgeHold <= 0.0) {
    return weight;
  }
  let size = vec2i(textureDimensions(shownWeight));
  let last = textureLoad(shownWeight, min(vec2i(uv * vec2f(size)), size - 1), 0).r;
  return select(weight, last, abs(weight - last) < params.edgeHold);
}

fn usedMasks() -> vec3f {
  return vec3f(
    select(0.0, 1.0, params.maskCount > 0u),
    select(0.0, 1.0, params.maskCount > 1u),
    select(0.0, 1.0, params.maskCount > 2u),
  );
}

fn meanMaskAt(texel: vec2i) -> f32 {
  let m = vec3f(textureLoad(mask0, texel, 0).r, textureLoad(mask1, texel, 0).r, textureLoad(mask2, texel, 0).r);
  return dot(m, usedMasks()) / max(f32(params.maskCount), 1.0);
}

fn bilinearWeight(uv: vec2f) -> f32 {
  // Sample all three unconditionally: textureSample must be in uniform control flow.
  let m = vec3f(
    textureSample(mask0, linearSampler, uv).r,
    textureSample(mask1, linearSampler, uv).r,
    textureSample(mask2, linearSampler, uv).r,
  );
  return dot(m, usedMasks()) / max(f32(params.maskCount), 1.0);
}

fn edgeAwareWeight(uv: vec2f, colour: vec3f, fallback: f32) -> f32 {
  let size = vec2i(textureDimensions(mask0));
  if (any(vec2i(textureDimensions(guide)) != size)) {
    return fallback;
  }
  let position = uv * vec2f(size) - 0.5;
  let base = vec2i(floor(position));
  var total = 0.0;
  var weights = 0.0;
  for (var dy = 0; dy < 2; dy++) {
    for (var dx = 0; dx < 2; dx++) {
      let texel = clamp(base + vec2i(dx, dy), vec2i(0), size - 1);
      let offset = vec2f(base + vec2i(dx, dy)) - position;
      let spatial = exp(-dot(offset, offset) / 2.0);
      let difference = textureLoad(guide, texel, 0).rgb - colour;
      let range = exp(-dot(difference, difference) / (2.0 * params.rangeSigma * params.rangeSigma));
      let w = spatial * range;
      total += w * meanMaskAt(texel);
      weights += w;
    }
  }
  return select(fallback, total / weights, weights > 1e-4);
}

@fragment
fn fragmentMain(@location(0) uv: vec2f) -> CompositeOutput {
  let sharp = textureSample(frame, linearSampler, uv);
  let blurredSample = textureSample(blurred, linearSampler, uv);
  // A background-weighted blur carries its weight in alpha (1 when unweighted).
  let background = vec4f(blurredSample.rgb / max(blurredSample.a, 1.0 / 255.0), 1.0);
  var weight = bilinearWeight(uv);
  // Only where the mask is undecided: inside the person and deep in the room the filter changes nothing.
  if (params.guided == 1u) {
    weight = heldWeight(uv, guidedWeight(uv));
  } else if (params.edgeAware == 1u && params.maskCount > 0u && weight > 0.01 && weight < 0.99) {
    weight = edgeAwareWeight(uv, sharp.rgb, weight);
  }
  weight = clamp(weight, 0.0, 1.0);
  // Sampled unconditionally, like the masks: textureSample must be in uniform control flow.
  let light = textureSample(backgroundLight, linearSampler, uv).rgb;
  if (params.view == 1u) {
    return CompositeOutput(vec4f(vec3f(weight), 1.0), vec4f(weight));
  }
  if (params.mode == 2u) {
    return CompositeOutput(vec4f(sharp.rgb, 1.0), vec4f(weight));
  }
  if (params.mode == 1u) {
    // Texel for texel: the picture was fitted to the frame's size once, on upload.
    let size = vec2i(textureDimensions(backgroundImage));
    let replacement = textureLoad(backgroundImage, min(vec2i(uv * vec2f(size)), size - 1), 0).rgb;
    let person = mix(sharp.rgb, light, params.lightWrap * (1.0 - weight));
    return CompositeOutput(vec4f(mix(replacement, person, weight), 1.0), vec4f(weight));
  }
  return CompositeOutput(vec4f(mix(background.rgb, sharp.rgb, weight), 1.0), vec4f(weight));
}
