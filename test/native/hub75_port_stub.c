/*
 * Host stand-in for the ESP32 peripheral layer (hub75_port.h): heap blocks instead of DMA memory, and a
 * "DMA" that completes a requested swap as soon as anyone waits for it. Lets hub75_xs.c compile and
 * link-check against the XS headers on the build machine; it drives no hardware.
 */
#include <stdlib.h>

#include "hub75_port.h"

struct hub75_port {
    hub75_t core;
    hub75_memory_t mem;
    hub75_pins_t pins;
    uint32_t refreshes;
};

static void release(hub75_port_t *port) {
    free(port->mem.frame[0]);
    free(port->mem.frame[1]);
    free(port->mem.pads);
    free(port->mem.descs);
    free(port);
}

hub75_status_t hub75_port_open(const hub75_config_t *config, const hub75_pins_t *pins, uint8_t brightness,
                               hub75_port_t **out, const char **reason) {
    hub75_plan_t plan;
    *out = NULL;
    *reason = NULL;
    if (hub75_plan(config, &plan) != HUB75_OK) {
        *reason = hub75_config_error(config);
        return HUB75_ERR_CONFIG;
    }
    hub75_port_t *port = calloc(1, sizeof *port);
    if (port == NULL) {
        *reason = "out of memory";
        return HUB75_ERR_MEMORY;
    }
    port->pins = *pins;
    port->mem.frame[0] = malloc(plan.frame_buffer_bytes);
    port->mem.frame[1] = plan.buffers == 2 ? malloc(plan.frame_buffer_bytes) : NULL;
    port->mem.pads = malloc(plan.pad_bytes);
    port->mem.descs = malloc(plan.desc_count * sizeof(hub75_desc_t));
    hub75_status_t status = hub75_init(&port->core, config, &port->mem, brightness);
    if (status != HUB75_OK) {
        *reason = status == HUB75_ERR_MEMORY ? "out of DMA memory" : hub75_config_error(config);
        release(port);
        return status;
    }
    *out = port;
    return HUB75_OK;
}

hub75_t *hub75_port_core(hub75_port_t *port) { return &port->core; }

/* The stub's DMA finishes a refresh (both its interrupts) whenever someone waits for one. */
static void wait_idle(hub75_port_t *port) {
    while (port->core.swap_pending) {
        hub75_on_half_refresh(&port->core);
        hub75_on_refresh_end(&port->core);
        port->refreshes++;
    }
}

hub75_status_t hub75_port_push(hub75_port_t *port, const uint8_t *rgb, size_t length, uint32_t timeout_ms, bool still) {
    (void)timeout_ms;
    hub75_settle(&port->core);
    wait_idle(port);
    if (!still) return hub75_push(&port->core, rgb, length);
    hub75_status_t status = hub75_push_still(&port->core, rgb, length);
    if (status != HUB75_OK) return status;
    wait_idle(port);
    hub75_hold(&port->core, rgb, length);
    return HUB75_OK;
}

uint32_t hub75_port_refreshes(hub75_port_t *port) { return port->refreshes; }

void hub75_port_close(hub75_port_t *port) {
    if (port) release(port);
}
