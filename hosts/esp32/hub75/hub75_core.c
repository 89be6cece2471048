/*
 * HUB75 bit-plane core (see hub75_core.h and docs/hub75.md).
 *
 * Timing model, per address row r and bit plane k (k = 0 .. depth-1):
 *   data record  shift_words words: plane k of the pixels that address drives, OE off while it
 *                shifts, LAT on the last word (last 3 for the DP3246)
 *   display slot blank_words + 2 * N * 2^k words: dark, then the last 2 * n * 2^k lit, where N is the
 *                LSB unit count at 100 % and n <= N the count for the current brightness; the dark head
 *                is the latch blanking, so the frame buffer stores colour data only
 * Every LED is therefore lit for exactly level * 2n clocks per refresh: binary weights are exact at
 * every brightness, and the refresh rate does not depend on brightness.
 *
 * The slots carry no pixel data, only the row address and OE, so they come from a small per-row idle
 * buffer [P + blank words OE off][P words OE on]: a descriptor starting at offset P + blank - dark shows
 * `dark` dark words then its remaining words lit. A slot's first chunk is up to P + blank words (its
 * dark head is the latch blanking), the others up to P: a long slot is several descriptors pointing
 * into the same buffer. This is the descriptor reuse that keeps DMA memory small: weighted time costs
 * descriptors (12 bytes each), not copies of the data.
 *
 * (Over 400 lines: the plan, the brightness levels, the frame encoders, the swap done from the interrupt
 * and the chips' set-up writes all read the one hub75_plan_t; the ESP-IDF component and both host test
 * builds compile this single file, with no private header to keep in step.)
 */
#include "hub75_core.h"

#include <math.h>
#include <string.h>

#if defined(__GNUC__)
#define HUB75_FENCE() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#else
#define HUB75_FENCE() ((void)0)
#endif

#define DEFAULT_CLOCK_HZ 20000000u
#define DEFAULT_LSB_UNITS 4u
#define DEFAULT_GAMMA_X100 220u
/* Dithering works in 1/16 level steps (4 fractional bits): the 4x4 ordered pattern has 16 thresholds. */
#define DITHER_BITS 4u
#define DITHER_STEPS (1u << DITHER_BITS)

/* Applies the documented defaults for fields left at 0. */
static hub75_config_t with_defaults(const hub75_config_t *in) {
    hub75_config_t c = *in;
    if (c.scan == 0) c.scan = (uint8_t)(c.panel_height / 2u);
    if (c.chain_rows == 0) c.chain_rows = 1;
    if (c.row_change_blank == 0) c.row_change_blank = 1;
    if (c.clock_hz == 0) c.clock_hz = DEFAULT_CLOCK_HZ;
    if (c.latch_blanking == 0) c.latch_blanking = 1;
    if (c.lsb_units == 0) c.lsb_units = DEFAULT_LSB_UNITS;
    if (c.brightness_ceiling == 0) c.brightness_ceiling = 100;
    if (c.gamma_x100 == 0) c.gamma_x100 = DEFAULT_GAMMA_X100;
    return c;
}

const char *hub75_config_error(const hub75_config_t *config) {
    if (config == NULL) return "no configuration";
    hub75_config_t c = with_defaults(config);
    if (c.panel_width < 8 || c.panel_width > 256 || (c.panel_width & 1u))
        return "panel_width must be an even number from 8 to 256";
    if (c.chain < 1 || c.chain > 16) return "chain must be 1 to 16 panels";
    if (c.panel_height != 16 && c.panel_height != 32 && c.panel_height != 64)
        return "panel_height must be 16, 32 or 64";
    if ((c.scan != 4 && c.scan != 8 && c.scan != 16 && c.scan != 32) || c.scan * 2u > c.panel_height ||
        c.panel_height / (2u * c.scan) > 4)
        return "scan must be 4, 8, 16 or 32 address rows, from panel_height / 8 to panel_height / 2";
    if (c.layout > HUB75_LAYOUT_ZIGZAG) return "layout must be row, serpentine or zigzag";
    if (c.chain_rows > c.chain || c.chain % c.chain_rows)
        return "chain_rows must divide chain (rows of panels in the grid)";
    if (c.layout == HUB75_LAYOUT_ROW && c.chain_rows != 1) return "a row layout has chain_rows 1";
    /* The data record of one plane is one descriptor: shift words + blanking <= 2046 words. */
    if ((uint32_t)c.panel_width * c.chain * (c.panel_height / (2u * c.scan)) > 2040)
        return "panel_width * chain * (panel_height / (2 * scan)) must be at most 2040";
    if (c.row_change_blank + hub75_driver_latch_words(c.driver) > (uint32_t)c.panel_width * c.chain)
        return "row_change_blank and the latch must fit in one shift";
    if (c.depth < HUB75_MIN_DEPTH || c.depth > HUB75_MAX_DEPTH) return "depth must be 4 to 8 bits";
    if (c.clock_hz < 1000000u || c.clock_hz > 40000000u) return "clock_hz must be 1 to 40 MHz";
    if (c.latch_blanking > 4) return "latch_blanking must be 1 to 4";
    if (c.row_change_blank > 8) return "row_change_blank must be 1 to 8";
    if (c.clock_source_hz != 0 &&
        (c.clock_source_hz < 2u * 1000000u || c.clock_source_hz > 320000000u ||
         (c.clock_source_hz + c.clock_hz - 1u) / c.clock_hz > 255u))
        return "clock_source_hz must be 2 to 320 MHz and at most 255 times clock_hz";
    if (c.lsb_units > HUB75_MAX_LSB_UNITS) return "lsb_units must be 1 to 16";
    if (c.brightness_ceiling > 100) return "brightness_ceiling must be 1 to 100";
    if (c.curve > HUB75_CURVE_LINEAR) return "curve must be cie1931, gamma or linear";
    if (c.gamma_x100 < 100 || c.gamma_x100 > 400) return "gamma must be 1.0 to 4.0";
    if (c.driver > HUB75_DRIVER_LAST) return "driver must be shiftreg, fm6126a, icn2038s, fm6124, mbi5124 or dp3246";
    if (c.double_buffer > 1 || c.swap_halfwords > 1 || c.clock_phase > 1) return "flags must be 0 or 1";
    if (c.dither > 1) return "dither must be 0 or 1";
    if (c.pad_words != 0 && (c.pad_words < 2 || c.pad_words > HUB75_DESC_MAX_WORDS || (c.pad_words & 1u)))
        return "pad_words must be an even number from 2 to 2046";
    return NULL;
}

