/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: `tscgate audit report [FILE|-]`: what the hook's records say.
 *
 * Reads the audit file (one logfmt line per record, as tg-record.c writes
 * them) or `journalctl -o json` output (one JSON object per line, every
 * value a string, as journald's json output mode writes it: systemd
 * src/shared/logs-show.c output_json), told apart line by line, and counts
 * the records by verdict, reason code, guest and host; in audit mode it
 * lists every would-be denial with its reason: what enforce mode would
 * break.
 */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "tg-cli.h"
#include "tg-file.h"
#include "tg-record.h"

static const char tg_audit_usage[] =
    "Usage: tscgate audit report [--json] [FILE|-]\n"
    "\n"
    "Commands:\n"
    "  report  count the hook's decisions by verdict, reason, guest and host and\n"
    "          list the would-be denials of audit mode\n"
    "\n"
    "FILE is the audit file of hook.conf (audit-file=) or `journalctl -o json`\n"
    "output; - or nothing reads stdin. Exit status: see EXIT STATUS in tscgate(8).\n";

/* One record, its fields under the names of the field list (tg-fields.h):
 * logfmt keys as they are, journald's TSCGATE_NAME as name, MESSAGE as
 * message. */
typedef GHashTable TgAuditRecord;

/* Parse one logfmt line into `rec`. Returns false when it is not one. */
static bool
tg_audit_parse_logfmt(const char *line, GHashTable *rec)
{
    const char *p = line;

    while (*p) {
        const char *k = p;
        g_autofree char *key = NULL;
        GString *val;

        while (*p == ' ')
            p++;
        if (!*p)
            break;
        k = p;
        while (*p && *p != '=' && *p != ' ')
            p++;
        if (*p != '=' || p == k)
            return false;
        key = g_strndup(k, (gsize)(p - k));
        p++;
        val = g_string_new(NULL);
        if (*p == '"') {
            p++;
            while (*p && *p != '"') {
                if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
                    p++;
                g_string_append_c(val, *p++);
            }
            if (*p != '"') {
                g_string_free(val, TRUE);
                return false;
            }
            p++;
        } else {
            while (*p && *p != ' ')
                g_string_append_c(val, *p++);
        }
        g_hash_table_replace(rec, g_steal_pointer(&key), g_string_free(val, FALSE));
    }
    return g_hash_table_contains(rec, "verdict");
}

/* Append the UTF-8 form of `c` to `out`. */
static void
tg_audit_append_unichar(GString *out, gunichar c)
{
    if (!g_unichar_validate(c))
        c = 0xfffd;
    g_string_append_unichar(out, c);
}

/* A JSON string at *p (after the opening quote); *p moves past the closing
 * quote. Returns NULL when it is not one. */
static char *
tg_audit_json_string(const char **p)
{
    GString *out = g_string_new(NULL);
    const char *s = *p;

    while (*s && *s != '"') {
        if (*s != '\\') {
            g_string_append_c(out, *s++);
            continue;
        }
        s++;
        switch (*s) {
        case '"': case '\\': case '/':
            g_string_append_c(out, *s);
            break;
        case 'b': g_string_append_c(out, '\b'); break;
        case 'f': g_string_append_c(out, '\f'); break;
        case 'n': g_string_append_c(out, '\n'); break;
        case 'r': g_string_append_c(out, '\r'); break;
        case 't': g_string_append_c(out, '\t'); break;
        case 'u': {
            char hex[5] = { 0 };
            gunichar c;

            for (int i = 0; i < 4; i++) {
                if (!g_ascii_isxdigit(s[1 + i])) {
                    g_string_free(out, TRUE);
                    return NULL;
                }
                hex[i] = s[1 + i];
            }
            c = (gunichar)g_ascii_strtoull(hex, NULL, 16);
            s += 4;
            if (c >= 0xd800 && c < 0xdc00 && s[1] == '\\' && s[2] == 'u') {
                char lo_hex[5] = { 0 };
                bool ok = true;

                for (int i = 0; i < 4 && ok; i++) {
                    ok = g_ascii_isxdigit(s[3 + i]);
                    lo_hex[i] = s[3 + i];
                }
                if (ok) {
                    gunichar lo = (gunichar)g_ascii_strtoull(lo_hex, NULL, 16);

                    if (lo >= 0xdc00 && lo < 0xe000) {
                        c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
                        s += 6;
                    }
                }
            }
            tg_audit_append_unichar(out, c);
            break;
        }
        default:
            g_string_free(out, TRUE);
            return NULL;
        }
        s++;
    }
    if (*s != '"') {
        g_string_free(out, TRUE);
        return NULL;
    }
    *p = s + 1;
    return g_string_free(out, FALSE);
}

