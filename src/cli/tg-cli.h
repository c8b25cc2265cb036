/* tscgate: subcommand entry points of the `tscgate` CLI. Each takes the
 * subcommand's argv (argv[0] = subcommand name) and returns a TgExitStatus. */
#ifndef TG_CLI_H
#define TG_CLI_H

#include "tg-policy.h"

G_BEGIN_DECLS

int tg_cli_probe_main(int argc, char **argv);
int tg_cli_check_main(int argc, char **argv);
#ifdef WITH_LIBVIRT
int tg_cli_preflight_main(int argc, char **argv);
#endif
/* Evaluate one migration (tg_evaluate), print the text or JSON report on
 * stdout and return the exit status (TG_EXIT_ALLOW or TG_EXIT_DENY).
 * `source` and `policy` may be NULL. */
int tg_cli_decide_and_report(const TgGuestProfile *guest, const TgHostFacts *source,
                             const TgHostFacts *dest, const TgPolicy *policy, bool json);
/* Parse a subcommand's options with `ctx`; on failure print the error
 * (tg_cli_usage_error) and return false. */
bool tg_cli_parse_options(GOptionContext *ctx, int *argc, char ***argv);
/* Write `text` to `path` (NULL or "-" = stdout). Returns false with `error`. */
bool tg_cli_write_output(const char *path, const char *text, GError **error);
/* Print "tscgate: MESSAGE" on stderr and return TG_EXIT_USAGE. */
int tg_cli_usage_error(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

G_END_DECLS

#endif /* TG_CLI_H */
