/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: libvirt helpers of the CLI (tg-cli-libvirt.h). */
#include <config.h>

#include "tg-cli-libvirt.h"

#include "tg-cli.h"

static void
tg_cli_libvirt_ignore(void *opaque G_GNUC_UNUSED, virErrorPtr err G_GNUC_UNUSED)
{
}

void
tg_cli_libvirt_quiet(void)
{
    virSetErrorFunc(NULL, tg_cli_libvirt_ignore);
}

virDomainPtr
tg_cli_lookup_domain(virConnectPtr conn, const char *name)
{
    virDomainPtr dom = virDomainLookupByName(conn, name);

    if (!dom)
        dom = virDomainLookupByUUIDString(conn, name);
    return dom;
}

char *
tg_cli_daemon_hostname(virConnectPtr conn)
{
    char *h = virConnectGetHostname(conn);

    if (h && tg_cli_host_name_ok(h))
        return h;
    g_free(h);
    return NULL;
}
