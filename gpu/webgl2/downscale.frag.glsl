#version 300 es
// Downscales the frame (model input, or the copy the background blur runs on).
// Each output pixel averages a grid of bilinear taps over its footprint.
precision highp float;

uniform sampler2D u_frame;
uniform vec2 u_footprint;
uniform int u_taps;
in vec2 v_uv;
out vec4 outColor;

void main() {
  int n = max(u_taps, 1);
  vec4 sum = vec4(0.0);
  for (int y = 0; y < n; y++) {
    for (int x = 0; x < n; x++) {
      vec2 offset = (vec2(float(x), float(y)) + 0.5) / float(n) - 0.5;
      sum += texture(u_frame, v_uv + offset * u_footprint);
    }
  }
  outColor = vec4((sum / float(n * n)).rgb, 1.0);
}
