/* bc-form-view.c: the form editor, drawn from a report's template.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every change the user makes becomes an operation in one queue per
 * workbook. Operations run one at a time, in the order they were made, in
 * a worker thread (the UI thread never waits on SQLite); each one returns a
 * fresh snapshot of the report and its validation, from which the form
 * updates computed fields, conditions, issues and row cards. The
 * save-state property says SAVED only when nothing typed is waiting and the
 * queue is empty; the window shows it.
 */
#define G_LOG_DOMAIN "bc-form-view"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "bc-entry.h"
#include "bc-field-editor.h"
#include "bc-form-view.h"
#include "bc-plan.h"
#include "bc-i18n.h"
#include "bc-issue-list.h"
#include "bc-table-editor.h"

/* --- the edit queue -------------------------------------------------------- */

typedef enum {
  OP_LOAD,
  OP_CHECK,       /* the check of a report a row operation left unchecked */
  OP_SET_VALUE,
  OP_ADD_ROW,
  OP_REMOVE_ROW,
  OP_MOVE_ROW,
  OP_JUSTIFY,
  OP_SET_STATUS,
} OpKind;

typedef struct {
  OpKind       kind;
  BcWorkbook  *workbook;
  char        *report_id;
  char        *key;        /* SET_VALUE: storage key; rows: the table; JUSTIFY: the rule */
  gint64       row_id;
  char        *value;      /* SET_VALUE, JUSTIFY; NULL = blank */
  guint        index;      /* MOVE_ROW */
  BcStatus     status;     /* SET_STATUS */
  GTask       *caller;     /* SET_STATUS: the caller's task */
  gboolean     refused;    /* SET_STATUS: an edit before it failed */
  char        *lang;
  BcReport    *previous;   /* given for validation; found by LOAD */

  /* results, filled in by the worker */
  gboolean     done;       /* the change itself succeeded */
  BcReport    *report;
  BcTemplate  *template_;  /* owned by the workbook's registry */
  GPtrArray   *issues;
  gint64       new_row_id;
  gboolean     unchecked;  /* rows: shown before the check, which follows */
  GError      *error;
} Op;

static void
op_free (Op *op)
{
  g_clear_object (&op->workbook);
  g_free (op->report_id);
  g_free (op->key);
  g_free (op->value);
  g_free (op->lang);
  g_clear_object (&op->previous);
  g_clear_object (&op->caller);
  g_clear_object (&op->report);
  g_clear_pointer (&op->issues, g_ptr_array_unref);
  g_clear_error (&op->error);
  g_free (op);
}

typedef struct {
  BcWorkbook   *workbook;
  GQueue        pending;   /* Op*, not started yet */
  Op           *running;
  BcFormView   *view;      /* not a ref: cleared when the view lets go */
  GApplication *held;      /* the application, held while edits wait */
} EditQueue;

static void form_view_op_done (BcFormView *self,
                               Op         *op);
static void scroll_to_widget_soon (BcFormView *self,
                                   GtkWidget  *widget);

static void
edit_queue_clear (EditQueue *queue)
{
  g_assert (queue->running == NULL);
  g_assert (queue->held == NULL);

  g_queue_clear_full (&queue->pending, (GDestroyNotify) op_free);
  g_clear_object (&queue->workbook);
}

static EditQueue *
edit_queue_new (BcWorkbook *workbook)
{
  EditQueue *queue = g_rc_box_new0 (EditQueue);

  queue->workbook = g_object_ref (workbook);
  g_queue_init (&queue->pending);

  return queue;
}

static void
edit_queue_unref (EditQueue *queue)
{
  g_rc_box_release_full (queue, (GDestroyNotify) edit_queue_clear);
}

static void
op_thread (GTask        *task,
           gpointer      source_object,
           gpointer      task_data,
           GCancellable *cancellable)
{
  Op *op = task_data;
  g_autoptr(GError) error = NULL;
  gboolean ok = TRUE;

  switch (op->kind)
    {
    case OP_LOAD:
    case OP_CHECK:
      break;
    case OP_SET_VALUE:
      ok = bc_workbook_set_value (op->workbook, op->report_id, op->key, op->row_id,
                                  op->value, &error);
      break;
    case OP_ADD_ROW:
      op->new_row_id = bc_workbook_add_row (op->workbook, op->report_id, op->key, &error);
      ok = op->new_row_id > 0;
      break;
    case OP_REMOVE_ROW:
      ok = bc_workbook_remove_row (op->workbook, op->report_id, op->key, op->row_id, &error);
      break;
    case OP_MOVE_ROW:
      ok = bc_workbook_move_row (op->workbook, op->report_id, op->key, op->row_id,
                                 op->index, &error);
      break;
    case OP_JUSTIFY:
      ok = bc_workbook_set_justification (op->workbook, op->report_id, op->key, op->row_id,
                                          op->value, &error);
      break;
    case OP_SET_STATUS:
      if (op->refused)
        {
          g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_FAILED,
                               _("A value is not saved yet: fix or clear it first."));
          ok = FALSE;
        }
      else
        ok = bc_workbook_set_status (op->workbook, op->report_id, op->status, NULL, &error);
      break;
    default:
      g_assert_not_reached ();
    }

  op->done = ok;
  if (!ok)
    op->error = g_steal_pointer (&error);

  /* The snapshot after the change (or after the failure, which may have
   * come from a status changed elsewhere), with what validation says. */
  op->report = bc_workbook_load_report (op->workbook, op->report_id, &error);
  if (op->report == NULL)
    {
      if (op->error == NULL)
        op->error = g_steal_pointer (&error);
      g_task_return_boolean (task, TRUE);
      return;
    }
  g_clear_error (&error);

  op->template_ = bc_workbook_get_report_template (op->workbook, op->report, &error);
  if (op->template_ == NULL)
    {
      if (op->error == NULL)
        op->error = g_steal_pointer (&error);
      g_task_return_boolean (task, TRUE);
      return;
    }

  if (op->kind == OP_LOAD)
    {
      g_clear_object (&op->previous);
      op->previous = bc_workbook_load_previous (op->workbook, op->report, NULL);
    }

  /* A row added, removed or moved is shown at once, with the problems as
   * they were; the check of the whole report (the longest part at 300
   * rows) comes after, as an operation of its own. */
  if (op->kind == OP_ADD_ROW || op->kind == OP_REMOVE_ROW || op->kind == OP_MOVE_ROW)
    {
      op->unchecked = TRUE;
      g_task_return_boolean (task, TRUE);
      return;
    }

  op->issues = bc_validate_report (op->template_, op->report, op->previous, op->lang);

  g_task_return_boolean (task, TRUE);
}

static void edit_queue_dispatch (EditQueue *queue);

static gboolean
op_matches (const Op   *op,
            const char *report_id)
{
  return op != NULL && g_strcmp0 (op->report_id, report_id) == 0;
}

static void
op_done_cb (GObject      *source_object,
            GAsyncResult *result,
            gpointer      user_data)
{
  EditQueue *queue = user_data;
  Op *op = g_task_get_task_data (G_TASK (result));

  g_assert (queue->running == op);
  queue->running = NULL;

  /* A status change waiting behind an edit that failed would leave the
   * report ready without that edit: refuse it. */
  if (!op->done && op->kind != OP_LOAD && op->kind != OP_SET_STATUS)
    for (GList *l = queue->pending.head; l != NULL; l = l->next)
      {
        Op *next = l->data;

        if (next->kind == OP_SET_STATUS && op_matches (next, op->report_id))
          next->refused = TRUE;
      }

  if (queue->view != NULL)
    form_view_op_done (queue->view, op);

  if (op->caller != NULL)
    {
      g_autoptr(GTask) caller = g_steal_pointer (&op->caller);

      if (op->done)
        g_task_return_boolean (caller, TRUE);
      else
        g_task_return_error (caller, g_error_copy (op->error));
    }

  edit_queue_dispatch (queue);
  edit_queue_unref (queue);
}

static void
edit_queue_dispatch (EditQueue *queue)
{
  g_autoptr(GTask) task = NULL;

  if (queue->running != NULL)
    return;

  queue->running = g_queue_pop_head (&queue->pending);
  if (queue->running == NULL)
    {
      /* Nothing waits any more: the application may quit. */
      if (queue->held != NULL)
        {
          g_application_release (queue->held);
          g_clear_object (&queue->held);
        }
      return;
    }

  task = g_task_new (NULL, NULL, op_done_cb, g_rc_box_acquire (queue));
  g_task_set_source_tag (task, edit_queue_dispatch);
  g_task_set_task_data (task, queue->running, (GDestroyNotify) op_free);
  g_task_run_in_thread (task, op_thread);
}

static void
edit_queue_push (EditQueue *queue,
                 Op        *op)
{
  GApplication *application = g_application_get_default ();

  /* Closing the window must not lose an edit still on its way. */
  if (queue->held == NULL && application != NULL)
    {
      queue->held = g_object_ref (application);
      g_application_hold (application);
    }

  g_queue_push_tail (&queue->pending, op);
  edit_queue_dispatch (queue);
}

static gboolean
edit_queue_is_busy (EditQueue  *queue,
                    const char *report_id)
{
  if (queue == NULL)
    return FALSE;

  if (op_matches (queue->running, report_id))
    return TRUE;

  for (GList *l = queue->pending.head; l != NULL; l = l->next)
    if (op_matches (l->data, report_id))
      return TRUE;

  return FALSE;
}

static gboolean
op_sets (const Op   *op,
         const char *report_id,
         const char *key,
         gint64      row_id)
{
  return op_matches (op, report_id) && op->kind == OP_SET_VALUE &&
         op->row_id == row_id && g_strcmp0 (op->key, key) == 0;
}

/* Whether a status change of this report is still on its way: its inputs
 * stay read-only until it is done. */
static gboolean
edit_queue_changes_status (EditQueue  *queue,
                           const char *report_id)
{
  if (queue == NULL)
    return FALSE;

  if (op_matches (queue->running, report_id) && queue->running->kind == OP_SET_STATUS)
    return TRUE;

  for (GList *l = queue->pending.head; l != NULL; l = l->next)
    {
      Op *op = l->data;

      if (op_matches (op, report_id) && op->kind == OP_SET_STATUS)
        return TRUE;
    }

  return FALSE;
}

/* Whether a check of this report is waiting to start. */
static gboolean
edit_queue_has_check (EditQueue  *queue,
                      const char *report_id)
{
  if (queue == NULL)
    return FALSE;

  for (GList *l = queue->pending.head; l != NULL; l = l->next)
    if (op_matches (l->data, report_id) && ((Op *) l->data)->kind == OP_CHECK)
      return TRUE;

  return FALSE;
}

static gboolean
op_changes_rows (const Op   *op,
                 const char *report_id,
                 const char *table_id)
{
  return op_matches (op, report_id) && g_strcmp0 (op->key, table_id) == 0 &&
         (op->kind == OP_ADD_ROW || op->kind == OP_REMOVE_ROW || op->kind == OP_MOVE_ROW);
}

/* Whether a row operation on this table is still on its way: until it is
 * done, the positions shown may be about to change. */
static gboolean
edit_queue_changes_rows (EditQueue  *queue,
                         const char *report_id,
                         const char *table_id)
{
  if (queue == NULL)
    return FALSE;

  if (op_changes_rows (queue->running, report_id, table_id))
    return TRUE;

  for (GList *l = queue->pending.head; l != NULL; l = l->next)
    if (op_changes_rows (l->data, report_id, table_id))
      return TRUE;

  return FALSE;
}

/* Whether a value of this field is still on its way: a snapshot taken
 * before it lands must not overwrite what the field shows. */
