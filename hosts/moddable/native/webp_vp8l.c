/* The C twins of the VP8L decoder's pixel work (see webp_vp8l.h): the entropy-coded pixel loop
 * (src/art/webp-lossless.ts #entropyCoded, webp-prefix.ts LosslessBits and PrefixCodes.decode) and the
 * inverse transforms (src/art/webp-transforms.ts). Keep each in step with its twin: same bits read in the
 * same order, same pixels, same faults at the same points. One file for VP8L's pixel work, as
 * webp-lossless.ts and webp-transforms.ts are its twins: its length is the distance map and the predictor
 * modes written out. */
#include <stddef.h>
#include <string.h>

#include "webp_vp8l.h"

static inline int32_t state_word(const uint8_t *state, uint32_t index) {
    int32_t value;
    memcpy(&value, state + (size_t)index * 4u, 4);
    return value;
}

static inline void set_state_word(uint8_t *state, uint32_t index, int32_t value) {
    memcpy(state + (size_t)index * 4u, &value, 4);
}

/* Entropy-coded pixels (RFC 9649 §5). */
#define LENGTH_CODES 24u
#define MAX_LENGTH 15u
/* Distance codes 1..120 as (dx, dy): the nearby pixels of the distance map (RFC 9649 §5.2.2). */
static const int8_t DISTANCE_MAP[240] = {
    0,  1, 1,  0, 1,  1, -1, 1, 0,  2, 2,  0, 1,  2, -1, 2, 2,  1, -2, 1, 2,  2, -2, 2, 0,  3, 3,  0, 1,  3, -1, 3,
    3,  1, -3, 1, 2,  3, -2, 3, 3,  2, -3, 2, 0,  4, 4,  0, 1,  4, -1, 4, 4,  1, -4, 1, 3,  3, -3, 3, 2,  4, -2, 4,
    4,  2, -4, 2, 0,  5, 3,  4, -3, 4, 4,  3, -4, 3, 5,  0, 1,  5, -1, 5, 5,  1, -5, 1, 2,  5, -2, 5, 5,  2, -5, 2,
    4,  4, -4, 4, 3,  5, -3, 5, 5,  3, -5, 3, 0,  6, 6,  0, 1,  6, -1, 6, 6,  1, -6, 1, 2,  6, -2, 6, 6,  2, -6, 2,
    4,  5, -4, 5, 5,  4, -5, 4, 3,  6, -3, 6, 6,  3, -6, 3, 0,  7, 7,  0, 1,  7, -1, 7, 5,  5, -5, 5, 7,  1, -7, 1,
    4,  6, -4, 6, 6,  4, -6, 4, 2,  7, -2, 7, 7,  2, -7, 2, 3,  7, -3, 7, 7,  3, -7, 3, 5,  6, -5, 6, 6,  5, -6, 5,
    8,  0, 4,  7, -4, 7, 7,  4, -7, 4, 8,  1, 8,  2, 6,  6, -6, 6, 8,  3, 5,  7, -5, 7, 7,  5, -7, 5, 8,  4, 6,  7,
    -6, 7, 7,  6, -7, 6, 8,  5, 7,  7, -7, 7, 8,  6, 8,  7,
};

typedef struct {
    const uint8_t *data;
    uint32_t position, end, bits, count, padding;
} bits_t;

/* LosslessBits.fill: at least 25 bits; zero bytes past the end, counted. */
static inline void fill(bits_t *b) {
    while (b->count <= 24) {
        if (b->position < b->end) b->bits |= (uint32_t)b->data[b->position++] << b->count;
        else b->padding++;
        b->count += 8;
    }
}

/* LosslessBits.read, n ≤ 24. */
static inline uint32_t read_bits(bits_t *b, uint32_t n) {
    if (b->count < n) fill(b);
    const uint32_t value = b->bits & ((1u << n) - 1u);
    b->bits >>= n;
    b->count -= n;
    return value;
}

static inline int overrun(const bits_t *b) {
    return (uint64_t)b->padding * 8u > b->count;
}

static inline uint32_t pool_at(const uint8_t *pool, uint32_t index) {
    uint16_t value;
    memcpy(&value, pool + (size_t)index * 2u, 2);
    return value;
}

