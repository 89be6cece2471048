/* Panel model: see panel_sim.h. Written from the HUB75 signal rules, not from the core's code. */
#include "panel_sim.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ADDRESS_OF(w) (((w) >> 6) & 0x1Fu)
#define LAT_OF(w) (((w) >> 11) & 1u)
#define EN_OF(w) (((w) >> 12) & 1u)
#define UNUSED_BITS 0xE000u

static void breach(panel_sim_t *sim, const char *format, ...) {
    if (sim->errors++ == 0) {
        va_list args;
        va_start(args, format);
        vsnprintf(sim->first_error, sizeof sim->first_error, format, args);
        va_end(args);
    }
}

/* The LED that output `column` of the chain's shift register drives on address row `address`, upper
 * (half 0, R1 G1 B1) or lower (half 1, R2 G2 B2) half, as frame pixel (x, y). Written from the panel
 * description: the register runs through the panels from the far end (panel 0); a four-scan panel's
 * stretch holds sub_rows blocks of panel_width outputs, the first block shifted driving the
 * lowest-placed row of the address in each half (address + (sub_rows - 1) * scan). */
static void led_of(const panel_sim_geometry_t *g, unsigned column, unsigned address, unsigned half, unsigned *x,
                   unsigned *y) {
    const unsigned sub_rows = g->panel_height / (2 * g->scan);
    const unsigned stretch = g->panel_width * sub_rows;
    const unsigned panel = column / stretch, within = column % stretch;
    const unsigned block = within / g->panel_width;
    unsigned px = within % g->panel_width;
    unsigned py = address + (sub_rows - 1 - block) * g->scan + half * (g->panel_height / 2);
    const unsigned rows = g->chain_rows ? g->chain_rows : 1, per_row = g->chain / rows;
    const unsigned grid_row = panel / per_row;
    unsigned grid_col = panel % per_row;
    if (g->layout == 1 && grid_row % 2 == 1) {
        grid_col = per_row - 1 - grid_col;
        px = g->panel_width - 1 - px;
        py = g->panel_height - 1 - py;
    }
    *x = grid_col * g->panel_width + px;
    *y = grid_row * g->panel_height + py;
}

int panel_sim_open_geometry(panel_sim_t *sim, const panel_sim_geometry_t *g, unsigned blanking, unsigned swap) {
    memset(sim, 0, sizeof *sim);
    const unsigned rows = g->chain_rows ? g->chain_rows : 1;
    sim->width = g->panel_width * g->chain * (g->panel_height / (2 * g->scan));
    sim->rows = g->scan;
    sim->frame_width = g->panel_width * (g->chain / rows);
    sim->frame_height = g->panel_height * rows;
    sim->blanking = blanking;
    sim->swap = swap;
    const size_t pixels = (size_t)sim->frame_width * sim->frame_height;
    sim->light = calloc(pixels * 3, sizeof *sim->light);
    sim->led = calloc((size_t)sim->rows * 2 * sim->width, sizeof *sim->led);
    sim->ring = calloc(sim->width, 1);
    sim->latch = calloc(sim->width, 1);
    uint8_t *seen = calloc(pixels, 1);
    int ok = sim->light && sim->led && sim->ring && sim->latch && seen;
    for (unsigned a = 0; ok && a < sim->rows; a++)
        for (unsigned h = 0; h < 2; h++)
            for (unsigned c = 0; c < sim->width; c++) {
                unsigned x, y;
                led_of(g, c, a, h, &x, &y);
                if (x >= sim->frame_width || y >= sim->frame_height || seen[(size_t)y * sim->frame_width + x]++) ok = 0;
                else sim->led[((size_t)a * 2 + h) * sim->width + c] = y * sim->frame_width + x;
            }
    free(seen);
    return ok ? 0 : -1;
}

int panel_sim_open(panel_sim_t *sim, unsigned width, unsigned rows, unsigned blanking, unsigned swap) {
    const panel_sim_geometry_t g = {width, 2 * rows, 1, rows, 0, 1};
    return panel_sim_open_geometry(sim, &g, blanking, swap);
}

void panel_sim_close(panel_sim_t *sim) {
    free(sim->light);
    free(sim->led);
    free(sim->ring);
    free(sim->latch);
    memset(sim, 0, sizeof *sim);
}

uint32_t panel_sim_light(const panel_sim_t *sim, unsigned x, unsigned y, unsigned channel) {
    return sim->light[((size_t)y * sim->frame_width + x) * 3 + channel];
}

/* Adds `run` lit clocks to the row pair `address` for every latched bit. */
static void flush(panel_sim_t *sim, unsigned address, uint32_t run) {
    if (run == 0) return;
    const uint32_t *upper = sim->led + (size_t)address * 2 * sim->width, *lower = upper + sim->width;
    for (unsigned x = 0; x < sim->width; x++) {
        unsigned bits = sim->latch[x];
        for (unsigned c = 0; c < 3; c++) {
            if (bits & (1u << c)) sim->light[(size_t)upper[x] * 3 + c] += run;
            if (bits & (8u << c)) sim->light[(size_t)lower[x] * 3 + c] += run;
        }
    }
}

