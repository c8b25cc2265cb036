/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: `tscgate config test [DIR]`, as `sshd -t` and `nginx -t`: load
 * the hook's configuration directory exactly as the gate does (tg-config.h:
 * trust checks, hook.conf, policy.xml with its inventory, host.xml), look
 * at what else the gate depends on (its runtime directory, the audit file,
 * journald and syslog), print what the hook would use and every problem.
 * Exit 1 when the hook would refuse (deny every gated operation, or let
 * them through unchecked with a fail-open policy).
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "tg-cli.h"
#include "tg-config.h"
#include "tg-file.h"
#include "tg-hostcache.h"
#include "tg-inventory.h"
#include "tg-log.h"
#include "tg-trust.h"

typedef struct {
    bool error;            /* the hook refuses; else a warning */
    const char *what;      /* "config-dir", "hook.conf", "policy.xml", ... (static) */
    const char *code;      /* the gate's failure code for an error, NULL for a warning */
    char *message;
} TgConfigProblem;

static void
tg_config_problem_free(gpointer p)
{
    TgConfigProblem *c = p;

    g_free(c->message);
    g_free(c);
}

static void
tg_config_problem(GPtrArray *problems, bool error, const char *what, const char *code,
                  const char *message)
{
    TgConfigProblem *c = g_new0(TgConfigProblem, 1);

    /* the same problem found twice (the gate's load, then every problem of
     * the policy's content) is one */
    for (guint i = 0; i < problems->len; i++) {
        const TgConfigProblem *o = problems->pdata[i];

        if (strcmp(o->message, message) == 0) {
            g_free(c);
            return;
        }
    }
    c->error = error;
    c->what = what;
    c->code = code;
    c->message = tg_escape(message, TG_ESCAPE_CONTROLS);
    g_ptr_array_add(problems, c);
}

/* One line of what the hook would use: component -> description. */
typedef struct {
    const char *what;
    char *use;
} TgConfigUse;

static void
tg_config_use_free(gpointer p)
{
    TgConfigUse *u = p;

    g_free(u->use);
    g_free(u);
}

static void
tg_config_use(GPtrArray *uses, const char *what, char *use_owned)
{
    TgConfigUse *u = g_new0(TgConfigUse, 1);

    u->what = what;
    u->use = use_owned;
    g_ptr_array_add(uses, u);
}

/* Every problem of policy.xml's content and inventory, beyond the first
 * the gate's load stops at. */
static void
tg_config_policy_problems(const char *path, uid_t uid, GPtrArray *problems)
{
    g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(TgPolicy) p = NULL;
    g_autofree char *buf = NULL;
    gsize len = 0;
    TgErrorCode code = TG_ERROR_INVALID;

    if (!tg_read_file(path, &buf, &len, NULL))
        return;
    p = tg_inventory_read_policy(buf, len, path, uid, NULL, all, &code);
    for (guint i = 0; i < all->len; i++)
        tg_config_problem(problems, true, "policy.xml", "policy-error", all->pdata[i]);
}

/* A socket the gate sends its records to. */
static char *
tg_config_socket(const char *path)
{
    struct stat st;

    if (stat(path, &st) != 0)
        return g_strdup_printf("%s: absent", path);
    if (!S_ISSOCK(st.st_mode))
        return g_strdup_printf("%s: not a socket", path);
    return g_strdup_printf("%s: present", path);
}

static bool
tg_config_socket_present(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISSOCK(st.st_mode);
}

