/*
 * XS binding of the WebP row kernels (webp_kernels.c): plain host functions, bound by
 * hosts/moddable/art-kernels.ts with native("xs_webp_...") and wrapped by hosts/moddable/native-art.ts.
 * As in art_kernels_xs.c: one call per row (YUV: per pair of rows), arguments by position, buffers looked up
 * on every call and never kept; Int32Array / Uint32Array go as their ArrayBuffer (xsmcGetBuffer maps byte
 * views only).
 */
#include <stdint.h>

#include "xsmc.h"
#include "xs_arguments.h"

#include "webp_kernels.h"

static void check(xsMachine *the, int32_t result) {
    if (result == ART_FAULT_RANGE) xsRangeError("WebP kernel argument out of range");
}

/* webpArgbRow(argb buffer, at, width, rgba buffer) */
void xs_webp_argb_row(xsMachine *the) {
    need(the, 4);
    void *argb, *rgba;
    xsUnsignedValue argb_length, rgba_length;
    int32_t at = integer(the, 1), width = integer(the, 2);
    xsmcGetBufferReadable(xsArg(0), &argb, &argb_length);
    xsmcGetBufferWritable(xsArg(3), &rgba, &rgba_length);
    check(the, webp_argb_row(argb, argb_length, at, width, rgba, rgba_length));
}

/* webpPaletteRow(argb buffer, at, width, palette buffer, rgba buffer) */
void xs_webp_palette_row(xsMachine *the) {
    need(the, 5);
    void *argb, *palette, *rgba;
    xsUnsignedValue argb_length, palette_length, rgba_length;
    int32_t at = integer(the, 1), width = integer(the, 2);
    xsmcGetBufferReadable(xsArg(0), &argb, &argb_length);
    xsmcGetBufferReadable(xsArg(3), &palette, &palette_length);
    xsmcGetBufferWritable(xsArg(4), &rgba, &rgba_length);
    check(the, webp_palette_row(argb, argb_length, at, width, palette, palette_length, rgba, rgba_length));
}

/* webpYuvRowPair(y, u, v, yStride, uvStride, width, height, row, top buffer, bottom buffer, alpha buffer,
 *                alphaBytes, alphaAt, alphaShift); alphaBytes 0: opaque (the alpha argument is not read) */
void xs_webp_yuv_row_pair(xsMachine *the) {
    need(the, 14);
    webp_yuv_row_t job = {
        .y_stride = integer(the, 3),
        .uv_stride = integer(the, 4),
        .width = integer(the, 5),
        .height = integer(the, 6),
        .row = integer(the, 7),
        .alpha_bytes = integer(the, 11),
        .alpha_at = integer(the, 12),
        .alpha_shift = integer(the, 13),
    };
    void *y, *u, *v, *top, *bottom, *alpha = NULL;
    xsUnsignedValue y_length, u_length, v_length, top_length, bottom_length, alpha_length = 0;
    xsmcGetBufferReadable(xsArg(0), &y, &y_length);
    xsmcGetBufferReadable(xsArg(1), &u, &u_length);
    xsmcGetBufferReadable(xsArg(2), &v, &v_length);
    xsmcGetBufferWritable(xsArg(8), &top, &top_length);
    xsmcGetBufferWritable(xsArg(9), &bottom, &bottom_length);
    if (job.alpha_bytes != 0) xsmcGetBufferReadable(xsArg(10), &alpha, &alpha_length);
    check(the, webp_yuv_row_pair(y, y_length, u, u_length, v, v_length, &job, alpha, alpha_length, top, top_length,
                                 bottom, bottom_length));
}

/* webpFilterRow(y, u, v, yStride, uvStride, mbWide, mby, levels, inner, sharpness, simple) */
void xs_webp_filter_row(xsMachine *the) {
    need(the, 11);
    webp_filter_row_t job = {
        .y_stride = integer(the, 3),
        .uv_stride = integer(the, 4),
        .mb_wide = integer(the, 5),
        .mby = integer(the, 6),
        .sharpness = integer(the, 9),
        .simple = xsmcTest(xsArg(10)) ? 1 : 0,
    };
    void *y, *u, *v, *levels, *inner;
    xsUnsignedValue y_length, u_length, v_length, levels_length, inner_length;
    xsmcGetBufferWritable(xsArg(0), &y, &y_length);
    xsmcGetBufferWritable(xsArg(1), &u, &u_length);
    xsmcGetBufferWritable(xsArg(2), &v, &v_length);
    xsmcGetBufferReadable(xsArg(7), &levels, &levels_length);
    xsmcGetBufferReadable(xsArg(8), &inner, &inner_length);
    check(the, webp_filter_row(y, y_length, u, u_length, v, v_length, &job, levels, levels_length, inner, inner_length));
}

/* webpReconstruct(y, u, v, yStride, uvStride, mbWide, mbx, mby, yMode, subModes, uvMode, coeffs buffer,
 *                 blockAc) */
void xs_webp_reconstruct(xsMachine *the) {
    need(the, 13);
    webp_macroblock_t job = {
        .y_stride = integer(the, 3),
        .uv_stride = integer(the, 4),
        .mb_wide = integer(the, 5),
        .mbx = integer(the, 6),
        .mby = integer(the, 7),
        .y_mode = integer(the, 8),
        .uv_mode = integer(the, 10),
    };
    void *y, *u, *v, *sub_modes, *coeffs, *block_ac;
    xsUnsignedValue y_length, u_length, v_length, sub_modes_length, coeffs_length, block_ac_length;
    xsmcGetBufferWritable(xsArg(0), &y, &y_length);
    xsmcGetBufferWritable(xsArg(1), &u, &u_length);
    xsmcGetBufferWritable(xsArg(2), &v, &v_length);
    xsmcGetBufferReadable(xsArg(9), &sub_modes, &sub_modes_length);
    xsmcGetBufferReadable(xsArg(11), &coeffs, &coeffs_length);
    xsmcGetBufferReadable(xsArg(12), &block_ac, &block_ac_length);
    check(the, webp_reconstruct(y, y_length, u, u_length, v, v_length, &job, sub_modes, sub_modes_length, coeffs,
                                coeffs_length, block_ac, block_ac_length));
}
