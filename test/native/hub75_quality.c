/* Image-quality measurement through the panel model: see hub75_quality.h. */
#include "hub75_quality.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hub75_core.h"
#include "panel_sim.h"

#define WIDTH 64u
#define HEIGHT 32u
#define BLOCK 4u

/* CIE 1931: input is L* scaled to 0..255, and brightness scales the lightness (written here from the
 * definition, not taken from the core). */
static double ideal_luminance(unsigned v, unsigned brightness) {
    double lightness = (double)v * brightness / 255.0;
    return lightness > 8.0 ? pow((lightness + 16.0) / 116.0, 3.0) : lightness / 903.3;
}

/* The dim colour of block b: an orange-ish hue at lightness 1..64 of 255 (L* 0.4 .. 25). */
static void block_colour(unsigned b, unsigned rgb[3]) {
    const unsigned a = 1u + b / 2u;
    rgb[0] = a;
    rgb[1] = (unsigned)floor(a * 0.6 + 0.5);
    rgb[2] = (unsigned)floor(a * 0.3 + 0.5);
}

static double angle_deg(const double m[3], const double i[3]) {
    double dot = 0, mm = 0, ii = 0;
    for (unsigned c = 0; c < 3; c++) {
        dot += m[c] * i[c];
        mm += m[c] * m[c];
        ii += i[c] * i[c];
    }
    if (ii == 0) return 0;
    if (mm == 0) return 90;
    double cosine = dot / sqrt(mm * ii);
    if (cosine > 1) cosine = 1;
    return acos(cosine) * 180.0 / 3.14159265358979323846;
}

/* The DMA's interrupt as hub75_esp32.c dispatches it: the half-refresh descriptor or the chain's tail. */
static const hub75_desc_t *interrupt(void *ctx, const hub75_desc_t *eof) {
    hub75_t *h = ctx;
    if (eof == hub75_half_desc(h)) {
        hub75_on_half_refresh(h);
        return NULL;
    }
    return hub75_on_refresh_end(h);
}

typedef struct {
    hub75_t *h;
    double *sum;
    unsigned refreshes;
} summing_t;

static const hub75_desc_t *summing_interrupt(void *ctx, const hub75_desc_t *eof) {
    return interrupt(((summing_t *)ctx)->h, eof);
}

static void add_refresh(void *ctx, const panel_sim_t *sim) {
    summing_t *s = ctx;
    for (size_t i = 0; i < (size_t)WIDTH * HEIGHT * 3; i++) s->sum[i] += sim->light[i];
    s->refreshes++;
}

