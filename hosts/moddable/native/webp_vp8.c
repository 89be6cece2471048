/* The C twins of the VP8 decoder's entropy decoding (see webp_vp8.h): coefficient tokens
 * (src/art/webp-lossy-tokens.ts readResiduals, webp-lossy.ts #readResiduals, webp-lossy-predict.ts
 * inverseWalsh) and a macroblock's modes (webp-lossy-modes.ts readModes). Keep each in step with its
 * twin: same bools read in the same order with the same probabilities, same values stored (Int16Array
 * stores wrap). */
#include <stddef.h>
#include <string.h>

#include "webp_vp8.h"

static inline int32_t state_word(const uint8_t *state, uint32_t index) {
    int32_t value;
    memcpy(&value, state + (size_t)index * 4u, 4);
    return value;
}

static inline void set_state_word(uint8_t *state, uint32_t index, int32_t value) {
    memcpy(state + (size_t)index * 4u, &value, 4);
}

/* Coefficient tokens (RFC 6386 §13). */
static const uint8_t ZIGZAG[16] = {0, 1, 4, 8, 5, 2, 3, 6, 9, 12, 13, 10, 7, 11, 14, 15};
/* Coefficient position → band, with a 17th entry for "the band after position 15". */
static const uint8_t BANDS[17] = {0, 1, 2, 3, 6, 4, 5, 6, 6, 6, 6, 6, 6, 6, 6, 7, 0};
static const uint8_t CATEGORY_PROBS[6][12] = {
    {159, 0}, {165, 145, 0}, {173, 148, 140, 0}, {176, 155, 140, 135, 0}, {180, 157, 141, 134, 130, 0},
    {254, 254, 243, 230, 196, 177, 153, 140, 133, 130, 129, 0},
};
static const uint8_t CATEGORY_BITS[6] = {1, 2, 3, 4, 5, 11};
static const int32_t CATEGORY_BASE[6] = {5, 7, 11, 19, 35, 67};
/* The token tree as in readResiduals: entry i + bit is another node's index or a leaf -1 - token. */
static const int8_t TOKEN_TREE[22] = {-1, 2, -2, 4, -3, 6, 8, 12, -4, 10, -5, -6, 14, 16, -7, -8, 18, 20, -9, -10, -11, -12};

enum { TOKEN_EOB = 0, TOKEN_ZERO = 1, TOKEN_ONE = 2, TOKEN_CATEGORY_1 = 6 };
enum { TYPE_Y_AFTER_Y2 = 0, TYPE_Y2 = 1, TYPE_CHROMA = 2, TYPE_Y_WITH_DC = 3 };
#define U_BLOCKS (16u * 16u)
#define V_BLOCKS (20u * 16u)
#define Y2_BLOCK (24u * 16u)

/* BoolDecoder's fields. `value` is an int32 as in JavaScript: corrupt data can push it past 2^31 (a
 * shift wraps it negative), and then it compares as the negative number it is there. */
typedef struct {
    const uint8_t *data;
    uint32_t position, end, range, bit_count, padding;
    int32_t value;
} bools_t;

/* The decoder as the state words hold it between calls (webp_vp8.h VP8_*; the caller has checked the
 * state's length): 0, or ART_FAULT_RANGE when the words break BoolDecoder's invariants between reads (a
 * range of 128..255, fewer than 8 pending bits, no negative padding) or end lies past the data. Written
 * as the one condition that fails, not as its negation: with the latter GCC -O3 inlined read_block
 * into webp_residuals (x86), other code than the kernels had been measured with. */
static inline int32_t bools_load(bools_t *br, const uint8_t *data, uint32_t data_length, const uint8_t *state) {
    *br = (bools_t){
        .data = data,
        .position = (uint32_t)state_word(state, VP8_POSITION),
        .end = (uint32_t)state_word(state, VP8_END),
        .value = state_word(state, VP8_VALUE),
        .range = (uint32_t)state_word(state, VP8_RANGE),
        .bit_count = (uint32_t)state_word(state, VP8_BIT_COUNT),
        .padding = (uint32_t)state_word(state, VP8_PADDING),
    };
    if (br->end > data_length || br->range < 128 || br->range > 255 || br->bit_count > 7 || state_word(state, VP8_PADDING) < 0)
        return ART_FAULT_RANGE;
    return 0;
}