static gboolean
edit_queue_sets (EditQueue  *queue,
                 const char *report_id,
                 const char *key,
                 gint64      row_id)
{
  if (queue == NULL)
    return FALSE;

  if (op_sets (queue->running, report_id, key, row_id))
    return TRUE;

  for (GList *l = queue->pending.head; l != NULL; l = l->next)
    if (op_sets (l->data, report_id, key, row_id))
      return TRUE;

  return FALSE;
}

/* --- the view -------------------------------------------------------------- */

typedef struct {
  const BcSection *section;
  GtkWidget       *box;
  GPtrArray       *cards;     /* GtkWidget*: boxes of field editors and separators */
} SectionView;

struct _BcFormView
{
  GtkWidget          parent_instance;

  /* template children */
  GtkRevealer       *banner;
  GtkLabel          *banner_label;
  GtkStack          *stack;
  AdwStatusPage     *error_page;
  GtkScrolledWindow *scrolled;
  GtkWidget         *sections_box;
  GtkActionBar      *footer;
  GtkMenuButton     *issues_button;
  GtkPopover        *issues_popover;
  BcIssueList       *issue_list;

  EditQueue         *queue;
  BcWorkbook        *workbook;
  char              *report_id;
  BcReport          *report;
  BcReport          *previous;
  BcTemplate        *template_;
  BcTemplate        *built_for;
  GPtrArray         *issues;
  char              *lang;

  GPtrArray         *sections;  /* SectionView*: the sections built so far, in order */
  GHashTable        *repeated;  /* labels that repeat in the form → TRUE */
  guint              build_idle; /* builds the sections after the first screenful */
  GPtrArray         *dropped;   /* the widgets of a form replaced, freed after the next frame */
  guint              drop_idle;
  GHashTable        *editors;   /* field id → BcFieldEditor* (scalars) */
  GHashTable        *tables;    /* table id → BcTableEditor* */
  GHashTable        *failures;  /* "key\x1frow" (or "" for row operations) → message */
  GHashTable        *background; /* report id → failures of a report not shown */

  BcFieldEditor     *focus_editor; /* weak */
  guint              focus_serial;   /* counts inputs entered by the focus */
  guint              add_row_serial; /* focus_serial when a row was asked for */
  char              *focus_path;

  GHashTable        *left;      /* places ("key\x1frow") the person has left */
  GHashTable        *readers;   /* field id → GPtrArray of what reads it: field
                                 * ids, "section:ID", "summary:TABLE" */
  gboolean           shown_read_only;
  gboolean           show_required; /* every "required" shown: ready was asked for */
  gboolean           has_refused;
  gboolean           discard_refused; /* the person chose to lose them on closing */
  GtkWidget         *keep_target;     /* weak: kept in view while the width settles */
  guint              keep_tick;
  int                keep_width;
  guint              keep_frames;
  guint              keep_stable;
  GtkWidget         *scroll_target;   /* weak */
  guint              scroll_tick;
  guint              scroll_frames;

  BcSaveState        save_state;
  char              *save_error;
  guint              n_errors;
  guint              n_warnings;
  gboolean           edited;
  gboolean           loaded;
};

G_DEFINE_FINAL_TYPE (BcFormView, bc_form_view, GTK_TYPE_WIDGET)
G_DEFINE_ENUM_TYPE (BcSaveState, bc_save_state,
                    G_DEFINE_ENUM_VALUE (BC_SAVE_STATE_IDLE, "idle"),
                    G_DEFINE_ENUM_VALUE (BC_SAVE_STATE_SAVING, "saving"),
                    G_DEFINE_ENUM_VALUE (BC_SAVE_STATE_SAVED, "saved"),
                    G_DEFINE_ENUM_VALUE (BC_SAVE_STATE_FAILED, "failed"))

enum {
  PROP_0,
  PROP_REPORT_ID,
  PROP_REPORT,
  PROP_SAVE_STATE,
  PROP_SAVE_ERROR,
  PROP_N_ERRORS,
  PROP_N_WARNINGS,
  PROP_FOCUS_PATH,
  PROP_HAS_REFUSED_INPUT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  BACKGROUND_SAVE_FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
section_view_free (SectionView *view)
{
  g_clear_pointer (&view->cards, g_ptr_array_unref);
  g_free (view);
}

static char *
failure_key (const char *key,
             gint64      row_id)
{
  return g_strdup_printf ("%s\x1f%" G_GINT64_FORMAT, key, row_id);
}

/* Every field editor: scalars, table headers and cells. */
static void
foreach_editor (BcFormView *self,
                GFunc       func,
                gpointer    user_data)
{
  GHashTableIter iter;
  gpointer editor;

  if (self->editors == NULL)
    return;

  g_hash_table_iter_init (&iter, self->editors);
  while (g_hash_table_iter_next (&iter, NULL, &editor))
    func (editor, user_data);

  g_hash_table_iter_init (&iter, self->tables);
  while (g_hash_table_iter_next (&iter, NULL, &editor))
    {
      func (bc_table_editor_get_header (editor), user_data);
      bc_table_editor_foreach_cell (editor, func, user_data);
    }
}

static void
flush_one (gpointer editor,
           gpointer user_data)
{
  bc_field_editor_flush (editor);
}

/* Hands over everything typed, so that what comes next (a row operation,
 * another report) is queued after it. */
static void
flush_all (BcFormView *self)
{
  foreach_editor (self, flush_one, NULL);
}

static void
reset_one (gpointer editor,
           gpointer user_data)
{
  bc_field_editor_set_stored (editor, NULL, TRUE);
  bc_field_editor_set_issues (editor, NULL);
}

static void
any_dirty_cb (gpointer editor,
              gpointer user_data)
{
  gboolean *dirty = user_data;

  *dirty |= bc_field_editor_get_dirty (editor);
}

static void
count_invalid_cb (gpointer editor,
                  gpointer user_data)
{
  guint *n = user_data;

  if (bc_field_editor_get_invalid (editor))
    (*n)++;
}

static void
set_save_error (BcFormView *self,
                const char *message)
{
  if (g_strcmp0 (self->save_error, message) == 0)
    return;

  g_free (self->save_error);
  self->save_error = g_strdup (message);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SAVE_ERROR]);
}

static void
update_save_state (BcFormView *self)
{
  BcSaveState state;
  gboolean dirty = FALSE;
  guint n_invalid = 0;

  foreach_editor (self, any_dirty_cb, &dirty);
  foreach_editor (self, count_invalid_cb, &n_invalid);

  if (g_hash_table_size (self->failures) > 0)
    state = BC_SAVE_STATE_FAILED;
  else if (n_invalid > 0 && !dirty)
    {
      g_autofree char *message = NULL;

      /* What is typed and does not fit is shown but not saved: the form
       * must not say it is. */
      message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                              "%u value does not fit its field and is not saved.",
                                              "%u values do not fit their fields and are not saved.",
                                              n_invalid), n_invalid);
      set_save_error (self, message);
      state = BC_SAVE_STATE_FAILED;
    }
  else if (dirty || (self->edited && edit_queue_is_busy (self->queue, self->report_id)))
    state = BC_SAVE_STATE_SAVING;
  else if (self->edited)
    state = BC_SAVE_STATE_SAVED;
  else
    state = BC_SAVE_STATE_IDLE;

  if (state != BC_SAVE_STATE_FAILED)
    set_save_error (self, NULL);

  if ((n_invalid > 0) != self->has_refused)
    {
      self->has_refused = n_invalid > 0;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_REFUSED_INPUT]);
    }

  if (state != self->save_state)
    {
      self->save_state = state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SAVE_STATE]);
    }
}

static void
update_focus_path (BcFormView *self)
{
  g_autofree char *path = NULL;

  if (self->focus_editor == NULL)
    return;

  path = bc_field_editor_dup_path (self->focus_editor);
  if (g_strcmp0 (path, self->focus_path) == 0)
    return;

  g_free (self->focus_path);
  self->focus_path = g_steal_pointer (&path);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FOCUS_PATH]);
}

/* --- edits ----------------------------------------------------------------- */

static Op *
op_new (BcFormView *self,
        OpKind      kind)
{
  Op *op = g_new0 (Op, 1);

  op->kind = kind;
  op->workbook = g_object_ref (self->workbook);
  op->report_id = g_strdup (self->report_id);
  op->lang = g_strdup (self->lang);
  op->previous = self->previous != NULL ? g_object_ref (self->previous) : NULL;

  return op;
}

static void
enqueue (BcFormView *self,
         Op         *op)
{
  if (op->kind != OP_LOAD && op->kind != OP_CHECK && op->kind != OP_SET_STATUS)
    self->edited = TRUE;

  edit_queue_push (self->queue, op);
  update_save_state (self);
}

static void
on_editor_commit (BcFieldEditor *editor,
                  const char    *canonical,
                  BcFormView    *self)
{
  Op *op;

  if (self->queue == NULL || self->report_id == NULL)
    return;

  op = op_new (self, OP_SET_VALUE);
  op->key = bc_field_dup_key (bc_field_editor_get_field (editor));
  op->row_id = bc_field_editor_get_row_id (editor);
  op->value = g_strdup (canonical);

  /* A new try: "saving" until it says otherwise. */
  {
    g_autofree char *place = failure_key (op->key, op->row_id);

    g_hash_table_remove (self->failures, place);
  }

  enqueue (self, op);
}

static void
on_editor_justify (BcFieldEditor *editor,
                   const char    *rule_id,
                   gint64         row_id,
                   const char    *text,
                   BcFormView    *self)
{
  Op *op;

  if (self->queue == NULL || self->report_id == NULL)
    return;

  op = op_new (self, OP_JUSTIFY);
  op->key = g_strdup (rule_id);
  op->row_id = row_id;
  op->value = g_strdup (text);
  enqueue (self, op);
}

static void
on_editor_state_changed (BcFieldEditor *editor,
                         GParamSpec    *pspec,
                         BcFormView    *self)
{
  update_save_state (self);
}

static void
update_counts (BcFormView *self)
{
  guint n_errors = 0, n_warnings = 0;

  for (guint i = 0; self->issues != NULL && i < self->issues->len; i++)
    {
      const BcIssue *issue = g_ptr_array_index (self->issues, i);

      if (issue->severity == BC_SEVERITY_ERROR)
        n_errors++;
      else if (issue->justification == NULL)
        n_warnings++;
    }

  /* What is typed and does not fit is an error too, though not saved. */
  foreach_editor (self, count_invalid_cb, &n_errors);

  if (n_errors != self->n_errors)
    {
      self->n_errors = n_errors;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ERRORS]);
    }
  if (n_warnings != self->n_warnings)
    {
      self->n_warnings = n_warnings;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_WARNINGS]);
    }
}

static void
update_issues_button (BcFormView *self)
{
  GtkWidget *content = adw_button_content_new ();
  g_autofree char *label = NULL;
  const char *icon_name;

  if (self->n_errors > 0 && self->n_warnings > 0)
    {
      g_autofree char *errors = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u error", "%u errors",
                                                              self->n_errors), self->n_errors);
      g_autofree char *warnings = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u warning", "%u warnings",
                                                                self->n_warnings), self->n_warnings);

      /* TRANSLATORS: "2 errors, 1 warning" */
      label = g_strdup_printf (_("%s, %s"), errors, warnings);
      icon_name = "dialog-error-symbolic";
    }
  else if (self->n_errors > 0)
    {
      label = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u error", "%u errors",
                                            self->n_errors), self->n_errors);
      icon_name = "dialog-error-symbolic";
    }
  else if (self->n_warnings > 0)
    {
      label = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u warning", "%u warnings",
                                            self->n_warnings), self->n_warnings);
      icon_name = "dialog-warning-symbolic";
    }
  else
    {
      label = g_strdup (_("No errors"));
      icon_name = "object-select-symbolic";
    }

  adw_button_content_set_icon_name (ADW_BUTTON_CONTENT (content), icon_name);
  adw_button_content_set_label (ADW_BUTTON_CONTENT (content), label);
  gtk_menu_button_set_child (self->issues_button, content);
  gtk_widget_set_sensitive (GTK_WIDGET (self->issues_button),
                            self->issues != NULL && self->issues->len > 0);
}

