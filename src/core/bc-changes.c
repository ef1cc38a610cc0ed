/* bc-changes.c: what changed in a report since the revision that was sent.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bc-changes"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "bc-changes.h"
#include "bc-i18n.h"
#include "bc-outbox.h"
#include "bc-wire.h"

void
bc_change_free (BcChange *change)
{
  if (change == NULL)
    return;
  g_free (change->key);
  g_free (change->table);
  g_free (change->column);
  g_free (change->old_value);
  g_free (change->new_value);
  g_clear_pointer (&change->row, json_object_unref);
  g_free (change->path);
  g_free (change);
}

/* --- comparing two contents ---------------------------------------------------- */

static JsonObject *
member_object (JsonNode   *content,
               const char *name)
{
  JsonObject *root;
  JsonNode *member;

  if (content == NULL || !JSON_NODE_HOLDS_OBJECT (content))
    return NULL;
  root = json_node_get_object (content);
  member = json_object_get_member (root, name);
  return member != NULL && JSON_NODE_HOLDS_OBJECT (member) ? json_node_get_object (member) : NULL;
}

/* A member's text, NULL when missing, not a string, or empty (blank). */
static const char *
object_text (JsonObject *object,
             const char *name)
{
  JsonNode *member = object != NULL ? json_object_get_member (object, name) : NULL;
  const char *text;

  if (member == NULL || !JSON_NODE_HOLDS_VALUE (member)
      || json_node_get_value_type (member) != G_TYPE_STRING)
    return NULL;
  text = json_node_get_string (member);
  return text != NULL && *text != '\0' ? text : NULL;
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* The ids in `template_`'s form order (fields, or a table's columns) for
 * which `wanted` is TRUE, then every other member name of `a` and `b`, by
 * name. */
static GPtrArray *
ordered_names (GPtrArray  *fields,
               JsonObject *a,
               JsonObject *b,
               const char *skip)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) extra = g_ptr_array_new ();
  GPtrArray *names = g_ptr_array_new ();
  JsonObject *objects[] = { a, b };

  if (skip != NULL)
    g_hash_table_add (seen, (gpointer) skip);

  for (guint i = 0; fields != NULL && i < fields->len; i++)
    {
      const BcField *field = g_ptr_array_index (fields, i);

      if (field->type == BC_FIELD_TABLE || g_hash_table_contains (seen, field->id))
        continue;
      g_hash_table_add (seen, field->id);
      g_ptr_array_add (names, field->id);
    }

  for (guint o = 0; o < G_N_ELEMENTS (objects); o++)
    {
      g_autoptr(GList) members = objects[o] != NULL ? json_object_get_members (objects[o]) : NULL;

      for (GList *l = members; l != NULL; l = l->next)
        if (!g_hash_table_contains (seen, l->data))
          {
            g_hash_table_add (seen, l->data);
            g_ptr_array_add (extra, l->data);
          }
    }
  g_ptr_array_sort (extra, compare_strings);
  for (guint i = 0; i < extra->len; i++)
    g_ptr_array_add (names, g_ptr_array_index (extra, i));

  return names;
}

static BcChange *
value_change (const char *key,
              const char *old_value,
              const char *new_value)
{
  BcChange *change = g_new0 (BcChange, 1);

  change->kind = BC_CHANGE_VALUE;
  change->key = g_strdup (key);
  change->old_value = g_strdup (old_value);
  change->new_value = g_strdup (new_value);
  change->path = g_strdup (key);
  return change;
}

/* A row's identity: its row_id, or (rows without one) its position + 1,
 * made negative so that the two never meet. */
static gint64
row_identity (JsonObject *row,
              guint       index)
{
  JsonNode *id = json_object_get_member (row, "row_id");

  if (id != NULL && JSON_NODE_HOLDS_VALUE (id) && json_node_get_value_type (id) == G_TYPE_INT64)
    return json_node_get_int (id);
  return -(gint64) (index + 1);
}