/* The decoder back into the state words (end does not move). */
static inline void bools_store(const bools_t *br, uint8_t *state) {
    set_state_word(state, VP8_POSITION, (int32_t)br->position);
    set_state_word(state, VP8_VALUE, br->value);
    set_state_word(state, VP8_RANGE, (int32_t)br->range);
    set_state_word(state, VP8_BIT_COUNT, (int32_t)br->bit_count);
    set_state_word(state, VP8_PADDING, (int32_t)br->padding);
}

/* JavaScript's int32 `a << shift`, shift < 32. */
static inline int32_t shift_left(int32_t a, uint32_t shift) {
    return (int32_t)((uint32_t)a << shift);
}

/* BoolDecoder.read, as readResiduals writes it out. */
static inline uint32_t read_bool(bools_t *br, uint32_t prob) {
    uint32_t split = 1 + (((br->range - 1) * prob) >> 8);
    uint32_t bit = 0;
    /* split << 8 ≤ 65280: no wrap. value ≥ it > 0 before the subtraction, so the difference stays an int32. */
    if (br->value >= (int32_t)(split << 8)) {
        bit = 1;
        br->value -= (int32_t)(split << 8);
        split = br->range - split;
    }
    br->range = split;
    if (split < 128) {
        /* 1 ≤ split: the shift is 1..7, and with fewer than 8 pending bits at most one byte is due. */
        const uint32_t shift = (uint32_t)__builtin_clz(split) - 24u;
        br->range <<= shift;
        br->value = shift_left(br->value, shift);
        br->bit_count += shift;
        if (br->bit_count >= 8) {
            br->bit_count -= 8;
            if (br->position < br->end) br->value |= (int32_t)((uint32_t)br->data[br->position++] << br->bit_count);
            else br->padding++;
        }
    }
    return bit;
}

/* An Int16Array store: the value modulo 2^16. */
static inline void store_coefficient(uint8_t *coeffs, uint32_t index, int32_t value) {
    const uint16_t wrapped = (uint16_t)(uint32_t)value;
    memcpy(coeffs + (size_t)index * 2u, &wrapped, 2);
}

static inline int32_t load_coefficient(const uint8_t *coeffs, uint32_t index) {
    int16_t value;
    memcpy(&value, coeffs + (size_t)index * 2u, 2);
    return value;
}

/* One block of readResiduals: 0 if the block was empty, else the zigzag position after its last token. */
static uint32_t read_block(bools_t *br, const uint8_t *probs, uint8_t *coeffs, uint32_t type, uint32_t context,
                           uint32_t first, int32_t dc_factor, int32_t ac_factor, uint32_t out) {
    const uint32_t type_base = type * 264u;
    uint32_t p = type_base + BANDS[first] * 33u + context * 11u;
    uint32_t n = first;
    uint32_t node = 0;
    while (n < 16) {
        int32_t i = (int32_t)node;
        for (;;) {
            i = TOKEN_TREE[i + (int32_t)read_bool(br, probs[p + ((uint32_t)i >> 1)])];
            if (i < 0) break;
        }
        const int32_t token = -1 - i;
        if (token == TOKEN_EOB) return n == first ? 0 : n;
        if (token == TOKEN_ZERO) {
            n++;
            p = type_base + BANDS[n] * 33u;
            node = 2;
            continue;
        }
        int32_t magnitude = token - 1;
        if (token >= TOKEN_CATEGORY_1) {
            const uint8_t *extra = CATEGORY_PROBS[token - TOKEN_CATEGORY_1];
            const uint32_t count = CATEGORY_BITS[token - TOKEN_CATEGORY_1];
            magnitude = 0;
            for (uint32_t k = 0; k < count; k++) magnitude = (magnitude << 1) | (int32_t)read_bool(br, extra[k]);
            magnitude += CATEGORY_BASE[token - TOKEN_CATEGORY_1];
        }
        if (read_bool(br, 128)) magnitude = -magnitude;
        store_coefficient(coeffs, out + ZIGZAG[n], magnitude * (n > 0 ? ac_factor : dc_factor));
        n++;
        p = type_base + BANDS[n] * 33u + (token == TOKEN_ONE ? 11u : 22u);
        node = 0;
    }
    return 16;
}

