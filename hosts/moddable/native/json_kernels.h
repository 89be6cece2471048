/*
 * The JSON tokenizer's per-byte string work in portable C (no XS): the twin of StringReader.scan in
 * src/json/strings.ts, byte for byte (the same UTF-16 units, the same truncation, the same errors at
 * the same offsets). The XS binding is json_kernels_xs.c; the port is JsonKernels in src/ports.ts.
 */
#ifndef JSON_KERNELS_H
#define JSON_KERNELS_H

#include <stdint.h>

/* scan results below 0: a data error (details in fault_at / fault_byte) or a bad argument. */
#define JSON_STRING_CONTROL (-1)      /* a raw control character: "syntax" */
#define JSON_STRING_UTF8_LEAD (-2)    /* "utf8" */
#define JSON_STRING_UTF8_NEXT (-3)    /* a bad continuation byte: "utf8" */
#define JSON_STRING_ESCAPE (-4)       /* \ + a byte that starts no escape: "syntax" */
#define JSON_STRING_HEX (-5)          /* \u + a byte that is not a hex digit: "syntax" */
#define JSON_STRING_TOO_LONG (-6)     /* beyond the limit with reject: "too_long" */
#define JSON_FAULT_RANGE (-100)       /* an argument out of range: the binding throws RangeError */

/* One string being read, kept between chunks: 64 bytes, allocated once per tokenizer. */
typedef struct {
    int32_t state;
    int32_t limit;
    int32_t reject;
    int32_t length;
    int32_t truncated;
    int32_t pending_high;
    int32_t hex;
    int32_t hex_digits;
    int32_t utf8_needed;
    int32_t utf8_code;
    int32_t utf8_low;
    int32_t utf8_high;
    /* After a negative scan: the index in the chunk and the byte it is about. */
    int32_t fault_at;
    int32_t fault_byte;
    uint32_t capacity;
    int32_t unused;
} json_string_t;

/* Starts a string (after its opening quote) keeping at most `limit` units (<= the units' capacity). */
int32_t json_string_begin(json_string_t *s, int32_t limit, int32_t reject, uint32_t capacity);

/*
 * Reads chunk[i..end) into units: returns where it stopped (end, or just after the closing quote, then
 * json_string_complete), or a negative code.
 */
int32_t json_string_scan(json_string_t *s, const uint8_t *chunk, uint32_t chunk_length, uint32_t i, uint32_t end, uint16_t *units, uint32_t unit_count);

int json_string_complete(const json_string_t *s);

/*
 * The index of the name `units[0..length)` equals in a packed name table (src/json/text.ts nameTable:
 * the count, then each name as its length and its ASCII bytes), or -1; JSON_FAULT_RANGE for a length
 * beyond the units or a table that ends inside a name.
 */
int32_t json_find_name(const uint16_t *units, uint32_t unit_count, uint32_t length, const uint8_t *table, uint32_t table_length);

#endif
