/*
 * The JSON tokenizer's loop in C (json_kernels.h): the twin of JsonTokenizer's TypeScript loop in
 * src/json/tokenizer.ts, and of its NumberReader (src/json/numbers.ts), one byte at a time: the same
 * states, the same events at the same stream offsets, the same errors. Strings go through
 * json_string_scan (json_kernels.c). It returns to JavaScript only for an event the handler must see:
 * whitespace, punctuation, and the whole value of a key that the filter leaves out (nested containers,
 * strings, numbers, literals) are read, and checked, here.
 */
#include <stddef.h>

#include "json_kernels.h"

#define S_VALUE 0
#define S_ARRAY_FIRST 1
#define S_OBJECT_FIRST 2
#define S_KEY 3
#define S_COLON 4
#define S_AFTER_VALUE 5
#define S_STRING 6
#define S_NUMBER 7
#define S_LITERAL 8
#define S_DONE 9

#define OBJECT 1
#define ARRAY 2

/* Stages of a number (numbers.ts). */
#define N_START 0
#define N_MINUS 1
#define N_ZERO 2
#define N_INT 3
#define N_DOT 4
#define N_FRACTION 5
#define N_EXPONENT 6
#define N_EXPONENT_SIGN 7
#define N_EXPONENT_DIGITS 8

#define MAX_EXACT_DIGITS 15

static const double EXACT_POWERS_OF_TEN[23] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
static const char *const LITERALS[3] = {"true", "false", "null"};
static const uint8_t LITERAL_LENGTHS[3] = {4, 5, 4};
static const int32_t LITERAL_EVENTS[3] = {JSON_EVENT_TRUE, JSON_EVENT_FALSE, JSON_EVENT_NULL};

/* json_string_t.state when no string is open (json_kernels.c S_COMPLETE). */
#define STRING_COMPLETE 5

int32_t json_scanner_init(json_scanner_t *s, int32_t max_depth, int32_t max_key_units, uint32_t capacity, int32_t default_limit, int32_t default_reject) {
    if (max_depth < 1 || max_depth > 32 || max_key_units < 1 || (uint32_t)max_key_units > capacity || capacity > 0x1000000u) return JSON_FAULT_RANGE;
    if (default_limit < 0 || (uint32_t)default_limit > capacity) return JSON_FAULT_RANGE;
    s->max_depth = max_depth;
    s->max_key_units = max_key_units;
    s->string.capacity = capacity;
    s->string.state = STRING_COMPLETE;
    s->default_limit = default_limit;
    s->default_reject = default_reject != 0;
    json_scanner_reset(s);
    return 0;
}

void json_scanner_reset(json_scanner_t *s) {
    s->state = S_VALUE;
    s->depth = 0;
    s->position = 0;
    s->next_limit = s->default_limit;
    s->next_reject = s->default_reject;
    s->filter_depth = 0;
    s->skip_depth = 0;
}

int32_t json_scanner_limit(json_scanner_t *s, int32_t limit, int32_t reject, int32_t as_default) {
    if (limit < 0 || (uint32_t)limit > s->string.capacity) return JSON_FAULT_RANGE;
    if (as_default) {
        s->default_limit = limit;
        s->default_reject = reject != 0;
    }
    s->next_limit = limit;
    s->next_reject = reject != 0;
    return 0;
}

void json_scanner_filter(json_scanner_t *s) {
    s->filter_depth = s->depth;
}

static int32_t fault(json_scanner_t *s, int32_t code, uint32_t at, int32_t detail) {
    s->fault_at = (int32_t)at;
    s->fault_detail = detail;
    return code;
}

static int32_t event(uint32_t at, int32_t kind) {
    return (int32_t)(at << 4) | kind;
}

/* A value ended: the state after it, and the end of a skipped value. True when its event is silent. */
static int after_value(json_scanner_t *s) {
    int silent = s->skip_depth != 0;
    if (s->depth == s->skip_depth) s->skip_depth = 0;
    s->state = s->depth == 0 ? S_DONE : S_AFTER_VALUE;
    return silent;
}

