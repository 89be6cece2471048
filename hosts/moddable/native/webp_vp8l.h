/*
 * Native VP8L (WebP lossless, and the alpha of lossy WebP) pixel work: the entropy-coded pixel loop
 * (src/art/webp-lossless.ts #entropyCoded, after its prefix codes are read) and the inverse transforms
 * (src/art/webp-transforms.ts), the optional WebpKernels members `losslessPixels` and `losslessTransform`
 * (src/ports.ts). Portable C with no XS in it, linked like webp_kernels.c (through webp_decode_xs.c; the
 * device-time xst; the ASan + UBSan equivalence test).
 *
 * The bit reader's state stays in JavaScript: the caller copies it into a small int32 array, the kernel
 * reads it, decodes, and writes it back, so the TypeScript reader carries on from where the C stopped.
 * No allocation, no state between calls. Every buffer comes with its byte length and every index is
 * checked: a bad argument (never data) returns ART_FAULT_RANGE (art_kernels.h); corrupt data returns one
 * of the WEBP_VP8L_* codes below, with its details in the state array.
 */
#ifndef WEBP_VP8L_H
#define WEBP_VP8L_H

#include <stdint.h>

#include "art_kernels.h"

/* The VP8L bit reader (src/art/webp-prefix.ts LosslessBits), then a fault's details. */
enum { VP8L_POSITION, VP8L_END, VP8L_BITS, VP8L_COUNT, VP8L_PADDING, VP8L_FAULT_A, VP8L_FAULT_B, VP8L_STATE_WORDS };

/* Corrupt data (the TypeScript decoder throws ImageDecodeError("corrupt", ...) at the same point). */
#define WEBP_VP8L_OVERRUN (-10)      /* "the data ends before the last pixel" */
#define WEBP_VP8L_DISTANCE (-11)     /* a back-reference before the first pixel: A distance, B pixel */
#define WEBP_VP8L_LENGTH (-12)       /* a back-reference past the last pixel: A length */
#define WEBP_VP8L_INVALID_CODE (-13) /* no code matched (unreachable for the complete codes the reader builds) */

/* WebpKernels.losslessPixels: xsize × ysize pixels into the Int32Array bytes `out` from pixel `base` on.
 * pool: the prefix codes (the bytes of PrefixCodes.pool, a Uint16Array; layout in webp-prefix.ts);
 * groups: 5 pool offsets per group (Int32Array bytes); entropy: the entropy image's bytes (int32
 * pixels, prefix_bits > 0) or none (prefix_bits 0: group 0 everywhere); cache: room for the colour
 * cache's 1 << cache_bits words (cache_bits 0: none). */
typedef struct {
    int32_t xsize, ysize, base, cache_bits, prefix_bits, entropy_width;
} webp_lossless_pixels_t;
int32_t webp_lossless_pixels(const uint8_t *data, uint32_t data_length, uint8_t *state, uint32_t state_length,
                             const uint8_t *pool, uint32_t pool_length, const uint8_t *groups, uint32_t groups_length,
                             const uint8_t *entropy, uint32_t entropy_length, uint8_t *cache, uint32_t cache_length,
                             uint8_t *out, uint32_t out_length, const webp_lossless_pixels_t *job);

/* WebpKernels.losslessTransform (src/art/webp-transforms.ts), in place on the Int32Array bytes `px`:
 * type 0 inversePredictor, 1 inverseColourTransform, 2 inverseSubtractGreen (width * height pixels from
 * base), 3 inverseColourIndexing (table: 256 words; with bits > 0 the packed source at base expands to
 * pixel 0). data: the transform's sub-image or colour table (Int32Array bytes). */
typedef struct {
    int32_t type, base, width, height, bits;
} webp_lossless_transform_t;
int32_t webp_lossless_transform(uint8_t *px, uint32_t px_length, const uint8_t *data, uint32_t data_length,
                                const webp_lossless_transform_t *job);

#endif