int hub75_measure_dim_ramp(unsigned dither, unsigned brightness, unsigned pushes, unsigned block, unsigned still,
                           hub75_quality_t *out) {
    memset(out, 0, sizeof *out);
    hub75_config_t c;
    memset(&c, 0, sizeof c);
    c.panel_width = WIDTH;
    c.panel_height = HEIGHT;
    c.chain = 1;
    c.depth = 8;
    c.clock_hz = 20000000u;
    c.lsb_units = 4;
    c.curve = HUB75_CURVE_CIE1931;
    c.double_buffer = 1;
    c.dither = (uint8_t)dither;
    hub75_plan_t plan;
    if (hub75_plan(&c, &plan) != HUB75_OK) return -1;
    hub75_memory_t mem = {{malloc(plan.frame_buffer_bytes), malloc(plan.frame_buffer_bytes)}, malloc(plan.pad_bytes),
                          malloc(plan.desc_count * sizeof(hub75_desc_t))};
    hub75_t *h = malloc(sizeof *h);
    uint8_t *frame = malloc(plan.input_bytes);
    double *sum = calloc((size_t)WIDTH * HEIGHT * 3, sizeof *sum);
    panel_sim_t sim;
    int status = -1;
    if (!mem.frame[0] || !mem.frame[1] || !mem.pads || !mem.descs || !h || !frame || !sum) goto done;
    if (hub75_init(h, &c, &mem, (uint8_t)brightness) != HUB75_OK) goto done;
    if (panel_sim_open(&sim, WIDTH, HEIGHT / 2, 1, 0) != 0) goto done;
    sim.half_eof = hub75_half_desc(h);
    for (unsigned y = 0; y < HEIGHT; y++)
        for (unsigned x = 0; x < WIDTH; x++) {
            unsigned rgb[3];
            block_colour((y / BLOCK) * (WIDTH / BLOCK) + x / BLOCK, rgb);
            for (unsigned ch = 0; ch < 3; ch++) frame[(y * WIDTH + x) * 3 + ch] = (uint8_t)rgb[ch];
        }
    if (still) {
        /* A still: phase 0 swapped in, phase 1 held, then the DMA and its interrupt run on their own for
         * `pushes` refreshes (each one phase) and the light of all of them is averaged. */
        summing_t summing = {h, sum, 0};
        if (hub75_push_still(h, frame, plan.input_bytes) != HUB75_OK) goto close;
        if (panel_sim_run(&sim, hub75_chain_head(h), 2, 0, interrupt, NULL, h) != 0 || h->swap_pending) goto close;
        if (hub75_hold(h, frame, plan.input_bytes) != HUB75_OK) goto close;
        /* One refresh for the interrupts to take up phase 1, then the measured ones. */
        if (panel_sim_run(&sim, hub75_chain_head(h), 1, 0, interrupt, NULL, h) != 0) goto close;
        if (panel_sim_run(&sim, hub75_chain_head(h), pushes, 0, summing_interrupt, add_refresh, &summing) != 0) goto close;
        if (summing.refreshes != pushes) goto close;
    }
    for (unsigned n = 0; n < (still ? 0u : pushes); n++) {
        if (hub75_push(h, frame, plan.input_bytes) != HUB75_OK) goto close;
        if (hub75_on_refresh_end(h) == NULL && hub75_on_refresh_end(h) == NULL) goto close;
        if (panel_sim_refresh(&sim, hub75_chain_head(h)) != 0) goto close;
        for (unsigned y = 0; y < HEIGHT; y++)
            for (unsigned x = 0; x < WIDTH; x++)
                for (unsigned ch = 0; ch < 3; ch++) sum[(y * WIDTH + x) * 3 + ch] += panel_sim_light(&sim, x, y, ch);
    }
    /* Ideal light in output levels: luminance of full output, where full = (2^8 - 1) levels at N units;
     * shown levels = clocks / (2N), so both are in the same unit. */
    const double clocks_per_level = 2.0 * c.lsb_units;
    const unsigned step = block ? BLOCK : 1u;
    for (unsigned y = 0; y < HEIGHT; y += step)
        for (unsigned x = 0; x < WIDTH; x += step) {
            unsigned rgb[3];
            block_colour((y / BLOCK) * (WIDTH / BLOCK) + x / BLOCK, rgb);
            double shown[3] = {0, 0, 0}, ideal[3];
            for (unsigned ch = 0; ch < 3; ch++) {
                for (unsigned dy = 0; dy < step; dy++)
                    for (unsigned dx = 0; dx < step; dx++) shown[ch] += sum[((y + dy) * WIDTH + x + dx) * 3 + ch];
                shown[ch] /= (double)pushes * step * step * clocks_per_level;
                ideal[ch] = ideal_luminance(rgb[ch], brightness) * 255.0;
                double error = fabs(shown[ch] - ideal[ch]);
                out->mean_error += error;
                if (error > out->max_error) out->max_error = error;
            }
            double hue = angle_deg(shown, ideal);
            out->mean_hue_deg += hue;
            if (hue > out->max_hue_deg) out->max_hue_deg = hue;
            if (hue > 5.0) out->off_hue++;
            if (shown[0] + shown[1] + shown[2] == 0 && ideal[0] > 0) out->black++;
            out->colours++;
        }
    out->mean_error /= out->colours * 3.0;
    out->mean_hue_deg /= out->colours;
    status = 0;
close:
    panel_sim_close(&sim);
done:
    free(mem.frame[0]);
    free(mem.frame[1]);
    free(mem.pads);
    free(mem.descs);
    free(h);
    free(frame);
    free(sum);
    return status;
}
