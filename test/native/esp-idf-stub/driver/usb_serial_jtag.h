/*
 * Build-machine stand-in for ESP-IDF 5.x's driver/usb_serial_jtag.h, for the compile checks of
 * hosts/esp32/usb-serial/usb_serial_xs.c only (the declarations it uses, as ESP-IDF documents them).
 */
#ifndef STUB_USB_SERIAL_JTAG_H
#define STUB_USB_SERIAL_JTAG_H
#include <stddef.h>
#include <stdint.h>

typedef int esp_err_t;
typedef uint32_t TickType_t;
#define ESP_OK 0

typedef struct {
    uint32_t tx_buffer_size;
    uint32_t rx_buffer_size;
} usb_serial_jtag_driver_config_t;

#define USB_SERIAL_JTAG_DRIVER_CONFIG_DEFAULT() ((usb_serial_jtag_driver_config_t){.tx_buffer_size = 256, .rx_buffer_size = 256})

esp_err_t usb_serial_jtag_driver_install(usb_serial_jtag_driver_config_t *usb_serial_jtag_config);
esp_err_t usb_serial_jtag_driver_uninstall(void);
int usb_serial_jtag_read_bytes(void *buf, uint32_t length, TickType_t ticks_to_wait);
int usb_serial_jtag_write_bytes(const void *src, size_t size, TickType_t ticks_to_wait);
#endif
