/* The C twins of src/art/webp-kernels.ts (see webp_kernels.h). Keep each in step with its twin. One file for
 * the one port (WebpKernels), as art_kernels.c is for GIF and the compositor: its length is the four kernels
 * written out (the intra predictor modes are most of it), not several concepts. */
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

/* One row of the pair: job->row and job->alpha_at name that row (the TS twin computes both rows at once, sharing
 * the chroma reads; here a row is cheap enough alone). */
static int32_t yuv_row(const uint8_t *y_plane, uint32_t y_length, const uint8_t *u_plane, uint32_t u_length,
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

int32_t webp_yuv_row_pair(const uint8_t *y_plane, uint32_t y_length, const uint8_t *u_plane, uint32_t u_length,
                          const uint8_t *v_plane, uint32_t v_length, const webp_yuv_row_t *job, const uint8_t *alpha,
                          uint32_t alpha_length, uint8_t *top, uint32_t top_length, uint8_t *bottom,
                          uint32_t bottom_length) {
    const int32_t row = job->row;
    if (job->height < 1 || row < -1 || row >= job->height || (row >= 0 && (row & 1) == 0) || job->width < 1 ||
        job->alpha_at < INT32_MIN + job->width || job->alpha_at > INT32_MAX - job->width)
        return ART_FAULT_RANGE;
    webp_yuv_row_t one = *job;
    if (row >= 0) {
        const int32_t fault = yuv_row(y_plane, y_length, u_plane, u_length, v_plane, v_length, &one, alpha,
                                      alpha_length, top, top_length);
        if (fault != 0) return fault;
    }
    if (row + 1 < job->height) {
        one.row = row + 1;
        one.alpha_at = job->alpha_at + job->width;
        return yuv_row(y_plane, y_length, u_plane, u_length, v_plane, v_length, &one, alpha, alpha_length, bottom,
                       bottom_length);
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

/* Modes as in src/art/webp-lossy-predict.ts (RFC 6386 §11). */
enum { DC_PRED = 0, V_PRED = 1, H_PRED = 2, B_PRED = 4 };
enum { B_DC_PRED = 0, B_TM_PRED, B_VE_PRED, B_HE_PRED, B_LD_PRED, B_RD_PRED, B_VR_PRED, B_VL_PRED, B_HD_PRED };

/* predictBlock: a size × size block at `at`; above[0] the corner, above[1..size] the row above. */
static void predict_block(uint8_t *plane, ptrdiff_t at, ptrdiff_t stride, int32_t size, int32_t mode, const uint8_t *above,
                          const uint8_t *left, int has_above, int has_left) {
    switch (mode) {
    case DC_PRED: {
        int32_t sum = 0, shift = size == 16 ? 3 : 2;
        if (has_above) {
            for (int32_t i = 1; i <= size; i++) sum += above[i];
            shift++;
        }
        if (has_left) {
            for (int32_t i = 0; i < size; i++) sum += left[i];
            shift++;
        }
        const int32_t value = has_above || has_left ? (sum + (1 << (shift - 1))) >> shift : 128;
        for (int32_t y = 0; y < size; y++) memset(plane + at + y * stride, value, (size_t)size);
        break;
    }
    case V_PRED:
        for (int32_t y = 0; y < size; y++) memcpy(plane + at + y * stride, above + 1, (size_t)size);
        break;
    case H_PRED:
        for (int32_t y = 0; y < size; y++) memset(plane + at + y * stride, left[y], (size_t)size);
        break;
    default: { /* TM_PRED: left + above - corner, clamped */
        const int32_t corner = above[0];
        for (int32_t y = 0; y < size; y++) {
            uint8_t *row = plane + at + y * stride;
            const int32_t base = left[y] - corner;
            for (int32_t x = 0; x < size; x++) row[x] = clamp_store(base + above[x + 1]);
        }
    }
    }
}

#define AVG3(x, y, z) ((uint8_t)(((x) + (y) + (y) + (z) + 2) >> 2))
#define AVG2(x, y) ((uint8_t)(((x) + (y) + 1) >> 1))

/* predictSubblock: luma subblock (bx, by) at `at`, edges from the plane and the macroblock's above / left. */
static void predict_subblock(uint8_t *plane, ptrdiff_t at, ptrdiff_t stride, int32_t mode, const uint8_t *above,
                             const uint8_t *left, int32_t bx, int32_t by) {
    uint8_t *r0 = plane + at, *r1 = r0 + stride, *r2 = r0 + 2 * stride, *r3 = r0 + 3 * stride;
    int32_t l0, l1, l2, l3, p, a0, a1, a2, a3, a4, a5, a6, a7;
    if (bx == 0) {
        l0 = left[by * 4];
        l1 = left[by * 4 + 1];
        l2 = left[by * 4 + 2];
        l3 = left[by * 4 + 3];
    } else {
        l0 = r0[-1];
        l1 = r1[-1];
        l2 = r2[-1];
        l3 = r3[-1];
    }
    if (by == 0) {
        const int32_t e = bx * 4;
        p = above[e];
        a0 = above[e + 1];
        a1 = above[e + 2];
        a2 = above[e + 3];
        a3 = above[e + 4];
        a4 = above[e + 5];
        a5 = above[e + 6];
        a6 = above[e + 7];
        a7 = above[e + 8];
    } else {
        const uint8_t *e = r0 - stride;
        p = bx == 0 ? left[by * 4 - 1] : e[-1];
        a0 = e[0];
        a1 = e[1];
        a2 = e[2];
        a3 = e[3];
        if (bx < 3) {
            a4 = e[4];
            a5 = e[5];
            a6 = e[6];
            a7 = e[7];
        } else {
            a4 = above[17];
            a5 = above[18];
            a6 = above[19];
            a7 = above[20];
        }
    }
    switch (mode) {
    case B_DC_PRED: {
        const int v = (a0 + a1 + a2 + a3 + l0 + l1 + l2 + l3 + 4) >> 3;
        memset(r0, v, 4);
        memset(r1, v, 4);
        memset(r2, v, 4);
        memset(r3, v, 4);
        break;
    }
    case B_TM_PRED: {
        uint8_t *rows[4] = {r0, r1, r2, r3};
        const int32_t ls[4] = {l0, l1, l2, l3};
        for (int y = 0; y < 4; y++) {
            const int32_t base = ls[y] - p;
            rows[y][0] = clamp_store(base + a0);
            rows[y][1] = clamp_store(base + a1);
            rows[y][2] = clamp_store(base + a2);
            rows[y][3] = clamp_store(base + a3);
        }
        break;
    }
    case B_VE_PRED: {
        const uint8_t v[4] = {AVG3(p, a0, a1), AVG3(a0, a1, a2), AVG3(a1, a2, a3), AVG3(a2, a3, a4)};
        memcpy(r0, v, 4);
        memcpy(r1, v, 4);
        memcpy(r2, v, 4);
        memcpy(r3, v, 4);
        break;
    }
    case B_HE_PRED:
        memset(r0, AVG3(p, l0, l1), 4);
        memset(r1, AVG3(l0, l1, l2), 4);
        memset(r2, AVG3(l1, l2, l3), 4);
        memset(r3, AVG3(l2, l3, l3), 4);
        break;
    case B_LD_PRED:
        r0[0] = AVG3(a0, a1, a2);
        r0[1] = r1[0] = AVG3(a1, a2, a3);
        r0[2] = r1[1] = r2[0] = AVG3(a2, a3, a4);
        r0[3] = r1[2] = r2[1] = r3[0] = AVG3(a3, a4, a5);
        r1[3] = r2[2] = r3[1] = AVG3(a4, a5, a6);
        r2[3] = r3[2] = AVG3(a5, a6, a7);
        r3[3] = AVG3(a6, a7, a7);
        break;
    case B_RD_PRED:
        r3[0] = AVG3(l3, l2, l1);
        r3[1] = r2[0] = AVG3(l2, l1, l0);
        r3[2] = r2[1] = r1[0] = AVG3(l1, l0, p);
        r3[3] = r2[2] = r1[1] = r0[0] = AVG3(l0, p, a0);
        r2[3] = r1[2] = r0[1] = AVG3(p, a0, a1);
        r1[3] = r0[2] = AVG3(a0, a1, a2);
        r0[3] = AVG3(a1, a2, a3);
        break;
    case B_VR_PRED:
        r3[0] = AVG3(l2, l1, l0);
        r2[0] = AVG3(l1, l0, p);
        r3[1] = r1[0] = AVG3(l0, p, a0);
        r2[1] = r0[0] = AVG2(p, a0);
        r3[2] = r1[1] = AVG3(p, a0, a1);
        r2[2] = r0[1] = AVG2(a0, a1);
        r3[3] = r1[2] = AVG3(a0, a1, a2);
        r2[3] = r0[2] = AVG2(a1, a2);
        r1[3] = AVG3(a1, a2, a3);
        r0[3] = AVG2(a2, a3);
        break;
    case B_VL_PRED:
        r0[0] = AVG2(a0, a1);
        r1[0] = AVG3(a0, a1, a2);
        r2[0] = r0[1] = AVG2(a1, a2);
        r1[1] = r3[0] = AVG3(a1, a2, a3);
        r2[1] = r0[2] = AVG2(a2, a3);
        r3[1] = r1[2] = AVG3(a2, a3, a4);
        r2[2] = r0[3] = AVG2(a3, a4);
        r3[2] = r1[3] = AVG3(a3, a4, a5);
        r2[3] = AVG3(a4, a5, a6);
        r3[3] = AVG3(a5, a6, a7);
        break;
    case B_HD_PRED:
        r3[0] = AVG2(l3, l2);
        r3[1] = AVG3(l3, l2, l1);
        r2[0] = r3[2] = AVG2(l2, l1);
        r2[1] = r3[3] = AVG3(l2, l1, l0);
        r2[2] = r1[0] = AVG2(l1, l0);
        r2[3] = r1[1] = AVG3(l1, l0, p);
        r1[2] = r0[0] = AVG2(l0, p);
        r1[3] = r0[1] = AVG3(l0, p, a0);
        r0[2] = AVG3(p, a0, a1);
        r0[3] = AVG3(a0, a1, a2);
        break;
    default: /* B_HU_PRED */
        r0[0] = AVG2(l0, l1);
        r0[1] = AVG3(l0, l1, l2);
        r0[2] = r1[0] = AVG2(l1, l2);
        r0[3] = r1[1] = AVG3(l1, l2, l3);
        r1[2] = r2[0] = AVG2(l2, l3);
        r1[3] = r2[1] = AVG3(l2, l3, l3);
        r2[2] = r2[3] = r3[0] = r3[1] = r3[2] = r3[3] = (uint8_t)l3;
    }
}

#define SQRT2_COS 20091 /* cos(π/8)·√2 − 1, in 1/65536 */
#define SQRT2_SIN 35468 /* sin(π/8)·√2, in 1/65536 */

/* JavaScript's (a * k) >> 16: the product exact, then taken modulo 2^32 as an int32 before the shift. */
static inline int32_t mul_shift16(int32_t a, int32_t k) {
    const uint32_t wrapped = (uint32_t)((uint64_t)((int64_t)a * k));
    const int32_t value = (int32_t)wrapped;
    return value >> 16;
}

static inline int16_t coefficient(const uint8_t *coeffs, uint32_t index) {
    int16_t value;
    memcpy(&value, coeffs + (size_t)index * 2u, 2);
    return value;
}

/* addRow: one row of the horizontal pass, added to the plane (clamped). */
static inline void add_row(uint8_t *row, int32_t c0, int32_t c1, int32_t c2, int32_t c3) {
    const int32_t a = c0 + c2, b = c0 - c2;
    const int32_t c = mul_shift16(c1, SQRT2_SIN) - (c3 + mul_shift16(c3, SQRT2_COS));
    const int32_t d = c1 + mul_shift16(c1, SQRT2_COS) + mul_shift16(c3, SQRT2_SIN);
    row[0] = clamp_store(row[0] + ((a + d + 4) >> 3));
    row[1] = clamp_store(row[1] + ((b + c + 4) >> 3));
    row[2] = clamp_store(row[2] + ((b - c + 4) >> 3));
    row[3] = clamp_store(row[3] + ((a - d + 4) >> 3));
}

/* addInverseDct: the inverse DCT of coeffs[from .. from + 16) added to the 4×4 block at `block`. */
static void add_inverse_dct(const uint8_t *coeffs, uint32_t from, uint8_t *block, ptrdiff_t stride) {
    int32_t t[4][4];
    for (uint32_t column = 0; column < 4; column++) {
        const int32_t c0 = coefficient(coeffs, from + column), c1 = coefficient(coeffs, from + 4 + column);
        const int32_t c2 = coefficient(coeffs, from + 8 + column), c3 = coefficient(coeffs, from + 12 + column);
        const int32_t a = c0 + c2, b = c0 - c2;
        const int32_t c = mul_shift16(c1, SQRT2_SIN) - (c3 + mul_shift16(c3, SQRT2_COS));
        const int32_t d = c1 + mul_shift16(c1, SQRT2_COS) + mul_shift16(c3, SQRT2_SIN);
        t[0][column] = a + d;
        t[1][column] = b + c;
        t[2][column] = b - c;
        t[3][column] = a - d;
    }
    for (int y = 0; y < 4; y++) add_row(block + y * stride, t[y][0], t[y][1], t[y][2], t[y][3]);
}

static void add_residue(const uint8_t *coeffs, uint32_t from, uint8_t *block, ptrdiff_t stride, int has_ac) {
    if (has_ac) {
        add_inverse_dct(coeffs, from, block, stride);
        return;
    }
    const int32_t dc = coefficient(coeffs, from);
    if (dc == 0) return;
    const int32_t value = (dc + 4) >> 3;
    for (int y = 0; y < 4; y++)
        for (int x = 0; x < 4; x++) block[y * stride + x] = clamp_store(block[y * stride + x] + value);
}

/* gatherEdges: 127 above the frame, 129 left of it. */
static void gather_edges(const uint8_t *plane, ptrdiff_t stride, int32_t mb_wide, int32_t mbx, int32_t mby, int32_t size,
                         int luma, uint8_t *above, uint8_t *left) {
    const ptrdiff_t x0 = (ptrdiff_t)mbx * size, y0 = (ptrdiff_t)mby * size;
    if (mby == 0) {
        memset(above, 127, (size_t)(size + 1 + (luma ? 4 : 0)));
    } else {
        const uint8_t *row = plane + (y0 - 1) * stride;
        above[0] = mbx == 0 ? 129 : row[x0 - 1];
        memcpy(above + 1, row + x0, (size_t)size);
        if (luma) {
            const int last = mbx == mb_wide - 1;
            for (int i = 0; i < 4; i++) above[17 + i] = last ? row[x0 + 15] : row[x0 + 16 + i];
        }
    }
    if (mbx == 0) memset(left, 129, (size_t)size);
    else
        for (int32_t i = 0; i < size; i++) left[i] = plane[(y0 + i) * stride + x0 - 1];
}

int32_t webp_reconstruct(uint8_t *y_plane, uint32_t y_length, uint8_t *u_plane, uint32_t u_length, uint8_t *v_plane,
                         uint32_t v_length, const webp_macroblock_t *job, const uint8_t *sub_modes,
                         uint32_t sub_modes_length, const uint8_t *coeffs, uint32_t coeffs_length,
                         const uint8_t *block_ac, uint32_t block_ac_length) {
    const int32_t mb_wide = job->mb_wide, mbx = job->mbx, mby = job->mby;
    /* Every pixel read or written lies in this macroblock, the row above it and the column left of it. */
    if (mb_wide < 1 || mbx < 0 || mbx >= mb_wide || mby < 0 || job->y_stride < mb_wide * 16 ||
        job->uv_stride < mb_wide * 8 || (uint64_t)(mby + 1) * 16u * (uint64_t)job->y_stride > y_length ||
        (uint64_t)(mby + 1) * 8u * (uint64_t)job->uv_stride > u_length ||
        (uint64_t)(mby + 1) * 8u * (uint64_t)job->uv_stride > v_length || sub_modes_length < 16u ||
        coeffs_length < 25u * 16u * 2u || block_ac_length < 24u)
        return ART_FAULT_RANGE;
    uint8_t above[21], left[16];
    const ptrdiff_t ys = job->y_stride, cs = job->uv_stride;
    const ptrdiff_t y_at = (ptrdiff_t)mby * 16 * ys + (ptrdiff_t)mbx * 16;
    gather_edges(y_plane, ys, mb_wide, mbx, mby, 16, 1, above, left);
    if (job->y_mode == B_PRED) {
        for (uint32_t b = 0; b < 16; b++) {
            const int32_t bx = (int32_t)(b & 3), by = (int32_t)(b >> 2);
            const ptrdiff_t at = y_at + by * 4 * ys + bx * 4;
            predict_subblock(y_plane, at, ys, sub_modes[b], above, left, bx, by);
            add_residue(coeffs, b * 16u, y_plane + at, ys, block_ac[b] == 1);
        }
    } else {
        predict_block(y_plane, y_at, ys, 16, job->y_mode, above, left, mby > 0, mbx > 0);
        for (uint32_t b = 0; b < 16; b++)
            add_residue(coeffs, b * 16u, y_plane + y_at + (ptrdiff_t)(b >> 2) * 4 * ys + (ptrdiff_t)(b & 3) * 4, ys,
                        block_ac[b] == 1);
    }
    const ptrdiff_t c_at = (ptrdiff_t)mby * 8 * cs + (ptrdiff_t)mbx * 8;
    for (uint32_t plane = 0; plane < 2; plane++) {
        uint8_t *target = plane == 0 ? u_plane : v_plane;
        gather_edges(target, cs, mb_wide, mbx, mby, 8, 0, above, left);
        predict_block(target, c_at, cs, 8, job->uv_mode, above, left, mby > 0, mbx > 0);
        const uint32_t base = plane == 0 ? 16u * 16u : 20u * 16u;
        for (uint32_t b = 0; b < 4; b++)
            add_residue(coeffs, base + b * 16u, target + c_at + (ptrdiff_t)(b >> 1) * 4 * cs + (ptrdiff_t)(b & 1) * 4, cs,
                        block_ac[16 + plane * 4 + b] == 1);
    }
    return 0;
}