/* A code offset whose header and fast table lie in the pool (the slow path checks its own reads). */
static int code_in_pool(const uint8_t *pool, uint32_t words, int32_t code) {
    if (code < 0 || (uint32_t)code + 3u > words) return 0;
    const uint32_t fast_bits = pool_at(pool, (uint32_t)code);
    return fast_bits <= MAX_LENGTH && (fast_bits == 0 || (uint64_t)(uint32_t)code + 2u + (1u << fast_bits) <= words);
}

/* PrefixCodes.decode and #decodeSlow: the symbol, or -1 (no code matched), or ART_FAULT_RANGE (a read
 * outside the pool). */
static int32_t decode_symbol(bits_t *b, const uint8_t *pool, uint32_t words, uint32_t code) {
    const uint32_t fast_bits = pool_at(pool, code);
    if (fast_bits == 0) return (int32_t)(pool_at(pool, code + 2) >> 4);
    if (b->count < MAX_LENGTH) fill(b);
    const uint32_t entry = pool_at(pool, code + 2 + (b->bits & ((1u << fast_bits) - 1u)));
    if (entry != 0) {
        b->bits >>= entry & 15u;
        b->count -= entry & 15u;
        return (int32_t)(entry >> 4);
    }
    const uint32_t counts = code + 2 + (1u << fast_bits), sorted = counts + MAX_LENGTH;
    if (sorted > words) return ART_FAULT_RANGE;
    const uint32_t value = b->bits;
    int32_t first = 0, index = 0, canonical = 0;
    for (uint32_t length = 1; length <= MAX_LENGTH; length++) {
        canonical |= (int32_t)((value >> (length - 1)) & 1u);
        const int32_t count = (int32_t)pool_at(pool, counts + length - 1);
        if (canonical - first < count) {
            const int64_t at = (int64_t)sorted + index + canonical - first;
            if (at < 0 || at >= (int64_t)words) return ART_FAULT_RANGE;
            b->bits >>= length;
            b->count -= length;
            return (int32_t)pool_at(pool, (uint32_t)at);
        }
        index += count;
        first = (first + count) << 1;
        canonical <<= 1;
    }
    return -1;
}

/* prefixValue: a length or distance from its prefix symbol and extra bits. */
static inline uint32_t prefix_value(bits_t *b, uint32_t symbol) {
    if (symbol < 4) return symbol + 1;
    const uint32_t extra = (symbol - 2) >> 1;
    const uint32_t offset = (2u + (symbol & 1u)) << extra;
    return offset + read_bits(b, extra) + 1;
}

static inline uint32_t pixel_at(const uint8_t *out, uint32_t index) {
    uint32_t value;
    memcpy(&value, out + (size_t)index * 4u, 4);
    return value;
}

static inline void set_pixel(uint8_t *out, uint32_t index, uint32_t value) {
    memcpy(out + (size_t)index * 4u, &value, 4);
}

/* The colour cache holds each slot's newest pixel: the TypeScript twin fills it lazily before a lookup,
 * which gives the same slots as inserting every pixel as it is decoded, done here. */
#define CACHE_INSERT(pixel)                                                                                        \
    do {                                                                                                           \
        if (cache_bits) set_pixel(cache, (uint32_t)((pixel) * 0x1e35a7bdu) >> cache_shift, (pixel));             \
    } while (0)

static int32_t finish(uint8_t *state, const bits_t *b, int32_t result) {
    set_state_word(state, VP8L_POSITION, (int32_t)b->position);
    set_state_word(state, VP8L_BITS, (int32_t)b->bits);
    set_state_word(state, VP8L_COUNT, (int32_t)b->count);
    set_state_word(state, VP8L_PADDING, (int32_t)b->padding);
    return result;
}

