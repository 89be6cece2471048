/*
 * Build-machine stand-in for ESP-IDF v6.0's esp_err.h (components/esp_common/include), for the compile
 * checks of native bindings only: its type, the two codes the bindings use, and the C headers it
 * includes (the ESP-IDF headers that include it lean on those for uint32_t and size_t).
 */
#ifndef STUB_ESP_ERR_H
#define STUB_ESP_ERR_H
#include <stdint.h>
#include <stdio.h>
#include <assert.h>
#include <stdlib.h>

typedef int esp_err_t;
#define ESP_OK 0
#define ESP_FAIL -1
#endif
