/*
 * Native VP8 entropy decoding: the coefficient tokens of one macroblock (src/art/webp-lossy.ts
 * #readResiduals with webp-lossy-tokens.ts readResiduals) and its modes (webp-lossy-modes.ts readModes), the optional
 * WebpKernels members `residuals` and `modes` (src/ports.ts). Portable C with no XS in it, linked like webp_kernels.c (through webp_decode_xs.c; the
 * device-time xst; the ASan + UBSan equivalence test).
 *
 * The boolean decoder's state stays in JavaScript: the caller copies it into a small int32 array, the
 * kernel reads it, decodes, and writes it back, so the TypeScript decoder carries on from where the C
 * stopped. No allocation, no state between calls. Every buffer comes with its byte length and every index
 * is checked: a bad argument (never data) returns ART_FAULT_RANGE (art_kernels.h). VP8 data has no
 * faults of its own here: a partition that ends early reads zeros and counts them (`padding`).
 */
#ifndef WEBP_VP8_H
#define WEBP_VP8_H

#include <stdint.h>

#include "art_kernels.h"

/* The VP8 boolean decoder (src/art/webp-bool.ts BoolDecoder), one int32 per field. */
enum { VP8_POSITION, VP8_END, VP8_VALUE, VP8_RANGE, VP8_BIT_COUNT, VP8_PADDING, VP8_STATE_WORDS };

/* WebpKernels.residuals: every block of macroblock column mbx, dequantised into coeffs (the bytes of an
 * Int16Array of 25 * 16, cleared by the caller), block_ac (24) set, the non-zero contexts above
 * (9 per macroblock column) and left (9) updated, the Y2 block's inverse WHT folded into the Y DCs.
 * quant: the bytes of the Int32Array of 6 factors per segment. Returns 1 when a block had non-zero data,
 * else 0. */
typedef struct {
    int32_t mbx, has_y2, segment;
} webp_residuals_t;
int32_t webp_residuals(const uint8_t *data, uint32_t data_length, uint8_t *state, uint32_t state_length,
                       const uint8_t *probs, uint32_t probs_length, const uint8_t *quant, uint32_t quant_length,
                       uint8_t *coeffs, uint32_t coeffs_length, uint8_t *block_ac, uint32_t block_ac_length,
                       uint8_t *above_nz, uint32_t above_nz_length, uint8_t *left_nz, uint32_t left_nz_length,
                       const webp_residuals_t *job);

/* WebpKernels.modes (src/art/webp-lossy-modes.ts readModes): macroblock column mbx's segment (update_map:
 * from segment_probs, 3 bytes), skip flag (skip_prob 0..255, or -1: none), luma mode with its 16
 * subblock modes (sub_modes) and chroma mode, from the first partition; the subblock mode contexts above
 * (4 per macroblock column) and left (4) updated. Returns segment | skip << 2 | y_mode << 3 | uv_mode << 6. */
typedef struct {
    int32_t mbx, update_map, skip_prob;
} webp_modes_t;
int32_t webp_modes(const uint8_t *data, uint32_t data_length, uint8_t *state, uint32_t state_length,
                   const uint8_t *segment_probs, uint32_t segment_probs_length, uint8_t *sub_modes,
                   uint32_t sub_modes_length, uint8_t *above_modes, uint32_t above_modes_length, uint8_t *left_modes,
                   uint32_t left_modes_length, const webp_modes_t *job);

#endif