static void
on_editor_invalid_changed (BcFieldEditor *editor,
                           GParamSpec    *pspec,
                           BcFormView    *self)
{
  update_counts (self);
  update_issues_button (self);
  update_save_state (self);
}

static gboolean form_complete (BcFormView      *self);
static void     build_through (BcFormView      *self,
                               const BcSection *section);

static void
on_editor_focus_enter (GtkEventControllerFocus *controller,
                       BcFormView              *self)
{
  GtkWidget *editor = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (controller));

  self->focus_serial++;
  g_set_weak_pointer (&self->focus_editor, BC_FIELD_EDITOR (editor));
  update_focus_path (self);

  /* Tab goes on into the form before all of it is built: entering a
   * section builds the one after it at once. */
  if (self->built_for != NULL && !form_complete (self))
    {
      const BcField *field = bc_field_editor_get_field (BC_FIELD_EDITOR (editor));
      const BcSection *section = field->table != NULL ? field->table->section : field->section;
      GPtrArray *all = bc_template_get_sections (self->built_for);
      guint index;

      if (section != NULL && g_ptr_array_find (all, section, &index) && index + 1 < all->len)
        build_through (self, g_ptr_array_index (all, index + 1));
    }
}

static GPtrArray *issues_to_show (BcFormView *self,
                                  const char *key,
                                  gint64      row_id);

/* A field the person has left may say it is required (before, a blank
 * report would open under a wall of "required"). */
static void
on_editor_focus_leave (GtkEventControllerFocus *controller,
                       BcFormView              *self)
{
  BcFieldEditor *editor = BC_FIELD_EDITOR (gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (controller)));
  g_autofree char *key = bc_field_dup_key (bc_field_editor_get_field (editor));
  gint64 row_id = bc_field_editor_get_row_id (editor);
  char *place = failure_key (key, row_id);
  g_autoptr(GPtrArray) issues = NULL;

  if (!g_hash_table_add (self->left, place) || self->issues == NULL)
    return;

  issues = issues_to_show (self, key, row_id);
  bc_field_editor_set_issues (editor, issues->len > 0 ? issues : NULL);
}

static void
connect_editor (BcFormView    *self,
                BcFieldEditor *editor)
{
  GtkEventController *focus = gtk_event_controller_focus_new ();

  g_signal_connect_object (editor, "commit", G_CALLBACK (on_editor_commit), self, 0);
  g_signal_connect_object (editor, "justify", G_CALLBACK (on_editor_justify), self, 0);
  g_signal_connect_object (editor, "notify::dirty", G_CALLBACK (on_editor_state_changed), self, 0);
  g_signal_connect_object (editor, "notify::invalid", G_CALLBACK (on_editor_invalid_changed), self, 0);
  g_signal_connect_object (focus, "enter", G_CALLBACK (on_editor_focus_enter), self, 0);
  g_signal_connect_object (focus, "leave", G_CALLBACK (on_editor_focus_leave), self, 0);
  gtk_widget_add_controller (GTK_WIDGET (editor), focus);
}

static void set_target (BcFormView    *self,
                        BcFieldEditor *editor);

static void
on_cell_added (BcTableEditor *table,
               BcFieldEditor *cell,
               BcFormView    *self)
{
  connect_editor (self, cell);
  set_target (self, cell);
}

static void show_field (BcFormView    *self,
                        BcFieldEditor *editor,
                        const BcField *field,
                        guint          row,
                        gint64         row_id,
                        GHashTable    *by_place,
                        gboolean       read_only,
                        gboolean       force);
static GPtrArray *issues_to_show (BcFormView *self,
                                  const char *key,
                                  gint64      row_id);

/* A compact row was opened: its new fields show the snapshot. */
static void
on_row_shown (BcTableEditor *table,
              gint64         row_id,
              BcFormView    *self)
{
  const BcField *field = bc_table_editor_get_field (table);
  guint n_rows = bc_table_editor_get_n_rows (table);
  guint row;

  if (self->report == NULL || self->template_ == NULL)
    return;

  for (row = 0; row < n_rows && bc_table_editor_get_row_id (table, row) != row_id; row++)
    ;
  if (row == n_rows)
    return;

  for (guint c = 0; c < field->columns->len; c++)
    {
      const BcField *column = g_ptr_array_index (field->columns, c);
      BcFieldEditor *cell = bc_table_editor_get_cell_at (table, row, column->id);
      g_autofree char *key = bc_field_dup_key (column);
      g_autoptr(GPtrArray) issues = NULL;

      if (cell == NULL)
        continue;
      show_field (self, cell, column, row, row_id, NULL, self->shown_read_only, TRUE);
      issues = issues_to_show (self, key, row_id);
      bc_field_editor_set_issues (cell, issues->len > 0 ? issues : NULL);
    }
}

static void
on_add_row (BcTableEditor *table,
            BcFormView    *self)
{
  Op *op;

  /* The new row takes the focus only if no input was entered meanwhile. */
  self->add_row_serial = self->focus_serial;

  flush_all (self);
  op = op_new (self, OP_ADD_ROW);
  op->key = g_strdup (bc_table_editor_get_field (table)->id);
  bc_table_editor_set_busy (table, TRUE);
  enqueue (self, op);
}

static void
on_remove_row (BcTableEditor *table,
               gint64         row_id,
               BcFormView    *self)
{
  Op *op;

  flush_all (self);
  op = op_new (self, OP_REMOVE_ROW);
  op->key = g_strdup (bc_table_editor_get_field (table)->id);
  bc_table_editor_set_busy (table, TRUE);
  op->row_id = row_id;
  enqueue (self, op);
}

static void
on_move_row (BcTableEditor *table,
             gint64         row_id,
             guint          index,
             BcFormView    *self)
{
  Op *op;

  flush_all (self);
  op = op_new (self, OP_MOVE_ROW);
  op->key = g_strdup (bc_table_editor_get_field (table)->id);
  bc_table_editor_set_busy (table, TRUE);
  op->row_id = row_id;
  op->index = index;
  enqueue (self, op);
}

/* --- building the form ----------------------------------------------------- */

/* A card hides when none of its fields is shown. */
static void
update_card (GtkWidget *card)
{
  gboolean any = FALSE;

  bc_field_editor_update_separators (card);
  for (GtkWidget *child = gtk_widget_get_first_child (card);
       child != NULL && !any;
       child = gtk_widget_get_next_sibling (child))
    any = !GTK_IS_SEPARATOR (child) && gtk_widget_get_visible (child);

  gtk_widget_set_visible (card, any);
}

static gboolean
drop_old_cb (gpointer user_data)
{
  BcFormView *self = user_data;

  self->drop_idle = 0;
  g_ptr_array_set_size (self->dropped, 0);

  return G_SOURCE_REMOVE;
}

static void
clear_form (BcFormView *self)
{
  GtkWidget *child;

  g_clear_weak_pointer (&self->focus_editor);
  g_clear_handle_id (&self->build_idle, g_source_remove);
  g_hash_table_remove_all (self->editors);
  g_hash_table_remove_all (self->tables);
  g_hash_table_remove_all (self->repeated);
  g_ptr_array_set_size (self->sections, 0);

  /* Taken off the form now, freed once the new form is drawn: a form of
   * hundreds of widgets takes tens of milliseconds to tear down. */
  while ((child = gtk_widget_get_first_child (self->sections_box)) != NULL)
    {
      g_ptr_array_add (self->dropped, g_object_ref (child));
      gtk_box_remove (GTK_BOX (self->sections_box), child);
    }
  if (self->dropped->len > 0 && self->drop_idle == 0)
    self->drop_idle = g_idle_add_full (G_PRIORITY_LOW, drop_old_cb, self, NULL);

  self->built_for = NULL;
}

static GtkWidget *
new_card (void)
{
  GtkWidget *card = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);

  gtk_widget_add_css_class (card, "card");

  return card;
}

static void
add_readers (BcFormView *self,
             BcExpr     *expr,
             const char *reader)
{
  g_auto(GStrv) ids = NULL;

  if (expr == NULL)
    return;

  ids = bc_expr_dup_field_ids (expr);
  for (guint i = 0; ids[i] != NULL; i++)
    {
      GPtrArray *list = g_hash_table_lookup (self->readers, ids[i]);

      if (list == NULL)
        {
          list = g_ptr_array_new_with_free_func (g_free);
          g_hash_table_insert (self->readers, g_strdup (ids[i]), list);
        }
      if (!g_ptr_array_find_with_equal_func (list, reader, g_str_equal, NULL))
        g_ptr_array_add (list, g_strdup (reader));
    }
}

static void
add_field_readers (BcFormView    *self,
                   const BcField *field)
{
  add_readers (self, field->compute, field->id);
  add_readers (self, field->visible_if, field->id);

  if (field->type != BC_FIELD_TABLE)
    return;

  for (guint c = 0; c < field->columns->len; c++)
    add_field_readers (self, g_ptr_array_index (field->columns, c));

  if (field->group_summaries != NULL)
    {
      g_autofree char *summary = g_strconcat ("summary:", field->id, NULL);

      for (guint v = 0; v < field->group_summaries->len; v++)
        add_readers (self, ((const BcField *) g_ptr_array_index (field->group_summaries, v))->compute,
                     summary);
      /* The groups themselves come from a column. */
      if (field->group_by != NULL)
        {
          GPtrArray *list = g_hash_table_lookup (self->readers, field->group_by);

          if (list == NULL)
            {
              list = g_ptr_array_new_with_free_func (g_free);
              g_hash_table_insert (self->readers, g_strdup (field->group_by), list);
            }
          g_ptr_array_add (list, g_strdup (summary));
        }
    }
}

/* What reads what, so that an edit refreshes only what depends on it. */
static void
build_readers (BcFormView *self)
{
  GPtrArray *sections = bc_template_get_sections (self->template_);

  g_hash_table_remove_all (self->readers);
  for (guint s = 0; s < sections->len; s++)
    {
      const BcSection *section = g_ptr_array_index (sections, s);
      g_autofree char *reader = g_strconcat ("section:", section->id, NULL);

      add_readers (self, section->visible_if, reader);
      for (guint f = 0; f < section->fields->len; f++)
        add_field_readers (self, g_ptr_array_index (section->fields, f));
    }
}

/* The first screenful: sections are built up to about this many fields
 * before the first frame, the rest a few at a time after it. */
#define FIRST_SCREEN_FIELDS 12
/* How long one idle step of building the rest may take, in µs. */
#define BUILD_STEP_US 6000

