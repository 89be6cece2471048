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

/*
 * The tokenizer's whole loop (json_scanner.c): the twin of JsonTokenizer's TypeScript loop in
 * src/json/tokenizer.ts (structure, numbers, literals, strings through json_string_scan above, and the
 * values of keys a filter leaves out, read and checked without events), returning at each event the
 * handler must see. Errors are negative codes: the JSON_STRING_* ones above and these.
 */
#define JSON_SCAN_EXPECTED_KEY (-7)    /* fault_detail: the byte */
#define JSON_SCAN_EXPECTED_COLON (-8)
#define JSON_SCAN_EXPECTED_COMMA (-9)  /* ',' or a closing bracket */
#define JSON_SCAN_TRAILING (-10)       /* a byte after the value */
#define JSON_SCAN_EXPECTED_VALUE (-11)
#define JSON_SCAN_CLOSES_ARRAY (-12)   /* '}' closes an array */
#define JSON_SCAN_CLOSES_OBJECT (-13)  /* ']' closes an object */
#define JSON_SCAN_LITERAL (-14)        /* fault_detail: 0 true, 1 false, 2 null (the word expected) */
#define JSON_SCAN_DEPTH (-15)          /* fault_detail: the deepest nesting allowed */
#define JSON_SCAN_NUMBER_MINUS (-16)   /* '-' without digits */
#define JSON_SCAN_NUMBER_ZERO (-17)    /* a leading zero */
#define JSON_SCAN_NUMBER_DOT (-18)     /* no digit after '.' */
#define JSON_SCAN_NUMBER_EXPONENT (-19) /* no digit in the exponent */
#define JSON_SCAN_NUMBER_TOO_LONG (-20) /* fault_detail: the longest number */
#define JSON_SCAN_EMPTY (-21)          /* end: no value at all ("truncated") */
#define JSON_SCAN_INSIDE (-22)         /* end: the input ended inside a value ("truncated") */

/* Events (the low 4 bits of a json_scan result, src/json/scanner.ts). */
#define JSON_EVENT_NONE 0 /* the chunk is used up */
#define JSON_EVENT_BEGIN_OBJECT 1
#define JSON_EVENT_END_OBJECT 2
#define JSON_EVENT_BEGIN_ARRAY 3
#define JSON_EVENT_END_ARRAY 4
#define JSON_EVENT_KEY 5
#define JSON_EVENT_STRING 6
#define JSON_EVENT_NUMBER 7
#define JSON_EVENT_TRUE 8
#define JSON_EVENT_FALSE 9
#define JSON_EVENT_NULL 10

#define JSON_NUMBER_MAX_LENGTH 40

/* The tokenizer's state between chunks (about 240 bytes, allocated once per tokenizer). */
typedef struct {
    json_string_t string;  /* the key or string being read */
    double position;       /* stream offset of the last event's token (JsonTokenizer.offset) */
    double number;         /* the last number's value, when number_text is 0 */
    double mantissa;
    int32_t state;
    int32_t depth;
    uint32_t containers;   /* bit d: the container at depth d + 1 is an object */
    int32_t max_depth;
    int32_t max_key_units;
    int32_t default_limit, default_reject;
    int32_t next_limit, next_reject;
    int32_t in_key;
    int32_t filter_depth;  /* keys of the object at this depth pass the filter table or are skipped; 0: none */
    int32_t skip_depth;    /* the value of a filtered-out key of the object at this depth is being read; 0: none */
    int32_t literal;       /* 0 true, 1 false, 2 null */
    int32_t literal_index;
    /* The number being read (NumberReader in src/json/numbers.ts). */
    int32_t stage, length, negative, significant, fraction_digits, exponent, exponent_negative;
    int32_t number_text;   /* the value is Number(the text in bytes): more than 15 digits or a power beyond 1e22 */
    /* After a negative result: the chunk index (or 0 at end) and the code's detail. */
    int32_t fault_at;
    int32_t fault_detail;
    uint8_t bytes[JSON_NUMBER_MAX_LENGTH];
} json_scanner_t;

/* Sets the limits (as JsonTokenizer's options) and forgets any document: 0, or JSON_FAULT_RANGE. */
int32_t json_scanner_init(json_scanner_t *s, int32_t max_depth, int32_t max_key_units, uint32_t capacity, int32_t default_limit, int32_t default_reject);
void json_scanner_reset(json_scanner_t *s);
/* The limit of the next value (JsonTokenizer.limitNextString), or the default one. */
int32_t json_scanner_limit(json_scanner_t *s, int32_t limit, int32_t reject, int32_t as_default);
/* Keys of the innermost open object that are not in the filter table (passed to every json_scan) are skipped with their values. */
void json_scanner_filter(json_scanner_t *s);

/*
 * Reads chunk[i..end) (base: stream offset of chunk[0]) up to the next event: (where it stopped << 4) |
 * event, JSON_EVENT_NONE at end; or a negative code. A key or string is in units (s->string.length,
 * truncated); a number in s->number (or its text in s->bytes). filter: the packed name table of
 * json_find_name, NULL when no filter was set.
 */
int32_t json_scan(json_scanner_t *s, const uint8_t *chunk, uint32_t chunk_length, uint32_t i, uint32_t end, uint16_t *units, uint32_t unit_count, const uint8_t *filter, uint32_t filter_length, double base);

/* The input ended at stream offset base: JSON_EVENT_NUMBER for a number this completes, then JSON_EVENT_NONE, or a negative code. */
int32_t json_scanner_end(json_scanner_t *s, double base);

#endif
