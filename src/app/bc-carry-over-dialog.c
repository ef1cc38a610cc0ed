/* bc-carry-over-dialog.c: moves a draft to the version of its form that is
 * for it, after showing what moves, what is new and what would be lost.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The preview and the move both run off the UI thread. Nothing is dropped
 * unless its box is ticked: "Move" stays greyed until every value that
 * would be lost is, and the core refuses any loss it was not told of.
 */
#define G_LOG_DOMAIN "bc-carry-over"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "bc-carry-over-dialog.h"
#include "bc-i18n.h"
#include "bc-period.h"

struct _BcCarryOverDialog
{
  AdwWindow       parent_instance;

  AdwWindowTitle *title_widget;
  GtkWidget      *cancel_button;
  GtkWidget      *move_button;
  GtkStack       *stack;
  AdwStatusPage  *error_page;
  GtkLabel       *intro_label;
  AdwPreferencesGroup *moves_group;
  AdwPreferencesGroup *new_group;
  AdwPreferencesGroup *lost_group;
  GtkLabel       *hint_label;
  GtkLabel       *error_label;

  BcWorkbook     *workbook;
  char           *report_id;
  GCancellable   *cancellable;
  GPtrArray      *drop_checks;      /* GtkCheckButton*, each with its "key" */
  int             target_version;
  gboolean        ready;
  gboolean        can_move;         /* a preview to act on */
  gboolean        moving;
};

enum {
  SIGNAL_CARRIED_OVER,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (BcCarryOverDialog, bc_carry_over_dialog, ADW_TYPE_WINDOW)

/* --- the preview, worked out off the UI thread ----------------------------- */

/* What a thread works on: its own references, never the dialog's fields
 * (the dialog can be destroyed while it runs). */
typedef struct {
  BcWorkbook   *workbook;
  char         *report_id;
  GStrv         drop;
  GApplication *application;  /* held while the report is written */
} MoveRequest;

static void
move_request_free (MoveRequest *request)
{
  g_clear_object (&request->workbook);
  g_free (request->report_id);
  g_strfreev (request->drop);
  if (request->application != NULL)
    g_application_release (request->application);
  g_free (request);
}


typedef struct {
  GPtrArray  *changes;    /* BcCarryOverChange* */
  BcReport   *report;
  BcTemplate *current;    /* the draft's version, NULL when not installed */
  BcTemplate *target;
} Preview;

static void
preview_free (Preview *preview)
{
  g_clear_pointer (&preview->changes, g_ptr_array_unref);
  g_clear_object (&preview->report);
  g_clear_object (&preview->current);
  g_clear_object (&preview->target);
  g_free (preview);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Preview, preview_free)

static void
preview_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  MoveRequest *request = task_data;
  BcTemplateRegistry *templates = bc_workbook_get_templates (request->workbook);
  g_autoptr(Preview) preview = g_new0 (Preview, 1);
  GError *error = NULL;
  BcTemplate *target;

