/* The C twins of the VP8 decoder's entropy decoding (see webp_vp8.h): coefficient tokens
 * (src/art/webp-lossy-tokens.ts readBlock, webp-lossy.ts #readResiduals, webp-lossy-predict.ts
 * inverseWalsh). Keep each in step with its twin: same bools read in the same order with the same
 * probabilities, same values stored (Int16Array stores wrap). */
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
/* The token tree as in readBlock: entry i + bit is another node's index or a leaf -1 - token. */
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

/* JavaScript's int32 `a << shift`, shift < 32. */
static inline int32_t shift_left(int32_t a, uint32_t shift) {
    return (int32_t)((uint32_t)a << shift);
}

/* BoolDecoder.read, as readBlock writes it out. */
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

/* readBlock: 0 if the block was empty, else the zigzag position after its last token. */
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
    bools_t br = {
        .data = data,
        .position = (uint32_t)state_word(state, VP8_POSITION),
        .end = (uint32_t)state_word(state, VP8_END),
        .value = state_word(state, VP8_VALUE),
        .range = (uint32_t)state_word(state, VP8_RANGE),
        .bit_count = (uint32_t)state_word(state, VP8_BIT_COUNT),
        .padding = (uint32_t)state_word(state, VP8_PADDING),
    };
    /* BoolDecoder's invariants between reads: a range of 128..255, fewer than 8 pending bits. */
    if (br.end > data_length || br.range < 128 || br.range > 255 || br.bit_count > 7 || state_word(state, VP8_PADDING) < 0)
        return ART_FAULT_RANGE;
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
    set_state_word(state, VP8_POSITION, (int32_t)br.position);
    set_state_word(state, VP8_VALUE, br.value);
    set_state_word(state, VP8_RANGE, (int32_t)br.range);
    set_state_word(state, VP8_BIT_COUNT, (int32_t)br.bit_count);
    set_state_word(state, VP8_PADDING, (int32_t)br.padding);
    return (int32_t)any;
}

