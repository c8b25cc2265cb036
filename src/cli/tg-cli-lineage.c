/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: `tscgate lineage show|strip FILE` (tg-cli.h): tscgate's lineage
 * record in a domain definition, for admins who copy or edit domain XML.
 *
 * A record belongs to one run of the guest (doc/tsc-model.md, "Stale
 * records"): one that reached a persistent definition (virsh dumpxml +
 * virsh define, virsh migrate --persistent of a transient guest) outlives
 * the run it describes. `show` says what it claims, `strip` takes it out.
 */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "tg-cli.h"
#include "tg-file.h"
#include "tg-lineage.h"
#include "tg-report.h"

#define TG_LINEAGE_USAGE \
    "ACTION FILE - tscgate's lineage record in a domain definition\n" \
    "\n" \
    "  show FILE        print the record: nominal rate and where it is known from,\n" \
    "                   effective rate, one line per hop (--json: one JSON object)\n" \
    "  strip FILE       print the domain without the record, the rest unchanged\n" \
    "                   (-o OUT: write it to OUT instead)\n" \
    "\n" \
    "FILE may be - for standard input."

static char *
hz_text(guint64 hz)
{
    return hz ? g_strdup_printf("%" G_GUINT64_FORMAT " Hz", hz) : g_strdup("unknown");
}

/* The record as text, one fact per line. Text from the record (host
 * names, verdicts, reasons) is the guest's metadata: escaped. */
static char *
show_text(const TgLineage *l)
{
    GString *s = g_string_new(NULL);
    g_autofree char *nom = hz_text(l->nominal_hz);
    g_autofree char *eff = hz_text(l->effective_hz);

    if (l->nominal_hz)
        g_string_append_printf(s, "nominal: %s (%s)\n", nom,
                               tg_nominal_origin_to_string(l->nominal_origin));
    else if (l->invented_hz)
        g_string_append_printf(s, "nominal: unknown (an earlier tscgate wrote %" G_GUINT64_FORMAT
                               " Hz with origin %s: a host's rate, never the guest's)\n",
                               l->invented_hz, l->invented_origin);
    else
        g_string_append(s, "nominal: unknown\n");
    g_string_append_printf(s, "effective: %s%s\n", eff,
                           l->effective_changed ? ", changed by a hop" : "");
    for (guint i = 0; i < l->hops->len; i++) {
        const TgHop *h = g_ptr_array_index(l->hops, i);
        g_autofree char *host = h->host ? tg_escape_untrusted(h->host) : g_strdup("an unnamed host");
        g_autofree char *verdict = h->verdict ? tg_escape_untrusted(h->verdict) : g_strdup("-");
        g_autofree char *reason = h->reason_code ? tg_escape_untrusted(h->reason_code) : NULL;
        g_autofree char *time = h->time ? tg_format_utc(h->time) : g_strdup("an unknown time");
        g_autofree char *hz = hz_text(h->host_hz);

        g_string_append_printf(s, "hop %u: %s to %s at %s: %s, scaling %s: %s%s%s%s\n", i + 1,
                               h->op, host, time, hz, tg_tri_to_string(h->scaling), verdict,
                               reason ? " (" : "", reason ? reason : "", reason ? ")" : "");
    }
    return g_string_free(s, FALSE);
}

static void
json_u64_or_null(GString *s, const char *key, guint64 v)
{
    if (v)
        g_string_append_printf(s, ",\"%s\":%" G_GUINT64_FORMAT, key, v);
    else
        g_string_append_printf(s, ",\"%s\":null", key);
}