/* Skip one JSON value that is not a string (a number, null, an array of
 * numbers: journald's form of binary or repeated fields). */
static bool
tg_audit_json_skip(const char **p)
{
    const char *s = *p;
    int depth = 0;

    do {
        if (*s == '"') {
            g_autofree char *str = NULL;

            s++;
            if (!(str = tg_audit_json_string(&s)))
                return false;
            continue;
        }
        if (*s == '[')
            depth++;
        else if (*s == ']')
            depth--;
        else if (!*s || ((*s == ',' || *s == '}') && depth == 0))
            break;
        s++;
    } while (depth > 0 || (*s && *s != ',' && *s != '}'));
    *p = s;
    return depth == 0;
}

/* Parse one `journalctl -o json` line into `rec`. Returns false when it is
 * not a JSON object; true with `rec` holding no verdict when it is another
 * program's entry. */
static bool
tg_audit_parse_json(const char *line, GHashTable *rec)
{
    const char *p = line;

    while (*p == ' ')
        p++;
    if (*p++ != '{')
        return false;
    for (;;) {
        g_autofree char *key = NULL;

        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '}')
            return true;
        if (*p++ != '"' || !(key = tg_audit_json_string(&p)))
            return false;
        while (*p == ' ')
            p++;
        if (*p++ != ':')
            return false;
        while (*p == ' ')
            p++;
        if (*p == '"') {
            char *val;
            const char *name = key;
            g_autofree char *lower = NULL;

            p++;
            if (!(val = tg_audit_json_string(&p)))
                return false;
            if (g_str_has_prefix(key, "TSCGATE_"))
                name = key + strlen("TSCGATE_");
            lower = g_ascii_strdown(name, -1);
            if (strcmp(key, "__REALTIME_TIMESTAMP") == 0) {
                guint64 us = 0;

                g_free(lower);
                lower = g_strdup("time");
                if (tg_parse_u64(val, &us)) {
                    g_free(val);
                    val = tg_format_utc((gint64)(us / G_USEC_PER_SEC));
                }
            } else if (strcmp(key, "_HOSTNAME") == 0) {
                g_free(lower);
                lower = g_strdup("_hostname");
            } else if (!g_str_has_prefix(key, "TSCGATE_") && strcmp(key, "MESSAGE") != 0 &&
                       strcmp(key, "MESSAGE_ID") != 0 && strcmp(key, "SYSLOG_IDENTIFIER") != 0) {
                g_free(val);
                val = NULL;
            }
            if (val)
                g_hash_table_replace(rec, g_steal_pointer(&lower), val);
        } else if (!tg_audit_json_skip(&p)) {
            return false;
        }
        while (*p == ' ')
            p++;
        if (*p == ',')
            p++;
        else if (*p != '}')
            return false;
    }
}

typedef struct {
    GHashTable *verdicts, *reasons, *guests, *hosts;   /* name -> count (GUINT_TO_POINTER) */
    GPtrArray *audit_denials;                          /* GHashTable* records */
    guint records;
    guint skipped;          /* lines that are neither a record nor another entry */
    guint first_skipped;    /* its line number, 0: none */
    guint other_entries;    /* journal entries of other programs */
    bool saw_logfmt, saw_json;
} TgAuditReport;

