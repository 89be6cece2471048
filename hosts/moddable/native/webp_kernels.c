/* The C twins of src/art/webp-kernels.ts (see webp_kernels.h). Keep each in step with its twin. */
#include <stddef.h>
#include <string.h>

#include "webp_kernels.h"

/* An int32 from a typed array's bytes, host byte order (what Int32Array holds). */
static inline uint32_t word_at(const uint8_t *bytes, uint32_t index) {
    uint32_t value;
    memcpy(&value, bytes + (size_t)index * 4u, 4);
    return value;
}

static int row_in_range(uint32_t argb_length, int32_t at, int32_t width, uint32_t rgba_length) {
    return at >= 0 && width >= 0 && ((uint64_t)at + (uint64_t)width) * 4u <= argb_length &&
           (uint64_t)width * 4u <= rgba_length;
}

int32_t webp_argb_row(const uint8_t *argb, uint32_t argb_length, int32_t at, int32_t width, uint8_t *rgba,
                      uint32_t rgba_length) {
    if (!row_in_range(argb_length, at, width, rgba_length)) return ART_FAULT_RANGE;
    for (uint32_t x = 0; x < (uint32_t)width; x++) {
        const uint32_t pixel = word_at(argb, (uint32_t)at + x);
        uint8_t *out = rgba + (size_t)x * 4u;
        out[0] = (uint8_t)(pixel >> 16);
        out[1] = (uint8_t)(pixel >> 8);
        out[2] = (uint8_t)pixel;
        out[3] = (uint8_t)(pixel >> 24);
    }
    return 0;
}

int32_t webp_palette_row(const uint8_t *argb, uint32_t argb_length, int32_t at, int32_t width, const uint8_t *palette,
                         uint32_t palette_length, uint8_t *rgba, uint32_t rgba_length) {
    if (!row_in_range(argb_length, at, width, rgba_length) || palette_length < 256u * 4u) return ART_FAULT_RANGE;
    for (uint32_t x = 0; x < (uint32_t)width; x++) {
        const uint32_t index = (word_at(argb, (uint32_t)at + x) >> 8) & 0xffu;
        memcpy(rgba + (size_t)x * 4u, palette + (size_t)index * 4u, 4);
    }
    return 0;
}

/* (v < 0 ? 0 : v >= 16384 ? 255 : v >> 6), the TS twin's clamp of a 14-bit fixed-point channel. */
static inline uint8_t channel(int32_t v) {
    return v < 0 ? 0 : v >= 16384 ? 255 : (uint8_t)(v >> 6);
}

static inline void yuv_pixel(uint8_t *out, int32_t luma_sample, int32_t u, int32_t v, uint8_t a) {
    const int32_t luma = (luma_sample * 19077) >> 8;
    out[0] = channel(luma + ((v * 26149) >> 8) - 14234);
    out[1] = channel(luma - ((u * 6419) >> 8) - ((v * 13320) >> 8) + 8708);
    out[2] = channel(luma + ((u * 33050) >> 8) - 17685);
    out[3] = a;
}

static inline uint8_t alpha_of(const uint8_t *alpha, const webp_yuv_row_t *job, uint32_t x) {
    if (job->alpha_bytes == 0) return 255;
    const uint32_t index = (uint32_t)job->alpha_at + x;
    const uint32_t value = job->alpha_bytes == 1 ? alpha[index] : word_at(alpha, index);
    return (uint8_t)(value >> job->alpha_shift);
}

