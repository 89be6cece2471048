/*
 * ESP32 peripheral layer for the HUB75 driver (hub75_port.h), ESP-IDF v6.0 (the version Moddable SDK
 * 8.2.3 requires; v5.x's GDMA API differs).
 *   ESP32, ESP32-S2: I2S in LCD mode, 16-bit parallel, its own DMA (lldesc_t chain)
 *   ESP32-S3:        LCD_CAM in i80 mode, 16-bit, fed by a GDMA channel (dma_descriptor_t chain)
 * Both DMA engines take the core's hub75_desc_t chain as it is (same 12-byte layout, checked below).
 *
 * NOT BUILT WITH THE XTENSA COMPILER ON THE DEVELOPMENT MACHINE: ESP-IDF cannot be installed there.
 * scripts/esp-idf-header-check.mjs compiles it with the host gcc against ESP-IDF v6.0's real headers
 * (ESP32 and ESP32-S3), with the SDK makefile's include dirs; it has never been linked or run. The
 * portable core it drives is tested (test/native). Points marked TODO(hardware) must be checked with a
 * logic analyser on a real board before release.
 * (Over 400 lines: two peripherals, I2S for ESP32/S2 and LCD_CAM + GDMA for the S3, behind one port;
 * only one half is compiled for a given chip.)
 */
#if defined(ESP_PLATFORM)

#include <stdlib.h>
#include <string.h>

#include "driver/gpio.h"
#include "esp_attr.h"
#include "esp_heap_caps.h"
#include "esp_intr_alloc.h"
#include "esp_private/periph_ctrl.h"
#include "esp_rom_gpio.h"
#include "freertos/FreeRTOS.h"
#include "freertos/semphr.h"
#include "freertos/task.h"
#include "sdkconfig.h"
#include "soc/gpio_sig_map.h"

#include "hub75_core.h"
#include "hub75_port.h"

#if CONFIG_IDF_TARGET_ESP32 || CONFIG_IDF_TARGET_ESP32S2
#include "rom/lldesc.h"
#include "soc/i2s_reg.h" /* I2S_OUT_EOF_INT_ST */
#include "soc/i2s_struct.h"
typedef lldesc_t target_desc_t;
#define HUB75_I2S 1
#elif CONFIG_IDF_TARGET_ESP32S3
#include "esp_private/gdma.h"
#include "hal/dma_types.h"
#include "soc/lcd_cam_struct.h"
typedef dma_descriptor_t target_desc_t;
#define HUB75_LCD_CAM 1
#else
#error "HUB75 needs a parallel LCD peripheral: ESP32, ESP32-S2 or ESP32-S3"
#endif

/* The core's descriptors are handed to the DMA unchanged. */
_Static_assert(sizeof(hub75_desc_t) == sizeof(target_desc_t), "hub75_desc_t must match the DMA descriptor");
_Static_assert(offsetof(hub75_desc_t, buf) == 4 && offsetof(hub75_desc_t, next) == 8, "descriptor field offsets");

#define DMA_CAPS (MALLOC_CAP_DMA | MALLOC_CAP_INTERNAL)

struct hub75_port {
    hub75_t core; /* DRAM: the interrupt reads and writes it */
    hub75_memory_t mem;
    hub75_pins_t pins;
    SemaphoreHandle_t swapped;
    volatile uint32_t refreshes;
#if HUB75_I2S
    i2s_dev_t *dev;
    intr_handle_t intr;
#else
    gdma_channel_handle_t dma;
#endif
};

static void *dma_alloc(size_t bytes) { return bytes ? heap_caps_aligned_alloc(4, bytes, DMA_CAPS) : NULL; }

static void release(hub75_port_t *port) {
    heap_caps_free(port->mem.frame[0]);
    heap_caps_free(port->mem.frame[1]);
    heap_caps_free(port->mem.pads);
    heap_caps_free(port->mem.descs);
    if (port->swapped) vSemaphoreDelete(port->swapped);
    heap_caps_free(port);
}

/* Parallel data line i (word bit i) -> GPIO. OE is inverted: the word carries "enable", the panel
 * wants "output enable, active low". */