static void
tg_audit_count(GHashTable *t, const char *key)
{
    const char *k = key && *key ? key : "unknown";
    gpointer old = g_hash_table_lookup(t, k);

    g_hash_table_replace(t, g_strdup(k), GUINT_TO_POINTER(GPOINTER_TO_UINT(old) + 1));
}

static const char *
tg_audit_get(GHashTable *rec, const char *key)
{
    return g_hash_table_lookup(rec, key);
}

/* The reason code: `code`, or `reason` in records older than the field
 * list. */
static const char *
tg_audit_code(GHashTable *rec)
{
    const char *c = tg_audit_get(rec, "code");

    return c ? c : tg_audit_get(rec, "reason");
}

/* The host that decided: `destination`, else the journal's _HOSTNAME. */
static const char *
tg_audit_host(GHashTable *rec)
{
    const char *h = tg_audit_get(rec, "destination");

    return h && strcmp(h, "unknown") != 0 ? h : tg_audit_get(rec, "_hostname");
}

static void
tg_audit_add(TgAuditReport *r, GHashTable *rec)
{
    const char *verdict = tg_audit_get(rec, "verdict");

    r->records++;
    tg_audit_count(r->verdicts, verdict);
    tg_audit_count(r->reasons, tg_audit_code(rec));
    tg_audit_count(r->guests, tg_audit_get(rec, "guest"));
    tg_audit_count(r->hosts, tg_audit_host(rec));
    if (g_strcmp0(verdict, "deny") == 0 && g_strcmp0(tg_audit_get(rec, "mode"), "audit") == 0)
        g_ptr_array_add(r->audit_denials, g_hash_table_ref(rec));
}

static bool
tg_audit_read(TgAuditReport *r, const char *buf)
{
    g_auto(GStrv) lines = g_strsplit(buf, "\n", -1);

    for (guint i = 0; lines[i]; i++) {
        g_autoptr(GHashTable) rec = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
        const char *l = lines[i];
        bool ok;

        g_strchomp(lines[i]);
        if (!*l)
            continue;
        if (*l == '{') {
            ok = tg_audit_parse_json(l, rec);
            r->saw_json = r->saw_json || ok;
            if (ok && !g_hash_table_contains(rec, "verdict")) {
                r->other_entries++;
                continue;
            }
        } else {
            ok = tg_audit_parse_logfmt(l, rec);
            r->saw_logfmt = r->saw_logfmt || ok;
        }
        if (!ok) {
            r->skipped++;
            if (!r->first_skipped)
                r->first_skipped = i + 1;
            continue;
        }
        tg_audit_add(r, rec);
    }
    return true;
}

typedef struct {
    const char *name;
    guint count;
} TgAuditCount;

static gint
tg_audit_count_cmp(gconstpointer a, gconstpointer b)
{
    const TgAuditCount *x = a, *y = b;

    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return strcmp(x->name, y->name);
}

/* The counts of `t`, most frequent first, then by name. */
static GArray *
tg_audit_sorted(GHashTable *t)
{
    GArray *a = g_array_new(FALSE, FALSE, sizeof(TgAuditCount));
    GHashTableIter it;
    gpointer k, v;

    g_hash_table_iter_init(&it, t);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        TgAuditCount c = { k, GPOINTER_TO_UINT(v) };

        g_array_append_val(a, c);
    }
    g_array_sort(a, tg_audit_count_cmp);
    return a;
}

/* The reason sentence of a would-be denial: MESSAGE after "OUTCOME: ". */
static const char *
tg_audit_reason_text(GHashTable *rec)
{
    const char *m = tg_audit_get(rec, "message");
    const char *p = m ? strstr(m, "deny (audit: allowed): ") : NULL;

    return p ? p + strlen("deny (audit: allowed): ") : m;
}

/* Text for the terminal: values from the file are untrusted, but already
 * escaped by the hook; only make sure of the line. */
static char *
tg_audit_text(const char *s)
{
    return tg_escape(s ? s : "unknown", TG_ESCAPE_CONTROLS);
}