int32_t webp_yuv_row(const uint8_t *y_plane, uint32_t y_length, const uint8_t *u_plane, uint32_t u_length,
                     const uint8_t *v_plane, uint32_t v_length, const webp_yuv_row_t *job, const uint8_t *alpha,
                     uint32_t alpha_length, uint8_t *rgba, uint32_t rgba_length) {
    const int32_t width = job->width, height = job->height, row = job->row;
    if (width < 1 || height < 1 || row < 0 || row >= height || job->y_stride < width || job->uv_stride < (width + 1) / 2 ||
        (uint64_t)width * 4u > rgba_length)
        return ART_FAULT_RANGE;
    const int32_t chroma_height = (height + 1) >> 1;
    const int32_t last_column = ((width + 1) >> 1) - 1;
    const int32_t near = row >> 1;
    int32_t other = row & 1 ? near + 1 : near - 1;
    if (other < 0) other = 0;
    if (other >= chroma_height) other = chroma_height - 1;
    const uint64_t near_row = (uint64_t)near * (uint64_t)job->uv_stride;
    const uint64_t other_row = (uint64_t)other * (uint64_t)job->uv_stride;
    const uint64_t luma_row = (uint64_t)row * (uint64_t)job->y_stride;
    const uint64_t chroma_end = (near_row > other_row ? near_row : other_row) + (uint64_t)last_column + 1u;
    if (luma_row + (uint64_t)width > y_length || chroma_end > u_length || chroma_end > v_length) return ART_FAULT_RANGE;
    if (job->alpha_bytes != 0) {
        if ((job->alpha_bytes != 1 && job->alpha_bytes != 4) || job->alpha_at < 0 || job->alpha_shift < 0 ||
            job->alpha_shift > 24 || ((uint64_t)job->alpha_at + (uint64_t)width) * (uint64_t)job->alpha_bytes > alpha_length)
            return ART_FAULT_RANGE;
    }
    const uint8_t *un_row = u_plane + near_row, *uo_row = u_plane + other_row;
    const uint8_t *vn_row = v_plane + near_row, *vo_row = v_plane + other_row;
    const uint8_t *luma = y_plane + luma_row;
    /* Columns j - 1, j, j + 1 of the near (n) and other (o) chroma rows; left of column 0 is column 0. */
    int32_t un_prev = un_row[0], un = un_prev, uo_prev = uo_row[0], uo = uo_prev;
    int32_t vn_prev = vn_row[0], vn = vn_prev, vo_prev = vo_row[0], vo = vo_prev;
    for (int32_t j = 0, x = 0; x < width; j++, x += 2) {
        const int32_t next = j < last_column ? j + 1 : last_column;
        const int32_t un_next = un_row[next], uo_next = uo_row[next], vn_next = vn_row[next], vo_next = vo_row[next];
        const int32_t u_common = un + 3 * uo + 8;
        const int32_t v_common = vn + 3 * vo + 8;
        int32_t u = (((u_common + 3 * un_prev + uo_prev) >> 3) + un) >> 1;
        int32_t v = (((v_common + 3 * vn_prev + vo_prev) >> 3) + vn) >> 1;
        yuv_pixel(rgba + (size_t)x * 4u, luma[x], u, v, alpha_of(alpha, job, (uint32_t)x));
        if (x + 1 < width) {
            u = (((u_common + 3 * un_next + uo_next) >> 3) + un) >> 1;
            v = (((v_common + 3 * vn_next + vo_next) >> 3) + vn) >> 1;
            yuv_pixel(rgba + (size_t)(x + 1) * 4u, luma[x + 1], u, v, alpha_of(alpha, job, (uint32_t)x + 1u));
        }
        un_prev = un;
        un = un_next;
        uo_prev = uo;
        uo = uo_next;
        vn_prev = vn;
        vn = vn_next;
        vo_prev = vo;
        vo = vo_next;
    }
    return 0;
}

/* What a Uint8ClampedArray store does to an integer. */
static inline uint8_t clamp_store(int32_t v) {
    return v < 0 ? 0 : v > 255 ? 255 : (uint8_t)v;
}

static inline int32_t clamp_signed(int32_t v) {
    return v < -128 ? -128 : v > 127 ? 127 : v;
}

static inline int32_t absolute(int32_t v) {
    return v < 0 ? -v : v;
}

