/*
 * HUB75 bit-plane core: turns whole RGB888 frames into the word stream a HUB75 panel needs, laid out
 * for the ESP32 parallel-output DMA (I2S LCD mode on ESP32/S2, LCD_CAM + GDMA on S3), and builds the
 * DMA descriptor chain that replays it forever without CPU work.
 *
 * Portable C99: no ESP-IDF header, no allocation, no floating point outside configuration time.
 * The same file is compiled into the firmware and into the native tests on the build machine.
 *
 * Input frame: RGB888 packed, row-major, top row first, 3 bytes per pixel (R, G, B), no padding;
 * width = panel_width * chain, height = panel_height. This is what the TypeScript compositor
 * produces; rotation and mirroring are applied by the compositor before the push.
 *
 * The layout, timing model and memory formulas are described in docs/hub75.md.
 */
#ifndef HUB75_CORE_H
#define HUB75_CORE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Functions called from the DMA end-of-refresh interrupt must live in IRAM on the ESP32, so they run
 * while the flash cache is off. The ESP-IDF linker scripts place any ".iram1.*" section in IRAM; the
 * attribute is spelled out here so that the core needs no ESP-IDF header. */
#ifndef HUB75_ISR_ATTR
#if defined(ESP_PLATFORM)
#define HUB75_ISR_ATTR __attribute__((section(".iram1.hub75")))
#else
#define HUB75_ISR_ATTR
#endif
#endif

#define HUB75_MIN_DEPTH 4
#define HUB75_MAX_DEPTH 8
#define HUB75_MAX_LSB_UNITS 16
#define HUB75_MAX_ROWS 32
/* A DMA descriptor moves at most 4095 bytes; we keep every length a multiple of 4. */
#define HUB75_DESC_MAX_BYTES 4092u
#define HUB75_DESC_MAX_WORDS (HUB75_DESC_MAX_BYTES / 2u)
/* Size of one descriptor on the target (lldesc_t on ESP32/S2, dma_descriptor_t on S3). */
#define HUB75_TARGET_DESC_BYTES 12u
/* The chain ends with a short OE-off tail: whatever the peripheral outputs while the DMA is stopped
 * for a swap (it may repeat the last word) keeps the LEDs dark. It carries the end-of-frame flag. */
#define HUB75_TAIL_WORDS 2u

/* One 16-bit word is clocked out per pixel clock. Bit i drives parallel data line i; the ESP32
 * layer routes each line to the pin given in the pin map. */
enum {
    HUB75_BIT_R1 = 0,
    HUB75_BIT_G1 = 1,
    HUB75_BIT_B1 = 2,
    HUB75_BIT_R2 = 3,
    HUB75_BIT_G2 = 4,
    HUB75_BIT_B2 = 5,
    HUB75_BIT_A = 6, /* address lines A..E are bits 6..10 */
    HUB75_BIT_LAT = 11,
    /* Output enable, active HIGH in memory: a zeroed word (cleared RAM, FIFO underrun) keeps the
     * LEDs dark. The panel's OE pin is active low, so the ESP32 layer inverts this line. */
    HUB75_BIT_EN = 12,
    HUB75_SIGNAL_COUNT = 13
};
#define HUB75_COLOUR_MASK 0x3Fu
#define HUB75_ADDRESS_SHIFT HUB75_BIT_A
#define HUB75_ADDRESS_MASK (0x1Fu << HUB75_ADDRESS_SHIFT)

/* Descriptor control word, bit-compatible with lldesc_t and dma_descriptor_t: size in bits 0-11,
 * length in bits 12-23, end-of-frame in bit 30, owner (1 = DMA) in bit 31. */
#define HUB75_DESC_EOF (1u << 30)
#define HUB75_DESC_OWNER_DMA (1u << 31)

typedef struct hub75_desc {
    uint32_t ctrl;
    const uint8_t *buf;
    struct hub75_desc *next;
} hub75_desc_t;

typedef enum {
    HUB75_OK = 0,
    HUB75_ERR_CONFIG,     /* a configuration value is out of range; see hub75_config_error() */
    HUB75_ERR_FRAME_SIZE, /* the frame is not width * height * 3 bytes */
    HUB75_ERR_BUSY,       /* a swap is still pending: the back buffer is about to be shown */
    HUB75_ERR_MEMORY,     /* a memory block is missing or misaligned */
    HUB75_ERR_STATE       /* hub75_hold without a still pushed at the current brightness before it */
} hub75_status_t;