static void
build_section (BcFormView      *self,
               const BcSection *section)
{
  SectionView *view = g_new0 (SectionView, 1);
  GtkWidget *card = NULL;
  GtkWidget *label;
  const char *description;

  view->section = section;
  view->cards = g_ptr_array_new ();
  view->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  gtk_widget_set_name (view->box, section->id);

  label = gtk_label_new (bc_text_get (&section->title, self->lang));
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "title-4");
  gtk_box_append (GTK_BOX (view->box), label);

  description = bc_text_get (&section->help, self->lang);
  if (description != NULL && *description != '\0')
    {
      label = gtk_label_new (description);
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_widget_add_css_class (label, "dim-label");
      gtk_box_append (GTK_BOX (view->box), label);
    }

  for (guint f = 0; f < section->fields->len; f++)
    {
      const BcField *field = g_ptr_array_index (section->fields, f);

      if (field->type == BC_FIELD_TABLE)
        {
          GtkWidget *table = bc_table_editor_new (field, self->lang);

          gtk_widget_set_margin_top (table, 6);
          g_signal_connect_object (table, "editor-added", G_CALLBACK (on_cell_added), self, 0);
          g_signal_connect_object (table, "row-shown", G_CALLBACK (on_row_shown), self, 0);
          g_signal_connect_object (table, "add-row", G_CALLBACK (on_add_row), self, 0);
          g_signal_connect_object (table, "remove-row", G_CALLBACK (on_remove_row), self, 0);
          g_signal_connect_object (table, "move-row", G_CALLBACK (on_move_row), self, 0);
          connect_editor (self, bc_table_editor_get_header (BC_TABLE_EDITOR (table)));
          g_hash_table_insert (self->tables, field->id, table);
          gtk_box_append (GTK_BOX (view->box), table);
          card = NULL;
        }
      else
        {
          GtkWidget *editor = bc_field_editor_new (field, self->lang);

          if (card == NULL)
            {
              card = new_card ();
              g_ptr_array_add (view->cards, card);
              gtk_box_append (GTK_BOX (view->box), card);
            }
          else
            gtk_box_append (GTK_BOX (card), gtk_separator_new (GTK_ORIENTATION_HORIZONTAL));

          if (g_hash_table_contains (self->repeated, bc_text_get (&field->label, self->lang)))
            bc_field_editor_set_context (BC_FIELD_EDITOR (editor),
                                         bc_text_get (&section->title, self->lang));
          connect_editor (self, BC_FIELD_EDITOR (editor));
          /* A section built after the first screenful gets its targets
           * here: update_targets() saw only the editors built by then. */
          set_target (self, BC_FIELD_EDITOR (editor));
          g_hash_table_insert (self->editors, field->id, editor);
          gtk_box_append (GTK_BOX (card), editor);
        }
    }

  g_ptr_array_add (self->sections, view);
  gtk_box_append (GTK_BOX (self->sections_box), view->box);
}

static gboolean
form_complete (BcFormView *self)
{
  return self->built_for != NULL &&
         self->sections->len == bc_template_get_sections (self->built_for)->len;
}

/* The form's own widgets: its title and the first screenful of sections.
 * The rest come after the first frame (build_rest()), or at once when
 * something needs them (build_through()). */
static void
build_form (BcFormView *self)
{
  GPtrArray *sections = bc_template_get_sections (self->template_);
  g_autoptr(GHashTable) labels = NULL;
  GtkWidget *title;
  guint n_fields = 0;

  clear_form (self);

  /* Labels that repeat in the form ("Other progress") are named with their
   * section, so that every input's accessible name is unique. */
  labels = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint s = 0; s < sections->len; s++)
    {
      const BcSection *section = g_ptr_array_index (sections, s);

      for (guint f = 0; f < section->fields->len; f++)
        {
          const BcField *field = g_ptr_array_index (section->fields, f);
          const char *label = bc_text_get (&field->label, self->lang);

          if (g_hash_table_contains (labels, label))
            g_hash_table_add (self->repeated, (gpointer) label);
          else
            g_hash_table_add (labels, (gpointer) label);
        }
    }

  /* The form's title, so that the report reads as the document it is. */
  title = gtk_label_new (bc_text_get (bc_template_get_title (self->template_), self->lang));
  gtk_label_set_wrap (GTK_LABEL (title), TRUE);
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_widget_add_css_class (title, "title-2");
  gtk_accessible_update_property (GTK_ACCESSIBLE (title), GTK_ACCESSIBLE_PROPERTY_LEVEL, 1, -1);
  gtk_box_append (GTK_BOX (self->sections_box), title);

  self->built_for = self->template_;
  for (guint s = 0; s < sections->len && n_fields < FIRST_SCREEN_FIELDS; s++)
    {
      const BcSection *section = g_ptr_array_index (sections, s);

      build_section (self, section);
      n_fields += section->fields->len;
    }

  build_readers (self);
}

/* The targets beside the indicators are those of the plan in force for the
 * report's unit and period: none rather than another year's. */
static void
set_target (BcFormView    *self,
            BcFieldEditor *editor)
{
  const BcTarget *target = NULL;

  if (self->report != NULL && self->template_ != NULL)
    target = bc_template_registry_lookup_target (bc_workbook_get_templates (self->workbook),
                                                 self->template_, bc_field_editor_get_field (editor),
                                                 bc_report_get_period_id (self->report),
                                                 bc_report_get_unit (self->report));
  bc_field_editor_set_target (editor, target);
}

static void
update_targets (BcFormView *self)
{
  GHashTableIter iter;
  gpointer editor;

  g_hash_table_iter_init (&iter, self->editors);
  while (g_hash_table_iter_next (&iter, NULL, &editor))
    set_target (self, editor);
}

/* --- showing a snapshot ---------------------------------------------------- */

static gboolean
section_visible (BcFormView      *self,
                 const BcSection *section)
{
  g_auto(BcValue) value = BC_VALUE_INIT;

  if (section->visible_if == NULL)
    return TRUE;

  /* A condition that cannot be evaluated hides nothing (as in validation). */
  if (!bc_report_evaluate (self->template_, self->report, self->previous,
                           section->visible_if, NULL, 0, &value, NULL))
    return TRUE;

  return bc_value_truthy (&value);
}

static char *
dup_computed (BcFormView    *self,
              const BcField *field,
              guint          row)
{
  g_auto(BcValue) value = BC_VALUE_INIT;

  if (!bc_report_field_value (self->template_, self->report, self->previous, field, row,
                              &value, NULL))
    return NULL;

  return bc_field_value_to_canonical (field, &value);
}

static GPtrArray *
issues_at (GHashTable *by_place,
           const char *key,
           gint64      row_id)
{
  g_autofree char *place = failure_key (key, row_id);

  return g_hash_table_lookup (by_place, place);
}

static void
show_field (BcFormView    *self,
            BcFieldEditor *editor,
            const BcField *field,
            guint          row,
            gint64         row_id,
            GHashTable    *by_place,
            gboolean       read_only,
            gboolean       force)
{
  g_autofree char *key = bc_field_dup_key (field);

  gtk_widget_set_visible (GTK_WIDGET (editor),
                          bc_report_field_visible (self->template_, self->report, self->previous,
                                                   field, row));
  bc_field_editor_set_read_only (editor, read_only);

  if (field->compute != NULL)
    {
      g_autofree char *value = dup_computed (self, field, row);

      bc_field_editor_set_computed (editor, value);
    }
  else if (force || !edit_queue_sets (self->queue, self->report_id, key, row_id))
    bc_field_editor_set_stored (editor, bc_report_get_value (self->report, key, row_id), force);

  /* NULL: the issues are refreshed on their own (apply_edit()). */
  if (by_place != NULL)
    bc_field_editor_set_issues (editor, issues_at (by_place, key, row_id));
}

static void
show_table (BcFormView    *self,
            BcTableEditor *editor,
            const BcField *table,
            GHashTable    *by_place,
            gboolean       read_only,
            gboolean       force,
            gboolean       summaries_too)
{
  g_autoptr(GPtrArray) summaries = NULL;
  guint n_rows;

  gtk_widget_set_visible (GTK_WIDGET (editor),
                          bc_report_field_visible (self->template_, self->report, self->previous,
                                                   table, 0));
  bc_table_editor_set_read_only (editor, read_only);
  bc_table_editor_set_rows (editor, self->report);
  bc_table_editor_set_busy (editor, edit_queue_changes_rows (self->queue, self->report_id, table->id));
  bc_field_editor_set_issues (bc_table_editor_get_header (editor),
                              issues_at (by_place, table->id, 0));

  n_rows = bc_table_editor_get_n_rows (editor);
  for (guint row = 0; row < n_rows; row++)
    {
      gint64 row_id = bc_table_editor_get_row_id (editor, row);

      for (guint c = 0; c < table->columns->len; c++)
        {
          const BcField *column = g_ptr_array_index (table->columns, c);
          BcFieldEditor *cell = bc_table_editor_get_cell_at (editor, row, column->id);

          /* A compact row not opened yet has no fields to show. */
          if (cell != NULL)
            show_field (self, cell, column, row, row_id, by_place, read_only, force);
        }
    }

  if (summaries_too)
    {
      summaries = bc_report_group_summaries (self->template_, self->report, self->previous, table, NULL);
      bc_table_editor_set_summaries (editor, summaries);
    }
  bc_table_editor_set_row_problems (editor, self->issues);
}

static void
update_banner (BcFormView *self)
{
  BcStatus status = bc_report_get_status (self->report);
  g_autofree char *text = NULL;

  switch (status)
    {
    case BC_STATUS_DRAFT:
      break;
    case BC_STATUS_READY:
      text = g_strdup (_("This report is ready — take it back to draft to edit it."));
      break;
    case BC_STATUS_QUEUED:
      text = g_strdup (_("This report is waiting to be sent — take it back to draft to edit it."));
      break;
    case BC_STATUS_RETURNED:
      /* The reviewer's comment is above the form, in the window's review
       * banner: said once. */
      text = g_strdup (_("This report was returned — take it back to draft to fix it."));
      break;
    case BC_STATUS_SENT:
    case BC_STATUS_ACCEPTED:
    default:
      text = g_strdup (_("This report has been sent and can no longer be edited."));
      break;
    }

  if (text != NULL)
    gtk_label_set_text (self->banner_label, text);
  gtk_revealer_set_reveal_child (self->banner, text != NULL);
}

/* "Required" beside a field only once the person has left it, or asked
 * to mark the report ready; the counts and the issue list have it all. */
static gboolean
issue_shown (BcFormView    *self,
             const BcIssue *issue,
             const char    *place)
{
  return self->show_required || !g_str_has_prefix (issue->rule_id, "required:") ||
         g_hash_table_contains (self->left, place);
}

static GPtrArray *
issues_to_show (BcFormView *self,
                const char *key,
                gint64      row_id)
{
  g_autofree char *place = failure_key (key, row_id);
  GPtrArray *shown = g_ptr_array_new ();

  for (guint i = 0; self->issues != NULL && i < self->issues->len; i++)
    {
      BcIssue *issue = g_ptr_array_index (self->issues, i);

      if (issue->row_id == row_id && g_strcmp0 (issue->key, key) == 0 &&
          issue_shown (self, issue, place))
        g_ptr_array_add (shown, issue);
    }

  return shown;
}

/* The issues to show beside fields, by place ("key\x1frow"). */
static GHashTable *
issues_by_place (BcFormView *self)
{
  GHashTable *by_place = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                (GDestroyNotify) g_ptr_array_unref);

  for (guint i = 0; self->issues != NULL && i < self->issues->len; i++)
    {
      BcIssue *issue = g_ptr_array_index (self->issues, i);
      char *place = failure_key (issue->key, issue->row_id);
      GPtrArray *list = g_hash_table_lookup (by_place, place);

      if (!issue_shown (self, issue, place))
        {
          g_free (place);
          continue;
        }

      if (list == NULL)
        {
          list = g_ptr_array_new ();
          g_hash_table_insert (by_place, place, list);
        }
      else
        g_free (place);
      g_ptr_array_add (list, issue);
    }

  return by_place;
}

static void
show_section (BcFormView  *self,
              SectionView *view,
              GHashTable  *by_place,
              gboolean     read_only,
              gboolean     force)
{
  const BcSection *section = view->section;

  gtk_widget_set_visible (view->box, section_visible (self, section));

  for (guint f = 0; f < section->fields->len; f++)
    {
      const BcField *field = g_ptr_array_index (section->fields, f);

      if (field->type == BC_FIELD_TABLE)
        show_table (self, g_hash_table_lookup (self->tables, field->id), field,
                    by_place, read_only, force, TRUE);
      else
        show_field (self, g_hash_table_lookup (self->editors, field->id), field, 0, 0,
                    by_place, read_only, force);
    }

  for (guint c = 0; c < view->cards->len; c++)
    update_card (g_ptr_array_index (view->cards, c));
}

