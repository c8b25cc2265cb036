/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: `tscgate check` (tg-cli.h). */
#include <config.h>

#include <stdio.h>

#include "tg-cli.h"
#include "tg-evaluate.h"
#include "tg-file.h"
#include "tg-inventory.h"
#include "tg-report.h"

int
tg_cli_check_main(int argc, char **argv)
{
    g_autofree char *domain_path = NULL, *dest_path = NULL, *source_path = NULL;
    g_autofree char *policy_path = NULL, *dest_dir = NULL, *dest_host = NULL;
    gboolean json = FALSE;
    GOptionEntry entries[] = {
        { "domain", 'd', 0, G_OPTION_ARG_FILENAME, &domain_path,
          "Guest domain XML (virsh dumpxml [--migratable]); - for stdin", "FILE" },
        { "dest", 't', 0, G_OPTION_ARG_FILENAME, &dest_path,
          "Destination host facts: tscgate probe or virsh capabilities output", "FILE" },
        { "dest-dir", 0, 0, G_OPTION_ARG_FILENAME, &dest_dir,
          "Directory the destination published its facts to (tscgate probe --publish DIR)",
          "DIR" },
        { "dest-host", 0, 0, G_OPTION_ARG_STRING, &dest_host,
          "Destination host name: its facts are DIR/NAME.xml", "NAME" },
        { "source", 's', 0, G_OPTION_ARG_FILENAME, &source_path,
          "Source host facts (default: the guest's lineage record, if any)", "FILE" },
        { "policy", 'p', 0, G_OPTION_ARG_FILENAME, &policy_path,
          "Policy XML (default: the built-in default rules)", "FILE" },
        { "json", 'j', 0, G_OPTION_ARG_NONE, &json,
          "Print one JSON object instead of text", NULL },
        { NULL }
    };
    g_autoptr(GOptionContext) ctx =
        g_option_context_new("- decide whether a guest may migrate to a host");
    g_autoptr(GError) err = NULL;
    g_autoptr(TgGuestProfile) guest = NULL;
    g_autoptr(TgHostFacts) dest = NULL;
    g_autoptr(TgHostFacts) source = NULL;
    g_autoptr(TgPolicy) policy = NULL;
    g_autofree char *policy_digest = NULL;
    g_autofree char *published_path = NULL;
    TgCliDest rd;
    int rc;

    g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_set_description(ctx,
        "The destination's facts come from --dest FILE, or from what it published with\n"
        "'tscgate probe --publish DIR' (--dest-dir DIR --dest-host NAME); the report\n"
        "says where every fact came from and whether the destination enforces --policy.\n"
        "Exit status: see EXIT STATUS in tscgate(8).");
    if (!tg_cli_parse_options("check", ctx, &argc, &argv))
        return TG_EXIT_USAGE;
    if (argc > 1)
        return tg_cli_error("check", TG_EXIT_USAGE, "unexpected argument '%s'", argv[1]);
    if (!domain_path)
        return tg_cli_error("check", TG_EXIT_USAGE, "--domain FILE is required");
    if (dest_path && (dest_dir || dest_host))
        return tg_cli_error("check", TG_EXIT_USAGE,
                            "give either --dest FILE or --dest-dir DIR with --dest-host NAME");
    if (!dest_path && !dest_dir && !dest_host)
        return tg_cli_error("check", TG_EXIT_USAGE, "--dest FILE is required");
    if (!dest_path && (!dest_dir || !dest_host))
        return tg_cli_error("check", TG_EXIT_USAGE, "--dest-dir DIR and --dest-host NAME go together");
    if (dest_host && !tg_cli_host_name_ok(dest_host)) {
        g_autofree char *esc = tg_escape_untrusted(dest_host);

        return tg_cli_error("check", TG_EXIT_USAGE, "--dest-host '%s' is not a host name", esc);
    }
    if (tg_cli_stdin_twice((const char *[]){ domain_path, dest_path, source_path, policy_path }, 4))
        return tg_cli_error("check", TG_EXIT_USAGE, "only one input can be read from stdin ('-')");

    if (!(guest = tg_guest_profile_load(domain_path, &err)) ||
        (dest_path && !(dest = tg_host_facts_load(dest_path, &err))) ||
        (dest_dir && !(dest = tg_cli_load_published(dest_dir, dest_host, &published_path, NULL, &err))) ||
        (source_path && !(source = tg_host_facts_load(source_path, &err))) ||
        (policy_path && !(policy = tg_policy_load(policy_path, &policy_digest, &err))))
        return tg_cli_error("check", TG_EXIT_USAGE, "%s", err->message);

    tg_cli_dest_describe(&rd, dest, dest_host,
                         dest_path ? tg_input_name(dest_path)
                                   : published_path,
                         NULL, policy_path, policy_digest);
    rd.report.source_from = tg_input_name(source_path);
    if (source && source->hostname.note.known)
        rd.report.source_name = source->hostname.value;
    rc = tg_cli_decide_and_report_dest(guest, source, dest, policy, json, &rd.report);
    tg_cli_dest_clear(&rd);
    return rc;
}