int32_t webp_lossless_pixels(const uint8_t *data, uint32_t data_length, uint8_t *state, uint32_t state_length,
                             const uint8_t *pool, uint32_t pool_length, const uint8_t *groups, uint32_t groups_length,
                             const uint8_t *entropy, uint32_t entropy_length, uint8_t *cache, uint32_t cache_length,
                             uint8_t *out, uint32_t out_length, const webp_lossless_pixels_t *job) {
    const int32_t xsize = job->xsize, ysize = job->ysize, prefix_bits = job->prefix_bits, cache_bits = job->cache_bits;
    if (state_length < VP8L_STATE_WORDS * 4u || xsize < 1 || ysize < 1 || job->base < 0 || cache_bits < 0 ||
        cache_bits > 11 || (cache_bits > 0 && cache_length < (4u << cache_bits)) || prefix_bits < 0 || prefix_bits > 9 ||
        (prefix_bits > 0 && job->entropy_width < 1) ||
        (uint64_t)job->base + (uint64_t)xsize * (uint64_t)ysize > out_length / 4u || groups_length < 5u * 4u)
        return ART_FAULT_RANGE;
    bits_t b = {
        .data = data,
        .position = (uint32_t)state_word(state, VP8L_POSITION),
        .end = (uint32_t)state_word(state, VP8L_END),
        .bits = (uint32_t)state_word(state, VP8L_BITS),
        .count = (uint32_t)state_word(state, VP8L_COUNT),
        .padding = (uint32_t)state_word(state, VP8L_PADDING),
    };
    if (b.end > data_length || b.count > 32 || state_word(state, VP8L_PADDING) < 0) return ART_FAULT_RANGE;
    const uint32_t words = pool_length / 2u, group_words = groups_length / 4u, entropy_words = entropy_length / 4u;
    const uint32_t total = (uint32_t)xsize * (uint32_t)ysize, base = (uint32_t)job->base;
    const uint32_t block_mask = prefix_bits > 0 ? (1u << prefix_bits) - 1u : 0;
    const uint32_t cache_shift = 32u - (uint32_t)cache_bits, cache_size = cache_bits > 0 ? 1u << cache_bits : 0;
    if (cache_bits > 0) memset(cache, 0, (size_t)cache_size * 4u);
    uint32_t green = 0, red = 0, blue = 0, alpha = 0, distance = 0;
    int64_t group = -1;
    uint32_t x = 0, y = 0, pos = 0;
    while (pos < total) {
        if (group < 0 || (prefix_bits > 0 && (x & block_mask) == 0)) {
            uint32_t g = 0;
            if (prefix_bits > 0) {
                const uint64_t at = (uint64_t)(y >> prefix_bits) * (uint32_t)job->entropy_width + (x >> prefix_bits);
                if (at >= entropy_words) return finish(state, &b, ART_FAULT_RANGE);
                g = ((pixel_at(entropy, (uint32_t)at) >> 8) & 0xffffu) * 5u;
            }
            if ((int64_t)g != group) {
                if ((uint64_t)g + 5u > group_words) return finish(state, &b, ART_FAULT_RANGE);
                group = g;
                const int32_t codes[5] = {(int32_t)pixel_at(groups, g), (int32_t)pixel_at(groups, g + 1),
                                          (int32_t)pixel_at(groups, g + 2), (int32_t)pixel_at(groups, g + 3),
                                          (int32_t)pixel_at(groups, g + 4)};
                for (uint32_t i = 0; i < 5; i++)
                    if (!code_in_pool(pool, words, codes[i])) return finish(state, &b, ART_FAULT_RANGE);
                green = (uint32_t)codes[0];
                red = (uint32_t)codes[1];
                blue = (uint32_t)codes[2];
                alpha = (uint32_t)codes[3];
                distance = (uint32_t)codes[4];
            }
        }
        const int32_t symbol = decode_symbol(&b, pool, words, green);
        if (symbol < 0) return finish(state, &b, symbol == -1 ? WEBP_VP8L_INVALID_CODE : symbol);
        if (symbol < 256) {
            const int32_t r = decode_symbol(&b, pool, words, red);
            if (r < 0) return finish(state, &b, r == -1 ? WEBP_VP8L_INVALID_CODE : r);
            const int32_t bl = decode_symbol(&b, pool, words, blue);
            if (bl < 0) return finish(state, &b, bl == -1 ? WEBP_VP8L_INVALID_CODE : bl);
            const int32_t a = decode_symbol(&b, pool, words, alpha);
            if (a < 0) return finish(state, &b, a == -1 ? WEBP_VP8L_INVALID_CODE : a);
            const uint32_t pixel = ((uint32_t)a << 24) | ((uint32_t)r << 16) | ((uint32_t)symbol << 8) | (uint32_t)bl;
            set_pixel(out, base + pos, pixel);
            CACHE_INSERT(pixel);
            pos++;
            if (++x == (uint32_t)xsize) {
                x = 0;
                y++;
                if (overrun(&b)) return finish(state, &b, WEBP_VP8L_OVERRUN);
            }
        } else if ((uint32_t)symbol < 256u + LENGTH_CODES) {
            const uint32_t length = prefix_value(&b, (uint32_t)symbol - 256u);
            const int32_t distance_symbol = decode_symbol(&b, pool, words, distance);
            if (distance_symbol < 0)
                return finish(state, &b, distance_symbol == -1 ? WEBP_VP8L_INVALID_CODE : distance_symbol);
            /* A distance code's extra bits: (39 - 2) >> 1 = 18 at most in its 40-symbol alphabet. */
            if (distance_symbol >= 40) return finish(state, &b, ART_FAULT_RANGE);
            const uint32_t distance_code = prefix_value(&b, (uint32_t)distance_symbol);
            int64_t back;
            if (distance_code > 120) {
                back = (int64_t)distance_code - 120;
            } else {
                back = DISTANCE_MAP[(distance_code - 1) * 2] + (int64_t)DISTANCE_MAP[(distance_code - 1) * 2 + 1] * xsize;
                if (back < 1) back = 1;
            }
            if (back > pos) {
                set_state_word(state, VP8L_FAULT_A, (int32_t)back);
                set_state_word(state, VP8L_FAULT_B, (int32_t)pos);
                return finish(state, &b, WEBP_VP8L_DISTANCE);
            }
            if (length > total - pos) {
                set_state_word(state, VP8L_FAULT_A, (int32_t)length);
                return finish(state, &b, WEBP_VP8L_LENGTH);
            }
            /* Forward, pixel by pixel: an overlapping copy repeats the pattern, as the twin's doubling does. */
            const uint32_t from = base + pos - (uint32_t)back;
            for (uint32_t k = 0; k < length; k++) {
                const uint32_t pixel = pixel_at(out, from + k);
                set_pixel(out, base + pos + k, pixel);
                CACHE_INSERT(pixel);
            }
            pos += length;
            x += length;
            y += x / (uint32_t)xsize;
            x %= (uint32_t)xsize;
            if (overrun(&b)) return finish(state, &b, WEBP_VP8L_OVERRUN);
            if (prefix_bits > 0 && (x & block_mask) != 0) group = -1;
        } else {
            const uint32_t index = (uint32_t)symbol - 256u - LENGTH_CODES;
            if (index >= cache_size) return finish(state, &b, ART_FAULT_RANGE);
            const uint32_t pixel = pixel_at(cache, index);
            set_pixel(out, base + pos, pixel);
            CACHE_INSERT(pixel);
            pos++;
            if (++x == (uint32_t)xsize) {
                x = 0;
                y++;
            }
        }
    }
    return finish(state, &b, overrun(&b) ? WEBP_VP8L_OVERRUN : 0);
}