typedef struct {
  JsonObject *row;
  guint       index;
} RowAt;

static GHashTable *
index_rows (JsonArray *rows)
{
  GHashTable *by_id = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);

  for (guint i = 0; rows != NULL && i < json_array_get_length (rows); i++)
    {
      JsonNode *node = json_array_get_element (rows, i);
      RowAt *at;
      gint64 *id;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      at = g_new (RowAt, 1);
      at->row = json_node_get_object (node);
      at->index = i;
      id = g_new (gint64, 1);
      *id = row_identity (at->row, i);
      g_hash_table_replace (by_id, id, at);
    }
  return by_id;
}

static JsonArray *
member_array (JsonObject *object,
              const char *name)
{
  JsonNode *member = object != NULL ? json_object_get_member (object, name) : NULL;

  return member != NULL && JSON_NODE_HOLDS_ARRAY (member) ? json_node_get_array (member) : NULL;
}

static BcChange *
row_change (BcChangeKind   kind,
            const BcField *table_field,
            const char    *table,
            gint64         identity,
            guint          old_row,
            guint          new_row,
            JsonObject    *row)
{
  const BcField *first = table_field != NULL && table_field->columns->len > 0
    ? g_ptr_array_index (table_field->columns, 0) : NULL;

  BcChange *change = g_new0 (BcChange, 1);

  change->kind = kind;
  change->key = g_strdup (table);
  change->table = g_strdup (table);
  change->row_id = identity > 0 ? identity : -identity;
  change->old_row = old_row;
  change->new_row = new_row;
  change->row = json_object_ref (row);
  /* An added row: its first cell, where the form can take the focus. */
  if (new_row > 0 && first != NULL)
    change->path = g_strdup_printf ("%s[%u].%s", table, new_row, first->id);
  else if (new_row > 0)
    change->path = g_strdup_printf ("%s[%u]", table, new_row);
  else
    change->path = g_strdup (table);
  return change;
}

static void
compare_table (GPtrArray     *changes,
               const BcField *table_field,
               const char    *table,
               JsonArray     *sent_rows,
               JsonArray     *now_rows)
{
  g_autoptr(GHashTable) sent_by_id = index_rows (sent_rows);
  g_autoptr(GHashTable) matched = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  guint n_now = now_rows != NULL ? json_array_get_length (now_rows) : 0;
  guint n_sent = sent_rows != NULL ? json_array_get_length (sent_rows) : 0;

  for (guint i = 0; i < n_now; i++)
    {
      JsonNode *node = json_array_get_element (now_rows, i);
      JsonObject *row;
      gint64 identity;
      RowAt *was;
      g_autoptr(GPtrArray) columns = NULL;
      gint64 *key;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      row = json_node_get_object (node);
      identity = row_identity (row, i);
      was = g_hash_table_lookup (sent_by_id, &identity);
      if (was == NULL)
        {
          g_ptr_array_add (changes, row_change (BC_CHANGE_ROW_ADDED, table_field, table, identity, 0, i + 1, row));
          continue;
        }
      key = g_new (gint64, 1);
      *key = identity;
      g_hash_table_add (matched, key);

      columns = ordered_names (table_field != NULL ? table_field->columns : NULL, was->row, row, "row_id");
      for (guint c = 0; c < columns->len; c++)
        {
          const char *column = g_ptr_array_index (columns, c);
          const char *old_value = object_text (was->row, column);
          const char *new_value = object_text (row, column);
          BcChange *change;

          if (g_strcmp0 (old_value, new_value) == 0)
            continue;
          change = value_change (NULL, old_value, new_value);
          change->key = g_strconcat (table, ".", column, NULL);
          change->table = g_strdup (table);
          change->column = g_strdup (column);
          change->row_id = identity > 0 ? identity : -identity;
          change->old_row = was->index + 1;
          change->new_row = i + 1;
          g_free (change->path);
          change->path = g_strdup_printf ("%s[%u].%s", table, i + 1, column);
          g_ptr_array_add (changes, change);
        }
    }

  for (guint i = 0; i < n_sent; i++)
    {
      JsonNode *node = json_array_get_element (sent_rows, i);
      gint64 identity;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      identity = row_identity (json_node_get_object (node), i);
      if (!g_hash_table_contains (matched, &identity))
        g_ptr_array_add (changes, row_change (BC_CHANGE_ROW_REMOVED, table_field, table, identity, i + 1, 0,
                                              json_node_get_object (node)));
    }
}