/* Idle-run descriptors a slot needs: the first takes up to pad + blank words, the others pad. */
static uint32_t chunks_for(uint32_t slot, uint32_t pad, uint32_t blank) {
    return slot <= pad + blank ? 1u : 1u + (slot - pad - blank + pad - 1u) / pad;
}
static uint32_t idle_words_per_row(const hub75_plan_t *p) { return 2u * p->pad_words + p->blank_words; }

/* Fills the pad-dependent fields; returns the DMA bytes this pad size costs (pads + descriptors). */
static uint32_t plan_with_pad(hub75_plan_t *p, uint32_t pad) {
    uint32_t per_row = p->depth;
    for (unsigned k = 0; k < p->depth; k++) {
        p->plane_desc[k] = (uint16_t)(per_row - p->depth + k);
        p->slot_chunks[k] = (uint16_t)chunks_for(p->slot_words[k], pad, p->blank_words);
        per_row += p->slot_chunks[k];
    }
    p->pad_words = (uint16_t)pad;
    p->descs_per_row = per_row;
    p->desc_count = per_row * p->rows + 1u;
    p->pad_bytes = p->rows * idle_words_per_row(p) * 2u;
    p->desc_bytes = p->desc_count * HUB75_TARGET_DESC_BYTES;
    return p->pad_bytes + p->desc_bytes;
}

size_t hub75_runs(const hub75_config_t *config, hub75_run_t *runs) {
    if (runs == NULL || hub75_config_error(config) != NULL) return 0;
    const hub75_config_t c = with_defaults(config);
    const int32_t pw = c.panel_width, ph = c.panel_height, scan = c.scan;
    const int32_t cols = c.chain / c.chain_rows, frame_width = pw * cols;
    const int32_t sub_rows = ph / (2 * scan);
    size_t n = 0;
    for (int32_t p = 0; p < c.chain; p++) {
        const int32_t grid_row = p / cols;
        const int flipped = c.layout == HUB75_LAYOUT_SERPENTINE && (grid_row & 1);
        const int32_t grid_col = flipped ? cols - 1 - p % cols : p % cols;
        const int32_t x0 = grid_col * pw, y0 = grid_row * ph;
        /* Within a panel's stretch of the shift register, block b (in shift order) drives the pixel rows
         * address + j * scan of each half, with j = sub_rows - 1 - b. */
        for (int32_t b = 0; b < sub_rows; b++, n++) {
            const int32_t j = sub_rows - 1 - b;
            hub75_run_t *run = &runs[n];
            run->start = (uint16_t)((p * sub_rows + b) * pw);
            run->length = (uint16_t)pw;
            if (!flipped) {
                run->base = ((y0 + j * scan) * frame_width + x0) * 3;
                run->col_step = 3;
                run->row_step = frame_width * 3;
            } else {
                /* Upside down: panel pixel (x, y) is frame pixel (x0 + pw - 1 - x, y0 + ph - 1 - y). */
                run->base = ((y0 + ph - 1 - j * scan) * frame_width + x0 + pw - 1) * 3;
                run->col_step = -3;
                run->row_step = -frame_width * 3;
            }
            run->half = run->row_step * (ph / 2);
        }
    }
    return n;
}