/* LAT fell after lat_run clocks: one data latch if the run has the length the chip counts as one. */
static void latch_ended(panel_sim_t *sim) {
    const unsigned want = sim->latch_clocks ? sim->latch_clocks : 1u;
    if (sim->lat_run != want)
        breach(sim, "clock %llu: LAT high for %u clocks, the chip latches data on %u", (unsigned long long)sim->clocks,
               sim->lat_run, want);
    sim->latches++;
    sim->lat_run = 0;
}

/* The panel's signal state between clocks, kept across descriptors (and refreshes in panel_sim_run). */
static void reset_walk(panel_sim_t *sim) {
    memset(sim->light, 0, (size_t)sim->frame_width * sim->frame_height * 3 * sizeof *sim->light);
    sim->clocks = sim->bytes_read = 0;
    sim->descriptors = sim->latches = sim->lit_clocks = 0;
    sim->ended = 0;
    sim->lat_run = 0;
    sim->errors = 0;
    sim->first_error[0] = 0;
    /* The panel keeps its state across refreshes; start from a dark, unlatched panel. */
    memset(sim->latch, 0, sim->width);
    sim->prev_en = sim->prev_address = sim->have_prev = 0;
    sim->dark_run = 1000000u; /* clocks OE has been off, up to the previous clock */
    sim->since_latch = 1000000u;
    sim->run_address = 0;
    sim->run = 0;
}

/* Checks one descriptor (`last`: it ends a refresh, so it must carry the end-of-frame flag; so must the
 * half-refresh one) and clocks its words out. Returns 0 if it cannot be read. */
static int emit(panel_sim_t *sim, const hub75_desc_t *d, int last) {
    uint32_t size = d->ctrl & 0xFFFu, length = (d->ctrl >> 12) & 0xFFFu;
    if (!(d->ctrl & HUB75_DESC_OWNER_DMA)) breach(sim, "descriptor %u not owned by the DMA", sim->descriptors);
    if (length == 0 || length % 4 || length > HUB75_DESC_MAX_BYTES || size < length)
        breach(sim, "descriptor %u: bad length %u (size %u)", sim->descriptors, length, size);
    if (d->buf == NULL || ((uintptr_t)d->buf & 3u)) breach(sim, "descriptor %u: buffer not 4-byte aligned", sim->descriptors);
    const int want_eof = last || (sim->half_eof != NULL && d == sim->half_eof);
    if (!!(d->ctrl & HUB75_DESC_EOF) != want_eof)
        breach(sim, "descriptor %u: end-of-frame flag %s", sim->descriptors, want_eof ? "missing" : "where none belongs");
    if (d->buf == NULL || length % 4) return 0;
    const uint16_t *words = (const uint16_t *)(const void *)d->buf;
    sim->bytes_read += length;
    for (uint32_t i = 0; i < length / 2; i++) {
        const unsigned w = words[i ^ sim->swap];
        const unsigned en = EN_OF(w), lat = LAT_OF(w), address = ADDRESS_OF(w);
        sim->clocks++;
        if (w & UNUSED_BITS) breach(sim, "clock %llu: unused lines driven", (unsigned long long)sim->clocks);
        if (sim->have_prev && address != sim->prev_address) {
            const unsigned settle = sim->address_settle ? sim->address_settle : 1u;
            if (en || sim->prev_en)
                breach(sim, "clock %llu: address changed while lit", (unsigned long long)sim->clocks);
            else if (sim->dark_run < settle)
                breach(sim, "clock %llu: address changed %u clocks after OE went off (needs %u)",
                       (unsigned long long)sim->clocks, sim->dark_run, settle);
        }
        sim->dark_run = en ? 0 : sim->dark_run < 1000000u ? sim->dark_run + 1 : sim->dark_run;
        /* shift */
        sim->ring[sim->pos] = (uint8_t)(w & 0x3Fu);
        sim->pos = (sim->pos + 1) % sim->width;
        if (lat) {
            if (en) breach(sim, "clock %llu: latch while lit", (unsigned long long)sim->clocks);
            flush(sim, sim->run_address, sim->run);
            sim->run = 0;
            /* The chip takes the register as it is when LAT falls, i.e. after the last LAT clock.
             * The oldest of the last `width` words is the one shifted first: column 0. */
            for (unsigned x = 0; x < sim->width; x++) sim->latch[x] = sim->ring[(sim->pos + x) % sim->width];
            sim->lat_run++;
            sim->since_latch = 0;
        } else {
            if (sim->lat_run) latch_ended(sim);
            if (sim->since_latch < 1000000u) sim->since_latch++;
        }
        if (en) {
            if (sim->since_latch <= sim->blanking)
                breach(sim, "clock %llu: lit %u clocks after a latch (blanking %u)", (unsigned long long)sim->clocks,
                       sim->since_latch, sim->blanking);
            if (address >= sim->rows) {
                breach(sim, "clock %llu: address %u beyond the scan", (unsigned long long)sim->clocks, address);
            } else {
                if (sim->run && address != sim->run_address) {
                    flush(sim, sim->run_address, sim->run);
                    sim->run = 0;
                }
                sim->run_address = address;
                sim->run++;
            }
            sim->lit_clocks++;
        } else if (sim->run) {
            flush(sim, sim->run_address, sim->run);
            sim->run = 0;
        }
        sim->prev_en = en;
        sim->prev_address = address;
        sim->have_prev = 1;
    }
    return 1;
}

