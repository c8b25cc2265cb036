/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: helpers every subcommand shares (tg-cli.h). */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tg-cli.h"
#include "tg-evaluate.h"
#include "tg-file.h"
#include "tg-inventory.h"
#include "tg-report.h"

bool tg_cli_json_errors;

bool
tg_cli_argv_wants_json(int argc, char **argv)
{
    for (int i = 1; i < argc && argv[i]; i++) {
        if (strcmp(argv[i], "--") == 0)
            break;
        if (strcmp(argv[i], "--json") == 0 || strcmp(argv[i], "-j") == 0)
            return true;
    }
    return false;
}

char *
tg_cli_error_json(const char *command, int status, const char *message)
{
    g_autofree char *line = command ? g_strdup_printf("tscgate %s: %s", command, message)
                                    : g_strdup_printf("tscgate: %s", message);
    g_autofree char *j_error = tg_json_string(line);
    g_autofree char *j_command = tg_json_string(command);

    return g_strdup_printf("{\"error\":%s,\"command\":%s,\"status\":%d}\n", j_error, j_command,
                           status);
}

void
tg_cli_vprint_error(FILE *out, const char *command, const char *fmt, va_list ap)
{
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);

    if (command)
        fprintf(out, "tscgate %s: %s\n", command, msg);
    else
        fprintf(out, "tscgate: %s\n", msg);
}

int
tg_cli_verror(FILE *out, FILE *err, const char *command, int status, const char *fmt,
              va_list ap)
{
    if (tg_cli_json_errors) {
        va_list copy;
        g_autofree char *msg = NULL;
        g_autofree char *json = NULL;

        va_copy(copy, ap);
        msg = g_strdup_vprintf(fmt, copy);
        va_end(copy);
        json = tg_cli_error_json(command, status, msg);
        fputs(json, out);
        fflush(out);
    }
    tg_cli_vprint_error(err, command, fmt, ap);
    return status;
}

int
tg_cli_error(const char *command, int status, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    status = tg_cli_verror(stdout, stderr, command, status, fmt, ap);
    va_end(ap);
    return status;
}

int
tg_cli_decide_and_report_dest(const TgGuestProfile *guest, const TgHostFacts *source,
                              const TgHostFacts *dest, const TgPolicy *policy, bool json,
                              const TgReportDest *rd)
{
    g_autoptr(TgEvaluation) eval = tg_evaluate(guest, source, dest, policy);
    g_autofree char *report = json ? tg_report_json_dest(guest, eval, rd)
                                   : tg_report_text_dest(guest, eval, rd);

    fputs(report, stdout);
    return tg_report_exit_status(eval);
}

/* What the destination's published policy digest says about the policy
 * this report decides with. */
static char *
tg_cli_policy_note(const TgHostFacts *facts, const char *who, const char *policy_path,
                   const char *policy_digest, bool *known)
{
    const char *theirs = facts->policy_digest.note.known ? facts->policy_digest.value : NULL;
    const char *ours = policy_digest ? policy_digest : TG_POLICY_DIGEST_NONE;
    g_autofree char *ours_text = policy_path
        ? g_strdup_printf("%s (%s)", ours, tg_input_name(policy_path))
        : g_strdup("the default rules");
    g_autofree char *esc = NULL;

    *known = false;
    if (!theirs)
        return g_strdup_printf("cannot know what %s enforces: nothing was published (its "
                               "facts carry no policy digest); this report uses %s",
                               who, ours_text);
    if (strcmp(theirs, ours) == 0) {
        *known = true;
        if (!policy_digest)
            return g_strdup_printf("%s enforces the default rules (no policy.xml), as this "
                                   "report does", who);
        return g_strdup_printf("%s enforces the policy given (%s)", who, ours_text);
    }
    esc = tg_escape_untrusted(theirs);
    if (strcmp(theirs, TG_POLICY_DIGEST_NONE) == 0)
        return g_strdup_printf("cannot know what %s enforces: it published the default rules "
                               "(no policy.xml), this report uses %s; its hook may decide "
                               "otherwise", who, ours_text);
    return g_strdup_printf("cannot know what %s enforces: it published policy %s, this report "
                           "uses %s; its hook may decide otherwise", who, esc, ours_text);
}