static void
tg_audit_print_counts(FILE *out, const char *title, GHashTable *t)
{
    g_autoptr(GArray) a = tg_audit_sorted(t);

    fprintf(out, "%s:\n", title);
    for (guint i = 0; i < a->len; i++) {
        const TgAuditCount *c = &g_array_index(a, TgAuditCount, i);
        g_autofree char *n = tg_audit_text(c->name);

        fprintf(out, "  %-32s %u\n", n, c->count);
    }
}

static const char *
tg_audit_format(const TgAuditReport *r)
{
    if (r->saw_json && r->saw_logfmt)
        return "mixed";
    return r->saw_json ? "journal-json" : r->saw_logfmt ? "audit-file" : "empty";
}

static void
tg_audit_print_text(FILE *out, const char *name, const TgAuditReport *r)
{
    g_autofree char *n = tg_audit_text(name);

    fprintf(out, "%s: %u records (%s)", n, r->records, tg_audit_format(r));
    if (r->other_entries)
        fprintf(out, ", %u journal entries of other programs ignored", r->other_entries);
    if (r->skipped)
        fprintf(out, ", %u lines not records skipped (first: line %u)", r->skipped,
                r->first_skipped);
    fputc('\n', out);
    tg_audit_print_counts(out, "verdicts", r->verdicts);
    tg_audit_print_counts(out, "reasons", r->reasons);
    tg_audit_print_counts(out, "guests", r->guests);
    tg_audit_print_counts(out, "hosts", r->hosts);
    fprintf(out, "would-be denials of audit mode (enforce mode would refuse): %u\n",
            r->audit_denials->len);
    for (guint i = 0; i < r->audit_denials->len; i++) {
        GHashTable *rec = r->audit_denials->pdata[i];
        g_autofree char *time = tg_audit_text(tg_audit_get(rec, "time"));
        g_autofree char *guest = tg_audit_text(tg_audit_get(rec, "guest"));
        g_autofree char *op = tg_audit_text(tg_audit_get(rec, "op"));
        g_autofree char *host = tg_audit_text(tg_audit_host(rec));
        const char *s = tg_audit_get(rec, "source");
        g_autofree char *src_esc = s && strcmp(s, "unknown") != 0 ? tg_audit_text(s) : NULL;
        g_autofree char *src = src_esc ? g_strconcat("from ", src_esc, NULL)
                                       : g_strdup("source unknown");
        g_autofree char *code = tg_audit_text(tg_audit_code(rec));
        g_autofree char *why = tg_audit_text(tg_audit_reason_text(rec));

        fprintf(out, "  %s %s of guest %s to %s, %s: %s: %s\n", time, op, guest, host, src,
                code, why);
    }
}

static void
tg_audit_json_counts(GString *s, const char *title, GHashTable *t)
{
    g_autoptr(GArray) a = tg_audit_sorted(t);

    g_string_append_printf(s, ",\"%s\":{", title);
    for (guint i = 0; i < a->len; i++) {
        const TgAuditCount *c = &g_array_index(a, TgAuditCount, i);
        g_autofree char *n = tg_json_string(c->name);

        g_string_append_printf(s, "%s%s:%u", i ? "," : "", n, c->count);
    }
    g_string_append_c(s, '}');
}

