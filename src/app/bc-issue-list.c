/* bc-issue-list.c: every error and warning of a report, in form order.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bc-issue-list"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "bc-issue-list.h"
#include "bc-table-editor.h"

struct _BcIssueList
{
  GtkWidget   parent_instance;

  GtkListBox *list_box;
  GPtrArray  *paths;   /* char*, one per row */

  /* What to show, kept until the list is shown: building its rows after
   * every saved edit while the list is hidden is wasted work. */
  BcTemplate *template_;
  GPtrArray  *issues;
  char       *lang;
  gboolean    stale;
  gboolean    blocking_only;
  /* The issues shown, in the order of their fields in the form. */
  GPtrArray  *shown;
};

static void rebuild (BcIssueList *self);

enum {
  ACTIVATE_PATH,
  ISSUES_CHANGED,
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
  g_clear_pointer (&self->shown, g_ptr_array_unref);
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
  signals[ISSUES_CHANGED] =
    g_signal_new ("issues-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/baocao/Baocao/bc-issue-list.ui");
  gtk_widget_class_bind_template_child (widget_class, BcIssueList, list_box);
  gtk_widget_class_bind_template_callback (widget_class, on_row_activated);
}

static void
bc_issue_list_init (BcIssueList *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->paths = g_ptr_array_new_with_free_func (g_free);
  self->shown = g_ptr_array_new ();
}

GtkWidget *
bc_issue_list_new (void)
{
  return g_object_new (BC_TYPE_ISSUE_LIST, NULL);
}

/* The section a field is drawn in: a column's is its table's. */
static const BcSection *
field_section (const BcField *field)
{
  if (field->section != NULL)
    return field->section;
  if (field->table != NULL)
    return field->table->section;
  return NULL;
}

char *
bc_issue_dup_where (BcTemplate    *template_,
                    const BcIssue *issue,
                    const char    *lang)
{
  const BcField *field;
  const BcSection *section;
  const char *bracket;
  GString *where;

  g_return_val_if_fail (BC_IS_TEMPLATE (template_), NULL);
  g_return_val_if_fail (issue != NULL, NULL);

  field = bc_template_lookup_field (template_, issue->key);
  if (field == NULL)
    return NULL;

  where = g_string_new (NULL);
  section = field_section (field);
  if (section != NULL)
    g_string_append (where, bc_text_get (&section->title, lang));

  bracket = strchr (issue->path, '[');
  if (field->table != NULL && bracket != NULL)
    {
      guint64 row = g_ascii_strtoull (bracket + 1, NULL, 10);
      g_autofree char *row_text = NULL;

      /* The row as the form names it: "Finding 3" */
      row_text = bc_table_editor_dup_row_name (field->table, (guint) row, lang);
      if (where->len > 0)
        g_string_append (where, " › ");
      g_string_append (where, row_text);
    }

  return g_string_free (where, FALSE);
}

char *
bc_issue_dup_place (BcTemplate    *template_,
                    const BcIssue *issue,
                    const char    *lang)
{
  const BcField *field;
  g_autofree char *where = NULL;

  g_return_val_if_fail (BC_IS_TEMPLATE (template_), NULL);
  g_return_val_if_fail (issue != NULL, NULL);

  field = bc_template_lookup_field (template_, issue->key);
  /* A rule about the whole report: it has no field to name. */
  if (field == NULL)
    return g_strdup (_("The whole report"));

  where = bc_issue_dup_where (template_, issue, lang);
  if (where == NULL || *where == '\0')
    return g_strdup (bc_text_get (&field->label, lang));

  return g_strdup_printf ("%s › %s", where, bc_text_get (&field->label, lang));
}

gboolean
bc_issue_is_blocking (const BcIssue *issue)
{
  g_return_val_if_fail (issue != NULL, FALSE);

  return issue->severity == BC_SEVERITY_ERROR || issue->justification == NULL;
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

  g_signal_emit (self, signals[ISSUES_CHANGED], 0);
}

