/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: shared helpers of the core library (see tg-common.h). */
#include <config.h>

#include "tg-common.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

GQuark
tg_error_quark(void)
{
    return g_quark_from_static_string("tscgate-error-quark");
}

static const char *const tg_tri_names[] = {
    [TG_TRI_UNKNOWN] = "unknown",
    [TG_TRI_NO] = "no",
    [TG_TRI_YES] = "yes",
};

const TgEnumTable tg_tri_table = TG_ENUM_TABLE(tg_tri_names);

const char *
tg_tri_to_string(TgTri t)
{
    const char *s = tg_enum_to_string(&tg_tri_table, (int)t);

    return s ? s : "unknown";
}

void
tg_fact_note_clear(TgFactNote *n)
{
    g_clear_pointer(&n->source, g_free);
    g_clear_pointer(&n->reason, g_free);
    n->known = false;
}

void
tg_fact_note_copy(TgFactNote *dst, const TgFactNote *src)
{
    tg_fact_note_clear(dst);
    dst->known = src->known;
    dst->source = g_strdup(src->source);
    dst->reason = g_strdup(src->reason);
}

static void
tg_fact_note_set_known(TgFactNote *n, const char *source)
{
    tg_fact_note_clear(n);
    n->known = true;
    n->source = g_strdup(source);
}

void
tg_u64_fact_set(TgU64Fact *f, guint64 value, const char *source)
{
    tg_fact_note_set_known(&f->note, source);
    f->value = value;
}

void
tg_bool_fact_set(TgBoolFact *f, bool value, const char *source)
{
    tg_fact_note_set_known(&f->note, source);
    f->value = value;
}

void
tg_str_fact_set(TgStrFact *f, const char *value, const char *source)
{
    tg_fact_note_set_known(&f->note, source);
    g_free(f->value);
    f->value = g_strdup(value);
}

void
tg_str_fact_clear(TgStrFact *f)
{
    tg_fact_note_clear(&f->note);
    g_clear_pointer(&f->value, g_free);
}

void
tg_fact_set_unknown(TgFactNote *n, const char *fmt, ...)
{
    va_list ap;

    tg_fact_note_clear(n);
    va_start(ap, fmt);
    n->reason = g_strdup_vprintf(fmt, ap);
    va_end(ap);
}

TgTri
tg_bool_fact_tri(const TgBoolFact *f)
{
    if (!f->note.known)
        return TG_TRI_UNKNOWN;
    return f->value ? TG_TRI_YES : TG_TRI_NO;
}