/* Builds the next section not built yet and shows the report in it. */
static void
build_next_section (BcFormView *self,
                    GHashTable *by_place)
{
  GPtrArray *sections = bc_template_get_sections (self->built_for);
  SectionView *view;

  build_section (self, g_ptr_array_index (sections, self->sections->len));
  view = g_ptr_array_index (self->sections, self->sections->len - 1);
  /* Its inputs are new: they show what the report holds. */
  show_section (self, view, by_place, self->shown_read_only, TRUE);
}

static gboolean
can_build_more (BcFormView *self)
{
  return self->loaded && self->report != NULL && self->built_for != NULL &&
         self->built_for == self->template_ && !form_complete (self);
}

static gboolean
build_rest_cb (gpointer user_data)
{
  BcFormView *self = user_data;
  g_autoptr(GHashTable) by_place = NULL;
  gint64 start = g_get_monotonic_time ();

  if (!can_build_more (self))
    {
      self->build_idle = 0;
      return G_SOURCE_REMOVE;
    }

  /* A section or more per step, short enough not to hold a frame up. */
  by_place = issues_by_place (self);
  do
    build_next_section (self, by_place);
  while (!form_complete (self) && g_get_monotonic_time () - start < BUILD_STEP_US);

  if (!form_complete (self))
    return G_SOURCE_CONTINUE;

  self->build_idle = 0;
  return G_SOURCE_REMOVE;
}

/* The sections after the first screenful, a few at a time, once the
 * first frame is drawn. */
static void
build_rest (BcFormView *self)
{
  if (self->build_idle == 0 && can_build_more (self))
    self->build_idle = g_idle_add_full (G_PRIORITY_LOW, build_rest_cb, self, NULL);
}

/* Builds, now, every section up to `section` (NULL: all of them), for what
 * needs its widgets at once: a jump to a field, a failure to show. */
static void
build_through (BcFormView      *self,
               const BcSection *section)
{
  g_autoptr(GHashTable) by_place = NULL;

  if (!can_build_more (self))
    return;

  for (guint s = 0; s < self->sections->len; s++)
    if (section != NULL && ((SectionView *) g_ptr_array_index (self->sections, s))->section == section)
      return;

  by_place = issues_by_place (self);
  while (!form_complete (self))
    {
      build_next_section (self, by_place);
      if (section != NULL &&
          ((SectionView *) g_ptr_array_index (self->sections, self->sections->len - 1))->section == section)
        break;
    }
  if (form_complete (self))
    g_clear_handle_id (&self->build_idle, g_source_remove);
}

static void
apply_snapshot (BcFormView *self,
                gboolean    force)
{
  g_autoptr(GHashTable) by_place = NULL;
  gboolean read_only;

  g_assert (self->report != NULL && self->template_ != NULL);

  read_only = bc_report_get_status (self->report) != BC_STATUS_DRAFT ||
              edit_queue_changes_status (self->queue, self->report_id);
  self->shown_read_only = read_only;

  /* An input made insensitive while focused never hears that it lost the
   * focus (GTK 4.8): take the focus away first. */
  if (read_only)
    {
      GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
      GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;

      if (focus != NULL && gtk_widget_is_ancestor (focus, self->sections_box))
        gtk_root_set_focus (root, NULL);
    }

  by_place = issues_by_place (self);
  for (guint s = 0; s < self->sections->len; s++)
    show_section (self, g_ptr_array_index (self->sections, s), by_place, read_only, force);

  update_banner (self);
  update_counts (self);
  update_issues_button (self);
  bc_issue_list_set_issues (self->issue_list, self->template_, self->issues, self->lang);
  update_focus_path (self);
}

/* A row added, removed or moved, before the check that follows it: only
 * its table changes on screen now; what is computed from its rows (the
 * summaries under it, totals elsewhere) follows with the check. At 300
 * rows this is a few milliseconds of the UI thread, against the 10-20 of
 * the whole form. */
static void
apply_rows (BcFormView *self,
            const char *table_id)
{
  BcTableEditor *editor = g_hash_table_lookup (self->tables, table_id);
  g_autoptr(GHashTable) by_place = NULL;

  if (editor == NULL)
    {
      apply_snapshot (self, FALSE);
      return;
    }

  by_place = issues_by_place (self);
  show_table (self, editor, bc_table_editor_get_field (editor), by_place, self->shown_read_only,
              FALSE, FALSE);
}

static BcFieldEditor *editor_for_key (BcFormView *self,
                                       const char *key,
                                       gint64      row_id);

/* What each issue place shows: "key\x1frow" → the issues' text. */
static GHashTable *
issue_signatures (GPtrArray *issues)
{
  GHashTable *signatures = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                  (GDestroyNotify) g_free);

  for (guint i = 0; issues != NULL && i < issues->len; i++)
    {
      const BcIssue *issue = g_ptr_array_index (issues, i);
      char *place = failure_key (issue->key, issue->row_id);
      char *before = g_hash_table_lookup (signatures, place);
      char *signature = g_strdup_printf ("%s%s\x1f%d\x1f%s\x1f%s\x1e", before != NULL ? before : "",
                                         issue->rule_id, (int) issue->severity, issue->message,
                                         issue->justification != NULL ? issue->justification : "\x1d");

      g_hash_table_replace (signatures, place, signature);
    }

  return signatures;
}

static void
refresh_issues_at (BcFormView *self,
                   const char *place)
{
  const char *separator = strchr (place, '\x1f');
  g_autofree char *key = NULL;
  g_autoptr(GPtrArray) issues = NULL;
  BcFieldEditor *editor;
  BcTableEditor *table;
  gint64 row_id;

  if (separator == NULL)
    return;

  key = g_strndup (place, separator - place);
  row_id = g_ascii_strtoll (separator + 1, NULL, 10);
  editor = editor_for_key (self, key, row_id);
  if (editor == NULL && (table = g_hash_table_lookup (self->tables, key)) != NULL)
    editor = bc_table_editor_get_header (table);
  if (editor == NULL)
    return;

  issues = issues_to_show (self, key, row_id);
  bc_field_editor_set_issues (editor, issues->len > 0 ? issues : NULL);
}

static void
refresh_column (BcFormView    *self,
                BcTableEditor *table,
                const BcField *column,
                gint64         only_row_id,
                GHashTable    *by_place)
{
  guint n_rows = bc_table_editor_get_n_rows (table);

  for (guint row = 0; row < n_rows; row++)
    {
      gint64 row_id = bc_table_editor_get_row_id (table, row);

      BcFieldEditor *cell;

      if (only_row_id != 0 && row_id != only_row_id)
        continue;
      cell = bc_table_editor_get_cell_at (table, row, column->id);
      if (cell != NULL)
        show_field (self, cell, column, row, row_id, by_place, self->shown_read_only, FALSE);
    }
}

/* Refreshes what one field (a scalar or a column) shows. */
static void
refresh_field (BcFormView *self,
               const char *id,
               gint64      only_row_id,
               GHashTable *by_place)
{
  const BcField *field = bc_template_lookup_field (self->template_, id);
  BcFieldEditor *editor;

  if (field == NULL)
    return;

  if (field->table != NULL)
    {
      BcTableEditor *table = g_hash_table_lookup (self->tables, field->table->id);

      if (table != NULL)
        refresh_column (self, table, field, only_row_id, by_place);
    }
  else if (field->type == BC_FIELD_TABLE)
    {
      BcTableEditor *table = g_hash_table_lookup (self->tables, field->id);

      if (table != NULL)
        gtk_widget_set_visible (GTK_WIDGET (table),
                                bc_report_field_visible (self->template_, self->report, self->previous,
                                                         field, 0));
    }
  else if ((editor = g_hash_table_lookup (self->editors, field->id)) != NULL)
    show_field (self, editor, field, 0, 0, by_place, self->shown_read_only, FALSE);
}

/* After a saved edit of `key`: only the field, what reads it (computed
 * fields, conditions, summaries, on and on) and the places whose issues
 * changed are shown again, so that an edit costs the same with 3 rows or
 * 300. Anything else (rows, status, a first load) goes through
 * apply_snapshot(). */
static void
apply_edit (BcFormView *self,
            const char *key,
            gint64      row_id,
            GPtrArray  *old_issues)
{
  const char *dot = strchr (key, '.');
  g_autoptr(GHashTable) affected = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GQueue) todo = g_queue_new ();
  g_autoptr(GHashTable) before = issue_signatures (old_issues);
  g_autoptr(GHashTable) after = issue_signatures (self->issues);
  GHashTableIter iter;
  gpointer place, signature;

  /* Issues are refreshed by place below. */
  refresh_field (self, dot != NULL ? dot + 1 : key, row_id, NULL);
  if (dot != NULL)
    {
      g_autofree char *table_id = g_strndup (key, dot - key);
      BcTableEditor *table = g_hash_table_lookup (self->tables, table_id);

      if (table != NULL)
        bc_table_editor_refresh_summary (table, self->report, row_id);
    }

  g_queue_push_tail (todo, (gpointer) (dot != NULL ? dot + 1 : key));
  while (!g_queue_is_empty (todo))
    {
      const char *id = g_queue_pop_head (todo);
      GPtrArray *readers = g_hash_table_lookup (self->readers, id);

      for (guint i = 0; readers != NULL && i < readers->len; i++)
        {
          const char *reader = g_ptr_array_index (readers, i);

          if (g_hash_table_add (affected, (gpointer) reader) && strchr (reader, ':') == NULL)
            g_queue_push_tail (todo, (gpointer) reader);
        }
    }

  g_hash_table_iter_init (&iter, affected);
  while (g_hash_table_iter_next (&iter, &place, NULL))
    {
      const char *reader = place;

      if (g_str_has_prefix (reader, "section:"))
        {
          for (guint s = 0; s < self->sections->len; s++)
            {
              SectionView *view = g_ptr_array_index (self->sections, s);

              if (g_str_equal (view->section->id, reader + strlen ("section:")))
                gtk_widget_set_visible (view->box, section_visible (self, view->section));
            }
        }
      else if (g_str_has_prefix (reader, "summary:"))
        {
          const char *table_id = reader + strlen ("summary:");
          BcTableEditor *table = g_hash_table_lookup (self->tables, table_id);
          g_autoptr(GPtrArray) summaries = NULL;

          if (table != NULL)
            {
              summaries = bc_report_group_summaries (self->template_, self->report, self->previous,
                                                     bc_table_editor_get_field (table), NULL);
              bc_table_editor_set_summaries (table, summaries);
            }
        }
      else
        {
          const BcField *field = bc_template_lookup_field (self->template_, reader);
          GPtrArray *table_readers = dot != NULL ? g_hash_table_lookup (self->readers, field != NULL && field->table != NULL ? field->table->id : "") : NULL;
          gboolean same_row;

          /* A column computed from its own row, in the row edited: only
           * that row; one that reads the whole table: every row. */
          same_row = dot != NULL && field != NULL && field->table != NULL &&
                     strncmp (key, field->table->id, dot - key) == 0 &&
                     field->table->id[dot - key] == '\0' &&
                     (table_readers == NULL ||
                      !g_ptr_array_find_with_equal_func (table_readers, reader, g_str_equal, NULL));
          refresh_field (self, reader, same_row ? row_id : 0, NULL);
        }
    }

  /* The issues that changed, where they changed. */
  g_hash_table_iter_init (&iter, after);
  while (g_hash_table_iter_next (&iter, &place, &signature))
    if (g_strcmp0 (g_hash_table_lookup (before, place), signature) != 0)
      refresh_issues_at (self, place);
  g_hash_table_iter_init (&iter, before);
  while (g_hash_table_iter_next (&iter, &place, NULL))
    if (!g_hash_table_contains (after, place))
      refresh_issues_at (self, place);

  for (guint s = 0; s < self->sections->len; s++)
    {
      SectionView *view = g_ptr_array_index (self->sections, s);

      for (guint c = 0; c < view->cards->len; c++)
        update_card (g_ptr_array_index (view->cards, c));
    }

  /* Which closed rows have problems (a rule may join a field and rows). */
  {
    gpointer table;

    g_hash_table_iter_init (&iter, self->tables);
    while (g_hash_table_iter_next (&iter, NULL, &table))
      bc_table_editor_set_row_problems (table, self->issues);
  }

  update_counts (self);
  update_issues_button (self);
  bc_issue_list_set_issues (self->issue_list, self->template_, self->issues, self->lang);
  update_focus_path (self);
}