/* The record as one JSON object on one line. */
static char *
show_json(const TgLineage *l)
{
    GString *s = g_string_new("{\"record\":true");
    g_autofree char *origin = tg_json_string(tg_nominal_origin_to_string(l->nominal_origin));
    g_autofree char *inv_origin = tg_json_string(l->invented_origin);

    json_u64_or_null(s, "nominal_hz", l->nominal_hz);
    g_string_append_printf(s, ",\"nominal_origin\":%s", origin);
    json_u64_or_null(s, "invented_hz", l->invented_hz);
    g_string_append_printf(s, ",\"invented_origin\":%s", inv_origin);
    json_u64_or_null(s, "effective_hz", l->effective_hz);
    g_string_append_printf(s, ",\"effective_changed\":%s,\"hops\":[",
                           l->effective_changed ? "true" : "false");
    for (guint i = 0; i < l->hops->len; i++) {
        const TgHop *h = g_ptr_array_index(l->hops, i);
        g_autofree char *op = tg_json_string(h->op);
        g_autofree char *host = tg_json_string(h->host);
        g_autofree char *time = h->time ? tg_format_utc(h->time) : NULL;
        g_autofree char *jtime = tg_json_string(time);
        g_autofree char *verdict = tg_json_string(h->verdict);
        g_autofree char *reason = tg_json_string(h->reason_code);
        g_autofree char *scaling = tg_json_string(h->scaling == TG_TRI_UNKNOWN
                                                  ? NULL : tg_tri_to_string(h->scaling));

        g_string_append_printf(s, "%s{\"op\":%s,\"host\":%s", i ? "," : "", op, host);
        json_u64_or_null(s, "hz", h->host_hz);
        g_string_append_printf(s, ",\"scaling\":%s,\"time\":%s,\"verdict\":%s,\"reason\":%s}",
                               scaling, jtime, verdict, reason);
    }
    g_string_append(s, "]}\n");
    return g_string_free(s, FALSE);
}

static int
lineage_show(const char *path, bool json)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(TgGuestProfile) g = tg_guest_profile_load(path, &err);
    g_autofree char *text = NULL;

    if (!g)
        return tg_cli_error("lineage", TG_EXIT_USAGE, "%s", err->message);
    if (g->lineage_ignored)
        return tg_cli_error("lineage", TG_EXIT_USAGE, "%s", g->lineage_ignored);
    if (!g->lineage) {
        fputs(json ? "{\"record\":false}\n" : "no tscgate lineage record\n", stdout);
        return TG_EXIT_DENY;
    }
    text = json ? show_json(g->lineage) : show_text(g->lineage);
    fputs(text, stdout);
    return TG_EXIT_ALLOW;
}

static int
lineage_strip(const char *path, const char *output)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *buf = NULL;
    g_autofree char *out = NULL;
    const char *name = g_strcmp0(path, "-") == 0 ? "stdin" : path;
    gsize len = 0;

    if (!tg_read_file(path, &buf, &len, &err) ||
        !(out = tg_lineage_strip_domain(buf, len, name, NULL, &err)) ||
        !tg_cli_write_output(output, out, &err))
        return tg_cli_error("lineage", TG_EXIT_USAGE, "%s", err->message);
    return TG_EXIT_ALLOW;
}

int
tg_cli_lineage_main(int argc, char **argv)
{
    g_autofree char *output = NULL;
    gboolean json = FALSE;
    GOptionEntry entries[] = {
        { "json", 'j', 0, G_OPTION_ARG_NONE, &json, "show: print one JSON object", NULL },
        { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
          "strip: write the domain to OUT (replaced atomically), not to stdout", "OUT" },
        { NULL }
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new(TG_LINEAGE_USAGE);
    const char *action;

    g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_set_description(ctx,
        "Copy definitions with `virsh dumpxml --inactive`, which carries no record.\n"
        "Exit status: see EXIT STATUS in tscgate(8).");
    if (!tg_cli_parse_options("lineage", ctx, &argc, &argv))
        return TG_EXIT_USAGE;
    if (argc < 2)
        return tg_cli_error("lineage", TG_EXIT_USAGE, "say show or strip (try 'tscgate lineage --help')");
    action = argv[1];
    if (strcmp(action, "show") != 0 && strcmp(action, "strip") != 0)
        return tg_cli_error("lineage", TG_EXIT_USAGE, "unknown action '%s' (show or strip)", action);
    if (argc != 3)
        return tg_cli_error("lineage", TG_EXIT_USAGE, "%s needs one FILE", action);
    if (strcmp(action, "show") == 0) {
        if (output)
            return tg_cli_error("lineage", TG_EXIT_USAGE, "show takes no --output");
        return lineage_show(argv[2], json);
    }
    if (json)
        return tg_cli_error("lineage", TG_EXIT_USAGE, "strip takes no --json");
    return lineage_strip(argv[2], output);
}
