/*
 * The JSON string scanner (json_kernels.h): StringReader.scan of src/json/strings.ts in C. The
 * TypeScript has fast paths (a word at a time, runs copied at once, escapes skipped whole) that give
 * the same result as its byte-by-byte path; C needs none of them, so this is that byte-by-byte path:
 * one byte, one step, and every offset where TypeScript reports it.
 */
#include "json_kernels.h"

#define S_STRING 0
#define S_ESCAPE 1
#define S_UNICODE 2
#define S_UTF8 3
#define S_AFTER_HIGH 4
#define S_COMPLETE 5

#define REPLACEMENT_CHARACTER 0xfffd

int32_t json_string_begin(json_string_t *s, int32_t limit, int32_t reject, uint32_t capacity) {
    if (limit < 0 || (uint32_t)limit > capacity || capacity > 0x1000000u) return JSON_FAULT_RANGE;
    s->state = S_STRING;
    s->limit = limit;
    s->reject = reject != 0;
    s->length = 0;
    s->truncated = 0;
    s->pending_high = 0;
    s->capacity = capacity;
    return 0;
}

int json_string_complete(const json_string_t *s) {
    return s->state == S_COMPLETE;
}

static int32_t fault(json_string_t *s, int32_t code, uint32_t at, int32_t byte) {
    s->fault_at = (int32_t)at;
    s->fault_byte = byte;
    return code;
}

/* Beyond the limit: reject fails, truncate keeps what it has and takes nothing more. 0 or a fault. */
static int32_t overflow(json_string_t *s, uint32_t at) {
    if (s->reject) return fault(s, JSON_STRING_TOO_LONG, at, 0);
    s->truncated = 1;
    s->limit = s->length;
    return 0;
}

static int32_t append_unit(json_string_t *s, uint16_t *units, int32_t unit, uint32_t at) {
    if (s->length < s->limit) {
        units[s->length++] = (uint16_t)unit;
        return 0;
    }
    return overflow(s, at);
}

static int32_t append_code_point(json_string_t *s, uint16_t *units, int32_t code, uint32_t at) {
    if (code < 0x10000) return append_unit(s, units, code, at);
    if (s->length + 2 <= s->limit) {
        code -= 0x10000;
        units[s->length++] = (uint16_t)(0xd800 + (code >> 10));
        units[s->length++] = (uint16_t)(0xdc00 + (code & 0x3ff));
        return 0;
    }
    return overflow(s, at);
}

/* A complete \uXXXX: pairs surrogates, replaces lone ones. Sets the next state; 0 or a fault. */
static int32_t unicode_escape(json_string_t *s, uint16_t *units, int32_t unit, uint32_t at) {
    int32_t high = s->pending_high, result;
    s->pending_high = 0;
    s->state = S_STRING;
    if (high != 0) {
        if (unit >= 0xdc00 && unit <= 0xdfff) return append_code_point(s, units, 0x10000 + ((high - 0xd800) << 10) + (unit - 0xdc00), at);
        if ((result = append_unit(s, units, REPLACEMENT_CHARACTER, at)) < 0) return result;
    }
    if (unit >= 0xd800 && unit <= 0xdbff) {
        s->pending_high = unit;
        s->state = S_AFTER_HIGH;
        return 0;
    }
    return append_unit(s, units, unit >= 0xdc00 && unit <= 0xdfff ? REPLACEMENT_CHARACTER : unit, at);
}

static int32_t short_escape(int32_t byte) {
    switch (byte) {
    case 0x22: return 0x22;
    case 0x5c: return 0x5c;
    case 0x2f: return 0x2f;
    case 0x62: return 0x08;
    case 0x66: return 0x0c;
    case 0x6e: return 0x0a;
    case 0x72: return 0x0d;
    case 0x74: return 0x09;
    default: return 0;
    }
}

static int32_t hex_value(int32_t byte) {
    if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
    if (byte >= 0x41 && byte <= 0x46) return byte - 0x41 + 10;
    if (byte >= 0x61 && byte <= 0x66) return byte - 0x61 + 10;
    return -1;
}