static void
show_load_error (BcFormView *self,
                 const char *message)
{
  clear_form (self);
  adw_status_page_set_description (ADW_STATUS_PAGE (self->error_page), message);
  gtk_stack_set_visible_child_name (self->stack, "error");
  gtk_action_bar_set_revealed (self->footer, FALSE);
  gtk_revealer_set_reveal_child (self->banner, FALSE);
}

static BcFieldEditor *
editor_for_key (BcFormView *self,
                const char *key,
                gint64      row_id)
{
  const char *dot = strchr (key, '.');

  if (dot == NULL)
    return g_hash_table_lookup (self->editors, key);
  else
    {
      g_autofree char *table = g_strndup (key, dot - key);
      BcTableEditor *editor = g_hash_table_lookup (self->tables, table);

      return editor != NULL ? bc_table_editor_get_cell (editor, row_id, dot + 1) : NULL;
    }
}

static void
note_background (BcFormView *self,
                 Op         *op)
{
  g_autofree char *place = NULL;
  GHashTable *failed;

  if (op->kind == OP_LOAD || op->kind == OP_CHECK || op->kind == OP_SET_STATUS ||
      op->report_id == NULL)
    return;

  place = op->kind == OP_SET_VALUE ? failure_key (op->key, op->row_id) : g_strdup ("");
  failed = g_hash_table_lookup (self->background, op->report_id);

  if (op->error == NULL)
    {
      /* A later edit of the same place went through. */
      if (failed != NULL)
        g_hash_table_remove (failed, place);
      return;
    }

  if (failed == NULL)
    {
      failed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      g_hash_table_insert (self->background, g_strdup (op->report_id), failed);
    }
  g_hash_table_replace (failed, g_steal_pointer (&place), g_strdup (op->error->message));

  g_signal_emit (self, signals[BACKGROUND_SAVE_FAILED], 0, op->report_id, op->error->message);
}

/* After the first snapshot of a report replaced what the inputs show: what
 * could not be saved, also while the report was not shown, is said again. */
static void
restore_failures (BcFormView *self)
{
  GHashTable *failed = g_hash_table_lookup (self->background, self->report_id);
  GHashTableIter iter;
  gpointer place, message;
  const char *any = NULL;

  if (failed != NULL)
    {
      g_hash_table_iter_init (&iter, failed);
      while (g_hash_table_iter_next (&iter, &place, &message))
        {
          g_hash_table_iter_steal (&iter);
          g_hash_table_replace (self->failures, place, message);
        }
      g_hash_table_remove (self->background, self->report_id);
    }

  /* Every failure shows beside its field: the fields must be there. */
  if (g_hash_table_size (self->failures) > 0)
    build_through (self, NULL);

  g_hash_table_iter_init (&iter, self->failures);
  while (g_hash_table_iter_next (&iter, &place, &message))
    {
      const char *separator = strchr (place, '\x1f');

      any = message;
      if (separator != NULL)
        {
          g_autofree char *key = g_strndup (place, separator - (const char *) place);
          gint64 row_id = g_ascii_strtoll (separator + 1, NULL, 10);
          BcFieldEditor *editor = editor_for_key (self, key, row_id);
          const char *dot = strchr (key, '.');

          /* In a compact row: opened, so that the failure shows. */
          if (editor == NULL && dot != NULL)
            {
              g_autofree char *table_id = g_strndup (key, dot - key);
              BcTableEditor *table = g_hash_table_lookup (self->tables, table_id);

              if (table != NULL && bc_table_editor_show_row (table, row_id))
                editor = editor_for_key (self, key, row_id);
            }
          if (editor != NULL)
            bc_field_editor_set_save_error (editor, message);
        }
    }

  if (any != NULL)
    set_save_error (self, any);
}

static void
form_view_op_done (BcFormView *self,
                   Op         *op)
{
  g_debug ("operation %d on %s (%s, row %" G_GINT64_FORMAT "): %s",
           op->kind, op->report_id, op->key, op->row_id,
           op->error != NULL ? op->error->message : "done");

  /* A report that is no longer shown: its edits were still committed, and
   * what failed is kept until it is shown again. */
  if (g_strcmp0 (op->report_id, self->report_id) != 0)
    {
      note_background (self, op);
      return;
    }

  if (op->kind == OP_LOAD && (op->report == NULL || op->template_ == NULL))
    {
      show_load_error (self, op->error != NULL ? op->error->message : NULL);
      update_save_state (self);
      return;
    }

  if (op->kind == OP_SET_VALUE)
    {
      g_autofree char *place = failure_key (op->key, op->row_id);
      BcFieldEditor *editor = self->editors != NULL ? editor_for_key (self, op->key, op->row_id) : NULL;

      if (op->error != NULL)
        g_hash_table_replace (self->failures, g_steal_pointer (&place), g_strdup (op->error->message));
      else
        g_hash_table_remove (self->failures, place);

      if (editor != NULL)
        bc_field_editor_set_save_error (editor, op->error != NULL ? op->error->message : NULL);
    }
  else if (op->kind != OP_LOAD && op->kind != OP_CHECK && op->kind != OP_SET_STATUS &&
           op->error != NULL)
    g_hash_table_replace (self->failures, g_strdup (""), g_strdup (op->error->message));

  /* A status change that is refused is no failed save: the caller says why.
   * A check saves nothing. */
  if (op->kind == OP_SET_STATUS || op->kind == OP_CHECK)
    ;
  else if (op->error == NULL)
    g_hash_table_remove (self->failures, "");
  else if (op->kind != OP_LOAD)
    set_save_error (self, op->error->message);

  /* A change from before the report was shown again (it was left and
   * chosen again while the change was on its way): its load, queued after
   * it, shows the whole of it. */
  if (op->report != NULL && op->template_ != NULL && (self->loaded || op->kind == OP_LOAD))
    {
      /* Only the first snapshot replaces what inputs show; later ones
       * (reloads too) leave alone what the user typed and has not seen
       * saved. */
      gboolean force = op->kind == OP_LOAD && !self->loaded;
      g_autoptr(GPtrArray) old_issues = g_steal_pointer (&self->issues);
      gboolean was_draft = self->report != NULL && bc_report_get_status (self->report) == BC_STATUS_DRAFT;
      gboolean just_edit;
      gboolean just_rows;

      g_set_object (&self->report, op->report);
      self->issues = op->unchecked ? g_steal_pointer (&old_issues) : g_steal_pointer (&op->issues);

      /* A saved value of the report as shown: only what depends on it. */
      just_edit = op->kind == OP_SET_VALUE && op->error == NULL && self->loaded &&
                  self->built_for == self->template_ && self->template_ == op->template_ &&
                  was_draft && bc_report_get_status (self->report) == BC_STATUS_DRAFT &&
                  !self->shown_read_only &&
                  !edit_queue_changes_status (self->queue, self->report_id);
      /* Rows added, removed or moved in a draft as shown: their table. */
      just_rows = op->unchecked && self->loaded && self->built_for == self->template_ &&
                  self->template_ == op->template_ && was_draft &&
                  bc_report_get_status (self->report) == BC_STATUS_DRAFT && !self->shown_read_only &&
                  !edit_queue_changes_status (self->queue, self->report_id);

      if (op->kind == OP_LOAD)
        {
          g_set_object (&self->previous, op->previous);
          g_set_object (&self->template_, op->template_);
          if (self->built_for != self->template_)
            build_form (self);
          update_targets (self);
          self->loaded = TRUE;
          gtk_stack_set_visible_child_name (self->stack, "form");
          gtk_action_bar_set_revealed (self->footer, TRUE);
        }

      {
        gint64 start = g_get_monotonic_time ();

        if (just_edit)
          apply_edit (self, op->key, op->row_id, old_issues);
        else if (just_rows)
          apply_rows (self, op->key);
        else
          apply_snapshot (self, force);
        /* What each saved edit costs the UI thread (read by benchmarks/bench-form). */
        g_debug ("%s shown in %.3f ms", just_edit ? "edit" : just_rows ? "rows" : "snapshot",
                 (g_get_monotonic_time () - start) / 1000.0);
      }
      if (force)
        restore_failures (self);
      build_rest (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REPORT]);

      if (op->kind == OP_ADD_ROW && op->error == NULL)
        {
          BcTableEditor *table = g_hash_table_lookup (self->tables, op->key);
          const BcField *field = table != NULL ? bc_table_editor_get_field (table) : NULL;

          GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
          GtkWidget *now = root != NULL ? gtk_root_get_focus (root) : NULL;
          gboolean on_add = now != NULL && table != NULL &&
                            gtk_widget_is_ancestor (now, GTK_WIDGET (table)) &&
                            gtk_widget_get_ancestor (now, BC_TYPE_FIELD_EDITOR) == NULL;

          /* Typing goes on in the row just added, unless the user has
           * moved on to another input meanwhile. */
          if (field != NULL && field->columns->len > 0 &&
              (self->focus_serial == self->add_row_serial || on_add))
            {
              const BcField *first = g_ptr_array_index (field->columns, 0);
              BcFieldEditor *cell;

              bc_table_editor_show_row (table, op->new_row_id);
              cell = bc_table_editor_get_cell (table, op->new_row_id, first->id);

              if (cell != NULL)
                {
                  bc_field_editor_focus_input (cell);
                  /* The view goes where the focus went. */
                  scroll_to_widget_soon (self, gtk_widget_get_parent (gtk_widget_get_parent (GTK_WIDGET (cell))));
                }
            }
        }

      /* One check waiting is enough: it reads the report when it runs. */
      if (op->unchecked && !edit_queue_has_check (self->queue, self->report_id))
        enqueue (self, op_new (self, OP_CHECK));
    }
  else if (op->kind == OP_ADD_ROW || op->kind == OP_REMOVE_ROW || op->kind == OP_MOVE_ROW)
    {
      /* No snapshot to show (the reload failed): the table takes row
       * operations again once none is on its way. */
      BcTableEditor *table = self->tables != NULL ? g_hash_table_lookup (self->tables, op->key) : NULL;

      if (table != NULL)
        bc_table_editor_set_busy (table, edit_queue_changes_rows (self->queue, self->report_id, op->key));
    }

  update_save_state (self);
}

/* --- focus ----------------------------------------------------------------- */

static GtkWidget *
widget_for_path (BcFormView *self,
                 const char *path)
{
  const char *bracket = strchr (path, '[');
  const BcField *field;

  if (self->template_ == NULL || self->built_for == NULL)
    return NULL;

  if (bracket != NULL)
    {
      g_autofree char *table_id = g_strndup (path, bracket - path);
      g_autofree char *number = NULL;
      const char *close = strchr (bracket, ']');
      const char *dot = strrchr (table_id, '.');
      BcTableEditor *table;
      guint64 row;

      if (close == NULL || close[1] != '.')
        return NULL;

      /* "services.services_by_sector[2].sector" names the table with its section. */
      field = bc_template_lookup_field (self->template_, dot != NULL ? dot + 1 : table_id);
      if (field != NULL)
        build_through (self, field->section);
      table = g_hash_table_lookup (self->tables, dot != NULL ? dot + 1 : table_id);
      number = g_strndup (bracket + 1, close - bracket - 1);
      if (table == NULL || !g_ascii_string_to_unsigned (number, 10, 1, G_MAXUINT, &row, NULL))
        return NULL;

      bc_table_editor_show_row (table, bc_table_editor_get_row_id (table, (guint) row - 1));
      return (GtkWidget *) bc_table_editor_get_cell_at (table, (guint) row - 1, close + 2);
    }

  field = bc_template_lookup_field (self->template_, path);
  if (field == NULL)
    return NULL;

  if (field->table != NULL)
    field = field->table;

  build_through (self, field->section);
  if (field->type == BC_FIELD_TABLE)
    return g_hash_table_lookup (self->tables, field->id);

  return g_hash_table_lookup (self->editors, field->id);
}

