/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: `tscgate probe` (tg-cli.h). */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "tg-checklist.h"
#include "tg-cli.h"
#include "tg-config.h"
#include "tg-file.h"
#include "tg-inventory.h"
#include "tg-probe.h"

/* What the hook on this host works with, added to the probed facts: its
 * host.xml overrides the facts it states, its policy.xml is identified by
 * digest (TG_POLICY_DIGEST_NONE when absent), and the publication is
 * stamped with this tscgate's version and the time. The policy must parse
 * (the hook would deny everything otherwise). Returns false with `error`. */
static bool
tg_publish_add_hook_facts(TgHostFacts *facts, const char *config_dir, GError **error)
{
    g_autofree char *host_xml = g_build_filename(config_dir, "host.xml", NULL);
    g_autofree char *policy_path = g_build_filename(config_dir, "policy.xml", NULL);
    g_autofree char *now = tg_format_utc(g_get_real_time() / G_USEC_PER_SEC);

    if (g_file_test(host_xml, G_FILE_TEST_EXISTS)) {
        g_autoptr(TgHostFacts) given = tg_host_facts_load(host_xml, error);

        if (!given)
            return false;
        if (given->hostname.note.known && facts->hostname.note.known &&
            g_strcmp0(given->hostname.value, facts->hostname.value) != 0) {
            g_autofree char *theirs = tg_escape_untrusted(given->hostname.value);
            g_autofree char *ours = tg_escape_untrusted(facts->hostname.value);

            /* published under the other name, it would replace that host's file */
            g_set_error(error, TG_ERROR, TG_ERROR_INVALID,
                        "%s states host name '%s' but this host is '%s': nothing published",
                        host_xml, theirs, ours);
            return false;
        }
        tg_host_facts_overlay(facts, given, host_xml);
    }
    if (g_file_test(policy_path, G_FILE_TEST_EXISTS)) {
        g_autofree char *digest = NULL;
        g_autoptr(TgPolicy) policy = tg_policy_load(policy_path, &digest, error);

        if (!policy)
            return false;
        tg_str_fact_set(&facts->policy_digest, digest, policy_path);
    } else {
        g_autofree char *src = g_strdup_printf("%s absent: the default rules", policy_path);

        tg_str_fact_set(&facts->policy_digest, TG_POLICY_DIGEST_NONE, src);
    }
    tg_str_fact_set(&facts->tscgate_version, PACKAGE_VERSION, "tscgate probe --publish");
    tg_str_fact_set(&facts->published_at, now, "tscgate probe --publish");
    return true;
}

/* Write the facts to DIR/HOSTNAME.xml atomically (temp file + rename in
 * DIR), the file a policy's <host-directory> and `check`/`preflight
 * --dest-dir` read. */
static int
tg_publish(TgHostFacts *facts, const char *dir, const char *config_dir)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *path = NULL;
    g_autofree char *xml = NULL;

    if (!tg_publish_add_hook_facts(facts, config_dir, &err))
        return tg_cli_error("probe", TG_EXIT_USAGE, "%s", err->message);
    if (!facts->hostname.note.known || !tg_cli_host_name_ok(facts->hostname.value)) {
        g_autofree char *esc = tg_escape_untrusted(facts->hostname.note.known
                                                       ? facts->hostname.value
                                                       : facts->hostname.note.reason);

        return tg_cli_error("probe", TG_EXIT_USAGE,
                            "cannot publish: this host's name (%s) cannot name a file", esc);
    }
    path = tg_cli_published_path(dir, facts->hostname.value);
    if (!g_file_test(dir, G_FILE_TEST_IS_DIR))
        return tg_cli_error("probe", TG_EXIT_USAGE, "cannot publish to %s: %s: %s", path, dir,
                            g_file_test(dir, G_FILE_TEST_EXISTS) ? "not a directory"
                                                                 : g_strerror(ENOENT));
    xml = tg_host_facts_format_xml(facts);
    if (!tg_write_file_atomic(path, xml, strlen(xml), &err))
        return tg_cli_error("probe", TG_EXIT_USAGE, "cannot publish to %s: %s", path,
                            err->message);
    return TG_EXIT_ALLOW;
}

int
tg_cli_probe_main(int argc, char **argv)
{
    gboolean human = FALSE, no_kvm = FALSE;
    g_autofree char *output = NULL;
    g_autofree char *publish = NULL;
    g_autofree char *config_dir = NULL;
    g_autoptr(GError) err = NULL;
    GOptionEntry entries[] = {
        { "human", 'H', 0, G_OPTION_ARG_NONE, &human,
          "Print a virt-host-validate style checklist instead of XML", NULL },
        { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
          "Write to FILE instead of standard output", "FILE" },
        { "no-kvm", 0, 0, G_OPTION_ARG_NONE, &no_kvm,
          "Do not open /dev/kvm (TSC frequency and scaling stay unknown)", NULL },
        { "publish", 'P', 0, G_OPTION_ARG_FILENAME, &publish,
          "Write this host's facts, the tscgate version and the digest of the policy its "
          "hook enforces to DIR/HOSTNAME.xml (atomically)", "DIR" },
        { "config-dir", 0, 0, G_OPTION_ARG_FILENAME, &config_dir,
          "The hook's configuration directory, for --publish (default: $TSCGATE_CONFIG_DIR, "
          "else " SYSCONFDIR "/tscgate)", "DIR" },
        { NULL }
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("- print this host's TSC facts");
    g_autoptr(TgHostFacts) facts = NULL;
    g_autofree char *text = NULL;
    g_autofree char *hook_dir = NULL;
    TgProbeOptions opts = { 0 };
    TgCheckLevel worst = TG_CHECK_INFO;

    g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_set_description(ctx,
        "Probes /dev/kvm (KVM_GET_TSC_KHZ, KVM_CAP_TSC_CONTROL) the way libvirt does,\n"
        "plus /proc/cpuinfo, sysfs, /proc/cmdline and adjtimex(2). The XML form is\n"
        "capabilities-shaped: 'tscgate check --dest/--source' and the hook's host.xml\n"
        "read it back; 'tscgate check --dest-dir' and 'tscgate preflight --dest-dir'\n"
        "read what --publish writes.\n"
        "Exit status: see EXIT STATUS in tscgate(8).");
    if (!tg_cli_parse_options("probe", ctx, &argc, &argv))
        return TG_EXIT_USAGE;
    if (argc > 1)
        return tg_cli_error("probe", TG_EXIT_USAGE, "unexpected argument '%s'", argv[1]);
    if (publish && (human || output))
        return tg_cli_error("probe", TG_EXIT_USAGE,
                            "--publish writes XML: it cannot be combined with --human or --output");
    if (config_dir && !publish)
        return tg_cli_error("probe", TG_EXIT_USAGE, "--config-dir is only used with --publish");

    opts.skip_kvm = no_kvm;
    facts = tg_probe_host(&opts);
    if (publish) {
        hook_dir = config_dir ? g_strdup(config_dir) : tg_config_dir();
        return tg_publish(facts, publish, hook_dir);
    }
    if (human)
        text = tg_probe_format_human(facts, &worst);
    else
        text = tg_host_facts_format_xml(facts);
    if (!tg_cli_write_output(output, text, &err))
        return tg_cli_error("probe", TG_EXIT_USAGE, "cannot write %s: %s",
                            output ? output : "stdout", err ? err->message : "write error");
    return worst == TG_CHECK_FAIL ? TG_EXIT_DENY : TG_EXIT_ALLOW;
}
