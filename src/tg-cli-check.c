/* tscgate: `tscgate probe` and `tscgate check` (tg-cli.h). */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>

#include "tg-cli.h"
#include "tg-evaluate.h"
#include "tg-probe.h"
#include "tg-report.h"
#include "tg-xml.h"

int
tg_cli_usage_error(const char *fmt, ...)
{
    va_list ap;
    g_autofree char *msg = NULL;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    fprintf(stderr, "tscgate: %s\n", msg);
    return TG_EXIT_USAGE;
}

int
tg_cli_decide_and_report(const TgGuestProfile *guest, const TgHostFacts *source,
                         const TgHostFacts *dest, const TgPolicy *policy, bool json)
{
    g_autoptr(TgEvaluation) eval = tg_evaluate(guest, source, dest, policy);
    g_autofree char *report = json ? tg_report_json(guest, eval) : tg_report_text(guest, eval);

    fputs(report, stdout);
    return tg_report_exit_status(eval);
}

/* Parse a subcommand's options; on failure print the error and return false. */
static bool
tg_cli_parse_options(GOptionContext *ctx, int *argc, char ***argv)
{
    g_autoptr(GError) err = NULL;

    if (!g_option_context_parse(ctx, argc, argv, &err)) {
        tg_cli_usage_error("%s", err->message);
        return false;
    }
    return true;
}

static bool
tg_write_output(const char *path, const char *text, GError **error)
{
    if (!path || g_strcmp0(path, "-") == 0) {
        fputs(text, stdout);
        return fflush(stdout) == 0;
    }
    return g_file_set_contents(path, text, -1, error);
}

int
tg_cli_probe_main(int argc, char **argv)
{
    gboolean human = FALSE, no_kvm = FALSE;
    g_autofree char *output = NULL;
    g_autoptr(GError) err = NULL;
    GOptionEntry entries[] = {
        { "human", 'H', 0, G_OPTION_ARG_NONE, &human,
          "Print a virt-host-validate style checklist instead of XML", NULL },
        { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
          "Write to FILE instead of standard output", "FILE" },
        { "no-kvm", 0, 0, G_OPTION_ARG_NONE, &no_kvm,
          "Do not open /dev/kvm (TSC frequency and scaling stay unknown)", NULL },
        { NULL }
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("- print this host's TSC facts");
    g_autoptr(TgHostFacts) facts = NULL;
    g_autofree char *text = NULL;
    TgProbeOptions opts = { 0 };
    TgCheckLevel worst = TG_CHECK_INFO;

    g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_set_description(ctx,
        "Probes /dev/kvm (KVM_GET_TSC_KHZ, KVM_CAP_TSC_CONTROL) the way libvirt does,\n"
        "plus /proc/cpuinfo, sysfs, /proc/cmdline and adjtimex(2). The XML form is\n"
        "capabilities-shaped: 'tscgate check --dest/--source' and the hook's host.xml\n"
        "read it back.");
    if (!tg_cli_parse_options(ctx, &argc, &argv))
        return TG_EXIT_USAGE;
    if (argc > 1)
        return tg_cli_usage_error("probe: unexpected argument '%s'", argv[1]);

    opts.skip_kvm = no_kvm;
    facts = tg_probe_host(&opts);
    if (human)
        text = tg_probe_format_human(facts, &worst);
    else
        text = tg_host_facts_format_xml(facts);
    if (!tg_write_output(output, text, &err))
        return tg_cli_usage_error("cannot write %s: %s", output ? output : "stdout",
                                  err ? err->message : "write error");
    return worst == TG_CHECK_FAIL ? TG_EXIT_DENY : TG_EXIT_ALLOW;
}

int
tg_cli_check_main(int argc, char **argv)
{
    g_autofree char *domain_path = NULL, *dest_path = NULL, *source_path = NULL;
    g_autofree char *policy_path = NULL;
    gboolean json = FALSE;
    GOptionEntry entries[] = {
        { "domain", 'd', 0, G_OPTION_ARG_FILENAME, &domain_path,
          "Guest domain XML (virsh dumpxml [--migratable]); - for stdin", "FILE" },
        { "dest", 't', 0, G_OPTION_ARG_FILENAME, &dest_path,
          "Destination host facts: tscgate probe or virsh capabilities output", "FILE" },
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
    int stdin_users;

    g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_set_description(ctx,
        "Exit status: 0 allow or allow-with-warning (or deny in audit mode),\n"
        "1 deny, 2 bad usage or unreadable/invalid input.");
    if (!tg_cli_parse_options(ctx, &argc, &argv))
        return TG_EXIT_USAGE;
    if (argc > 1)
        return tg_cli_usage_error("check: unexpected argument '%s'", argv[1]);
    if (!domain_path)
        return tg_cli_usage_error("check: --domain FILE is required");
    if (!dest_path)
        return tg_cli_usage_error("check: --dest FILE is required");
    stdin_users = (g_strcmp0(domain_path, "-") == 0) + (g_strcmp0(dest_path, "-") == 0) +
                  (g_strcmp0(source_path, "-") == 0) + (g_strcmp0(policy_path, "-") == 0);
    if (stdin_users > 1)
        return tg_cli_usage_error("check: only one input can be read from stdin ('-')");

    if (!(guest = tg_guest_profile_load(domain_path, &err)) ||
        !(dest = tg_host_facts_load(dest_path, &err)) ||
        (source_path && !(source = tg_host_facts_load(source_path, &err))) ||
        (policy_path && !(policy = tg_policy_load(policy_path, &err))))
        return tg_cli_usage_error("%s", err->message);

    return tg_cli_decide_and_report(guest, source, dest, policy, json);
}