static void
compare_value (GPtrArray  *changes,
               const char *name,
               JsonObject *sent_values,
               JsonObject *now_values)
{
  const char *old_value = object_text (sent_values, name);
  const char *new_value = object_text (now_values, name);

  if (g_strcmp0 (old_value, new_value) != 0)
    g_ptr_array_add (changes, value_change (name, old_value, new_value));
}

/* The member names of `a` and `b` that are not in `seen`, by name. */
static GPtrArray *
other_names (GHashTable *seen,
             JsonObject *a,
             JsonObject *b)
{
  GPtrArray *names = g_ptr_array_new ();
  JsonObject *objects[] = { a, b };

  for (guint o = 0; o < G_N_ELEMENTS (objects); o++)
    {
      g_autoptr(GList) members = objects[o] != NULL ? json_object_get_members (objects[o]) : NULL;

      for (GList *l = members; l != NULL; l = l->next)
        if (!g_hash_table_contains (seen, l->data))
          {
            g_hash_table_add (seen, l->data);
            g_ptr_array_add (names, l->data);
          }
    }
  g_ptr_array_sort (names, compare_strings);
  return names;
}

GPtrArray *
bc_changes_compare (BcTemplate *template_,
                    JsonNode   *sent,
                    JsonNode   *now)
{
  GPtrArray *changes = g_ptr_array_new_with_free_func ((GDestroyNotify) bc_change_free);
  GPtrArray *fields = template_ != NULL ? bc_template_get_fields (template_) : NULL;
  JsonObject *sent_values = member_object (sent, "values");
  JsonObject *now_values = member_object (now, "values");
  JsonObject *sent_tables = member_object (sent, "tables");
  JsonObject *now_tables = member_object (now, "tables");
  g_autoptr(GHashTable) seen_values = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) seen_tables = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) other_values = NULL;
  g_autoptr(GPtrArray) other_tables = NULL;

  g_return_val_if_fail (template_ == NULL || BC_IS_TEMPLATE (template_), changes);

  /* The form's fields and tables in its order, as the officer reads it. */
  for (guint i = 0; fields != NULL && i < fields->len; i++)
    {
      const BcField *field = g_ptr_array_index (fields, i);

      if (field->type == BC_FIELD_TABLE)
        {
          if (!g_hash_table_insert (seen_tables, field->id, NULL))
            continue;
          compare_table (changes, field, field->id, member_array (sent_tables, field->id),
                         member_array (now_tables, field->id));
        }
      else if (g_hash_table_insert (seen_values, field->id, NULL))
        compare_value (changes, field->id, sent_values, now_values);
    }

  /* Then what the form does not have (another version's keys), by key. */
  other_values = other_names (seen_values, sent_values, now_values);
  for (guint i = 0; i < other_values->len; i++)
    compare_value (changes, g_ptr_array_index (other_values, i), sent_values, now_values);
  other_tables = other_names (seen_tables, sent_tables, now_tables);
  for (guint i = 0; i < other_tables->len; i++)
    {
      const char *table = g_ptr_array_index (other_tables, i);

      compare_table (changes, NULL, table, member_array (sent_tables, table), member_array (now_tables, table));
    }

  return changes;
}

/* --- justifications ------------------------------------------------------------ */

