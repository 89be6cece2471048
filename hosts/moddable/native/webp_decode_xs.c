/*
 * XS binding of the VP8 and VP8L decoding kernels (webp_vp8.c, webp_vp8l.c): plain host functions, bound by
 * hosts/moddable/art-kernels.ts with native("xs_webp_...") and wrapped by hosts/moddable/native-art.ts.
 * As in webp_kernels_xs.c: one call per macroblock or per image, arguments by position, buffers looked up
 * on every call and never kept; Int16/Int32/Uint16 arrays go as their ArrayBuffer.
 * A data fault comes back as the function's (negative) result; a bad argument throws RangeError.
 */
#include <stdint.h>

#include "xsmc.h"
#include "xs_arguments.h"

#include "webp_vp8.h"
#include "webp_vp8l.h"

static int32_t checked(xsMachine *the, int32_t result) {
    if (result == ART_FAULT_RANGE) xsRangeError("WebP kernel argument out of range");
    return result;
}

/* webpResiduals(data, state buffer, probs, quant buffer, coeffs buffer, blockAc, aboveNonZero, leftNonZero,
 *               mbx, hasY2, segment) → 1 if a block had non-zero data, else 0 */
void xs_webp_residuals(xsMachine *the) {
    need(the, 11);
    webp_residuals_t job = {
        .mbx = integer(the, 8),
        .has_y2 = xsmcTest(xsArg(9)) ? 1 : 0,
        .segment = integer(the, 10),
    };
    void *data, *state, *probs, *quant, *coeffs, *block_ac, *above, *left;
    xsUnsignedValue data_length, state_length, probs_length, quant_length, coeffs_length, block_ac_length, above_length,
        left_length;
    xsmcGetBufferReadable(xsArg(0), &data, &data_length);
    xsmcGetBufferWritable(xsArg(1), &state, &state_length);
    xsmcGetBufferReadable(xsArg(2), &probs, &probs_length);
    xsmcGetBufferReadable(xsArg(3), &quant, &quant_length);
    xsmcGetBufferWritable(xsArg(4), &coeffs, &coeffs_length);
    xsmcGetBufferWritable(xsArg(5), &block_ac, &block_ac_length);
    xsmcGetBufferWritable(xsArg(6), &above, &above_length);
    xsmcGetBufferWritable(xsArg(7), &left, &left_length);
    xsmcSetInteger(xsResult, checked(the, webp_residuals(data, data_length, state, state_length, probs, probs_length, quant,
                                                         quant_length, coeffs, coeffs_length, block_ac, block_ac_length,
                                                         above, above_length, left, left_length, &job)));
}

/* webpLosslessPixels(data, state buffer, pool buffer, groups buffer, entropy buffer, cache buffer, out buffer,
 *                    xsize, ysize, base, cacheBits, prefixBits, entropyWidth) → 0 or a WEBP_VP8L_* fault;
 * prefixBits 0: the entropy argument is not read; cacheBits 0: nor is the cache. */
void xs_webp_lossless_pixels(xsMachine *the) {
    need(the, 13);
    webp_lossless_pixels_t job = {
        .xsize = integer(the, 7),
        .ysize = integer(the, 8),
        .base = integer(the, 9),
        .cache_bits = integer(the, 10),
        .prefix_bits = integer(the, 11),
        .entropy_width = integer(the, 12),
    };
    void *data, *state, *pool, *groups, *entropy = NULL, *cache = NULL, *out;
    xsUnsignedValue data_length, state_length, pool_length, groups_length, entropy_length = 0, cache_length = 0, out_length;
    xsmcGetBufferReadable(xsArg(0), &data, &data_length);
    xsmcGetBufferWritable(xsArg(1), &state, &state_length);
    xsmcGetBufferReadable(xsArg(2), &pool, &pool_length);
    xsmcGetBufferReadable(xsArg(3), &groups, &groups_length);
    if (job.prefix_bits != 0) xsmcGetBufferReadable(xsArg(4), &entropy, &entropy_length);
    if (job.cache_bits != 0) xsmcGetBufferWritable(xsArg(5), &cache, &cache_length);
    xsmcGetBufferWritable(xsArg(6), &out, &out_length);
    xsmcSetInteger(xsResult, checked(the, webp_lossless_pixels(data, data_length, state, state_length, pool, pool_length,
                                                               groups, groups_length, entropy, entropy_length, cache,
                                                               cache_length, out, out_length, &job)));
}

/* webpLosslessTransform(type, px buffer, base, width, height, bits, data buffer) */
void xs_webp_lossless_transform(xsMachine *the) {
    need(the, 7);
    webp_lossless_transform_t job = {
        .type = integer(the, 0),
        .base = integer(the, 2),
        .width = integer(the, 3),
        .height = integer(the, 4),
        .bits = integer(the, 5),
    };
    void *px, *data;
    xsUnsignedValue px_length, data_length;
    xsmcGetBufferWritable(xsArg(1), &px, &px_length);
    xsmcGetBufferReadable(xsArg(6), &data, &data_length);
    checked(the, webp_lossless_transform(px, px_length, data, data_length, &job));
}

/* webpModes(data, state buffer, segmentProbs, updateMap, skipProb, mbx, subModes, aboveModes, leftModes)
 * → segment | skip << 2 | yMode << 3 | uvMode << 6; updateMap false: segmentProbs is not read */
void xs_webp_modes(xsMachine *the) {
    need(the, 9);
    webp_modes_t job = {
        .mbx = integer(the, 5),
        .update_map = xsmcTest(xsArg(3)) ? 1 : 0,
        .skip_prob = integer(the, 4),
    };
    void *data, *state, *segment_probs = NULL, *sub_modes, *above, *left;
    xsUnsignedValue data_length, state_length, segment_probs_length = 0, sub_modes_length, above_length, left_length;
    xsmcGetBufferReadable(xsArg(0), &data, &data_length);
    xsmcGetBufferWritable(xsArg(1), &state, &state_length);
    if (job.update_map) xsmcGetBufferReadable(xsArg(2), &segment_probs, &segment_probs_length);
    xsmcGetBufferWritable(xsArg(6), &sub_modes, &sub_modes_length);
    xsmcGetBufferWritable(xsArg(7), &above, &above_length);
    xsmcGetBufferWritable(xsArg(8), &left, &left_length);
    xsmcSetInteger(xsResult, checked(the, webp_modes(data, data_length, state, state_length, segment_probs, segment_probs_length,
                                                     sub_modes, sub_modes_length, above, above_length, left, left_length,
                                                     &job)));
}