static void route_pins(const hub75_pins_t *pins, int first_signal, int clock_signal, int clock_invert) {
    const int8_t line_pin[HUB75_SIGNAL_COUNT] = {pins->r1, pins->g1, pins->b1, pins->r2, pins->g2,  pins->b2, pins->a,
                                                 pins->b,  pins->c,  pins->d,  pins->e,  pins->lat, pins->oe};
    for (int i = 0; i < HUB75_SIGNAL_COUNT; i++) {
        if (line_pin[i] < 0) continue;
        gpio_reset_pin(line_pin[i]);
        gpio_set_direction(line_pin[i], GPIO_MODE_OUTPUT);
        gpio_set_drive_capability(line_pin[i], GPIO_DRIVE_CAP_3);
        esp_rom_gpio_connect_out_signal(line_pin[i], first_signal + i, i == HUB75_BIT_EN, false);
    }
    gpio_reset_pin(pins->clk);
    gpio_set_direction(pins->clk, GPIO_MODE_OUTPUT);
    gpio_set_drive_capability(pins->clk, GPIO_DRIVE_CAP_3);
    esp_rom_gpio_connect_out_signal(pins->clk, clock_signal, clock_invert, false);
}

/* Dark panel after close or failure: OE high through a plain GPIO. */
static void blank_panel(const hub75_pins_t *pins) {
    gpio_reset_pin(pins->oe);
    gpio_set_direction(pins->oe, GPIO_MODE_OUTPUT);
    gpio_set_level(pins->oe, 1);
}

/* TODO(hardware): check that the half-refresh descriptor's end-of-frame flag raises the interrupt in the
 * middle of the chain without pausing the output (I2S out_eof, GDMA suc_eof with LCD_CAM), and that
 * out_eof_des_addr / tx_eof_desc_addr name that descriptor.
 * Runs in IRAM from the DMA's end-of-frame event: `eof` is the descriptor that carried the flag, the
 * chain's tail (once per refresh) or, with temporal dithering, the half-refresh descriptor (the
 * hardware reports the latest one if two came before the interrupt ran). Wakes a waiting push when a
 * swap or a settle has completed. */
static IRAM_ATTR bool refresh_ended(hub75_port_t *port, const hub75_desc_t *eof, hub75_desc_t **restart) {
    hub75_t *core = &port->core;
    const uint8_t pending = core->swap_pending;
    *restart = NULL;
    if (eof != NULL && eof == hub75_half_desc(core)) {
        hub75_on_half_refresh(core);
    } else {
        port->refreshes++;
        *restart = hub75_on_refresh_end(core);
    }
    if (!pending || core->swap_pending) return false;
    BaseType_t woken = pdFALSE;
    xSemaphoreGiveFromISR(port->swapped, &woken);
    return woken == pdTRUE;
}

#if HUB75_I2S

static void IRAM_ATTR i2s_isr(void *arg) {
    hub75_port_t *port = arg;
    i2s_dev_t *dev = port->dev;
    uint32_t status = dev->int_st.val;
    dev->int_clr.val = status;
    if (!(status & I2S_OUT_EOF_INT_ST)) return;
    hub75_desc_t *restart;
    bool woken = refresh_ended(port, (const hub75_desc_t *)dev->out_eof_des_addr, &restart);
    if (restart) {
        /* The DMA took the tail with next = NULL and is idle: start the link again at the head.
         * TODO(hardware): confirm no FIFO reset is needed between the two links. */
        dev->out_link.stop = 1;
        dev->out_link.addr = (uint32_t)restart;
        dev->out_link.stop = 0;
        dev->out_link.start = 1;
    }
    if (woken) portYIELD_FROM_ISR();
}