hub75_status_t hub75_plan(const hub75_config_t *config, hub75_plan_t *plan) {
    if (plan == NULL || hub75_config_error(config) != NULL) return HUB75_ERR_CONFIG;
    hub75_config_t c = with_defaults(config);
    hub75_plan_t p;
    memset(&p, 0, sizeof p);
    p.width = (uint16_t)(c.panel_width * (c.chain / c.chain_rows));
    p.height = (uint16_t)(c.panel_height * c.chain_rows);
    p.sub_rows = (uint8_t)(c.panel_height / (2u * c.scan));
    p.shift_words = (uint16_t)(c.panel_width * c.chain * p.sub_rows);
    p.run_count = (uint8_t)(c.chain * p.sub_rows);
    p.rows = c.scan;
    p.depth = c.depth;
    p.lsb_units = c.lsb_units;
    p.buffers = (uint8_t)(c.double_buffer ? 2 : 1);
    p.swap_halfwords = c.swap_halfwords;
    p.latch_words = hub75_driver_latch_words(c.driver);
    p.row_change_blank = c.row_change_blank;
    if (c.clock_source_hz) {
        /* Integer divider, at least 2, rounded up: never faster than asked for. */
        uint32_t divider = (c.clock_source_hz + c.clock_hz - 1u) / c.clock_hz;
        if (divider < 2) divider = 2;
        p.clock_divider = (uint8_t)divider;
        p.clock_hz = c.clock_source_hz / divider;
    } else {
        p.clock_hz = c.clock_hz;
    }
    p.clock_phase = (uint8_t)(c.clock_phase || hub75_driver_rising_edge(c.driver));
    /* Blanking is even so that every record keeps 4-byte alignment (DMA and the I2S word swap). */
    p.blank_words = (uint16_t)((c.latch_blanking + 1u) & ~1u);
    /* Records hold colour data only; the blanking after each latch is the dark head of the slot that
     * follows (read from the idle runs), so it costs time but no frame memory. */
    p.stride = p.shift_words;
    uint32_t slots = 0, lit_max = 0;
    for (unsigned k = 0; k < p.depth; k++) {
        p.slot_words[k] = p.blank_words + (2u * c.lsb_units << k);
        slots += p.slot_words[k];
        lit_max += 2u * c.lsb_units << k;
    }
    uint32_t longest = p.slot_words[p.depth - 1];
    if (c.pad_words != 0) {
        plan_with_pad(&p, c.pad_words);
    } else {
        /* Bigger idle runs mean fewer descriptors but more idle memory per row: take the cheapest. */
        uint32_t best_pad = 16, best = UINT32_MAX;
        for (uint32_t pad = 16; pad <= 1024; pad *= 2) {
            uint32_t cost = plan_with_pad(&p, pad);
            if (cost < best) {
                best = cost;
                best_pad = pad;
            }
            if (pad >= longest) break;
        }
        plan_with_pad(&p, best_pad);
    }
    /* Temporal dithering alternates the two buffers by halves of the rows: a second end-of-frame flag
     * where the first half ends tells the interrupt that those rows may be re-pointed. */
    if (c.dither && p.buffers == 2) p.half_desc = (p.rows / 2u) * p.descs_per_row - 1u;
    p.words_per_row = p.depth * (uint32_t)p.stride + slots;
    p.words_per_refresh = p.words_per_row * p.rows + HUB75_TAIL_WORDS;
    p.frame_buffer_bytes = (uint32_t)p.rows * p.depth * p.stride * 2u;
    p.dma_bytes = p.buffers * p.frame_buffer_bytes + p.pad_bytes + p.desc_bytes;
    p.refresh_centihz = (uint32_t)(((uint64_t)p.clock_hz * 100u) / p.words_per_refresh);
    p.max_duty_permille = (uint32_t)(((uint64_t)lit_max * 1000u) / p.words_per_row);
    p.input_bytes = (uint32_t)p.width * p.height * 3u;
    *plan = p;
    return HUB75_OK;
}

static uint16_t address_bits(unsigned row) { return (uint16_t)(row << HUB75_ADDRESS_SHIFT); }

/* A row's first record starts with row_change_blank words still addressed to the previous row: the
 * address lines change only after OE has been off that many clocks, never on the edge where it turns
 * off (the classic source of ghosting into the next row; slow row drivers need more clocks). */
static void keep_previous_address(const hub75_plan_t *p, uint16_t *rec, unsigned row, unsigned swap) {
    const uint16_t previous = address_bits(row == 0 ? p->rows - 1u : row - 1u);
    for (unsigned i = 0; i < p->row_change_blank; i++)
        rec[i ^ swap] = (uint16_t)((rec[i ^ swap] & ~HUB75_ADDRESS_MASK) | previous);
}

static HUB75_ISR_ATTR uint32_t desc_ctrl(uint32_t words) {
    uint32_t bytes = words * 2u;
    return HUB75_DESC_OWNER_DMA | (bytes << 12) | bytes;
}

static HUB75_ISR_ATTR hub75_desc_t *last_desc(const hub75_t *h) { return &h->mem.descs[h->plan.desc_count - 1u]; }

/* Points the slot descriptors of every row at the idle runs for n lit units: the lit words are the
 * slot's tail, so each chunk shows its dark words (from the end of the OFF run) then its lit ones. */
static HUB75_ISR_ATTR void build_slots(hub75_t *h, unsigned units) {
    const hub75_plan_t *p = &h->plan;
    const uint32_t pad = p->pad_words, dark_run = pad + p->blank_words;
    for (unsigned r = 0; r < p->rows; r++) {
        const uint16_t *idle = h->mem.pads + (size_t)r * idle_words_per_row(p);
        hub75_desc_t *d = h->mem.descs + (size_t)r * p->descs_per_row;
        for (unsigned k = 0; k < p->depth; k++) {
            hub75_desc_t *slot = d + p->plane_desc[k] + 1;
            const uint32_t lit_from = p->slot_words[k] - (2u * units << k);
            for (uint32_t j = 0, start = 0; j < p->slot_chunks[k]; j++) {
                uint32_t len = p->slot_words[k] - start, most = j == 0 ? dark_run : pad;
                if (len > most) len = most;
                uint32_t dark = lit_from > start ? lit_from - start : 0;
                if (dark > len) dark = len;
                slot[j].buf = (const uint8_t *)(idle + (dark_run - dark));
                slot[j].ctrl = desc_ctrl(len);
                start += len;
            }
        }
    }
    /* The half-refresh interrupt's descriptor is the last slot chunk of row rows / 2 - 1. */
    if (p->half_desc) h->mem.descs[p->half_desc].ctrl |= HUB75_DESC_EOF;
}

