/* tscgate: subcommand entry points of the `tscgate` CLI. Each takes the
 * subcommand's argv (argv[0] = subcommand name) and returns a TgExitStatus
 * (tg-common.h; the statuses are described in tscgate(8), EXIT STATUS). */
#ifndef TG_CLI_H
#define TG_CLI_H

#include <stdarg.h>
#include <stdio.h>

#include "tg-policy.h"

G_BEGIN_DECLS

int tg_cli_probe_main(int argc, char **argv);
int tg_cli_check_main(int argc, char **argv);
int tg_cli_lineage_main(int argc, char **argv);
#ifdef WITH_LIBVIRT
int tg_cli_preflight_main(int argc, char **argv);
int tg_cli_agent_main(int argc, char **argv);
#endif
/* Evaluate one migration (tg_evaluate), print the text or JSON report on
 * stdout and return the exit status (TG_EXIT_ALLOW or TG_EXIT_DENY).
 * `source` and `policy` may be NULL. */
int tg_cli_decide_and_report(const TgGuestProfile *guest, const TgHostFacts *source,
                             const TgHostFacts *dest, const TgPolicy *policy, bool json);
/* Parse subcommand `command`'s options with `ctx`; on failure print the
 * error (tg_cli_error) and return false. */
bool tg_cli_parse_options(const char *command, GOptionContext *ctx, int *argc, char ***argv);
/* Write `text` to `path` (NULL or "-" = stdout). Returns false with `error`. */
bool tg_cli_write_output(const char *path, const char *text, GError **error);
/* The CLI's one error printer: one line "tscgate COMMAND: MESSAGE" on
 * stderr ("tscgate: MESSAGE" when `command` is NULL, before a subcommand is
 * known). Returns `status` (a TgExitStatus), so a subcommand can end with
 * `return tg_cli_error(...)`. */
int tg_cli_error(const char *command, int status, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
/* The same line on `out` (for callers that write to a stream of their own). */
void tg_cli_vprint_error(FILE *out, const char *command, const char *fmt, va_list ap)
    G_GNUC_PRINTF(3, 0);

G_END_DECLS

#endif /* TG_CLI_H */
