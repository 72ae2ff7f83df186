#version 300 es
// The sharp frame over its blurred copy, weighted by the mean of the last
// refined masks. With no mask (u_maskCount = 0) the weight is 0 and the whole
// frame is blurred: fail closed. Draws to the canvas, whose first row in
// memory is the bottom of the picture, hence the flip.
// With u_edgeAware = 1 the mask is upsampled by a joint bilateral filter
// guided by the model's input (the frame at the mask's size), as in
// gpu/webgpu/composite.wgsl.
// With u_guided = 1 the weight is the guided filter's: its coefficients
// (a.rgb, b) per mask texel, interpolated by hand (RGBA32F is not filterable)
// and evaluated with this pixel's own colour, as in composite.wgsl.
// The guided weight is held (u_edgeHold > 0): a pixel whose new weight is
// within u_edgeHold of the one it showed last frame (u_shown) keeps that one
// (gpu/refine-constants.ts, EDGE_HOLD). u_view 2 writes the weight each pixel
// shows, held, into an R8 target; the composite then reads it back from
// u_shown (u_weightFromShown = 1). Both passes address u_shown by
// gl_FragCoord, so the canvas's flip does not matter to it.
// u_mode 1 replaces the background with the fitted picture (or colour), with
// a light wrap over the person's edge; u_mode 2 is the effect turned off by
// the user: the frame as it is.
precision highp float;

uniform sampler2D u_frame;
uniform sampler2D u_blurred;
uniform sampler2D u_mask0;
uniform sampler2D u_mask1;
uniform sampler2D u_mask2;
uniform sampler2D u_guide;
uniform sampler2D u_background;
uniform sampler2D u_light;
uniform sampler2D u_coefficients;
uniform sampler2D u_shown;
uniform float u_edgeHold;
uniform int u_weightFromShown;
uniform int u_guided;
uniform int u_mode;
uniform float u_lightWrap;
uniform int u_maskCount;
uniform int u_view;
uniform int u_edgeAware;
uniform float u_rangeSigma;
in vec2 v_uv;
out vec4 outColor;

vec3 usedMasks() {
  return vec3(u_maskCount > 0 ? 1.0 : 0.0, u_maskCount > 1 ? 1.0 : 0.0, u_maskCount > 2 ? 1.0 : 0.0);
}

float meanMaskAt(ivec2 texel) {
  vec3 m = vec3(texelFetch(u_mask0, texel, 0).r, texelFetch(u_mask1, texel, 0).r, texelFetch(u_mask2, texel, 0).r);
  return dot(m, usedMasks()) / max(float(u_maskCount), 1.0);
}

float edgeAwareWeight(vec2 uv, vec3 colour, float fallback) {
  ivec2 size = textureSize(u_mask0, 0);
  if (textureSize(u_guide, 0) != size) return fallback;
  vec2 position = uv * vec2(size) - 0.5;
  ivec2 base = ivec2(floor(position));
  float total = 0.0;
  float weights = 0.0;
  for (int dy = 0; dy < 2; dy++) {
    for (int dx = 0; dx < 2; dx++) {
      ivec2 texel = clamp(base + ivec2(dx, dy), ivec2(0), size - 1);
      vec2 offset = vec2(base + ivec2(dx, dy)) - position;
      float spatial = exp(-dot(offset, offset) / 2.0);
      vec3 difference = texelFetch(u_guide, texel, 0).rgb - colour;
      float w = spatial * exp(-dot(difference, difference) / (2.0 * u_rangeSigma * u_rangeSigma));
      total += w * meanMaskAt(texel);
      weights += w;
    }
  }
  return weights > 1e-4 ? total / weights : fallback;
}

// The frame's colour under a 3×3 tent ([1 2 1] ⊗ [1 2 1] / 16): four bilinear
// samples half a pixel off centre, as composite.wgsl takes it.
vec3 tentColour(vec2 uv) {
  vec2 halfTexel = 0.5 / vec2(textureSize(u_frame, 0));
  return (textureLod(u_frame, uv + vec2(-halfTexel.x, -halfTexel.y), 0.0).rgb
    + textureLod(u_frame, uv + vec2(halfTexel.x, -halfTexel.y), 0.0).rgb
    + textureLod(u_frame, uv + vec2(-halfTexel.x, halfTexel.y), 0.0).rgb
    + textureLod(u_frame, uv + vec2(halfTexel.x, halfTexel.y), 0.0).rgb) * 0.25;
}

float guidedWeight(vec2 uv) {
  ivec2 size = textureSize(u_coefficients, 0);
  // Texel centres aligned and edges clamped, as the CPU renderer's bilinear axis does.
  vec2 position = clamp(uv * vec2(size) - 0.5, vec2(0.0), vec2(size - 1));
  ivec2 base = ivec2(floor(position));
  ivec2 next = min(base + 1, size - 1);
  vec2 f = position - vec2(base);
  vec4 top = mix(texelFetch(u_coefficients, base, 0), texelFetch(u_coefficients, ivec2(next.x, base.y), 0), f.x);
  vec4 bottom = mix(texelFetch(u_coefficients, ivec2(base.x, next.y), 0), texelFetch(u_coefficients, next, 0), f.x);
  vec4 c = mix(top, bottom, f.y);
  float t = clamp(dot(c.rgb, tentColour(uv)) + c.a, 0.0, 1.0);
  return t * t * (3.0 - 2.0 * t);
}

void main() {
  vec2 uv = vec2(v_uv.x, 1.0 - v_uv.y);
  vec3 m = vec3(texture(u_mask0, uv).r, texture(u_mask1, uv).r, texture(u_mask2, uv).r);
  float weight = dot(m, usedMasks()) / max(float(u_maskCount), 1.0);
  vec3 sharp = texture(u_frame, uv).rgb;
  // Only where the mask is undecided: inside the person and deep in the room the filter changes nothing.
  if (u_weightFromShown == 1) weight = texelFetch(u_shown, ivec2(gl_FragCoord.xy), 0).r;
  else if (u_guided == 1) {
    weight = guidedWeight(uv);
    if (u_edgeHold > 0.0) {
      float last = texelFetch(u_shown, ivec2(gl_FragCoord.xy), 0).r;
      if (abs(weight - last) < u_edgeHold) weight = last;
    }
  } else if (u_edgeAware == 1 && u_maskCount > 0 && weight > 0.01 && weight < 0.99) weight = edgeAwareWeight(uv, sharp, weight);
  weight = clamp(weight, 0.0, 1.0);
  if (u_view == 1) {
    outColor = vec4(vec3(weight), 1.0);
    return;
  }
  if (u_view == 2) {
    outColor = vec4(weight);
    return;
  }
  if (u_mode == 2) {
    outColor = vec4(sharp, 1.0);
    return;
  }
  if (u_mode == 1) {
    // Texel for texel: the picture was fitted to the frame's size once, on upload.
    ivec2 size = textureSize(u_background, 0);
    vec3 replacement = texelFetch(u_background, min(ivec2(uv * vec2(size)), size - 1), 0).rgb;
    vec3 person = mix(sharp, texture(u_light, uv).rgb, u_lightWrap * (1.0 - weight));
    outColor = vec4(mix(replacement, person, weight), 1.0);
    return;
  }
  vec3 background = texture(u_blurred, uv).rgb;
  outColor = vec4(mix(background, sharp, weight), 1.0);
}
