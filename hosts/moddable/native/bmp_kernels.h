/*
 * Native kernels of the BMP decoder: one row of the file converted to RGBA. Portable C with no XS in
 * it, linked into the Moddable apps (through bmp_kernels_xs.c), the device-time xst and the
 * equivalence test (test/native/art_kernels_xst.c under ASan and UBSan). Each is the C twin of a
 * function of src/art/bmp-kernels.ts (the BmpKernels port), which stays the portable default and the
 * oracle. No allocation, no state; every buffer comes with its length and nothing outside it is read
 * or written.
 */
#ifndef BMP_KERNELS_H
#define BMP_KERNELS_H

#include <stdint.h>

#define BMP_ROW_DONE (-1)    /* bmp_indexed_row: every pixel written */
#define BMP_FAULT_RANGE (-3) /* an argument out of its buffer or range: a caller bug, never data */

/* tsBmpKernels.byteRow: blue, green, red (and alpha when has_alpha, else 255), bytes_per_pixel 3 or 4. */
int32_t bmp_byte_row(const uint8_t *row, uint32_t row_size, uint8_t *rgba, uint32_t rgba_size, uint32_t width, uint32_t bytes_per_pixel, int has_alpha);

/*
 * tsBmpKernels.fieldRow: little-endian values of bytes_per_pixel (2..4) bytes; masks red, green, blue,
 * alpha, each contiguous or 0; each field widened to 8 bits by bit replication.
 */
int32_t bmp_field_row(const uint8_t *row, uint32_t row_size, uint8_t *rgba, uint32_t rgba_size, uint32_t width, uint32_t bytes_per_pixel, const uint32_t masks[4]);

/*
 * tsBmpKernels.indexedRow: indices of bits_per_pixel (1, 2, 4, 8) bits, high bits first, into a palette
 * of `entries` entries of entry_bytes (3 or 4) bytes, blue first. BMP_ROW_DONE, or the first index
 * >= entries (0..255; the pixels before it written), or BMP_FAULT_RANGE.
 */
int32_t bmp_indexed_row(const uint8_t *row, uint32_t row_size, uint8_t *rgba, uint32_t rgba_size, uint32_t width, uint32_t bits_per_pixel, const uint8_t *palette, uint32_t palette_size, uint32_t entry_bytes, uint32_t entries);

#endif
