/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: `tscgate inventory collect`, host facts files for hosts where
 * tscgate is not installed, from their libvirt daemons' capabilities
 * (tg-cli.h). The files have the form `tscgate probe --publish` writes,
 * so that `plan --host DIR`, `check --dest-dir` and a policy's
 * <host-directory> read them; every fact capabilities do not carry is
 * unknown, with the reason. */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "tg-cli.h"
#include "tg-cli-connect.h"
#include "tg-file.h"

#define TG_INVENTORY_CMD "inventory collect"
#define TG_INVENTORY_DEFAULT_TIMEOUT 30

static void
tg_inventory_usage(FILE *out)
{
    fprintf(out,
            "Usage: tscgate inventory collect --connect URI... --output DIR\n"
            "\n"
            "  collect  write DIR/HOST.xml for every URI, as 'tscgate probe --publish'\n"
            "           would on that host, from its libvirt capabilities\n"
            "\n"
            "Exit status: see EXIT STATUS in tscgate(8).\n");
}

/* The facts of one collected host, ready to write: what capabilities
 * carry, the name, the collection stamp, every other fact unknown with the
 * reason. Returns the element names left unknown, comma separated
 * (g_free). */
static char *
tg_inventory_complete(TgHostFacts *f, const char *name, const char *uri, const char *now)
{
    g_autofree char *why = g_strdup_printf("not in the libvirt capabilities of %s (collected "
                                           "by tscgate inventory collect: tscgate does not run "
                                           "there)", uri);
    g_autofree char *src = g_strdup_printf("tscgate inventory collect from %s", uri);
    g_autoptr(GString) unknown = g_string_new(NULL);
    gsize n = 0;
    const TgHostFactField *fields = tg_host_facts_fields(&n);

    tg_str_fact_set(&f->hostname, name, src);
    tg_str_fact_set(&f->published_at, now, src);
    tg_fact_set_unknown(&f->tscgate_version.note,
                        "collected from libvirt capabilities: no tscgate published these facts");
    tg_fact_set_unknown(&f->policy_digest.note,
                        "collected from libvirt capabilities: what that host's hook enforces "
                        "is unknown");
    for (gsize i = 0; i < n; i++) {
        TgFactNote *note = (TgFactNote *)((char *)f + fields[i].offset);

        if (note->known)
            continue;
        if (!note->reason || (fields[i].offset != G_STRUCT_OFFSET(TgHostFacts, tscgate_version) &&
                              fields[i].offset != G_STRUCT_OFFSET(TgHostFacts, policy_digest) &&
                              fields[i].offset != G_STRUCT_OFFSET(TgHostFacts, tsc_hz) &&
                              fields[i].offset != G_STRUCT_OFFSET(TgHostFacts, tsc_scaling)))
            tg_fact_set_unknown(note, "%s", why);
        g_string_append_printf(unknown, "%s%s", unknown->len ? ", " : "", fields[i].element);
    }
    return g_string_free(g_steal_pointer(&unknown), FALSE);
}

