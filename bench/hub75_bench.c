/*
 * HUB75 figures for bench/hub75.bench.ts.
 *   hub75_bench table   one tab-separated line per panel and depth: our plan's refresh rate and DMA
 *                       memory (single and double buffered), next to ESP32-HUB75-MatrixPanel-DMA's and
 *                       esp-hub75's, each computed from its own documented model
 *   hub75_bench push    sets up 64x64 at 8 bits and encodes one frame: run under
 *                       `valgrind --tool=callgrind --toggle-collect=hub75_push` for the instructions
 *                       of one push
 *   hub75_bench push-dither  the same push with dithering on
 *   hub75_bench push-still   a still with temporal dithering: hub75_push_still, the swap, hub75_hold
 *                       (toggle-collect both: the two phases a still costs)
 *   hub75_bench quality dim-colour error against the ideal, with and without dithering (panel model)
 *   hub75_bench naive   the same frame through a per-pixel, per-bit read-modify-write encoder (the
 *                       drawPixel style of the common libraries), toggle-collect=naive_push: the peer
 *
 * The common library's model (ESP32-HUB75-MatrixPanel-DMA, src/ESP32-HUB75-MatrixPanel-I2S-DMA.cpp,
 * setupDMA steps 1-2, and doc/memcalc.md; facts, re-derived here):
 *   pixels_per_row = width * chain, rows = height / 2, clock in Hz (its "HZ_20M" is 20 000 000)
 *   ns_per_latch   = pixels_per_row * (10^12 / clock) / 1000            (integer division, as there)
 *   ns_per_row     = ns_per_latch * (depth + sum_{i=t+1}^{depth-1} 2^(i-t-1))
 *   refresh        = 10^9 / (ns_per_row * rows), where t (lsbMsbTransitionBit) starts at 0 and grows
 *                    until refresh >= min_refresh_rate (default 60 Hz) or t = depth - 1
 *   frame buffer   = rows * pixels_per_row * depth * 2 bytes (one 16-bit word per pixel pair per bit)
 *   descriptors    = rows * (ceil(row_all / 4092) + sum_{i=t+1}^{depth-1} 2^(i-t-1) * ceil(row_one / 4092))
 *                    with row_all = pixels_per_row * depth * 2, row_one = pixels_per_row * 2 bytes,
 *                    12 bytes each (lldesc_t / dma_descriptor_t)
 *   double buffer  = both frame buffers and both descriptor chains doubled
 * For 64x64 at 8 bits and 20 MHz that gives 72 Hz and 2 * (32 KiB + 48 KiB) = 160 KiB.
 *
 * esp-hub75 (esphome-libs/esp-hub75, the ESP-IDF component; facts from its docs/ARCHITECTURE.md,
 * docs/PLATFORMS.md and include/hub75_types.h defaults, re-derived here):
 *   record         = pixels_per_row + 1 LAT word + latch_blanking (default 1) words, 16-bit words; one
 *                    record per row and bit plane ("row buffers")
 *   BCM            = descriptor duplication: plane k is transmitted reps(k) times, reps = 1 for k <= t,
 *                    1 + 2^(k-t-1) above (the +1 is its previous-row-address transmission); t is the
 *                    lsbMsbTransitionBit, 1 in its documented 8-bit examples, raised until the refresh
 *                    reaches min_refresh_rate (default 60 Hz)
 *   refresh        = clock / (rows * record * sum reps)       (the LEDs are lit while records shift)
 *   memory         = rows * depth * record * 2 + rows * sum reps * 12 bytes (one descriptor per
 *                    transmission); double_buffer (off by default) doubled here like the other peer
 * For 64x64 at 8 bits that gives 133 Hz and 59.6 KiB single buffered (its docs: "~57 KB", 90-120 Hz).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub75_core.h"
#include "hub75_quality.h"

typedef struct {
    uint32_t refresh_hz;
    uint32_t dma_bytes;
    unsigned transition_bit;
} library_figures_t;

static library_figures_t library_model(unsigned width, unsigned height, unsigned depth, uint32_t clock_hz, int double_buffer) {
    library_figures_t f = {0, 0, 0};
    const uint64_t pixels_per_row = width;
    const uint64_t rows = height / 2;
    const uint64_t ns_per_latch = pixels_per_row * (1000000000000ull / clock_hz) / 1000ull;
    unsigned t = 0;
    for (;;) {
        uint64_t latches = depth;
        for (unsigned i = t + 1; i < depth; i++) latches += 1ull << (i - t - 1);
        uint64_t refresh = 1000000000ull / (ns_per_latch * latches * rows);
        f.refresh_hz = (uint32_t)refresh;
        if (refresh >= 60 || t >= depth - 1) break;
        t++;
    }
    f.transition_bit = t;
    const uint64_t row_all = pixels_per_row * depth * 2, row_one = pixels_per_row * 2;
    uint64_t descs_per_row = (row_all + 4091) / 4092;
    for (unsigned i = t + 1; i < depth; i++) descs_per_row += (1ull << (i - t - 1)) * ((row_one + 4091) / 4092);
    const uint64_t frame = rows * row_all;
    const uint64_t descs = rows * descs_per_row * 12u;
    f.dma_bytes = (uint32_t)((double_buffer ? 2 : 1) * (frame + descs));
    return f;
}

static library_figures_t esp_hub75_model(unsigned width, unsigned height, unsigned depth, uint32_t clock_hz, int double_buffer) {
    library_figures_t f = {0, 0, 0};
    const uint64_t rows = height / 2, record = width + 1u + 1u;
    unsigned t = 1;
    uint64_t transmissions = 0;
    for (;;) {
        transmissions = 0;
        for (unsigned k = 0; k < depth; k++) transmissions += k <= t ? 1u : 1u + (1ull << (k - t - 1));
        f.refresh_hz = (uint32_t)(clock_hz / (rows * record * transmissions));
        if (f.refresh_hz >= 60 || t >= depth - 1) break;
        t++;
    }
    f.transition_bit = t;
    f.dma_bytes = (uint32_t)((double_buffer ? 2 : 1) * (rows * depth * record * 2u + rows * transmissions * 12u));
    return f;
}

static hub75_config_t panel(unsigned width, unsigned height, unsigned chain, unsigned depth) {
    hub75_config_t c;
    memset(&c, 0, sizeof c);
    c.panel_width = (uint16_t)width;
    c.panel_height = (uint16_t)height;
    c.chain = (uint8_t)chain;
    c.depth = (uint8_t)depth;
    c.clock_hz = 20000000u;
    c.double_buffer = 1;
    c.swap_halfwords = 1;
    return c;
}

static int table(void) {
    /* panel width, height, chain: 64x32, 64x64, 128x32 (two 64x32), 128x64 (two 64x64) */
    const unsigned shapes[4][3] = {{64, 32, 1}, {64, 64, 1}, {64, 32, 2}, {64, 64, 2}};
    printf("panel\tdepth\tours_hz\tours_single\tours_double\tours_duty\tmpd_hz\tmpd_single\tmpd_double\tmpd_t"
           "\teh_hz\teh_single\teh_double\teh_t\n");
    for (unsigned s = 0; s < 4; s++)
        for (unsigned depth = 5; depth <= 8; depth++) {
            hub75_config_t c = panel(shapes[s][0], shapes[s][1], shapes[s][2], depth);
            hub75_plan_t p;
            if (hub75_plan(&c, &p) != HUB75_OK) return 1;
            const unsigned width = shapes[s][0] * shapes[s][2], height = shapes[s][1];
            library_figures_t mpd1 = library_model(width, height, depth, c.clock_hz, 0);
            library_figures_t mpd2 = library_model(width, height, depth, c.clock_hz, 1);
            library_figures_t eh1 = esp_hub75_model(width, height, depth, c.clock_hz, 0);
            library_figures_t eh2 = esp_hub75_model(width, height, depth, c.clock_hz, 1);
            printf("%ux%u\t%u\t%u.%02u\t%u\t%u\t%u\t%u\t%u\t%u\t%u\t%u\t%u\t%u\t%u\n", width, height, depth,
                   p.refresh_centihz / 100, p.refresh_centihz % 100, p.dma_bytes - p.frame_buffer_bytes, p.dma_bytes,
                   p.max_duty_permille, mpd1.refresh_hz, mpd1.dma_bytes, mpd2.dma_bytes, mpd1.transition_bit,
                   eh1.refresh_hz, eh1.dma_bytes, eh2.dma_bytes, eh1.transition_bit);
        }
    return 0;
}