static int32_t open_container(json_scanner_t *s, int32_t kind, uint32_t at) {
    int32_t depth = s->depth;
    if (depth >= s->max_depth) return fault(s, JSON_SCAN_DEPTH, at, s->max_depth);
    if (kind == OBJECT) s->containers |= 1u << depth;
    else s->containers &= ~(1u << depth);
    s->depth = depth + 1;
    s->state = kind == OBJECT ? S_OBJECT_FIRST : S_ARRAY_FIRST;
    return 0;
}

static int innermost_is_object(const json_scanner_t *s) {
    return ((s->containers >> (s->depth - 1)) & 1u) == 1u;
}

/* A closing bracket at chunk[at]: an event (or 0 when silent), or a fault. */
static int32_t close_container(json_scanner_t *s, int32_t kind, uint32_t at, double base) {
    if (innermost_is_object(s) != (kind == OBJECT)) return fault(s, kind == OBJECT ? JSON_SCAN_CLOSES_ARRAY : JSON_SCAN_CLOSES_OBJECT, at, 0);
    s->depth--;
    if (s->depth < s->filter_depth) s->filter_depth = 0;
    s->position = base + at;
    if (after_value(s)) return 0;
    return event(at + 1, kind == OBJECT ? JSON_EVENT_END_OBJECT : JSON_EVENT_END_ARRAY);
}

static void begin_string(json_scanner_t *s, int32_t is_key, uint32_t at, double base, int32_t limit, int32_t reject) {
    s->position = base + at;
    s->in_key = is_key;
    /* Limits were checked when they were set; a skipped value is never kept. */
    if (is_key) json_string_begin(&s->string, s->max_key_units, 0, s->string.capacity);
    else if (s->skip_depth != 0) json_string_begin(&s->string, 0, 0, s->string.capacity);
    else json_string_begin(&s->string, limit, reject, s->string.capacity);
    s->state = S_STRING;
}

/* ---- numbers (NumberReader) ---- */

static void add_digit(json_scanner_t *s, int32_t digit) {
    if (s->mantissa == 0 && digit == 0) return;
    s->significant++;
    if (s->significant <= MAX_EXACT_DIGITS) s->mantissa = s->mantissa * 10 + digit;
}

/* Takes one byte at chunk[at]: 1, 0 when it is not part of the number, or a fault. */
static int32_t number_take(json_scanner_t *s, int32_t byte, uint32_t at) {
    int32_t digit = byte - 0x30;
    int is_digit = digit >= 0 && digit <= 9;
    switch (s->stage) {
    case N_START:
        if (byte == 0x2d) {
            s->negative = 1;
            s->stage = N_MINUS;
        } else {
            s->stage = digit == 0 ? N_ZERO : N_INT;
            add_digit(s, digit);
        }
        break;
    case N_MINUS:
        if (!is_digit) return fault(s, JSON_SCAN_NUMBER_MINUS, at, 0);
        s->stage = digit == 0 ? N_ZERO : N_INT;
        add_digit(s, digit);
        break;
    case N_ZERO:
    case N_INT:
        if (is_digit) {
            if (s->stage == N_ZERO) return fault(s, JSON_SCAN_NUMBER_ZERO, at, 0);
            add_digit(s, digit);
        } else if (byte == 0x2e) s->stage = N_DOT;
        else if (byte == 0x65 || byte == 0x45) s->stage = N_EXPONENT;
        else return 0;
        break;
    case N_DOT:
    case N_FRACTION:
        if (is_digit) {
            s->stage = N_FRACTION;
            s->fraction_digits++;
            add_digit(s, digit);
        } else if (s->stage == N_DOT) return fault(s, JSON_SCAN_NUMBER_DOT, at, 0);
        else if (byte == 0x65 || byte == 0x45) s->stage = N_EXPONENT;
        else return 0;
        break;
    default: /* N_EXPONENT, N_EXPONENT_SIGN, N_EXPONENT_DIGITS */
        if (is_digit) {
            s->stage = N_EXPONENT_DIGITS;
            if (s->exponent < 100000) s->exponent = s->exponent * 10 + digit;
        } else if (s->stage == N_EXPONENT && (byte == 0x2b || byte == 0x2d)) {
            s->exponent_negative = byte == 0x2d;
            s->stage = N_EXPONENT_SIGN;
        } else if (s->stage != N_EXPONENT_DIGITS) return fault(s, JSON_SCAN_NUMBER_EXPONENT, at, 0);
        else return 0;
        break;
    }
    if (s->length >= JSON_NUMBER_MAX_LENGTH) return fault(s, JSON_SCAN_NUMBER_TOO_LONG, at, JSON_NUMBER_MAX_LENGTH);
    s->bytes[s->length++] = (uint8_t)byte;
    return 1;
}