/* Points the data descriptors of half `half` of the rows (0: before rows / 2, 1: from it) at the
 * records of frame buffer `which`. */
static HUB75_ISR_ATTR void aim_half(hub75_t *h, unsigned half, unsigned which) {
    const hub75_plan_t *p = &h->plan;
    const uint16_t *frame = h->mem.frame[which];
    const unsigned middle = p->rows / 2u, first = half ? middle : 0u, end = half ? p->rows : middle;
    for (unsigned r = first; r < end; r++) {
        hub75_desc_t *d = h->mem.descs + (size_t)r * p->descs_per_row;
        for (unsigned k = 0; k < p->depth; k++)
            d[p->plane_desc[k]].buf = (const uint8_t *)(frame + ((size_t)r * p->depth + k) * p->stride);
    }
    h->half_buffer[half] = (uint8_t)which;
}

/* Points every data descriptor at the records of frame buffer `which`. */
static HUB75_ISR_ATTR void aim_data(hub75_t *h, unsigned which) {
    aim_half(h, 0, which);
    aim_half(h, 1, which);
}

/* CIE 1931 luminance (0..1) of lightness L* (0..100). */
static double cie_luminance(double lightness) {
    if (lightness <= 8.0) return lightness / 903.3;
    double t = (lightness + 16.0) / 116.0;
    return t * t * t;
}

/* Level table and spread table for a brightness; returns n, the lit units per LSB.
 * With the CIE 1931 curve, brightness is lightness too: input v at brightness b shows L* = L*(v) * b,
 * i.e. luminance Y(v * b / 255) (times the ceiling), so equal brightness steps look equal and a colour
 * dimmed by the brightness keeps the lightness ratios of its channels. White at b needs Y(b) of full
 * output. With "gamma" and "linear", brightness scales luminance: Y = curve(v) * b. */
static unsigned compute_levels(hub75_t *h, unsigned percent) {
    const hub75_config_t *c = &h->config;
    const unsigned max_level = (1u << h->plan.depth) - 1u;
    const unsigned n_max = h->plan.lsb_units;
    unsigned units;
    double scale;
    if (c->curve == HUB75_CURVE_CIE1931) {
        /* OE units for white at this brightness: ceil(Y(b) * ceiling * N). */
        const double white = cie_luminance((double)percent) * c->brightness_ceiling / 100.0 * n_max;
        units = percent ? (unsigned)ceil(white - 1e-9) : 0u;
        scale = units ? (double)c->brightness_ceiling * n_max / (100.0 * units) : 0.0;
    } else {
        /* Wanted share of full output, in 1/10000 * N: brightness * ceiling * N. */
        const uint32_t product = (uint32_t)percent * c->brightness_ceiling * n_max;
        /* OE timing does the coarse part (n whole units, exact binary weights); the level table scales
         * by the remaining fraction in (n-1)/n .. 1, so depth is only lost below 1/N brightness. */
        units = (product + 9999u) / 10000u;
        scale = units ? (double)product / (10000.0 * units) : 0.0;
    }
    for (unsigned v = 0; v < 256; v++) {
        double y;
        if (c->curve == HUB75_CURVE_CIE1931) y = cie_luminance((double)v * percent / 255.0);
        else if (c->curve == HUB75_CURVE_GAMMA) y = pow(v / 255.0, c->gamma_x100 / 100.0);
        else y = v / 255.0;
        unsigned level = (unsigned)floor(y * max_level * scale + 0.5);
        if (level > max_level) level = max_level;
        unsigned fine = (unsigned)floor(y * max_level * scale * DITHER_STEPS + 0.5);
        if (fine > max_level * DITHER_STEPS) fine = max_level * DITHER_STEPS;
        h->fine[v] = (uint16_t)fine;
        h->level[v] = (uint16_t)level;
        /* Dithering picks the level per pixel, so its table is indexed by level (v itself). */
        const unsigned spread_of = c->dither ? v : level;
        uint64_t spread = 0;
        for (unsigned k = 0; k < h->plan.depth; k++)
            if (spread_of & (1u << k)) spread |= (uint64_t)1 << (8u * k);
        h->spread[v] = spread;
    }
    return units;
}

void hub75_set_brightness(hub75_t *h, uint8_t percent) {
    if (percent > 100) percent = 100;
    h->brightness = percent;
    h->units_next = (uint8_t)compute_levels(h, percent);
}

/* LAT high on the last latch_words data words of a record (1 for most drivers, 3 for the DP3246). */
static void set_latch(const hub75_plan_t *p, uint16_t *rec, unsigned swap) {
    for (unsigned j = 1; j <= p->latch_words; j++) rec[(p->shift_words - j) ^ swap] |= (uint16_t)(1u << HUB75_BIT_LAT);
}