enum push_mode { PUSH_PLAIN, PUSH_DITHER, PUSH_STILL };

static int push(enum push_mode mode) {
    hub75_config_t c = panel(64, 64, 1, 8);
    c.dither = mode != PUSH_PLAIN;
    hub75_plan_t p;
    if (hub75_plan(&c, &p) != HUB75_OK) return 1;
    hub75_memory_t mem = {{malloc(p.frame_buffer_bytes), malloc(p.frame_buffer_bytes)}, malloc(p.pad_bytes),
                          malloc(p.desc_count * sizeof(hub75_desc_t))};
    hub75_t *h = malloc(sizeof *h);
    uint8_t *frame = malloc(p.input_bytes);
    if (!mem.frame[0] || !mem.frame[1] || !mem.pads || !mem.descs || !h || !frame) return 1;
    if (hub75_init(h, &c, &mem, 100) != HUB75_OK) return 1;
    uint32_t state = 12345;
    for (uint32_t i = 0; i < p.input_bytes; i++) {
        state = state * 1103515245u + 12345u;
        frame[i] = (uint8_t)(state >> 24);
    }
    if (mode == PUSH_STILL) {
        /* A still: phase 0, the swap the DMA's interrupts would complete, then phase 1. */
        if (hub75_push_still(h, frame, p.input_bytes) != HUB75_OK) return 1;
        hub75_on_refresh_end(h);
        hub75_on_refresh_end(h);
        if (hub75_hold(h, frame, p.input_bytes) != HUB75_OK || !h->alternating) return 1;
    } else if (hub75_push(h, frame, p.input_bytes) != HUB75_OK) {
        return 1;
    }
    printf("pushed %u bytes into %u bytes of bit planes\n", p.input_bytes, p.frame_buffer_bytes);
    free(frame);
    free(h);
    free(mem.frame[0]);
    free(mem.frame[1]);
    free(mem.pads);
    free(mem.descs);
    return 0;
}

