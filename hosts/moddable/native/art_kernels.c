/* The C twins of the TypeScript kernels named in art_kernels.h. Keep each in step with its twin. */
#include "art_kernels.h"

#include <string.h>

#define NO_CODE (-1)

/* An Int16Array element by index from its bytes (memcpy: the buffer need not be 2-byte aligned). */
static inline int32_t int16_at(const uint8_t *bytes, uint32_t index) {
    int16_t value;
    memcpy(&value, bytes + (size_t)index * 2u, sizeof value);
    return value;
}

static void lzw_reset(art_lzw_t *lzw) {
    lzw->code_bits = lzw->min_code_size + 1u;
    lzw->code_mask = (1u << lzw->code_bits) - 1u;
    lzw->next_code = lzw->end_code + 1u;
    lzw->previous = NO_CODE;
}

int32_t art_lzw_begin(art_lzw_t *lzw, int32_t min_code_size) {
    if (min_code_size < 1 || min_code_size > ART_LZW_MAX_CODE_BITS - 1) return ART_FAULT_RANGE;
    lzw->min_code_size = (uint32_t)min_code_size;
    lzw->clear_code = 1u << min_code_size;
    lzw->end_code = lzw->clear_code + 1u;
    for (uint32_t code = 0; code < lzw->clear_code; code++) {
        lzw->prefix[code] = 0;
        lzw->suffix[code] = (uint8_t)code;
    }
    lzw_reset(lzw);
    lzw->previous_first = 0;
    lzw->bit_buffer = 0;
    lzw->bit_count = 0;
    lzw->stack_top = 0;
    lzw->ended = 0;
    lzw->input_pos = lzw->input_end = 0;
    return 0;
}

void art_lzw_set_input(art_lzw_t *lzw, uint32_t start, uint32_t end) {
    lzw->input_pos = start;
    lzw->input_end = end;
}

int32_t art_lzw_read(art_lzw_t *lzw, const uint8_t *input, uint32_t input_length, uint8_t *out, uint32_t out_length,
                     uint32_t pos, uint32_t end) {
    if (end > out_length || pos > end || lzw->input_end > input_length || lzw->input_pos > lzw->input_end ||
        end > INT32_MAX)
        return ART_FAULT_RANGE;
    uint8_t *stack = lzw->stack;
    uint16_t *prefix = lzw->prefix;
    uint8_t *suffix = lzw->suffix;
    const uint32_t clear_code = lzw->clear_code;
    const uint32_t end_code = lzw->end_code;
    uint32_t top = lzw->stack_top;
    uint32_t bit_buffer = lzw->bit_buffer;
    uint32_t bit_count = lzw->bit_count;
    uint32_t input_pos = lzw->input_pos;
    const uint32_t input_end = lzw->input_end;
    uint32_t code_bits = lzw->code_bits;
    uint32_t code_mask = lzw->code_mask;
    uint32_t next_code = lzw->next_code;
    int32_t previous = lzw->previous;
    uint32_t previous_first = lzw->previous_first;
    uint32_t ended = lzw->ended;
    int32_t fault = 0;

    while (pos < end) {
        if (top > 0) {
            while (top > 0 && pos < end) out[pos++] = stack[--top];
            continue;
        }
        if (ended) break;
        while (bit_count < code_bits && input_pos < input_end) {
            bit_buffer |= (uint32_t)input[input_pos++] << bit_count;
            bit_count += 8;
        }
        if (bit_count < code_bits) break;
        const uint32_t code = bit_buffer & code_mask;
        bit_buffer >>= code_bits;
        bit_count -= code_bits;

        if (code == clear_code) {
            code_bits = lzw->min_code_size + 1u;
            code_mask = (1u << code_bits) - 1u;
            next_code = end_code + 1u;
            previous = NO_CODE;
            continue;
        }
        if (code == end_code) {
            ended = 1;
            break;
        }
        if (previous == NO_CODE) {
            if (code > end_code) {
                lzw->fault_code = code;
                lzw->fault_next = next_code;
                fault = ART_LZW_LITERAL_EXPECTED;
                break;
            }
            out[pos++] = (uint8_t)code;
            previous = (int32_t)code;
            previous_first = code;
            continue;
        }
        uint32_t walk;
        if (code < next_code) {
            walk = code;
        } else if (code == next_code && code < ART_LZW_MAX_CODES) {
            stack[top++] = (uint8_t)previous_first;
            walk = (uint32_t)previous;
        } else {
            lzw->fault_code = code;
            lzw->fault_next = next_code;
            fault = ART_LZW_BEYOND_TABLE;
            break;
        }
        /* prefix[k] < k for every defined k, so the walk ends within the stack; the bound is a guard. */
        while (walk >= clear_code && top < ART_LZW_MAX_CODES) {
            stack[top++] = suffix[walk];
            walk = prefix[walk];
        }
        if (top == 0 && pos < end) out[pos++] = (uint8_t)walk;
        else if (top < ART_LZW_MAX_CODES) stack[top++] = (uint8_t)walk;
        if (next_code < ART_LZW_MAX_CODES) {
            prefix[next_code] = (uint16_t)previous;
            suffix[next_code] = (uint8_t)walk;
            next_code++;
            if (next_code > code_mask && code_bits < ART_LZW_MAX_CODE_BITS) {
                code_bits++;
                code_mask = (1u << code_bits) - 1u;
            }
        }
        previous = (int32_t)code;
        previous_first = walk;
    }
    /* The TS decoder throws before writing its locals back: a fault leaves the state as it was. */
    if (fault) return fault;
    lzw->stack_top = top;
    lzw->bit_buffer = bit_buffer;
    lzw->bit_count = bit_count;
    lzw->input_pos = input_pos;
    lzw->code_bits = code_bits;
    lzw->code_mask = code_mask;
    lzw->next_code = next_code;
    lzw->previous = previous;
    lzw->previous_first = previous_first;
    lzw->ended = ended;
    return (int32_t)pos;
}