  preview->report = bc_workbook_load_report (request->workbook, request->report_id, &error);
  if (preview->report == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  if (templates == NULL)
    {
      g_task_return_new_error (task, BC_WORKBOOK_ERROR, BC_WORKBOOK_ERROR_TEMPLATE,
                               _("No form templates are loaded."));
      return;
    }
  target = bc_template_registry_lookup_for (templates,
                                            bc_report_get_template_id (preview->report),
                                            bc_report_get_period_id (preview->report),
                                            bc_report_get_unit (preview->report),
                                            &error);
  if (target == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  preview->target = g_object_ref (target);
  preview->current = bc_template_registry_lookup (templates,
                                                  bc_report_get_template_id (preview->report),
                                                  bc_report_get_template_version (preview->report),
                                                  NULL);
  if (preview->current != NULL)
    g_object_ref (preview->current);

  preview->changes = bc_workbook_carry_over_preview (request->workbook, request->report_id, &error);
  if (preview->changes == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  g_task_return_pointer (task, g_steal_pointer (&preview), (GDestroyNotify) preview_free);
}

/* "Tasks — Task" for a column, the label for a field, the key itself when
 * the version at hand does not know it. */
static char *
label_for (BcTemplate *template_,
           const char *key,
           const char *lang)
{
  const BcField *field = template_ != NULL ? bc_template_lookup_field (template_, key) : NULL;

  if (field == NULL)
    return g_strdup (key);
  if (field->table != NULL)
    /* TRANSLATORS: a table's column: "Tasks — Task" */
    return g_strdup_printf (_("%s — %s"), bc_text_get (&field->table->label, lang),
                            bc_text_get (&field->label, lang));
  return g_strdup (bc_text_get (&field->label, lang));
}

typedef struct {
  const char    *key;
  const BcField *field;
  const char    *lang;
  GString       *text;
  guint          n;
} ValueText;

static void
append_value_cb (const char *key,
                 gint64      row_id,
                 const char *value,
                 gpointer    user_data)
{
  ValueText *out = user_data;
  g_autofree char *shown = NULL;

  if (!g_str_equal (key, out->key) || value == NULL || *value == '\0')
    return;

  shown = out->field != NULL ? bc_field_format_value (out->field, value, out->lang) : g_strdup (value);
  if (out->n++ > 0)
    g_string_append (out->text, "; ");
  g_string_append (out->text, shown != NULL ? shown : value);
}

/* What the draft holds under `key` (every row's, for a column), for people. */
static char *
value_for (BcReport   *report,
           BcTemplate *template_,
           const char *key,
           const char *lang)
{
  ValueText out = { key, NULL, lang, g_string_new (NULL), 0 };

  out.field = template_ != NULL ? bc_template_lookup_field (template_, key) : NULL;
  bc_report_foreach_value (report, append_value_cb, &out);

  return g_string_free (out.text, FALSE);
}

static void
note_key_cb (const char *key,
             gint64      row_id,
             const char *value,
             gpointer    user_data)
{
  if (value != NULL && *value != '\0')
    g_hash_table_add (user_data, g_strdup (key));
}

static GtkWidget *
add_row (AdwPreferencesGroup *group,
         const char          *title,
         const char          *subtitle)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  if (subtitle != NULL && *subtitle != '\0')
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 4);
  adw_preferences_group_add (group, row);

  return row;
}

static guint
n_unticked (BcCarryOverDialog *self)
{
  guint n = 0;

  for (guint i = 0; i < self->drop_checks->len; i++)
    if (!gtk_check_button_get_active (g_ptr_array_index (self->drop_checks, i)))
      n++;

  return n;
}

static void
update_move (BcCarryOverDialog *self)
{
  guint left = n_unticked (self);
  const char *why = NULL;
  g_autofree char *hint = NULL;

  if (self->moving)
    why = _("Moving the report…");
  else if (left > 0)
    {
      hint = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "%u value would be lost. Tick it to let it go, or cancel and copy it elsewhere first: nothing is dropped unless you tick it.",
                                           "%u values would be lost. Tick each one to let it go, or cancel and copy them elsewhere first: nothing is dropped unless you tick it.",
                                           left),
                              left);
      why = hint;
    }

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dialog.move", self->can_move && why == NULL);
  gtk_widget_set_tooltip_text (self->move_button, why);
  gtk_label_set_text (self->hint_label, why != NULL ? why : "");
  gtk_widget_set_visible (GTK_WIDGET (self->hint_label), self->can_move && left > 0);
  if (why != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (self->move_button),
                                    GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, why, -1);
  else
    gtk_accessible_reset_property (GTK_ACCESSIBLE (self->move_button),
                                   GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
}

static void
show_error (BcCarryOverDialog *self,
            const char        *message)
{
  adw_status_page_set_description (self->error_page, message);
  gtk_stack_set_visible_child_name (self->stack, "error");
  gtk_widget_set_visible (self->move_button, FALSE);
  gtk_button_set_label (GTK_BUTTON (self->cancel_button), _("_Close"));
  self->can_move = FALSE;
  self->ready = TRUE;
}