/* Inverse transforms (RFC 9649 §4), pixels as uint32 (the twin's int32 bit patterns: its arithmetic is
 * taken modulo 2^32 by the bitwise operators that consume it). */

/* Per-byte sum modulo 256 (addPixels). */
static inline uint32_t add_pixels(uint32_t a, uint32_t b) {
    return (((a & 0xff00ff00u) + (b & 0xff00ff00u)) & 0xff00ff00u) | (((a & 0x00ff00ffu) + (b & 0x00ff00ffu)) & 0x00ff00ffu);
}

/* Per-byte floor average (average2). */
static inline uint32_t average2(uint32_t a, uint32_t b) {
    return (((a ^ b) & 0xfefefefeu) >> 1) + (a & b);
}

static inline int32_t clamp255(int32_t v) {
    return v < 0 ? 0 : v > 255 ? 255 : v;
}

static inline int32_t channel_of(uint32_t pixel, uint32_t shift) {
    return (int32_t)((pixel >> shift) & 0xffu);
}

static inline int32_t absolute(int32_t v) {
    return v < 0 ? -v : v;
}

static uint32_t select_pixel(uint32_t left, uint32_t top, uint32_t top_left) {
    int32_t to_left = 0, to_top = 0;
    for (uint32_t shift = 0; shift < 32; shift += 8) {
        to_left += absolute(channel_of(top, shift) - channel_of(top_left, shift));
        to_top += absolute(channel_of(left, shift) - channel_of(top_left, shift));
    }
    return to_left < to_top ? left : top;
}

