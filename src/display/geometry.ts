import { deepFreeze } from "../util/freeze.js";

// Panel geometry: the physical panel (size, rotation, mirror), where a picture goes on it, and which
// source pixel each panel pixel shows. Pure arithmetic, no buffers.
//
// Coordinates: the picture is laid out on the *logical* panel, the physical panel turned by the
// rotation (90/270 swap width and height). Writing a logical pixel (lx, ly) to the physical panel first
// mirrors it horizontally (lx -> logicalWidth - 1 - lx) when `mirror` is set, then turns it clockwise
// by `rotation` degrees.

export type Rotation = 0 | 90 | 180 | 270;

export interface PanelGeometry {
  /** Physical size in pixels (a chain of panels counts as one wide panel). */
  width: number;
  height: number;
  rotation: Rotation;
  mirror: boolean;
}

/** The panel sizes the player supports; chains are two 64-wide panels side by side. */
export const PANEL_SIZES = deepFreeze({
  "64x32": { width: 64, height: 32 },
  "64x64": { width: 64, height: 64 },
  "128x32": { width: 128, height: 32 },
  "128x64": { width: 128, height: 64 },
} as const);

export function panelGeometry(size: keyof typeof PANEL_SIZES, rotation: Rotation = 0, mirror = false): PanelGeometry {
  const { width, height } = PANEL_SIZES[size];
  return { width, height, rotation, mirror };
}

export function checkGeometry(geometry: PanelGeometry): void {
  const { width, height, rotation } = geometry;
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0 && width <= 1024 && height <= 1024)) {
    throw new RangeError(`panel size ${width}x${height}`);
  }
  if (rotation !== 0 && rotation !== 90 && rotation !== 180 && rotation !== 270) throw new RangeError(`rotation ${String(rotation)}`);
}

/** Where a source picture lands on the logical panel. */
export interface Placement {
  /** The logical panel (physical size, swapped for 90/270). */
  logicalWidth: number;
  logicalHeight: number;
  /** The scaled picture's size and top-left corner on the logical panel (centred; the rest is letterbox). */
  width: number;
  height: number;
  left: number;
  top: number;
  /** The integer scale factor, or 0 when the picture had to shrink to a non-integer fit. */
  scale: number;
}

/**
 * Integer scale when the picture fits at least once: the largest k with k*w <= W and k*h <= H.
 * Otherwise (a side larger than the panel) the largest fit keeping the aspect ratio: the limiting side
 * fills the panel and the other is round(side * W / w), at least 1. Centred, odd leftovers go right/down.
 */
export function placePicture(sourceWidth: number, sourceHeight: number, geometry: PanelGeometry): Placement {
  const turned = geometry.rotation === 90 || geometry.rotation === 270;
  const logicalWidth = turned ? geometry.height : geometry.width;
  const logicalHeight = turned ? geometry.width : geometry.height;
  const scale = Math.min(Math.floor(logicalWidth / sourceWidth), Math.floor(logicalHeight / sourceHeight));
  let width: number;
  let height: number;
  if (scale >= 1) {
    width = scale * sourceWidth;
    height = scale * sourceHeight;
  } else if (logicalWidth * sourceHeight <= logicalHeight * sourceWidth) {
    width = logicalWidth;
    height = Math.max(1, Math.floor((2 * sourceHeight * logicalWidth + sourceWidth) / (2 * sourceWidth)));
  } else {
    height = logicalHeight;
    width = Math.max(1, Math.floor((2 * sourceWidth * logicalHeight + sourceHeight) / (2 * sourceHeight)));
  }
  const left = (logicalWidth - width) >> 1;
  const top = (logicalHeight - height) >> 1;
  return { logicalWidth, logicalHeight, width, height, left, top, scale: Math.max(scale, 0) };
}

/**
 * Nearest-neighbour rule: destination pixel d of `destinationSize` shows source pixel
 * floor((d + 0.5) * sourceSize / destinationSize) — the source pixel under the destination pixel's
 * centre. For an integer scale k this is floor(d / k).
 */
export function sourceIndex(d: number, sourceSize: number, destinationSize: number): number {
  return Math.floor(((2 * d + 1) * sourceSize) / (2 * destinationSize));
}

/** Physical pixel index = origin + lx * stepX + ly * stepY for logical (lx, ly). */
export interface Orientation {
  origin: number;
  stepX: number;
  stepY: number;
}

export function orientation(geometry: PanelGeometry): Orientation {
  const { width: w, height: h } = geometry;
  let origin: number;
  let stepX: number;
  let stepY: number;
  switch (geometry.rotation) {
    case 90: // (lx, ly) -> (w - 1 - ly, lx)
      origin = w - 1;
      stepX = w;
      stepY = -1;
      break;
    case 180: // (lx, ly) -> (w - 1 - lx, h - 1 - ly)
      origin = (h - 1) * w + (w - 1);
      stepX = -1;
      stepY = -w;
      break;
    case 270: // (lx, ly) -> (ly, h - 1 - lx)
      origin = (h - 1) * w;
      stepX = -w;
      stepY = 1;
      break;
    default:
      origin = 0;
      stepX = 1;
      stepY = w;
  }
  if (geometry.mirror) {
    const logicalWidth = geometry.rotation === 90 || geometry.rotation === 270 ? h : w;
    origin += (logicalWidth - 1) * stepX;
    stepX = -stepX;
  }
  return { origin, stepX, stepY };
}