static hub75_status_t start_peripheral(hub75_port_t *port, const uint16_t *setup, size_t setup_words) {
    /* I2S0 in 16-bit LCD mode: data lines are I2S0O_DATA_OUT8..23, the pixel clock is WS. I2S0 on the
     * ESP32 too: ESP-IDF v6.0's periph_module_* API knows no PERIPH_I2S1_MODULE there (I2S1 would need
     * the RCC-locked i2s_ll calls). I2S0 is also the ADC/DAC's DMA path, which this firmware does not use.
     * TODO(hardware): check I2S0's LCD mode on an ESP32 DevKit. */
    periph_module_reset(PERIPH_I2S0_MODULE);
    periph_module_enable(PERIPH_I2S0_MODULE);
    port->dev = &I2S0;
    route_pins(&port->pins, I2S0O_DATA_OUT8_IDX, I2S0O_WS_OUT_IDX, !port->core.plan.clock_phase);
    const int source = ETS_I2S0_INTR_SOURCE;
    i2s_dev_t *dev = port->dev;
    dev->conf.tx_reset = 1;
    dev->conf.tx_reset = 0;
    dev->conf.tx_fifo_reset = 1;
    dev->conf.tx_fifo_reset = 0;
    dev->lc_conf.out_rst = 1;
    dev->lc_conf.out_rst = 0;
    dev->conf2.val = 0;
    dev->conf2.lcd_en = 1;
    dev->sample_rate_conf.val = 0;
    dev->sample_rate_conf.tx_bits_mod = 16;
    dev->sample_rate_conf.tx_bck_div_num = 2;
    /* Pixel clock = 80 MHz / clkm_div_num / tx_bck_div_num (2) = HUB75_CLOCK_SOURCE_HZ / divider: 20 MHz
     * -> 2, 10 MHz -> 4; the core chose the divider (plan.clock_divider, >= 2).
     * TODO(hardware): measure the clock; the divider arithmetic differs between silicon revisions. */
    uint32_t divider = port->core.plan.clock_divider;
    dev->clkm_conf.val = 0;
    dev->clkm_conf.clka_en = 0;
    dev->clkm_conf.clkm_div_a = 1;
    dev->clkm_conf.clkm_div_b = 0;
    dev->clkm_conf.clkm_div_num = divider < 2 ? 2 : divider;
    dev->fifo_conf.val = 0;
    dev->fifo_conf.tx_data_num = 32;
    dev->fifo_conf.dscr_en = 1;
    dev->fifo_conf.tx_fifo_mod = 1; /* 16-bit single channel */
    dev->fifo_conf.tx_fifo_mod_force_en = 1;
    dev->conf_chan.val = 0;
    dev->conf_chan.tx_chan_mod = 1;
    dev->lc_conf.out_data_burst_en = 1;
    dev->lc_conf.outdscr_burst_en = 1;
    dev->int_ena.val = 0;
    dev->int_clr.val = 0xFFFFFFFFu;

    /* Driver-chip set-up first, as a one-shot chain, polled to its end. */
    if (setup_words) {
        size_t chunks = (setup_words + HUB75_DESC_MAX_WORDS - 1) / HUB75_DESC_MAX_WORDS;
        hub75_desc_t *once = dma_alloc(chunks * sizeof *once);
        if (once == NULL) return HUB75_ERR_MEMORY;
        for (size_t i = 0; i < chunks; i++) {
            size_t words = setup_words - i * HUB75_DESC_MAX_WORDS;
            if (words > HUB75_DESC_MAX_WORDS) words = HUB75_DESC_MAX_WORDS;
            once[i].buf = (const uint8_t *)(setup + i * HUB75_DESC_MAX_WORDS);
            once[i].ctrl = HUB75_DESC_OWNER_DMA | (uint32_t)(words * 2) << 12 | (uint32_t)(words * 2) |
                           (i + 1 == chunks ? HUB75_DESC_EOF : 0);
            once[i].next = i + 1 < chunks ? &once[i + 1] : NULL;
        }
        dev->out_link.addr = (uint32_t)once;
        dev->out_link.start = 1;
        dev->conf.tx_start = 1;
        for (int waited = 0; !dev->int_raw.out_total_eof && waited < 100; waited++) vTaskDelay(1);
        dev->conf.tx_start = 0;
        dev->out_link.stop = 1;
        dev->int_clr.val = 0xFFFFFFFFu;
        heap_caps_free(once);
    }

    if (esp_intr_alloc(source, ESP_INTR_FLAG_IRAM | ESP_INTR_FLAG_LEVEL1, i2s_isr, port, &port->intr) != ESP_OK)
        return HUB75_ERR_MEMORY;
    dev->int_ena.out_eof = 1;
    dev->out_link.stop = 0;
    dev->out_link.addr = (uint32_t)hub75_chain_head(&port->core);
    dev->out_link.start = 1;
    dev->conf.tx_start = 1;
    return HUB75_OK;
}

