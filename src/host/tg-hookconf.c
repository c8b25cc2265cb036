/* tscgate: hook.conf (see tg-hookconf.h). */
#include <config.h>

#include "tg-hookconf.h"
#include "tg-xml.h"
#include "tg-file.h"

#include <string.h>

void
tg_hookconf_free(TgHookConf *c)
{
    if (!c)
        return;
    g_free(c->audit_file);
    g_free(c);
}

TgHookConf *
tg_hookconf_parse(const char *buf, gsize len, const char *filename, GError **error)
{
    g_autoptr(GKeyFile) kf = g_key_file_new();
    g_autoptr(TgHookConf) c = g_new0(TgHookConf, 1);
    g_autoptr(GError) err = NULL;
    g_auto(GStrv) groups = NULL;
    const char *fname = filename ? filename : "hook.conf";

    if (!g_key_file_load_from_data(kf, buf, len, G_KEY_FILE_NONE, &err)) {
        g_set_error(error, TG_ERROR, TG_ERROR_PARSE, "%s: %s", fname, err->message);
        return NULL;
    }
    groups = g_key_file_get_groups(kf, NULL);
    for (gsize i = 0; groups[i]; i++) {
        g_auto(GStrv) keys = NULL;

        if (strcmp(groups[i], "hook") != 0) {
            g_autofree char *esc = tg_escape_untrusted(groups[i]);

            g_set_error(error, TG_ERROR, TG_ERROR_INVALID,
                        "%s: unknown group [%s] (only [hook] is known)", fname, esc);
            return NULL;
        }
        keys = g_key_file_get_keys(kf, groups[i], NULL, NULL);
        for (gsize k = 0; keys && keys[k]; k++) {
            if (strcmp(keys[k], "audit-file") != 0 && strcmp(keys[k], "deadline") != 0) {
                g_autofree char *esc = tg_escape_untrusted(keys[k]);

                g_set_error(error, TG_ERROR, TG_ERROR_INVALID,
                            "%s: unknown key '%s' in [hook] (known: audit-file, deadline)",
                            fname, esc);
                return NULL;
            }
        }
    }
    c->deadline_s = TG_HOOK_DEFAULT_DEADLINE_S;
    if (g_key_file_has_key(kf, "hook", "deadline", NULL)) {
        g_autofree char *v = g_key_file_get_string(kf, "hook", "deadline", NULL);
        guint64 n = 0;

        if (v)
            g_strstrip(v);
        if (!v || !tg_parse_u64(v, &n) || n < 1 || n > TG_HOOK_MAX_DEADLINE_S) {
            g_autofree char *esc = tg_escape_untrusted(v ? v : "");

            g_set_error(error, TG_ERROR, TG_ERROR_INVALID,
                        "%s: deadline '%s' is not a whole number of seconds from 1 to %u",
                        fname, esc, TG_HOOK_MAX_DEADLINE_S);
            return NULL;
        }
        c->deadline_s = (guint)n;
    }
    c->audit_file = g_key_file_get_string(kf, "hook", "audit-file", NULL);
    if (c->audit_file) {
        g_strstrip(c->audit_file);
        if (!*c->audit_file) {
            g_clear_pointer(&c->audit_file, g_free);
        } else if (!g_path_is_absolute(c->audit_file)) {
            g_autofree char *esc = tg_escape_untrusted(c->audit_file);

            g_set_error(error, TG_ERROR, TG_ERROR_INVALID,
                        "%s: audit-file '%s' is not an absolute path", fname, esc);
            return NULL;
        }
    }
    return g_steal_pointer(&c);
}

TgHookConf *
tg_hookconf_load(const char *path, uid_t owner_uid, GError **error)
{
    g_autofree char *buf = NULL;
    gsize len = 0;

    if (!tg_file_read_trusted(path, owner_uid, TG_HOOKCONF_MAX_BYTES, &buf, &len, NULL, error))
        return NULL;
    return tg_hookconf_parse(buf, len, path, error);
}
