/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: libvirt connections read concurrently, each on a thread of its
 * own and under a deadline (tg-cli-connect.h). */
#include <config.h>

#include <string.h>

#ifdef WITH_LIBVIRT
#include "tg-cli-libvirt.h"
#endif

#include "tg-cli-connect.h"

struct _TgPlanConnSet {
    GMutex lock;
    GCond cond;
    gint refs;        /* the main thread's and every worker's */
    gsize n_done;
    bool guests;      /* read the running guests too */
    GPtrArray *conns; /* TgPlanConn* */
};

void
tg_plan_conn_set_lock(TgPlanConnSet *s)
{
    g_mutex_lock(&s->lock);
}

void
tg_plan_conn_set_unlock(TgPlanConnSet *s)
{
    g_mutex_unlock(&s->lock);
}

GPtrArray *
tg_plan_conn_set_conns(TgPlanConnSet *s)
{
    return s->conns;
}

static void
tg_plan_conn_free(gpointer data)
{
    TgPlanConn *c = data;

    g_free(c->uri);
    g_free(c->error);
    g_free(c->hostname);
    g_free(c->caps);
    if (c->xmls)
        g_ptr_array_unref(c->xmls);
    if (c->names)
        g_ptr_array_unref(c->names);
    g_free(c);
}

void
tg_plan_conn_set_unref(TgPlanConnSet *s)
{
    if (!g_atomic_int_dec_and_test(&s->refs))
        return;
    g_ptr_array_unref(s->conns);
    g_mutex_clear(&s->lock);
    g_cond_clear(&s->cond);
    g_free(s);
}

#ifdef WITH_LIBVIRT
typedef struct {
    TgPlanConnSet *set;
    TgPlanConn *conn;
} TgPlanWork;

/* One connection, on its own thread: everything it reads is kept in local
 * variables and handed over under the lock, so a connection the main
 * thread gave up on changes nothing it reports. */
static gpointer
tg_plan_conn_thread(gpointer data)
{
    TgPlanWork *w = data;
    TgPlanConnSet *set = w->set;
    TgPlanConn *c = w->conn;
    virConnectPtr conn;
    virDomainPtr *doms = NULL;
    int n = 0;
    char *error = NULL, *hostname = NULL, *caps = NULL;
    GPtrArray *xmls = g_ptr_array_new_with_free_func(g_free);
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);

    g_free(w);
    if (!(conn = virConnectOpenReadOnly(c->uri))) {
        error = g_strdup_printf("cannot connect: %s", virGetLastErrorMessage());
        goto out;
    }
    if (!(caps = virConnectGetCapabilities(conn))) {
        error = g_strdup_printf("cannot read its capabilities: %s", virGetLastErrorMessage());
        goto out;
    }
    hostname = virConnectGetHostname(conn);
    if (!set->guests)
        goto out;
    if ((n = virConnectListAllDomains(conn, &doms, VIR_CONNECT_LIST_DOMAINS_ACTIVE)) < 0) {
        error = g_strdup_printf("cannot list its running guests: %s", virGetLastErrorMessage());
        n = 0;
        goto out;
    }
    for (int i = 0; i < n; i++) {
        /* the migratable form needs a read-write connection (libvirt
         * virDomainGetXMLDesc); the live XML carries the same <clock>,
         * <cpu> and <features>, as `preflight` reads it */
        char *xml = virDomainGetXMLDesc(doms[i], VIR_DOMAIN_XML_MIGRATABLE);
        const char *name = virDomainGetName(doms[i]);

        if (!xml)
            xml = virDomainGetXMLDesc(doms[i], 0);
        if (!xml) {
            error = g_strdup_printf("cannot read the XML of guest %s: %s", name ? name : "?",
                                    virGetLastErrorMessage());
            break;
        }
        g_ptr_array_add(xmls, g_strdup(xml));
        g_ptr_array_add(names, g_strdup(name ? name : "?"));
        free(xml);
    }
out:
    for (int i = 0; i < n; i++)
        virDomainFree(doms[i]);
    free(doms);
    if (conn)
        virConnectClose(conn);
    g_mutex_lock(&set->lock);
    c->error = error;
    c->hostname = hostname ? g_strdup(hostname) : NULL;
    c->caps = caps ? g_strdup(caps) : NULL;
    c->xmls = xmls;
    c->names = names;
    c->done = true;
    set->n_done++;
    g_cond_signal(&set->cond);
    g_mutex_unlock(&set->lock);
    free(hostname);
    free(caps);
    tg_plan_conn_set_unref(set);
    return NULL;
}
#endif

TgPlanConnSet *
tg_plan_connect(char **uris, guint timeout, bool guests)
{
    TgPlanConnSet *set = g_new0(TgPlanConnSet, 1);
    gint64 deadline = g_get_monotonic_time() + (gint64)timeout * G_TIME_SPAN_SECOND;
    gsize n = 0;

    g_mutex_init(&set->lock);
    g_cond_init(&set->cond);
    set->refs = 1;
    set->guests = guests;
    set->conns = g_ptr_array_new_with_free_func(tg_plan_conn_free);
    for (char **u = uris; u && *u; u++) {
        TgPlanConn *c = g_new0(TgPlanConn, 1);

        c->uri = g_strdup(*u);
        g_ptr_array_add(set->conns, c);
        n++;
    }
#ifdef WITH_LIBVIRT
    if (n) {
        virInitialize();
        tg_cli_libvirt_quiet();
    }
    for (guint i = 0; i < set->conns->len; i++) {
        TgPlanWork *w = g_new0(TgPlanWork, 1);
        g_autoptr(GError) err = NULL;
        GThread *t;

        w->set = set;
        w->conn = set->conns->pdata[i];
        g_atomic_int_inc(&set->refs);
        if (!(t = g_thread_try_new("tscgate-plan", tg_plan_conn_thread, w, &err))) {
            TgPlanConn *c = set->conns->pdata[i];

            g_mutex_lock(&set->lock);
            c->error = g_strdup_printf("cannot start a thread: %s", err->message);
            c->done = true;
            set->n_done++;
            g_mutex_unlock(&set->lock);
            g_free(w);
            tg_plan_conn_set_unref(set);   /* the main thread's reference remains */
            continue;
        }
        g_thread_unref(t);
    }
    g_mutex_lock(&set->lock);
    while (set->n_done < n)
        if (!g_cond_wait_until(&set->cond, &set->lock, deadline))
            break;
    g_mutex_unlock(&set->lock);
#else
    for (guint i = 0; i < set->conns->len; i++) {
        TgPlanConn *c = set->conns->pdata[i];

        c->error = g_strdup("this tscgate was built without libvirt");
        c->done = true;
    }
    (void)deadline;
#endif
    return set;
}