static void stop_peripheral(hub75_port_t *port) {
    port->dev->int_ena.val = 0;
    port->dev->out_link.stop = 1;
    port->dev->out_link.start = 0;
    port->dev->conf.tx_start = 0;
    if (port->intr) esp_intr_free(port->intr);
}

#else /* LCD_CAM + GDMA */

static IRAM_ATTR bool gdma_eof(gdma_channel_handle_t channel, gdma_event_data_t *event, void *arg) {
    hub75_desc_t *restart;
    bool woken = refresh_ended(arg, (const hub75_desc_t *)event->tx_eof_desc_addr, &restart);
    /* The GDMA took the tail with next = NULL and stopped; the LCD keeps clocking the last word out
     * (the OE-off tail), so restarting here leaves no gap. The channel is cache-safe and gdma_start()
     * is in IRAM (CONFIG_GDMA_CTRL_FUNC_IN_IRAM in the board's sdkconfig), so this runs during flash
     * writes too. TODO(hardware): confirm on a board. */
    if (restart) gdma_start(channel, (intptr_t)restart);
    return woken;
}

static hub75_status_t start_peripheral(hub75_port_t *port, const uint16_t *setup, size_t setup_words) {
    periph_module_reset(PERIPH_LCD_CAM_MODULE);
    periph_module_enable(PERIPH_LCD_CAM_MODULE);
    route_pins(&port->pins, LCD_DATA_OUT0_IDX, LCD_PCLK_IDX, port->core.plan.clock_phase);

    /* PCLK = 160 MHz (PLL_F160M) / clkm_div_num, LCD_CLK passed straight through; the core chose the
     * divider (plan.clock_divider, >= 2). */
    uint32_t divider = port->core.plan.clock_divider;
    LCD_CAM.lcd_clock.val = 0;
    LCD_CAM.lcd_clock.clk_en = 1;
    LCD_CAM.lcd_clock.lcd_clk_sel = 3;
    LCD_CAM.lcd_clock.lcd_clkm_div_num = divider < 2 ? 2 : divider;
    LCD_CAM.lcd_clock.lcd_clk_equ_sysclk = 1;
    LCD_CAM.lcd_ctrl.lcd_rgb_mode_en = 0; /* i80 mode: no sync signals, just data + clock */
    LCD_CAM.lcd_user.val = 0;
    LCD_CAM.lcd_user.lcd_2byte_en = 1;
    LCD_CAM.lcd_user.lcd_dout = 1;
    LCD_CAM.lcd_user.lcd_always_out_en = 1; /* clock for as long as the DMA delivers */
    LCD_CAM.lcd_misc.val = 0;
    LCD_CAM.lcd_misc.lcd_bk_en = 1;
    LCD_CAM.lcd_dly_mode.val = 0;
    LCD_CAM.lcd_data_dout_mode.val = 0;

    /* ESP-IDF v6.0: no direction field; the channel pointer passed says which one (TX here, no RX).
     * Cache-safe: the interrupt is allocated in IRAM and keeps running while flash writes turn the cache
     * off (ESP-IDF then checks that gdma_eof is in IRAM and `port` in internal RAM). */
    gdma_channel_alloc_config_t alloc = {.flags.isr_cache_safe = true};
    if (gdma_new_ahb_channel(&alloc, &port->dma, NULL) != ESP_OK) return HUB75_ERR_MEMORY;
    gdma_connect(port->dma, GDMA_MAKE_TRIGGER(GDMA_TRIG_PERIPH_LCD, 0));
    /* The chain loops forever: the DMA must neither check nor clear the owner bit. */
    gdma_strategy_config_t strategy = {.owner_check = false, .auto_update_desc = false};
    gdma_apply_strategy(port->dma, &strategy);
    /* ESP-IDF v6.0 replaced gdma_set_transfer_ability by gdma_config_transfer. Data burst on, as ESP-IDF's
     * i80 LCD driver sets it (32), unless that asks more than the 4-byte alignment of the chain's buffers
     * (internal RAM only): then burst off. */
    gdma_transfer_config_t transfer = {.max_data_burst_size = 32, .access_ext_mem = false};
    gdma_config_transfer(port->dma, &transfer);
    size_t internal_alignment = 0, external_alignment = 0;
    if (gdma_get_alignment_constraints(port->dma, &internal_alignment, &external_alignment) != ESP_OK || internal_alignment > 4) {
        transfer.max_data_burst_size = 0;
        gdma_config_transfer(port->dma, &transfer);
    }

    if (setup_words) {
        /* Set-up writes before the callback exists: a one-shot chain, then a short wait.
         * TODO(hardware): replace the fixed delay by polling the GDMA EOF status. */
        size_t chunks = (setup_words + HUB75_DESC_MAX_WORDS - 1) / HUB75_DESC_MAX_WORDS;
        hub75_desc_t *once = dma_alloc(chunks * sizeof *once);
        if (once == NULL) return HUB75_ERR_MEMORY;
        for (size_t i = 0; i < chunks; i++) {
            size_t words = setup_words - i * HUB75_DESC_MAX_WORDS;
            if (words > HUB75_DESC_MAX_WORDS) words = HUB75_DESC_MAX_WORDS;
            once[i].buf = (const uint8_t *)(setup + i * HUB75_DESC_MAX_WORDS);
            once[i].ctrl = HUB75_DESC_OWNER_DMA | (uint32_t)(words * 2) << 12 | (uint32_t)(words * 2) |
                           (i + 1 == chunks ? HUB75_DESC_EOF : 0);
            once[i].next = i + 1 < chunks ? &once[i + 1] : NULL;
        }
        gdma_start(port->dma, (intptr_t)once);
        LCD_CAM.lcd_user.lcd_update = 1;
        LCD_CAM.lcd_user.lcd_start = 1;
        vTaskDelay(pdMS_TO_TICKS(5)); /* < 1 ms of words at 10 MHz */
        LCD_CAM.lcd_user.lcd_start = 0;
        gdma_stop(port->dma);
        gdma_reset(port->dma);
        heap_caps_free(once);
    }

    gdma_tx_event_callbacks_t callbacks = {.on_trans_eof = gdma_eof};
    if (gdma_register_tx_event_callbacks(port->dma, &callbacks, port) != ESP_OK) return HUB75_ERR_MEMORY;
    gdma_start(port->dma, (intptr_t)hub75_chain_head(&port->core));
    LCD_CAM.lcd_misc.lcd_afifo_reset = 1;
    LCD_CAM.lcd_user.lcd_update = 1;
    LCD_CAM.lcd_user.lcd_start = 1;
    return HUB75_OK;
}

