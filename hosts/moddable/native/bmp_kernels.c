/*
 * The BMP kernels (bmp_kernels.h): C twins of src/art/bmp-kernels.ts, same bytes out.
 */
#include "bmp_kernels.h"

/* Bytes of `count` items of `each` bytes (or bits / 8 rounded up) fit in `size`: no overflow in the checks. */
static int fits(uint32_t count, uint32_t each, uint32_t size) {
    return (uint64_t)count * each <= size;
}

int32_t bmp_byte_row(const uint8_t *row, uint32_t row_size, uint8_t *rgba, uint32_t rgba_size, uint32_t width, uint32_t bytes_per_pixel, int has_alpha) {
    if ((bytes_per_pixel != 3 && bytes_per_pixel != 4) || (has_alpha && bytes_per_pixel != 4)) return BMP_FAULT_RANGE;
    if (!fits(width, bytes_per_pixel, row_size) || !fits(width, 4, rgba_size)) return BMP_FAULT_RANGE;
    const uint8_t *in = row;
    uint8_t *out = rgba;
    for (uint32_t x = 0; x < width; x++, in += bytes_per_pixel, out += 4) {
        out[0] = in[2];
        out[1] = in[1];
        out[2] = in[0];
        out[3] = has_alpha ? in[3] : 255;
    }
    return 0;
}

/* One bit field: where it starts, its width, and what to multiply and shift to widen it to 8 bits. */
typedef struct {
    uint32_t shift;
    uint32_t maximum; /* 0: the channel is absent */
    uint32_t bits;
} bmp_field_t;

static int bmp_field_of(uint32_t mask, bmp_field_t *field) {
    field->shift = 0;
    field->maximum = 0;
    field->bits = 0;
    if (mask == 0) return 1;
    while (((mask >> field->shift) & 1) == 0) field->shift++;
    field->maximum = mask >> field->shift;
    while (field->bits < 32 && (field->maximum >> field->bits) != 0) field->bits++;
    /* Contiguous: maximum + 1 is a power of two (computed in 64 bits for a 32-bit field). */
    return (((uint64_t)field->maximum + 1) & field->maximum) == 0;
}

/* The field of `value` widened to 8 bits: its top 8 bits, or its bits repeated (5-bit 31 -> 255). */
static uint8_t bmp_widen(uint32_t value, const bmp_field_t *field) {
    if (field->maximum == 0) return 0;
    uint32_t raw = (value >> field->shift) & field->maximum;
    if (field->bits >= 8) return (uint8_t)(raw >> (field->bits - 8));
    uint32_t widened = raw << (8 - field->bits);
    for (uint32_t filled = field->bits; filled < 8; filled += field->bits) widened |= widened >> filled;
    return (uint8_t)widened;
}

int32_t bmp_field_row(const uint8_t *row, uint32_t row_size, uint8_t *rgba, uint32_t rgba_size, uint32_t width, uint32_t bytes_per_pixel, const uint32_t masks[4]) {
    if (bytes_per_pixel < 2 || bytes_per_pixel > 4) return BMP_FAULT_RANGE;
    if (!fits(width, bytes_per_pixel, row_size) || !fits(width, 4, rgba_size)) return BMP_FAULT_RANGE;
    bmp_field_t fields[4];
    for (int i = 0; i < 4; i++)
        if (!bmp_field_of(masks[i], &fields[i])) return BMP_FAULT_RANGE;
    const int has_alpha = masks[3] != 0;
    const uint8_t *in = row;
    uint8_t *out = rgba;
    for (uint32_t x = 0; x < width; x++, in += bytes_per_pixel, out += 4) {
        uint32_t value = (uint32_t)in[0] | ((uint32_t)in[1] << 8);
        if (bytes_per_pixel >= 3) value |= (uint32_t)in[2] << 16;
        if (bytes_per_pixel == 4) value |= (uint32_t)in[3] << 24;
        out[0] = bmp_widen(value, &fields[0]);
        out[1] = bmp_widen(value, &fields[1]);
        out[2] = bmp_widen(value, &fields[2]);
        out[3] = has_alpha ? bmp_widen(value, &fields[3]) : 255;
    }
    return 0;
}

int32_t bmp_indexed_row(const uint8_t *row, uint32_t row_size, uint8_t *rgba, uint32_t rgba_size, uint32_t width, uint32_t bits_per_pixel, const uint8_t *palette, uint32_t palette_size, uint32_t entry_bytes, uint32_t entries) {
    if (bits_per_pixel != 1 && bits_per_pixel != 2 && bits_per_pixel != 4 && bits_per_pixel != 8) return BMP_FAULT_RANGE;
    if (entry_bytes != 3 && entry_bytes != 4) return BMP_FAULT_RANGE;
    if (!fits(entries, entry_bytes, palette_size) || !fits(width, 4, rgba_size)) return BMP_FAULT_RANGE;
    if (((uint64_t)width * bits_per_pixel + 7) / 8 > row_size) return BMP_FAULT_RANGE;
    const uint32_t mask = (1u << bits_per_pixel) - 1;
    uint8_t *out = rgba;
    /* Pixels are packed from the byte's high bits down. */
    for (uint32_t x = 0, at = 0; x < width; at++) {
        const uint32_t byte = row[at];
        for (int32_t shift = 8 - (int32_t)bits_per_pixel; shift >= 0 && x < width; shift -= (int32_t)bits_per_pixel, x++, out += 4) {
            const uint32_t index = (byte >> shift) & mask;
            if (index >= entries) return (int32_t)index;
            const uint8_t *entry = palette + index * entry_bytes;
            out[0] = entry[2];
            out[1] = entry[1];
            out[2] = entry[0];
            out[3] = 255;
        }
    }
    return BMP_ROW_DONE;
}
