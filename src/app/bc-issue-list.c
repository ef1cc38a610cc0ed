/* bc-issue-list.c: every error and warning of a report, in form order.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bc-issue-list"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "bc-issue-list.h"

struct _BcIssueList
{
  GtkWidget   parent_instance;

  GtkListBox *list_box;
  GPtrArray  *paths;   /* char*, one per row */

  /* What to show, kept until the list is shown: building its rows after
   * every saved edit while the popover is closed is wasted work. */
  BcTemplate *template_;
  GPtrArray  *issues;
  char       *lang;
  gboolean    stale;
};

static void rebuild (BcIssueList *self);

enum {
  ACTIVATE_PATH,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (BcIssueList, bc_issue_list, GTK_TYPE_WIDGET)

static void
on_row_activated (GtkListBox    *list_box,
                  GtkListBoxRow *row,
                  BcIssueList   *self)
{
  int index = gtk_list_box_row_get_index (row);

  if (index >= 0 && (guint) index < self->paths->len)
    g_signal_emit (self, signals[ACTIVATE_PATH], 0, g_ptr_array_index (self->paths, index));
}

static void
bc_issue_list_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), BC_TYPE_ISSUE_LIST);

  G_OBJECT_CLASS (bc_issue_list_parent_class)->dispose (object);
}

static void
bc_issue_list_map (GtkWidget *widget)
{
  BcIssueList *self = BC_ISSUE_LIST (widget);

  if (self->stale)
    rebuild (self);

  GTK_WIDGET_CLASS (bc_issue_list_parent_class)->map (widget);
}

static void
bc_issue_list_finalize (GObject *object)
{
  BcIssueList *self = BC_ISSUE_LIST (object);

  g_clear_pointer (&self->paths, g_ptr_array_unref);
  g_clear_object (&self->template_);
  g_clear_pointer (&self->issues, g_ptr_array_unref);
  g_free (self->lang);

  G_OBJECT_CLASS (bc_issue_list_parent_class)->finalize (object);
}

static void
bc_issue_list_class_init (BcIssueListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = bc_issue_list_dispose;
  object_class->finalize = bc_issue_list_finalize;
  widget_class->map = bc_issue_list_map;

  signals[ACTIVATE_PATH] =
    g_signal_new ("activate-path", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/baocao/Baocao/bc-issue-list.ui");
  gtk_widget_class_bind_template_child (widget_class, BcIssueList, list_box);
  gtk_widget_class_bind_template_callback (widget_class, on_row_activated);
}

static void
bc_issue_list_init (BcIssueList *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->paths = g_ptr_array_new_with_free_func (g_free);
}

GtkWidget *
bc_issue_list_new (void)
{
  return g_object_new (BC_TYPE_ISSUE_LIST, NULL);
}

/* "Status, row 2" for a cell, the label for a field. */
static char *
dup_place (BcTemplate    *template_,
           const BcIssue *issue,
           const char    *lang)
{
  const BcField *field = bc_template_lookup_field (template_, issue->key);
  const char *bracket = strchr (issue->path, '[');
  const char *label;

  if (field == NULL)
    return g_strdup (issue->path);

  label = bc_text_get (&field->label, lang);
  if (field->table != NULL && bracket != NULL)
    {
      guint64 row = g_ascii_strtoull (bracket + 1, NULL, 10);
      const char *table = bc_text_get (&field->table->label, lang);

      /* TRANSLATORS: where an issue is: "Findings, row 2: Status" */
      return g_strdup_printf (_("%s, row %u: %s"), table, (guint) row, label);
    }

  return g_strdup (label);
}

void
bc_issue_list_set_issues (BcIssueList *self,
                          BcTemplate  *template_,
                          GPtrArray   *issues,
                          const char  *lang)
{
  g_return_if_fail (BC_IS_ISSUE_LIST (self));
  g_return_if_fail (template_ == NULL || BC_IS_TEMPLATE (template_));

  g_set_object (&self->template_, template_);
  if (issues != NULL)
    g_ptr_array_ref (issues);
  g_clear_pointer (&self->issues, g_ptr_array_unref);
  self->issues = issues;
  g_free (self->lang);
  self->lang = g_strdup (lang);
  self->stale = TRUE;

  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    rebuild (self);
}

static void
rebuild (BcIssueList *self)
{
  GtkWidget *child;
  BcTemplate *template_ = self->template_;
  GPtrArray *issues = self->issues;
  const char *lang = self->lang;

  self->stale = FALSE;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list_box))) != NULL)
    gtk_list_box_remove (self->list_box, child);
  g_ptr_array_set_size (self->paths, 0);

  if (template_ == NULL || issues == NULL)
    return;

  for (guint i = 0; i < issues->len; i++)
    {
      const BcIssue *issue = g_ptr_array_index (issues, i);
      g_autofree char *place = dup_place (template_, issue, lang);
      gboolean justified = issue->severity == BC_SEVERITY_WARNING && issue->justification != NULL;
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *icon;
      const char *icon_name;

      if (issue->severity == BC_SEVERITY_ERROR)
        icon_name = "dialog-error-symbolic";
      else if (justified)
        icon_name = "object-select-symbolic";
      else
        icon_name = "dialog-warning-symbolic";

      icon = gtk_image_new_from_icon_name (icon_name);
      gtk_widget_add_css_class (icon, issue->severity == BC_SEVERITY_ERROR ? "error"
                                      : justified ? "dim-label" : "warning");
      if (issue->severity == BC_SEVERITY_ERROR)
        /* TRANSLATORS: the tooltip of an issue's icon */
        gtk_widget_set_tooltip_text (icon, _("Error: blocks marking the report ready"));
      else if (justified)
        gtk_widget_set_tooltip_text (icon, _("Warning, justified"));
      else
        gtk_widget_set_tooltip_text (icon, _("Warning: needs a written justification"));

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), place);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), issue->message);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("go-next-symbolic"));
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);

      gtk_list_box_append (self->list_box, row);
      g_ptr_array_add (self->paths, g_strdup (issue->path));
    }
}

guint
bc_issue_list_get_n_items (BcIssueList *self)
{
  g_return_val_if_fail (BC_IS_ISSUE_LIST (self), 0);

  if (self->stale)
    rebuild (self);

  return self->paths->len;
}

const char *
bc_issue_list_get_path (BcIssueList *self,
                        guint        index)
{
  g_return_val_if_fail (BC_IS_ISSUE_LIST (self), NULL);

  if (self->stale)
    rebuild (self);

  if (index >= self->paths->len)
    return NULL;

  return g_ptr_array_index (self->paths, index);
}