void
bc_issue_list_set_blocking_only (BcIssueList *self,
                                 gboolean     blocking_only)
{
  g_return_if_fail (BC_IS_ISSUE_LIST (self));

  if (self->blocking_only == !!blocking_only)
    return;

  self->blocking_only = !!blocking_only;
  self->stale = TRUE;
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    rebuild (self);
}

static GtkWidget *
new_label (const char *text,
           const char *css_class)
{
  GtkWidget *label = gtk_label_new (text);

  /* Words wrap, never letters, and the list is never narrower than a
   * short sentence: a narrow place breaks "Subject" into "S-ubj-e-ct". */
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_width_chars (GTK_LABEL (label), 16);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 60);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_natural_wrap_mode (GTK_LABEL (label), GTK_NATURAL_WRAP_WORD);
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);
  /* The row carries the whole sentence for a screen reader. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (label),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, text, -1);
  return label;
}

static GtkWidget *
new_row (BcTemplate    *template_,
         const BcIssue *issue,
         const char    *lang)
{
  const BcField *field = bc_template_lookup_field (template_, issue->key);
  g_autofree char *where = bc_issue_dup_where (template_, issue, lang);
  gboolean justified = issue->severity == BC_SEVERITY_WARNING && issue->justification != NULL;
  const char *kind;
  const char *icon_name;
  const char *icon_class;
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *texts = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *icon;
  g_autofree char *accessible = NULL;

  if (issue->severity == BC_SEVERITY_ERROR)
    {
      icon_name = "dialog-error-symbolic";
      icon_class = "error";
      /* TRANSLATORS: the tooltip of an issue's icon */
      kind = _("Error: blocks marking the report ready");
    }
  else if (justified)
    {
      icon_name = "object-select-symbolic";
      icon_class = "dim-label";
      kind = _("Warning, justified");
    }
  else
    {
      icon_name = "dialog-warning-symbolic";
      icon_class = "warning";
      kind = _("Warning: needs a written justification");
    }

  icon = gtk_image_new_from_icon_name (icon_name);
  gtk_widget_set_valign (icon, GTK_ALIGN_START);
  gtk_widget_set_margin_top (icon, 2);
  gtk_widget_add_css_class (icon, icon_class);
  gtk_widget_set_tooltip_text (icon, kind);
  gtk_box_append (GTK_BOX (box), icon);

  if (where != NULL && *where != '\0')
    gtk_box_append (GTK_BOX (texts), new_label (where, "caption"));
  gtk_box_append (GTK_BOX (texts),
                  new_label (field != NULL ? bc_text_get (&field->label, lang)
                                           : _("The whole report"),
                             "heading"));
  gtk_box_append (GTK_BOX (texts), new_label (issue->message, NULL));
  gtk_widget_set_hexpand (texts, TRUE);
  gtk_box_append (GTK_BOX (box), texts);
  gtk_box_append (GTK_BOX (box), gtk_image_new_from_icon_name ("go-next-symbolic"));

  gtk_widget_add_css_class (box, "issue-row");
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  if (justified)
    gtk_widget_add_css_class (row, "justified");

  {
    g_autofree char *place = bc_issue_dup_place (template_, issue, lang);

    /* TRANSLATORS: how a screen reader reads an issue: "Error: blocks marking the report ready. Document details › Signer's title: This field is required." */
    accessible = g_strdup_printf (_("%s. %s: %s"), kind, place, issue->message);
  }
  gtk_accessible_update_property (GTK_ACCESSIBLE (row),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, accessible, -1);
  gtk_widget_set_tooltip_text (row, NULL);

  return row;
}

/* Where an issue comes in the form: its field's place among all fields
 * (a column's inside its table), then its row. */
typedef struct {
  const BcIssue *issue;
  guint          field;
  guint64        row;
  guint          index;
} Placed;

