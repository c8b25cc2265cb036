/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate-hook: the libvirt qemu hook trampoline.
 *
 * Installed as $(sysconfdir)/libvirt/hooks/qemu.d/50-tscgate. libvirt runs
 * it for every guest operation as `HOOK GUEST OP SUBOP EXTRA` with the
 * domain XML on stdin (docs/hooks.rst, src/util/virhook.c virHookCall).
 *
 * Only `migrate begin` and `restore begin` are gated: for those it execs the
 * real gate ($(libexecdir)/tscgate-gate) with the same argv and stdin. Every
 * other operation exits 0 at once without reading stdin or any
 * configuration: a failing `reconnect` hook kills a running guest, a failing
 * `prepare`/`start` keeps one from booting, so nothing here may fail for
 * them. libvirt tolerates a hook that exits without reading stdin (it
 * ignores EPIPE).
 *
 * Plain libc on purpose: no GLib, no libxml2, so the pass-through path costs
 * little more than an empty program.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef LIBEXECDIR
#define LIBEXECDIR "/usr/local/libexec"
#endif

static int
is_gating(int argc, char **argv)
{
    const char *op, *subop;

    if (argc < 3)
        return 0;
    op = argv[2];
    if (strcmp(op, "migrate") != 0 && strcmp(op, "restore") != 0)
        return 0;
    /* A gating op with its sub-op missing is malformed input for the gate to
     * refuse (fail-closed); a different sub-op would be a future libvirt
     * call that is not ours to gate. */
    subop = argc >= 4 ? argv[3] : NULL;
    return subop == NULL || strcmp(subop, "begin") == 0;
}

int
main(int argc, char **argv)
{
    const char *gate;
    int err;

    if (!is_gating(argc, argv))
        return 0;

    /* libvirt passes a clean environment; the override is for build-tree
     * tests only. */
    gate = getenv("TSCGATE_GATE");
    if (gate == NULL || *gate == '\0')
        gate = LIBEXECDIR "/tscgate-gate";

    execv(gate, argv);
    err = errno;
    fprintf(stderr, "tscgate: cannot run %s: %s\n", gate, strerror(err));
    return 1;
}