/* The audit file as tg_log_append_line() will treat it. */
static void
tg_config_audit_file(const char *path, uid_t uid, GPtrArray *uses, GPtrArray *problems)
{
    g_autofree char *dir = g_path_get_dirname(path);
    g_autoptr(GError) err = NULL;
    struct stat st;

    if (lstat(path, &st) == 0) {
        if (S_ISLNK(st.st_mode)) {
            g_autofree char *m = g_strdup_printf("audit file %s is a symbolic link: the hook "
                                                 "does not follow it and logs no audit line",
                                                 path);

            tg_config_problem(problems, false, "audit-file", NULL, m);
        } else if (!S_ISREG(st.st_mode)) {
            g_autofree char *m = g_strdup_printf("audit file %s is not a regular file: the "
                                                 "hook logs no audit line", path);

            tg_config_problem(problems, false, "audit-file", NULL, m);
        } else if (!tg_trust_check_stat(path, &st, uid, &err)) {
            g_autofree char *m = g_strdup_printf("%s: the hook logs no audit line", err->message);

            tg_config_problem(problems, false, "audit-file", NULL, m);
        }
        tg_config_use(uses, "audit file", g_strdup(path));
        return;
    }
    if (errno != ENOENT) {
        int e = errno;
        g_autofree char *m = g_strdup_printf("audit file %s: %s", path, g_strerror(e));

        tg_config_problem(problems, false, "audit-file", NULL, m);
        return;
    }
    if (lstat(dir, &st) != 0) {
        g_autofree char *parent = g_path_get_dirname(dir);

        if (lstat(parent, &st) != 0) {
            g_autofree char *m = g_strdup_printf("audit file %s: neither its directory nor "
                                                 "that one's parent %s exists: the hook logs "
                                                 "no audit line", path, parent);

            tg_config_problem(problems, false, "audit-file", NULL, m);
            return;
        }
        tg_config_use(uses, "audit file", g_strdup_printf("%s (the hook creates it and %s)",
                                                          path, dir));
        return;
    }
    if (!tg_trust_check_path(dir, uid, &err)) {
        g_autofree char *m = g_strdup_printf("audit file directory: %s: the hook logs no "
                                             "audit line", err->message);

        tg_config_problem(problems, false, "audit-file", NULL, m);
        return;
    }
    tg_config_use(uses, "audit file", g_strdup_printf("%s (the hook creates it)", path));
}

static void
tg_config_runtime_dir(const char *dir, uid_t uid, GPtrArray *uses, GPtrArray *problems)
{
    g_autoptr(GError) err = NULL;
    struct stat st;

    if (lstat(dir, &st) != 0) {
        tg_config_use(uses, "runtime dir", g_strdup_printf("%s (absent: the first gated run "
                                                           "creates it, mode 0700)", dir));
        return;
    }
    if (!tg_trust_check_path(dir, uid, &err)) {
        g_autofree char *m = g_strdup_printf("runtime directory: %s: the hook does not use its "
                                             "caches (it probes and loads the policy on every "
                                             "run) and keeps undelivered records nowhere",
                                             err->message);

        tg_config_problem(problems, false, "runtime-dir", NULL, m);
    }
    tg_config_use(uses, "runtime dir", g_strdup(dir));
}