/* inverseWalsh: the Y2 block's inverse WHT, each output the DC of one Y block. */
static void inverse_walsh(uint8_t *coeffs) {
    int32_t t[16];
    for (uint32_t i = 0; i < 4; i++) {
        const int32_t c0 = load_coefficient(coeffs, Y2_BLOCK + i), c1 = load_coefficient(coeffs, Y2_BLOCK + 4 + i);
        const int32_t c2 = load_coefficient(coeffs, Y2_BLOCK + 8 + i), c3 = load_coefficient(coeffs, Y2_BLOCK + 12 + i);
        const int32_t a1 = c0 + c3, b1 = c1 + c2, c1_ = c1 - c2, d1 = c0 - c3;
        t[i] = a1 + b1;
        t[4 + i] = c1_ + d1;
        t[8 + i] = a1 - b1;
        t[12 + i] = d1 - c1_;
    }
    for (uint32_t i = 0; i < 4; i++) {
        const int32_t a1 = t[i * 4] + t[i * 4 + 3], b1 = t[i * 4 + 1] + t[i * 4 + 2];
        const int32_t c1 = t[i * 4 + 1] - t[i * 4 + 2], d1 = t[i * 4] - t[i * 4 + 3];
        store_coefficient(coeffs, (i * 4) * 16, (a1 + b1 + 3) >> 3);
        store_coefficient(coeffs, (i * 4 + 1) * 16, (c1 + d1 + 3) >> 3);
        store_coefficient(coeffs, (i * 4 + 2) * 16, (a1 - b1 + 3) >> 3);
        store_coefficient(coeffs, (i * 4 + 3) * 16, (d1 - c1 + 3) >> 3);
    }
}

int32_t webp_residuals(const uint8_t *data, uint32_t data_length, uint8_t *state, uint32_t state_length,
                       const uint8_t *probs, uint32_t probs_length, const uint8_t *quant, uint32_t quant_length,
                       uint8_t *coeffs, uint32_t coeffs_length, uint8_t *block_ac, uint32_t block_ac_length,
                       uint8_t *above_nz, uint32_t above_nz_length, uint8_t *left_nz, uint32_t left_nz_length,
                       const webp_residuals_t *job) {
    if (state_length < VP8_STATE_WORDS * 4u || probs_length < 1056u || coeffs_length < 25u * 16u * 2u ||
        block_ac_length < 24u || left_nz_length < 9u || job->mbx < 0 || job->segment < 0 || job->segment > 3 ||
        (uint64_t)(job->mbx + 1) * 9u > above_nz_length || (uint32_t)(job->segment + 1) * 6u * 4u > quant_length)
        return ART_FAULT_RANGE;
    bools_t br;
    const int32_t fault = bools_load(&br, data, data_length, state);
    if (fault != 0) return fault;
    uint8_t *above = above_nz + (size_t)job->mbx * 9u;
    for (uint32_t i = 0; i < 9; i++)
        if (above[i] > 1 || left_nz[i] > 1) return ART_FAULT_RANGE;
    int32_t q[6];
    for (uint32_t i = 0; i < 6; i++) q[i] = state_word(quant, (uint32_t)job->segment * 6u + i);
    uint32_t any = 0, first_y = 0, y_type = TYPE_Y_WITH_DC;
    if (job->has_y2) {
        const uint32_t nz = read_block(&br, probs, coeffs, TYPE_Y2, above[8] + left_nz[8], 0, q[2], q[3], Y2_BLOCK) > 0;
        above[8] = left_nz[8] = (uint8_t)nz;
        any |= nz;
        first_y = 1;
        y_type = TYPE_Y_AFTER_Y2;
    }
    for (uint32_t by = 0; by < 4; by++) {
        for (uint32_t bx = 0; bx < 4; bx++) {
            const uint32_t end = read_block(&br, probs, coeffs, y_type, above[bx] + left_nz[by], first_y, q[0], q[1], (by * 4 + bx) * 16);
            block_ac[by * 4 + bx] = end > 1;
            above[bx] = left_nz[by] = end > 0;
            any |= end > 0;
        }
    }
    for (uint32_t plane = 0; plane < 2; plane++) {
        const uint32_t base = plane == 0 ? U_BLOCKS : V_BLOCKS, context = 4 + plane * 2;
        for (uint32_t by = 0; by < 2; by++) {
            for (uint32_t bx = 0; bx < 2; bx++) {
                const uint32_t end = read_block(&br, probs, coeffs, TYPE_CHROMA, above[context + bx] + left_nz[context + by], 0,
                                                q[4], q[5], base + (by * 2 + bx) * 16);
                block_ac[16 + plane * 4 + by * 2 + bx] = end > 1;
                above[context + bx] = left_nz[context + by] = end > 0;
                any |= end > 0;
            }
        }
    }
    if (job->has_y2) inverse_walsh(coeffs);
    bools_store(&br, state);
    return (int32_t)any;
}


