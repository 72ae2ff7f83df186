#version 300 es
// The sharp frame over its blurred copy, weighted by the mean of the last
// refined masks. With no mask (u_maskCount = 0) the weight is 0 and the whole
// frame is blurred: fail closed. Draws to the canvas, whose first row in
// memory is the bottom of the picture, hence the flip.
precision highp float;

uniform sampler2D u_frame;
uniform sampler2D u_blurred;
uniform sampler2D u_mask0;
uniform sampler2D u_mask1;
uniform sampler2D u_mask2;
uniform int u_maskCount;
uniform int u_view;
in vec2 v_uv;
out vec4 outColor;

void main() {
  vec2 uv = vec2(v_uv.x, 1.0 - v_uv.y);
  vec3 m = vec3(texture(u_mask0, uv).r, texture(u_mask1, uv).r, texture(u_mask2, uv).r);
  vec3 used = vec3(u_maskCount > 0 ? 1.0 : 0.0, u_maskCount > 1 ? 1.0 : 0.0, u_maskCount > 2 ? 1.0 : 0.0);
  float weight = clamp(dot(m, used) / max(float(u_maskCount), 1.0), 0.0, 1.0);
  if (u_view == 1) {
    outColor = vec4(vec3(weight), 1.0);
    return;
  }
  vec3 sharp = texture(u_frame, uv).rgb;
  vec3 background = texture(u_blurred, uv).rgb;
  outColor = vec4(mix(background, sharp, weight), 1.0);
}