static int
tg_config_test(int argc, char **argv)
{
    gboolean json = FALSE;
    GOptionEntry entries[] = {
        { "json", 'j', 0, G_OPTION_ARG_NONE, &json, "Print one JSON object instead of text", NULL },
        { NULL }
    };
    g_autoptr(GOptionContext) ctx =
        g_option_context_new("[DIR] - load the hook's configuration as the hook does");
    g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func(tg_config_problem_free);
    g_autoptr(GPtrArray) uses = g_ptr_array_new_with_free_func(tg_config_use_free);
    g_autoptr(GError) err = NULL;
    g_autoptr(TgHookConf) conf = NULL;
    g_autoptr(TgPolicy) policy = NULL;
    g_autoptr(TgHostFacts) facts = NULL;
    g_autofree char *dir = NULL;
    g_autofree char *policy_path = NULL;
    g_autofree char *runtime = tg_hostcache_dir();
    g_autofree char *cache_note = NULL;
    g_autofree char *digest = NULL;
    const char *journal = g_getenv("TSCGATE_JOURNAL_SOCKET");
    const char *syslog_sock = g_getenv("TSCGATE_SYSLOG_SOCKET");
    uid_t uid = tg_config_trust_uid();
    bool dir_checked = false;
    bool was_read = false;
    guint errors = 0;

    g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_set_description(ctx,
        "DIR defaults to the hook's: $TSCGATE_CONFIG_DIR, else " SYSCONFDIR "/tscgate.\n"
        "Prints what the hook would use and every problem; exit 1 when the hook would\n"
        "refuse (every gated operation denied, or let through unchecked when fail-open).\n"
        "Exit status: see EXIT STATUS in tscgate(8).");
    if (!tg_cli_parse_options("config test", ctx, &argc, &argv))
        return TG_EXIT_USAGE;
    if (argc > 2)
        return tg_cli_error("config test", TG_EXIT_USAGE, "unexpected argument '%s'", argv[2]);
    dir = argc == 2 ? g_strdup(argv[1]) : tg_config_dir();
    policy_path = g_build_filename(dir, "policy.xml", NULL);
    journal = journal && *journal ? journal : TG_JOURNAL_SOCKET;
    syslog_sock = syslog_sock && *syslog_sock ? syslog_sock : TG_SYSLOG_SOCKET;
    {
        struct stat st;

        if (stat(dir, &st) != 0) {
            int e = errno;

            return tg_cli_error("config test", TG_EXIT_USAGE, "%s: %s", dir, g_strerror(e));
        }
        if (!S_ISDIR(st.st_mode))
            return tg_cli_error("config test", TG_EXIT_USAGE, "%s: not a directory", dir);
    }

    /* The directory, checked as the gate checks it before its first file;
     * after a failure the files are still looked at, for every problem. */
    if (!tg_config_dir_trusted(dir, uid, &dir_checked, &err)) {
        /* The gate checks the directory before the first file it reads
         * there, and fails with the code of the file it was reading; a
         * policy problem takes precedence over a hook.conf one. */
        static const char *const files[][2] = { { "policy.xml", "policy-error" },
                                                { "hook.conf", "hook-conf-error" },
                                                { "host.xml", "host-facts-error" } };
        const char *code = NULL;

        for (gsize i = 0; i < G_N_ELEMENTS(files) && !code; i++) {
            g_autofree char *f = g_build_filename(dir, files[i][0], NULL);
            bool exists = false;

            if (!tg_config_path_exists(f, &exists, NULL) || exists)
                code = files[i][1];
        }
        if (code)
            tg_config_problem(problems, true, "config-dir", code, err->message);
        g_clear_error(&err);
        dir_checked = true;
    }

    if (!tg_config_load_hookconf(dir, uid, &dir_checked, &conf, &err)) {
        tg_config_problem(problems, true, "hook.conf", "hook-conf-error", err->message);
        g_clear_error(&err);
    } else if (conf) {
        tg_config_use(uses, "hook.conf",
                      g_strdup_printf("audit-file=%s, deadline %u s",
                                      conf->audit_file ? conf->audit_file : "(none)",
                                      conf->deadline_s));
    } else {
        tg_config_use(uses, "hook.conf", g_strdup_printf("absent: no audit file, deadline %u s",
                                                         TG_HOOK_DEFAULT_DEADLINE_S));
    }

    if (!tg_config_load_policy(dir, uid, &dir_checked, runtime, &policy, &cache_note, &digest,
                               &err)) {
        tg_config_problem(problems, true, "policy.xml", "policy-error", err->message);
        g_clear_error(&err);
        tg_config_policy_problems(policy_path, uid, problems);
    } else if (policy) {
        tg_config_use(uses, "policy.xml",
                      g_strdup_printf("%s: mode %s, %s, digest %s", policy_path,
                                      tg_mode_to_string(tg_policy_mode(policy)),
                                      tg_policy_fail_open(policy) ? "fail-open" : "fail-closed",
                                      digest ? digest : "unknown"));
    } else {
        tg_config_use(uses, "policy.xml",
                      g_strdup_printf("absent: the default rules, enforce, fail-closed, "
                                      "digest %s", TG_POLICY_DIGEST_NONE));
    }
    if (cache_note)
        tg_config_problem(problems, false, "policy-cache", NULL, cache_note);

    if (!tg_config_load_host_xml(dir, uid, &dir_checked, &facts, &was_read, &err)) {
        tg_config_problem(problems, true, "host.xml", "host-facts-error", err->message);
        g_clear_error(&err);
    } else if (facts) {
        g_autofree char *hz = facts->tsc_hz.note.known
                                  ? g_strdup_printf("%" G_GUINT64_FORMAT " Hz", facts->tsc_hz.value)
                                  : g_strdup("unknown");
        g_autofree char *name = tg_escape_untrusted(facts->hostname.note.known &&
                                                    facts->hostname.value
                                                        ? facts->hostname.value : "(unnamed)");

        tg_config_use(uses, "host.xml", g_strdup_printf("host %s, TSC %s, scaling %s", name, hz,
                      tg_tri_to_string(tg_bool_fact_tri(&facts->tsc_scaling))));
    } else {
        tg_config_use(uses, "host.xml", g_strdup("absent: the hook probes this host (cached per "
                                                 "boot in the runtime directory)"));
    }

    tg_config_runtime_dir(runtime, uid, uses, problems);
    if (conf && conf->audit_file)
        tg_config_audit_file(conf->audit_file, uid, uses, problems);
    tg_config_use(uses, "journald", tg_config_socket(journal));
    tg_config_use(uses, "syslog", tg_config_socket(syslog_sock));
    if (!tg_config_socket_present(journal) && !tg_config_socket_present(syslog_sock) &&
        !(conf && conf->audit_file)) {
        g_autofree char *m = g_strdup_printf("neither journald (%s) nor syslog (%s) is there and "
                                             "hook.conf names no audit file: records go to "
                                             "%s/undelivered.log only", journal, syslog_sock,
                                             runtime);

        tg_config_problem(problems, false, "log", NULL, m);
    }

    for (guint i = 0; i < problems->len; i++)
        errors += ((TgConfigProblem *)problems->pdata[i])->error;

    if (json) {
        GString *s = g_string_new(NULL);
        g_autofree char *jd = tg_json_string(dir);
        g_autofree char *out = NULL;

        g_string_append_printf(s, "{\"config_dir\":%s,\"trust_uid\":%u,\"refused\":%s,"
                               "\"uses\":{", jd, (unsigned)uid, errors ? "true" : "false");
        for (guint i = 0; i < uses->len; i++) {
            const TgConfigUse *u = uses->pdata[i];
            g_autofree char *k = tg_json_string(u->what);
            g_autofree char *v = tg_json_string(u->use);

            g_string_append_printf(s, "%s%s:%s", i ? "," : "", k, v);
        }
        g_string_append(s, "},\"problems\":[");
        for (guint i = 0; i < problems->len; i++) {
            const TgConfigProblem *c = problems->pdata[i];
            g_autofree char *m = tg_json_string(c->message);
            g_autofree char *code = tg_json_string(c->code);

            g_string_append_printf(s, "%s{\"severity\":\"%s\",\"what\":\"%s\",\"code\":%s,"
                                   "\"message\":%s}", i ? "," : "",
                                   c->error ? "error" : "warning", c->what, code, m);
        }
        g_string_append(s, "]}\n");
        out = g_string_free(s, FALSE);
        fputs(out, stdout);
    } else {
        g_autofree char *d = tg_escape_untrusted(dir);

        printf("configuration directory %s (files owned by uid %u)\n", d, (unsigned)uid);
        for (guint i = 0; i < uses->len; i++) {
            const TgConfigUse *u = uses->pdata[i];
            g_autofree char *v = tg_escape(u->use, TG_ESCAPE_CONTROLS);

            printf("  %-12s %s\n", u->what, v);
        }
        for (guint i = 0; i < problems->len; i++) {
            const TgConfigProblem *c = problems->pdata[i];

            if (c->error)
                printf("error: %s (the hook fails: %s)\n", c->message, c->code);
            else
                printf("warning: %s\n", c->message);
        }
        if (errors)
            printf("%s: the hook refuses this configuration: %u error%s\n", d, errors,
                   errors == 1 ? "" : "s");
        else
            printf("%s: the hook loads this configuration%s\n", d,
                   problems->len ? " (see the warnings)" : "");
    }
    return errors ? TG_EXIT_DENY : TG_EXIT_ALLOW;
}

static const char tg_config_usage[] =
    "Usage: tscgate config test [--json] [DIR]\n"
    "\n"
    "Commands:\n"
    "  test  load the hook's configuration directory exactly as the hook does and\n"
    "        print what it would use and every problem\n"
    "\n"
    "Exit status: see EXIT STATUS in tscgate(8).\n";

int
tg_cli_config_main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(tg_config_usage, stderr);
        return TG_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        fputs(tg_config_usage, stdout);
        return TG_EXIT_ALLOW;
    }
    if (strcmp(argv[1], "test") == 0)
        return tg_config_test(argc - 1, argv + 1);
    {
        g_autofree char *esc = tg_escape_untrusted(argv[1]);

        return tg_cli_error("config", TG_EXIT_USAGE,
                            "unknown subcommand '%s' (try 'tscgate config --help')", esc);
    }
}