static char *
tg_audit_json(const char *name, const TgAuditReport *r)
{
    GString *s = g_string_new(NULL);
    g_autofree char *n = tg_json_string(name);
    static const char *const keys[] = { "time", "guest", "uuid", "op", "destination", "source",
                                        "policy_digest", "tscgate_version" };

    g_string_append_printf(s, "{\"file\":%s,\"format\":\"%s\",\"records\":%u,\"skipped\":%u,"
                           "\"other_entries\":%u", n, tg_audit_format(r), r->records,
                           r->skipped, r->other_entries);
    tg_audit_json_counts(s, "verdicts", r->verdicts);
    tg_audit_json_counts(s, "reasons", r->reasons);
    tg_audit_json_counts(s, "guests", r->guests);
    tg_audit_json_counts(s, "hosts", r->hosts);
    g_string_append(s, ",\"audit_denials\":[");
    for (guint i = 0; i < r->audit_denials->len; i++) {
        GHashTable *rec = r->audit_denials->pdata[i];
        g_autofree char *code = tg_json_string(tg_audit_code(rec));
        g_autofree char *why = tg_json_string(tg_audit_reason_text(rec));

        g_string_append_printf(s, "%s{", i ? "," : "");
        for (gsize k = 0; k < G_N_ELEMENTS(keys); k++) {
            const char *v = k == 4 ? tg_audit_host(rec) : tg_audit_get(rec, keys[k]);
            g_autofree char *j = tg_json_string(v && strcmp(v, "unknown") != 0 ? v : NULL);

            g_string_append_printf(s, "\"%s\":%s,", keys[k], j);
        }
        g_string_append_printf(s, "\"code\":%s,\"reason\":%s}", code, why);
    }
    g_string_append(s, "]}\n");
    return g_string_free(s, FALSE);
}

static int
tg_audit_report(int argc, char **argv)
{
    gboolean json = FALSE;
    GOptionEntry entries[] = {
        { "json", 'j', 0, G_OPTION_ARG_NONE, &json, "Print one JSON object instead of text", NULL },
        { NULL }
    };
    g_autoptr(GOptionContext) ctx =
        g_option_context_new("[FILE|-] - count the hook's decisions, list audit mode's would-be denials");
    g_autoptr(GError) err = NULL;
    g_autofree char *buf = NULL;
    TgAuditReport r = { 0 };
    const char *file;
    gsize len = 0;

    g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_set_description(ctx,
        "FILE is the hook's audit file (hook.conf audit-file=) or `journalctl -o json`\n"
        "output (e.g. journalctl SYSLOG_IDENTIFIER=tscgate -o json | tscgate audit report -).\n"
        "Exit status: see EXIT STATUS in tscgate(8).");
    if (!tg_cli_parse_options("audit report", ctx, &argc, &argv))
        return TG_EXIT_USAGE;
    if (argc > 2)
        return tg_cli_error("audit report", TG_EXIT_USAGE, "unexpected argument '%s'", argv[2]);
    file = argc == 2 ? argv[1] : "-";
    if (!tg_read_file(file, &buf, &len, &err))
        return tg_cli_error("audit report", TG_EXIT_USAGE, "%s", err->message);
    if (memchr(buf, '\0', len))
        return tg_cli_error("audit report", TG_EXIT_USAGE,
                            "%s: not an audit file or journalctl -o json output (binary data)",
                            tg_input_name(file));

    r.verdicts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    r.reasons = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    r.guests = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    r.hosts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    r.audit_denials = g_ptr_array_new_with_free_func((GDestroyNotify)g_hash_table_unref);
    tg_audit_read(&r, buf);
    {
        const char *name = tg_input_name(file);

        if (json) {
            g_autofree char *j = tg_audit_json(name, &r);

            fputs(j, stdout);
        } else {
            tg_audit_print_text(stdout, name, &r);
        }
    }
    g_hash_table_unref(r.verdicts);
    g_hash_table_unref(r.reasons);
    g_hash_table_unref(r.guests);
    g_hash_table_unref(r.hosts);
    g_ptr_array_unref(r.audit_denials);
    return TG_EXIT_ALLOW;
}

int
tg_cli_audit_main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(tg_audit_usage, stderr);
        return TG_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        fputs(tg_audit_usage, stdout);
        return TG_EXIT_ALLOW;
    }
    if (strcmp(argv[1], "report") == 0)
        return tg_audit_report(argc - 1, argv + 1);
    {
        g_autofree char *esc = tg_escape_untrusted(argv[1]);

        return tg_cli_error("audit", TG_EXIT_USAGE, "unknown subcommand '%s' (try 'tscgate audit --help')",
                            esc);
    }
}
