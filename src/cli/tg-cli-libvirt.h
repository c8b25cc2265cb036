/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: what every command that talks to libvirt does the same way
 * (preflight, pin, agent, plan --connect, inventory collect). Built only
 * with libvirt (WITH_LIBVIRT). */
#ifndef TG_CLI_LIBVIRT_H
#define TG_CLI_LIBVIRT_H

#include <glib.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

G_BEGIN_DECLS

static inline void
tg_cli_virconnect_close(virConnectPtr conn)
{
    if (conn)
        virConnectClose(conn);
}

static inline void
tg_cli_virdomain_free(virDomainPtr dom)
{
    if (dom)
        virDomainFree(dom);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(virConnect, tg_cli_virconnect_close)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virDomain, tg_cli_virdomain_free)

/* Stop libvirt printing its errors on stderr (its default): the command
 * reports its own one line, with virGetLastErrorMessage(). */
void tg_cli_libvirt_quiet(void);

/* The domain named `name` on `conn`, else the one whose UUID it is, or NULL
 * (libvirt's last error says why). Caller frees (virDomainFree). */
virDomainPtr tg_cli_lookup_domain(virConnectPtr conn, const char *name);

/* The host name `conn`'s daemon gives (virConnectGetHostname) when it can
 * name a published facts file (tg_cli_host_name_ok), else NULL (g_free:
 * GLib's allocator is libc's, as libvirt's strings are). */
char *tg_cli_daemon_hostname(virConnectPtr conn);

G_END_DECLS

#endif /* TG_CLI_LIBVIRT_H */
