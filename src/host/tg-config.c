/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: loading the hook's configuration directory (tg-config.h). */
#include <config.h>

#include "tg-config.h"

#include <errno.h>
#include <sys/stat.h>

#include "tg-file.h"
#include "tg-trust.h"
#include "tg-xml.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif

char *
tg_config_dir(void)
{
    const char *env_dir = g_getenv("TSCGATE_CONFIG_DIR");

    return g_strdup(env_dir && *env_dir ? env_dir : SYSCONFDIR "/tscgate");
}

uid_t
tg_config_trust_uid(void)
{
    const char *s = g_getenv("TSCGATE_TRUST_UID");
    guint64 v;

    if (s && tg_parse_u64(s, &v) && v < G_MAXUINT32)
        return (uid_t)v;
    return 0;
}

bool
tg_config_path_exists(const char *path, bool *exists, GError **error)
{
    struct stat st;

    if (lstat(path, &st) == 0) {
        *exists = true;
        return true;
    }
    *exists = false;
    if (errno == ENOENT)
        return true;
    {
        int e = errno;

        g_set_error(error, TG_ERROR, TG_ERROR_IO, "%s: %s", path, g_strerror(e));
    }
    return false;
}

bool
tg_config_dir_trusted(const char *config_dir, uid_t uid, bool *dir_checked, GError **error)
{
    if (!*dir_checked) {
        if (!tg_trust_check_path(config_dir, uid, error))
            return false;
        *dir_checked = true;
    }
    return true;
}

bool
tg_config_read_file(const char *config_dir, const char *path, uid_t uid, bool *dir_checked,
                    gsize max, char **buf, gsize *len, GError **error)
{
    bool exists = false;

    *buf = NULL;
    if (!tg_config_path_exists(path, &exists, error))
        return false;
    if (!exists)
        return true;
    return tg_config_dir_trusted(config_dir, uid, dir_checked, error) &&
           tg_file_read_trusted(path, uid, max, buf, len, NULL, error);
}

bool
tg_config_load_hookconf(const char *config_dir, uid_t uid, bool *dir_checked,
                        TgHookConf **conf, GError **error)
{
    g_autofree char *path = g_build_filename(config_dir, "hook.conf", NULL);
    g_autofree char *buf = NULL;
    gsize len = 0;

    *conf = NULL;
    if (!tg_config_read_file(config_dir, path, uid, dir_checked, TG_HOOKCONF_MAX_BYTES, &buf,
                             &len, error))
        return false;
    if (!buf)
        return true;
    *conf = tg_hookconf_parse(buf, len, path, error);
    return *conf != NULL;
}

bool
tg_config_load_policy(const char *config_dir, uid_t uid, bool *dir_checked,
                      const char *runtime_dir, TgPolicy **policy, char **cache_note,
                      char **digest, GError **error)
{
    g_autofree char *path = g_build_filename(config_dir, "policy.xml", NULL);
    bool exists = false;

    *policy = NULL;
    /* policy.xml, and the inventory that speaks for guests whose frequency
     * is unknown, are read without blocking and trust-checked on their
     * descriptors as they are opened (tg_policy_load_trusted), or the
     * compiled cache of both is used, itself trust-checked
     * (tg-configcache.h). */
    if (!tg_config_path_exists(path, &exists, error))
        return false;
    if (!exists) {
        if (digest)
            *digest = g_strdup(TG_POLICY_DIGEST_NONE);
        return true;
    }
    if (!tg_config_dir_trusted(config_dir, uid, dir_checked, error))
        return false;
    *policy = tg_configcache_load(path, uid, runtime_dir, NULL, cache_note, digest, error);
    return *policy != NULL;
}

bool
tg_config_load_host_xml(const char *config_dir, uid_t uid, bool *dir_checked,
                        TgHostFacts **facts, bool *was_read, GError **error)
{
    g_autofree char *path = g_build_filename(config_dir, "host.xml", NULL);
    g_autofree char *buf = NULL;
    gsize len = 0;

    *facts = NULL;
    if (was_read)
        *was_read = false;
    if (!tg_config_read_file(config_dir, path, uid, dir_checked, TG_MAX_INPUT_BYTES, &buf, &len,
                             error))
        return false;
    if (!buf)
        return true;
    if (was_read)
        *was_read = true;
    *facts = tg_host_facts_parse_xml(buf, len, path, error);
    return *facts != NULL;
}