/* The justifications of `content` by rule and row: "row_identity\x1frule"
 * → text, from its "justifications" member, whose per-row names give the
 * row's position ("rule@2"). Positions become the rows' identities, so
 * that a justification whose row moved has not changed. */
static GHashTable *
index_justifications (BcTemplate *template_,
                      JsonNode   *content)
{
  GHashTable *out = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  JsonObject *justifications = member_object (content, "justifications");
  JsonObject *tables = member_object (content, "tables");
  g_autoptr(GList) names = justifications != NULL ? json_object_get_members (justifications) : NULL;

  for (GList *l = names; l != NULL; l = l->next)
    {
      const char *name = l->data;
      const char *text = object_text (justifications, name);
      const char *at = strrchr (name, '@');
      g_autofree char *rule_id = at != NULL ? g_strndup (name, at - name) : g_strdup (name);
      gint64 identity = 0;

      if (text == NULL)
        continue;
      if (at != NULL)
        {
          const BcRule *rule = template_ != NULL ? bc_template_lookup_rule (template_, rule_id) : NULL;
          JsonArray *rows = rule != NULL && rule->table != NULL ? member_array (tables, rule->table) : NULL;
          guint64 position = g_ascii_strtoull (at + 1, NULL, 10);
          JsonNode *row;

          if (rows == NULL || position == 0 || position > json_array_get_length (rows))
            continue;
          row = json_array_get_element (rows, (guint) position - 1);
          if (!JSON_NODE_HOLDS_OBJECT (row))
            continue;
          identity = row_identity (json_node_get_object (row), (guint) position - 1);
        }
      g_hash_table_replace (out, g_strdup_printf ("%" G_GINT64_FORMAT "\x1f%s", identity, rule_id),
                            g_strdup (text));
    }
  return out;
}

/* Where the row `identity` is in `content`'s `table`, from 1; 0: not there. */
static guint
row_position (JsonNode   *content,
              const char *table,
              gint64      identity)
{
  JsonArray *rows = member_array (member_object (content, "tables"), table);

  for (guint i = 0; rows != NULL && i < json_array_get_length (rows); i++)
    {
      JsonNode *row = json_array_get_element (rows, i);

      if (JSON_NODE_HOLDS_OBJECT (row) && row_identity (json_node_get_object (row), i) == identity)
        return i + 1;
    }
  return 0;
}

/* The justifications written, changed or removed from `sent` to `now`, in
 * the form's order of rules and, for a per-row rule, of the rows now (then
 * those of rows no longer there). A justification of a row added or
 * removed goes with that row and is not listed apart. */
static void
compare_justifications (GPtrArray  *changes,
                        BcTemplate *template_,
                        JsonNode   *sent,
                        JsonNode   *now)
{
  g_autoptr(GHashTable) then_texts = index_justifications (template_, sent);
  g_autoptr(GHashTable) now_texts = index_justifications (template_, now);
  GPtrArray *rules = bc_template_get_rules (template_);

  for (guint r = 0; r < rules->len; r++)
    {
      const BcRule *rule = g_ptr_array_index (rules, r);
      JsonArray *rows = rule->table != NULL ? member_array (member_object (now, "tables"), rule->table) : NULL;
      guint n = rule->table != NULL ? (rows != NULL ? json_array_get_length (rows) : 0) : 1;

      if (rule->severity != BC_SEVERITY_WARNING)
        continue;
      for (guint i = 0; i < n; i++)
        {
          JsonNode *row = rows != NULL ? json_array_get_element (rows, i) : NULL;
          gint64 identity = row != NULL && JSON_NODE_HOLDS_OBJECT (row)
            ? row_identity (json_node_get_object (row), i) : 0;
          g_autofree char *k = g_strdup_printf ("%" G_GINT64_FORMAT "\x1f%s", identity, rule->id);
          const char *old_text = g_hash_table_lookup (then_texts, k);
          const char *new_text = g_hash_table_lookup (now_texts, k);
          guint old_row = rule->table != NULL ? row_position (sent, rule->table, identity) : 0;
          BcChange *change;

          if (g_strcmp0 (old_text, new_text) == 0 || (rule->table != NULL && old_row == 0))
            continue;

          change = g_new0 (BcChange, 1);
          change->kind = BC_CHANGE_JUSTIFICATION;
          change->key = g_strdup (rule->id);
          change->table = g_strdup (rule->table);
          change->row_id = identity > 0 ? identity : -identity;
          change->old_row = old_row;
          change->new_row = rule->table != NULL ? i + 1 : 0;
          change->old_value = g_strdup (old_text);
          change->new_value = g_strdup (new_text);
          /* Where the form shows the warning and its justification. */
          if (rule->fields != NULL && rule->fields[0] != NULL)
            change->path = rule->table != NULL
              ? g_strdup_printf ("%s[%u].%s", rule->table, i + 1, rule->fields[0])
              : g_strdup (rule->fields[0]);
          else
            change->path = rule->table != NULL ? g_strdup_printf ("%s[%u]", rule->table, i + 1) : g_strdup (rule->id);
          g_ptr_array_add (changes, change);
        }
    }
}

