/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: libvirt connections read concurrently, each under a deadline,
 * for `plan --connect` and `inventory collect` (tg-cli-connect.c). */
#ifndef TG_CLI_CONNECT_H
#define TG_CLI_CONNECT_H

#include <glib.h>
#include <stdbool.h>

G_BEGIN_DECLS

/* What one connection gave. Read only under tg_plan_conn_set_lock(): a
 * connection the caller stopped waiting for may still finish. */
typedef struct {
    char *uri;
    char *error;      /* why it failed ("cannot connect: ..."), or NULL */
    char *hostname;   /* the daemon's host name (virConnectGetHostname), or NULL */
    char *caps;       /* capabilities XML */
    GPtrArray *xmls;  /* char*: each running guest's XML (when asked for) */
    GPtrArray *names; /* char*: their names */
    bool done;        /* false: no answer before the deadline */
} TgPlanConn;

typedef struct _TgPlanConnSet TgPlanConnSet;

/* Open every URI read-only on a thread of its own and read its
 * capabilities, its host name and, when `guests`, its running guests'
 * XML (the migratable form, else the live one); wait at most `timeout`
 * seconds for all. Without libvirt every connection fails. Returns the set
 * (tg_plan_conn_set_unref). */
TgPlanConnSet *tg_plan_connect(char **uris, guint timeout, bool guests);
void tg_plan_conn_set_unref(TgPlanConnSet *s);
void tg_plan_conn_set_lock(TgPlanConnSet *s);
void tg_plan_conn_set_unlock(TgPlanConnSet *s);
/* The TgPlanConn* of the set, in URI order (borrowed; under the lock). */
GPtrArray *tg_plan_conn_set_conns(TgPlanConnSet *s);

G_END_DECLS

#endif /* TG_CLI_CONNECT_H */
