/*
 * Build-machine stand-in for ESP-IDF v6.0's driver/usb_serial_jtag.h
 * (components/esp_driver_usb_serial_jtag/include), for the compile checks of
 * hosts/esp32/usb-serial/usb_serial_xs.c. Declarations as v6.0 has them, checked against the real header
 * by scripts/esp-idf-header-check.mjs: ticks are uint32_t (v5.x: TickType_t, and it included FreeRTOS,
 * which v6.0 no longer does); like the real header it uses bool without including <stdbool.h>, and
 * defines no FreeRTOS type, so code that leans on either fails here as it would on the device.
 */
#ifndef STUB_USB_SERIAL_JTAG_H
#define STUB_USB_SERIAL_JTAG_H
#include "esp_err.h"

typedef struct {
    uint32_t tx_buffer_size;
    uint32_t rx_buffer_size;
} usb_serial_jtag_driver_config_t;

#define USB_SERIAL_JTAG_DRIVER_CONFIG_DEFAULT() (usb_serial_jtag_driver_config_t){.tx_buffer_size = 256, .rx_buffer_size = 256}

esp_err_t usb_serial_jtag_driver_install(usb_serial_jtag_driver_config_t *usb_serial_jtag_config);
int usb_serial_jtag_read_bytes(void *buf, uint32_t length, uint32_t ticks_to_wait);
int usb_serial_jtag_write_bytes(const void *src, size_t size, uint32_t ticks_to_wait);
esp_err_t usb_serial_jtag_wait_tx_done(uint32_t ticks_to_wait);
esp_err_t usb_serial_jtag_driver_uninstall(void);
bool usb_serial_jtag_is_connected(void);
bool usb_serial_jtag_is_driver_installed(void);
#endif