/* --- the content at a revision ------------------------------------------------- */

typedef struct {
  GHashTable *values;  /* "row_id\x1fkey" → value */
  GHashTable *rows;    /* table → GArray of gint64 row ids, in order */
  GHashTable *justifications;  /* "row_id\x1frule_id" → text */
} Snapshot;

static char *
value_key (const char *key,
           gint64      row_id)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT "\x1f%s", row_id, key);
}

static void
copy_value_cb (const char *key,
               gint64      row_id,
               const char *value,
               gpointer    user_data)
{
  Snapshot *snapshot = user_data;

  g_hash_table_replace (snapshot->values, value_key (key, row_id), g_strdup (value));
}

static GArray *
snapshot_rows (Snapshot   *snapshot,
               const char *table)
{
  GArray *rows = g_hash_table_lookup (snapshot->rows, table);

  if (rows == NULL)
    {
      rows = g_array_new (FALSE, FALSE, sizeof (gint64));
      g_hash_table_insert (snapshot->rows, g_strdup (table), rows);
    }
  return rows;
}

static int
find_row (GArray *rows,
          gint64  row_id)
{
  for (guint i = 0; i < rows->len; i++)
    if (g_array_index (rows, gint64, i) == row_id)
      return (int) i;
  return -1;
}

static void
undo_row_edit (Snapshot     *snapshot,
               const BcEdit *edit)
{
  GArray *rows = snapshot_rows (snapshot, edit->key);
  int at = find_row (rows, edit->row_id);

  if (g_strcmp0 (edit->new_value, "added") == 0)
    {
      if (at >= 0)
        g_array_remove_index (rows, (guint) at);
    }
  else if (g_strcmp0 (edit->new_value, "removed") == 0)
    {
      guint place = 0;

      if (at >= 0)
        return;
      /* Where it was is not recorded: rows are added at the end with
       * increasing ids, so among unmoved rows its id gives its place. */
      while (place < rows->len && g_array_index (rows, gint64, place) < edit->row_id)
        place++;
      g_array_insert_val (rows, place, edit->row_id);
    }
  else if (edit->old_value != NULL && edit->new_value != NULL && at >= 0)
    {
      /* A move from old position to new: back again. */
      gint64 from = g_ascii_strtoll (edit->old_value, NULL, 10);
      gint64 row_id = edit->row_id;

      g_array_remove_index (rows, (guint) at);
      from = CLAMP (from, 0, (gint64) rows->len);
      g_array_insert_val (rows, (guint) from, row_id);
    }
}

