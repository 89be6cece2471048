/*
 * XS binding of the artwork kernels (art_kernels.c): plain host functions, bound by
 * hosts/moddable/art-kernels.ts with native("xs_art_...") and wrapped by hosts/moddable/native-art.ts,
 * which turns the negative LZW results into the same ImageDecodeError the TypeScript decoder throws.
 *
 * One call does a row (or a frame): buffers are looked up on every call and never kept, since XS may
 * move them between calls. The LZW state is a host object holding one calloc'd art_lzw_t (about
 * 12 KiB), freed by its destructor. Typed arrays of 16-bit values are passed as their ArrayBuffer
 * (xsmcGetBuffer takes byte views only).
 */
#include <stdint.h>
#include <stdlib.h>

#include "xsmc.h"
#include "xs_arguments.h"

#include "art_kernels.h"

void xs_art_lzw_destructor(void *data) {
    free(data);
}

static art_lzw_t *lzw_of(xsMachine *the, int argument) {
    art_lzw_t *lzw = xsmcGetHostDataValidate(xsArg(argument), (void *)xs_art_lzw_destructor);
    if (lzw == NULL) xsUnknownError("LZW state freed");
    return lzw;
}

static void check(xsMachine *the, int32_t result) {
    if (result == ART_FAULT_RANGE) xsRangeError("art kernel argument out of range");
}

/* lzwCreate(): a host object owning one LZW state. */
void xs_art_lzw_create(xsMachine *the) {
    art_lzw_t *lzw = calloc(1, sizeof(art_lzw_t));
    if (lzw == NULL) xsUnknownError("no memory for the LZW state");
    xsResult = xsNewHostObject(xs_art_lzw_destructor);
    xsmcSetHostData(xsResult, lzw);
}

/* lzwBegin(lzw, minCodeSize) */
void xs_art_lzw_begin(xsMachine *the) {
    need(the, 2);
    check(the, art_lzw_begin(lzw_of(the, 0), integer(the, 1)));
}

/* lzwSetInput(lzw, start, end) */
void xs_art_lzw_set_input(xsMachine *the) {
    need(the, 3);
    int32_t start = integer(the, 1), end = integer(the, 2);
    if (start < 0 || end < start) xsRangeError("bad LZW input range");
    art_lzw_set_input(lzw_of(the, 0), (uint32_t)start, (uint32_t)end);
}

/* lzwRead(lzw, input, out, pos, end): the new position, or ART_LZW_LITERAL_EXPECTED / ART_LZW_BEYOND_TABLE. */
void xs_art_lzw_read(xsMachine *the) {
    need(the, 5);
    art_lzw_t *lzw = lzw_of(the, 0);
    int32_t pos = integer(the, 3), end = integer(the, 4);
    void *input, *out;
    xsUnsignedValue input_length, out_length;
    xsmcGetBufferReadable(xsArg(1), &input, &input_length);
    xsmcGetBufferWritable(xsArg(2), &out, &out_length);
    if (pos < 0 || end < pos) xsRangeError("bad LZW output range");
    int32_t result = art_lzw_read(lzw, input, input_length, out, out_length, (uint32_t)pos, (uint32_t)end);
    check(the, result);
    xsmcSetInteger(xsResult, result);
}

/* lzwFault(lzw): after a negative read, the offending code | the next free slot << 16. */
void xs_art_lzw_fault(xsMachine *the) {
    need(the, 1);
    art_lzw_t *lzw = lzw_of(the, 0);
    xsmcSetInteger(xsResult, (int32_t)(lzw->fault_code | (lzw->fault_next << 16)));
}

/* lzwStatus(lzw): input bytes lent and not read yet, times 2, plus 1 once the end code was read. */
void xs_art_lzw_status(xsMachine *the) {
    need(the, 1);
    art_lzw_t *lzw = lzw_of(the, 0);
    xsmcSetInteger(xsResult, (int32_t)((lzw->input_end - lzw->input_pos) * 2u + (lzw->ended ? 1u : 0u)));
}

/* palette(table, transparent, colours) */
void xs_art_palette(xsMachine *the) {
    need(the, 3);
    int32_t transparent = integer(the, 1);
    void *table, *colours;
    xsUnsignedValue table_length, colours_length;
    xsmcGetBufferReadable(xsArg(0), &table, &table_length);
    xsmcGetBufferWritable(xsArg(2), &colours, &colours_length);
    check(the, art_palette(table, table_length, transparent, colours, colours_length));
}

/* expand(indices, count, colours, rgba) */
void xs_art_expand(xsMachine *the) {
    need(the, 4);
    void *indices, *colours, *rgba;
    xsUnsignedValue indices_length, colours_length, rgba_length;
    int32_t count = integer(the, 1);
    if (count < 0) xsRangeError("negative count");
    xsmcGetBufferReadable(xsArg(0), &indices, &indices_length);
    xsmcGetBufferReadable(xsArg(2), &colours, &colours_length);
    xsmcGetBufferWritable(xsArg(3), &rgba, &rgba_length);
    check(the, art_expand_indices(indices, indices_length, (uint32_t)count, colours, colours_length, rgba, rgba_length));
}

/* compositeRow(canvas, sourceX buffer, rowBase, c0, c1, first, step, count, rgba, over) */
void xs_art_composite_row(xsMachine *the) {
    need(the, 10);
    art_row_t row = {
        .row_base = integer(the, 2),
        .c0 = integer(the, 3),
        .c1 = integer(the, 4),
        .first = integer(the, 5),
        .step = integer(the, 6),
        .count = integer(the, 7),
        .over = xsmcTest(xsArg(9)) ? 1 : 0,
    };
    void *canvas, *source_x, *rgba;
    xsUnsignedValue canvas_length, source_x_length, rgba_length;
    xsmcGetBufferWritable(xsArg(0), &canvas, &canvas_length);
    xsmcGetBufferReadable(xsArg(1), &source_x, &source_x_length);
    xsmcGetBufferReadable(xsArg(8), &rgba, &rgba_length);
    check(the, art_composite_row(canvas, canvas_length, source_x, source_x_length, &row, rgba, rgba_length));
}

/* render(target, canvas, pictureColumn buffer, pictureRow buffer, rowBytes, left, top, width, height,
 *        logicalWidth, logicalHeight, origin, stepX, stepY, background) */
void xs_art_render(xsMachine *the) {
    need(the, 15);
    art_render_t render = {
        .row_bytes = integer(the, 4),
        .left = integer(the, 5),
        .top = integer(the, 6),
        .width = integer(the, 7),
        .height = integer(the, 8),
        .logical_width = integer(the, 9),
        .logical_height = integer(the, 10),
        .origin = integer(the, 11),
        .step_x = integer(the, 12),
        .step_y = integer(the, 13),
        .background = (uint32_t)integer(the, 14),
    };
    void *target, *canvas, *picture_column, *picture_row;
    xsUnsignedValue target_length, canvas_length, picture_column_length, picture_row_length;
    xsmcGetBufferWritable(xsArg(0), &target, &target_length);
    xsmcGetBufferReadable(xsArg(1), &canvas, &canvas_length);
    xsmcGetBufferReadable(xsArg(2), &picture_column, &picture_column_length);
    xsmcGetBufferReadable(xsArg(3), &picture_row, &picture_row_length);
    check(the, art_render(target, target_length, canvas, canvas_length, picture_column, picture_column_length,
                          picture_row, picture_row_length, &render));
}