/* Peer: one pixel at a time, one bit plane at a time, masking the six colour bits of each word. */
__attribute__((noinline)) void naive_push(uint16_t *planes, const uint8_t *rgb, const uint16_t *level, unsigned width,
                                          unsigned rows, unsigned depth) {
    for (unsigned y = 0; y < rows * 2; y++)
        for (unsigned x = 0; x < width; x++) {
            const uint8_t *p = rgb + ((size_t)y * width + x) * 3;
            const unsigned row = y % rows, shift = y < rows ? 0 : 3;
            for (unsigned k = 0; k < depth; k++) {
                uint16_t *word = planes + ((size_t)row * depth + k) * width + x;
                uint16_t bits = (uint16_t)((((level[p[0]] >> k) & 1u) | ((level[p[1]] >> k) & 1u) << 1 |
                                            ((level[p[2]] >> k) & 1u) << 2) << shift);
                *word = (uint16_t)((*word & ~(7u << shift)) | bits);
            }
        }
}

static int naive(void) {
    const unsigned width = 64, rows = 32, depth = 8;
    uint16_t *planes = calloc((size_t)rows * depth * width, sizeof *planes);
    uint8_t *frame = malloc((size_t)width * rows * 2 * 3);
    uint16_t level[256];
    if (!planes || !frame) return 1;
    for (unsigned v = 0; v < 256; v++) level[v] = (uint16_t)v;
    uint32_t state = 12345;
    for (uint32_t i = 0; i < width * rows * 2 * 3; i++) {
        state = state * 1103515245u + 12345u;
        frame[i] = (uint8_t)(state >> 24);
    }
    naive_push(planes, frame, level, width, rows, depth);
    printf("naive checksum %u\n", planes[77] + planes[4000]);
    free(planes);
    free(frame);
    return 0;
}

/* Dim-colour error against the ideal through the panel model (test/native/hub75_quality.c), one line
 * per measurement: how, brightness, mean and max error (levels), mean and max hue error (degrees),
 * colours off by more than 5 degrees, colours shown black, colours measured. */
static int quality(void) {
    static const struct {
        const char *how;
        unsigned dither, pushes, block, still;
    } ways[] = {
        {"no dithering, per pixel", 0, 1, 0, 0},
        {"no dithering, 4x4 block", 0, 1, 1, 0},
        {"dithering, one push, per pixel", 1, 1, 0, 0},
        {"dithering, one push, 4x4 block", 1, 1, 1, 0},
        {"dithering, 16 pushes, per pixel", 1, 16, 0, 0},
        {"still, temporal, per pixel", 1, 16, 0, 1},
        {"still, temporal, 4x4 block", 1, 16, 1, 1},
    };
    const unsigned count = sizeof ways / sizeof ways[0];
    static const unsigned brightness[] = {100, 25};
    printf("how\tbrightness\tmean\tmax\thue_mean\thue_max\toff_hue\tblack\tcolours\n");
    for (unsigned b = 0; b < 2; b++)
        for (unsigned w = 0; w < count; w++) {
            hub75_quality_t q;
            if (hub75_measure_dim_ramp(ways[w].dither, brightness[b], ways[w].pushes, ways[w].block, ways[w].still, &q) != 0)
                return 1;
            printf("%s\t%u\t%.4f\t%.4f\t%.2f\t%.2f\t%u\t%u\t%u\n", ways[w].how, brightness[b], q.mean_error, q.max_error,
                   q.mean_hue_deg, q.max_hue_deg, q.off_hue, q.black, q.colours);
        }
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 2 && strcmp(argv[1], "quality") == 0) return quality();
    if (argc == 2 && strcmp(argv[1], "naive") == 0) return naive();
    if (argc == 2 && strcmp(argv[1], "table") == 0) return table();
    if (argc == 2 && strcmp(argv[1], "push") == 0) return push(PUSH_PLAIN);
    if (argc == 2 && strcmp(argv[1], "push-dither") == 0) return push(PUSH_DITHER);
    if (argc == 2 && strcmp(argv[1], "push-still") == 0) return push(PUSH_STILL);
    fprintf(stderr, "usage: hub75_bench table|push|push-dither|naive|quality\n");
    return 2;
}