JsonNode *
bc_changes_content_at (BcTemplate *template_,
                       BcReport   *report,
                       GPtrArray  *history,
                       gint64      revision)
{
  g_autoptr(BcReport) then = NULL;
  Snapshot snapshot;
  GPtrArray *fields;
  GPtrArray *rules;
  GHashTableIter iter;
  gpointer key, value;

  g_return_val_if_fail (BC_IS_TEMPLATE (template_), NULL);
  g_return_val_if_fail (BC_IS_REPORT (report), NULL);

  snapshot.values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  snapshot.rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_array_unref);

  bc_report_foreach_value (report, copy_value_cb, &snapshot);
  fields = bc_template_get_fields (template_);
  for (guint i = 0; i < fields->len; i++)
    {
      const BcField *field = g_ptr_array_index (fields, i);
      GArray *rows;

      if (field->type != BC_FIELD_TABLE)
        continue;
      rows = snapshot_rows (&snapshot, field->id);
      for (guint r = 0; r < bc_report_get_n_rows (report, field->id); r++)
        {
          gint64 row_id = bc_report_get_row_id (report, field->id, r);

          g_array_append_val (rows, row_id);
        }
    }

  snapshot.justifications = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  rules = bc_template_get_rules (template_);
  for (guint r = 0; r < rules->len; r++)
    {
      const BcRule *rule = g_ptr_array_index (rules, r);
      guint n_rows = rule->table != NULL ? bc_report_get_n_rows (report, rule->table) : 1;

      for (guint row = 0; row < n_rows; row++)
        {
          gint64 row_id = rule->table != NULL ? bc_report_get_row_id (report, rule->table, row) : 0;
          const char *text = bc_report_get_justification (report, rule->id, row_id);

          if (text != NULL)
            g_hash_table_replace (snapshot.justifications, value_key (rule->id, row_id), g_strdup (text));
        }
    }

  for (guint i = history != NULL ? history->len : 0; i > 0; i--)
    {
      const BcEdit *edit = g_ptr_array_index (history, i - 1);
      const char *rule_id = bc_edit_get_justification_rule (edit);

      if (edit->revision <= revision)
        continue;
      if (rule_id != NULL)
        {
          if (edit->old_value != NULL)
            g_hash_table_replace (snapshot.justifications, value_key (rule_id, edit->row_id),
                                  g_strdup (edit->old_value));
          else
            {
              g_autofree char *k = value_key (rule_id, edit->row_id);

              g_hash_table_remove (snapshot.justifications, k);
            }
        }
      else if (edit->row_id != 0 && strchr (edit->key, '.') == NULL)
        undo_row_edit (&snapshot, edit);
      else if (edit->old_value != NULL)
        g_hash_table_replace (snapshot.values, value_key (edit->key, edit->row_id),
                              g_strdup (edit->old_value));
      else
        {
          g_autofree char *k = value_key (edit->key, edit->row_id);

          g_hash_table_remove (snapshot.values, k);
        }
    }

  then = bc_report_new (bc_report_get_id (report), bc_report_get_template_id (report),
                        bc_report_get_template_version (report), bc_report_get_period_id (report),
                        bc_report_get_unit (report));
  bc_report_set_revision (then, revision);

  g_hash_table_iter_init (&iter, snapshot.rows);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      GArray *rows = value;

      for (guint r = 0; r < rows->len; r++)
        bc_report_append_row (then, key, g_array_index (rows, gint64, r));
    }
  g_hash_table_iter_init (&iter, snapshot.values);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const char *sep = strchr (key, '\x1f');
      gint64 row_id = g_ascii_strtoll (key, NULL, 10);

      bc_report_set_value (then, sep + 1, row_id, value);
    }

  g_hash_table_iter_init (&iter, snapshot.justifications);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const char *sep = strchr (key, '\x1f');
      gint64 row_id = g_ascii_strtoll (key, NULL, 10);

      bc_report_set_justification (then, sep + 1, row_id, value);
    }

  g_hash_table_unref (snapshot.values);
  g_hash_table_unref (snapshot.rows);
  g_hash_table_unref (snapshot.justifications);

  return bc_wire_report_content (template_, then);
}