/* Constant words: address bits everywhere, LAT on the last emitted data word, OE off in records. */
static void clear_frame(hub75_t *h, uint16_t *frame) {
    const hub75_plan_t *p = &h->plan;
    for (unsigned r = 0; r < p->rows; r++) {
        for (unsigned k = 0; k < p->depth; k++) {
            uint16_t *rec = frame + ((size_t)r * p->depth + k) * p->stride;
            for (unsigned i = 0; i < p->stride; i++) rec[i] = address_bits(r);
            set_latch(p, rec, h->config.swap_halfwords);
        }
        keep_previous_address(p, frame + (size_t)r * p->depth * p->stride, r, h->config.swap_halfwords);
    }
}

static int aligned(const void *ptr) { return ((uintptr_t)ptr & 3u) == 0; }

hub75_status_t hub75_init(hub75_t *h, const hub75_config_t *config, const hub75_memory_t *mem,
                          uint8_t brightness) {
    if (h == NULL || mem == NULL) return HUB75_ERR_MEMORY;
    memset(h, 0, sizeof *h);
    hub75_status_t status = hub75_plan(config, &h->plan);
    if (status != HUB75_OK) return status;
    h->config = with_defaults(config);
    const hub75_plan_t *p = &h->plan;
    if (!mem->frame[0] || !mem->pads || !mem->descs || (p->buffers == 2 && !mem->frame[1]))
        return HUB75_ERR_MEMORY;
    if (!aligned(mem->frame[0]) || !aligned(mem->pads) || !aligned(mem->descs) ||
        (p->buffers == 2 && !aligned(mem->frame[1])))
        return HUB75_ERR_MEMORY;
    h->mem = *mem;
    if (p->buffers == 1) h->mem.frame[1] = NULL;
    if (hub75_runs(config, h->runs) != p->run_count) return HUB75_ERR_CONFIG;

    for (unsigned b = 0; b < p->buffers; b++) clear_frame(h, h->mem.frame[b]);
    for (unsigned r = 0; r < p->rows; r++) {
        uint16_t *idle = h->mem.pads + (size_t)r * idle_words_per_row(p);
        const unsigned dark_run = p->pad_words + p->blank_words;
        for (unsigned i = 0; i < dark_run; i++) idle[i] = address_bits(r);
        for (unsigned i = 0; i < p->pad_words; i++) idle[dark_run + i] = (uint16_t)(address_bits(r) | (1u << HUB75_BIT_EN));
    }
    /* Link: per row, per plane: data record, then the slot's chunks; the last one loops to the head. */
    for (uint32_t i = 0; i < p->desc_count; i++) {
        h->mem.descs[i].next = (i + 1u < p->desc_count) ? &h->mem.descs[i + 1u] : &h->mem.descs[0];
        h->mem.descs[i].ctrl = 0;
        h->mem.descs[i].buf = NULL;
    }
    for (unsigned r = 0; r < p->rows; r++)
        for (unsigned k = 0; k < p->depth; k++)
            h->mem.descs[(size_t)r * p->descs_per_row + p->plane_desc[k]].ctrl = desc_ctrl(p->stride);
    hub75_desc_t *tail = last_desc(h);
    /* The last row's OE-off run: the address stays put while OE goes off. */
    tail->buf = (const uint8_t *)(h->mem.pads + (size_t)(p->rows - 1u) * idle_words_per_row(p));
    tail->ctrl = desc_ctrl(HUB75_TAIL_WORDS) | HUB75_DESC_EOF;

    hub75_set_brightness(h, brightness);
    h->front = 0;
    h->back = (uint8_t)(p->buffers == 2 ? 1 : 0);
    h->buffer_units[0] = h->buffer_units[1] = h->units_next;
    h->units_now = h->units_next;
    aim_data(h, h->front);
    build_slots(h, h->units_now);
    HUB75_FENCE();
    return HUB75_OK;
}

hub75_desc_t *hub75_chain_head(const hub75_t *h) { return &h->mem.descs[0]; }

/* The encoder: six table lookups per pixel pair yield all planes' colour bits at once. */
static void encode(hub75_t *h, uint16_t *frame, const uint8_t *rgb) {
    const hub75_plan_t *p = &h->plan;
    const size_t plane_step = p->stride;
    const unsigned swap = h->config.swap_halfwords;
    const unsigned depth = p->depth;
    const uint64_t *spread = h->spread;
    for (unsigned r = 0; r < p->rows; r++) {
        uint16_t *rec = frame + (size_t)r * depth * plane_step;
        const uint16_t base = address_bits(r);
        for (unsigned run = 0; run < p->run_count; run++) {
            const hub75_run_t *R = &h->runs[run];
            /* Offsets stay inside the frame at every step (no pointer ever leaves it). */
            ptrdiff_t at = (ptrdiff_t)R->base + (ptrdiff_t)r * R->row_step;
            const ptrdiff_t half = R->half, step = R->col_step;
            for (unsigned n = 0, x = R->start; n < R->length; n++, x++, at += step) {
                const uint8_t *upper = rgb + at, *lower = rgb + at + half;
                uint64_t bits = spread[upper[0]] | spread[upper[1]] << 1 | spread[upper[2]] << 2 |
                                spread[lower[0]] << 3 | spread[lower[1]] << 4 | spread[lower[2]] << 5;
                uint16_t *out = rec + (x ^ swap);
                /* Unrolled by depth: the plane loop is the hot path (8 stores per pixel pair). */
#define PLANE(k) out[(k) * plane_step] = (uint16_t)(base | ((bits >> (8 * (k))) & HUB75_COLOUR_MASK))
                switch (depth) {
                case 8: PLANE(7); /* fall through */
                case 7: PLANE(6); /* fall through */
                case 6: PLANE(5); /* fall through */
                case 5: PLANE(4); /* fall through */
                default: PLANE(3); PLANE(2); PLANE(1); PLANE(0);
                }
#undef PLANE
            }
        }
        for (unsigned k = 0; k < depth; k++) set_latch(p, rec + k * plane_step, swap);
        keep_previous_address(p, rec, r, swap);
    }
}

