/*
 * model_int.h - helpers the read model's files share (src/model only): the
 * column helpers, the incident index children are attached through, and
 * the steps of a snapshot load (model.c runs them): each kind of row queues
 * its query on a batch (db.h) and is filled or attached from the result.
 */
#ifndef MIDWATCH_MODEL_INT_H
#define MIDWATCH_MODEL_INT_H

#include <stddef.h>

struct db_batch;
struct db_res;
struct mw_alert;
struct mw_incident;
struct mw_snapshot;

/* A malloc'd copy of a column value, or NULL for SQL NULL. */
char *model_col_dup(const struct db_res *r, int row, int col);
/* A boolean column ("t"/"f"); NULL is false. */
int model_col_bool(const struct db_res *r, int row, int col);

/* An incident id and its index in the snapshot, for attaching children;
 * sorted by id (model_idx_cmp). */
struct model_idx {
	long long id;
	size_t idx;
};
int model_idx_cmp(const void *a, const void *b);
/* The index of incident id in the snapshot, or -1. */
long model_idx_find(const struct model_idx *map, size_t n, long long id);

/* Frees the strings of one alert (not the struct itself). */
void model_alert_clear(struct mw_alert *a);
/* Frees an incident's timeline, series and report (model_detail.c). */
void model_detail_clear(struct mw_incident *inc);

/* ---- the steps of a snapshot (project: its id as text; ids: the
 * incidents' ids as an array literal; published: "true" for the lists'
 * completed runs' rows only, "false" for given ids) ---- */

/* model_incidents.c: the incident rows, selected by mode ("open", "all",
 * "ids": those of want, an array literal), the first most of them. */
int model_incidents_queue(struct db_batch *b, const char *project,
    const char *mode, const char *want, int most);
void model_incidents_fill(const struct db_res *r, struct mw_snapshot *s);
/* Hypotheses with their cited evidence. */
int model_hypotheses_queue(struct db_batch *b, const char *project,
    const char *ids, const char *published);
void model_hypotheses_attach(const struct db_res *r, struct mw_snapshot *s,
    const struct model_idx *map);
/* Recommendations (the unpublishable ones too with with_hidden). */
int model_recommendations_queue(struct db_batch *b, const char *project,
    const char *ids, int with_hidden, const char *published);
void model_recommendations_attach(const struct db_res *r,
    struct mw_snapshot *s, const struct model_idx *map);

/* model_incident_alerts.c: the snapshot's alerts and each incident's own
 * (and the newest others, at most newest of them). */
int model_snapshot_alerts_queue(struct db_batch *b, const char *project,
    const char *ids, int newest, const char *published);
void model_snapshot_alerts_attach(const struct db_res *r,
    struct mw_snapshot *s, const struct model_idx *map);

/* model_actions.c: the recommendations' action runs. */
int model_actions_queue(struct db_batch *b, const char *project,
    const char *ids);
void model_actions_attach(const struct db_res *r, struct mw_snapshot *s);

#endif
