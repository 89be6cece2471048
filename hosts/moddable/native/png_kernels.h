/*
 * Native kernels of the PNG decoder: undoing a scanline's filter and the chunk CRC. Portable C with no
 * XS in it, linked into the Moddable apps (through png_kernels_xs.c), the device-time xst and the
 * equivalence test (test/native/png_xst.c under ASan and UBSan). Each is the C twin of a function of
 * src/art/png-kernels.ts (the PngKernels port), which stays the portable default and the oracle. No
 * allocation, no state; every buffer comes with its length.
 */
#ifndef PNG_KERNELS_H
#define PNG_KERNELS_H

#include <stdint.h>

#define PNG_UNFILTER_OK 0
#define PNG_UNFILTER_UNKNOWN 1  /* row[0] is no filter type: the row is left as it is */
#define PNG_FAULT_RANGE (-3)    /* an argument out of its buffer: a caller bug, never data */

/*
 * tsPngKernels.unfilter: row[0] is the filter type, the row's bytes are row[1, length), `above` the
 * previous reconstructed row in the same layout, `step` the bytes per complete pixel (1..8).
 */
int32_t png_unfilter(uint8_t *row, uint32_t row_size, const uint8_t *above, uint32_t above_size, uint32_t length, uint32_t step);

/* tsPngKernels.crc32Update: PNG's CRC-32 continued over bytes[0, count) from the running value. */
uint32_t png_crc32_update(uint32_t crc, const uint8_t *bytes, uint32_t count);

#endif
