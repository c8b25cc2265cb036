/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: `tscgate policy validate|explain` (see tg-cli-policy.h and
 * doc/tscgate-policy.5). */
#include <config.h>

#include "tg-cli.h"
#include "tg-cli-policy.h"
#include "tg-evaluate.h"
#include "tg-fields.h"
#include "tg-policy.h"
#include "tg-report.h"
#include "tg-xml.h"
#include "tg-file.h"
#include "tg-inventory.h"

#include <stdarg.h>
#include <string.h>


static const char tg_policy_usage[] =
    "Usage: tscgate policy validate FILE [--json]\n"
    "       tscgate policy explain FILE --domain DOMAIN.xml [--dest FACTS.xml] [--source FACTS.xml] [--json]\n"
    "\n"
    "  validate  check a policy file's content; list every problem as FILE:LINE: message\n"
    "            (`tscgate config test` checks it as the hook loads it)\n"
    "  explain   show which rule selects a guest, why, the effective settings\n"
    "            and, with --dest, the verdict for a migration to that host\n"
    "\n"
    "Exit status: 0 valid / allowed, 1 invalid / denied, 2 usage error or\n"
    "unreadable input. See tscgate-policy(5).\n";

/* tg_cli_error() on the streams given: the JSON form on `out` under
 * --json, the line on `err`. Returns `status`. */
static int G_GNUC_PRINTF(5, 6)
tg_policy_error(FILE *out, FILE *err, const char *command, int status, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    status = tg_cli_verror(out, err, command, status, fmt, ap);
    va_end(ap);
    return status;
}

/* Parse options of one subcommand. Returns -1 when parsing succeeded and the
 * caller should continue, else the exit status to return. `args` is replaced
 * by the remaining arguments. */
static int
tg_parse_opts(const char *sub, const char *params, const char *summary,
              GOptionEntry *entries, char ***args, FILE *out, FILE *err)
{
    gboolean help = FALSE;
    g_autoptr(GOptionContext) ctx = NULL;
    g_autoptr(GError) e = NULL;
    g_autofree char *title = g_strdup_printf("%s - tscgate policy %s", params, sub);
    GOptionEntry help_entry[] = {
        { "help", 'h', 0, G_OPTION_ARG_NONE, &help, "Show this help", NULL },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };

    ctx = g_option_context_new(title);
    g_option_context_set_help_enabled(ctx, FALSE);
    g_option_context_set_summary(ctx, summary);
    g_option_context_set_description(ctx, "See tscgate-policy(5).");
    if (entries)
        g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_add_main_entries(ctx, help_entry, NULL);
    if (!g_option_context_parse_strv(ctx, args, &e)) {
        g_autofree char *cmd = g_strdup_printf("policy %s", sub);

        tg_policy_error(out, err, cmd, TG_EXIT_USAGE, "%s", e->message);
        fprintf(err, "Try 'tscgate policy %s --help'.\n", sub);
        return TG_EXIT_USAGE;
    }
    if (help) {
        g_autofree char *h = g_option_context_get_help(ctx, TRUE, NULL);
        fputs(h, out);
        return TG_EXIT_ALLOW;
    }
    return -1;
}

/* What `policy validate` does not check, said with every verdict. */
#define TG_VALIDATE_SCOPE \
    "content only (schema, tscgate's rules, the inventory it names); run 'tscgate config " \
    "test' to check the configuration as the hook loads it (owners and modes, hook.conf, " \
    "host.xml, runtime directory, log sinks)"