int32_t art_palette(const uint8_t *table, uint32_t table_length, int32_t transparent, uint8_t *colours,
                    uint32_t colours_length) {
    if (colours_length < 256u * 4u) return ART_FAULT_RANGE;
    for (uint32_t i = 0; i < 256u; i++) {
        /* The TS twin reads past a short table as undefined, stored as 0. */
        const uint32_t p = i * 3u;
        colours[i * 4u] = p < table_length ? table[p] : 0;
        colours[i * 4u + 1u] = p + 1u < table_length ? table[p + 1u] : 0;
        colours[i * 4u + 2u] = p + 2u < table_length ? table[p + 2u] : 0;
        colours[i * 4u + 3u] = 255;
    }
    if (transparent >= 0 && transparent < 256) memset(colours + transparent * 4, 0, 4);
    return 0;
}

int32_t art_expand_indices(const uint8_t *indices, uint32_t indices_length, uint32_t count, const uint8_t *colours,
                           uint32_t colours_length, uint8_t *rgba, uint32_t rgba_length) {
    if (count > indices_length || (uint64_t)count * 4u > rgba_length || colours_length < 256u * 4u) return ART_FAULT_RANGE;
    for (uint32_t i = 0; i < count; i++) memcpy(rgba + (size_t)i * 4u, colours + (size_t)indices[i] * 4u, 4);
    return 0;
}

/* Straight-alpha "over" (src/art/compositor-kernels.ts blendOver), 0 < sa < 255. */
static inline void blend_over(uint8_t *d, const uint8_t *s, uint32_t sa) {
    const uint32_t da = d[3];
    const uint32_t dw = da * (255u - sa);
    const uint32_t sw = sa * 255u;
    const uint32_t total = sw + dw;
    const uint32_t half = total >> 1;
    d[0] = (uint8_t)((s[0] * sw + d[0] * dw + half) / total);
    d[1] = (uint8_t)((s[1] * sw + d[1] * dw + half) / total);
    d[2] = (uint8_t)((s[2] * sw + d[2] * dw + half) / total);
    d[3] = (uint8_t)((total + 127u) / 255u);
}