/* Macroblock modes (RFC 6386 §11, §19.3). */

/* RFC 6386 §11.5 kf_bmode_prob[above][left][9] (webp-lossy-tables.ts KEY_FRAME_SUBBLOCK_MODE_PROBS). */
static const uint8_t SUBBLOCK_MODE_PROBS[900] = {
    231, 120, 48, 89, 115, 113, 120, 152, 112,
    152, 179, 64, 126, 170, 118, 46, 70, 95,
    175, 69, 143, 80, 85, 82, 72, 155, 103,
    56, 58, 10, 171, 218, 189, 17, 13, 152,
    144, 71, 10, 38, 171, 213, 144, 34, 26,
    114, 26, 17, 163, 44, 195, 21, 10, 173,
    121, 24, 80, 195, 26, 62, 44, 64, 85,
    170, 46, 55, 19, 136, 160, 33, 206, 71,
    63, 20, 8, 114, 114, 208, 12, 9, 226,
    81, 40, 11, 96, 182, 84, 29, 16, 36,
    134, 183, 89, 137, 98, 101, 106, 165, 148,
    72, 187, 100, 130, 157, 111, 32, 75, 80,
    66, 102, 167, 99, 74, 62, 40, 234, 128,
    41, 53, 9, 178, 241, 141, 26, 8, 107,
    104, 79, 12, 27, 217, 255, 87, 17, 7,
    74, 43, 26, 146, 73, 166, 49, 23, 157,
    65, 38, 105, 160, 51, 52, 31, 115, 128,
    87, 68, 71, 44, 114, 51, 15, 186, 23,
    47, 41, 14, 110, 182, 183, 21, 17, 194,
    66, 45, 25, 102, 197, 189, 23, 18, 22,
    88, 88, 147, 150, 42, 46, 45, 196, 205,
    43, 97, 183, 117, 85, 38, 35, 179, 61,
    39, 53, 200, 87, 26, 21, 43, 232, 171,
    56, 34, 51, 104, 114, 102, 29, 93, 77,
    107, 54, 32, 26, 51, 1, 81, 43, 31,
    39, 28, 85, 171, 58, 165, 90, 98, 64,
    34, 22, 116, 206, 23, 34, 43, 166, 73,
    68, 25, 106, 22, 64, 171, 36, 225, 114,
    34, 19, 21, 102, 132, 188, 16, 76, 124,
    62, 18, 78, 95, 85, 57, 50, 48, 51,
    193, 101, 35, 159, 215, 111, 89, 46, 111,
    60, 148, 31, 172, 219, 228, 21, 18, 111,
    112, 113, 77, 85, 179, 255, 38, 120, 114,
    40, 42, 1, 196, 245, 209, 10, 25, 109,
    100, 80, 8, 43, 154, 1, 51, 26, 71,
    88, 43, 29, 140, 166, 213, 37, 43, 154,
    61, 63, 30, 155, 67, 45, 68, 1, 209,
    142, 78, 78, 16, 255, 128, 34, 197, 171,
    41, 40, 5, 102, 211, 183, 4, 1, 221,
    51, 50, 17, 168, 209, 192, 23, 25, 82,
    125, 98, 42, 88, 104, 85, 117, 175, 82,
    95, 84, 53, 89, 128, 100, 113, 101, 45,
    75, 79, 123, 47, 51, 128, 81, 171, 1,
    57, 17, 5, 71, 102, 57, 53, 41, 49,
    115, 21, 2, 10, 102, 255, 166, 23, 6,
    38, 33, 13, 121, 57, 73, 26, 1, 85,
    41, 10, 67, 138, 77, 110, 90, 47, 114,
    101, 29, 16, 10, 85, 128, 101, 196, 26,
    57, 18, 10, 102, 102, 213, 34, 20, 43,
    117, 20, 15, 36, 163, 128, 68, 1, 26,
    138, 31, 36, 171, 27, 166, 38, 44, 229,
    67, 87, 58, 169, 82, 115, 26, 59, 179,
    63, 59, 90, 180, 59, 166, 93, 73, 154,
    40, 40, 21, 116, 143, 209, 34, 39, 175,
    57, 46, 22, 24, 128, 1, 54, 17, 37,
    47, 15, 16, 183, 34, 223, 49, 45, 183,
    46, 17, 33, 183, 6, 98, 15, 32, 183,
    65, 32, 73, 115, 28, 128, 23, 128, 205,
    40, 3, 9, 115, 51, 192, 18, 6, 223,
    87, 37, 9, 115, 59, 77, 64, 21, 47,
    104, 55, 44, 218, 9, 54, 53, 130, 226,
    64, 90, 70, 205, 40, 41, 23, 26, 57,
    54, 57, 112, 184, 5, 41, 38, 166, 213,
    30, 34, 26, 133, 152, 116, 10, 32, 134,
    75, 32, 12, 51, 192, 255, 160, 43, 51,
    39, 19, 53, 221, 26, 114, 32, 73, 255,
    31, 9, 65, 234, 2, 15, 1, 118, 73,
    88, 31, 35, 67, 102, 85, 55, 186, 85,
    56, 21, 23, 111, 59, 205, 45, 37, 192,
    55, 38, 70, 124, 73, 102, 1, 34, 98,
    102, 61, 71, 37, 34, 53, 31, 243, 192,
    69, 60, 71, 38, 73, 119, 28, 222, 37,
    68, 45, 128, 34, 1, 47, 11, 245, 171,
    62, 17, 19, 70, 146, 85, 55, 62, 70,
    75, 15, 9, 9, 64, 255, 184, 119, 16,
    37, 43, 37, 154, 100, 163, 85, 160, 1,
    63, 9, 92, 136, 28, 64, 32, 201, 85,
    86, 6, 28, 5, 64, 255, 25, 248, 1,
    56, 8, 17, 132, 137, 255, 55, 116, 128,
    58, 15, 20, 82, 135, 57, 26, 121, 40,
    164, 50, 31, 137, 154, 133, 25, 35, 218,
    51, 103, 44, 131, 131, 123, 31, 6, 158,
    86, 40, 64, 135, 148, 224, 45, 183, 128,
    22, 26, 17, 131, 240, 154, 14, 1, 209,
    83, 12, 13, 54, 192, 255, 68, 47, 28,
    45, 16, 21, 91, 64, 222, 7, 1, 197,
    56, 21, 39, 155, 60, 138, 23, 102, 213,
    85, 26, 85, 85, 128, 128, 32, 146, 171,
    18, 11, 7, 63, 144, 171, 4, 4, 246,
    35, 27, 10, 146, 174, 171, 12, 26, 128,
    190, 80, 35, 99, 180, 80, 126, 54, 45,
    85, 126, 47, 87, 176, 51, 41, 20, 32,
    101, 75, 128, 139, 118, 146, 116, 128, 85,
    56, 41, 15, 176, 236, 85, 37, 9, 62,
    146, 36, 19, 30, 171, 255, 97, 27, 20,
    71, 30, 17, 119, 118, 255, 17, 18, 138,
    101, 38, 60, 138, 55, 70, 43, 26, 142,
    138, 45, 61, 62, 219, 1, 81, 188, 64,
    32, 41, 20, 117, 151, 142, 20, 21, 163,
    112, 19, 12, 61, 195, 128, 48, 4, 24,
};

