/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: `tscgate pin`, a TSC rate pinned in a guest's persistent
 * definition through the libvirt API (tg-cli.h). The running guest is
 * never touched: QEMU takes the rate at its next start (a cold boot). */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tg-cli.h"
#include "tg-cli-libvirt.h"
#include "tg-inventory.h"
#include "tg-evaluate.h"
#include "tg-pin.h"

#define TG_PIN_CMD "pin"
/* KVM_SET_TSC_KHZ takes kHz in 32 bits (Linux arch/x86/kvm/x86.c) */
#define TG_PIN_MAX_HZ ((guint64)G_MAXUINT32 * 1000)
/* below 1 MHz no x86 TSC ticks, and below 1 kHz QEMU would take no rate at
 * all (its tsc-frequency is kept in kHz, 0 = none: target/i386/cpu.c) */
#define TG_PIN_MIN_HZ ((guint64)1000000)

/* Choose the rate for --for-hosts and say which hosts it fits: lines on
 * `report`. Returns the rate, or 0 after printing the error. */
static guint64
tg_pin_for_hosts(const TgGuestProfile *guest, const char *gname, char **paths,
                 const TgPolicy *policy, GString *report, int *status)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(TgPlan) hosts = tg_cli_plan_load_hosts(paths, &err);
    g_autofree TgHostFacts **facts = NULL;
    TgPinChoice choice;
    TgGuestProfile pinned;
    TgSettings settings;
    TgMode mode;
    gsize n;

    if (!hosts) {
        *status = tg_cli_error(TG_PIN_CMD, TG_EXIT_USAGE, "%s", err->message);
        return 0;
    }
    n = hosts->hosts->len;
    facts = g_new0(TgHostFacts *, n);
    for (gsize i = 0; i < n; i++)
        facts[i] = ((TgPlanHost *)g_ptr_array_index(hosts->hosts, i))->facts;
    if (!tg_pin_choose(guest, policy, facts, n, &choice)) {
        *status = tg_cli_error(TG_PIN_CMD, TG_EXIT_DENY,
                               "no TSC rate lets %s boot on any of the %" G_GSIZE_FORMAT
                               " hosts given (their rates are unknown, or none is usable)",
                               gname, n);
        return 0;
    }
    g_string_append_printf(report, "rate %" G_GUINT64_FORMAT " Hz boots and runs %s on %"
                           G_GSIZE_FORMAT " of the %" G_GSIZE_FORMAT " hosts given:\n",
                           choice.hz, gname, choice.n_hosts, n);
    tg_pin_profile(guest, choice.hz, &pinned);
    tg_evaluate_settings(&pinned, policy, &settings, &mode, NULL);
    for (gsize i = 0; i < n; i++) {
        const TgPlanHost *h = g_ptr_array_index(hosts->hosts, i);
        g_autofree char *hn = tg_escape_untrusted(h->name);
        TgDecision d;

        tg_evaluate_outcome(&pinned, h->facts, &settings, &d);
        g_string_append_printf(report, "  %-4s %s (%s)\n",
                               d.verdict == TG_VERDICT_DENY ? "no" : "yes", hn, d.code);
    }
    return choice.hz;
}