static void
scroll_to_widget (BcFormView *self,
                  GtkWidget  *widget)
{
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (self->scrolled);
  GtkWidget *content = gtk_widget_get_parent (self->sections_box);
  graphene_rect_t bounds;
  double value, page;

  /* A widget just added has no place yet: its bounds would say the top. */
  if (gtk_widget_get_height (widget) <= 0 || !gtk_widget_compute_bounds (widget, content, &bounds))
    return;

  value = gtk_adjustment_get_value (adjustment);
  page = gtk_adjustment_get_page_size (adjustment);

  /* Only scroll when the field is not already in full view; then show a
   * little of what comes before it. */
  if (bounds.origin.y >= value && bounds.origin.y + bounds.size.height <= value + page)
    return;

  gtk_adjustment_set_value (adjustment, MAX (0.0, bounds.origin.y - 48.0));
}

static gboolean
scroll_tick_cb (GtkWidget     *widget,
                GdkFrameClock *clock,
                gpointer       user_data)
{
  BcFormView *self = BC_FORM_VIEW (widget);

  /* Ticks come before the frame's layout: wait for the frame after the
   * one that gave the widget its place. */
  if (self->scroll_target != NULL && gtk_widget_get_height (self->scroll_target) <= 0 &&
      ++self->scroll_frames < 10)
    return G_SOURCE_CONTINUE;

  self->scroll_tick = 0;
  if (self->scroll_target != NULL)
    scroll_to_widget (self, self->scroll_target);
  g_clear_weak_pointer (&self->scroll_target);

  return G_SOURCE_REMOVE;
}

static gboolean
keep_tick_cb (GtkWidget     *widget,
              GdkFrameClock *clock,
              gpointer       user_data)
{
  BcFormView *self = BC_FORM_VIEW (widget);
  int width = gtk_widget_get_width (self->sections_box);

  if (self->keep_target != NULL)
    scroll_to_widget (self, self->keep_target);

  /* Until the width has stayed the same for a few frames (the panel's
   * animation is over), and at most 120 frames. */
  if (width != self->keep_width)
    {
      self->keep_width = width;
      self->keep_stable = 0;
    }
  else
    self->keep_stable++;

  if (self->keep_target != NULL && self->keep_stable < 4 && ++self->keep_frames < 120)
    return G_SOURCE_CONTINUE;

  self->keep_tick = 0;
  g_clear_weak_pointer (&self->keep_target);
  return G_SOURCE_REMOVE;
}

/* Whether any of `widget` is in the form's view. */
static gboolean
partly_in_view (BcFormView *self,
                GtkWidget  *widget)
{
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (self->scrolled);
  GtkWidget *content = gtk_widget_get_parent (self->sections_box);
  double value = gtk_adjustment_get_value (adjustment);
  graphene_rect_t bounds;

  return gtk_widget_get_mapped (widget) && gtk_widget_get_height (widget) > 0 &&
         gtk_widget_compute_bounds (widget, content, &bounds) &&
         bounds.origin.y < value + gtk_adjustment_get_page_size (adjustment) &&
         bounds.origin.y + bounds.size.height > value;
}

/* Scrolls to a widget now and once more at the next frame, when a form
 * just built or a row just added has its place. */
static void
scroll_to_widget_soon (BcFormView *self,
                       GtkWidget  *widget)
{
  scroll_to_widget (self, widget);
  g_set_weak_pointer (&self->scroll_target, widget);
  self->scroll_frames = 0;
  if (self->scroll_tick == 0)
    self->scroll_tick = gtk_widget_add_tick_callback (GTK_WIDGET (self), scroll_tick_cb, NULL, NULL);
}

static void
on_issue_activated (BcIssueList *list,
                    const char  *path,
                    BcFormView  *self)
{
  gtk_popover_popdown (self->issues_popover);
  bc_form_view_focus_path (self, path);
}

/* --- GObject --------------------------------------------------------------- */

static void
detach_queue (BcFormView *self)
{
  if (self->queue == NULL)
    return;

  /* The queue finishes on its own: nothing handed over is dropped. */
  self->queue->view = NULL;
  g_clear_pointer (&self->queue, edit_queue_unref);
}

static void
bc_form_view_dispose (GObject *object)
{
  BcFormView *self = BC_FORM_VIEW (object);

  flush_all (self);
  detach_queue (self);

  g_clear_weak_pointer (&self->focus_editor);
  g_clear_weak_pointer (&self->scroll_target);
  g_clear_weak_pointer (&self->keep_target);
  if (self->keep_tick != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->keep_tick);
      self->keep_tick = 0;
    }
  if (self->scroll_tick != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->scroll_tick);
      self->scroll_tick = 0;
    }
  g_clear_handle_id (&self->build_idle, g_source_remove);
  g_clear_handle_id (&self->drop_idle, g_source_remove);
  if (self->dropped != NULL)
    g_ptr_array_set_size (self->dropped, 0);
  if (self->editors != NULL)
    {
      g_hash_table_remove_all (self->editors);
      g_hash_table_remove_all (self->tables);
      g_hash_table_remove_all (self->repeated);
    }
  if (self->sections != NULL)
    g_ptr_array_set_size (self->sections, 0);

  gtk_widget_dispose_template (GTK_WIDGET (self), BC_TYPE_FORM_VIEW);

  g_clear_object (&self->report);
  g_clear_object (&self->previous);
  g_clear_object (&self->template_);
  g_clear_object (&self->workbook);
  g_clear_pointer (&self->issues, g_ptr_array_unref);

  G_OBJECT_CLASS (bc_form_view_parent_class)->dispose (object);
}

static void
bc_form_view_finalize (GObject *object)
{
  BcFormView *self = BC_FORM_VIEW (object);

  g_clear_pointer (&self->editors, g_hash_table_unref);
  g_clear_pointer (&self->tables, g_hash_table_unref);
  g_clear_pointer (&self->repeated, g_hash_table_unref);
  g_clear_pointer (&self->dropped, g_ptr_array_unref);
  g_clear_pointer (&self->sections, g_ptr_array_unref);
  g_clear_pointer (&self->failures, g_hash_table_unref);
  g_clear_pointer (&self->background, g_hash_table_unref);
  g_clear_pointer (&self->left, g_hash_table_unref);
  g_clear_pointer (&self->readers, g_hash_table_unref);
  g_free (self->report_id);
  g_free (self->lang);
  g_free (self->focus_path);
  g_free (self->save_error);

  G_OBJECT_CLASS (bc_form_view_parent_class)->finalize (object);
}

static void
bc_form_view_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  BcFormView *self = BC_FORM_VIEW (object);

  switch (prop_id)
    {
    case PROP_REPORT_ID:
      g_value_set_string (value, self->report_id);
      break;
    case PROP_REPORT:
      g_value_set_object (value, self->report);
      break;
    case PROP_SAVE_STATE:
      g_value_set_enum (value, self->save_state);
      break;
    case PROP_SAVE_ERROR:
      g_value_set_string (value, self->save_error);
      break;
    case PROP_N_ERRORS:
      g_value_set_uint (value, self->n_errors);
      break;
    case PROP_N_WARNINGS:
      g_value_set_uint (value, self->n_warnings);
      break;
    case PROP_FOCUS_PATH:
      g_value_set_string (value, self->focus_path);
      break;
    case PROP_HAS_REFUSED_INPUT:
      g_value_set_boolean (value, self->has_refused);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bc_form_view_class_init (BcFormViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = bc_form_view_dispose;
  object_class->finalize = bc_form_view_finalize;
  object_class->get_property = bc_form_view_get_property;

  properties[PROP_REPORT_ID] =
    g_param_spec_string ("report-id", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_REPORT] =
    g_param_spec_object ("report", NULL, NULL, BC_TYPE_REPORT,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SAVE_STATE] =
    g_param_spec_enum ("save-state", NULL, NULL, BC_TYPE_SAVE_STATE, BC_SAVE_STATE_IDLE,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SAVE_ERROR] =
    g_param_spec_string ("save-error", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_ERRORS] =
    g_param_spec_uint ("n-errors", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_WARNINGS] =
    g_param_spec_uint ("n-warnings", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FOCUS_PATH] =
    g_param_spec_string ("focus-path", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* A field holds what was typed but refused (150 in a percentage): it is
   * not saved, and would be lost on closing. */
  properties[PROP_HAS_REFUSED_INPUT] =
    g_param_spec_boolean ("has-refused-input", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* An edit of a report no longer shown could not be saved (report id,
   * message). It is shown again when that report is. */
  signals[BACKGROUND_SAVE_FAILED] =
    g_signal_new ("background-save-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);

  g_type_ensure (BC_TYPE_ISSUE_LIST);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/baocao/Baocao/bc-form-view.ui");
  gtk_widget_class_bind_template_child (widget_class, BcFormView, banner);
  gtk_widget_class_bind_template_child (widget_class, BcFormView, banner_label);
  gtk_widget_class_bind_template_child (widget_class, BcFormView, stack);
  gtk_widget_class_bind_template_child (widget_class, BcFormView, error_page);
  gtk_widget_class_bind_template_child (widget_class, BcFormView, scrolled);
  gtk_widget_class_bind_template_child (widget_class, BcFormView, sections_box);
  gtk_widget_class_bind_template_child (widget_class, BcFormView, footer);
  gtk_widget_class_bind_template_child (widget_class, BcFormView, issues_button);
  gtk_widget_class_bind_template_child (widget_class, BcFormView, issues_popover);
  gtk_widget_class_bind_template_child (widget_class, BcFormView, issue_list);
  gtk_widget_class_bind_template_callback (widget_class, on_issue_activated);

  gtk_widget_class_set_css_name (widget_class, "bcformview");
}

static void
bc_form_view_init (BcFormView *self)
{
  bc_i18n_init ();

  gtk_widget_init_template (GTK_WIDGET (self));

  self->lang = g_strdup (bc_i18n_language ());
  self->sections = g_ptr_array_new_with_free_func ((GDestroyNotify) section_view_free);
  self->editors = g_hash_table_new (g_str_hash, g_str_equal);
  self->tables = g_hash_table_new (g_str_hash, g_str_equal);
  self->repeated = g_hash_table_new (g_str_hash, g_str_equal);
  self->dropped = g_ptr_array_new_with_free_func (g_object_unref);
  self->failures = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->background = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                            (GDestroyNotify) g_hash_table_unref);
  self->left = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->readers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) g_ptr_array_unref);

  gtk_stack_set_visible_child_name (self->stack, "empty");
}

GtkWidget *
bc_form_view_new (void)
{
  return g_object_new (BC_TYPE_FORM_VIEW, NULL);
}

void
bc_form_view_load (BcFormView *self,
                   BcWorkbook *workbook,
                   const char *report_id)
{
  gboolean same_workbook, same_report;

  g_return_if_fail (BC_IS_FORM_VIEW (self));
  g_return_if_fail (workbook == NULL || BC_IS_WORKBOOK (workbook));

  /* Whatever was typed in the report shown so far goes to it first. */
  flush_all (self);

  same_workbook = workbook == self->workbook;
  same_report = same_workbook && g_strcmp0 (report_id, self->report_id) == 0;

  if (workbook != self->workbook)
    {
      g_hash_table_remove_all (self->background);
      detach_queue (self);
      clear_form (self);
      g_set_object (&self->workbook, workbook);
      if (workbook != NULL)
        {
          self->queue = edit_queue_new (workbook);
          self->queue->view = self;
        }
    }

  if (!same_report)
    {
      /* The widgets stay when the next report has the same template (they
       * are rebuilt otherwise): only what they show is reset, and the
       * first snapshot of the new report replaces it all. Until then the
       * form is not shown, so nothing can be typed into the wrong report. */
      gtk_stack_set_visible_child_name (self->stack, "loading");
      g_clear_weak_pointer (&self->focus_editor);
      foreach_editor (self, reset_one, NULL);
      gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->scrolled), 0);
      g_clear_object (&self->report);
      g_clear_object (&self->previous);
      g_clear_object (&self->template_);
      g_clear_pointer (&self->issues, g_ptr_array_unref);
      /* What could not be saved is said again when the report comes back. */
      if (self->report_id != NULL && g_hash_table_size (self->failures) > 0 &&
          same_workbook)
        {
          g_hash_table_replace (self->background, g_strdup (self->report_id),
                                g_steal_pointer (&self->failures));
          self->failures = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
        }
      g_hash_table_remove_all (self->failures);
      g_clear_pointer (&self->focus_path, g_free);
      g_hash_table_remove_all (self->left);
      self->show_required = FALSE;
      self->edited = FALSE;
      self->loaded = FALSE;
      g_free (self->report_id);
      self->report_id = g_strdup (report_id);
      update_counts (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REPORT_ID]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REPORT]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FOCUS_PATH]);
    }

  if (self->workbook == NULL || self->report_id == NULL)
    {
      gtk_stack_set_visible_child_name (self->stack, "empty");
      gtk_action_bar_set_revealed (self->footer, FALSE);
      gtk_revealer_set_reveal_child (self->banner, FALSE);
      update_save_state (self);
      return;
    }

  if (!self->loaded)
    gtk_stack_set_visible_child_name (self->stack, "loading");

  enqueue (self, op_new (self, OP_LOAD));
}