static int
tg_cmd_validate(char ***args, FILE *out, FILE *err)
{
    g_autoptr(GPtrArray) problems = NULL;
    g_autoptr(GError) e = NULL;
    g_autofree char *buf = NULL;
    gboolean json = FALSE;
    GOptionEntry entries[] = {
        { "json", 'j', 0, G_OPTION_ARG_NONE, &json, "Print one JSON object instead of text", NULL },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    gsize len = 0;
    const char *file;
    bool valid;
    int rc = tg_parse_opts("validate", "FILE",
                           "Check a policy file's content against the schema and tscgate's rules.\n"
                           "Prints \"FILE: valid\" (exit 0) or every problem, one per line "
                           "(exit 1).\nThis checks the content only: 'tscgate config test' checks "
                           "the configuration\nas the hook loads it.",
                           entries, args, out, err);

    if (rc >= 0)
        return rc;
    if (g_strv_length(*args) != 2) {
        if (json)
            return tg_policy_error(out, err, "policy validate", TG_EXIT_USAGE,
                                   "expected exactly one FILE");
        fprintf(err, "tscgate policy validate: expected exactly one FILE\n%s", tg_policy_usage);
        return TG_EXIT_USAGE;
    }
    file = (*args)[1];
    if (!tg_read_file(file, &buf, &len, &e))
        return tg_policy_error(out, err, "policy validate", TG_EXIT_USAGE, "%s", e->message);
    valid = tg_policy_validate_inventory(buf, len, file, &problems);
    if (json) {
        GString *s = g_string_new(NULL);
        g_autofree char *jf = tg_json_string(file);
        g_autofree char *jscope = tg_json_string(TG_VALIDATE_SCOPE);
        g_autofree char *digest = tg_host_facts_policy_digest(buf, len);
        g_autofree char *text = NULL;

        g_string_append_printf(s, "{\"file\":%s,\"valid\":%s,\"policy_digest\":\"%s\","
                               "\"checks\":%s,\"problems\":[", jf, valid ? "true" : "false",
                               digest, jscope);
        for (guint i = 0; i < problems->len; i++) {
            g_autofree char *esc = tg_escape(problems->pdata[i], TG_ESCAPE_CONTROLS);
            g_autofree char *jp = tg_json_string(esc);

            g_string_append_printf(s, "%s%s", i ? "," : "", jp);
        }
        g_string_append(s, "]}\n");
        text = g_string_free(s, FALSE);
        fputs(text, out);
        return valid ? TG_EXIT_ALLOW : TG_EXIT_DENY;
    }
    if (valid) {
        /* "valid" alone would read as "the hook takes it" */
        fprintf(out, "%s: valid\n", file);
        fprintf(out, "checked: " TG_VALIDATE_SCOPE "\n");
        return TG_EXIT_ALLOW;
    }
    for (guint i = 0; i < problems->len; i++) {
        /* Problems are one line with their values escaped already: only
         * make sure of the line, without doubling backslashes. */
        g_autofree char *esc = tg_escape(problems->pdata[i], TG_ESCAPE_CONTROLS);
        fprintf(err, "%s\n", esc);
    }
    return TG_EXIT_DENY;
}

/* The guest's tags, ", "-joined and escaped for a terminal (g_free). */
static char *
tg_explain_tags_text(const TgGuestProfile *g)
{
    GString *out = g_string_new(NULL);

    for (guint i = 0; g->tags && i < g->tags->len; i++) {
        g_autofree char *t = tg_escape_untrusted(g->tags->pdata[i]);

        g_string_append_printf(out, "%s%s", i ? ", " : "", t);
    }
    return g_string_free(out, FALSE);
}

/* The guest's tags as a JSON array (g_free). */
static char *
tg_explain_tags_json(const TgGuestProfile *g)
{
    GString *out = g_string_new("[");

    for (guint i = 0; g->tags && i < g->tags->len; i++) {
        g_autofree char *t = tg_json_string(g->tags->pdata[i]);

        g_string_append_printf(out, "%s%s", i ? "," : "", t);
    }
    g_string_append_c(out, ']');
    return g_string_free(out, FALSE);
}

/* Without --dest there is no decision: the fields the policy and the
 * guest give (tg-fields.h), every other one unknown. */
static void
tg_explain_undecided_fields(TgFields *f, const TgPolicy *policy, const TgGuestProfile *guest,
                            const TgSettings *settings, const char *rule, const char *why,
                            const char *digest)
{
    TgNominalOrigin origin = TG_NOMINAL_UNKNOWN;
    guint64 hz = tg_guest_nominal_hz(guest, &origin);

    tg_fields_set_u64(f, TG_F_GUEST_HZ, hz, hz != 0);
    tg_fields_set(f, TG_F_GUEST_HZ_ORIGIN, hz ? tg_nominal_origin_to_string(origin) : NULL);
    tg_fields_set_u64(f, TG_F_TOLERANCE_PPM, settings->tolerance_ppm, true);
    tg_fields_set(f, TG_F_GUEST, guest->name);
    tg_fields_set(f, TG_F_UUID, guest->uuid);
    tg_fields_set(f, TG_F_CLOCK_CLASS, tg_dependence_to_string(guest->dependence));
    tg_fields_set(f, TG_F_MODE, tg_mode_to_string(tg_policy_mode(policy)));
    tg_fields_set(f, TG_F_POLICY_RULE, rule);
    tg_fields_set(f, TG_F_POLICY_WHY, why);
    tg_fields_set(f, TG_F_POLICY_DIGEST, digest);
    tg_fields_set(f, TG_F_TSCGATE_VERSION, PACKAGE_VERSION);
}

/* `policy explain`: the policy, the settings it selects for the guest and
 * its tags, then the decision as `tscgate check` reports it (the same
 * fields, tg-fields.h, under the same names and labels); without a
 * destination only the fields the policy and the guest give. */
static int
tg_explain_report(FILE *out, bool json, const char *file, const char *digest,
                  const TgPolicy *policy, const TgGuestProfile *guest, const char *source_path,
                  const TgHostFacts *source_facts, const char *dest_path,
                  const TgHostFacts *dest_facts, const TgSettings *chosen, const char *rule,
                  const char *why, const char *settings)
{
    g_autoptr(TgEvaluation) eval = NULL;
    g_autofree char *text = NULL;
    g_autofree char *body = NULL;
    TgCliDest rd;

    if (dest_facts) {
        /* the same evaluation and report as `tscgate check`: source facts
         * from the lineage record when none are given, audit mode applied */
        eval = tg_evaluate(guest, source_facts, dest_facts, policy);
        tg_cli_dest_describe(&rd, dest_facts, NULL, dest_path, NULL, file, digest);
        rd.report.source_from = source_path;
        if (source_facts && source_facts->hostname.note.known)
            rd.report.source_name = source_facts->hostname.value;
        body = json ? tg_report_json_members_dest(guest, eval, &rd.report)
                    : tg_report_text_dest(guest, eval, &rd.report);
        tg_cli_dest_clear(&rd);
    } else {
        g_auto(TgFields) f = { 0 };

        tg_explain_undecided_fields(&f, policy, guest, chosen, rule, why, digest);
        if (json) {
            body = tg_fields_json_members(&f, NULL);
        } else {
            bool skip[TG_F_COUNT] = { false };
            GString *b = g_string_new("no verdict: give --dest FACTS.xml to decide a "
                                      "migration there\n");

            for (int i = 0; i < TG_F_COUNT; i++)
                skip[i] = f.v[i] == NULL;
            tg_fields_text_append(b, &f, skip);
            body = g_string_free(b, FALSE);
        }
    }
    if (json) {
        g_autofree char *jfile = tg_json_string(file);
        g_autofree char *jsettings = tg_json_string(settings);
        g_autofree char *tags = tg_explain_tags_json(guest);

        text = g_strdup_printf("{\"policy\":%s,\"fail_open\":%s,\"settings\":%s,"
                               "\"tags\":%s,%s}\n", jfile,
                               tg_policy_fail_open(policy) ? "true" : "false", jsettings, tags,
                               body);
    } else {
        g_autofree char *efile = tg_escape_untrusted(file);
        g_autofree char *tags = tg_explain_tags_text(guest);

        /* the settings name inventory hosts and carry the policy's <deny>
         * text: escaped like every other value on a terminal */
        g_autofree char *esettings = tg_escape_untrusted(settings);

        text = g_strdup_printf("policy: %s (mode %s, %s)\nsettings: %s\ntags: %s\n%s", efile,
                               tg_mode_to_string(tg_policy_mode(policy)),
                               tg_policy_fail_open(policy) ? "fail-open" : "fail-closed",
                               esettings, *tags ? tags : "(none)", body);
    }
    fputs(text, out);
    return eval ? tg_report_exit_status(eval) : TG_EXIT_ALLOW;
}

static int
tg_cmd_explain(char ***args, FILE *out, FILE *err)
{
    g_autofree char *domain = NULL;
    g_autofree char *dest = NULL;
    g_autofree char *source = NULL;
    g_autofree char *digest = NULL;
    gboolean json = FALSE;
    GOptionEntry entries[] = {
        { "json", 'j', 0, G_OPTION_ARG_NONE, &json,
          "Print one JSON object (the decision's fields, tscgate check's names)", NULL },
        { "domain", 0, 0, G_OPTION_ARG_FILENAME, &domain,
          "Guest domain XML (virsh dumpxml), - for stdin", "DOMAIN.xml" },
        { "dest", 0, 0, G_OPTION_ARG_FILENAME, &dest,
          "Destination host facts (tscgate probe or virsh capabilities)", "FACTS.xml" },
        { "source", 0, 0, G_OPTION_ARG_FILENAME, &source,
          "Source host facts", "FACTS.xml" },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    g_autoptr(GError) e = NULL;
    g_autoptr(TgPolicy) policy = NULL;
    g_autoptr(TgGuestProfile) guest = NULL;
    g_autoptr(TgHostFacts) dest_facts = NULL;
    g_autoptr(TgHostFacts) source_facts = NULL;
    g_autofree char *why = NULL;
    g_autofree char *desc = NULL;
    TgSettings settings;
    const char *file;
    const char *rule;
    int rc = tg_parse_opts("explain", "FILE --domain DOMAIN.xml [--dest FACTS.xml] "
                           "[--source FACTS.xml] [--json]",
                           "Show which rule of policy FILE selects a guest, why, the effective\n"
                           "settings and, with --dest, the verdict for a migration there.",
                           entries, args, out, err);

    if (rc >= 0)
        return rc;
    if (g_strv_length(*args) != 2 || !domain) {
        if (json)
            return tg_policy_error(out, err, "policy explain", TG_EXIT_USAGE,
                                   "expected one FILE and --domain");
        fprintf(err, "tscgate policy explain: expected one FILE and --domain\n%s",
                tg_policy_usage);
        return TG_EXIT_USAGE;
    }
    file = (*args)[1];
    if (tg_cli_stdin_twice((const char *[]){ file, domain, dest, source }, 4))
        return tg_policy_error(out, err, "policy explain", TG_EXIT_USAGE,
                               "only one input can be read from stdin ('-')");
    if (!(policy = tg_policy_load(file, &digest, &e)) ||
        !(guest = tg_guest_profile_load(domain, &e)) ||
        (dest && !(dest_facts = tg_host_facts_load(dest, &e))) ||
        (source && !(source_facts = tg_host_facts_load(source, &e)))) {
        g_autofree char *esc = tg_escape(e->message, TG_ESCAPE_CONTROLS);

        return tg_policy_error(out, err, "policy explain", TG_EXIT_USAGE, "%s", esc);
    }
    rule = tg_policy_apply(policy, guest, &settings, &why);
    desc = tg_settings_describe(&settings);
    return tg_explain_report(out, json, file, digest, policy, guest,
                             tg_input_name(source),
                             source_facts,
                             tg_input_name(dest),
                             dest_facts, &settings, rule, why, desc);
}

int
tg_cli_policy_run(int argc, char **argv, FILE *out, FILE *err)
{
    g_auto(GStrv) args = NULL;
    const char *sub;

    if (argc < 2 || !argv[1]) {
        fputs(tg_policy_usage, err);
        return TG_EXIT_USAGE;
    }
    sub = argv[1];
    if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0 || strcmp(sub, "help") == 0) {
        fputs(tg_policy_usage, out);
        return TG_EXIT_ALLOW;
    }
    /* args = argv without argv[0]: the subcommand becomes the program name. */
    args = g_new0(char *, (gsize)argc);
    for (int i = 1; i < argc; i++)
        args[i - 1] = g_strdup(argv[i]);

    if (strcmp(sub, "validate") == 0)
        return tg_cmd_validate(&args, out, err);
    if (strcmp(sub, "explain") == 0)
        return tg_cmd_explain(&args, out, err);
    {
        g_autofree char *esc = tg_escape_untrusted(sub);
        fprintf(err, "tscgate policy: unknown subcommand '%s'\n%s", esc, tg_policy_usage);
    }
    return TG_EXIT_USAGE;
}

int
tg_cli_policy_main(int argc, char **argv)
{
    return tg_cli_policy_run(argc, argv, stdout, stderr);
}
