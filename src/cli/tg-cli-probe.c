/* tscgate: `tscgate probe` (tg-cli.h). */
#include <config.h>

#include <stdio.h>

#include "tg-checklist.h"
#include "tg-cli.h"
#include "tg-probe.h"

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
        "read it back.\n"
        "Exit status: see EXIT STATUS in tscgate(8).");
    if (!tg_cli_parse_options("probe", ctx, &argc, &argv))
        return TG_EXIT_USAGE;
    if (argc > 1)
        return tg_cli_error("probe", TG_EXIT_USAGE, "unexpected argument '%s'", argv[1]);

    opts.skip_kvm = no_kvm;
    facts = tg_probe_host(&opts);
    if (human)
        text = tg_probe_format_human(facts, &worst);
    else
        text = tg_host_facts_format_xml(facts);
    if (!tg_cli_write_output(output, text, &err))
        return tg_cli_error("probe", TG_EXIT_USAGE, "cannot write %s: %s",
                            output ? output : "stdout", err ? err->message : "write error");
    return worst == TG_CHECK_FAIL ? TG_EXIT_DENY : TG_EXIT_ALLOW;
}
