/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: the decision record and its renderings (see tg-record.h). */
#include <config.h>

#include "tg-record.h"

#include <string.h>

typedef struct {
    char *key;
    char *value;
} TgLogField;

struct _TgLogRecord {
    int priority;
    GArray *fields; /* TgLogField, MESSAGE first, then PRIORITY, SYSLOG_IDENTIFIER */
};

static void
tg_log_field_clear(gpointer p)
{
    TgLogField *f = p;

    g_free(f->key);
    g_free(f->value);
}

/* Backslashes are left alone: callers escape untrusted strings with
 * tg_escape_untrusted() first, which makes them unambiguous. */
char *
tg_log_escape_controls(const char *s)
{
    return tg_escape(s ? s : "", TG_ESCAPE_CONTROLS);
}

/* journald accepts field names of upper-case letters, digits and '_', not
 * starting with a digit or '_' (journal-file.c journal_field_valid). */
static bool
key_valid(const char *key)
{
    if (!key || !*key || key[0] == '_' || g_ascii_isdigit(key[0]) || strlen(key) > 64)
        return false;
    for (const char *p = key; *p; p++)
        if (!(g_ascii_isupper(*p) || g_ascii_isdigit(*p) || *p == '_'))
            return false;
    return true;
}

static void
record_set(TgLogRecord *r, const char *key, char *value_owned)
{
    TgLogField f = { g_strdup(key), value_owned };

    for (guint i = 0; i < r->fields->len; i++) {
        TgLogField *e = &g_array_index(r->fields, TgLogField, i);

        if (strcmp(e->key, key) == 0) {
            g_free(e->value);
            e->value = value_owned;
            g_free(f.key);
            return;
        }
    }
    g_array_append_val(r->fields, f);
}

TgLogRecord *
tg_log_record_new(int priority, const char *message)
{
    TgLogRecord *r = g_new0(TgLogRecord, 1);

    r->fields = g_array_new(FALSE, TRUE, sizeof(TgLogField));
    g_array_set_clear_func(r->fields, tg_log_field_clear);
    r->priority = CLAMP(priority, 0, 7);
    record_set(r, "MESSAGE", tg_log_escape_controls(message));
    record_set(r, "PRIORITY", g_strdup_printf("%d", r->priority));
    record_set(r, "SYSLOG_IDENTIFIER", g_strdup(TG_LOG_IDENT));
    return r;
}

void
tg_log_record_free(TgLogRecord *r)
{
    if (!r)
        return;
    g_array_unref(r->fields);
    g_free(r);
}

void
tg_log_record_add(TgLogRecord *r, const char *key, const char *value)
{
    g_return_if_fail(r != NULL);
    g_return_if_fail(key_valid(key));
    record_set(r, key, tg_log_escape_controls(value));
}

void
tg_log_record_addf(TgLogRecord *r, const char *key, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *v = NULL;

    va_start(ap, fmt);
    v = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    tg_log_record_add(r, key, v);
}

void
tg_log_record_add_field(TgLogRecord *r, const TgFields *f, TgFieldId id)
{
    const TgFieldDef *def = tg_field_def(id);
    /* TSCGATE_ + the name upper-cased: at most 64 bytes (test-fields) */
    char key[72] = "TSCGATE_";
    g_autofree char *esc = NULL;
    const char *v;
    gsize k = strlen(key);

    g_return_if_fail(def != NULL);
    for (const char *p = def->name; *p && k < sizeof(key) - 1; p++)
        key[k++] = g_ascii_toupper(*p);
    key[k] = '\0';
    v = f->v[id];
    if (!v)
        v = def->record_null;
    else if (def->untrusted)
        v = esc = tg_escape_untrusted(v);
    tg_log_record_add(r, key, v);
}

void
tg_log_record_add_fields(TgLogRecord *r, const TgFields *f, const bool *skip)
{
    for (int i = 0; i < TG_F_COUNT; i++)
        if (tg_field_def((TgFieldId)i)->in_record && !(skip && skip[i]))
            tg_log_record_add_field(r, f, (TgFieldId)i);
}

const char *
tg_log_record_get(const TgLogRecord *r, const char *key)
{
    for (guint i = 0; i < r->fields->len; i++) {
        const TgLogField *e = &g_array_index(r->fields, TgLogField, i);

        if (strcmp(e->key, key) == 0)
            return e->value;
    }
    return NULL;
}

char *
tg_log_record_format_journal(const TgLogRecord *r, gsize *len)
{
    GString *out = g_string_new(NULL);

    /* Native protocol (systemd's journal-native-protocol document): one
     * "KEY=value\n" per field. Values never contain '\n' here (escaped), so
     * the binary length-prefixed form is not needed. */
    for (guint i = 0; i < r->fields->len; i++) {
        const TgLogField *e = &g_array_index(r->fields, TgLogField, i);

        g_string_append_printf(out, "%s=%s\n", e->key, e->value);
    }
    *len = out->len;
    return g_string_free(out, FALSE);
}

static bool
logfmt_needs_quotes(const char *v)
{
    if (!*v)
        return true;
    for (const char *p = v; *p; p++)
        if (*p == ' ' || *p == '=' || *p == '"')
            return true;
    return false;
}

static void
logfmt_append(GString *out, const char *key, const char *value)
{
    if (out->len)
        g_string_append_c(out, ' ');
    g_string_append(out, key);
    g_string_append_c(out, '=');
    if (!logfmt_needs_quotes(value)) {
        g_string_append(out, value);
        return;
    }
    g_string_append_c(out, '"');
    for (const char *p = value; *p; p++) {
        if (*p == '"' || *p == '\\')
            g_string_append_c(out, '\\');
        g_string_append_c(out, *p);
    }
    g_string_append_c(out, '"');
}

static void
format_fields_logfmt(const TgLogRecord *r, GString *out)
{
    for (guint i = 0; i < r->fields->len; i++) {
        const TgLogField *e = &g_array_index(r->fields, TgLogField, i);
        const char *k = e->key;
        g_autofree char *lower = NULL;

        if (strcmp(k, "SYSLOG_IDENTIFIER") == 0)
            continue;
        if (g_str_has_prefix(k, "TSCGATE_"))
            k += strlen("TSCGATE_");
        lower = g_ascii_strdown(k, -1);
        logfmt_append(out, lower, e->value);
    }
}

char *
tg_log_record_format_logfmt(const TgLogRecord *r, gint64 now)
{
    GString *out = g_string_new(NULL);
    g_autofree char *ts = tg_format_utc(now);

    logfmt_append(out, "time", ts);
    format_fields_logfmt(r, out);
    g_string_append_c(out, '\n');
    return g_string_free(out, FALSE);
}

int
tg_log_record_priority(const TgLogRecord *r)
{
    return r->priority;
}

char *
tg_log_record_format_syslog(const TgLogRecord *r)
{
    GString *fields = g_string_new(NULL);
    g_autofree char *tail = NULL;

    /* The message, then the TSCGATE_ fields in logfmt form. */
    for (guint i = 0; i < r->fields->len; i++) {
        const TgLogField *e = &g_array_index(r->fields, TgLogField, i);

        if (g_str_has_prefix(e->key, "TSCGATE_"))
            logfmt_append(fields, e->key, e->value);
    }
    tail = g_string_free(fields, FALSE);
    return g_strdup_printf("%s [%s]", tg_log_record_get(r, "MESSAGE"), tail);
}
