/*
 * Image-quality figures of the HUB75 core, measured through the panel model (panel_sim): a ramp of dim
 * colours is pushed, the light every LED integrates is compared with the ideal (CIE 1931 luminance x
 * brightness, unquantised), in linear light. Used by the native tests (which assert the figures) and
 * by `make bench` (which prints them).
 */
#ifndef HUB75_QUALITY_H
#define HUB75_QUALITY_H

typedef struct {
    unsigned colours;       /* dim colours measured (one per 4x4 block) */
    double mean_error;      /* mean |shown - ideal| per channel, in output levels (1 = one LSB step) */
    double max_error;
    double mean_hue_deg;    /* mean angle between the shown and the ideal RGB (linear light), degrees;
                               a colour shown black counts 90 */
    double max_hue_deg;
    unsigned off_hue;       /* colours more than 5 degrees off (black included) */
    unsigned black;         /* colours shown black although the ideal is not */
} hub75_quality_t;

/* 64x32 panel, 8 bits, CIE 1931 curve, `brightness` %. The light is averaged over `pushes` pushes of the
 * same frame (the dither pattern moves with each) and, with `block` = 1, over each colour's 4x4 block
 * (what the eye averages at a distance) instead of per pixel. With `still` = 1 the frame is pushed once
 * as a still (hub75_push_still, hub75_hold: temporal dithering when `dither`) and the light is averaged
 * over `pushes` refreshes of the DMA running with its interrupts. Returns 0, or -1 if the set-up or a
 * signal rule failed. */
int hub75_measure_dim_ramp(unsigned dither, unsigned brightness, unsigned pushes, unsigned block, unsigned still,
                           hub75_quality_t *out);

#endif