/* 4x4 ordered-dither (Bayer) thresholds, 0..15: every 2x2 and 4x4 block spreads them evenly. */
static const uint8_t bayer4[4][4] = {{0, 8, 2, 10}, {12, 4, 14, 6}, {3, 11, 1, 9}, {15, 7, 13, 5}};
/* Odd, so that 16 pushes move every pixel through all 16 thresholds. */
#define DITHER_PHASE_STEP 7u
/* A still's two phases: thresholds bayer4 / 2 (0..7, each twice in a 4x4 block, as spread out as the
 * Bayer order) and the same + 8. Since floor(x) + floor(x + 1/2) = floor(2x), a pixel's two refreshes
 * sum to floor((f + t) / 8) levels: its time average is f / 16 to within 1/2 level with an 8-level
 * ordered pattern in space, so a 4x4 block still averages f / 16 exactly (Hermite's identity). */
#define STILL_PHASE_0 16u
#define STILL_PHASE_1 17u

/* The dithering encoder: like encode(), but each channel's level is (fine + threshold) >> 4, with the
 * threshold from the pixel's shift position and address row (a 4x4 Bayer pattern on the panel: the
 * halves and four-scan blocks are 8, 16 or 32 rows apart) moved by the push phase, or for a still
 * (phase STILL_PHASE_0 / _1) that phase's fixed pattern. */
static void encode_dithered(hub75_t *h, uint16_t *frame, const uint8_t *rgb, unsigned phase) {
    const hub75_plan_t *p = &h->plan;
    const size_t plane_step = p->stride;
    const unsigned swap = h->config.swap_halfwords;
    const unsigned depth = p->depth;
    const uint16_t *fine = h->fine;
    const uint64_t *ls = h->spread; /* indexed by level in dither mode */
    const unsigned still = phase >= STILL_PHASE_0;
    const unsigned offset = still ? (phase - STILL_PHASE_0) * (DITHER_STEPS / 2u) : (phase * DITHER_PHASE_STEP) & (DITHER_STEPS - 1u);
    for (unsigned r = 0; r < p->rows; r++) {
        uint16_t *rec = frame + (size_t)r * depth * plane_step;
        const uint16_t base = address_bits(r);
        unsigned threshold[4];
        for (unsigned i = 0; i < 4; i++)
            threshold[i] = still ? (bayer4[r & 3u][i] >> 1) + offset : (bayer4[r & 3u][i] + offset) & (DITHER_STEPS - 1u);
        for (unsigned run = 0; run < p->run_count; run++) {
            const hub75_run_t *R = &h->runs[run];
            ptrdiff_t at = (ptrdiff_t)R->base + (ptrdiff_t)r * R->row_step;
            const ptrdiff_t half = R->half, step = R->col_step;
            for (unsigned n = 0, x = R->start; n < R->length; n++, x++, at += step) {
                const uint8_t *upper = rgb + at, *lower = rgb + at + half;
                const unsigned t = threshold[n & 3u];
#define DITHERED(v) ls[(fine[v] + t) >> DITHER_BITS]
                uint64_t bits = DITHERED(upper[0]) | DITHERED(upper[1]) << 1 | DITHERED(upper[2]) << 2 |
                                DITHERED(lower[0]) << 3 | DITHERED(lower[1]) << 4 | DITHERED(lower[2]) << 5;
#undef DITHERED
                uint16_t *out = rec + (x ^ swap);
#define PLANE(k) out[(k) * plane_step] = (uint16_t)(base | ((bits >> (8 * (k))) & HUB75_COLOUR_MASK))
                switch (depth) {
                case 8: PLANE(7); /* fall through */
                case 7: PLANE(6); /* fall through */
                case 6: PLANE(5); /* fall through */
                case 5: PLANE(4); /* fall through */
                default: PLANE(3); PLANE(2); PLANE(1); PLANE(0);
                }
#undef PLANE
            }
        }
        for (unsigned k = 0; k < depth; k++) set_latch(p, rec + k * plane_step, swap);
        keep_previous_address(p, rec, r, swap);
    }
}