int panel_sim_refresh(panel_sim_t *sim, const hub75_desc_t *head) {
    reset_walk(sim);
    const hub75_desc_t *d = head;
    while (d != NULL) {
        if (++sim->descriptors > (sim->max_descriptors ? sim->max_descriptors : 4000000u)) {
            breach(sim, "the chain does not return to its head");
            break;
        }
        const hub75_desc_t *next = d->next;
        if (!emit(sim, d, next == NULL || next == head)) break;
        if (next == NULL) {
            sim->ended = 1;
            break;
        }
        if (next == head) break;
        d = next;
    }
    flush(sim, sim->run_address, sim->run);
    if (sim->lat_run) latch_ended(sim);
    return sim->errors;
}

int panel_sim_run(panel_sim_t *sim, const hub75_desc_t *head, unsigned refreshes, unsigned latency,
                  panel_sim_isr_t isr, panel_sim_refresh_t on_refresh, void *ctx) {
    reset_walk(sim);
    const hub75_desc_t *d = head, *pending = NULL;
    unsigned countdown = 0, done = 0;
    const uint32_t limit = sim->max_descriptors ? sim->max_descriptors : 4000000u;
    while (done < refreshes) {
        if (++sim->descriptors > limit) {
            breach(sim, "the chain does not return to its head");
            break;
        }
        const hub75_desc_t *next = d->next;
        const int last = next == NULL || next == head;
        if (!emit(sim, d, last)) break;
        if (pending != NULL && countdown-- == 0) {
            /* The interrupt of the previous end-of-frame runs now, while the DMA reads this descriptor. */
            isr(ctx, pending);
            pending = NULL;
        }
        if (last) {
            /* A whole refresh has been clocked out: hand its light over and start the next one dark. */
            flush(sim, sim->run_address, sim->run);
            sim->run = 0;
            if (on_refresh) on_refresh(ctx, sim);
            memset(sim->light, 0, (size_t)sim->frame_width * sim->frame_height * 3 * sizeof *sim->light);
            done++;
        }
        if (d->ctrl & HUB75_DESC_EOF) {
            /* An interrupt already raised and not yet served is not raised again: when it runs it sees
             * only the latest end-of-frame descriptor (the I2S and GDMA report the last one). */
            if (pending == NULL) countdown = latency;
            pending = d;
        }
        if (next == NULL) {
            /* The DMA stopped after the tail: the interrupt finds it idle and may restart it. */
            const hub75_desc_t *restart = pending ? isr(ctx, pending) : NULL;
            pending = NULL;
            if (restart == NULL) {
                sim->ended = 1;
                break;
            }
            next = restart;
        }
        d = next;
    }
    if (pending != NULL && done >= refreshes) isr(ctx, pending);
    flush(sim, sim->run_address, sim->run);
    if (sim->lat_run) latch_ended(sim);
    return sim->errors;
}

size_t panel_sim_register_writes(const uint16_t *words, size_t count, unsigned width, unsigned swap,
                                 panel_sim_write_t *out, size_t max) {
    uint8_t *ring = calloc(width, 1);
    size_t writes = 0;
    unsigned pos = 0, lat_run = 0;
    if (ring == NULL) return 0;
    for (size_t i = 0; i <= count; i++) {
        unsigned w = i < count ? words[i ^ swap] : 0;
        if (!LAT_OF(w) && lat_run && writes < max) {
            /* LAT fell: the chip registers take what the shift register holds before this clock. */
            panel_sim_write_t *wr = &out[writes++];
            memset(wr, 0, sizeof *wr);
            wr->latch_clocks = lat_run;
            wr->lines_agree = 1;
            for (unsigned x = 0; x < width; x++) {
                unsigned bits = ring[(pos + x) % width];
                if (bits != 0 && bits != 0x3Fu) wr->lines_agree = 0;
                if (bits & 1u) wr->chip_value[x / 16] |= (uint16_t)(0x8000u >> (x % 16));
            }
        }
        lat_run = LAT_OF(w) ? lat_run + 1 : 0;
        if (i < count) {
            ring[pos] = (uint8_t)(w & 0x3Fu);
            pos = (pos + 1) % width;
        }
    }
    free(ring);
    return writes;
}