enum { DC_PRED = 0, V_PRED = 1, H_PRED = 2, TM_PRED = 3, B_PRED = 4 };

/* The key-frame subblock mode tree (readModes' SUBBLOCK_MODE_TREE) with probabilities p[0..9). */
static uint32_t read_subblock_mode(bools_t *br, const uint8_t *p) {
    if (read_bool(br, p[0]) == 0) return 0; /* B_DC_PRED */
    if (read_bool(br, p[1]) == 0) return 1; /* B_TM_PRED */
    if (read_bool(br, p[2]) == 0) return 2; /* B_VE_PRED */
    if (read_bool(br, p[3]) == 0) {
        if (read_bool(br, p[4]) == 0) return 3;    /* B_HE_PRED */
        return read_bool(br, p[5]) == 0 ? 5 : 6; /* B_RD_PRED, B_VR_PRED */
    }
    if (read_bool(br, p[6]) == 0) return 4;    /* B_LD_PRED */
    if (read_bool(br, p[7]) == 0) return 7;    /* B_VL_PRED */
    return read_bool(br, p[8]) == 0 ? 8 : 9; /* B_HD_PRED, B_HU_PRED */
}

int32_t webp_modes(const uint8_t *data, uint32_t data_length, uint8_t *state, uint32_t state_length,
                   const uint8_t *segment_probs, uint32_t segment_probs_length, uint8_t *sub_modes,
                   uint32_t sub_modes_length, uint8_t *above_modes, uint32_t above_modes_length, uint8_t *left_modes,
                   uint32_t left_modes_length, const webp_modes_t *job) {
    if (state_length < VP8_STATE_WORDS * 4u || (job->update_map && segment_probs_length < 3u) || sub_modes_length < 16u ||
        left_modes_length < 4u || job->mbx < 0 || (uint64_t)(job->mbx + 1) * 4u > above_modes_length ||
        job->skip_prob > 255)
        return ART_FAULT_RANGE;
    bools_t br;
    const int32_t fault = bools_load(&br, data, data_length, state);
    if (fault != 0) return fault;
    uint8_t *above = above_modes + (size_t)job->mbx * 4u;
    for (uint32_t i = 0; i < 4; i++)
        if (above[i] > 9 || left_modes[i] > 9) return ART_FAULT_RANGE;
    uint32_t segment = 0;
    if (job->update_map)
        segment = read_bool(&br, segment_probs[0]) ? 2 + read_bool(&br, segment_probs[2]) : read_bool(&br, segment_probs[1]);
    const uint32_t skip = job->skip_prob >= 0 ? read_bool(&br, (uint32_t)job->skip_prob) : 0;
    uint32_t y_mode;
    if (read_bool(&br, 145) == 0) y_mode = B_PRED;
    else if (read_bool(&br, 156) == 0) y_mode = read_bool(&br, 163) == 0 ? DC_PRED : V_PRED;
    else y_mode = read_bool(&br, 128) == 0 ? H_PRED : TM_PRED;
    if (y_mode == B_PRED) {
        for (uint32_t b = 0; b < 16; b++) {
            const uint32_t a = b < 4 ? above[b] : sub_modes[b - 4];
            const uint32_t l = (b & 3) == 0 ? left_modes[b >> 2] : sub_modes[b - 1];
            sub_modes[b] = (uint8_t)read_subblock_mode(&br, SUBBLOCK_MODE_PROBS + (a * 10 + l) * 9);
        }
        for (uint32_t i = 0; i < 4; i++) {
            above[i] = sub_modes[12 + i];
            left_modes[i] = sub_modes[i * 4 + 3];
        }
    } else {
        /* Whole-block modes stand for a subblock mode in the neighbours' contexts. */
        const uint8_t implied = y_mode == DC_PRED ? 0 : y_mode == V_PRED ? 2 : y_mode == H_PRED ? 3 : 1;
        memset(above, implied, 4);
        memset(left_modes, implied, 4);
    }
    const uint32_t uv_mode = read_bool(&br, 142) == 0   ? DC_PRED
                             : read_bool(&br, 114) == 0 ? V_PRED
                             : read_bool(&br, 183) == 0 ? H_PRED
                                                        : TM_PRED;
    bools_store(&br, state);
    return (int32_t)(segment | skip << 2 | y_mode << 3 | uv_mode << 6);
}
