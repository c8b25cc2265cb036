/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: `tscgate preflight`, a migration decided before it starts, from
 * the running guest's migratable XML and both hosts' capabilities as their
 * libvirt daemons report them. */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "tg-cli.h"
#include "tg-cli-libvirt.h"
#include "tg-evaluate.h"
#include "tg-report.h"
#include "tg-file.h"
#include "tg-inventory.h"

int
tg_cli_preflight_main(int argc, char **argv)
{
    g_autofree char *src_uri = NULL, *dest_uri = NULL, *policy_path = NULL;
    g_autofree char *dest_dir = NULL, *dest_host = NULL;
    gboolean json = FALSE;
    GOptionEntry entries[] = {
        { "connect", 'c', 0, G_OPTION_ARG_STRING, &src_uri,
          "libvirt URI of the source host (default: libvirt's default URI)", "URI" },
        { "dest-connect", 'D', 0, G_OPTION_ARG_STRING, &dest_uri,
          "libvirt URI of the destination host (required)", "URI" },
        { "dest-dir", 0, 0, G_OPTION_ARG_FILENAME, &dest_dir,
          "Directory the destination published its facts to (tscgate probe --publish DIR): "
          "its facts are DIR/NAME.xml", "DIR" },
        { "dest-host", 0, 0, G_OPTION_ARG_STRING, &dest_host,
          "Destination host name (default: the destination daemon's host name)", "NAME" },
        { "policy", 'p', 0, G_OPTION_ARG_FILENAME, &policy_path,
          "Policy XML (default: the built-in default rules)", "FILE" },
        { "json", 'j', 0, G_OPTION_ARG_NONE, &json, "Print one JSON object instead of text", NULL },
        { NULL }
    };
    g_autoptr(GOptionContext) ctx =
        g_option_context_new("DOMAIN - decide a migration of a running guest via the libvirt API");
    g_autoptr(GError) err = NULL;
    g_autoptr(virConnect) src = NULL;
    g_autoptr(virConnect) dst = NULL;
    g_autoptr(virDomain) dom = NULL;
    g_autofree char *xml = NULL, *src_caps = NULL, *dst_caps = NULL;
    g_autoptr(TgGuestProfile) guest = NULL;
    g_autoptr(TgHostFacts) source = NULL;
    g_autoptr(TgHostFacts) dest = NULL;
    g_autoptr(TgPolicy) policy = NULL;
    g_autofree char *policy_digest = NULL;
    g_autofree char *dest_name = NULL;
    g_autofree char *published_path = NULL;
    g_autofree char *unpublished = NULL;
    g_autofree char *caps_from = NULL;
    g_autofree char *src_from = NULL;
    g_autofree char *src_name = NULL;
    TgCliDest rd;
    int rc;

    g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_set_description(ctx,
        "Reads the guest's migratable XML and 'capabilities' of both hosts over\n"
        "read-only connections, then applies the same rules as the hook. The\n"
        "destination's hook decides with the facts and policy it published with\n"
        "'tscgate probe --publish DIR' (--dest-dir DIR): without them, its health\n"
        "facts and policy are unknown here, and the report says so.\n"
        "Exit status: see EXIT STATUS in tscgate(8).");
    if (!tg_cli_parse_options("preflight", ctx, &argc, &argv))
        return TG_EXIT_USAGE;
    if (argc != 2)
        return tg_cli_error("preflight", TG_EXIT_USAGE,
                            "exactly one DOMAIN (name or UUID) is required");
    if (!dest_uri)
        return tg_cli_error("preflight", TG_EXIT_USAGE, "--dest-connect URI is required");
    if (dest_host && !tg_cli_host_name_ok(dest_host)) {
        g_autofree char *esc = tg_escape_untrusted(dest_host);

        return tg_cli_error("preflight", TG_EXIT_USAGE, "--dest-host '%s' is not a host name",
                            esc);
    }
    if (policy_path && !(policy = tg_policy_load(policy_path, &policy_digest, &err)))
        return tg_cli_error("preflight", TG_EXIT_USAGE, "%s", err->message);

    tg_cli_libvirt_quiet();
    if (!(src = virConnectOpenReadOnly(src_uri))) {
        if (!src_uri)
            return tg_cli_error("preflight", TG_EXIT_USAGE,
                                "cannot connect to the source (libvirt's default URI): %s",
                                virGetLastErrorMessage());
        return tg_cli_error("preflight", TG_EXIT_USAGE, "cannot connect to the source %s: %s",
                            src_uri, virGetLastErrorMessage());
    }
    if (!(dst = virConnectOpenReadOnly(dest_uri)))
        return tg_cli_error("preflight", TG_EXIT_USAGE, "cannot connect to the destination %s: %s",
                            dest_uri, virGetLastErrorMessage());
    if (!(dom = tg_cli_lookup_domain(src, argv[1])))
        return tg_cli_error("preflight", TG_EXIT_USAGE, "no such domain on the source: %s: %s",
                            argv[1], virGetLastErrorMessage());
    /* libvirt allows the migratable form only on read-write connections
     * (virDomainGetXMLDesc treats it like VIR_DOMAIN_XML_SECURE); the live
     * XML carries the same <clock>, <cpu> and <features> for our purpose. */
    if (!(xml = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_MIGRATABLE)) &&
        !(xml = virDomainGetXMLDesc(dom, 0)))
        return tg_cli_error("preflight", TG_EXIT_USAGE, "cannot read the domain XML of %s: %s",
                            argv[1], virGetLastErrorMessage());
    if (!(src_caps = virConnectGetCapabilities(src)))
        return tg_cli_error("preflight", TG_EXIT_USAGE,
                            "cannot read the capabilities of the source host: %s",
                            virGetLastErrorMessage());
    if (!(dst_caps = virConnectGetCapabilities(dst)))
        return tg_cli_error("preflight", TG_EXIT_USAGE,
                            "cannot read the capabilities of the destination %s: %s",
                            dest_uri, virGetLastErrorMessage());

    if (!(guest = tg_guest_profile_parse_xml(xml, strlen(xml), "domain XML from libvirt", &err)) ||
        !(source = tg_host_facts_parse_xml(src_caps, strlen(src_caps),
                                           "source capabilities", &err)))
        return tg_cli_error("preflight", TG_EXIT_USAGE, "%s", err->message);

    /* The destination as its hook sees it: the facts it published (probed
     * there, health included, with its host.xml and its policy's digest);
     * its daemon's capabilities carry only the TSC counter. */
    dest_name = dest_host ? g_strdup(dest_host) : tg_cli_daemon_hostname(dst);
    if (dest_dir && dest_name) {
        g_autoptr(GError) perr = NULL;
        g_autofree char *read_error = NULL;

        dest = tg_cli_load_published(dest_dir, dest_name, &published_path, &read_error, &perr);
        if (!dest && !read_error)
            return tg_cli_error("preflight", TG_EXIT_USAGE, "%s", perr->message);
        if (!dest)
            unpublished = g_strdup_printf("nothing published in %s: %s", dest_dir, read_error);
    } else if (dest_dir) {
        unpublished = g_strdup("the destination daemon gave no usable host name; give --dest-host");
    } else {
        unpublished = g_strdup("nothing published: no --dest-dir");
    }
    if (!dest) {
        if (!(dest = tg_host_facts_parse_xml(dst_caps, strlen(dst_caps),
                                             "destination capabilities", &err)))
            return tg_cli_error("preflight", TG_EXIT_USAGE, "%s", err->message);
        caps_from = g_strdup_printf("the capabilities of %s", dest_uri);
    }

    tg_cli_dest_describe(&rd, dest, dest_name, caps_from ? caps_from : published_path,
                         unpublished, policy_path, policy_digest);
    src_from = g_strdup_printf("the capabilities of %s", src_uri ? src_uri : "libvirt's default URI");
    rd.report.source_from = src_from;
    /* the source is the host the guest runs on: its daemon names it (the
     * capabilities XML carries no host name) */
    src_name = tg_cli_daemon_hostname(src);
    if (!src_name && source->hostname.note.known && source->hostname.value)
        src_name = g_strdup(source->hostname.value);
    rd.report.source_name = src_name;
    rc = tg_cli_decide_and_report_dest(guest, source, dest, policy, json, &rd.report);
    tg_cli_dest_clear(&rd);
    return rc;
}