typedef enum {
    HUB75_DRIVER_SHIFTREG = 0, /* plain shift registers (ICN2037, ...): nothing to set up */
    HUB75_DRIVER_FM6126A = 1,  /* two configuration registers (output current, outputs on) */
    HUB75_DRIVER_ICN2038S = 2, /* second source of the FM6126A: the same writes */
    HUB75_DRIVER_FM6124 = 3,   /* same register pair as the FM6126A */
    HUB75_DRIVER_MBI5124 = 4,  /* plain shift register, but LAT resets on a rising clock edge while
                                  high: data must change on the rising edge (clock phase inverted) */
    HUB75_DRIVER_DP3246 = 5    /* two registers with its own bit layout, a data latch of 3 LAT clocks,
                                  rising-edge clock */
} hub75_driver_t;
#define HUB75_DRIVER_LAST HUB75_DRIVER_DP3246

typedef enum {
    HUB75_CURVE_CIE1931 = 0, /* input is perceived lightness L* (0..255 = 0..100), output luminance */
    HUB75_CURVE_GAMMA = 1,   /* output = input ^ (gamma_x100 / 100) */
    HUB75_CURVE_LINEAR = 2
} hub75_curve_t;

/* How the chained panels are laid out in the frame. Panel 0 is the far end of the chain (the first
 * word shifted ends there); panels are numbered towards the controller. */
typedef enum {
    HUB75_LAYOUT_ROW = 0,        /* one row, panel p at columns p * panel_width.. (chain_rows = 1) */
    HUB75_LAYOUT_SERPENTINE = 1, /* chain_rows rows of chain / chain_rows panels; row 0 at the top runs
                                    left to right, row 1 right to left with its panels upside down
                                    (rotated 180 degrees), and so on alternately */
    HUB75_LAYOUT_ZIGZAG = 2      /* chain_rows rows, every row left to right, all panels upright
                                    (long cable from the end of one row to the start of the next) */
} hub75_layout_t;
#define HUB75_MAX_RUNS 64u /* chain (16) x sub-rows per address (4) */

typedef struct {
    uint16_t panel_width;       /* pixels across one panel, e.g. 64 */
    uint16_t panel_height;      /* pixel rows of one panel: 16, 32 or 64 */
    uint8_t chain;              /* panels daisy-chained, >= 1 */
    uint8_t scan;               /* address rows: 4, 8, 16 or 32, and panel_height / (2 * scan) = 1, 2 or
                                   4 pixel rows per half per address ("four-scan" outdoor panels when
                                   > 1); 0 = panel_height / 2 */
    uint8_t layout;             /* hub75_layout_t */
    uint8_t chain_rows;         /* rows of panels for the serpentine and zigzag layouts; 0 = 1 */
    uint8_t depth;              /* bits per colour channel, 4..8 */
    uint32_t clock_hz;          /* pixel clock wanted (one word per clock); 0 = 20 MHz */
    uint32_t clock_source_hz;   /* what the peripheral divides by an integer >= 2 to make the pixel
                                   clock (ESP32/S2 I2S: 40 MHz, S3 LCD_CAM: 160 MHz); the plan takes
                                   the fastest clock <= clock_hz it can make. 0 = clock_hz is exact */
    uint8_t row_change_blank;   /* ghosting fix: clocks with OE off that keep the previous row's address
                                   before the address lines change, 1..8; 0 = 1 */
    uint8_t latch_blanking;     /* words with OE off after each latch, 1..4 (rounded up to even);
                                   0 = 1 */
    uint8_t lsb_units;          /* OE on-time of the least significant plane at 100 %, in units of
                                   2 clocks, 1..16; 0 = 4 */
    uint8_t brightness_ceiling; /* per-board limit in percent (power supply), 1..100; 0 = 100 */
    uint8_t curve;              /* hub75_curve_t */
    uint16_t gamma_x100;        /* HUB75_CURVE_GAMMA only: 220 = 2.2; 0 = 220 */
    uint8_t driver;             /* hub75_driver_t */
    uint8_t double_buffer;      /* 1: two frame buffers and a tear-free swap */
    uint8_t swap_halfwords;     /* 1 on ESP32 I2S: each 32-bit word leaves as (high half, low half) */
    uint8_t clock_phase;        /* 1: panel samples on the falling edge; handled by the peripheral */
    uint16_t pad_words;         /* words per idle run; 0 = choose the size that needs least memory */
    uint8_t dither;             /* 1: ordered dithering of the corrected levels' 4 fractional bits, in
                                   space (4x4 Bayer) and time (the pattern moves with every push), so
                                   dim colours keep their hue on average; see hub75_push. Double
                                   buffered, a still also alternates two phases every refresh
                                   (hub75_push_still, hub75_hold) */
} hub75_config_t;