/* filterSimpleEdge. Offsets are signed: the taps before the edge lie at negative steps. */
static void simple_edge(uint8_t *plane, ptrdiff_t at, ptrdiff_t step, ptrdiff_t along, int32_t count, int32_t limit) {
    for (int32_t i = 0; i < count; i++, at += along) {
        uint8_t *q = plane + at;
        const int32_t p1 = q[-2 * step], p0 = q[-step], q0 = q[0], q1 = q[step];
        const int32_t outer = p1 - q1;
        if (absolute(p0 - q0) * 2 + (absolute(outer) >> 1) > limit) continue;
        const int32_t a = clamp_signed(3 * (q0 - p0) + clamp_signed(outer));
        q[-step] = clamp_store(p0 + ((a + 3 > 127 ? 127 : a + 3) >> 3));
        q[0] = clamp_store(q0 - ((a + 4 > 127 ? 127 : a + 4) >> 3));
    }
}

/* filterNormalEdge. */
static void normal_edge(uint8_t *plane, ptrdiff_t at, ptrdiff_t step, ptrdiff_t along, int32_t count, int32_t edge_limit,
                        int32_t interior, int32_t hev_threshold, int macroblock_edge) {
    for (int32_t i = 0; i < count; i++, at += along) {
        uint8_t *q = plane + at;
        const int32_t p1 = q[-2 * step], p0 = q[-step], q0 = q[0], q1 = q[step];
        const int32_t outer = p1 - q1;
        if (absolute(p0 - q0) * 2 + (absolute(outer) >> 1) > edge_limit) continue;
        const int32_t p1p0 = absolute(p1 - p0);
        if (p1p0 > interior) continue;
        const int32_t q1q0 = absolute(q1 - q0);
        if (q1q0 > interior) continue;
        const int32_t p2 = q[-3 * step];
        if (absolute(p2 - p1) > interior) continue;
        const int32_t q2 = q[2 * step];
        if (absolute(q2 - q1) > interior) continue;
        if (absolute(q[-4 * step] - p2) > interior) continue;
        if (absolute(q[3 * step] - q2) > interior) continue;
        const int high_variance = p1p0 > hev_threshold || q1q0 > hev_threshold;
        if (macroblock_edge && !high_variance) {
            const int32_t w = clamp_signed(3 * (q0 - p0) + clamp_signed(outer));
            int32_t a = (27 * w + 63) >> 7;
            q[-step] = clamp_store(p0 + a);
            q[0] = clamp_store(q0 - a);
            a = (18 * w + 63) >> 7;
            q[-2 * step] = clamp_store(p1 + a);
            q[step] = clamp_store(q1 - a);
            a = (9 * w + 63) >> 7;
            q[-3 * step] = clamp_store(p2 + a);
            q[2 * step] = clamp_store(q2 - a);
            continue;
        }
        int32_t a = 3 * (q0 - p0);
        if (high_variance) a += clamp_signed(outer);
        a = clamp_signed(a);
        const int32_t f1 = (a + 4 > 127 ? 127 : a + 4) >> 3;
        q[-step] = clamp_store(p0 + ((a + 3 > 127 ? 127 : a + 3) >> 3));
        q[0] = clamp_store(q0 - f1);
        if (!high_variance) {
            const int32_t a2 = (f1 + 1) >> 1;
            q[-2 * step] = clamp_store(p1 + a2);
            q[step] = clamp_store(q1 - a2);
        }
    }
}

