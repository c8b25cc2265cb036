/* SPDX-License-Identifier: LGPL-2.1-or-later */
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

/* GKeyFile keeps the last of two equal keys or groups without a word, and
 * stops at a NUL byte (glib/gkeyfile.c g_key_file_parse_data,
 * g_key_file_parse_key_value_pair): a second "deadline=" must not quietly
 * override the first. So before GKeyFile sees the text: a NUL byte is an
 * error, and (once GKeyFile has accepted the syntax) so is any group or
 * key given a second time, naming both lines. Lines are read as GKeyFile
 * reads them: leading blanks skipped, '#' comments, "[group]", "key=value"
 * with blanks around the key ignored. */
static bool
tg_hookconf_check_nul(const char *buf, gsize len, const char *fname, GError **error)
{
    const char *nul = memchr(buf, '\0', len);
    guint line = 1;

    if (!nul)
        return true;
    for (const char *p = buf; p < nul; p++)
        line += *p == '\n';
    g_set_error(error, TG_ERROR, TG_ERROR_INVALID, "%s:%u: contains a NUL byte", fname, line);
    return false;
}

static bool
tg_hookconf_check_duplicates(const char *buf, gsize len, const char *fname, GError **error)
{
    /* "group" or "group\nkey" -> first line (GUINT_TO_POINTER) */
    g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_autofree char *group = NULL;
    const char *end = buf + len;
    const char *p = buf;
    guint line = 0;

    while (p < end) {
        const char *nl = memchr(p, '\n', (gsize)(end - p));
        g_autofree char *text = g_strndup(p, (gsize)((nl ? nl : end) - p));
        g_autofree char *name = NULL;
        const char *what;
        gpointer first;
        char *t;

        p = nl ? nl + 1 : end;
        line++;
        t = g_strstrip(text);
        if (!*t || *t == '#')
            continue;
        if (*t == '[') {
            char *close = strrchr(t, ']');

            if (!close)
                continue;   /* GKeyFile has refused it already */
            g_free(group);
            group = g_strndup(t + 1, (gsize)(close - t - 1));
            name = g_strdup(group);
            what = "group";
        } else {
            char *eq = strchr(t, '=');

            if (!eq || !group)
                continue;
            *eq = '\0';
            name = g_strdup_printf("%s\n%s", group, g_strchomp(t));
            what = "key";
        }
        if (g_hash_table_lookup_extended(seen, name, NULL, &first)) {
            g_autofree char *group_esc = tg_escape_untrusted(group);

            if (strcmp(what, "group") == 0) {
                g_set_error(error, TG_ERROR, TG_ERROR_INVALID,
                            "%s:%u: group [%s] appears again (first on line %u)", fname, line,
                            group_esc, GPOINTER_TO_UINT(first));
            } else {
                g_autofree char *key_esc = tg_escape_untrusted(strchr(name, '\n') + 1);

                g_set_error(error, TG_ERROR, TG_ERROR_INVALID,
                            "%s:%u: %s is set again in [%s] (first on line %u)", fname, line,
                            key_esc, group_esc, GPOINTER_TO_UINT(first));
            }
            return false;
        }
        g_hash_table_insert(seen, g_steal_pointer(&name), GUINT_TO_POINTER(line));
    }
    return true;
}

TgHookConf *
tg_hookconf_parse(const char *buf, gsize len, const char *filename, GError **error)
{
    g_autoptr(GKeyFile) kf = g_key_file_new();
    g_autoptr(TgHookConf) c = g_new0(TgHookConf, 1);
    g_autoptr(GError) err = NULL;
    g_auto(GStrv) groups = NULL;
    const char *fname = filename ? filename : "hook.conf";

    if (!tg_hookconf_check_nul(buf, len, fname, error))
        return NULL;
    if (!g_key_file_load_from_data(kf, buf, len, G_KEY_FILE_NONE, &err)) {
        g_set_error(error, TG_ERROR, TG_ERROR_PARSE, "%s: %s", fname, err->message);
        return NULL;
    }
    if (!tg_hookconf_check_duplicates(buf, len, fname, error))
        return NULL;
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