/* Everything the configuration implies, computed without touching memory. */
typedef struct {
    uint16_t width;        /* frame columns: panel_width * chain / chain_rows */
    uint16_t height;       /* frame rows: panel_height * chain_rows */
    uint16_t shift_words;  /* words shifted per bit plane: panel_width * chain * sub_rows */
    uint8_t sub_rows;      /* pixel rows per panel half driven by one address: panel_height / (2 * scan) */
    uint8_t run_count;     /* runs of panel_width shift words with a straight frame mapping */
    uint16_t rows;         /* address rows (scan) */
    uint16_t stride;       /* words per plane record: shift_words (colour data only; the blanking is in the slot) */
    uint16_t blank_words;  /* OE-off words after the latch (even): the dark head of every display slot */
    uint16_t pad_words;    /* P: per-row idle buffer = [P + blank_words OE off][P OE on] */
    uint8_t depth;
    uint8_t lsb_units;     /* N */
    uint8_t buffers;       /* 1 or 2 */
    uint8_t swap_halfwords; /* copied from the configuration: word order within each 32-bit pair */
    uint8_t latch_words;    /* clocks LAT is held high for a data latch (the driver's: 1, DP3246 3) */
    uint8_t clock_phase;    /* 1: data changes on the rising edge (configured, or the driver needs it) */
    uint8_t row_change_blank; /* OE-off clocks at the old address before each row change */
    uint8_t clock_divider;  /* clock_source_hz / clock_divider = clock_hz; 0 without a source */
    uint32_t clock_hz;      /* the pixel clock the peripheral actually makes */
    uint16_t plane_desc[HUB75_MAX_DEPTH];  /* index of plane k's data descriptor within a row */
    uint32_t slot_words[HUB75_MAX_DEPTH];  /* display slot of plane k: blank_words + 2 * N * 2^k words */
    uint16_t slot_chunks[HUB75_MAX_DEPTH]; /* descriptors for that slot */
    uint32_t descs_per_row;
    uint32_t desc_count;        /* rows * descs_per_row + 1 (the tail, see below) */
    uint32_t half_desc;         /* temporal dithering (dither, double buffered): index of the descriptor
                                   ending row rows / 2 - 1, which carries a second end-of-frame flag (the
                                   half-refresh interrupt); 0 = none */
    uint32_t words_per_row;     /* = clocks per address row */
    uint32_t words_per_refresh; /* = clocks per full refresh: rows * words_per_row + tail words */
    uint32_t frame_buffer_bytes; /* one frame buffer (DMA memory) */
    uint32_t pad_bytes;          /* idle buffers, shared by both frame buffers */
    uint32_t desc_bytes;         /* descriptors at HUB75_TARGET_DESC_BYTES each */
    uint32_t dma_bytes;          /* everything the DMA reads: frames + pads + descriptors */
    uint32_t refresh_centihz;    /* clock_hz * 100 / words_per_refresh */
    uint32_t max_duty_permille;  /* share of time the LEDs can be lit at 100 % brightness */
    uint32_t input_bytes;        /* width * height * 3 */
} hub75_plan_t;

/* Memory the caller provides (DMA-capable, 4-byte aligned on the ESP32). Sizes from the plan:
 * frame[i]: frame_buffer_bytes each (frame[1] only when double buffered), pads: pad_bytes,
 * descs: desc_count * sizeof(hub75_desc_t). */
typedef struct {
    uint16_t *frame[2];
    uint16_t *pads;
    hub75_desc_t *descs;
} hub75_memory_t;

typedef enum {
    HUB75_SWAP_NONE = 0,
    HUB75_SWAP_WANTED = 1, /* a frame was pushed; the loop is cut at the next refresh end */
    HUB75_SWAP_CUT = 2,    /* the loop is cut; the DMA stops at the end of this refresh */
    HUB75_SWAP_SETTLE = 3  /* a still's two phases alternate; at the next interrupt (half or end) both
                              halves keep the buffer being shown, which frees the other one */
} hub75_swap_state_t;

typedef struct {
    uint32_t pushes;   /* frames encoded */
    uint32_t swaps;    /* buffer swaps completed at a refresh boundary */
    uint32_t rejected; /* pushes refused (busy or wrong size) */
    uint32_t holds;    /* stills whose second phase alternates with the first */
} hub75_counters_t;

