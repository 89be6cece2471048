/*
 * XS binding of the PNG kernels (png_kernels.c): plain host functions, bound by
 * hosts/moddable/art-kernels.ts with native("xs_png_...") and wrapped by hosts/moddable/native-png.ts.
 * Buffers are looked up on every call and never kept.
 */
#include <stdint.h>

#include "xsmc.h"

#include "png_kernels.h"

/* pngUnfilter(row, above, length, step): false for an unknown filter type. */
void xs_png_unfilter(xsMachine *the) {
    if (xsmcArgc < 4) xsTypeError("4 arguments expected");
    int32_t length = xsmcToInteger(xsArg(2)), step = xsmcToInteger(xsArg(3));
    void *row, *above;
    xsUnsignedValue row_size, above_size;
    xsmcGetBufferWritable(xsArg(0), &row, &row_size);
    xsmcGetBufferReadable(xsArg(1), &above, &above_size);
    if (length < 1 || step < 1) xsRangeError("png kernel argument out of range");
    int32_t result = png_unfilter(row, (uint32_t)row_size, above, (uint32_t)above_size, (uint32_t)length, (uint32_t)step);
    if (result == PNG_FAULT_RANGE) xsRangeError("png kernel argument out of range");
    xsmcSetBoolean(xsResult, result == PNG_UNFILTER_OK);
}

/* pngCrc32(crc, bytes, start, end): the running CRC (unsigned) after bytes[start, end). */
void xs_png_crc32(xsMachine *the) {
    if (xsmcArgc < 4) xsTypeError("4 arguments expected");
    double running = xsmcToNumber(xsArg(0));
    if (!(running >= 0 && running <= 4294967295.0)) xsRangeError("png kernel argument out of range");
    uint32_t crc = (uint32_t)running;
    int32_t start = xsmcToInteger(xsArg(2)), end = xsmcToInteger(xsArg(3));
    void *bytes;
    xsUnsignedValue size;
    xsmcGetBufferReadable(xsArg(1), &bytes, &size);
    if (start < 0 || end < start || (xsUnsignedValue)end > size) xsRangeError("png kernel argument out of range");
    crc = png_crc32_update(crc, (const uint8_t *)bytes + start, (uint32_t)(end - start));
    xsmcSetNumber(xsResult, (double)crc);
}