static int number_complete(const json_scanner_t *s) {
    return s->stage == N_ZERO || s->stage == N_INT || s->stage == N_FRACTION || s->stage == N_EXPONENT_DIGITS;
}

/* The number ended (it is complete): its value, or number_text for Number() of its bytes. */
static void number_value(json_scanner_t *s) {
    int32_t power = (s->exponent_negative ? -s->exponent : s->exponent) - s->fraction_digits;
    if (s->significant <= MAX_EXACT_DIGITS && power >= -22 && power <= 22) {
        double value = power >= 0 ? s->mantissa * EXACT_POWERS_OF_TEN[power] : s->mantissa / EXACT_POWERS_OF_TEN[-power];
        s->number = s->negative ? -value : value;
        s->number_text = 0;
    } else s->number_text = 1;
}

/* ---- values ---- */

/* The value whose first byte is chunk[at]: an event, 0 to read on (from at + 1), or a fault. */
static int32_t begin_value(json_scanner_t *s, int32_t byte, uint32_t at, double base) {
    int32_t limit = s->next_limit, reject = s->next_reject, result;
    s->position = base + at;
    s->next_limit = s->default_limit;
    s->next_reject = s->default_reject;
    switch (byte) {
    case 0x7b:
    case 0x5b:
        if ((result = open_container(s, byte == 0x7b ? OBJECT : ARRAY, at)) < 0) return result;
        if (s->skip_depth != 0) return 0;
        return event(at + 1, byte == 0x7b ? JSON_EVENT_BEGIN_OBJECT : JSON_EVENT_BEGIN_ARRAY);
    case 0x22:
        begin_string(s, 0, at, base, limit, reject);
        return 0;
    case 0x74:
    case 0x66:
    case 0x6e:
        s->literal = byte == 0x74 ? 0 : byte == 0x66 ? 1 : 2;
        s->literal_index = 1;
        s->state = S_LITERAL;
        return 0;
    }
    if (byte == 0x2d || (byte >= 0x30 && byte <= 0x39)) {
        s->stage = N_START;
        s->length = 0;
        s->negative = 0;
        s->mantissa = 0;
        s->significant = 0;
        s->fraction_digits = 0;
        s->exponent = 0;
        s->exponent_negative = 0;
        number_take(s, byte, at); /* a sign or a digit: always taken */
        s->state = S_NUMBER;
        return 0;
    }
    return fault(s, JSON_SCAN_EXPECTED_VALUE, at, byte);
}