static hub75_status_t push_frame(hub75_t *h, const uint8_t *rgb, size_t length, unsigned still) {
    if (rgb == NULL || length != h->plan.input_bytes) {
        h->counters.rejected++;
        return HUB75_ERR_FRAME_SIZE;
    }
    /* While a still alternates, both buffers are on show: hub75_settle first. */
    if (h->swap_pending || h->alternating) {
        h->counters.rejected++;
        return HUB75_ERR_BUSY;
    }
    const unsigned target = h->plan.buffers == 2 ? h->back : h->front;
    still = still && h->plan.half_desc != 0;
    if (!h->config.dither) {
        encode(h, h->mem.frame[target], rgb);
    } else if (still) {
        encode_dithered(h, h->mem.frame[target], rgb, STILL_PHASE_0);
    } else {
        encode_dithered(h, h->mem.frame[target], rgb, h->dither_phase);
        h->dither_phase = (uint8_t)((h->dither_phase + 1u) & (DITHER_STEPS - 1u));
    }
    h->still_owed = (uint8_t)still;
    h->buffer_units[target] = h->units_next;
    h->counters.pushes++;
    /* Single buffered: the data is live already; only a brightness change waits for the boundary. */
    if (h->plan.buffers == 2 || h->units_next != h->units_now) {
        HUB75_FENCE(); /* the encoded words are in memory before the interrupt may act on the flag */
        h->swap_pending = HUB75_SWAP_WANTED;
    }
    return HUB75_OK;
}

hub75_status_t hub75_push(hub75_t *h, const uint8_t *rgb, size_t length) { return push_frame(h, rgb, length, 0); }

hub75_status_t hub75_push_still(hub75_t *h, const uint8_t *rgb, size_t length) { return push_frame(h, rgb, length, 1); }

hub75_status_t hub75_hold(hub75_t *h, const uint8_t *rgb, size_t length) {
    if (h->plan.half_desc == 0) return HUB75_OK;
    if (rgb == NULL || length != h->plan.input_bytes) return HUB75_ERR_FRAME_SIZE;
    if (h->swap_pending) return HUB75_ERR_BUSY;
    /* Phase 1 must pair with the phase 0 on show, at the same OE timing (the slots are shared). */
    if (!h->still_owed || h->alternating || h->units_next != h->units_now) return HUB75_ERR_STATE;
    encode_dithered(h, h->mem.frame[h->back], rgb, STILL_PHASE_1);
    h->buffer_units[h->back] = h->units_next;
    h->still_owed = 0;
    h->counters.holds++;
    HUB75_FENCE(); /* phase 1 is in memory before an interrupt may point rows at it */
    h->alternating = 1;
    return HUB75_OK;
}

int hub75_settle(hub75_t *h) {
    if (h->swap_pending) return 1;
    if (!h->alternating) return 0;
    h->swap_pending = HUB75_SWAP_SETTLE;
    return 1;
}

/* Both halves keep buffer `shown` (the one the DMA reads now); the other is free for the next push. */
static HUB75_ISR_ATTR void end_alternation(hub75_t *h, unsigned shown) {
    h->front = (uint8_t)shown;
    h->back = (uint8_t)(shown ^ 1u);
    h->alternating = 0;
    HUB75_FENCE();
    h->swap_pending = HUB75_SWAP_NONE;
}

HUB75_ISR_ATTR void hub75_on_half_refresh(hub75_t *h) {
    if (!h->alternating) return;
    /* The DMA reads half 1 now and comes back to half 0 only after the end of this refresh. */
    const unsigned shown = h->half_buffer[1];
    if (h->swap_pending == HUB75_SWAP_SETTLE) {
        aim_half(h, 0, shown);
        end_alternation(h, shown);
    } else {
        aim_half(h, 0, shown ^ 1u);
    }
}

HUB75_ISR_ATTR const hub75_desc_t *hub75_half_desc(const hub75_t *h) {
    return h->plan.half_desc ? &h->mem.descs[h->plan.half_desc] : NULL;
}

/* Points the chain at the new front buffer and applies its OE timing. The DMA is stopped. */
static HUB75_ISR_ATTR void complete_swap(hub75_t *h) {
    if (h->plan.buffers == 2) {
        uint8_t shown = h->back;
        h->back = h->front;
        h->front = shown;
        aim_data(h, shown);
    }
    uint8_t units = h->buffer_units[h->front];
    if (units != h->units_now) {
        build_slots(h, units);
        h->units_now = units;
    }
    h->counters.swaps++;
}

HUB75_ISR_ATTR hub75_desc_t *hub75_on_refresh_end(hub75_t *h) {
    hub75_desc_t *tail = last_desc(h);
    if (h->alternating) {
        /* The DMA reads half 0 now (pointed at the coming refresh's phase by the half-refresh
         * interrupt) and reaches half 1 only at the middle: give it the same phase. */
        const unsigned shown = h->half_buffer[0];
        aim_half(h, 1, shown);
        if (h->swap_pending == HUB75_SWAP_SETTLE) end_alternation(h, shown);
        return NULL;
    }
    switch (h->swap_pending) {
    case HUB75_SWAP_WANTED:
        /* The DMA has just taken the tail (next = head) and gone on, so it reads the tail again only at
         * the end of the next refresh: cutting the loop now makes it stop exactly there. */
        tail->next = NULL;
        HUB75_FENCE();
        h->swap_pending = HUB75_SWAP_CUT;
        return NULL;
    case HUB75_SWAP_CUT:
        /* This tail was read after the cut: the DMA has stopped at the refresh boundary. */
        complete_swap(h);
        tail->next = &h->mem.descs[0];
        HUB75_FENCE();
        h->swap_pending = HUB75_SWAP_NONE;
        return &h->mem.descs[0];
    default:
        return NULL;
    }
}

