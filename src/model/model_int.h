/*
 * model_int.h - helpers the read model's files share (src/model only).
 */
#ifndef MIDWATCH_MODEL_INT_H
#define MIDWATCH_MODEL_INT_H

struct db_res;

/* A malloc'd copy of a column value, or NULL for SQL NULL. */
char *model_col_dup(const struct db_res *r, int row, int col);

#endif
