/* tscgate: helpers every subcommand shares (tg-cli.h). */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>

#include "tg-cli.h"
#include "tg-evaluate.h"
#include "tg-report.h"

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
tg_cli_error(const char *command, int status, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    tg_cli_vprint_error(stderr, command, fmt, ap);
    va_end(ap);
    return status;
}

int
tg_cli_decide_and_report(const TgGuestProfile *guest, const TgHostFacts *source,
                         const TgHostFacts *dest, const TgPolicy *policy, bool json)
{
    g_autoptr(TgEvaluation) eval = tg_evaluate(guest, source, dest, policy);
    g_autofree char *report = json ? tg_report_json(guest, eval) : tg_report_text(guest, eval);

    fputs(report, stdout);
    return tg_report_exit_status(eval);
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