static void
preview_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  BcCarryOverDialog *self = BC_CARRY_OVER_DIALOG (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(Preview) preview = g_task_propagate_pointer (G_TASK (result), &error);
  const char *lang = bc_i18n_language ();
  g_autofree char *title = NULL;
  g_autofree char *intro = NULL;
  g_autofree char *period = NULL;
  guint n_moves = 0, n_new = 0, n_lost = 0;
  int from, to;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (preview == NULL)
    {
      show_error (self, error->message);
      return;
    }

  from = bc_report_get_template_version (preview->report);
  to = bc_template_get_version (preview->target);
  self->target_version = to;
  if (to <= from)
    {
      show_error (self, _("This report is already on the version of its form that is for its period: there is nothing to move."));
      return;
    }

  title = g_strdup_printf (_("Move to Version %d"), to);
  adw_window_title_set_title (self->title_widget, title);
  gtk_window_set_title (GTK_WINDOW (self), title);
  {
    BcPeriod parsed;

    if (bc_period_parse (bc_report_get_period_id (preview->report), &parsed, NULL))
      period = bc_period_label (&parsed, lang);
    else
      period = g_strdup (bc_report_get_period_id (preview->report));
  }
  adw_window_title_set_subtitle (self->title_widget,
                                 bc_text_get (bc_template_get_title (preview->target), lang));

  for (guint i = 0; i < preview->changes->len; i++)
    {
      const BcCarryOverChange *change = g_ptr_array_index (preview->changes, i);

      switch (change->kind)
        {
        case BC_CARRY_OVER_MOVES:
          {
            g_autofree char *old_label = label_for (preview->current, change->old_key, lang);
            g_autofree char *new_label = label_for (preview->target, change->new_key, lang);
            g_autofree char *value = value_for (preview->report, preview->current, change->old_key, lang);
            g_autofree char *subtitle =
              *value != '\0'
              /* TRANSLATORS: where a value comes from: “Unit name”: Sở TT&TT */
              ? g_strdup_printf (_("From “%s”: %s"), old_label, value)
              : g_strdup_printf (_("From “%s”"), old_label);

            add_row (self->moves_group, new_label, subtitle);
            n_moves++;
          }
          break;
        case BC_CARRY_OVER_NEW:
          {
            g_autofree char *label = label_for (preview->target, change->new_key, lang);

            add_row (self->new_group, label, NULL);
            n_new++;
          }
          break;
        case BC_CARRY_OVER_LOST:
          {
            g_autofree char *label = label_for (preview->current, change->old_key, lang);
            g_autofree char *value = value_for (preview->report, preview->current, change->old_key, lang);
            g_autofree char *check_label = NULL;
            GtkWidget *row = add_row (self->lost_group, label, value);
            GtkWidget *check = gtk_check_button_new ();

            gtk_widget_set_name (check, "carry-over-drop");
            gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
            /* TRANSLATORS: a check box beside a value that carrying over would lose */
            check_label = g_strdup_printf (_("Let “%s” go"), label);
            gtk_accessible_update_property (GTK_ACCESSIBLE (check),
                                            GTK_ACCESSIBLE_PROPERTY_LABEL, check_label, -1);
            gtk_widget_set_tooltip_text (check, check_label);
            g_object_set_data_full (G_OBJECT (check), "key", g_strdup (change->old_key), g_free);
            adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
            adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
            g_signal_connect_swapped (check, "notify::active", G_CALLBACK (update_move), self);
            g_ptr_array_add (self->drop_checks, check);
            n_lost++;
          }
          break;
        default:
          g_assert_not_reached ();
        }
    }

  /* The draft's version is gone: what is new on the target cannot be told
   * from it. The fields that will have no value are shown instead. */
  if (preview->current == NULL)
    {
      g_autoptr(GHashTable) filled = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      GPtrArray *fields = bc_template_get_fields (preview->target);
      g_autofree char *description =
        g_strdup_printf (_("Version %d is not installed, so what is new cannot be told from it. These fields of version %d will have no value yet: fill them in after the move."),
                         from, to);

      bc_report_foreach_value (preview->report, note_key_cb, filled);
      for (guint i = 0; i < preview->changes->len; i++)
        {
          const BcCarryOverChange *change = g_ptr_array_index (preview->changes, i);

          if (change->kind == BC_CARRY_OVER_MOVES)
            g_hash_table_add (filled, g_strdup (change->new_key));
        }
      for (guint i = 0; i < fields->len; i++)
        {
          const BcField *field = g_ptr_array_index (fields, i);
          GPtrArray *columns = field->type == BC_FIELD_TABLE ? field->columns : NULL;
          guint n = columns != NULL ? columns->len : 1;

          for (guint c = 0; c < n; c++)
            {
              const BcField *one = columns != NULL ? g_ptr_array_index (columns, c) : field;
              g_autofree char *key = bc_field_dup_key (one);
              g_autofree char *label = NULL;

              if (one->compute != NULL || g_hash_table_contains (filled, key))
                continue;
              label = label_for (preview->target, key, lang);
              add_row (self->new_group, label, NULL);
              n_new++;
            }
        }
      adw_preferences_group_set_description (self->new_group, description);
    }

  gtk_widget_set_visible (GTK_WIDGET (self->moves_group), n_moves > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->new_group), n_new > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->lost_group), n_lost > 0);

  if (preview->current == NULL)
    intro = g_strdup_printf (_("This draft for %s was started on version %d of the form, which is no longer installed. Version %d is the one for its period. Check what changes, then move it."),
                             period, from, to);
  else
    intro = g_strdup_printf (_("This draft for %s is on version %d of the form; version %d is now the one for its period. Check what changes, then move it."),
                             period, from, to);
  if (n_moves + n_new + n_lost == 0)
    {
      g_autofree char *more = g_strconcat (intro, " ", _("Every value keeps its place, and no field is added."), NULL);

      g_free (intro);
      intro = g_steal_pointer (&more);
    }
  gtk_label_set_text (self->intro_label, intro);

  {
    g_autofree char *moves_title = g_strdup_printf (_("Moved to a New Place on Version %d"), to);
    g_autofree char *new_title = preview->current != NULL
      ? g_strdup_printf (_("New on Version %d"), to)
      : g_strdup_printf (_("No Value Yet on Version %d"), to);
    g_autofree char *lost_title = g_strdup_printf (_("No Place for It on Version %d"), to);

    adw_preferences_group_set_title (self->moves_group, moves_title);
    adw_preferences_group_set_title (self->new_group, new_title);
    adw_preferences_group_set_title (self->lost_group, lost_title);
  }

  self->can_move = TRUE;
  self->ready = TRUE;
  gtk_stack_set_visible_child_name (self->stack, "preview");
  update_move (self);
}