bool
tg_parse_u64(const char *s, guint64 *out)
{
    guint64 v = 0;

    if (!s || !*s)
        return false;
    for (const char *p = s; *p; p++) {
        unsigned d;

        if (*p < '0' || *p > '9')
            return false;
        d = (unsigned)(*p - '0');
        if (v > (G_MAXUINT64 - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

/* Code points beyond ASCII that a terminal, a log viewer or an editor acts
 * on instead of showing: C1 controls (U+009B is CSI, U+0085 NEL), the line
 * and paragraph separators, and the bidirectional marks, embeddings,
 * overrides and isolates (Unicode UAX #9, "Trojan Source"). */
static bool
tg_escape_code_point(gunichar c)
{
    return (c >= 0x80 && c <= 0x9f) || c == 0x2028 || c == 0x2029 ||
           (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) ||
           c == 0x200e || c == 0x200f || c == 0x061c;
}

char *
tg_escape(const char *s, TgEscapeStyle style)
{
    GString *out = g_string_sized_new(strlen(s) + 8);
    const unsigned char *end = (const unsigned char *)s + strlen(s);

    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p >= 0x80) {
            gunichar c = g_utf8_get_char_validated((const char *)p, (gssize)(end - p));

            if (c == (gunichar)-1 || c == (gunichar)-2) {
                /* Not UTF-8: the byte itself, never raw (a lone 0x9b is CSI
                 * to an 8-bit terminal). */
                g_string_append_printf(out, style == TG_ESCAPE_JSON ? "\\u%04x" : "\\x%02x", *p);
                continue;
            }
            if (tg_escape_code_point(c))
                g_string_append_printf(out, "\\u%04x", (unsigned)c);
            else
                g_string_append_len(out, (const char *)p, g_utf8_skip[*p]);
            p += g_utf8_skip[*p] - 1;
            continue;
        }
        switch (*p) {
        case '\n':
            g_string_append(out, "\\n");
            break;
        case '\r':
            g_string_append(out, "\\r");
            break;
        case '\t':
            g_string_append(out, "\\t");
            break;
        case '\\':
            g_string_append(out, style == TG_ESCAPE_CONTROLS ? "\\" : "\\\\");
            break;
        case '"':
            g_string_append(out, style == TG_ESCAPE_JSON ? "\\\"" : "\"");
            break;
        default:
            if (*p < 0x20 || *p == 0x7f)
                g_string_append_printf(out, style == TG_ESCAPE_JSON ? "\\u%04x" : "\\x%02x", *p);
            else
                g_string_append_c(out, (char)*p);
        }
    }
    return g_string_free(out, FALSE);
}

char *
tg_escape_untrusted(const char *s)
{
    return s ? tg_escape(s, TG_ESCAPE_UNTRUSTED) : g_strdup("(null)");
}

/* True when `s` is printable ASCII without '"' or '\\': its JSON string
 * body is itself (the common case, written without an escaped copy). */
static bool
tg_json_plain(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p > 0x7e || *p == '"' || *p == '\\')
            return false;
    return true;
}

void
tg_json_string_append(GString *out, const char *s)
{
    if (!s) {
        g_string_append(out, "null");
    } else if (tg_json_plain(s)) {
        g_string_append_c(out, '"');
        g_string_append(out, s);
        g_string_append_c(out, '"');
    } else {
        g_autofree char *body = tg_escape(s, TG_ESCAPE_JSON);

        g_string_append_c(out, '"');
        g_string_append(out, body);
        g_string_append_c(out, '"');
    }
}

char *
tg_json_string(const char *s)
{
    GString *out = g_string_new(NULL);

    tg_json_string_append(out, s);
    return g_string_free(out, FALSE);
}

const char *
tg_input_name(const char *path)
{
    return g_strcmp0(path, "-") == 0 ? TG_STDIN_NAME : path;
}

char *
tg_format_mhz(guint64 hz)
{
    return g_strdup_printf("%" G_GUINT64_FORMAT ".%03" G_GUINT64_FORMAT " MHz",
                           hz / 1000000, (hz / 1000) % 1000);
}

char *
tg_format_utc(gint64 t)
{
    g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc(t);

    if (!dt)
        return g_strdup("1970-01-01T00:00:00Z");
    /* Not g_date_time_format("%Y"): it writes years before 1000 with fewer
     * than four digits ("226-11-20T10:00:00Z"), which RFC 3339 and
     * g_date_time_new_from_iso8601 reject, so a lineage record carrying
     * such a hop time was rewritten into one that no longer parses
     * (found by tests/fuzz/fuzz-guest). */
    return g_strdup_printf("%04d-%02d-%02dT%02d:%02d:%02dZ", g_date_time_get_year(dt),
                           g_date_time_get_month(dt), g_date_time_get_day_of_month(dt),
                           g_date_time_get_hour(dt), g_date_time_get_minute(dt),
                           g_date_time_get_second(dt));
}

const char *
tg_enum_to_string(const TgEnumTable *table, int value)
{
    if (!table || value < 0 || (guint)value >= table->n)
        return NULL;
    return table->names[value];
}

int
tg_enum_from_string(const TgEnumTable *table, const char *s)
{
    if (!table || !s)
        return -1;
    for (guint i = 0; i < table->n; i++) {
        if (table->names[i] && strcmp(table->names[i], s) == 0)
            return (int)i;
    }
    return -1;
}

char *
tg_enum_list(const TgEnumTable *table)
{
    GString *s = g_string_new(NULL);

    for (guint i = 0; table && i < table->n; i++) {
        if (!table->names[i])
            continue;
        if (s->len)
            g_string_append(s, ", ");
        g_string_append(s, table->names[i]);
    }
    return g_string_free(s, FALSE);
}
