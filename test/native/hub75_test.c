/*
 * Native tests of the HUB75 core (hosts/esp32/hub75/hub75_core.c), built with AddressSanitizer and
 * UBSan by `make test-native`. Each case pushes frames, lets panel_sim walk the descriptor chain as the
 * DMA would, and compares the light every LED receives with the frame after the lightness curve and
 * brightness, exactly. Prints one line per case and a closing "native: N passed, N failed".
 * (Over 400 lines: one case per chip, scan mapping, chain layout and timing option, in one binary so that
 * ASan checks them all in one run.)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub75_core.h"
#include "hub75_quality.h"
#include "panel_sim.h"

/* ---- a minimal harness: a case passes when none of its checks failed ---- */

static int cases_passed, cases_failed, case_failed;
static char case_message[320];

#define CHECK(cond, ...)                                                                   \
    do {                                                                                   \
        if (!(cond)) {                                                                     \
            if (!case_failed) snprintf(case_message, sizeof case_message, __VA_ARGS__);    \
            case_failed = 1;                                                               \
        }                                                                                  \
    } while (0)

static void begin_case(void) {
    case_failed = 0;
    case_message[0] = 0;
}

static void end_case(const char *name) {
    if (case_failed) {
        cases_failed++;
        printf("not ok - %s: %s\n", name, case_message);
    } else {
        cases_passed++;
        printf("ok - %s\n", name);
    }
}

typedef struct chip chip_t;
static unsigned data_latch_of(unsigned driver);

/* ---- a core instance with exactly sized heap blocks, so ASan sees every overrun ---- */

typedef struct {
    hub75_config_t config;
    hub75_plan_t plan;
    hub75_memory_t mem;
    hub75_t *h;
    panel_sim_t sim;
    uint8_t *frame; /* scratch RGB888 frame */
} rig_t;

static hub75_config_t panel(unsigned width, unsigned height, unsigned chain, unsigned depth) {
    hub75_config_t c;
    memset(&c, 0, sizeof c);
    c.panel_width = (uint16_t)width;
    c.panel_height = (uint16_t)height;
    c.chain = (uint8_t)chain;
    c.scan = (uint8_t)(height / 2);
    c.depth = (uint8_t)depth;
    c.clock_hz = 20000000u;
    c.latch_blanking = 1;
    c.lsb_units = 4;
    c.brightness_ceiling = 100;
    c.curve = HUB75_CURVE_CIE1931;
    c.double_buffer = 1;
    return c;
}

static int rig_open(rig_t *r, const hub75_config_t *config, unsigned brightness) {
    memset(r, 0, sizeof *r);
    r->config = *config;
    if (hub75_plan(config, &r->plan) != HUB75_OK) return -1;
    r->mem.frame[0] = malloc(r->plan.frame_buffer_bytes);
    r->mem.frame[1] = r->plan.buffers == 2 ? malloc(r->plan.frame_buffer_bytes) : NULL;
    r->mem.pads = malloc(r->plan.pad_bytes);
    r->mem.descs = malloc(r->plan.desc_count * sizeof(hub75_desc_t));
    r->h = malloc(sizeof *r->h);
    r->frame = calloc(r->plan.input_bytes, 1);
    if (!r->h || !r->frame) return -1;
    if (hub75_init(r->h, config, &r->mem, (uint8_t)brightness) != HUB75_OK) return -1;
    unsigned blanking = config->latch_blanking ? config->latch_blanking : 1;
    const panel_sim_geometry_t g = {config->panel_width, config->panel_height, config->chain,
                                    config->scan ? config->scan : config->panel_height / 2u, config->layout,
                                    config->chain_rows};
    if (panel_sim_open_geometry(&r->sim, &g, blanking, config->swap_halfwords) != 0) return -1;
    r->sim.latch_clocks = data_latch_of(config->driver);
    r->sim.address_settle = config->row_change_blank ? config->row_change_blank : 1u;
    r->sim.half_eof = hub75_half_desc(r->h);
    return 0;
}

static void rig_close(rig_t *r) {
    free(r->mem.frame[0]);
    free(r->mem.frame[1]);
    free(r->mem.pads);
    free(r->mem.descs);
    free(r->h);
    free(r->frame);
    panel_sim_close(&r->sim);
}

/* ---- the expected picture, computed here from the definitions, not by the core ---- */

/* CIE 1931: Y = ((L* + 16) / 116)^3 above L* = 8, L* / 903.3 below. */
static double cie(double lightness) {
    return lightness > 8.0 ? pow((lightness + 16.0) / 116.0, 3.0) : lightness / 903.3;
}

static double luminance(unsigned curve, unsigned gamma_x100, unsigned v) {
    if (curve == HUB75_CURVE_LINEAR) return v / 255.0;
    if (curve == HUB75_CURVE_GAMMA) return pow(v / 255.0, (gamma_x100 ? gamma_x100 : 220) / 100.0);
    /* CIE 1931: input is L* scaled to 0..255 */
    return cie(100.0 * v / 255.0);
}

/* Luminance of input v at `brightness` % before the ceiling: with CIE 1931 the brightness scales the
 * lightness (L* = L*(v) * b); with the other curves it scales the luminance. */
static double shown_luminance(const hub75_config_t *c, unsigned brightness, unsigned v) {
    if (c->curve == HUB75_CURVE_CIE1931) return cie((double)v * brightness / 255.0);
    return luminance(c->curve, c->gamma_x100, v) * brightness / 100.0;
}

/* Whole OE units per LSB that white at brightness * ceiling needs: ceil(share * N). */
static unsigned expected_units(const hub75_config_t *c, unsigned brightness) {
    unsigned ceiling = c->brightness_ceiling ? c->brightness_ceiling : 100;
    unsigned lsb = c->lsb_units ? c->lsb_units : 4;
    if (c->curve == HUB75_CURVE_CIE1931) return brightness ? (unsigned)ceil(cie(brightness) * ceiling / 100.0 * lsb - 1e-9) : 0;
    unsigned share = brightness * ceiling * lsb; /* in 1/10000 units */
    return (share + 9999) / 10000;
}

/* Share of the n-unit full scale that one full-brightness unit of luminance is. */
static double expected_scale(const hub75_config_t *c, unsigned brightness, unsigned units) {
    unsigned ceiling = c->brightness_ceiling ? c->brightness_ceiling : 100;
    unsigned lsb = c->lsb_units ? c->lsb_units : 4;
    if (c->curve == HUB75_CURVE_CIE1931) return (double)ceiling * lsb / (100.0 * units);
    return (double)(brightness * ceiling * lsb) / (10000.0 * units);
}

static unsigned expected_level(const hub75_config_t *c, unsigned brightness, unsigned v) {
    unsigned units = expected_units(c, brightness);
    if (units == 0) return 0;
    double top = (double)((1u << c->depth) - 1u);
    double y = c->curve == HUB75_CURVE_CIE1931 ? shown_luminance(c, brightness, v) : luminance(c->curve, c->gamma_x100, v);
    return (unsigned)floor(y * top * expected_scale(c, brightness, units) + 0.5);
}