/* --- moving ------------------------------------------------------------------ */

static void
move_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  MoveRequest *request = task_data;
  GError *error = NULL;

  if (bc_workbook_carry_over_dropping (request->workbook, request->report_id,
                                       (const char * const *) request->drop, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
move_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  BcCarryOverDialog *self = BC_CARRY_OVER_DIALOG (source);
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      self->moving = FALSE;
      gtk_label_set_text (self->error_label, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
      update_move (self);
      return;
    }

  self->moving = FALSE;
  g_signal_emit (self, signals[SIGNAL_CARRIED_OVER], 0, self->report_id);
  gtk_window_close (GTK_WINDOW (self));
}

static void
move_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  BcCarryOverDialog *self = BC_CARRY_OVER_DIALOG (widget);
  g_autoptr(GTask) task = NULL;
  g_autoptr(GStrvBuilder) drop = g_strv_builder_new ();
  MoveRequest *request;

  if (!self->can_move || self->moving || n_unticked (self) > 0)
    return;

  /* Only what the person ticked. */
  for (guint i = 0; i < self->drop_checks->len; i++)
    {
      GtkCheckButton *check = g_ptr_array_index (self->drop_checks, i);

      if (gtk_check_button_get_active (check))
        g_strv_builder_add (drop, g_object_get_data (G_OBJECT (check), "key"));
    }

  request = g_new0 (MoveRequest, 1);
  request->workbook = g_object_ref (self->workbook);
  request->report_id = g_strdup (self->report_id);
  request->drop = g_strv_builder_end (drop);
  request->application = g_application_get_default ();
  if (request->application != NULL)
    g_application_hold (request->application);

  self->moving = TRUE;
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  update_move (self);

  task = g_task_new (self, self->cancellable, move_done_cb, NULL);
  g_task_set_source_tag (task, move_action);
  g_task_set_task_data (task, request, (GDestroyNotify) move_request_free);
  g_task_run_in_thread (task, move_thread);
}