GPtrArray *
bc_changes_since_sent (BcWorkbook  *workbook,
                       const char  *report_id,
                       gint64      *sent_revision,
                       GError     **error)
{
  g_autoptr(BcReport) report = NULL;
  g_autoptr(BcSyncState) state = NULL;
  g_autoptr(GPtrArray) history = NULL;
  g_autoptr(JsonNode) then = NULL;
  g_autoptr(JsonNode) now = NULL;
  GPtrArray *changes;
  BcTemplate *template_;
  GError *local_error = NULL;

  g_return_val_if_fail (BC_IS_WORKBOOK (workbook), NULL);
  g_return_val_if_fail (report_id != NULL, NULL);

  if (sent_revision != NULL)
    *sent_revision = 0;

  report = bc_workbook_load_report (workbook, report_id, error);
  if (report == NULL)
    return NULL;
  state = bc_outbox_get_state (workbook, bc_report_get_id (report), &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return NULL;
    }
  if (state == NULL || state->acked_revision <= 0)
    return g_ptr_array_new_with_free_func ((GDestroyNotify) bc_change_free);
  if (sent_revision != NULL)
    *sent_revision = state->acked_revision;
  if (bc_report_get_revision (report) <= state->acked_revision)
    return g_ptr_array_new_with_free_func ((GDestroyNotify) bc_change_free);

  template_ = bc_workbook_get_templates (workbook) != NULL
    ? bc_template_registry_lookup (bc_workbook_get_templates (workbook), bc_report_get_template_id (report),
                                   bc_report_get_template_version (report), error)
    : NULL;
  if (template_ == NULL)
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_TEMPLATE,
                     _("The form of this report is not installed."));
      return NULL;
    }

  history = bc_workbook_get_history (workbook, bc_report_get_id (report), error);
  if (history == NULL)
    return NULL;

  then = bc_changes_content_at (template_, report, history, state->acked_revision);
  now = bc_wire_report_content (template_, report);
  changes = bc_changes_compare (template_, then, now);
  compare_justifications (changes, template_, then, now);
  return changes;
}

/* --- for people ------------------------------------------------------------------ */

char *
bc_change_dup_label (const BcChange *change,
                     BcTemplate     *template_,
                     const char     *lang)
{
  const BcField *field = NULL;
  const BcField *table = NULL;
  GString *label = g_string_new (NULL);
  guint row;

  g_return_val_if_fail (change != NULL, NULL);

  if (lang == NULL)
    lang = bc_i18n_language ();

  if (template_ != NULL)
    {
      if (change->table != NULL)
        {
          table = bc_template_lookup_field (template_, change->table);
          if (table != NULL && table->type != BC_FIELD_TABLE)
            table = NULL;
        }
      if (change->kind == BC_CHANGE_VALUE)
        field = bc_template_lookup_field (template_, change->key);
      else if (change->kind == BC_CHANGE_JUSTIFICATION)
        {
          const BcRule *rule = bc_template_lookup_rule (template_, change->key);

          if (rule != NULL && rule->fields != NULL && rule->fields[0] != NULL)
            {
              g_autofree char *key = rule->table != NULL
                ? g_strconcat (rule->table, ".", rule->fields[0], NULL)
                : g_strdup (rule->fields[0]);

              field = bc_template_lookup_field (template_, key);
            }
        }
    }

  if (table != NULL || field != NULL)
    {
      const BcSection *section = table != NULL ? table->section : field->section;

      if (section != NULL && *bc_text_get (&section->title, lang) != '\0')
        g_string_append_printf (label, "%s › ", bc_text_get (&section->title, lang));
    }

  if (change->table != NULL)
    {
      g_string_append (label, table != NULL ? bc_text_get (&table->label, lang) : change->table);
      row = change->new_row > 0 ? change->new_row : change->old_row;
      g_string_append (label, " › ");
      /* Like the template's own texts (and bc_field_format_value()'s "Có"),
       * in the language asked for, not the message catalogue's. */
      g_string_append_printf (label, g_str_equal (lang, "en") ? "Row %u" : "Dòng %u", row);
      if (change->kind == BC_CHANGE_VALUE)
        g_string_append_printf (label, " › %s",
                                field != NULL ? bc_text_get (&field->label, lang) : change->column);
      else if (change->kind == BC_CHANGE_JUSTIFICATION && field != NULL)
        g_string_append_printf (label, " › %s", bc_text_get (&field->label, lang));
    }
  else if (change->kind != BC_CHANGE_JUSTIFICATION || field != NULL)
    g_string_append (label, field != NULL ? bc_text_get (&field->label, lang) : change->key);

  /* A warning's justification: under the field it is shown beside. */
  if (change->kind == BC_CHANGE_JUSTIFICATION)
    {
      if (label->len > 0)
        g_string_append (label, " › ");
      g_string_append (label, g_str_equal (lang, "en") ? "Justification" : "Giải trình");
    }

  return g_string_free (label, FALSE);
}

