/*
 * The peripheral layer under the HUB75 XS binding: allocates DMA memory, sends the driver-chip set-up,
 * starts the looping DMA chain and completes swaps from the end-of-chain interrupt.
 *
 * Implemented by hub75_esp32.c (ESP-IDF: I2S LCD mode on ESP32/S2, LCD_CAM + GDMA on S3) and, on the
 * build machine, by test/native/hub75_port_stub.c so that hub75_xs.c compiles against the real XS
 * headers without ESP-IDF.
 */
#ifndef HUB75_PORT_H
#define HUB75_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hub75_core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* GPIO numbers; -1 = not connected (E on 1/16-scan panels). */
typedef struct {
    int8_t r1, g1, b1, r2, g2, b2;
    int8_t a, b, c, d, e;
    int8_t lat, oe, clk;
} hub75_pins_t;

typedef struct hub75_port hub75_port_t;

/* Plans, allocates, initialises the core, sends the set-up writes and starts the refresh.
 * On failure returns an error and sets *reason to a static string. */
hub75_status_t hub75_port_open(const hub75_config_t *config, const hub75_pins_t *pins, uint8_t brightness,
                               hub75_port_t **out, const char **reason);

/* The core instance (plan, counters, brightness). */
hub75_t *hub75_port_core(hub75_port_t *port);

/* Waits up to timeout_ms for a pending swap to complete (and for a still's alternation to settle), then
 * encodes the frame. `still`: the frame stays on the panel; with temporal dithering its second phase is
 * encoded once the first has been swapped in (hub75_push_still, hub75_hold), so the call may wait up to
 * two refreshes more. HUB75_ERR_BUSY if the previous swap did not complete in time (the DMA is stalled). */
hub75_status_t hub75_port_push(hub75_port_t *port, const uint8_t *rgb, size_t length, uint32_t timeout_ms, bool still);

/* Refreshes completed since open (counted in the end-of-frame interrupt). */
uint32_t hub75_port_refreshes(hub75_port_t *port);

/* Stops the DMA, blanks the panel and frees everything. */
void hub75_port_close(hub75_port_t *port);

#ifdef __cplusplus
}
#endif

#endif /* HUB75_PORT_H */