int32_t json_string_scan(json_string_t *s, const uint8_t *chunk, uint32_t chunk_length, uint32_t i, uint32_t end, uint16_t *units, uint32_t unit_count) {
    if (end > chunk_length || i > end || end > 0x7fffffffu || unit_count < s->capacity || s->state < S_STRING || s->state > S_COMPLETE) return JSON_FAULT_RANGE;
    if (s->state == S_COMPLETE) return (int32_t)i;
    int32_t result;
    while (i < end) {
        int32_t byte = chunk[i];
        switch (s->state) {
        case S_STRING:
            if (byte >= 0x20 && byte < 0x80 && byte != 0x22 && byte != 0x5c) {
                /* A plain run: taken while it fits, then one overflow for the byte beyond. */
                if (s->length < s->limit) units[s->length++] = (uint16_t)byte;
                else if ((result = overflow(s, i)) < 0) return result;
            } else if (byte == 0x22) {
                s->state = S_COMPLETE;
                return (int32_t)(i + 1);
            } else if (byte == 0x5c) s->state = S_ESCAPE;
            else if (byte < 0x20) return fault(s, JSON_STRING_CONTROL, i, byte);
            else if (byte >= 0xc2 && byte <= 0xdf) {
                s->utf8_needed = 1;
                s->utf8_code = byte & 0x1f;
                s->utf8_low = 0x80;
                s->utf8_high = 0xbf;
                s->state = S_UTF8;
            } else if (byte >= 0xe0 && byte <= 0xef) {
                s->utf8_needed = 2;
                s->utf8_code = byte & 0x0f;
                s->utf8_low = byte == 0xe0 ? 0xa0 : 0x80;
                s->utf8_high = byte == 0xed ? 0x9f : 0xbf;
                s->state = S_UTF8;
            } else if (byte >= 0xf0 && byte <= 0xf4) {
                s->utf8_needed = 3;
                s->utf8_code = byte & 0x07;
                s->utf8_low = byte == 0xf0 ? 0x90 : 0x80;
                s->utf8_high = byte == 0xf4 ? 0x8f : 0xbf;
                s->state = S_UTF8;
            } else return fault(s, JSON_STRING_UTF8_LEAD, i, byte);
            i++;
            break;
        case S_UTF8:
            if (byte < s->utf8_low || byte > s->utf8_high) return fault(s, JSON_STRING_UTF8_NEXT, i, byte);
            s->utf8_code = (s->utf8_code << 6) | (byte & 0x3f);
            s->utf8_low = 0x80;
            s->utf8_high = 0xbf;
            if (--s->utf8_needed == 0) {
                s->state = S_STRING;
                if ((result = append_code_point(s, units, s->utf8_code, i)) < 0) return result;
            }
            i++;
            break;
        case S_ESCAPE:
            if (byte == 0x75) {
                s->hex = 0;
                s->hex_digits = 0;
                s->state = S_UNICODE;
            } else {
                int32_t unit = short_escape(byte);
                if (unit == 0) return fault(s, JSON_STRING_ESCAPE, i, byte);
                s->state = S_STRING;
                if (s->pending_high != 0) {
                    s->pending_high = 0;
                    if ((result = append_unit(s, units, REPLACEMENT_CHARACTER, i)) < 0) return result;
                }
                if ((result = append_unit(s, units, unit, i)) < 0) return result;
            }
            i++;
            break;
        case S_UNICODE: {
            int32_t digit = hex_value(byte);
            if (digit < 0) return fault(s, JSON_STRING_HEX, i, byte);
            s->hex = (s->hex << 4) | digit;
            if (++s->hex_digits == 4 && (result = unicode_escape(s, units, s->hex, i)) < 0) return result;
            i++;
            break;
        }
        default: /* S_AFTER_HIGH: only \u + a low surrogate completes the pair */
            if (byte == 0x5c) {
                s->state = S_ESCAPE;
                i++;
            } else {
                s->pending_high = 0;
                s->state = S_STRING; /* the byte is read again as string content */
                if ((result = append_unit(s, units, REPLACEMENT_CHARACTER, i)) < 0) return result;
            }
            break;
        }
    }
    return (int32_t)i;
}

int32_t json_find_name(const uint16_t *units, uint32_t unit_count, uint32_t length, const uint8_t *table, uint32_t table_length) {
    if (length > unit_count || table_length < 1) return JSON_FAULT_RANGE;
    uint32_t count = table[0], at = 1;
    for (uint32_t index = 0; index < count; index++) {
        if (at >= table_length) return JSON_FAULT_RANGE;
        uint32_t name_length = table[at++];
        if (name_length > table_length - at) return JSON_FAULT_RANGE;
        if (name_length == length) {
            uint32_t i = 0;
            while (i < length && units[i] == table[at + i]) i++;
            if (i == length) return (int32_t)index;
        }
        at += name_length;
    }
    return -1;
}