static int
compare_placed (gconstpointer a,
                gconstpointer b)
{
  const Placed *pa = a;
  const Placed *pb = b;

  if (pa->field != pb->field)
    return pa->field < pb->field ? -1 : 1;
  if (pa->row != pb->row)
    return pa->row < pb->row ? -1 : 1;
  return pa->index < pb->index ? -1 : pa->index > pb->index;
}

static guint
field_position (BcTemplate    *template_,
                const BcIssue *issue)
{
  const BcField *field = bc_template_lookup_field (template_, issue->key);
  GPtrArray *sections = bc_template_get_sections (template_);
  guint position = 0;

  if (field == NULL)
    return G_MAXUINT;

  for (guint s = 0; s < sections->len; s++)
    {
      const BcSection *section = g_ptr_array_index (sections, s);

      for (guint f = 0; f < section->fields->len; f++)
        {
          const BcField *candidate = g_ptr_array_index (section->fields, f);

          if (candidate == field)
            return position;
          position++;
          for (guint c = 0; candidate->columns != NULL && c < candidate->columns->len; c++)
            {
              if (g_ptr_array_index (candidate->columns, c) == field)
                return position;
              position++;
            }
        }
    }

  return G_MAXUINT;
}

static void
rebuild (BcIssueList *self)
{
  GtkWidget *child;
  g_autoptr(GArray) placed = NULL;

  self->stale = FALSE;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list_box))) != NULL)
    gtk_list_box_remove (self->list_box, child);
  g_ptr_array_set_size (self->paths, 0);
  g_ptr_array_set_size (self->shown, 0);

  if (self->template_ == NULL || self->issues == NULL)
    return;

  /* Validation lists errors first; the reader goes down the form. */
  placed = g_array_sized_new (FALSE, FALSE, sizeof (Placed), self->issues->len);
  for (guint i = 0; i < self->issues->len; i++)
    {
      const BcIssue *issue = g_ptr_array_index (self->issues, i);
      const char *bracket = strchr (issue->path, '[');
      Placed p = { issue, field_position (self->template_, issue),
                   bracket != NULL ? g_ascii_strtoull (bracket + 1, NULL, 10) : 0, i };

      if (self->blocking_only && !bc_issue_is_blocking (issue))
        continue;
      g_array_append_val (placed, p);
    }
  g_array_sort (placed, compare_placed);

  for (guint i = 0; i < placed->len; i++)
    {
      const BcIssue *issue = g_array_index (placed, Placed, i).issue;

      gtk_list_box_append (self->list_box, new_row (self->template_, issue, self->lang));
      g_ptr_array_add (self->paths, g_strdup (issue->path));
      g_ptr_array_add (self->shown, (gpointer) issue);
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

const BcIssue *
bc_issue_list_get_issue (BcIssueList *self,
                         guint        index)
{
  g_return_val_if_fail (BC_IS_ISSUE_LIST (self), NULL);

  if (self->stale)
    rebuild (self);

  if (index >= self->shown->len)
    return NULL;

  return g_ptr_array_index (self->shown, index);
}

GtkWidget *
bc_issue_list_get_row (BcIssueList *self,
                       guint        index)
{
  g_return_val_if_fail (BC_IS_ISSUE_LIST (self), NULL);

  if (self->stale)
    rebuild (self);

  return GTK_WIDGET (gtk_list_box_get_row_at_index (self->list_box, index));
}

BcTemplate *
bc_issue_list_get_template (BcIssueList *self)
{
  g_return_val_if_fail (BC_IS_ISSUE_LIST (self), NULL);

  return self->template_;
}

GPtrArray *
bc_issue_list_get_issues (BcIssueList *self)
{
  g_return_val_if_fail (BC_IS_ISSUE_LIST (self), NULL);

  return self->issues;
}

const char *
bc_issue_list_get_lang (BcIssueList *self)
{
  g_return_val_if_fail (BC_IS_ISSUE_LIST (self), NULL);

  return self->lang;
}