void
tg_cli_dest_describe(TgCliDest *out, const TgHostFacts *facts, const char *name,
                     const char *from_path, const char *from_note, const char *policy_path,
                     const char *policy_digest)
{
    g_autofree char *who = NULL;
    g_autofree char *note = NULL;
    g_autofree char *mismatch = NULL;

    /* a file named for one host that describes another */
    if (name && facts->hostname.note.known && facts->hostname.value &&
        strcmp(name, facts->hostname.value) != 0) {
        g_autofree char *esc = tg_escape_untrusted(facts->hostname.value);

        mismatch = g_strdup_printf("its hostname fact says %s", esc);
    }
    if (from_note && mismatch)
        note = g_strdup_printf(" (%s; %s)", from_note, mismatch);
    else if (from_note || mismatch)
        note = g_strdup_printf(" (%s)", from_note ? from_note : mismatch);
    else
        note = g_strdup("");
    memset(out, 0, sizeof(*out));
    if (name)
        out->name = g_strdup(name);
    else if (facts->hostname.note.known && facts->hostname.value && *facts->hostname.value)
        out->name = g_strdup(facts->hostname.value);
    who = out->name ? tg_escape_untrusted(out->name) : g_strdup("the destination");
    if (facts->published_at.note.known && facts->published_at.value &&
        facts->tscgate_version.note.known && facts->tscgate_version.value)
        out->facts_from = g_strdup_printf("facts published in %s by tscgate %s at %s%s",
                                          from_path, facts->tscgate_version.value,
                                          facts->published_at.value, note);
    else
        out->facts_from = g_strdup_printf("facts from %s%s", from_path, note);
    out->facts_path = g_strdup(from_path);
    out->policy_note = tg_cli_policy_note(facts, who, policy_path, policy_digest,
                                          &out->report.policy_known);
    out->report.name = out->name;
    out->report.facts_from = out->facts_from;
    out->report.facts_path = out->facts_path;
    out->report.policy_note = out->policy_note;
    out->policy_digest = g_strdup(policy_digest ? policy_digest : TG_POLICY_DIGEST_NONE);
    out->report.policy_digest = out->policy_digest;
    out->report.facts = facts;
}

void
tg_cli_dest_clear(TgCliDest *d)
{
    g_clear_pointer(&d->name, g_free);
    g_clear_pointer(&d->facts_from, g_free);
    g_clear_pointer(&d->facts_path, g_free);
    g_clear_pointer(&d->policy_note, g_free);
    g_clear_pointer(&d->policy_digest, g_free);
    memset(&d->report, 0, sizeof(d->report));
}

bool
tg_cli_stdin_twice(const char *const *paths, gsize n)
{
    gsize users = 0;

    for (gsize i = 0; i < n; i++)
        users += g_strcmp0(paths[i], "-") == 0;
    return users > 1;
}

bool
tg_cli_host_name_ok(const char *name)
{
    if (!name || !*name || name[0] == '.' || strlen(name) > 255 || strchr(name, '/'))
        return false;
    for (const char *p = name; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            return false;
    return true;
}

char *
tg_cli_published_path(const char *dir, const char *host)
{
    g_autofree char *file = g_strconcat(host, ".xml", NULL);

    return g_build_filename(dir, file, NULL);
}

TgHostFacts *
tg_cli_load_published(const char *dir, const char *host, char **path, char **read_error,
                      GError **error)
{
    g_autofree char *buf = NULL;
    g_autoptr(GError) err = NULL;
    gsize len = 0;

    *path = tg_cli_published_path(dir, host);
    if (!tg_read_file(*path, &buf, &len, &err)) {
        g_autofree char *esc = tg_escape_untrusted(host);

        g_set_error(error, TG_ERROR, TG_ERROR_IO, "no facts published for %s in %s (%s)", esc,
                    dir, err->message);
        if (read_error)
            *read_error = g_strdup(err->message);
        return NULL;
    }
    return tg_host_facts_parse_xml(buf, len, *path, error);
}

bool
tg_cli_parse_options(const char *command, GOptionContext *ctx, int *argc, char ***argv)
{
    g_autoptr(GError) err = NULL;

    if (!g_option_context_parse(ctx, argc, argv, &err)) {
        tg_cli_error(command, TG_EXIT_USAGE, "%s", err->message);
        return false;
    }
    return true;
}

bool
tg_cli_write_output(const char *path, const char *text, GError **error)
{
    if (!path || g_strcmp0(path, "-") == 0) {
        fputs(text, stdout);
        return fflush(stdout) == 0;
    }
    return g_file_set_contents(path, text, -1, error);
}
