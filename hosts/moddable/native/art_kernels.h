/*
 * Native pixel kernels of the artwork path (GIF's LZW and colour expansion, the compositor's row
 * compositing and panel rendering): portable C with no XS in it, so the same file is linked into the
 * Moddable apps (through art_kernels_xs.c), into the device-time xst (bench/device-time.bench.ts) and
 * into the equivalence test (test/native/art_kernels_xst.c under ASan and UBSan).
 *
 * Each kernel is the C twin of a TypeScript function in src/ (named at each declaration): the
 * TypeScript stays the portable default and the oracle, and these must give the same bytes and fail on
 * the same input. Callers pass whole rows or frames, never single pixels. No allocation: the LZW state
 * is one fixed struct (about 12 KiB) and the other kernels are stateless. Every buffer comes with its
 * length and every index is checked against it: a kernel returns ART_FAULT_RANGE rather than read or
 * write out of bounds.
 */
#ifndef ART_KERNELS_H
#define ART_KERNELS_H

#include <stdint.h>

#define ART_LZW_MAX_CODES 4096
#define ART_LZW_MAX_CODE_BITS 12

/* Results below zero (the TS path throws ImageDecodeError("corrupt", ...) with the same details). */
#define ART_LZW_LITERAL_EXPECTED (-1) /* a code above the end code straight after a clear */
#define ART_LZW_BEYOND_TABLE (-2)     /* a code beyond the next free slot */
#define ART_FAULT_RANGE (-3)          /* an argument out of its buffer: a caller bug, never data */

/* The state of src/art/lzw.ts's LzwDecoder, field for field. */
typedef struct {
    uint16_t prefix[ART_LZW_MAX_CODES];
    uint8_t suffix[ART_LZW_MAX_CODES];
    uint8_t stack[ART_LZW_MAX_CODES];
    uint32_t stack_top;
    uint32_t clear_code, end_code, next_code, code_bits, code_mask, min_code_size;
    int32_t previous; /* -1: none since the last clear */
    uint32_t previous_first;
    uint32_t bit_buffer, bit_count;
    uint32_t input_pos, input_end;
    uint32_t ended;
    /* After a negative read: the offending code and the next free slot at that moment. */
    uint32_t fault_code, fault_next;
} art_lzw_t;

/* LzwDecoder.begin: 0, or ART_FAULT_RANGE when min_code_size is outside 1..11 (the caller checks first). */
int32_t art_lzw_begin(art_lzw_t *lzw, int32_t min_code_size);
/* LzwDecoder.setInput: the next compressed bytes are input[start..end) of the buffer the next reads get. */
void art_lzw_set_input(art_lzw_t *lzw, uint32_t start, uint32_t end);
/*
 * LzwDecoder.read: decodes indices into out[pos..end) from the input lent by art_lzw_set_input (the same
 * buffer, passed again: memory may move between calls). Returns the new position, or a negative result.
 */
int32_t art_lzw_read(art_lzw_t *lzw, const uint8_t *input, uint32_t input_length, uint8_t *out, uint32_t out_length,
                     uint32_t pos, uint32_t end);

/* GifKernels.palette (src/art/gif-kernels.ts): colours (1 KiB) = RGB of table (zero past table_length)
 * with alpha 255, the transparent index (0..255, else none) all zero. 0 or ART_FAULT_RANGE. */
int32_t art_palette(const uint8_t *table, uint32_t table_length, int32_t transparent, uint8_t *colours,
                    uint32_t colours_length);

/* GifDecoder.expandRow: rgba[4i..4i+4) = colours[4 * indices[i]..+4) for i < count. 0 or ART_FAULT_RANGE. */
int32_t art_expand_indices(const uint8_t *indices, uint32_t indices_length, uint32_t count, const uint8_t *colours,
                           uint32_t colours_length, uint8_t *rgba, uint32_t rgba_length);

/* Compositor.row's loop: one delivered row onto the sampled canvas (source_x: the bytes of an Int16Array, host byte order). */
typedef struct {
    int32_t row_base;    /* byte offset of the sampled row in the canvas */
    int32_t c0, c1;      /* sampled columns of the frame's region */
    int32_t first;       /* canvas column of the row's first delivered pixel */
    int32_t step, count; /* delivered pixels: every step-th column, count of them */
    int32_t over;        /* Blend.over (else Blend.source) */
} art_row_t;
int32_t art_composite_row(uint8_t *canvas, uint32_t canvas_length, const uint8_t *source_x, uint32_t source_x_bytes,
                          const art_row_t *row, const uint8_t *rgba, uint32_t rgba_length);

/* Compositor.render: the sampled canvas onto the background, scaled, letterboxed, oriented, RGB888. */
typedef struct {
    int32_t row_bytes;                     /* sampled width * 4 */
    int32_t left, top, width, height;      /* the picture on the logical panel */
    int32_t logical_width, logical_height; /* the logical panel */
    int32_t origin, step_x, step_y;        /* physical pixel of logical (0, 0) and its steps */
    uint32_t background;                   /* 0xRRGGBB */
} art_render_t;
int32_t art_render(uint8_t *target, uint32_t target_length, const uint8_t *canvas, uint32_t canvas_length,
                   const uint8_t *picture_column, uint32_t picture_column_bytes, const uint8_t *picture_row,
                   uint32_t picture_row_bytes, const art_render_t *render);

#endif