static void stop_peripheral(hub75_port_t *port) {
    LCD_CAM.lcd_user.lcd_start = 0;
    if (port->dma) {
        gdma_stop(port->dma);
        gdma_disconnect(port->dma);
        gdma_del_channel(port->dma);
    }
}

#endif

/* A Kconfig option that is off is not defined in sdkconfig.h, so it cannot stand in an expression. */
#if CONFIG_IDF_TARGET_ESP32
#define HUB75_SWAP_HALFWORDS 1
#else
#define HUB75_SWAP_HALFWORDS 0
#endif

#if CONFIG_IDF_TARGET_ESP32S3
#define HUB75_CLOCK_SOURCE_HZ 160000000u /* LCD_CAM: PLL_F160M / lcd_clkm_div_num */
#else
#define HUB75_CLOCK_SOURCE_HZ 40000000u /* I2S LCD mode: 80 MHz / clkm_div_num / tx_bck_div_num (2) */
#endif

hub75_status_t hub75_port_open(const hub75_config_t *config, const hub75_pins_t *pins, uint8_t brightness,
                               hub75_port_t **out, const char **reason) {
    hub75_config_t c = *config;
    hub75_plan_t plan;
    *out = NULL;
    *reason = NULL;
    /* Only the original ESP32's I2S sends each 32-bit word as (high half, low half).
     * TODO(hardware): confirm the ESP32-S2 I2S order. */
    c.swap_halfwords = HUB75_SWAP_HALFWORDS;
    /* The clock the peripheral divides: the plan picks an integer divider and reports the real clock. */
    c.clock_source_hz = HUB75_CLOCK_SOURCE_HZ;
    if (hub75_plan(&c, &plan) != HUB75_OK) {
        *reason = hub75_config_error(&c);
        return HUB75_ERR_CONFIG;
    }
    hub75_port_t *port = heap_caps_calloc(1, sizeof *port, MALLOC_CAP_INTERNAL | MALLOC_CAP_8BIT);
    if (port == NULL) {
        *reason = "out of memory";
        return HUB75_ERR_MEMORY;
    }
    port->pins = *pins;
    port->swapped = xSemaphoreCreateBinary();
    port->mem.frame[0] = dma_alloc(plan.frame_buffer_bytes);
    port->mem.frame[1] = plan.buffers == 2 ? dma_alloc(plan.frame_buffer_bytes) : NULL;
    port->mem.pads = dma_alloc(plan.pad_bytes);
    port->mem.descs = dma_alloc(plan.desc_count * sizeof(hub75_desc_t));
    hub75_status_t status = port->swapped ? hub75_init(&port->core, &c, &port->mem, brightness) : HUB75_ERR_MEMORY;
    if (status != HUB75_OK) {
        *reason = status == HUB75_ERR_MEMORY ? "not enough internal DMA memory" : hub75_config_error(&c);
        release(port);
        return status;
    }
    size_t setup_words = hub75_init_sequence_words(&plan, c.driver);
    uint16_t *setup = setup_words ? dma_alloc(setup_words * 2) : NULL;
    if (setup_words && (setup == NULL || hub75_init_sequence(&plan, c.driver, setup, setup_words) != setup_words)) {
        heap_caps_free(setup);
        release(port);
        *reason = "not enough DMA memory for the driver set-up";
        return HUB75_ERR_MEMORY;
    }
    status = start_peripheral(port, setup, setup_words);
    heap_caps_free(setup);
    if (status != HUB75_OK) {
        stop_peripheral(port);
        blank_panel(pins);
        release(port);
        *reason = "could not start the LCD peripheral or its interrupt";
        return status;
    }
    *out = port;
    return HUB75_OK;
}

