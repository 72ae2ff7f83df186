#version 300 es
// One direction of a separable Gaussian; the kernel comes from gaussian-kernel.ts.
// With u_sigmoidSteepness > 0 it also applies the mask's sigmoid remap
// 1 / (1 + exp(-k (m - 0.5))) to the red channel (the refine pass).
precision highp float;

uniform sampler2D u_source;
uniform ivec2 u_direction;
uniform int u_radius;
uniform float u_weights[32];
uniform float u_sigmoidSteepness;
out vec4 outColor;

void main() {
  ivec2 size = textureSize(u_source, 0);
  ivec2 centre = ivec2(gl_FragCoord.xy);
  vec4 sum = texelFetch(u_source, centre, 0) * u_weights[0];
  for (int i = 1; i < 32; i++) {
    if (i > u_radius) break;
    ivec2 step = u_direction * i;
    sum += (texelFetch(u_source, clamp(centre + step, ivec2(0), size - 1), 0)
          + texelFetch(u_source, clamp(centre - step, ivec2(0), size - 1), 0)) * u_weights[i];
  }
  if (u_sigmoidSteepness > 0.0) {
    float m = 1.0 / (1.0 + exp(-u_sigmoidSteepness * (sum.r - 0.5)));
    outColor = vec4(m, 0.0, 0.0, 1.0);
  } else {
    outColor = sum;
  }
}