/* --- the dialog -------------------------------------------------------------- */

static void
bc_carry_over_dialog_dispose (GObject *object)
{
  BcCarryOverDialog *self = BC_CARRY_OVER_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), BC_TYPE_CARRY_OVER_DIALOG);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->workbook);
  g_clear_pointer (&self->report_id, g_free);
  g_clear_pointer (&self->drop_checks, g_ptr_array_unref);

  G_OBJECT_CLASS (bc_carry_over_dialog_parent_class)->dispose (object);
}

static void
bc_carry_over_dialog_class_init (BcCarryOverDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = bc_carry_over_dialog_dispose;

  signals[SIGNAL_CARRIED_OVER] =
    g_signal_new ("carried-over", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/baocao/Baocao/bc-carry-over-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, BcCarryOverDialog, title_widget);
  gtk_widget_class_bind_template_child (widget_class, BcCarryOverDialog, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, BcCarryOverDialog, move_button);
  gtk_widget_class_bind_template_child (widget_class, BcCarryOverDialog, stack);
  gtk_widget_class_bind_template_child (widget_class, BcCarryOverDialog, error_page);
  gtk_widget_class_bind_template_child (widget_class, BcCarryOverDialog, intro_label);
  gtk_widget_class_bind_template_child (widget_class, BcCarryOverDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, BcCarryOverDialog, lost_group);
  gtk_widget_class_bind_template_child (widget_class, BcCarryOverDialog, hint_label);
  gtk_widget_class_bind_template_child (widget_class, BcCarryOverDialog, moves_group);
  gtk_widget_class_bind_template_child (widget_class, BcCarryOverDialog, new_group);

  gtk_widget_class_install_action (widget_class, "dialog.move", NULL, move_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
bc_carry_over_dialog_init (BcCarryOverDialog *self)
{
  self->cancellable = g_cancellable_new ();
  self->drop_checks = g_ptr_array_new ();

  gtk_widget_init_template (GTK_WIDGET (self));
  /* Nothing to move until the preview is in. */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dialog.move", FALSE);
}

BcCarryOverDialog *
bc_carry_over_dialog_new (GtkWindow  *parent,
                          BcWorkbook *workbook,
                          const char *report_id)
{
  BcCarryOverDialog *self;
  g_autoptr(GTask) task = NULL;
  MoveRequest *request;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (BC_IS_WORKBOOK (workbook), NULL);
  g_return_val_if_fail (report_id != NULL, NULL);

  self = g_object_new (BC_TYPE_CARRY_OVER_DIALOG,
                       "transient-for", parent,
                       NULL);
  self->workbook = g_object_ref (workbook);
  self->report_id = g_strdup (report_id);
  if (bc_workbook_get_kind (workbook) == BC_WORKBOOK_KIND_DEMO)
    gtk_widget_add_css_class (GTK_WIDGET (self), "demo");

  request = g_new0 (MoveRequest, 1);
  request->workbook = g_object_ref (workbook);
  request->report_id = g_strdup (report_id);
  task = g_task_new (self, self->cancellable, preview_done_cb, NULL);
  g_task_set_source_tag (task, bc_carry_over_dialog_new);
  g_task_set_task_data (task, request, (GDestroyNotify) move_request_free);
  g_task_run_in_thread (task, preview_thread);

  return self;
}

gboolean
bc_carry_over_dialog_get_ready (BcCarryOverDialog *self)
{
  g_return_val_if_fail (BC_IS_CARRY_OVER_DIALOG (self), FALSE);

  return self->ready;
}

int
bc_carry_over_dialog_get_target_version (BcCarryOverDialog *self)
{
  g_return_val_if_fail (BC_IS_CARRY_OVER_DIALOG (self), 0);

  return self->target_version;
}
