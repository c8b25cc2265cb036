/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: the hook's own settings, CONFIG_DIR/hook.conf (GKeyFile):
 *
 *   [hook]
 *   # append one logfmt line per decision to this file (absolute path)
 *   audit-file=/var/log/tscgate/audit.log
 *   # answer within this many seconds, whatever the gate waits for
 *   deadline=5
 */
#ifndef TG_HOOKCONF_H
#define TG_HOOKCONF_H

#include <sys/types.h>

#include "tg-common.h"

G_BEGIN_DECLS

/* A gating run's deadline when hook.conf sets none, and the largest one it
 * may set (libvirt waits for the hook without a timeout of its own). */
#define TG_HOOK_DEFAULT_DEADLINE_S 5
#define TG_HOOK_MAX_DEADLINE_S 600
/* hook.conf is a few lines; anything larger is not one. */
#define TG_HOOKCONF_MAX_BYTES (64 * 1024)

typedef struct {
    char *audit_file;   /* absolute path or NULL (no audit file) */
    guint deadline_s;   /* seconds, TG_HOOK_DEFAULT_DEADLINE_S unless set */
} TgHookConf;

/* Parse hook.conf text. Unknown keys in [hook] and other groups are
 * errors (a typo must not silently disable the audit trail). Returns a new
 * object (tg_hookconf_free), or NULL with `error` (TG_ERROR_PARSE /
 * TG_ERROR_INVALID, "FILE: problem"). */
TgHookConf *tg_hookconf_parse(const char *buf, gsize len, const char *filename,
                              GError **error);
/* Same, from a file read with tg_file_read_trusted(): owned by
 * `owner_uid`, not group/other-writable, regular, at most
 * TG_HOOKCONF_MAX_BYTES, never blocking. */
TgHookConf *tg_hookconf_load(const char *path, uid_t owner_uid, GError **error);
void tg_hookconf_free(TgHookConf *c);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TgHookConf, tg_hookconf_free)

G_END_DECLS

#endif /* TG_HOOKCONF_H */