static uint32_t clamp_add_subtract_full(uint32_t a, uint32_t b, uint32_t c) {
    uint32_t out = 0;
    for (uint32_t shift = 0; shift < 32; shift += 8)
        out |= (uint32_t)clamp255(channel_of(a, shift) + channel_of(b, shift) - channel_of(c, shift)) << shift;
    return out;
}

static uint32_t clamp_add_subtract_half(uint32_t a, uint32_t b) {
    uint32_t out = 0;
    for (uint32_t shift = 0; shift < 32; shift += 8) {
        const int32_t ac = channel_of(a, shift), bc = channel_of(b, shift);
        out |= (uint32_t)clamp255(ac + (ac - bc) / 2) << shift; /* C's division truncates, as `| 0` does */
    }
    return out;
}

static uint32_t predict(uint32_t mode, uint32_t left, uint32_t top, uint32_t top_left, uint32_t top_right) {
    switch (mode) {
    case 1: return left;
    case 2: return top;
    case 3: return top_right;
    case 4: return top_left;
    case 5: return average2(average2(left, top_right), top);
    case 6: return average2(left, top_left);
    case 7: return average2(left, top);
    case 8: return average2(top_left, top);
    case 9: return average2(top, top_right);
    case 10: return average2(average2(left, top_left), average2(top, top_right));
    case 11: return select_pixel(left, top, top_left);
    case 12: return clamp_add_subtract_full(left, top, top_left);
    case 13: return clamp_add_subtract_half(average2(left, top), top_left);
    default: return 0xff000000u; /* 0, and 14/15 (not defined): opaque black */
    }
}

/* inversePredictor. For the last column, "top-right" is the first pixel of this row (the next in memory). */
static void inverse_predictor(uint8_t *px, uint32_t base, uint32_t width, uint32_t height, uint32_t bits,
                              const uint8_t *modes) {
    const uint32_t blocks_wide = (width + (1u << bits) - 1u) >> bits;
    uint32_t left = add_pixels(pixel_at(px, base), 0xff000000u);
    set_pixel(px, base, left);
    for (uint32_t at = base + 1; at < base + width; at++) {
        left = add_pixels(pixel_at(px, at), left);
        set_pixel(px, at, left);
    }
    for (uint32_t y = 1; y < height; y++) {
        const uint32_t row = base + y * width, mode_row = (y >> bits) * blocks_wide;
        left = add_pixels(pixel_at(px, row), pixel_at(px, row - width));
        set_pixel(px, row, left);
        for (uint32_t x = 1; x < width; x++) {
            const uint32_t at = row + x, mode = (pixel_at(modes, mode_row + (x >> bits)) >> 8) & 0x0fu;
            const uint32_t p = predict(mode, left, pixel_at(px, at - width), pixel_at(px, at - width - 1), pixel_at(px, at - width + 1));
            left = add_pixels(pixel_at(px, at), p);
            set_pixel(px, at, left);
        }
    }
}

/* ColorTransformDelta: signed 8-bit × signed 8-bit, >> 5 (arithmetic, as JavaScript's). */
static inline int32_t colour_delta(uint32_t t, uint32_t c) {
    return ((int32_t)(int8_t)(uint8_t)t * (int32_t)(int8_t)(uint8_t)c) >> 5;
}

