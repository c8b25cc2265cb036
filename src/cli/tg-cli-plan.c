/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: `tscgate plan`, every guest on every other host (tg-cli.h).
 *
 * Guests and host facts come from files, directories of *.xml, and
 * libvirt connections (running guests and capabilities, read concurrently,
 * each under a deadline); the pairs are decided by src/lib/tg-plan.c
 * through the hook's evaluation. Output: tg-plan-report.c; connections:
 * tg-cli-connect.c.
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef WITH_LIBVIRT
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#endif

#include "tg-cli.h"
#include "tg-inventory.h"
#include "tg-cli-connect.h"
#include "tg-plan-report.h"
#include "tg-file.h"
#include "tg-plan.h"
#include "tg-report.h"

#define TG_PLAN_CMD "plan"
#define TG_PLAN_DEFAULT_TIMEOUT 30

/* ---- inputs ---- */

static bool tg_plan_load_hosts(TgPlan *plan, char **paths, GError **error);

static gint
tg_plan_name_cmp(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.xml files of `path` in name order, or `path` itself when it is not
 * a directory. Returns false with `error`. */
static bool
tg_plan_expand(const char *path, GPtrArray *out, GError **error)
{
    g_autoptr(GDir) dir = NULL;
    g_autoptr(GPtrArray) names = NULL;
    g_autoptr(GError) err = NULL;
    const char *name;

    if (!g_file_test(path, G_FILE_TEST_IS_DIR)) {
        g_ptr_array_add(out, g_strdup(path));
        return true;
    }
    if (!(dir = g_dir_open(path, 0, &err))) {
        g_set_error(error, TG_ERROR, TG_ERROR_IO, "%s: %s", path, err->message);
        return false;
    }
    names = g_ptr_array_new_with_free_func(g_free);
    while ((name = g_dir_read_name(dir)))
        if (g_str_has_suffix(name, ".xml") && name[0] != '.')
            g_ptr_array_add(names, g_strdup(name));
    g_ptr_array_sort(names, tg_plan_name_cmp);
    for (guint i = 0; i < names->len; i++)
        g_ptr_array_add(out, g_build_filename(path, (const char *)names->pdata[i], NULL));
    return true;
}

/* "NAME" of ".../NAME.xml". */
static char *
tg_plan_file_name(const char *path)
{
    g_autofree char *base = g_path_get_basename(path);

    if (g_str_has_suffix(base, ".xml") && strlen(base) > 4)
        base[strlen(base) - 4] = '\0';
    return g_steal_pointer(&base);
}

TgPlan *
tg_cli_plan_load_hosts(char **paths, GError **error)
{
    g_autoptr(TgPlan) plan = tg_plan_new();

    if (!tg_plan_load_hosts(plan, paths, error))
        return NULL;
    if (!plan->hosts->len) {
        g_set_error(error, TG_ERROR, TG_ERROR_INVALID, "no host facts (*.xml) in %s",
                    paths && *paths ? paths[0] : "the paths given");
        return NULL;
    }
    return g_steal_pointer(&plan);
}

/* Every file `paths` names (files, or directories of *.xml in name order),
 * tg_plan_expand() of each. Returns a new array (g_ptr_array_unref), or
 * NULL with `error`. */
static GPtrArray *
tg_plan_expand_all(char **paths, GError **error)
{
    g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func(g_free);

    for (char **p = paths; p && *p; p++)
        if (!tg_plan_expand(*p, files, error))
            return NULL;
    return g_steal_pointer(&files);
}

static bool
tg_plan_load_hosts(TgPlan *plan, char **paths, GError **error)
{
    g_autoptr(GPtrArray) files = tg_plan_expand_all(paths, error);

    if (!files)
        return false;
    for (guint i = 0; i < files->len; i++) {
        const char *f = files->pdata[i];
        g_autofree char *name = tg_plan_file_name(f);
        TgHostFacts *facts = tg_host_facts_load(f, error);

        if (!facts || !tg_plan_add_host(plan, facts, f, name, error))
            return false;
    }
    return true;
}

static bool
tg_plan_load_guests(TgPlan *plan, char **paths, GError **error)
{
    g_autoptr(GPtrArray) files = tg_plan_expand_all(paths, error);

    if (!files)
        return false;
    for (guint i = 0; i < files->len; i++) {
        const char *f = files->pdata[i];
        g_autofree char *name = tg_plan_file_name(f);
        TgGuestProfile *g = tg_guest_profile_load(f, error);

        if (!g)
            return false;
        tg_plan_add_guest(plan, g, f, name, NULL);
    }
    return true;
}

/* What a connection adds to the plan: its host (unless facts files named
 * it already: what the host published wins over its daemon's
 * capabilities) and its running guests on it. Problems go to `unreachable`
 * ("URI: why"). Returns false with `error` for input that cannot be used. */
static bool
tg_plan_add_conns(TgPlan *plan, TgPlanConnSet *set, guint timeout, GPtrArray *unreachable,
                  GError **error)
{
    GPtrArray *conns;

    tg_plan_conn_set_lock(set);
    conns = tg_plan_conn_set_conns(set);
    for (guint i = 0; i < conns->len; i++) {
        TgPlanConn *c = conns->pdata[i];
        g_autoptr(TgHostFacts) facts = NULL;
        g_autofree char *from = NULL;
        g_autoptr(GError) err = NULL;
        const char *name;

        if (!c->done) {
            g_ptr_array_add(unreachable, g_strdup_printf("%s: no answer within %u s", c->uri,
                                                         timeout));
            continue;
        }
        if (c->error) {
            g_ptr_array_add(unreachable, g_strdup_printf("%s: %s", c->uri, c->error));
            continue;
        }
        from = g_strdup_printf("the capabilities of %s", c->uri);
        if (!(facts = tg_host_facts_parse_xml(c->caps, strlen(c->caps), from, &err))) {
            g_ptr_array_add(unreachable, g_strdup_printf("%s: %s", c->uri, err->message));
            continue;
        }
        name = c->hostname && tg_cli_host_name_ok(c->hostname) ? c->hostname : c->uri;
        if (tg_plan_find_host(plan, name) == G_MAXSIZE &&
            !tg_plan_add_host(plan, g_steal_pointer(&facts), c->uri, name, error)) {
            tg_plan_conn_set_unlock(set);
            return false;
        }
        for (guint j = 0; j < c->xmls->len; j++) {
            const char *xml = c->xmls->pdata[j];
            g_autofree char *gfrom = g_strdup_printf("guest %s on %s", (char *)c->names->pdata[j],
                                                     c->uri);
            g_autoptr(GError) gerr = NULL;
            TgGuestProfile *g = tg_guest_profile_parse_xml(xml, strlen(xml), gfrom, &gerr);

            if (!g) {
                g_ptr_array_add(unreachable, g_strdup_printf("%s: %s", c->uri, gerr->message));
                continue;
            }
            tg_plan_add_guest(plan, g, c->uri, c->names->pdata[j], name);
        }
    }
    tg_plan_conn_set_unlock(set);
    return true;
}

int
tg_cli_plan_main(int argc, char **argv)
{
    g_auto(GStrv) domains = NULL, hosts = NULL, uris = NULL;
    g_autofree char *policy_path = NULL, *drain = NULL;
    gboolean json = FALSE, csv = FALSE, reasons = FALSE, no_pins = FALSE;
    gint timeout = TG_PLAN_DEFAULT_TIMEOUT;
    GOptionEntry entries[] = {
        { "domain", 'd', 0, G_OPTION_ARG_FILENAME_ARRAY, &domains,
          "Guest domain XML, or a directory of *.xml (repeatable)", "PATH" },
        { "host", 'H', 0, G_OPTION_ARG_FILENAME_ARRAY, &hosts,
          "Host facts (tscgate probe, probe --publish or virsh capabilities output), or a "
          "directory of *.xml (repeatable)", "PATH" },
        { "connect", 'c', 0, G_OPTION_ARG_STRING_ARRAY, &uris,
          "libvirt URI: its running guests and its host join the plan (repeatable)", "URI" },
        { "timeout", 0, 0, G_OPTION_ARG_INT, &timeout,
          "Seconds to wait for the --connect hosts (default 30)", "SECONDS" },
        { "policy", 'p', 0, G_OPTION_ARG_FILENAME, &policy_path,
          "Policy XML (default: the built-in default rules)", "FILE" },
        { "drain", 0, 0, G_OPTION_ARG_STRING, &drain,
          "Only the guests on HOST: where each may go, and which may go nowhere", "HOST" },
        { "json", 'j', 0, G_OPTION_ARG_NONE, &json, "Print one JSON object", NULL },
        { "csv", 0, 0, G_OPTION_ARG_NONE, &csv, "Print one CSV row per pair", NULL },
        { "reasons", 0, 0, G_OPTION_ARG_NONE, &reasons,
          "Give every pair's one-line reason in JSON and CSV (slower)", NULL },
        { "no-pins", 0, 0, G_OPTION_ARG_NONE, &no_pins,
          "Do not suggest rates to pin", NULL },
        { NULL }
    };
    g_autoptr(GOptionContext) ctx =
        g_option_context_new("- decide every guest on every other host");
    g_autoptr(GError) err = NULL;
    g_autoptr(TgPlan) plan = tg_plan_new();
    g_autoptr(TgPolicy) policy = NULL;
    g_autoptr(GPtrArray) unreachable = g_ptr_array_new_with_free_func(g_free);
    TgPlanConnSet *set = NULL;
    TgPlanOut o = { 0 };
    static char obuf[1 << 16];
    bool nowhere = false;
    TgPlanFormat format;

    g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_set_description(ctx,
        "Every guest (--domain files, the running guests of every --connect host) is\n"
        "decided on every host but its own (--host facts, the --connect hosts) as the\n"
        "destination's hook would. A guest's own host is its --connect host, else the\n"
        "host its lineage record's newest hop names. Exit status 0 when every guest\n"
        "(with --drain: every guest on HOST) may go somewhere, 1 when one may not, 2 for\n"
        "bad input; see EXIT STATUS in tscgate(8).");
    if (!tg_cli_parse_options(TG_PLAN_CMD, ctx, &argc, &argv))
        return TG_EXIT_USAGE;
    if (argc > 1)
        return tg_cli_error(TG_PLAN_CMD, TG_EXIT_USAGE, "unexpected argument '%s'", argv[1]);
    if (json && csv)
        return tg_cli_error(TG_PLAN_CMD, TG_EXIT_USAGE, "give either --json or --csv");
    if (!hosts && !uris)
        return tg_cli_error(TG_PLAN_CMD, TG_EXIT_USAGE, "--host PATH or --connect URI is required");
    if (!domains && !uris)
        return tg_cli_error(TG_PLAN_CMD, TG_EXIT_USAGE, "--domain PATH or --connect URI is required");
    if (timeout <= 0 || timeout > 3600)
        return tg_cli_error(TG_PLAN_CMD, TG_EXIT_USAGE,
                            "--timeout %d is out of range (1 to 3600 seconds)", timeout);
    for (char **p = domains; p && *p; p++)
        if (strcmp(*p, "-") == 0)
            return tg_cli_error(TG_PLAN_CMD, TG_EXIT_USAGE, "--domain - (stdin) is not supported: "
                                "give files or directories");
    for (char **p = hosts; p && *p; p++)
        if (strcmp(*p, "-") == 0)
            return tg_cli_error(TG_PLAN_CMD, TG_EXIT_USAGE, "--host - (stdin) is not supported: "
                                "give files or directories");
#ifndef WITH_LIBVIRT
    if (uris)
        return tg_cli_error(TG_PLAN_CMD, TG_EXIT_USAGE,
                            "--connect needs libvirt, and this tscgate was built without it");
#endif
    if (policy_path && !(policy = tg_policy_load(policy_path, NULL, &err)))
        return tg_cli_error(TG_PLAN_CMD, TG_EXIT_USAGE, "%s", err->message);
    /* the connections run while the files are read */
    if (uris)
        set = tg_plan_connect(uris, (guint)timeout, true);
    if (!tg_plan_load_hosts(plan, hosts, &err) || !tg_plan_load_guests(plan, domains, &err) ||
        (set && !tg_plan_add_conns(plan, set, (guint)timeout, unreachable, &err))) {
        if (set)
            tg_plan_conn_set_unref(set);
        return tg_cli_error(TG_PLAN_CMD, TG_EXIT_USAGE, "%s", err->message);
    }
    if (set)
        tg_plan_conn_set_unref(set);
    for (guint i = 0; i < unreachable->len; i++) {
        g_autofree char *esc = tg_escape_untrusted(unreachable->pdata[i]);

        tg_cli_error(TG_PLAN_CMD, 0, "left out of the plan: %s", esc);
    }
    if (!plan->hosts->len)
        return tg_cli_error(TG_PLAN_CMD, TG_EXIT_USAGE, "no host facts to plan with");
    o.drain = G_MAXSIZE;
    if (drain && (o.drain = tg_plan_find_host(plan, drain)) == G_MAXSIZE) {
        g_autofree char *esc = tg_escape_untrusted(drain);

        return tg_cli_error(TG_PLAN_CMD, TG_EXIT_USAGE, "--drain %s: no such host in the plan",
                            esc);
    }

    tg_plan_run(plan, policy, !no_pins);

    format = json ? TG_PLAN_JSON : csv ? TG_PLAN_CSV : TG_PLAN_TEXT;
    o.plan = plan;
    o.policy_path = policy_path;
    o.reasons = reasons;
    o.unreachable = unreachable;
    o.out = stdout;
    o.colour = format == TG_PLAN_TEXT && isatty(STDOUT_FILENO) && !g_getenv("NO_COLOR");
    /* nothing was written to stdout yet: a large buffer for large plans */
    setvbuf(stdout, obuf, _IOFBF, sizeof(obuf));
    switch (format) {
    case TG_PLAN_JSON:
        tg_plan_print_json(&o);
        break;
    case TG_PLAN_CSV:
        tg_plan_print_csv(&o);
        break;
    case TG_PLAN_TEXT:
    default:
        tg_plan_print_text(&o);
        break;
    }
    if (fflush(stdout) != 0 || ferror(stdout))
        return tg_cli_error(TG_PLAN_CMD, TG_EXIT_USAGE, "cannot write the plan: %s",
                            g_strerror(errno));
    for (guint i = 0; i < plan->guests->len; i++) {
        const TgPlanGuest *g = g_ptr_array_index(plan->guests, i);

        if (tg_plan_guest_in_scope(&o, g) && !g->n_allowed)
            nowhere = true;
    }
    return nowhere ? TG_EXIT_DENY : TG_EXIT_ALLOW;
}