const char *
bc_form_view_get_report_id (BcFormView *self)
{
  g_return_val_if_fail (BC_IS_FORM_VIEW (self), NULL);

  return self->report_id;
}

BcReport *
bc_form_view_get_report (BcFormView *self)
{
  g_return_val_if_fail (BC_IS_FORM_VIEW (self), NULL);

  return self->report;
}

gboolean
bc_form_view_is_complete (BcFormView *self)
{
  g_return_val_if_fail (BC_IS_FORM_VIEW (self), FALSE);

  return self->loaded && self->report != NULL && self->built_for == self->template_ &&
         form_complete (self);
}

BcSaveState
bc_form_view_get_save_state (BcFormView *self)
{
  g_return_val_if_fail (BC_IS_FORM_VIEW (self), BC_SAVE_STATE_IDLE);

  return self->save_state;
}

const char *
bc_form_view_get_save_error (BcFormView *self)
{
  g_return_val_if_fail (BC_IS_FORM_VIEW (self), NULL);

  return self->save_error;
}

guint
bc_form_view_get_n_errors (BcFormView *self)
{
  g_return_val_if_fail (BC_IS_FORM_VIEW (self), 0);

  return self->n_errors;
}

guint
bc_form_view_get_n_warnings (BcFormView *self)
{
  g_return_val_if_fail (BC_IS_FORM_VIEW (self), 0);

  return self->n_warnings;
}

const char *
bc_form_view_get_focus_path (BcFormView *self)
{
  g_return_val_if_fail (BC_IS_FORM_VIEW (self), NULL);

  return self->focus_path;
}

gboolean
bc_form_view_focus_path (BcFormView *self,
                         const char *path)
{
  GtkWidget *widget;

  g_return_val_if_fail (BC_IS_FORM_VIEW (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  widget = widget_for_path (self, path);
  if (widget == NULL || !gtk_widget_is_visible (widget))
    return FALSE;

  /* A table as a whole: its header, where its issues are. */
  if (BC_IS_TABLE_EDITOR (widget))
    {
      BcTableEditor *table = BC_TABLE_EDITOR (widget);

      if (bc_table_editor_get_n_rows (table) > 0)
        {
          const BcField *field = bc_table_editor_get_field (table);
          const BcField *first = g_ptr_array_index (field->columns, 0);

          bc_table_editor_show_row (table, bc_table_editor_get_row_id (table, 0));
          bc_field_editor_focus_input (bc_table_editor_get_cell_at (table, 0, first->id));
        }
      scroll_to_widget_soon (self, widget);
      return TRUE;
    }

  bc_field_editor_focus_input (BC_FIELD_EDITOR (widget));
  scroll_to_widget_soon (self, widget);

  return TRUE;
}

void
bc_form_view_reload (BcFormView *self)
{
  g_return_if_fail (BC_IS_FORM_VIEW (self));

  if (self->workbook == NULL || self->report_id == NULL)
    return;

  bc_form_view_load (self, self->workbook, self->report_id);
}

static guint
count_invalid (BcFormView *self)
{
  guint n = 0;

  foreach_editor (self, count_invalid_cb, &n);

  return n;
}

void
bc_form_view_change_status_async (BcFormView          *self,
                                  BcStatus             status,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Op *op;

  g_return_if_fail (BC_IS_FORM_VIEW (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, bc_form_view_change_status_async);

  if (self->queue == NULL || self->report_id == NULL || !self->loaded)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                               _("No report is open: open one first."));
      return;
    }

  /* What is typed goes ahead of the change, so that it is in the report
   * that changes status. */
  flush_all (self);

  /* Asked to be ready: every field says what it lacks. */
  if (status == BC_STATUS_READY && !self->show_required)
    {
      self->show_required = TRUE;
      if (self->report != NULL && self->template_ != NULL)
        apply_snapshot (self, FALSE);
    }

  if (g_hash_table_size (self->failures) > 0 || count_invalid (self) > 0)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED,
                               _("A value is not saved yet: fix or clear it first."));
      return;
    }

  op = op_new (self, OP_SET_STATUS);
  op->status = status;
  op->caller = g_steal_pointer (&task);
  enqueue (self, op);

  /* Read-only from now on, so that nothing typed meanwhile is lost. */
  if (self->report != NULL && self->template_ != NULL)
    apply_snapshot (self, FALSE);
}

gboolean
bc_form_view_change_status_finish (BcFormView    *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (BC_IS_FORM_VIEW (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == bc_form_view_change_status_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
bc_form_view_has_refused_input (BcFormView *self)
{
  g_return_val_if_fail (BC_IS_FORM_VIEW (self), FALSE);

  return self->has_refused;
}

static void
collect_refused (GtkWidget *widget,
                 GPtrArray *refused)
{
  if (BC_IS_FIELD_EDITOR (widget) && bc_field_editor_get_invalid (BC_FIELD_EDITOR (widget)))
    g_ptr_array_add (refused, widget);

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_refused (child, refused);
}

static void
confirm_discard_response_cb (AdwMessageDialog *dialog,
                             const char       *response,
                             gpointer          user_data)
{
  g_autoptr(GTask) task = user_data;
  BcFormView *self = g_task_get_source_object (task);
  BcFieldEditor *editor = g_object_get_data (G_OBJECT (task), "editor");

  /* The task is answered once: a dialog answered by a call may answer
   * again as it closes. */
  g_signal_handlers_disconnect_by_func (dialog, confirm_discard_response_cb, user_data);

  if (g_strcmp0 (response, "discard") == 0)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  /* Back to the value, to fix it. */
  if (editor != NULL && gtk_widget_get_root (GTK_WIDGET (editor)) != NULL)
    {
      bc_field_editor_focus_input (editor);
      scroll_to_widget (self, GTK_WIDGET (editor));
    }
  g_task_return_boolean (task, FALSE);
}

void
bc_form_view_confirm_discard_async (BcFormView          *self,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GPtrArray) refused = g_ptr_array_new ();
  g_autofree char *name = NULL;
  g_autofree char *text = NULL;
  g_autofree char *body = NULL;
  GtkRoot *root;
  AdwMessageDialog *dialog;
  BcFieldEditor *first;

  g_return_if_fail (BC_IS_FORM_VIEW (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, bc_form_view_confirm_discard_async);

  collect_refused (self->sections_box, refused);
  if (refused->len == 0)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  first = g_ptr_array_index (refused, 0);
  name = bc_field_editor_dup_name (first);
  text = bc_field_editor_dup_text (first);
  if (refused->len == 1)
    /* TRANSLATORS: asked on closing the window or opening another report;
     * the field's name, then what it holds */
    body = g_strdup_printf (_("“%s” holds “%s”, which does not fit the field and is not saved. Leaving the report now loses it."),
                            name, text);
  else
    body = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "%u field holds a value that does not fit and is not saved, the first “%s” in “%s”. Leaving the report now loses it.",
                                         "%u fields hold values that do not fit and are not saved, the first “%s” in “%s”. Leaving the report now loses them.",
                                         refused->len),
                            refused->len, text, name);

  root = gtk_widget_get_root (GTK_WIDGET (self));
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                       g_dngettext (GETTEXT_PACKAGE,
                                                                    "Discard a Value That Is Not Saved?",
                                                                    "Discard Values That Are Not Saved?",
                                                                    refused->len),
                                                       body));
  adw_message_dialog_add_responses (dialog,
                                    "back", _("_Go Back"),
                                    "discard", _("_Discard"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "discard", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "back");
  adw_message_dialog_set_close_response (dialog, "back");
  gtk_widget_set_name (GTK_WIDGET (dialog), "discard-refused-dialog");
  g_object_set_data_full (G_OBJECT (task), "editor", g_object_ref (first), g_object_unref);
  g_signal_connect (dialog, "response", G_CALLBACK (confirm_discard_response_cb), g_steal_pointer (&task));
  gtk_window_present (GTK_WINDOW (dialog));
}

gboolean
bc_form_view_confirm_discard_finish (BcFormView    *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  g_return_val_if_fail (BC_IS_FORM_VIEW (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
close_confirmed_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  BcFormView *self = BC_FORM_VIEW (source);
  g_autoptr(GtkWindow) window = user_data;

  if (bc_form_view_confirm_discard_finish (self, result, NULL))
    {
      self->discard_refused = TRUE;
      gtk_window_close (window);
    }
}

gboolean
bc_form_view_hold_close (BcFormView *self,
                         GtkWindow  *window)
{
  g_return_val_if_fail (BC_IS_FORM_VIEW (self), FALSE);
  g_return_val_if_fail (GTK_IS_WINDOW (window), FALSE);

  if (!self->has_refused || self->discard_refused)
    return FALSE;

  bc_form_view_confirm_discard_async (self, NULL, close_confirmed_cb, g_object_ref (window));

  return TRUE;
}

void
bc_form_view_keep_focus_in_view (BcFormView *self)
{
  g_return_if_fail (BC_IS_FORM_VIEW (self));

  if (self->focus_editor == NULL || !partly_in_view (self, GTK_WIDGET (self->focus_editor)))
    return;

  g_set_weak_pointer (&self->keep_target, GTK_WIDGET (self->focus_editor));
  self->keep_width = gtk_widget_get_width (self->sections_box);
  self->keep_frames = 0;
  self->keep_stable = 0;
  if (self->keep_tick == 0)
    self->keep_tick = gtk_widget_add_tick_callback (GTK_WIDGET (self), keep_tick_cb, NULL, NULL);
}

BcIssueList *
bc_form_view_get_issue_list (BcFormView *self)
{
  g_return_val_if_fail (BC_IS_FORM_VIEW (self), NULL);

  return self->issue_list;
}
