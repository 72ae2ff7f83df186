import { css } from 'lit';

export const blurCameraStyles = css`
  :host {
    display: inline-block;
    position: relative;
    width: 640px;
    max-width: 100%;
    font: var(--blur-camera-font, 14px/1.4 system-ui, sans-serif);
  }
  :host([hidden]) {
    display: none;
  }
  .frame {
    position: relative;
    aspect-ratio: var(--blur-camera-aspect-ratio, 16 / 9);
    background: var(--blur-camera-background, #111);
    border-radius: var(--blur-camera-radius, 8px);
    overflow: hidden;
  }
  video {
    width: 100%;
    height: 100%;
    object-fit: cover;
    display: block;
  }
  :host([mirrored]) video {
    transform: scaleX(-1);
  }
  [part='badge'] {
    position: absolute;
    top: var(--blur-camera-badge-top, 8px);
    left: var(--blur-camera-badge-left, 8px);
    padding: 2px 8px;
    border-radius: 999px;
    color: var(--blur-camera-badge-color, #fff);
    background: var(--blur-camera-badge-background, rgb(0 0 0 / 60%));
  }
  [part='controls'] {
    display: flex;
    align-items: center;
    gap: 8px;
    padding: 6px 0;
    color: var(--blur-camera-controls-color, inherit);
  }
  :host([hide-controls]) [part='controls'] {
    display: none;
  }
  [part='controls'] label {
    display: flex;
    flex: 1;
    align-items: center;
    gap: 8px;
  }
  [part='slider'] {
    flex: 1;
    accent-color: var(--blur-camera-accent, #4b8df8);
  }
`;
