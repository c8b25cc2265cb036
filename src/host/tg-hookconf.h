/* tscgate: the hook's own settings, CONFIG_DIR/hook.conf (GKeyFile):
 *
 *   [hook]
 *   # append one logfmt line per decision to this file (absolute path)
 *   audit-file=/var/log/tscgate/audit.log
 */
#ifndef TG_HOOKCONF_H
#define TG_HOOKCONF_H

#include "tg-common.h"

G_BEGIN_DECLS

typedef struct {
    char *audit_file;   /* absolute path or NULL (no audit file) */
} TgHookConf;

/* Parse hook.conf text. Unknown keys in [hook] and other groups are
 * errors (a typo must not silently disable the audit trail). Returns a new
 * object (tg_hookconf_free), or NULL with `error` (TG_ERROR_PARSE /
 * TG_ERROR_INVALID, "FILE: problem"). */
TgHookConf *tg_hookconf_parse(const char *buf, gsize len, const char *filename,
                              GError **error);
/* Same, from a file. */
TgHookConf *tg_hookconf_load(const char *path, GError **error);
void tg_hookconf_free(TgHookConf *c);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TgHookConf, tg_hookconf_free)

G_END_DECLS

#endif /* TG_HOOKCONF_H */