int32_t json_scan(json_scanner_t *s, const uint8_t *chunk, uint32_t chunk_length, uint32_t i, uint32_t end, uint16_t *units, uint32_t unit_count, const uint8_t *filter, uint32_t filter_length, double base) {
    if (end > chunk_length || i > end || end > 0x7ffffffu || unit_count < s->string.capacity || s->state < S_VALUE || s->state > S_DONE) return JSON_FAULT_RANGE;
    int32_t result;
    while (i < end) {
        int32_t state = s->state;
        if (state == S_STRING) {
            result = json_string_scan(&s->string, chunk, chunk_length, i, end, units, unit_count);
            if (result < 0) return fault(s, result, (uint32_t)s->string.fault_at, result == JSON_STRING_TOO_LONG ? s->string.limit : s->string.fault_byte);
            i = (uint32_t)result;
            if (!json_string_complete(&s->string)) break;
            s->position = base + (i - 1);
            if (!s->in_key) {
                if (after_value(s)) continue;
                return event(i, JSON_EVENT_STRING);
            }
            s->state = S_COLON;
            if (s->skip_depth != 0) continue;
            if (s->filter_depth == s->depth) {
                if (filter == NULL) return JSON_FAULT_RANGE;
                int32_t index = -1;
                if (!s->string.truncated && s->string.length != 0) {
                    index = json_find_name(units, unit_count, (uint32_t)s->string.length, filter, filter_length);
                    if (index == JSON_FAULT_RANGE) return index;
                }
                if (index < 0) {
                    s->skip_depth = s->depth;
                    continue;
                }
            }
            return event(i, JSON_EVENT_KEY);
        }
        int32_t byte = chunk[i];
        if (state == S_NUMBER) {
            if ((result = number_take(s, byte, i)) < 0) return result;
            if (result) {
                i++;
                continue;
            }
            /* The byte that ended the number is read again. */
            number_value(s);
            s->position = base + i;
            if (after_value(s)) continue;
            return event(i, JSON_EVENT_NUMBER);
        }
        if (state == S_LITERAL) {
            const char *word = LITERALS[s->literal];
            if (byte != (uint8_t)word[s->literal_index]) return fault(s, JSON_SCAN_LITERAL, i, s->literal);
            i++;
            if (++s->literal_index < LITERAL_LENGTHS[s->literal]) continue;
            if (after_value(s)) continue;
            return event(i, LITERAL_EVENTS[s->literal]);
        }
        if (byte == 0x20 || byte == 0x0a || byte == 0x0d || byte == 0x09) {
            i++;
            continue;
        }
        switch (state) {
        case S_VALUE:
        value:
            if ((result = begin_value(s, byte, i, base)) != 0) return result;
            i++;
            continue;
        case S_ARRAY_FIRST:
            if (byte != 0x5d) goto value;
            if ((result = close_container(s, ARRAY, i, base)) != 0) return result;
            break;
        case S_OBJECT_FIRST:
        case S_KEY:
            if (byte == 0x22) begin_string(s, 1, i, base, 0, 0);
            else if (byte == 0x7d && state == S_OBJECT_FIRST) {
                if ((result = close_container(s, OBJECT, i, base)) != 0) return result;
            } else return fault(s, JSON_SCAN_EXPECTED_KEY, i, byte);
            break;
        case S_COLON:
            if (byte != 0x3a) return fault(s, JSON_SCAN_EXPECTED_COLON, i, byte);
            s->state = S_VALUE;
            break;
        case S_AFTER_VALUE:
            if (byte == 0x2c) s->state = innermost_is_object(s) ? S_KEY : S_VALUE;
            else if (byte == 0x7d || byte == 0x5d) {
                if ((result = close_container(s, byte == 0x7d ? OBJECT : ARRAY, i, base)) != 0) return result;
            } else return fault(s, JSON_SCAN_EXPECTED_COMMA, i, byte);
            break;
        default: /* S_DONE */
            return fault(s, JSON_SCAN_TRAILING, i, byte);
        }
        i++;
    }
    return event(i, JSON_EVENT_NONE);
}

int32_t json_scanner_end(json_scanner_t *s, double base) {
    if (s->state == S_NUMBER && number_complete(s)) {
        number_value(s);
        s->position = base;
        if (!after_value(s)) return JSON_EVENT_NUMBER;
    }
    if (s->state != S_DONE) return fault(s, s->state == S_VALUE && s->depth == 0 ? JSON_SCAN_EMPTY : JSON_SCAN_INSIDE, 0, 0);
    return JSON_EVENT_NONE;
}