/* A run of shift words whose pixels are consecutive in the frame: word start + n of address row r
 * takes its upper (R1 G1 B1) pixel at byte offset base + r * row_step + n * col_step of the frame, and
 * its lower (R2 G2 B2) pixel half bytes further. Negative steps for upside-down panels. */
typedef struct {
    uint16_t start;
    uint16_t length;
    int32_t base;
    int32_t col_step;
    int32_t row_step;
    int32_t half;
} hub75_run_t;

typedef struct {
    hub75_config_t config;
    hub75_plan_t plan;
    hub75_run_t runs[HUB75_MAX_RUNS]; /* the scan mapping and chain layout, run_count used */
    hub75_memory_t mem;
    uint8_t front;            /* buffer the DMA shows */
    uint8_t back;             /* buffer the next push writes */
    volatile uint8_t swap_pending; /* hub75_swap_state_t: nonzero while a pushed frame waits */
    uint8_t brightness;       /* percent, before the ceiling */
    uint8_t units_now;        /* OE units (n) the windows currently use */
    uint8_t units_next;       /* n matching the current spread table */
    uint8_t buffer_units[2];  /* n each buffer was encoded for */
    hub75_counters_t counters;
    uint16_t level[256];      /* corrected level (0 .. 2^depth - 1) per input byte */
    /* spread[v]: bit k of level[v] moved to bit 8k, so six lookups OR-ed with shifts give the six
     * colour bits of every plane at once (byte k = plane k). With config.dither it is indexed by the
     * level itself (bit k of v), because the dithered encoder picks the level per pixel. */
    uint64_t spread[256];
    /* Dithering (config.dither): fine[v] is the corrected level of input v in 1/16 steps; a pixel shows
     * (fine[v] + threshold) >> 4, whose mean over the 16 thresholds is exactly fine[v] / 16. */
    uint16_t fine[256];
    uint8_t dither_phase;     /* advances with every dithered push: the threshold pattern moves */
    /* Temporal dithering of a still (plan.half_desc != 0): the data descriptors of the rows before
     * rows / 2 (half 0) and from it (half 1) point at half_buffer[0] / [1]. While `alternating`, the
     * half-refresh interrupt points half 0 at the other buffer and the end-of-refresh one points half 1
     * where half 0 points, so every refresh shows one phase whole and the next the other one. */
    volatile uint8_t alternating;
    uint8_t half_buffer[2];
    uint8_t still_owed;       /* the front buffer holds phase 0 of a still: hub75_hold may add phase 1 */
} hub75_t;

/* The scan mapping and chain layout as runs (at most HUB75_MAX_RUNS); returns their number, 0 if the
 * configuration is invalid. */
size_t hub75_runs(const hub75_config_t *config, hub75_run_t *runs);
/* Fills *plan from *config; HUB75_ERR_CONFIG if a value is out of range. */
hub75_status_t hub75_plan(const hub75_config_t *config, hub75_plan_t *plan);
/* Human-readable reason for the last HUB75_ERR_CONFIG of hub75_plan (static string). */
const char *hub75_config_error(const hub75_config_t *config);

/* Writes the constant words (addresses, blanking, idle runs), links the descriptor chain and shows a
 * black frame. brightness is in percent (0..100, before the ceiling). */
hub75_status_t hub75_init(hub75_t *h, const hub75_config_t *config, const hub75_memory_t *mem,
                          uint8_t brightness);

/* Head of the chain: hand it to the DMA once; the chain loops on itself. */
hub75_desc_t *hub75_chain_head(const hub75_t *h);

/* Encodes one frame into the back buffer (the front one when single buffered) and, when double
 * buffered, asks for a swap at the end of the refresh in progress. With config.dither, each pixel's
 * level is rounded up or down by a 4x4 ordered threshold pattern that shifts with every push: any 4x4
 * block averages the exact corrected level (to 1/16 step) in every frame, and each pixel does over
 * 16 pushes. */
hub75_status_t hub75_push(hub75_t *h, const uint8_t *rgb, size_t length);

/* A frame that stays on the panel (a still, a paused or finished animation, a status screen). Without
 * temporal dithering (dither off or single buffered) the same as hub75_push. With it: phase 0 of the
 * still, a 4x4 pattern of 8 thresholds t (each twice) in 1/16 steps, into the back buffer, swapped like
 * a push; then hub75_hold adds phase 1 (thresholds t + 8) once the swap is done. */