static char *
format_value (const BcField *field,
              const char    *value,
              const char    *lang)
{
  if (value == NULL)
    return g_strdup ("—");
  if (field == NULL)
    return g_strdup (value);
  return bc_field_format_value (field, value, lang);
}

static char *
row_summary (const BcChange *change,
             BcTemplate     *template_,
             const char     *lang)
{
  const BcField *table = template_ != NULL ? bc_template_lookup_field (template_, change->table) : NULL;
  g_autoptr(GPtrArray) columns = NULL;
  GString *out = g_string_new (NULL);

  if (table != NULL && table->type != BC_FIELD_TABLE)
    table = NULL;
  columns = ordered_names (table != NULL ? table->columns : NULL, change->row, NULL, "row_id");
  for (guint c = 0; c < columns->len; c++)
    {
      const char *column = g_ptr_array_index (columns, c);
      const char *value = object_text (change->row, column);
      g_autofree char *key = NULL;
      g_autofree char *text = NULL;

      if (value == NULL)
        continue;
      key = g_strconcat (change->table, ".", column, NULL);
      text = format_value (template_ != NULL ? bc_template_lookup_field (template_, key) : NULL, value, lang);
      if (out->len > 0)
        g_string_append (out, "; ");
      g_string_append (out, text);
    }
  if (out->len == 0)
    g_string_append (out, g_str_equal (lang, "en") ? "(empty row)" : "(dòng trống)");
  return g_string_free (out, FALSE);
}

static char *
dup_text (const BcChange *change,
          BcTemplate     *template_,
          const char     *lang,
          gboolean        old)
{
  g_return_val_if_fail (change != NULL, NULL);

  if (lang == NULL)
    lang = bc_i18n_language ();

  switch (change->kind)
    {
    case BC_CHANGE_ROW_ADDED:
      return old ? g_strdup ("—") : row_summary (change, template_, lang);
    case BC_CHANGE_ROW_REMOVED:
      return old ? row_summary (change, template_, lang) : g_strdup ("—");
    case BC_CHANGE_JUSTIFICATION:
      return format_value (NULL, old ? change->old_value : change->new_value, lang);
    case BC_CHANGE_VALUE:
    default:
      return format_value (template_ != NULL ? bc_template_lookup_field (template_, change->key) : NULL,
                           old ? change->old_value : change->new_value, lang);
    }
}

char *
bc_change_dup_old_text (const BcChange *change,
                        BcTemplate     *template_,
                        const char     *lang)
{
  return dup_text (change, template_, lang, TRUE);
}

char *
bc_change_dup_new_text (const BcChange *change,
                        BcTemplate     *template_,
                        const char     *lang)
{
  return dup_text (change, template_, lang, FALSE);
}