/* FM6126A and ICN2038S (its second source) power up with their outputs disabled; two configuration
 * registers must be written. Values as used by the open-source HUB75 drivers: register 1 (LAT for
 * the last 11 clocks) sets the output current, register 2 (LAT for the last 12 clocks) bit 6 turns
 * the outputs on. ESP32-HUB75-MatrixPanel-DMA writes 0x07E0 to register 1 (less current); we take
 * rpi-rgb-led-matrix's 0x7FFF and cap brightness with brightness_ceiling instead. The FM6124 takes
 * the same pair (ESP32-HUB75-MatrixPanel-DMA and esp-hub75 send it the FM6126A writes). */
static const hub75_register_write_t fm6126a_registers[] = {
    {0x7FFFu, 11},
    {0x0040u, 12},
};

/* DP3246 (datasheet V1.2, as translated in ESP32-HUB75-MatrixPanel-DMA PR #474 and applied in
 * esp-hub75 PR #129). Register 1 (LAT 11): bits 7-0 current gain, 0xFF = maximum (the ceiling caps
 * brightness); bits 12-9 OE widening, 0 = none. Register 2 (LAT 12): bits 15-11 blanking potential,
 * all ones = highest; bits 10-8 constant-current inflection point, all ones; bits 7-0 zero: dead-pixel
 * removal, fade and black-screen power saving as the datasheet defaults, single-edge data transfer.
 * It latches display data on a LAT pulse of 3 clocks, and samples data on the rising clock edge. */
static const hub75_register_write_t dp3246_registers[] = {
    {0x00FFu, 11},
    {0xFF00u, 12},
};
#define DP3246_LATCH_WORDS 3u
/* DP3246: clocks with LAT low after register 2, before the clearing shift (even: DMA alignment). */
#define DP3246_GAP_WORDS 2u

const hub75_register_write_t *hub75_driver_registers(uint8_t driver, size_t *count) {
    switch (driver) {
    case HUB75_DRIVER_FM6126A:
    case HUB75_DRIVER_ICN2038S:
    case HUB75_DRIVER_FM6124:
        *count = sizeof fm6126a_registers / sizeof fm6126a_registers[0];
        return fm6126a_registers;
    case HUB75_DRIVER_DP3246:
        *count = sizeof dp3246_registers / sizeof dp3246_registers[0];
        return dp3246_registers;
    default:
        *count = 0;
        return NULL;
    }
}

uint8_t hub75_driver_latch_words(uint8_t driver) { return driver == HUB75_DRIVER_DP3246 ? DP3246_LATCH_WORDS : 1u; }

uint8_t hub75_driver_rising_edge(uint8_t driver) {
    return driver == HUB75_DRIVER_MBI5124 || driver == HUB75_DRIVER_DP3246;
}

size_t hub75_init_sequence_words(const hub75_plan_t *plan, uint8_t driver) {
    size_t count;
    hub75_driver_registers(driver, &count);
    if (count == 0) return 0;
    /* Each write is one full-width shift; then one shift of zeros latched as display data, so the
     * set-up patterns never light up. The DP3246 also starts with such a shift and has a gap. */
    if (driver == HUB75_DRIVER_DP3246) return (count + 2u) * plan->shift_words + DP3246_GAP_WORDS;
    return (count + 1u) * plan->shift_words;
}

/* One full-width shift of `value` (MSB first per 16-column chip) with LAT on the last `latch` clocks. */
static size_t shift_write(const hub75_plan_t *plan, uint16_t value, unsigned latch, uint16_t *out, size_t n) {
    /* The same half-word order as the refresh stream, because the same DMA sends it (width and every
     * gap are even, so each write starts on a pair boundary). */
    const size_t swap = plan->swap_halfwords;
    for (unsigned x = 0; x < plan->shift_words; x++, n++) {
        uint16_t word = 0;
        if (value & (0x8000u >> (x & 15u))) word |= HUB75_COLOUR_MASK;
        if (x + latch >= plan->shift_words) word |= (uint16_t)(1u << HUB75_BIT_LAT);
        out[n ^ swap] = word;
    }
    return n;
}

size_t hub75_init_sequence(const hub75_plan_t *plan, uint8_t driver, uint16_t *out, size_t capacity) {
    size_t count;
    const hub75_register_write_t *writes = hub75_driver_registers(driver, &count);
    size_t needed = hub75_init_sequence_words(plan, driver);
    if (needed == 0 || out == NULL || capacity < needed) return 0;
    const unsigned data_latch = hub75_driver_latch_words(driver);
    size_t n = 0;
    if (driver == HUB75_DRIVER_DP3246) n = shift_write(plan, 0, data_latch, out, n);
    for (size_t w = 0; w < count; w++) n = shift_write(plan, writes[w].value, writes[w].latch_clocks, out, n);
    if (driver == HUB75_DRIVER_DP3246)
        for (unsigned g = 0; g < DP3246_GAP_WORDS; g++, n++) out[n ^ plan->swap_halfwords] = 0;
    return shift_write(plan, 0, data_latch, out, n);
}