int
tg_cli_pin_main(int argc, char **argv)
{
    g_autofree char *uri = NULL, *frequency = NULL, *policy_path = NULL;
    g_auto(GStrv) for_hosts = NULL;
    gboolean force = FALSE, dry_run = FALSE, print_xml = FALSE;
    GOptionEntry entries[] = {
        { "connect", 'c', 0, G_OPTION_ARG_STRING, &uri,
          "libvirt URI of the guest's host (default: libvirt's default URI)", "URI" },
        { "frequency", 'f', 0, G_OPTION_ARG_STRING, &frequency,
          "The TSC rate to pin, in Hz", "HZ" },
        { "for-hosts", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &for_hosts,
          "Choose the rate that lets the guest boot and run on the most of these hosts: "
          "facts files or directories of *.xml (repeatable)", "PATH" },
        { "policy", 'p', 0, G_OPTION_ARG_FILENAME, &policy_path,
          "Policy XML the hosts enforce, for --for-hosts (default: the built-in rules)", "FILE" },
        { "force", 0, 0, G_OPTION_ARG_NONE, &force,
          "Replace a rate the guest already pins", NULL },
        { "dry-run", 'n', 0, G_OPTION_ARG_NONE, &dry_run,
          "Change nothing: say what would be pinned", NULL },
        { "print-xml", 0, 0, G_OPTION_ARG_NONE, &print_xml,
          "Print the persistent definition libvirt holds afterwards (with --dry-run: the one "
          "that would be defined) on stdout, the summary on stderr", NULL },
        { NULL }
    };
    g_autoptr(GOptionContext) ctx =
        g_option_context_new("DOMAIN - pin a guest's TSC rate in its persistent definition");
    g_autoptr(GError) err = NULL;
    g_autoptr(virConnect) conn = NULL;
    g_autoptr(virDomain) dom = NULL;
    g_autoptr(virDomain) defined = NULL;
    g_autoptr(TgPolicy) policy = NULL;
    g_autoptr(TgGuestProfile) guest = NULL;
    g_autoptr(TgGuestProfile) after = NULL;
    g_autofree char *xml = NULL, *edited = NULL, *readback = NULL;
    g_autofree char *gname = NULL;
    g_autoptr(GString) report = g_string_new(NULL);
    guint64 hz = 0;
    int status = TG_EXIT_ALLOW;
    int active;
    FILE *summary;

    g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_set_description(ctx,
        "Adds <timer name='tsc' frequency='HZ'/> to the guest's persistent definition\n"
        "(virDomainDefineXML), never to the running guest: the rate takes effect at\n"
        "the guest's next cold boot (shut it down, then start it). Nothing else of the\n"
        "definition changes. Exit status: see EXIT STATUS in tscgate(8).");
    if (!tg_cli_parse_options(TG_PIN_CMD, ctx, &argc, &argv))
        return TG_EXIT_USAGE;
    if (argc != 2)
        return tg_cli_error(TG_PIN_CMD, TG_EXIT_USAGE,
                            "exactly one DOMAIN (name or UUID) is required");
    if (!frequency == !for_hosts)
        return tg_cli_error(TG_PIN_CMD, TG_EXIT_USAGE,
                            "give either --frequency HZ or --for-hosts PATH");
    if (policy_path && !for_hosts)
        return tg_cli_error(TG_PIN_CMD, TG_EXIT_USAGE, "--policy is only used with --for-hosts");
    if (frequency && (!tg_parse_u64(frequency, &hz) || hz < TG_PIN_MIN_HZ || hz > TG_PIN_MAX_HZ)) {
        g_autofree char *esc = tg_escape_untrusted(frequency);

        return tg_cli_error(TG_PIN_CMD, TG_EXIT_USAGE,
                            "--frequency '%s' is not a TSC rate in Hz (%" G_GUINT64_FORMAT " to %" G_GUINT64_FORMAT ")",
                            esc, TG_PIN_MIN_HZ, TG_PIN_MAX_HZ);
    }
    if (policy_path && !(policy = tg_policy_load(policy_path, NULL, &err)))
        return tg_cli_error(TG_PIN_CMD, TG_EXIT_USAGE, "%s", err->message);

    tg_cli_libvirt_quiet();
    /* defining needs a read-write connection; a dry run reads only */
    conn = dry_run ? virConnectOpenReadOnly(uri) : virConnectOpen(uri);
    if (!conn)
        return tg_cli_error(TG_PIN_CMD, TG_EXIT_USAGE, "cannot connect to %s: %s",
                            uri ? uri : "libvirt's default URI", virGetLastErrorMessage());
    if (!(dom = tg_cli_lookup_domain(conn, argv[1])))
        return tg_cli_error(TG_PIN_CMD, TG_EXIT_USAGE, "no such domain: %s: %s", argv[1],
                            virGetLastErrorMessage());
    gname = tg_escape_untrusted(virDomainGetName(dom));
    if (virDomainIsPersistent(dom) != 1)
        return tg_cli_error(TG_PIN_CMD, TG_EXIT_USAGE,
                            "%s is transient: it has no persistent definition to pin a rate in "
                            "(define it first: virsh dumpxml --inactive, virsh define)", gname);
    active = virDomainIsActive(dom);
    /* The persistent definition, secrets included (VIR_DOMAIN_XML_SECURE,
     * read-write only) so that defining it back keeps them. */
    if (!(xml = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE |
                                             (dry_run ? 0 : VIR_DOMAIN_XML_SECURE))))
        return tg_cli_error(TG_PIN_CMD, TG_EXIT_USAGE,
                            "cannot read the persistent definition of %s: %s", gname,
                            virGetLastErrorMessage());
    if (!(guest = tg_guest_profile_parse_xml(xml, strlen(xml), gname, &err)))
        return tg_cli_error(TG_PIN_CMD, TG_EXIT_USAGE, "%s", err->message);
    if (guest->kind == TG_GUEST_NO_TSC)
        return tg_cli_error(TG_PIN_CMD, TG_EXIT_USAGE, "%s has no TSC (not x86): there is no "
                            "rate to pin", gname);
    if (guest->has_explicit_hz && !force)
        return tg_cli_error(TG_PIN_CMD, TG_EXIT_USAGE,
                            "%s already pins %" G_GUINT64_FORMAT " Hz in its persistent "
                            "definition; give --force to replace it", gname, guest->explicit_hz);
    if (for_hosts && !(hz = tg_pin_for_hosts(guest, gname, for_hosts, policy, report, &status)))
        return status;
    if (!(edited = tg_pin_edit_xml(xml, strlen(xml), gname, hz, force, &err)))
        return tg_cli_error(TG_PIN_CMD, TG_EXIT_USAGE, "%s", err->message);

    summary = print_xml ? stderr : stdout;
    fputs(report->str, summary);
    if (dry_run) {
        fprintf(summary, "would pin %s at %" G_GUINT64_FORMAT " Hz in its persistent definition "
                "(dry run: nothing changed); it would take effect at its next cold boot\n",
                gname, hz);
        if (print_xml) {
            fputs(edited, stdout);
            fputc('\n', stdout);
        }
        return TG_EXIT_ALLOW;
    }
    if (!(defined = virDomainDefineXML(conn, edited)))
        return tg_cli_error(TG_PIN_CMD, TG_EXIT_USAGE, "libvirt refused the definition with "
                            "the pinned rate for %s: %s", gname, virGetLastErrorMessage());
    /* what libvirt now holds, read back without secrets */
    if (!(readback = virDomainGetXMLDesc(defined, VIR_DOMAIN_XML_INACTIVE)) ||
        !(after = tg_guest_profile_parse_xml(readback, strlen(readback), gname, &err)) ||
        !after->has_explicit_hz || after->explicit_hz != hz)
        return tg_cli_error(TG_PIN_CMD, TG_EXIT_USAGE,
                            "%s was defined, but its persistent definition does not pin %"
                            G_GUINT64_FORMAT " Hz when read back", gname, hz);
    fprintf(summary, "pinned %s at %" G_GUINT64_FORMAT " Hz in its persistent definition; "
            "it takes effect at its next cold boot (shut it down, then start it)%s\n", gname, hz,
            active == 1 ? ": the running guest keeps its rate until then" : "");
    if (print_xml)
        fputs(readback, stdout);
    return TG_EXIT_ALLOW;
}
