/*
 * XS binding of the BMP kernels (bmp_kernels.c): plain host functions, bound by
 * hosts/moddable/art-kernels.ts with native("xs_bmp_...") and wrapped by hosts/moddable/native-bmp.ts.
 * One call per row, arguments by position, buffers looked up on every call and never kept; the masks'
 * Uint32Array goes as its ArrayBuffer (byte views only, as in art_kernels_xs.c).
 */
#include <stdint.h>
#include <string.h>

#include "xsmc.h"
#include "xs_arguments.h"

#include "bmp_kernels.h"

/* A count or size argument: negative is a caller bug. */
static uint32_t natural(xsMachine *the, int argument) {
    int32_t value = xsmcToInteger(xsArg(argument));
    if (value < 0) xsRangeError("BMP kernel argument out of range");
    return (uint32_t)value;
}

static void check(xsMachine *the, int32_t result) {
    if (result == BMP_FAULT_RANGE) xsRangeError("BMP kernel argument out of range");
}

/* bmpByteRow(row, rgba, width, bytesPerPixel, hasAlpha) */
void xs_bmp_byte_row(xsMachine *the) {
    need(the, 5);
    uint32_t width = natural(the, 2), bytes_per_pixel = natural(the, 3);
    int has_alpha = xsmcToBoolean(xsArg(4));
    void *row, *rgba;
    xsUnsignedValue row_size, rgba_size;
    xsmcGetBufferReadable(xsArg(0), &row, &row_size);
    xsmcGetBufferWritable(xsArg(1), &rgba, &rgba_size);
    check(the, bmp_byte_row(row, (uint32_t)row_size, rgba, (uint32_t)rgba_size, width, bytes_per_pixel, has_alpha));
}

/* bmpFieldRow(row, rgba, width, bytesPerPixel, masks buffer: 4 × uint32) */
void xs_bmp_field_row(xsMachine *the) {
    need(the, 5);
    uint32_t width = natural(the, 2), bytes_per_pixel = natural(the, 3);
    void *row, *rgba, *mask_bytes;
    xsUnsignedValue row_size, rgba_size, mask_size;
    xsmcGetBufferReadable(xsArg(4), &mask_bytes, &mask_size);
    if (mask_size < sizeof(uint32_t[4])) xsRangeError("BMP kernel argument out of range");
    uint32_t masks[4];
    memcpy(masks, mask_bytes, sizeof masks);
    xsmcGetBufferReadable(xsArg(0), &row, &row_size);
    xsmcGetBufferWritable(xsArg(1), &rgba, &rgba_size);
    check(the, bmp_field_row(row, (uint32_t)row_size, rgba, (uint32_t)rgba_size, width, bytes_per_pixel, masks));
}

/* bmpIndexedRow(row, rgba, width, bitsPerPixel, palette, entryBytes, entries): -1, or the first index beyond the palette */
void xs_bmp_indexed_row(xsMachine *the) {
    need(the, 7);
    uint32_t width = natural(the, 2), bits_per_pixel = natural(the, 3), entry_bytes = natural(the, 5), entries = natural(the, 6);
    void *row, *rgba, *palette;
    xsUnsignedValue row_size, rgba_size, palette_size;
    xsmcGetBufferReadable(xsArg(0), &row, &row_size);
    xsmcGetBufferReadable(xsArg(4), &palette, &palette_size);
    xsmcGetBufferWritable(xsArg(1), &rgba, &rgba_size);
    int32_t result = bmp_indexed_row(row, (uint32_t)row_size, rgba, (uint32_t)rgba_size, width, bits_per_pixel, palette, (uint32_t)palette_size, entry_bytes, entries);
    check(the, result);
    xsmcSetInteger(xsResult, result);
}
