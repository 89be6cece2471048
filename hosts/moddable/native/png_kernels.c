/*
 * The PNG kernels (png_kernels.h): C twins of src/art/png-kernels.ts, same bytes out.
 */
#include "png_kernels.h"

int32_t png_unfilter(uint8_t *row, uint32_t row_size, const uint8_t *above, uint32_t above_size, uint32_t length, uint32_t step) {
    if (length < 1 || length > row_size || length > above_size || step < 1 || step > 8) return PNG_FAULT_RANGE;
    /* The first `step` bytes have no left neighbour (it counts as 0): bytes [1, first_full). */
    uint32_t first_full = 1 + step < length ? 1 + step : length;
    uint32_t i;
    switch (row[0]) {
    case 0:
        return PNG_UNFILTER_OK;
    case 1: /* sub */
        for (i = first_full; i < length; i++) row[i] = (uint8_t)(row[i] + row[i - step]);
        return PNG_UNFILTER_OK;
    case 2: /* up */
        for (i = 1; i < length; i++) row[i] = (uint8_t)(row[i] + above[i]);
        return PNG_UNFILTER_OK;
    case 3: /* average */
        for (i = 1; i < first_full; i++) row[i] = (uint8_t)(row[i] + (above[i] >> 1));
        for (i = first_full; i < length; i++) row[i] = (uint8_t)(row[i] + ((row[i - step] + above[i]) >> 1));
        return PNG_UNFILTER_OK;
    case 4: /* Paeth: the neighbour closest to left + up - upper-left, ties to left, then up */
        for (i = 1; i < first_full; i++) row[i] = (uint8_t)(row[i] + above[i]);
        for (i = first_full; i < length; i++) {
            int left = row[i - step], up = above[i], up_left = above[i - step];
            int pa = up - up_left, pb = left - up_left, pc = left + up - 2 * up_left;
            if (pa < 0) pa = -pa;
            if (pb < 0) pb = -pb;
            if (pc < 0) pc = -pc;
            row[i] = (uint8_t)(row[i] + (pa <= pb && pa <= pc ? left : pb <= pc ? up : up_left));
        }
        return PNG_UNFILTER_OK;
    default:
        return PNG_UNFILTER_UNKNOWN;
    }
}

/* Four bits at a time (reflected polynomial 0xEDB88320): a 64-byte table that stays in flash. */
static const uint32_t CRC_NIBBLE[16] = {
    0x00000000u, 0x1db71064u, 0x3b6e20c8u, 0x26d930acu, 0x76dc4190u, 0x6b6b51f4u, 0x4db26158u, 0x5005713cu,
    0xedb88320u, 0xf00f9344u, 0xd6d6a3e8u, 0xcb61b38cu, 0x9b64c2b0u, 0x86d3d2d4u, 0xa00ae278u, 0xbdbdf21cu,
};

uint32_t png_crc32_update(uint32_t crc, const uint8_t *bytes, uint32_t count) {
    for (uint32_t i = 0; i < count; i++) {
        crc ^= bytes[i];
        crc = (crc >> 4) ^ CRC_NIBBLE[crc & 15];
        crc = (crc >> 4) ^ CRC_NIBBLE[crc & 15];
    }
    return crc;
}