static void inverse_colour_transform(uint8_t *px, uint32_t base, uint32_t width, uint32_t height, uint32_t bits,
                                     const uint8_t *elements) {
    const uint32_t blocks_wide = (width + (1u << bits) - 1u) >> bits;
    for (uint32_t y = 0; y < height; y++) {
        const uint32_t row = base + y * width, element_row = (y >> bits) * blocks_wide;
        for (uint32_t x = 0; x < width; x++) {
            const uint32_t element = pixel_at(elements, element_row + (x >> bits));
            const uint32_t pixel = pixel_at(px, row + x), green = (pixel >> 8) & 0xffu;
            const uint32_t red = (uint32_t)((int32_t)((pixel >> 16) & 0xffu) + colour_delta(element, green)) & 0xffu;
            const uint32_t blue = (uint32_t)((int32_t)(pixel & 0xffu) + colour_delta(element >> 8, green) +
                                             colour_delta(element >> 16, red)) &
                                  0xffu;
            set_pixel(px, row + x, (pixel & 0xff00ff00u) | (red << 16) | blue);
        }
    }
}

static void inverse_subtract_green(uint8_t *px, uint32_t base, uint32_t count) {
    for (uint32_t i = base; i < base + count; i++) {
        const uint32_t pixel = pixel_at(px, i), green = (pixel >> 8) & 0xffu;
        set_pixel(px, i, (pixel & 0xff00ff00u) | (((pixel & 0x00ff00ffu) + ((green << 16) | green)) & 0x00ff00ffu));
    }
}

/* inverseColourIndexing: with bundling the packed source at `base` expands to pixel 0, each source
 * pixel read before it is overwritten (the same order as the twin). */
static void inverse_colour_indexing(uint8_t *px, uint32_t base, uint32_t width, uint32_t height, uint32_t bits,
                                    const uint8_t *table) {
    if (bits == 0) {
        for (uint32_t i = 0; i < width * height; i++) set_pixel(px, i, pixel_at(table, (pixel_at(px, base + i) >> 8) & 0xffu));
        return;
    }
    const uint32_t packed_width = (width + (1u << bits) - 1u) >> bits, per_pixel = 8u >> bits;
    const uint32_t mask = (1u << per_pixel) - 1u, last_in_pack = (1u << bits) - 1u;
    for (uint32_t y = 0; y < height; y++) {
        const uint32_t source = base + y * packed_width, target = y * width;
        uint32_t packed = 0;
        for (uint32_t x = 0; x < width; x++) {
            if ((x & last_in_pack) == 0) packed = pixel_at(px, source + (x >> bits)) >> 8;
            set_pixel(px, target + x, pixel_at(table, packed & mask));
            packed >>= per_pixel;
        }
    }
}

int32_t webp_lossless_transform(uint8_t *px, uint32_t px_length, const uint8_t *data, uint32_t data_length,
                                const webp_lossless_transform_t *job) {
    const int32_t width = job->width, height = job->height, bits = job->bits, base = job->base;
    if (width < 1 || height < 1 || base < 0 || bits < 0 || bits > 9) return ART_FAULT_RANGE;
    const uint64_t words = px_length / 4u, data_words = data_length / 4u, area = (uint64_t)width * (uint64_t)height;
    const uint64_t blocks = (uint64_t)(((uint32_t)width + (1u << bits) - 1u) >> bits) *
                            (((uint32_t)height + (1u << bits) - 1u) >> bits);
    switch (job->type) {
    case 0:
    case 1:
        if (bits < 2 || (uint64_t)base + area > words || blocks > data_words) return ART_FAULT_RANGE;
        if (job->type == 0) inverse_predictor(px, (uint32_t)base, (uint32_t)width, (uint32_t)height, (uint32_t)bits, data);
        else inverse_colour_transform(px, (uint32_t)base, (uint32_t)width, (uint32_t)height, (uint32_t)bits, data);
        return 0;
    case 2:
        if ((uint64_t)base + area > words) return ART_FAULT_RANGE;
        inverse_subtract_green(px, (uint32_t)base, (uint32_t)area);
        return 0;
    case 3: {
        const uint64_t packed = (uint64_t)(((uint32_t)width + (1u << bits) - 1u) >> bits) * (uint32_t)height;
        if (bits > 3 || data_words < 256 || area > words || (uint64_t)base + (bits == 0 ? area : packed) > words)
            return ART_FAULT_RANGE;
        inverse_colour_indexing(px, (uint32_t)base, (uint32_t)width, (uint32_t)height, (uint32_t)bits, data);
        return 0;
    }
    default:
        return ART_FAULT_RANGE;
    }
}
