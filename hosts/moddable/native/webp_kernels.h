/*
 * Native row kernels of the WebP decoder (VP8L ARGB and palette rows, VP8 YUV 4:2:0 rows to RGBA, the
 * VP8 loop filter of a macroblock row, VP8 macroblock reconstruction):
 * portable C with no XS in it, the C twins of src/art/webp-kernels.ts (WebpKernels in src/ports.ts).
 * Linked like art_kernels.c: into the Moddable apps (through webp_kernels_xs.c), the device-time xst and
 * the ASan + UBSan equivalence test. Stateless, no allocation; every buffer comes with its length and
 * a kernel returns ART_FAULT_RANGE (art_kernels.h) rather than read or write out of bounds.
 * Output rows are RGBA bytes in memory order, whatever the host's byte order.
 */
#ifndef WEBP_KERNELS_H
#define WEBP_KERNELS_H

#include <stdint.h>

#include "art_kernels.h"

/* WebpKernels.argbRow: rgba[4x..4x+4) = R, G, B, A of the int32 ARGB pixel at argb word at + x, x < width. */
int32_t webp_argb_row(const uint8_t *argb, uint32_t argb_length, int32_t at, int32_t width, uint8_t *rgba,
                      uint32_t rgba_length);

/* WebpKernels.paletteRow: rgba[4x..4x+4) = palette bytes [4i..4i+4), i = green of argb word at + x. */
int32_t webp_palette_row(const uint8_t *argb, uint32_t argb_length, int32_t at, int32_t width, const uint8_t *palette,
                         uint32_t palette_length, uint8_t *rgba, uint32_t rgba_length);

/* WebpKernels.yuvRowPair (src/art/webp-yuv.ts yuvRowPairToRgba), fancy upsampling and BT.601 in fixed point:
 * rows row (odd, or -1: not written) into top and row + 1 (not written when it is height) into bottom; alpha_at
 * is row's index in the alpha array (row * width), the row below's is alpha_at + width. */
typedef struct {
    int32_t y_stride, uv_stride, width, height, row;
    int32_t alpha_bytes; /* 0: opaque; 1: alpha is a byte array; 4: an int32 array */
    int32_t alpha_at, alpha_shift;
} webp_yuv_row_t;
int32_t webp_yuv_row_pair(const uint8_t *y_plane, uint32_t y_length, const uint8_t *u_plane, uint32_t u_length,
                          const uint8_t *v_plane, uint32_t v_length, const webp_yuv_row_t *job, const uint8_t *alpha,
                          uint32_t alpha_length, uint8_t *top, uint32_t top_length, uint8_t *bottom,
                          uint32_t bottom_length);

/* WebpKernels.filterRow (src/art/webp-kernels.ts, webp-lossy-filter.ts): the loop filter of macroblock row
 * mby, in place on the planes; levels / inner hold one byte per macroblock (mby * mb_wide + mbx). */
typedef struct {
    int32_t y_stride, uv_stride, mb_wide, mby, sharpness, simple;
} webp_filter_row_t;
int32_t webp_filter_row(uint8_t *y_plane, uint32_t y_length, uint8_t *u_plane, uint32_t u_length, uint8_t *v_plane,
                        uint32_t v_length, const webp_filter_row_t *job, const uint8_t *levels, uint32_t levels_length,
                        const uint8_t *inner, uint32_t inner_length);

/* WebpKernels.reconstruct (src/art/webp-lossy-reconstruct.ts): macroblock (mbx, mby) predicted and its
 * residue added; coeffs: the bytes of an Int16Array of 25 * 16 (host order), block_ac 24 bytes,
 * sub_modes 16 bytes. */
typedef struct {
    int32_t y_stride, uv_stride, mb_wide, mbx, mby, y_mode, uv_mode;
} webp_macroblock_t;
int32_t webp_reconstruct(uint8_t *y_plane, uint32_t y_length, uint8_t *u_plane, uint32_t u_length, uint8_t *v_plane,
                         uint32_t v_length, const webp_macroblock_t *job, const uint8_t *sub_modes,
                         uint32_t sub_modes_length, const uint8_t *coeffs, uint32_t coeffs_length,
                         const uint8_t *block_ac, uint32_t block_ac_length);

#endif