int32_t webp_filter_row(uint8_t *y_plane, uint32_t y_length, uint8_t *u_plane, uint32_t u_length, uint8_t *v_plane,
                        uint32_t v_length, const webp_filter_row_t *job, const uint8_t *levels, uint32_t levels_length,
                        const uint8_t *inner, uint32_t inner_length) {
    const int32_t mb_wide = job->mb_wide, mby = job->mby, sharpness = job->sharpness;
    /* Every tap lies in this macroblock row or the 4 pixel rows above it (none above row 0). */
    if (mb_wide < 1 || mby < 0 || job->y_stride < mb_wide * 16 || job->uv_stride < mb_wide * 8 ||
        (uint64_t)(mby + 1) * 16u * (uint64_t)job->y_stride > y_length ||
        (uint64_t)(mby + 1) * 8u * (uint64_t)job->uv_stride > u_length ||
        (uint64_t)(mby + 1) * 8u * (uint64_t)job->uv_stride > v_length ||
        (uint64_t)(mby + 1) * (uint64_t)mb_wide > levels_length || (uint64_t)(mby + 1) * (uint64_t)mb_wide > inner_length)
        return ART_FAULT_RANGE;
    const ptrdiff_t ys = job->y_stride, cs = job->uv_stride;
    for (int32_t mbx = 0; mbx < mb_wide; mbx++) {
        const uint32_t mb = (uint32_t)(mby * mb_wide + mbx);
        const int32_t level = levels[mb];
        int32_t interior = level;
        if (sharpness > 0) {
            interior >>= sharpness > 4 ? 2 : 1;
            if (interior > 9 - sharpness) interior = 9 - sharpness;
        }
        if (interior < 1) interior = 1;
        const int32_t hev_threshold = level >= 40 ? 2 : level >= 15 ? 1 : 0;
        const int is_inner = inner[mb] == 1;
        /* filterMacroblock */
        if (level == 0) continue;
        const ptrdiff_t y0 = (ptrdiff_t)mby * 16 * ys + (ptrdiff_t)mbx * 16;
        const int32_t mb_limit = (level + 2) * 2 + interior;
        const int32_t sub_limit = level * 2 + interior;
        if (job->simple) {
            if (mbx > 0) simple_edge(y_plane, y0, 1, ys, 16, mb_limit);
            if (is_inner)
                for (int32_t x = 4; x < 16; x += 4) simple_edge(y_plane, y0 + x, 1, ys, 16, sub_limit);
            if (mby > 0) simple_edge(y_plane, y0, ys, 1, 16, mb_limit);
            if (is_inner)
                for (int32_t y = 4; y < 16; y += 4) simple_edge(y_plane, y0 + y * ys, ys, 1, 16, sub_limit);
            continue;
        }
        const ptrdiff_t c0 = (ptrdiff_t)mby * 8 * cs + (ptrdiff_t)mbx * 8;
        if (mbx > 0) {
            normal_edge(y_plane, y0, 1, ys, 16, mb_limit, interior, hev_threshold, 1);
            normal_edge(u_plane, c0, 1, cs, 8, mb_limit, interior, hev_threshold, 1);
            normal_edge(v_plane, c0, 1, cs, 8, mb_limit, interior, hev_threshold, 1);
        }
        if (is_inner) {
            for (int32_t x = 4; x < 16; x += 4) normal_edge(y_plane, y0 + x, 1, ys, 16, sub_limit, interior, hev_threshold, 0);
            normal_edge(u_plane, c0 + 4, 1, cs, 8, sub_limit, interior, hev_threshold, 0);
            normal_edge(v_plane, c0 + 4, 1, cs, 8, sub_limit, interior, hev_threshold, 0);
        }
        if (mby > 0) {
            normal_edge(y_plane, y0, ys, 1, 16, mb_limit, interior, hev_threshold, 1);
            normal_edge(u_plane, c0, cs, 1, 8, mb_limit, interior, hev_threshold, 1);
            normal_edge(v_plane, c0, cs, 1, 8, mb_limit, interior, hev_threshold, 1);
        }
        if (is_inner) {
            for (int32_t y = 4; y < 16; y += 4)
                normal_edge(y_plane, y0 + y * ys, ys, 1, 16, sub_limit, interior, hev_threshold, 0);
            normal_edge(u_plane, c0 + 4 * cs, cs, 1, 8, sub_limit, interior, hev_threshold, 0);
            normal_edge(v_plane, c0 + 4 * cs, cs, 1, 8, sub_limit, interior, hev_threshold, 0);
        }
    }
    return 0;
}