hub75_t *hub75_port_core(hub75_port_t *port) { return &port->core; }

/* Waits until no swap or settle is pending; false at the deadline (the DMA or its interrupt stalled). */
static bool wait_idle(hub75_port_t *port, TickType_t deadline) {
    while (port->core.swap_pending) {
        TickType_t now = xTaskGetTickCount();
        if ((int32_t)(deadline - now) <= 0) return false;
        xSemaphoreTake(port->swapped, deadline - now);
    }
    return true;
}

hub75_status_t hub75_port_push(hub75_port_t *port, const uint8_t *rgb, size_t length, uint32_t timeout_ms, bool still) {
    TickType_t deadline = xTaskGetTickCount() + pdMS_TO_TICKS(timeout_ms);
    /* A still on show alternates both buffers: the next interrupt (within half a refresh) keeps one. */
    hub75_settle(&port->core);
    if (!wait_idle(port, deadline)) return HUB75_ERR_BUSY;
    if (!still) return hub75_push(&port->core, rgb, length);
    hub75_status_t status = hub75_push_still(&port->core, rgb, length);
    if (status != HUB75_OK || hub75_half_desc(&port->core) == NULL) return status;
    /* Phase 1 goes into the buffer the swap frees (within two refreshes); then the interrupts alternate
     * the two. If the swap is late, phase 0 alone stays on show: still a correct picture. */
    if (wait_idle(port, deadline)) hub75_hold(&port->core, rgb, length);
    return HUB75_OK;
}

uint32_t hub75_port_refreshes(hub75_port_t *port) { return port->refreshes; }

void hub75_port_close(hub75_port_t *port) {
    if (port == NULL) return;
    stop_peripheral(port);
    blank_panel(&port->pins);
    release(port);
}

#endif /* ESP_PLATFORM */