hub75_status_t hub75_push_still(hub75_t *h, const uint8_t *rgb, size_t length);
/* The second phase of the still last pushed (the same rgb) into the back buffer; from the next
 * interrupt on the DMA shows phase 0 and phase 1 in alternate refreshes, so each pixel averages
 * floor((f + t) / 16) + floor((f + t + 8) / 16) = floor((f + t) / 8) half levels over two refreshes
 * (per pixel within 1/2 level, 4x4 block means exact). No CPU work per refresh beyond the interrupt's
 * re-pointing of half the data descriptors. HUB75_OK (nothing done) without temporal dithering;
 * HUB75_ERR_BUSY while a swap is pending; HUB75_ERR_STATE if the last push was not a still or the
 * brightness changed since. */
hub75_status_t hub75_hold(hub75_t *h, const uint8_t *rgb, size_t length);
/* While a still alternates, both buffers are shown: a push must wait for hub75_settle, which asks the
 * next interrupt to keep one buffer (swap_pending is HUB75_SWAP_SETTLE until then). Returns 1 if there
 * is something to wait for. */
int hub75_settle(hub75_t *h);

/* Brightness in percent (0..100, scaled by the ceiling). Takes effect with the next push. */
void hub75_set_brightness(hub75_t *h, uint8_t percent);

/* Call from the end-of-frame interrupt of the chain's tail, once per refresh. Returns NULL when the DMA
 * goes on by itself, or the descriptor to restart it from when it has stopped for a swap:
 *   push            -> swap WANTED
 *   refresh end #1  -> the loop is cut after the tail (the DMA reads the tail again only at the end
 *                      of the next refresh, so the cut cannot race it); returns NULL
 *   refresh end #2  -> the DMA has stopped at the boundary: the chain is pointed at the new front
 *                      buffer and its OE timing, the loop closed again; returns the head
 * So a pushed frame shows within two refreshes and never mid-refresh. Needs the interrupt to run
 * within one refresh (milliseconds). Safe in an interrupt: no allocation, no locks, bounded work. */
HUB75_ISR_ATTR hub75_desc_t *hub75_on_refresh_end(hub75_t *h);
/* Call from the end-of-frame interrupt of plan.half_desc (temporal dithering only): the DMA has left
 * the first half of the rows, so their data descriptors may be re-pointed for the next refresh. The
 * end-of-refresh interrupt does the same for the second half. Needs the interrupt to run within half a
 * refresh. */
HUB75_ISR_ATTR void hub75_on_half_refresh(hub75_t *h);
/* The descriptor whose end-of-frame interrupt is the half-refresh one, or NULL (the interrupt tells the
 * two apart by it). */
HUB75_ISR_ATTR const hub75_desc_t *hub75_half_desc(const hub75_t *h);

/* Driver-chip set-up as data: register writes for FM6126A/ICN2038S. latch_clocks selects the
 * register (LAT is held high for that many final clocks of the write). */
typedef struct {
    uint16_t value;      /* register bits, MSB first within each 16-column chip */
    uint8_t latch_clocks;
} hub75_register_write_t;

/* The register writes for a driver; *count receives their number (0 for plain shift registers). */
/* Set-up stream per driver (see hub75_init_sequence):
 *   FM6126A, ICN2038S, FM6124: write 1, write 2, then one width of zeros latched with 1 LAT clock.
 *   DP3246: one width of zeros latched with 3 LAT clocks (clears the output latches), write 1, write 2,
 *           2 clocks with LAT low, one width of zeros latched with 3 LAT clocks.
 *   shift register, MBI5124: nothing. */
const hub75_register_write_t *hub75_driver_registers(uint8_t driver, size_t *count);
/* LAT-high clocks of a display-data latch for this driver (1; the DP3246 counts 3). */
uint8_t hub75_driver_latch_words(uint8_t driver);
/* 1 if the driver needs data to change on the rising clock edge whatever clock_phase says. */
uint8_t hub75_driver_rising_edge(uint8_t driver);
/* Words needed by hub75_init_sequence for this plan and driver. */
size_t hub75_init_sequence_words(const hub75_plan_t *plan, uint8_t driver);
/* Renders the set-up writes as a word stream (sent once, before the refresh chain starts). Returns
 * the number of words written, 0 if out is too small. */
size_t hub75_init_sequence(const hub75_plan_t *plan, uint8_t driver, uint16_t *out, size_t capacity);

#ifdef __cplusplus
}
#endif

#endif /* HUB75_CORE_H */