static uint32_t rng_state;
static uint32_t rng(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

static void fill_random(rig_t *r, uint32_t seed) {
    rng_state = seed ? seed : 1;
    for (uint32_t i = 0; i < r->plan.input_bytes; i++) r->frame[i] = (uint8_t)rng();
}

static void fill_gradient(rig_t *r) {
    for (unsigned y = 0; y < r->plan.height; y++)
        for (unsigned x = 0; x < r->plan.width; x++) {
            uint8_t *p = r->frame + ((size_t)y * r->plan.width + x) * 3;
            p[0] = (uint8_t)(x * 255 / (r->plan.width - 1));
            p[1] = (uint8_t)(y * 255 / (r->plan.height - 1));
            p[2] = (uint8_t)((x + y) & 0xFF);
        }
}

/* Walks one refresh and checks every LED against `frame` at `brightness`. */
static void check_shows(rig_t *r, const uint8_t *frame, unsigned brightness) {
    panel_sim_refresh(&r->sim, hub75_chain_head(r->h));
    CHECK(r->sim.errors == 0, "signal rule broken: %s", r->sim.first_error);
    unsigned units = expected_units(&r->config, brightness);
    uint32_t mismatches = 0;
    for (unsigned y = 0; y < r->plan.height && mismatches == 0; y++)
        for (unsigned x = 0; x < r->plan.width; x++)
            for (unsigned c = 0; c < 3; c++) {
                unsigned v = frame[((size_t)y * r->plan.width + x) * 3 + c];
                uint32_t want = expected_level(&r->config, brightness, v) * 2u * units;
                uint32_t got = panel_sim_light(&r->sim, x, y, c);
                if (got != want && mismatches++ == 0)
                    CHECK(0, "pixel (%u,%u) channel %u value %u lit %u clocks, expected %u", x, y, c, v, got, want);
            }
    CHECK(r->sim.clocks == r->plan.words_per_refresh, "refresh took %llu clocks, plan says %u",
          (unsigned long long)r->sim.clocks, r->plan.words_per_refresh);
    CHECK(r->sim.descriptors == r->plan.desc_count, "walked %u descriptors, plan says %u", r->sim.descriptors,
          r->plan.desc_count);
    CHECK(r->sim.latches == (uint32_t)r->plan.rows * r->plan.depth, "%u latches per refresh, expected %u",
          r->sim.latches, r->plan.rows * r->plan.depth);
}

/* Plays the end-of-refresh interrupt until a pending swap is done: the first refresh end cuts the
 * loop (the DMA goes on), the second finds the DMA stopped and must restart it at the head. */
static void finish_swap(rig_t *r) {
    if (!r->h->swap_pending) return;
    hub75_desc_t *restart = hub75_on_refresh_end(r->h);
    if (restart == NULL) restart = hub75_on_refresh_end(r->h);
    CHECK(restart == hub75_chain_head(r->h), "the swap did not complete within two refresh ends");
    CHECK(!r->h->swap_pending, "swap still pending");
}

/* Pushes the rig's scratch frame and completes the swap as the end-of-refresh interrupt would. */
static void push_and_swap(rig_t *r) {
    hub75_status_t s = hub75_push(r->h, r->frame, r->plan.input_bytes);
    CHECK(s == HUB75_OK, "push returned %d", (int)s);
    finish_swap(r);
}

/* ---- cases ---- */

static void case_decode(const char *name, hub75_config_t c, unsigned brightness) {
    begin_case();
    rig_t r;
    if (rig_open(&r, &c, brightness) != 0) {
        CHECK(0, "set-up failed");
    } else {
        check_shows(&r, r.frame, brightness); /* black at start: frame is not yet filled, compare 0s */
        fill_random(&r, 0x9E3779B9u ^ c.depth ^ (uint32_t)brightness << 8 ^ c.panel_width);
        push_and_swap(&r);
        check_shows(&r, r.frame, brightness);
        fill_gradient(&r);
        push_and_swap(&r);
        check_shows(&r, r.frame, brightness);
    }
    rig_close(&r);
    end_case(name);
}

static void case_target(void) {
    begin_case();
    hub75_config_t c = panel(64, 64, 1, 8);
    hub75_plan_t p;
    CHECK(hub75_plan(&c, &p) == HUB75_OK, "plan refused");
    CHECK(p.buffers == 2, "not double buffered");
    CHECK(p.refresh_centihz >= 24000, "refresh %u.%02u Hz < 240 Hz", p.refresh_centihz / 100, p.refresh_centihz % 100);
    CHECK(p.dma_bytes <= 88u * 1024u, "DMA memory %u bytes > 88 KiB double buffered", p.dma_bytes);
    c.double_buffer = 0;
    CHECK(hub75_plan(&c, &p) == HUB75_OK, "plan refused");
    CHECK(p.dma_bytes <= 56u * 1024u, "DMA memory %u bytes > 56 KiB single buffered", p.dma_bytes);
    CHECK(p.refresh_centihz >= 24000, "single buffered refresh %u.%02u Hz < 240 Hz", p.refresh_centihz / 100,
          p.refresh_centihz % 100);
    end_case("plan: 64x64 at 8 bits, 20 MHz: >= 240 Hz in <= 56 KiB single buffered, <= 88 KiB double buffered");
}

typedef struct {
    const char *what;
    hub75_config_t config;
} bad_config_t;

static void case_bad_configs(void) {
    hub75_config_t base = panel(64, 64, 1, 8);
    bad_config_t bad[32];
    size_t n = 0;
#define BAD(label, field, value)            \
    do {                                    \
        bad[n].what = label;                \
        bad[n].config = base;               \
        bad[n].config.field = value;        \
        n++;                                \
    } while (0)
    BAD("odd panel width", panel_width, 63);
    BAD("panel width 0", panel_width, 0);
    BAD("panel width 258", panel_width, 258);
    BAD("chain 0", chain, 0);
    BAD("chain 17", chain, 17);
    BAD("panel height 48", panel_height, 48);
    BAD("scan 4 on a 64-row panel (8 rows per address)", scan, 4);
    BAD("scan 12", scan, 12);
    BAD("scan 32 on a 32-row panel", panel_height, 32);
    BAD("unknown layout", layout, 3);
    BAD("row change blank 9", row_change_blank, 9);
    BAD("clock source 1 MHz", clock_source_hz, 1000000u);
    BAD("clock source 400 MHz", clock_source_hz, 400000000u);
    BAD("row layout with 2 chain rows", chain_rows, 2);
    BAD("depth 3", depth, 3);
    BAD("depth 9", depth, 9);
    BAD("clock 500 kHz", clock_hz, 500000u);
    BAD("clock 50 MHz", clock_hz, 50000000u);
    BAD("latch blanking 5", latch_blanking, 5);
    BAD("lsb units 17", lsb_units, 17);
    BAD("ceiling 101 %", brightness_ceiling, 101);
    BAD("unknown curve", curve, 3);
    BAD("gamma 0.5", gamma_x100, 50);
    BAD("unknown driver", driver, 6);
    BAD("double_buffer 2", double_buffer, 2);
    BAD("odd pad words", pad_words, 33);
    BAD("pad words 4096", pad_words, 4096);
#undef BAD
    bad[n].what = "serpentine of 3 panels in 2 rows";
    bad[n].config = base;
    bad[n].config.chain = 3;
    bad[n].config.layout = HUB75_LAYOUT_SERPENTINE;
    bad[n].config.chain_rows = 2;
    n++;
    bad[n].what = "four-scan chain too long (64 x 16 x 2 words)";
    bad[n].config = base;
    bad[n].config.chain = 16;
    bad[n].config.scan = 16;
    n++;
    bad[n].what = "clock divider over 255 (source 320 MHz, clock 1 MHz)";
    bad[n].config = base;
    bad[n].config.clock_source_hz = 320000000u;
    bad[n].config.clock_hz = 1000000u;
    n++;
    bad[n].what = "chain too wide (256 x 8)";
    bad[n].config = base;
    bad[n].config.panel_width = 256;
    bad[n].config.chain = 8;
    n++;
    for (size_t i = 0; i < n; i++) {
        begin_case();
        hub75_plan_t p;
        hub75_t *h = malloc(sizeof *h);
        hub75_memory_t mem = {{NULL, NULL}, NULL, NULL};
        CHECK(hub75_plan(&bad[i].config, &p) == HUB75_ERR_CONFIG, "plan accepted it");
        const char *reason = hub75_config_error(&bad[i].config);
        CHECK(reason != NULL && strlen(reason) > 10, "no reason given");
        CHECK(hub75_init(h, &bad[i].config, &mem, 100) == HUB75_ERR_CONFIG, "init accepted it");
        free(h);
        char name[200];
        snprintf(name, sizeof name, "config: %s is refused (%s)", bad[i].what, reason ? reason : "-");
        end_case(name);
    }
    begin_case();
    CHECK(hub75_config_error(&base) == NULL, "a valid configuration was refused: %s", hub75_config_error(&base));
    hub75_config_t zeroed = base;
    zeroed.scan = 0;
    zeroed.clock_hz = 0;
    zeroed.latch_blanking = 0;
    zeroed.lsb_units = 0;
    zeroed.brightness_ceiling = 0;
    hub75_plan_t a, b;
    CHECK(hub75_plan(&zeroed, &a) == HUB75_OK && hub75_plan(&base, &b) == HUB75_OK, "defaults refused");
    CHECK(a.words_per_refresh == b.words_per_refresh && a.dma_bytes == b.dma_bytes, "defaults differ from the documented ones");
    end_case("config: fields left at 0 take the documented defaults");
}

static void case_swap(void) {
    begin_case();
    hub75_config_t c = panel(64, 32, 1, 6);
    rig_t r;
    if (rig_open(&r, &c, 100) != 0) CHECK(0, "set-up failed");
    uint8_t *first = malloc(r.plan.input_bytes), *second = malloc(r.plan.input_bytes);
    fill_random(&r, 11);
    memcpy(first, r.frame, r.plan.input_bytes);
    fill_random(&r, 22);
    memcpy(second, r.frame, r.plan.input_bytes);

    memcpy(r.frame, first, r.plan.input_bytes);
    CHECK(hub75_push(r.h, r.frame, r.plan.input_bytes) == HUB75_OK, "first push refused");
    CHECK(r.h->swap_pending == HUB75_SWAP_WANTED, "no swap requested");
    /* Until the refresh boundary the old (black) picture stays and the chain keeps looping. */
    memset(r.frame, 0, r.plan.input_bytes);
    check_shows(&r, r.frame, 100);
    CHECK(!r.sim.ended, "the chain stopped before the loop was cut");
    CHECK(hub75_on_refresh_end(r.h) == NULL, "first refresh end asked for a restart");
    /* Cut: the next refresh is still the old picture, whole, and then the DMA stops. */
    check_shows(&r, r.frame, 100);
    CHECK(r.sim.ended, "the chain did not stop at the end of the refresh");
    CHECK(hub75_push(r.h, second, r.plan.input_bytes) == HUB75_ERR_BUSY, "push while a swap is pending was accepted");
    CHECK(r.h->counters.rejected == 1, "rejected counter %u", r.h->counters.rejected);
    CHECK(hub75_on_refresh_end(r.h) == hub75_chain_head(r.h), "restart point is not the head");
    check_shows(&r, first, 100);
    CHECK(!r.sim.ended, "the chain does not loop after the swap");

    /* Writing the back buffer never disturbs the picture being shown. */
    CHECK(hub75_push(r.h, second, r.plan.input_bytes) == HUB75_OK, "second push refused");
    check_shows(&r, first, 100);
    finish_swap(&r);
    check_shows(&r, second, 100);
    CHECK(r.h->front == 0 && r.h->back == 1, "buffers did not alternate (front %u)", r.h->front);
    CHECK(hub75_push(r.h, first, r.plan.input_bytes) == HUB75_OK, "third push refused");
    finish_swap(&r);
    check_shows(&r, first, 100);
    CHECK(r.h->front == 1, "buffers did not alternate back");
    CHECK(r.h->counters.swaps == 3 && r.h->counters.pushes == 3, "counters: %u swaps, %u pushes", r.h->counters.swaps,
          r.h->counters.pushes);
    /* Refresh ends without a pending swap change nothing and never ask for a restart. */
    CHECK(hub75_on_refresh_end(r.h) == NULL && hub75_on_refresh_end(r.h) == NULL, "restart without a swap");
    check_shows(&r, first, 100);
    CHECK(r.h->counters.swaps == 3 && !r.sim.ended, "a refresh end without a push changed the chain");
    free(first);
    free(second);
    rig_close(&r);
    end_case("double buffer: pushes land in the back buffer; the picture changes only at a refresh boundary, within two refreshes");
}

static void case_brightness_with_frame(void) {
    begin_case();
    hub75_config_t c = panel(64, 64, 1, 8);
    c.swap_halfwords = 1;
    rig_t r;
    if (rig_open(&r, &c, 100) != 0) CHECK(0, "set-up failed");
    uint8_t *shown = malloc(r.plan.input_bytes);
    fill_random(&r, 5);
    push_and_swap(&r);
    memcpy(shown, r.frame, r.plan.input_bytes);
    hub75_set_brightness(r.h, 30);
    check_shows(&r, shown, 100); /* nothing changes until a frame is pushed */
    fill_gradient(&r);
    CHECK(hub75_push(r.h, r.frame, r.plan.input_bytes) == HUB75_OK, "push refused");
    check_shows(&r, shown, 100); /* nor before the boundary */
    finish_swap(&r);
    check_shows(&r, r.frame, 30);
    free(shown);
    rig_close(&r);
    end_case("brightness: a change takes effect with the next frame, at a refresh boundary");
}

static void case_single_buffer(void) {
    begin_case();
    hub75_config_t c = panel(64, 32, 2, 8);
    c.double_buffer = 0;
    rig_t r;
    if (rig_open(&r, &c, 100) != 0) CHECK(0, "set-up failed");
    CHECK(r.plan.buffers == 1 && r.plan.dma_bytes == r.plan.frame_buffer_bytes + r.plan.pad_bytes + r.plan.desc_bytes,
          "single buffer plan counts %u bytes", r.plan.dma_bytes);
    fill_random(&r, 77);
    CHECK(hub75_push(r.h, r.frame, r.plan.input_bytes) == HUB75_OK, "push refused");
    CHECK(!r.h->swap_pending, "single buffer push waited for a swap");
    check_shows(&r, r.frame, 100);
    hub75_set_brightness(r.h, 45);
    fill_gradient(&r);
    CHECK(hub75_push(r.h, r.frame, r.plan.input_bytes) == HUB75_OK, "push refused");
    CHECK(r.h->swap_pending, "a brightness change did not wait for the boundary");
    finish_swap(&r);
    check_shows(&r, r.frame, 45);
    rig_close(&r);
    end_case("single buffer: pushes show at once; OE timing changes wait for the refresh boundary");
}

static void case_physical_brightness(unsigned brightness, unsigned ceiling) {
    begin_case();
    hub75_config_t c = panel(64, 64, 1, 8);
    c.brightness_ceiling = (uint8_t)ceiling;
    rig_t r;
    if (rig_open(&r, &c, brightness) != 0) CHECK(0, "set-up failed");
    for (uint32_t i = 0; i < r.plan.input_bytes; i++) r.frame[i] = (uint8_t)(i / 3);
    push_and_swap(&r);
    panel_sim_refresh(&r.sim, hub75_chain_head(r.h));
    CHECK(r.sim.errors == 0, "%s", r.sim.first_error);
    /* Light relative to the brightest LED at 100 %: ceiling * Y(L*(v) * brightness) * (2^depth - 1) * 2N
     * clocks, within n clocks (half a level step of 2n clocks). */
    const double share = ceiling / 100.0;
    const unsigned units = expected_units(&c, brightness);
    uint32_t previous = 0;
    for (unsigned v = 0; v < 256; v++) {
        unsigned x = v % 64, y = v / 64;
        uint32_t got = panel_sim_light(&r.sim, x, y, 0);
        double ideal = share * shown_luminance(&c, brightness, v) * 255.0 * 2.0 * 4.0;
        CHECK(fabs(got - ideal) <= units + 1e-9, "value %u: %u clocks, ideal %.2f (tolerance %u)", v, got, ideal, units);
        CHECK(got >= previous, "value %u is dimmer than value %u", v, v - 1);
        previous = got;
    }
    if (brightness == 0) CHECK(r.sim.lit_clocks == 0, "LEDs lit at brightness 0");
    uint32_t lit_max = r.plan.rows * 255u * 2u * units;
    CHECK(r.sim.lit_clocks == (units ? lit_max : 0), "OE on for %u clocks, expected %u", r.sim.lit_clocks, lit_max);
    rig_close(&r);
    char name[160];
    snprintf(name, sizeof name, "brightness %u %% with ceiling %u %%: light follows CIE 1931 lightness x brightness", brightness,
             ceiling);
    end_case(name);
}

static void case_refresh_independent_of_brightness(void) {
    begin_case();
    hub75_config_t c = panel(128, 64, 1, 7);
    rig_t r;
    if (rig_open(&r, &c, 100) != 0) CHECK(0, "set-up failed");
    fill_random(&r, 3);
    push_and_swap(&r);
    panel_sim_refresh(&r.sim, hub75_chain_head(r.h));
    uint64_t at_full = r.sim.clocks;
    hub75_set_brightness(r.h, 12);
    push_and_swap(&r);
    panel_sim_refresh(&r.sim, hub75_chain_head(r.h));
    CHECK(r.sim.clocks == at_full, "refresh length changed with brightness: %llu vs %llu clocks",
          (unsigned long long)r.sim.clocks, (unsigned long long)at_full);
    CHECK(r.sim.errors == 0, "%s", r.sim.first_error);
    rig_close(&r);
    end_case("brightness: the refresh rate does not depend on brightness");
}

static void case_single_pixel(unsigned x, unsigned y) {
    begin_case();
    hub75_config_t c = panel(64, 64, 2, 8);
    c.swap_halfwords = 1;
    rig_t r;
    if (rig_open(&r, &c, 100) != 0) CHECK(0, "set-up failed");
    memset(r.frame, 0, r.plan.input_bytes);
    r.frame[((size_t)y * r.plan.width + x) * 3 + 1] = 255;
    push_and_swap(&r);
    panel_sim_refresh(&r.sim, hub75_chain_head(r.h));
    CHECK(r.sim.errors == 0, "%s", r.sim.first_error);
    unsigned lit = 0;
    for (unsigned yy = 0; yy < r.plan.height; yy++)
        for (unsigned xx = 0; xx < r.plan.width; xx++)
            for (unsigned ch = 0; ch < 3; ch++)
                if (panel_sim_light(&r.sim, xx, yy, ch)) {
                    lit++;
                    CHECK(xx == x && yy == y && ch == 1, "LED (%u,%u) channel %u lit", xx, yy, ch);
                }
    CHECK(lit == 1, "%u LEDs lit", lit);
    CHECK(panel_sim_light(&r.sim, x, y, 1) == 255u * 2u * 4u, "full green lit %u clocks", panel_sim_light(&r.sim, x, y, 1));
    rig_close(&r);
    char name[120];
    snprintf(name, sizeof name, "geometry: pixel (%u,%u) of a 128x64 chain lights only its own green LED", x, y);
    end_case(name);
}

/* Hand-derived from the panel wiring, independent of the panel model: lighting frame pixel (x, y) red
 * must set exactly one colour bit in the most significant plane: `bit` (R1 = 0, R2 = 3) of shift word
 * `position` in address row `address`'s record. */
static void case_pixel_word(const char *what, hub75_config_t c, unsigned x, unsigned y, unsigned address,
                            unsigned position, unsigned bit) {
    begin_case();
    rig_t r;
    if (rig_open(&r, &c, 100) != 0) CHECK(0, "set-up failed");
    memset(r.frame, 0, r.plan.input_bytes);
    r.frame[((size_t)y * r.plan.width + x) * 3] = 255;
    push_and_swap(&r);
    const uint16_t *front = r.mem.frame[r.h->front];
    const unsigned top = r.plan.depth - 1u;
    unsigned found = 0;
    for (unsigned a = 0; a < r.plan.rows; a++)
        for (unsigned i = 0; i < r.plan.shift_words; i++) {
            unsigned colour = front[((size_t)a * r.plan.depth + top) * r.plan.stride + (i ^ c.swap_halfwords)] & HUB75_COLOUR_MASK;
            if (colour) {
                found++;
                CHECK(a == address && i == position && colour == (1u << bit),
                      "address %u word %u carries 0x%02X; expected address %u word %u bit %u", a, i, colour, address,
                      position, bit);
            }
        }
    CHECK(found == 1, "%u words carry the pixel", found);
    panel_sim_refresh(&r.sim, hub75_chain_head(r.h));
    CHECK(panel_sim_light(&r.sim, x, y, 0) == 255u * 2u * 4u, "the panel model lights (%u,%u) for %u clocks", x, y,
          panel_sim_light(&r.sim, x, y, 0));
    rig_close(&r);
    char name[200];
    snprintf(name, sizeof name, "mapping: %s: pixel (%u,%u) is shift word %u of address %u on %s", what, x, y, position,
             address, bit ? "R2" : "R1");
    end_case(name);
}

static hub75_config_t scanned(unsigned width, unsigned height, unsigned scan, unsigned chain, unsigned depth) {
    hub75_config_t c = panel(width, height, chain, depth);
    c.scan = (uint8_t)scan;
    return c;
}

static hub75_config_t grid(hub75_config_t c, unsigned layout, unsigned chain_rows) {
    c.layout = (uint8_t)layout;
    c.chain_rows = (uint8_t)chain_rows;
    return c;
}

static void cases_mappings(void) {
    /* Standard scans: one pixel row per half per address. */
    case_decode("scan 1/8: 32x16 panel, 8 bits: exact", scanned(32, 16, 8, 1, 8), 100);
    case_decode("scan 1/8: 64x16 panels, chain of 3, I2S word order: exact",
                (hub75_config_t){.panel_width = 64, .panel_height = 16, .chain = 3, .scan = 8, .depth = 6,
                                 .swap_halfwords = 1, .double_buffer = 1}, 80);
    /* Four-scan outdoor panels: several pixel rows per half per address, a longer shift. */
    case_decode("four-scan 32x16, 1/4 scan (2 rows per address and half): exact", scanned(32, 16, 4, 1, 8), 100);
    case_decode("four-scan 64x32, 1/8 scan: exact", scanned(64, 32, 8, 1, 8), 100);
    case_decode("four-scan 64x64, 1/16 scan, I2S word order: exact",
                (hub75_config_t){.panel_width = 64, .panel_height = 64, .scan = 16, .chain = 1, .depth = 7,
                                 .swap_halfwords = 1, .double_buffer = 1}, 100);
    case_decode("four-scan 64x32, 1/4 scan (4 rows per address and half): exact", scanned(64, 32, 4, 1, 5), 60);
    /* Chains. */
    case_decode("chain: three 32x16 1/4-scan panels in a row: exact", scanned(32, 16, 4, 3, 8), 100);
    case_decode("chain: serpentine 2x2 of 64x32 1/16 scan: exact", grid(panel(64, 32, 4, 8), HUB75_LAYOUT_SERPENTINE, 2), 100);
    {
        hub75_config_t c = grid(panel(64, 64, 3, 6), HUB75_LAYOUT_SERPENTINE, 3);
        c.swap_halfwords = 1;
        case_decode("chain: serpentine column of three 64x64, I2S word order: exact", c, 90);
    }
    case_decode("chain: serpentine 3x2 of 32x16 1/4-scan panels: exact",
                grid(scanned(32, 16, 4, 6, 8), HUB75_LAYOUT_SERPENTINE, 2), 100);
    case_decode("chain: zigzag 2x2 of 32x16 1/8 scan: exact", grid(scanned(32, 16, 8, 4, 8), HUB75_LAYOUT_ZIGZAG, 2), 100);
    {
        hub75_config_t c = grid(scanned(64, 32, 8, 4, 8), HUB75_LAYOUT_SERPENTINE, 2);
        c.driver = HUB75_DRIVER_DP3246;
        case_decode("chain: DP3246 serpentine 2x2 of 64x32 1/8-scan panels: exact", c, 100);
    }
    /* Hand-derived words. */
    hub75_config_t four = scanned(32, 16, 4, 1, 8);
    case_pixel_word("four-scan 32x16 1/4", four, 0, 0, 0, 32, 0);
    case_pixel_word("four-scan 32x16 1/4", four, 0, 4, 0, 0, 0);
    case_pixel_word("four-scan 32x16 1/4", four, 5, 8, 0, 37, 3);
    case_pixel_word("four-scan 32x16 1/4", four, 31, 15, 3, 31, 3);
    hub75_config_t snake = grid(scanned(32, 16, 8, 2, 8), HUB75_LAYOUT_SERPENTINE, 2);
    case_pixel_word("serpentine 1x2 of 32x16", snake, 0, 0, 0, 0, 0);
    case_pixel_word("serpentine 1x2 of 32x16 (second panel upside down)", snake, 0, 31, 0, 63, 0);
    case_pixel_word("serpentine 1x2 of 32x16 (second panel upside down)", snake, 31, 16, 7, 32, 3);
    hub75_config_t zig = grid(scanned(32, 16, 8, 2, 8), HUB75_LAYOUT_ZIGZAG, 2);
    case_pixel_word("zigzag 1x2 of 32x16", zig, 0, 31, 7, 32, 3);
}

/* The pixel clock the peripheral can make: source / integer divider >= 2, never faster than asked. */
static void case_clock(unsigned source, unsigned wanted, unsigned divider, unsigned actual) {
    begin_case();
    hub75_config_t c = panel(64, 32, 1, 6);
    c.clock_source_hz = source;
    c.clock_hz = wanted;
    rig_t r;
    if (rig_open(&r, &c, 100) != 0) CHECK(0, "set-up failed");
    CHECK(r.plan.clock_divider == divider && r.plan.clock_hz == actual, "divider %u, clock %u Hz; expected %u, %u Hz",
          r.plan.clock_divider, r.plan.clock_hz, divider, actual);
    /* The refresh rate follows the clock actually made: clocks per refresh counted by the panel model. */
    fill_random(&r, 8);
    push_and_swap(&r);
    check_shows(&r, r.frame, 100);
    uint32_t centihz = (uint32_t)((uint64_t)actual * 100u / r.sim.clocks);
    CHECK(r.plan.refresh_centihz == centihz, "plan says %u.%02u Hz, the clock and the walk give %u.%02u Hz",
          r.plan.refresh_centihz / 100, r.plan.refresh_centihz % 100, centihz / 100, centihz % 100);
    rig_close(&r);
    char name[200];
    snprintf(name, sizeof name, "clock: %.3f MHz wanted from a %u MHz source -> divider %u, %.3f MHz, refresh from that clock",
             wanted / 1e6, source / 1000000u, divider, actual / 1e6);
    end_case(name);
}

/* Ghosting fix: the address lines change only after OE has been off row_change_blank clocks. */
static void case_row_change_blank(unsigned blank, unsigned driver, unsigned swap) {
    char name[200];
    hub75_config_t c = panel(64, 32, 1, 8);
    c.row_change_blank = (uint8_t)blank;
    c.driver = (uint8_t)driver;
    c.swap_halfwords = (uint8_t)swap;
    snprintf(name, sizeof name, "ghosting fix: address held %u clocks with OE off at each row change%s%s: exact", blank,
             driver == HUB75_DRIVER_DP3246 ? ", DP3246" : "", swap ? ", I2S word order" : "");
    case_decode(name, c, 100);
    /* Timing and memory are unchanged: the held words are data-record words. */
    hub75_config_t plain = panel(64, 32, 1, 8);
    plain.driver = (uint8_t)driver;
    hub75_plan_t a, b;
    begin_case();
    CHECK(hub75_plan(&c, &a) == HUB75_OK && hub75_plan(&plain, &b) == HUB75_OK, "plan refused");
    CHECK(a.words_per_refresh == b.words_per_refresh && a.dma_bytes == b.dma_bytes, "the ghosting fix changed timing or memory");
    snprintf(name, sizeof name, "ghosting fix %u: same refresh rate and memory as without", blank);
    end_case(name);
}

static void case_settle_caught(void) {
    begin_case();
    hub75_config_t c = panel(64, 32, 1, 5);
    rig_t r;
    if (rig_open(&r, &c, 100) != 0) CHECK(0, "set-up failed");
    r.sim.address_settle = 4; /* a slow row driver; the stream holds the address for 1 clock only */
    panel_sim_refresh(&r.sim, hub75_chain_head(r.h));
    CHECK(r.sim.errors > 0 && strstr(r.sim.first_error, "after OE went off"), "no breach reported: %s", r.sim.first_error);
    rig_close(&r);
    end_case("panel model: reports an address change 1 clock after OE off when the rows need 4");
}

static void case_bad_frames(void) {
    begin_case();
    hub75_config_t c = panel(64, 32, 1, 8);
    rig_t r;
    if (rig_open(&r, &c, 100) != 0) CHECK(0, "set-up failed");
    fill_random(&r, 9);
    push_and_swap(&r);
    uint8_t *shown = malloc(r.plan.input_bytes);
    memcpy(shown, r.frame, r.plan.input_bytes);
    uint8_t *longer = calloc(r.plan.input_bytes + 1, 1);
    CHECK(hub75_push(r.h, r.frame, r.plan.input_bytes - 1) == HUB75_ERR_FRAME_SIZE, "short frame accepted");
    CHECK(hub75_push(r.h, longer, r.plan.input_bytes + 1) == HUB75_ERR_FRAME_SIZE, "long frame accepted");
    CHECK(hub75_push(r.h, r.frame, 0) == HUB75_ERR_FRAME_SIZE, "empty frame accepted");
    CHECK(hub75_push(r.h, NULL, r.plan.input_bytes) == HUB75_ERR_FRAME_SIZE, "NULL frame accepted");
    CHECK(!r.h->swap_pending && r.h->counters.rejected == 4, "rejected pushes: %u", r.h->counters.rejected);
    check_shows(&r, shown, 100);
    free(longer);
    free(shown);
    rig_close(&r);
    end_case("frames: a frame of the wrong size is refused and the picture stays");
}

static void case_bad_memory(void) {
    begin_case();
    hub75_config_t c = panel(64, 32, 1, 8);
    hub75_plan_t p;
    hub75_plan(&c, &p);
    hub75_t *h = malloc(sizeof *h);
    uint16_t *frame0 = malloc(p.frame_buffer_bytes), *frame1 = malloc(p.frame_buffer_bytes);
    uint16_t *pads = malloc(p.pad_bytes + 4);
    hub75_desc_t *descs = malloc(p.desc_count * sizeof *descs);
    hub75_memory_t mem = {{frame0, NULL}, pads, descs};
    CHECK(hub75_init(h, &c, &mem, 100) == HUB75_ERR_MEMORY, "double buffer without a second buffer accepted");
    mem.frame[1] = frame1;
    mem.pads = (uint16_t *)(void *)((uint8_t *)pads + 2);
    CHECK(hub75_init(h, &c, &mem, 100) == HUB75_ERR_MEMORY, "misaligned idle buffer accepted");
    mem.pads = pads;
    CHECK(hub75_init(h, &c, &mem, 100) == HUB75_OK, "good memory refused");
    CHECK(hub75_init(h, &c, NULL, 100) == HUB75_ERR_MEMORY, "no memory accepted");
    free(h);
    free(frame0);
    free(frame1);
    free(pads);
    free(descs);
    end_case("memory: missing or misaligned DMA blocks are refused");
}

static void case_reuse(void) {
    begin_case();
    hub75_config_t c = panel(64, 64, 1, 8);
    rig_t r;
    if (rig_open(&r, &c, 100) != 0) CHECK(0, "set-up failed");
    fill_random(&r, 1);
    push_and_swap(&r);
    panel_sim_refresh(&r.sim, hub75_chain_head(r.h));
    uint64_t stored = (uint64_t)r.plan.frame_buffer_bytes + r.plan.pad_bytes;
    CHECK(r.sim.bytes_read == 2ull * r.plan.words_per_refresh, "bytes read %llu", (unsigned long long)r.sim.bytes_read);
    /* Every descriptor points into the front frame buffer or the idle runs: nothing else is stored. */
    const uint8_t *front = (const uint8_t *)r.mem.frame[r.h->front];
    const uint8_t *pads = (const uint8_t *)r.mem.pads;
    unsigned outside = 0, into_front = 0;
    for (uint32_t i = 0; i < r.plan.desc_count; i++) {
        const uint8_t *b = r.mem.descs[i].buf;
        uint32_t len = (r.mem.descs[i].ctrl >> 12) & 0xFFFu;
        if (b >= front && b + len <= front + r.plan.frame_buffer_bytes) into_front++;
        else if (!(b >= pads && b + len <= pads + r.plan.pad_bytes)) outside++;
    }
    CHECK(outside == 0, "%u descriptors point outside the DMA blocks", outside);
    CHECK(into_front == (uint32_t)r.plan.rows * r.plan.depth, "%u data descriptors", into_front);
    CHECK(r.sim.bytes_read > 2 * stored, "streams %llu bytes from %llu stored: no reuse", (unsigned long long)r.sim.bytes_read,
          (unsigned long long)stored);
    rig_close(&r);
    end_case("descriptors: weighted time is replayed from shared idle runs, not stored");
}

/* What each chip must receive before the refresh starts, from its datasheet / public docs (written
 * here independently of the core's tables): the register writes in order, as a chip decodes them. */
struct chip {
    unsigned driver;
    const char *name;
    size_t writes;
    unsigned latch[5];
    uint16_t value[5];
    size_t extra_words; /* clocks beyond the full-width shifts */
    unsigned data_latch; /* LAT clocks of a display-data latch in the refresh */
    unsigned rising_edge;
};

static const chip_t chips[] = {
    {HUB75_DRIVER_FM6126A, "FM6126A", 3, {11, 12, 1}, {0x7FFF, 0x0040, 0}, 0, 1, 0},
    {HUB75_DRIVER_ICN2038S, "ICN2038S", 3, {11, 12, 1}, {0x7FFF, 0x0040, 0}, 0, 1, 0},
    {HUB75_DRIVER_FM6124, "FM6124", 3, {11, 12, 1}, {0x7FFF, 0x0040, 0}, 0, 1, 0},
    /* DP3246: clear (LAT 3), register 1 = current gain 0xFF (LAT 11), register 2 = blanking potential
       and inflection point all ones (LAT 12), a 2-clock gap, clear (LAT 3). */
    {HUB75_DRIVER_DP3246, "DP3246", 4, {3, 11, 12, 3}, {0, 0x00FF, 0xFF00, 0}, 2, 3, 1},
};

static const chip_t *chip_of(unsigned driver) {
    for (size_t i = 0; i < sizeof chips / sizeof chips[0]; i++)
        if (chips[i].driver == driver) return &chips[i];
    return NULL;
}

static unsigned data_latch_of(unsigned driver) {
    const chip_t *chip = chip_of(driver);
    return chip ? chip->data_latch : 1;
}

static void case_init_sequence(unsigned driver, unsigned width, unsigned swap) {
    begin_case();
    const chip_t *chip = chip_of(driver);
    hub75_config_t c = panel(64, 32, width / 64, 8);
    c.driver = (uint8_t)driver;
    c.swap_halfwords = (uint8_t)swap;
    hub75_plan_t p;
    CHECK(hub75_plan(&c, &p) == HUB75_OK, "plan refused");
    size_t need = hub75_init_sequence_words(&p, c.driver);
    CHECK(need == chip->writes * width + chip->extra_words, "%zu words for the set-up", need);
    CHECK(need % 2 == 0, "odd set-up length %zu breaks the DMA's 4-byte rule", need);
    uint16_t *words = malloc((need ? need : 1) * sizeof *words);
    CHECK(hub75_init_sequence(&p, c.driver, words, need - 1) == 0, "wrote into a buffer too small");
    CHECK(hub75_init_sequence(&p, c.driver, words, need) == need, "short set-up sequence");
    panel_sim_write_t writes[6];
    size_t n = panel_sim_register_writes(words, need, width, swap, writes, 6);
    CHECK(n == chip->writes, "%zu register writes, expected %zu", n, chip->writes);
    for (size_t w = 0; w < n && w < chip->writes; w++) {
        CHECK(writes[w].latch_clocks == chip->latch[w], "write %zu held LAT %u clocks, expected %u", w,
              writes[w].latch_clocks, chip->latch[w]);
        CHECK(writes[w].lines_agree, "write %zu: colour lines disagree", w);
        for (unsigned k = 0; k < width / 16; k++)
            CHECK(writes[w].chip_value[k] == chip->value[w], "write %zu chip %u got 0x%04X, expected 0x%04X", w, k,
                  writes[w].chip_value[k], chip->value[w]);
    }
    for (size_t i = 0; i < need; i++) {
        CHECK(!(words[i] & (1u << HUB75_BIT_EN)), "LEDs enabled during set-up");
        CHECK(!(words[i] & 0xE000u), "unused lines driven during set-up");
    }
    CHECK(p.latch_words == chip->data_latch, "data latch of %u clocks, expected %u", p.latch_words, chip->data_latch);
    CHECK(p.clock_phase == chip->rising_edge, "clock phase %u, expected %u", p.clock_phase, chip->rising_edge);
    free(words);
    char name[200];
    snprintf(name, sizeof name, "driver %s, %u columns%s: set-up stream decodes to", chip->name, width,
             swap ? ", I2S word order" : "");
    for (size_t w = 0; w < chip->writes; w++) {
        size_t len = strlen(name);
        snprintf(name + len, sizeof name - len, "%s 0x%04X (LAT %u)", w ? "," : "", chip->value[w], chip->latch[w]);
    }
    end_case(name);
}

/* The MBI5124 is a plain shift register: no set-up, but its LAT resets on a rising clock edge while
 * high, so the data must change on the rising edge: the plan forces the clock phase. */
static void case_mbi5124(void) {
    begin_case();
    hub75_config_t c = panel(64, 32, 1, 8);
    c.driver = HUB75_DRIVER_MBI5124;
    c.clock_phase = 0;
    hub75_plan_t p, plain;
    CHECK(hub75_plan(&c, &p) == HUB75_OK, "plan refused");
    uint16_t word;
    size_t count = 99;
    CHECK(hub75_driver_registers(HUB75_DRIVER_MBI5124, &count) == NULL && count == 0, "MBI5124 has register writes");
    CHECK(hub75_init_sequence_words(&p, c.driver) == 0 && hub75_init_sequence(&p, c.driver, &word, 1) == 0,
          "set-up words for the MBI5124");
    CHECK(p.clock_phase == 1, "clock phase not inverted for the MBI5124");
    CHECK(p.latch_words == 1, "data latch of %u clocks", p.latch_words);
    hub75_config_t s = c;
    s.driver = HUB75_DRIVER_SHIFTREG;
    hub75_plan(&s, &plain);
    CHECK(plain.clock_phase == 0, "plain shift registers got the inverted phase");
    CHECK(plain.words_per_refresh == p.words_per_refresh && plain.dma_bytes == p.dma_bytes,
          "the MBI5124 changes the timing or memory");
    end_case("driver MBI5124: no set-up writes, same stream as a shift register, clock phase forced to the rising edge");
}

static void case_plain_shift_register(void) {
    begin_case();
    hub75_config_t c = panel(64, 32, 1, 8);
    hub75_plan_t p;
    hub75_plan(&c, &p);
    uint16_t word;
    size_t count = 99;
    CHECK(hub75_driver_registers(HUB75_DRIVER_SHIFTREG, &count) == NULL && count == 0, "plain shift registers have writes");
    CHECK(hub75_init_sequence_words(&p, HUB75_DRIVER_SHIFTREG) == 0, "set-up words for plain shift registers");
    CHECK(hub75_init_sequence(&p, HUB75_DRIVER_SHIFTREG, &word, 1) == 0, "set-up written for plain shift registers");
    end_case("driver: plain shift registers need no set-up");
}

/* The model must notice broken streams, or the cases above prove nothing. */
static void case_sim_catches(void) {
    hub75_config_t c = panel(64, 32, 1, 4);
    {
        begin_case();
        hub75_config_t d = panel(64, 32, 1, 4);
        rig_t r;
        if (rig_open(&r, &d, 100) != 0) CHECK(0, "set-up failed");
        r.sim.latch_clocks = 3; /* a DP3246 fed the 1-clock latch of a plain shift register */
        panel_sim_refresh(&r.sim, hub75_chain_head(r.h));
        CHECK(r.sim.errors > 0 && strstr(r.sim.first_error, "LAT high for 1"), "no breach reported: %s", r.sim.first_error);
        rig_close(&r);
        end_case("panel model: reports a 1-clock latch to a chip that latches on 3");
    }
    const char *names[5] = {
        "panel model: reports a latch while lit",
        "panel model: reports an address change while lit",
        "panel model: reports a descriptor with a bad length",
        "panel model: reports a chain that never returns to its head",
        "panel model: reports a corrupted data word as a wrong picture",
    };
    for (unsigned t = 0; t < 5; t++) {
        begin_case();
        rig_t r;
        if (rig_open(&r, &c, 100) != 0) CHECK(0, "set-up failed");
        fill_random(&r, 4);
        push_and_swap(&r);
        hub75_desc_t *d = r.mem.descs;
        uint16_t *front = r.mem.frame[r.h->front];
        switch (t) {
        case 0: front[r.plan.width - 1] |= 1u << HUB75_BIT_EN; break;
        case 1: r.mem.pads[r.plan.pad_words + r.plan.blank_words + 3] ^= 1u << HUB75_BIT_A; break; /* lit, row 0 */
        case 2: d[1].ctrl = (d[1].ctrl & ~0xFFFFFFu) | (6u << 12) | 6u; break;
        case 3: d[r.plan.desc_count - 1].next = &d[1]; r.sim.max_descriptors = 10 * r.plan.desc_count; break;
        default: front[5] ^= 1u; break;
        }
        if (t < 4) {
            panel_sim_refresh(&r.sim, hub75_chain_head(r.h));
            CHECK(r.sim.errors > 0, "no breach reported");
        } else {
            /* check_shows marks the case failed when it sees the wrong picture, which is the expected
               outcome here: keep only whether it did, then judge that. */
            int saved = case_failed;
            check_shows(&r, r.frame, 100);
            int seen = case_failed && !saved;
            case_failed = saved;
            if (!saved) case_message[0] = 0;
            CHECK(seen, "corruption not seen");
        }
        rig_close(&r);
        end_case(names[t]);
    }
}

/* With dithering each push rounds a channel's level up or down; over 16 pushes every pixel has met all
 * 16 thresholds, so its summed light is exactly its level in 1/16 steps x 2n clocks: bit-exact through
 * every scan mapping and chain layout. */
static void case_dither_exact(const char *name, hub75_config_t c, unsigned brightness) {
    begin_case();
    c.dither = 1;
    rig_t r;
    uint32_t *sum = NULL;
    if (rig_open(&r, &c, brightness) != 0) {
        CHECK(0, "set-up failed");
    } else {
        const size_t channels = (size_t)r.plan.width * r.plan.height * 3;
        sum = calloc(channels, sizeof *sum);
        fill_random(&r, 0xD17E4u ^ c.panel_width ^ brightness);
        for (unsigned n = 0; n < 16; n++) {
            push_and_swap(&r);
            panel_sim_refresh(&r.sim, hub75_chain_head(r.h));
            CHECK(r.sim.errors == 0, "signal rule broken: %s", r.sim.first_error);
            for (unsigned y = 0; y < r.plan.height; y++)
                for (unsigned x = 0; x < r.plan.width; x++)
                    for (unsigned ch = 0; ch < 3; ch++) sum[((size_t)y * r.plan.width + x) * 3 + ch] += panel_sim_light(&r.sim, x, y, ch);
        }
        const unsigned units = expected_units(&c, brightness);
        const double top = (double)((1u << c.depth) - 1u);
        const double share = units ? expected_scale(&c, brightness, units) : 0;
        uint32_t mismatches = 0;
        for (size_t i = 0; i < channels && mismatches == 0; i++) {
            const unsigned v = r.frame[i];
            const double y = c.curve == HUB75_CURVE_CIE1931 ? shown_luminance(&c, brightness, v) : luminance(c.curve, c.gamma_x100, v);
            const uint32_t fine = (uint32_t)floor(y * top * share * 16 + 0.5);
            if (sum[i] != fine * 2u * units && mismatches++ == 0)
                CHECK(0, "pixel %zu channel %zu value %u: %u clocks over 16 pushes, expected %u", i / 3, i % 3, v, sum[i],
                      fine * 2u * units);
        }
    }
    free(sum);
    rig_close(&r);
    end_case(name);
}

/* Dithering measured against the ideal through the panel model: a ramp of 128 dim colours (L* 0.4 .. 25),
 * in linear light, in output levels (one LSB step = 1). Without dithering each channel is rounded to
 * a whole level, so the dimmest colours go black or lose a channel (their hue turns); with it, the
 * mean over a 4x4 block in one push, and over 16 pushes per pixel, is the exact level to 1/16 step. */
static void print_quality(const char *what, const hub75_quality_t *q) {
    printf("# %s: mean error %.3f levels, max %.3f; hue error mean %.1f deg, max %.1f deg; %u of %u off by > 5 deg, "
           "%u black\n",
           what, q->mean_error, q->max_error, q->mean_hue_deg, q->max_hue_deg, q->off_hue, q->colours, q->black);
}

static void case_dither_quality(unsigned brightness) {
    begin_case();
    hub75_quality_t plain, plain_block, still, moving;
    CHECK(hub75_measure_dim_ramp(0, brightness, 1, 0, 0, &plain) == 0, "measurement without dithering failed");
    CHECK(hub75_measure_dim_ramp(0, brightness, 1, 1, 0, &plain_block) == 0, "measurement without dithering failed");
    CHECK(hub75_measure_dim_ramp(1, brightness, 1, 1, 0, &still) == 0, "measurement with dithering failed");
    CHECK(hub75_measure_dim_ramp(1, brightness, 16, 0, 0, &moving) == 0, "measurement with dithering failed");
    print_quality("no dithering, per pixel", &plain);
    print_quality("no dithering, 4x4 block", &plain_block);
    print_quality("dithering, one push, 4x4 block", &still);
    print_quality("dithering, 16 pushes, per pixel", &moving);
    /* One step of the level table is units / N of a full-brightness level (brightness is OE time). */
    const hub75_config_t c = panel(64, 32, 1, 8);
    const double step = expected_units(&c, brightness) / 4.0;
    /* Rounding to whole levels: up to half a step, and the dimmest colours lose their hue. */
    CHECK(plain.max_error > 0.4 * step && plain.off_hue > 10, "the plain figures changed: max %.3f, %u off hue", plain.max_error,
          plain.off_hue);
    /* Dithered: within 1/32 level of the ideal (the 1/16 fine table's rounding) plus the float slack. */
    CHECK(still.max_error <= step / 32 + 1e-6, "4x4 block mean off by %.4f levels", still.max_error);
    CHECK(moving.max_error <= step / 32 + 1e-6, "16-push mean off by %.4f levels", moving.max_error);
    CHECK(still.mean_error * 8 < plain_block.mean_error, "dithering improves the mean error only to %.4f from %.4f",
          still.mean_error, plain_block.mean_error);
    CHECK(moving.black == 0 && still.black == 0, "dithered colours shown black: %u, %u", still.black, moving.black);
    CHECK(moving.mean_hue_deg * 4 < plain.mean_hue_deg && still.off_hue * 4 <= plain_block.off_hue,
          "hue error with dithering %.2f deg (%u off) vs %.2f deg (%u off)", moving.mean_hue_deg, still.off_hue,
          plain.mean_hue_deg, plain_block.off_hue);
    char name[160];
    snprintf(name, sizeof name, "dithering at %u %%: dim colours keep their level (<= 1/32 step) and hue on average", brightness);
    end_case(name);
}

/* ---- temporal dithering of stills ---- */

/* The DMA's interrupt, dispatched as hub75_esp32.c does: the half-refresh descriptor or the tail. */
static const hub75_desc_t *rig_interrupt(void *ctx, const hub75_desc_t *eof) {
    rig_t *r = ctx;
    if (eof == hub75_half_desc(r->h)) {
        hub75_on_half_refresh(r->h);
        return NULL;
    }
    return hub75_on_refresh_end(r->h);
}

/* Per-refresh light of a run, kept for up to 16 refreshes. */
typedef struct {
    rig_t *r;
    uint32_t *light[16];
    unsigned count;
} refreshes_t;

static const hub75_desc_t *refreshes_interrupt(void *ctx, const hub75_desc_t *eof) {
    return rig_interrupt(((refreshes_t *)ctx)->r, eof);
}

static void keep_refresh(void *ctx, const panel_sim_t *sim) {
    refreshes_t *k = ctx;
    const size_t n = (size_t)sim->frame_width * sim->frame_height * 3;
    if (k->count < 16 && (k->light[k->count] = malloc(n * sizeof(uint32_t))) != NULL)
        memcpy(k->light[k->count++], sim->light, n * sizeof(uint32_t));
}

static void refreshes_free(refreshes_t *k) {
    for (unsigned i = 0; i < k->count; i++) free(k->light[i]);
    k->count = 0;
}

/* Runs the DMA with its interrupts (at `latency` descriptors) until no swap is pending. */
static void run_until_settled(rig_t *r, unsigned latency) {
    for (unsigned i = 0; i < 4 && r->h->swap_pending; i++) {
        panel_sim_run(&r->sim, hub75_chain_head(r->h), 1, latency, rig_interrupt, NULL, r);
        CHECK(r->sim.errors == 0, "signal rule broken: %s", r->sim.first_error);
    }
    CHECK(!r->h->swap_pending, "the swap or settle did not complete within four refreshes");
}

/* The corrected level of input v in 1/16 steps, from the definitions (as case_dither_exact). */
static uint32_t fine_of(const hub75_config_t *c, unsigned brightness, unsigned v) {
    const unsigned units = expected_units(c, brightness);
    if (units == 0) return 0;
    const double top = (double)((1u << c->depth) - 1u);
    const double y = c->curve == HUB75_CURVE_CIE1931 ? shown_luminance(c, brightness, v) : luminance(c->curve, c->gamma_x100, v);
    return (uint32_t)floor(y * top * expected_scale(c, brightness, units) * 16 + 0.5);
}

/* A still alternates its two phases, one whole phase per refresh, with the interrupt `latency`
 * descriptors late. On a plain panel (one row of panels, scan = height / 2: LED (x, y) is shift word x
 * of address y mod scan) each refresh is checked against the phase computed here: thresholds
 * bayer4 / 2 (+ 8 for phase 1) at (x mod 4, y mod 4), level (fine + t) >> 4. On any panel the refreshes
 * must alternate two pictures exactly (no refresh mixes them) and each pixel's two refreshes must
 * average its level within 1/2 step. Returns the number of mixed refreshes seen (for the negative case). */
static unsigned temporal_run(rig_t *r, unsigned brightness, unsigned latency, int plain_panel) {
    static const uint8_t bayer[4][4] = {{0, 8, 2, 10}, {12, 4, 14, 6}, {3, 11, 1, 9}, {15, 7, 13, 5}};
    const hub75_config_t *c = &r->config;
    const unsigned units = expected_units(c, brightness);
    const size_t channels = (size_t)r->plan.width * r->plan.height * 3;
    refreshes_t kept = {r, {NULL}, 0};
    unsigned mixed = 0;
    CHECK(hub75_push_still(r->h, r->frame, r->plan.input_bytes) == HUB75_OK, "still refused");
    run_until_settled(r, latency);
    CHECK(hub75_hold(r->h, r->frame, r->plan.input_bytes) == HUB75_OK, "hold refused");
    /* One refresh for the interrupts to take phase 1 up, then twelve kept. */
    panel_sim_run(&r->sim, hub75_chain_head(r->h), 1, latency, rig_interrupt, NULL, r);
    panel_sim_run(&r->sim, hub75_chain_head(r->h), 12, latency, refreshes_interrupt, keep_refresh, &kept);
    CHECK(r->sim.errors == 0, "signal rule broken: %s", r->sim.first_error);
    CHECK(kept.count == 12, "%u refreshes walked", kept.count);
    for (unsigned k = 0; k + 2 < kept.count; k++) {
        int same_next = memcmp(kept.light[k], kept.light[k + 1], channels * sizeof(uint32_t)) == 0;
        int same_after = memcmp(kept.light[k], kept.light[k + 2], channels * sizeof(uint32_t)) == 0;
        if (same_next || !same_after) mixed++;
    }
    for (unsigned k = 0; k < kept.count && mixed == 0; k++) {
        uint32_t bad = 0;
        int phase = -1; /* which phase refresh k shows: set by the first pixel whose phases differ */
        for (size_t i = 0; i < channels && bad == 0; i++) {
            const size_t pixel = i / 3;
            const unsigned x = (unsigned)(pixel % r->plan.width), y = (unsigned)(pixel / r->plan.width);
            const uint32_t fine = fine_of(c, brightness, r->frame[i]);
            if (k + 1 < kept.count) {
                /* Two refreshes, one of each phase: floor((f + t) / 8) levels in all, within 1/2 level of f / 16 on average. */
                const double shown = (kept.light[k][i] + kept.light[k + 1][i]) / (4.0 * units);
                if (units && fabs(shown - fine / 16.0) >= 0.5 && bad++ == 0)
                    CHECK(0, "refreshes %u+%u, pixel (%u,%u) channel %zu: %.3f levels on average, ideal %.3f", k, k + 1, x, y,
                          i % 3, shown, fine / 16.0);
            }
            if (plain_panel) {
                const unsigned t0 = bayer[y & 3u][x & 3u] >> 1;
                const uint32_t a = ((fine + t0) >> 4) * 2u * units, b = ((fine + t0 + 8u) >> 4) * 2u * units;
                const uint32_t got = kept.light[k][i];
                if (phase < 0 && a != b) phase = got == b;
                if (got != (phase == 1 ? b : a) && bad++ == 0) {
                    mixed++;
                    CHECK(0, "refresh %u (phase %d), pixel (%u,%u) channel %zu: %u clocks, phase 0 gives %u, phase 1 %u", k,
                          phase, x, y, i % 3, got, a, b);
                }
            }
        }
    }
    refreshes_free(&kept);
    return mixed;
}

static void case_temporal(const char *name, hub75_config_t c, unsigned brightness, int plain_panel) {
    begin_case();
    c.dither = 1;
    rig_t r;
    if (rig_open(&r, &c, brightness) != 0) {
        CHECK(0, "set-up failed");
    } else {
        fill_random(&r, 0x7E3F0u ^ c.panel_width ^ brightness);
        /* Latency: none, one descriptor, and just under half a refresh. */
        const unsigned latencies[3] = {0, 1, r.plan.desc_count / 2u - r.plan.descs_per_row};
        for (unsigned l = 0; l < 3; l++) {
            unsigned mixed = temporal_run(&r, brightness, latencies[l], plain_panel);
            CHECK(mixed == 0, "interrupt %u descriptors late: %u refreshes mix the phases", latencies[l], mixed);
            CHECK(r.h->alternating, "not alternating");
            /* Back to one buffer for the next still. */
            CHECK(hub75_settle(r.h) == 1, "settle had nothing to wait for");
            run_until_settled(&r, latencies[l]);
            CHECK(!r.h->alternating, "still alternating after the settle");
        }
    }
    rig_close(&r);
    end_case(name);
}

/* The check above can fail: an interrupt later than half a refresh re-points rows after the DMA has
 * read some of them, and refreshes mix the phases. */
static void case_temporal_late_interrupt(void) {
    begin_case();
    hub75_config_t c = panel(64, 32, 1, 8);
    c.dither = 1;
    rig_t r;
    if (rig_open(&r, &c, 100) != 0) CHECK(0, "set-up failed");
    fill_random(&r, 99);
    const int saved = case_failed;
    unsigned mixed = temporal_run(&r, 100, r.plan.desc_count / 2u + 2u * r.plan.descs_per_row, 1);
    case_failed = saved;
    if (!saved) case_message[0] = 0;
    CHECK(mixed > 0, "no mixed refresh seen with the interrupt more than half a refresh late");
    rig_close(&r);
    end_case("temporal dithering: the model sees mixed refreshes when the interrupt is over half a refresh late");
}

/* The protocol around the alternation: no push while both buffers are on show, a settle frees one within
 * half a refresh, the next push shows whole; hold needs a still at the current brightness; without
 * temporal dithering there is no half-refresh descriptor and hold does nothing. */
static void case_temporal_protocol(void) {
    begin_case();
    hub75_config_t c = panel(64, 64, 1, 8);
    c.dither = 1;
    c.swap_halfwords = 1;
    rig_t r;
    if (rig_open(&r, &c, 100) != 0) CHECK(0, "set-up failed");
    const hub75_plan_t *p = &r.plan;
    /* Chain invariants: the half-refresh descriptor ends row rows / 2 - 1 and leads to row rows / 2. */
    CHECK(p->half_desc == (p->rows / 2u) * p->descs_per_row - 1u, "half descriptor %u", p->half_desc);
    CHECK(r.mem.descs[p->half_desc].next == &r.mem.descs[(p->rows / 2u) * p->descs_per_row + p->plane_desc[0]],
          "the half descriptor does not lead to the second half's first record");
    unsigned eofs = 0;
    for (uint32_t i = 0; i < p->desc_count; i++) eofs += !!(r.mem.descs[i].ctrl & HUB75_DESC_EOF);
    CHECK(eofs == 2 && (r.mem.descs[p->desc_count - 1].ctrl & HUB75_DESC_EOF), "%u end-of-frame flags", eofs);
    hub75_config_t plain = c;
    plain.dither = 0;
    hub75_plan_t q;
    hub75_plan(&plain, &q);
    CHECK(q.half_desc == 0 && q.dma_bytes == p->dma_bytes && q.words_per_refresh == p->words_per_refresh,
          "temporal dithering changes memory or timing");
    plain = c;
    plain.double_buffer = 0;
    hub75_plan(&plain, &q);
    CHECK(q.half_desc == 0, "a single buffer has a half-refresh descriptor");

    /* A frame of 0 and 255 only shows the same in every phase: check_shows applies. */
    for (uint32_t i = 0; i < p->input_bytes; i++) r.frame[i] = (rng() & 1) ? 255 : 0;
    CHECK(hub75_hold(r.h, r.frame, p->input_bytes) == HUB75_ERR_STATE, "hold without a still accepted");
    CHECK(hub75_push(r.h, r.frame, p->input_bytes) == HUB75_OK, "push refused");
    run_until_settled(&r, 3);
    CHECK(hub75_hold(r.h, r.frame, p->input_bytes) == HUB75_ERR_STATE, "hold after a moving push accepted");
    CHECK(hub75_push_still(r.h, r.frame, p->input_bytes) == HUB75_OK, "still refused");
    CHECK(hub75_hold(r.h, r.frame, p->input_bytes) == HUB75_ERR_BUSY, "hold before the swap accepted");
    run_until_settled(&r, 3);
    CHECK(hub75_hold(r.h, r.frame, p->input_bytes) == HUB75_OK, "hold refused");
    CHECK(hub75_hold(r.h, r.frame, p->input_bytes) == HUB75_ERR_STATE, "a second hold accepted");
    panel_sim_run(&r.sim, hub75_chain_head(r.h), 3, 3, rig_interrupt, NULL, &r);
    CHECK(r.sim.errors == 0, "%s", r.sim.first_error);
    uint8_t *shown = malloc(p->input_bytes);
    memcpy(shown, r.frame, p->input_bytes);
    check_shows(&r, shown, 100);
    const uint32_t rejected = r.h->counters.rejected;
    CHECK(hub75_push(r.h, r.frame, p->input_bytes) == HUB75_ERR_BUSY, "push while alternating accepted");
    CHECK(hub75_push_still(r.h, r.frame, p->input_bytes) == HUB75_ERR_BUSY, "still while alternating accepted");
    CHECK(r.h->counters.rejected == rejected + 2, "refusals not counted");
    CHECK(hub75_settle(r.h) == 1 && r.h->swap_pending == HUB75_SWAP_SETTLE, "settle not requested");
    /* Settled by the next interrupt, half or end: stop the walk half way and deliver the half one. */
    hub75_on_half_refresh(r.h);
    CHECK(!r.h->swap_pending && !r.h->alternating, "the half-refresh interrupt did not settle");
    CHECK(r.h->half_buffer[0] == r.h->front && r.h->half_buffer[1] == r.h->front && r.h->back != r.h->front,
          "after the settle the halves show %u and %u, front %u", r.h->half_buffer[0], r.h->half_buffer[1], r.h->front);
    CHECK(hub75_settle(r.h) == 0, "settle with nothing alternating");
    /* The next frame goes to the freed buffer and shows whole after the swap; brightness changes with it. */
    fill_gradient(&r);
    for (uint32_t i = 0; i < p->input_bytes; i++) r.frame[i] = r.frame[i] & 0x80 ? 255 : 0;
    hub75_set_brightness(r.h, 100);
    CHECK(hub75_push_still(r.h, r.frame, p->input_bytes) == HUB75_OK, "still after the settle refused");
    check_shows(&r, shown, 100); /* the old picture until the swap */
    run_until_settled(&r, 0);
    check_shows(&r, r.frame, 100);
    hub75_set_brightness(r.h, 40);
    CHECK(hub75_hold(r.h, r.frame, p->input_bytes) == HUB75_ERR_STATE, "hold at another brightness accepted");
    free(shown);
    rig_close(&r);

    /* Without temporal dithering: hold is a no-op, stills are pushes. */
    hub75_config_t off = panel(64, 32, 1, 8);
    off.dither = 1;
    off.double_buffer = 0;
    if (rig_open(&r, &off, 100) != 0) CHECK(0, "set-up failed");
    CHECK(hub75_half_desc(r.h) == NULL, "single buffer has a half-refresh descriptor");
    fill_random(&r, 5);
    CHECK(hub75_push_still(r.h, r.frame, r.plan.input_bytes) == HUB75_OK, "still refused");
    CHECK(hub75_hold(r.h, r.frame, r.plan.input_bytes) == HUB75_OK && !r.h->alternating, "single buffer alternates");
    rig_close(&r);
    end_case("temporal dithering: half-refresh descriptor, same memory and timing, settle frees a buffer, hold rules");
}

/* A still measured against the ideal: per pixel its time average is within 1/2 level (phase 0 + phase 1 =
 * floor((f + t) / 8) half levels) instead of a whole level, while 4x4 block means stay exact. */
static void case_temporal_quality(unsigned brightness) {
    begin_case();
    hub75_quality_t plain, one_push, still, still_block;
    CHECK(hub75_measure_dim_ramp(0, brightness, 1, 0, 0, &plain) == 0, "measurement without dithering failed");
    CHECK(hub75_measure_dim_ramp(1, brightness, 1, 0, 0, &one_push) == 0, "measurement of one dithered push failed");
    CHECK(hub75_measure_dim_ramp(1, brightness, 16, 0, 1, &still) == 0, "measurement of a still failed");
    CHECK(hub75_measure_dim_ramp(1, brightness, 16, 1, 1, &still_block) == 0, "measurement of a still failed");
    print_quality("dithering, one push, per pixel", &one_push);
    print_quality("still, temporal, per pixel", &still);
    print_quality("still, temporal, 4x4 block", &still_block);
    const hub75_config_t c = panel(64, 32, 1, 8);
    const double step = expected_units(&c, brightness) / 4.0;
    /* Per pixel: half the error of a spatially dithered still, and below rounding without dithering. */
    CHECK(still.mean_error * 1.8 < one_push.mean_error && still.mean_error * 1.3 < plain.mean_error,
          "still per-pixel error %.4f vs %.4f (one push) and %.4f (no dithering)", still.mean_error, one_push.mean_error,
          plain.mean_error);
    CHECK(still.max_error < 0.5 * step, "still per-pixel max error %.4f levels", still.max_error);
    CHECK(still.mean_hue_deg * 1.6 < one_push.mean_hue_deg && still.off_hue * 1.6 < one_push.off_hue &&
              still.black * 2 < one_push.black,
          "still hue %.2f deg (%u off, %u black) vs one push %.2f deg (%u off, %u black)", still.mean_hue_deg, still.off_hue,
          still.black, one_push.mean_hue_deg, one_push.off_hue, one_push.black);
    CHECK(still_block.max_error <= step / 32 + 1e-6, "still 4x4 block mean off by %.4f levels", still_block.max_error);
    char name[160];
    snprintf(name, sizeof name, "temporal dithering at %u %%: a still's per-pixel error and hue error halve, block means exact",
             brightness);
    end_case(name);
}

int main(void) {
    case_target();
    case_bad_configs();

    for (unsigned depth = 4; depth <= 8; depth++) {
        char name[120];
        snprintf(name, sizeof name, "64x32 1/16 scan, %u bits: every LED gets exactly level x 2n clocks", depth);
        case_decode(name, panel(64, 32, 1, depth), 100);
    }
    {
        const unsigned levels[] = {100, 50, 37, 5, 1, 0};
        for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++) {
            hub75_config_t c = panel(64, 64, 1, 8);
            c.swap_halfwords = 1;
            char name[120];
            snprintf(name, sizeof name, "64x64 1/32 scan, 8 bits, I2S word order, brightness %u %%: exact", levels[i]);
            case_decode(name, c, levels[i]);
        }
    }
    {
        hub75_config_t c = panel(64, 64, 1, 6);
        c.brightness_ceiling = 60;
        case_decode("64x64, 6 bits, ceiling 60 %, brightness 100 %: exact", c, 100);
        case_decode("64x64, 6 bits, ceiling 60 %, brightness 80 %: exact", c, 80);
    }
    case_decode("128x64 (two 64x64 chained), 8 bits: exact", panel(64, 64, 2, 8), 100);
    {
        hub75_config_t c = panel(64, 64, 2, 5);
        c.swap_halfwords = 1;
        case_decode("128x64 chained, 5 bits, I2S word order, brightness 66 %: exact", c, 66);
    }
    {
        hub75_config_t c = panel(64, 32, 3, 7);
        c.lsb_units = 1;
        c.latch_blanking = 3;
        case_decode("192x32 (three chained), 7 bits, 1 LSB unit, latch blanking 3: exact", c, 100);
    }
    {
        hub75_config_t c = panel(64, 64, 1, 8);
        c.lsb_units = 16;
        c.pad_words = 64;
        case_decode("64x64, 8 bits, 16 LSB units, 64-word idle runs: exact", c, 90);
    }
    {
        hub75_config_t c = panel(32, 32, 1, 8);
        c.curve = HUB75_CURVE_GAMMA;
        c.gamma_x100 = 220;
        c.latch_blanking = 4;
        case_decode("32x32, gamma 2.2, latch blanking 4: exact", c, 100);
        c.curve = HUB75_CURVE_LINEAR;
        case_decode("32x32, linear, brightness 25 %: exact", c, 25);
    }
    {
        hub75_config_t c = panel(64, 32, 1, 8);
        c.clock_hz = 10000000u;
        c.clock_phase = 1;
        case_decode("64x32 at 10 MHz, inverted clock phase: exact", c, 100);
    }

    {
        hub75_config_t c = panel(64, 32, 1, 8);
        c.driver = HUB75_DRIVER_DP3246;
        case_decode("DP3246 64x32, 8 bits: data latched by 3 LAT clocks, exact", c, 100);
        c = panel(64, 64, 2, 6);
        c.driver = HUB75_DRIVER_DP3246;
        c.swap_halfwords = 1;
        c.latch_blanking = 3;
        case_decode("DP3246 128x64 chained, 6 bits, I2S word order, latch blanking 3: exact", c, 70);
        c = panel(64, 32, 1, 8);
        c.driver = HUB75_DRIVER_MBI5124;
        case_decode("MBI5124 64x32, 8 bits: exact", c, 100);
    }

    cases_mappings();

    case_clock(40000000u, 20000000u, 2, 20000000u);
    case_clock(40000000u, 16000000u, 3, 13333333u);
    case_clock(40000000u, 25000000u, 2, 20000000u);
    case_clock(40000000u, 8000000u, 5, 8000000u);
    case_clock(160000000u, 16000000u, 10, 16000000u);
    case_clock(160000000u, 26000000u, 7, 22857142u);
    case_row_change_blank(2, HUB75_DRIVER_SHIFTREG, 0);
    case_row_change_blank(5, HUB75_DRIVER_SHIFTREG, 1);
    case_row_change_blank(8, HUB75_DRIVER_DP3246, 1);
    case_settle_caught();

    case_swap();
    case_brightness_with_frame();
    case_single_buffer();
    case_refresh_independent_of_brightness();
    case_physical_brightness(100, 100);
    case_physical_brightness(50, 100);
    case_physical_brightness(100, 33);
    case_physical_brightness(7, 100);
    case_physical_brightness(0, 100);
    case_single_pixel(0, 0);
    case_single_pixel(127, 63);
    case_single_pixel(64, 31);
    case_single_pixel(63, 32);
    case_bad_frames();
    case_bad_memory();
    case_reuse();
    case_init_sequence(HUB75_DRIVER_FM6126A, 64, 0);
    case_init_sequence(HUB75_DRIVER_FM6126A, 128, 1);
    case_init_sequence(HUB75_DRIVER_ICN2038S, 64, 1);
    case_init_sequence(HUB75_DRIVER_FM6124, 64, 0);
    case_init_sequence(HUB75_DRIVER_FM6124, 128, 1);
    case_init_sequence(HUB75_DRIVER_DP3246, 64, 0);
    case_init_sequence(HUB75_DRIVER_DP3246, 192, 1);
    case_mbi5124();
    case_plain_shift_register();
    case_sim_catches();
    case_dither_quality(100);
    case_dither_quality(25);
    case_dither_exact("dithering, 64x32: 16 pushes sum to the 1/16-step level exactly", panel(64, 32, 1, 8), 100);
    case_dither_exact("dithering, 64x64, 6 bits, brightness 37 %: 16 pushes exact", panel(64, 64, 1, 6), 37);
    {
        hub75_config_t c = grid(scanned(32, 16, 4, 6, 8), HUB75_LAYOUT_SERPENTINE, 2);
        c.swap_halfwords = 1;
        case_dither_exact("dithering, serpentine 3x2 of four-scan 32x16, I2S word order: 16 pushes exact", c, 100);
    }

    case_temporal("temporal dithering, 64x32: refreshes alternate phase 0 and phase 1 whole", panel(64, 32, 1, 8), 100, 1);
    {
        hub75_config_t c = panel(64, 64, 1, 8);
        c.swap_halfwords = 1;
        case_temporal("temporal dithering, 64x64, I2S word order, 30 %: refreshes alternate the phases whole", c, 30, 1);
        c = grid(scanned(32, 16, 4, 6, 8), HUB75_LAYOUT_SERPENTINE, 2);
        c.swap_halfwords = 1;
        case_temporal("temporal dithering, serpentine 3x2 of four-scan 32x16, I2S word order: two pictures alternate, average within 1/2 level",
                      c, 100, 0);
    }
    case_temporal_late_interrupt();
    case_temporal_protocol();
    case_temporal_quality(100);
    case_temporal_quality(25);

    printf("native: %d passed, %d failed\n", cases_passed, cases_failed);
    return cases_failed ? 1 : 0;
}
