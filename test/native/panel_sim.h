/*
 * A model of what a HUB75 panel does with the words the DMA clocks out, used to check the core.
 *
 * It walks a descriptor chain exactly as the DMA does (from the head, following next, until the chain
 * returns to its head or ends), emits each descriptor's 16-bit words in bus order (pairs swapped when
 * the I2S half-word quirk is modelled) and, for every word (one pixel clock):
 *   - shifts the six colour bits into a width-long shift register (the first word shifted ends up
 *     farthest from the input, i.e. at frame column 0),
 *   - copies the register to the output latch on a word with LAT high,
 *   - while OE is on, adds one clock of light to every LED of the addressed row pair whose latch bit
 *     is set.
 * The result is the time-integrated light per LED for one refresh, in clocks.
 *
 * It also enforces the signal rules a real panel needs and reports the first breach: no latch while
 * lit, the address lines never change while OE is on (or on the clock it turns off), OE stays off for
 * `blanking` clocks after each latch, addresses within the scan, descriptors well formed
 * (owner set, length a positive multiple of 4 up to 4092, buffer 4-byte aligned, end-of-frame flag on
 * exactly the last descriptor).
 */
#ifndef PANEL_SIM_H
#define PANEL_SIM_H

#include <stddef.h>
#include <stdint.h>

#include "hub75_core.h"

/* Where the LEDs are: the panels, their scan and the chain layout (see hub75_layout_t). */
typedef struct {
    unsigned panel_width, panel_height, chain;
    unsigned scan;       /* address rows; panel_height / (2 * scan) pixel rows per half per address */
    unsigned layout;     /* 0 row, 1 serpentine (odd grid rows upside down, right to left), 2 zigzag */
    unsigned chain_rows; /* rows of panels; 0 = 1 */
} panel_sim_geometry_t;

typedef struct {
    /* geometry and rules, set by the caller */
    unsigned width;    /* shift register length of the chain (clocks per latch) */
    unsigned rows;     /* address rows (scan) */
    unsigned frame_width, frame_height; /* the picture the LEDs form */
    uint32_t *led;     /* [rows][2][width]: frame pixel index (y * frame_width + x) each output drives */
    unsigned blanking; /* clocks OE must stay off after a latch */
    unsigned swap;     /* 1: each 32-bit word leaves as (high half, low half) */
    uint32_t max_descriptors; /* give up (a breach) after this many; 0 = 4 000 000 */
    unsigned address_settle;  /* clocks OE must have been off before the address lines change; 0 = 1 */
    unsigned latch_clocks;    /* LAT-high clocks the chip counts as a data latch (DP3246: 3); any other
                                 run length is a breach; 0 = 1 */
    const hub75_desc_t *half_eof; /* a descriptor besides the last that must carry end-of-frame (the
                                     half-refresh interrupt of temporal dithering); NULL = none */
    /* results of the last walk */
    uint32_t *light;        /* [frame_height][frame_width][3] clocks lit per LED channel */
    uint64_t clocks;        /* words emitted */
    uint64_t bytes_read;    /* bytes the DMA fetched */
    uint32_t descriptors;   /* descriptors walked */
    uint32_t latches;
    uint32_t lit_clocks;    /* clocks with OE on */
    int ended;              /* 1: the chain ended (next == NULL), 0: it looped to the head */
    int errors;
    char first_error[160];
    /* internal state */
    uint8_t *ring;
    uint8_t *latch;
    unsigned pos;
    unsigned lat_run;
    unsigned prev_en, prev_address, have_prev, dark_run, since_latch, run_address;
    uint32_t run;
} panel_sim_t;

/* One row of standard panels (rows = half the panel height). */
int panel_sim_open(panel_sim_t *sim, unsigned width, unsigned rows, unsigned blanking, unsigned swap);
/* Any geometry; fails (-1) if the geometry does not cover every LED exactly once. */
int panel_sim_open_geometry(panel_sim_t *sim, const panel_sim_geometry_t *g, unsigned blanking, unsigned swap);
void panel_sim_close(panel_sim_t *sim);
/* Walks one refresh from head; returns the number of rule breaches (0 = clean). */
int panel_sim_refresh(panel_sim_t *sim, const hub75_desc_t *head);
/* The DMA's end-of-frame interrupt: called with the descriptor that carried the flag. Returns where to
 * restart a DMA that has stopped (the chain ended), or NULL. */
typedef const hub75_desc_t *(*panel_sim_isr_t)(void *ctx, const hub75_desc_t *eof);
/* Called after each whole refresh with sim->light holding that refresh's light alone. */
typedef void (*panel_sim_refresh_t)(void *ctx, const panel_sim_t *sim);
/* Runs the DMA and its interrupt together for `refreshes` refreshes from head: the walk goes on across
 * refreshes (the chain's loop), and `latency` descriptors after each descriptor with end-of-frame the
 * interrupt runs (at once when the DMA stopped at the end of the chain; its return value restarts it);
 * an end-of-frame while the interrupt is still pending replaces its descriptor, as the hardware does.
 * The same signal rules as panel_sim_refresh; returns the number of breaches. */
int panel_sim_run(panel_sim_t *sim, const hub75_desc_t *head, unsigned refreshes, unsigned latency,
                  panel_sim_isr_t isr, panel_sim_refresh_t on_refresh, void *ctx);
/* Light of one LED channel (0 = R, 1 = G, 2 = B) of frame pixel (x, y). */
uint32_t panel_sim_light(const panel_sim_t *sim, unsigned x, unsigned y, unsigned channel);

/* A register write as a driver chip sees it: LAT held high for latch_clocks final clocks. */
typedef struct {
    unsigned latch_clocks;
    uint16_t chip_value[128]; /* per 16-column chip, MSB = first column of the chip */
    int lines_agree;          /* 1 if all six colour lines carried the same bits */
} panel_sim_write_t;

/* Decodes a set-up word stream into register writes; returns how many (at most max). */
size_t panel_sim_register_writes(const uint16_t *words, size_t count, unsigned width, unsigned swap,
                                 panel_sim_write_t *out, size_t max);

#endif
