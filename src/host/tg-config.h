/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: loading the hook's configuration directory as the gate does,
 * shared by the gate (hooks/tscgate-gate.c) and `tscgate config test`, so
 * that the test loads exactly what the hook loads:
 *
 *   CONFIG_DIR            trust-checked (tg_trust_check_path) once, before
 *                         the first file in it is read
 *   CONFIG_DIR/hook.conf  optional; tg_file_read_trusted(), tg_hookconf_parse()
 *   CONFIG_DIR/policy.xml optional; with its inventory, through the compiled
 *                         cache (tg_configcache_load) or its sources
 *   CONFIG_DIR/host.xml   optional; tg_file_read_trusted(), host facts
 */
#ifndef TG_CONFIG_H
#define TG_CONFIG_H

#include <sys/types.h>

#include "tg-configcache.h"
#include "tg-hookconf.h"
#include "tg-hostfacts.h"
#include "tg-policy.h"

G_BEGIN_DECLS

/* The configuration directory: $TSCGATE_CONFIG_DIR when set and not empty,
 * else SYSCONFDIR "/tscgate". Newly allocated (g_free). */
char *tg_config_dir(void);

/* The owner expected of configuration files: $TSCGATE_TRUST_UID when it is
 * a number, else 0 (root). */
uid_t tg_config_trust_uid(void);

/* Does `path` exist (lstat)? Returns false with `error` for anything but
 * ENOENT; true with *exists. */
bool tg_config_path_exists(const char *path, bool *exists, GError **error);

/* Trust-check `config_dir` for `uid` unless *dir_checked; sets it. Returns
 * false with `error` (TG_ERROR_PERMISSION / TG_ERROR_IO). */
bool tg_config_dir_trusted(const char *config_dir, uid_t uid, bool *dir_checked,
                           GError **error);

/* Read the configuration file `path` (in `config_dir`) when it exists, as
 * every configuration file is read: the directory trust-checked, the file
 * opened without blocking and checked on its descriptor (owner, mode,
 * regular file, at most `max` bytes; tg_file_read_trusted()). Returns false
 * with `error`; true with *buf NULL when the file does not exist, else *buf
 * (g_free) and *len. */
bool tg_config_read_file(const char *config_dir, const char *path, uid_t uid,
                         bool *dir_checked, gsize max, char **buf, gsize *len, GError **error);

/* CONFIG_DIR/hook.conf. Returns false with `error` ("PATH: problem");
 * true with *conf NULL when there is none, else a new TgHookConf
 * (tg_hookconf_free). */
bool tg_config_load_hookconf(const char *config_dir, uid_t uid, bool *dir_checked,
                             TgHookConf **conf, GError **error);

/* CONFIG_DIR/policy.xml and its inventory through the compiled cache in
 * `runtime_dir` (NULL: tg_hostcache_dir()) as tg_configcache_load() loads
 * them; `cache_note` and `digest` (nullable) as there, the digest
 * TG_POLICY_DIGEST_NONE when there is no policy.xml. Returns false with
 * `error`; true with *policy NULL when there is no policy.xml (the default
 * rules), else a new policy (tg_policy_free). */
bool tg_config_load_policy(const char *config_dir, uid_t uid, bool *dir_checked,
                           const char *runtime_dir, TgPolicy **policy, char **cache_note,
                           char **digest, GError **error);

/* CONFIG_DIR/host.xml. Returns false with `error`; true with *facts NULL
 * when there is none, else new facts (tg_host_facts_free). *was_read
 * (nullable) says whether the file was read (its facts then parsed, or
 * not). */
bool tg_config_load_host_xml(const char *config_dir, uid_t uid, bool *dir_checked,
                             TgHostFacts **facts, bool *was_read, GError **error);

G_END_DECLS

#endif /* TG_CONFIG_H */