int32_t art_composite_row(uint8_t *canvas, uint32_t canvas_length, const uint8_t *source_x, uint32_t source_x_bytes,
                          const art_row_t *row, const uint8_t *rgba, uint32_t rgba_length) {
    if (row->c0 < 0 || row->c1 < row->c0 || (uint32_t)row->c1 > source_x_bytes / 2u || row->step < 1 || row->count < 0 ||
        row->row_base < 0)
        return ART_FAULT_RANGE;
    for (int32_t column = row->c0; column < row->c1; column++) {
        int32_t i = int16_at(source_x, (uint32_t)column) - row->first;
        if (i < 0) continue;
        if (row->step != 1) {
            if (i % row->step != 0) continue;
            i = i / row->step;
        }
        if (i >= row->count) break;
        const uint32_t s = (uint32_t)i * 4u;
        const uint32_t d = (uint32_t)row->row_base + (uint32_t)column * 4u;
        if (s + 4u > rgba_length || d + 4u > canvas_length) return ART_FAULT_RANGE;
        const uint32_t sa = rgba[s + 3];
        if (!row->over || sa == 255u) {
            memcpy(canvas + d, rgba + s, 4);
        } else if (sa != 0) {
            blend_over(canvas + d, rgba + s, sa);
        }
    }
    return 0;
}

int32_t art_render(uint8_t *target, uint32_t target_length, const uint8_t *canvas, uint32_t canvas_length,
                   const uint8_t *picture_column, uint32_t picture_column_bytes, const uint8_t *picture_row,
                   uint32_t picture_row_bytes, const art_render_t *render) {
    const int32_t left = render->left, top = render->top;
    const int32_t right = left + render->width, bottom = top + render->height;
    if (render->width < 0 || render->height < 0 || (uint32_t)render->width > picture_column_bytes / 2u ||
        (uint32_t)render->height > picture_row_bytes / 2u || render->row_bytes < 0)
        return ART_FAULT_RANGE;
    const uint32_t r = (render->background >> 16) & 255u;
    const uint32_t g = (render->background >> 8) & 255u;
    const uint32_t b = render->background & 255u;
    const int64_t step = (int64_t)render->step_x * 3;
    for (int32_t ly = 0; ly < render->logical_height; ly++) {
        const int64_t p0 = ((int64_t)render->origin + (int64_t)ly * render->step_y) * 3;
        /* p moves linearly along the row: both ends inside the target means every pixel is. */
        if (render->logical_width > 0) {
            const int64_t p_last = p0 + step * (render->logical_width - 1);
            if (p0 < 0 || p_last < 0 || p0 + 3 > (int64_t)target_length || p_last + 3 > (int64_t)target_length)
                return ART_FAULT_RANGE;
        }
        int64_t p = p0;
        const int inside = ly >= top && ly < bottom;
        const int64_t base = inside ? (int64_t)int16_at(picture_row, (uint32_t)(ly - top)) * render->row_bytes : 0;
        for (int32_t lx = 0; lx < render->logical_width; lx++, p += step) {
            uint8_t *t = target + p;
            if (!inside || lx < left || lx >= right) {
                t[0] = (uint8_t)r;
                t[1] = (uint8_t)g;
                t[2] = (uint8_t)b;
                continue;
            }
            const int64_t s = base + (int64_t)int16_at(picture_column, (uint32_t)(lx - left)) * 4;
            if (s < 0 || s + 4 > (int64_t)canvas_length) return ART_FAULT_RANGE;
            const uint8_t *c = canvas + s;
            const uint32_t a = c[3];
            if (a == 255u) {
                t[0] = c[0];
                t[1] = c[1];
                t[2] = c[2];
            } else if (a == 0) {
                t[0] = (uint8_t)r;
                t[1] = (uint8_t)g;
                t[2] = (uint8_t)b;
            } else {
                const uint32_t inverse = 255u - a;
                t[0] = (uint8_t)((c[0] * a + r * inverse + 127u) / 255u);
                t[1] = (uint8_t)((c[1] * a + g * inverse + 127u) / 255u);
                t[2] = (uint8_t)((c[2] * a + b * inverse + 127u) / 255u);
            }
        }
    }
    return 0;
}