static int
tg_inventory_collect_main(int argc, char **argv)
{
    g_auto(GStrv) uris = NULL;
    g_autofree char *dir = NULL;
    gboolean force = FALSE;
    gint timeout = TG_INVENTORY_DEFAULT_TIMEOUT;
    GOptionEntry entries[] = {
        { "connect", 'c', 0, G_OPTION_ARG_STRING_ARRAY, &uris,
          "libvirt URI of a host to collect (repeatable)", "URI" },
        { "output", 'o', 0, G_OPTION_ARG_FILENAME, &dir,
          "Directory to write HOST.xml into (as probe --publish DIR)", "DIR" },
        { "timeout", 0, 0, G_OPTION_ARG_INT, &timeout,
          "Seconds to wait for the hosts (default 30)", "SECONDS" },
        { "force", 0, 0, G_OPTION_ARG_NONE, &force,
          "Replace facts a host published itself (tscgate probe --publish)", NULL },
        { NULL }
    };
    g_autoptr(GOptionContext) ctx =
        g_option_context_new("- host facts files from libvirt capabilities");
    g_autofree char *now = tg_format_utc(g_get_real_time() / G_USEC_PER_SEC);
    TgPlanConnSet *set;
    GPtrArray *conns;
    int status = TG_EXIT_ALLOW;

    g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_set_description(ctx,
        "For hosts where tscgate is not installed: writes DIR/HOST.xml for every\n"
        "--connect host (HOST: its daemon's host name) from its capabilities, the\n"
        "form 'tscgate probe --publish DIR' writes, and says which facts are then\n"
        "unknown (everything but the TSC rate, its scaling and the CPU vendor).\n"
        "A file a host published itself is kept unless --force. Exit status 1 when a\n"
        "host could not be collected; see EXIT STATUS in tscgate(8).");
    if (!tg_cli_parse_options(TG_INVENTORY_CMD, ctx, &argc, &argv))
        return TG_EXIT_USAGE;
    if (argc > 1)
        return tg_cli_error(TG_INVENTORY_CMD, TG_EXIT_USAGE, "unexpected argument '%s'", argv[1]);
    if (!uris)
        return tg_cli_error(TG_INVENTORY_CMD, TG_EXIT_USAGE, "--connect URI is required");
    if (!dir)
        return tg_cli_error(TG_INVENTORY_CMD, TG_EXIT_USAGE, "--output DIR is required");
    if (timeout <= 0 || timeout > 3600)
        return tg_cli_error(TG_INVENTORY_CMD, TG_EXIT_USAGE,
                            "--timeout %d is out of range (1 to 3600 seconds)", timeout);
    if (!g_file_test(dir, G_FILE_TEST_IS_DIR))
        return tg_cli_error(TG_INVENTORY_CMD, TG_EXIT_USAGE, "--output %s: %s", dir,
                            g_file_test(dir, G_FILE_TEST_EXISTS) ? "not a directory"
                                                                 : "No such file or directory");

    set = tg_plan_connect(uris, (guint)timeout, false);
    tg_plan_conn_set_lock(set);
    conns = tg_plan_conn_set_conns(set);
    for (guint i = 0; i < conns->len; i++) {
        TgPlanConn *c = conns->pdata[i];
        g_autoptr(GError) err = NULL;
        g_autoptr(TgHostFacts) facts = NULL;
        g_autoptr(TgHostFacts) old = NULL;
        g_autofree char *from = NULL, *path = NULL, *xml = NULL;
        g_autofree char *unknown = NULL;
        const char *name;

        if (!c->done || c->error) {
            g_autofree char *why = c->done ? tg_escape_untrusted(c->error)
                                           : g_strdup_printf("no answer within %d s", timeout);

            status = tg_cli_error(TG_INVENTORY_CMD, TG_EXIT_DENY, "%s: %s: nothing written",
                                  c->uri, why);
            continue;
        }
        if (!c->hostname || !tg_cli_host_name_ok(c->hostname)) {
            g_autofree char *esc = c->hostname ? tg_escape_untrusted(c->hostname) : NULL;

            status = tg_cli_error(TG_INVENTORY_CMD, TG_EXIT_DENY,
                                  "%s: its host name (%s) cannot name a file: nothing written",
                                  c->uri, esc ? esc : "none given");
            continue;
        }
        from = g_strdup_printf("the capabilities of %s", c->uri);
        if (!(facts = tg_host_facts_parse_xml(c->caps, strlen(c->caps), from, &err))) {
            status = tg_cli_error(TG_INVENTORY_CMD, TG_EXIT_DENY, "%s: nothing written",
                                  err->message);
            continue;
        }
        name = c->hostname;
        path = tg_cli_published_path(dir, name);
        if (!force && g_file_test(path, G_FILE_TEST_EXISTS) &&
            (old = tg_host_facts_load(path, NULL)) && old->tscgate_version.note.known) {
            status = tg_cli_error(TG_INVENTORY_CMD, TG_EXIT_DENY,
                                  "%s: %s published its own facts there (tscgate %s): kept; "
                                  "--force replaces them", path, name,
                                  old->tscgate_version.value);
            continue;
        }
        unknown = tg_inventory_complete(facts, name, c->uri, now);
        xml = tg_host_facts_format_xml(facts);
        if (!tg_write_file_atomic(path, xml, strlen(xml), &err)) {
            status = tg_cli_error(TG_INVENTORY_CMD, TG_EXIT_DENY, "cannot write %s: %s", path,
                                  err->message);
            continue;
        }
        printf("%s: wrote %s from %s; unknown there: %s\n", name, path, c->uri, unknown);
    }
    tg_plan_conn_set_unlock(set);
    tg_plan_conn_set_unref(set);
    return status;
}

int
tg_cli_inventory_main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "collect") == 0)
        return tg_inventory_collect_main(argc - 1, argv + 1);
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        tg_inventory_usage(stdout);
        return TG_EXIT_ALLOW;
    }
    if (argc < 2)
        return tg_cli_error("inventory", TG_EXIT_USAGE, "an action is required: collect");
    {
        g_autofree char *esc = tg_escape_untrusted(argv[1]);

        return tg_cli_error("inventory", TG_EXIT_USAGE, "unknown action '%s' (try collect)", esc);
    }
}
