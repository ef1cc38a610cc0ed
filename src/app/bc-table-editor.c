/* bc-table-editor.c: a table of a form (a findings list) as a list of row cards.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A long compact table builds only the cards near the view: every row has
 * its place (its measured height, or an estimate), and the cards of the
 * rows a screen above and below what is shown are made as the view
 * scrolls, the others let go. Rows whose fields are open, and the row that
 * holds the focus, keep their cards.
 */
#define G_LOG_DOMAIN "bc-table-editor"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "bc-entry.h"
#include "bc-table-editor.h"

/* Compact tables longer than this build only the cards near the view. */
#define WINDOW_MIN_ROWS 40
#define ROW_SPACING 12

typedef struct {
  BcTableEditor *editor;
  gint64         row_id;
  guint          index;
  int            height;     /* the card's last measured height, 0 if never */
  int            problem;    /* the row's worst problem: 0 none, else severity + 1 */
  GtkWidget     *card;       /* NULL while the row is far from the view */
  GtkWidget     *title;
  GtkWidget     *up;
  GtkWidget     *down;
  GtkWidget     *remove;
  GtkWidget     *expand;     /* compact tables: shows and hides the cells */
  GtkWidget     *summary;    /* compact tables: the row's main values, a line or two */
  GtkWidget     *problem_icon; /* compact tables: an icon when the row has errors or warnings */
  int            problem_shown; /* 0: none, else the severity shown + 1 */
  GtkWidget     *cells_box;
  GPtrArray     *cells;      /* BcFieldEditor*, one per column; empty until built */
  guint          labelled;   /* the index + 1 its texts say, 0 for none yet */
  gint           labelled_shown; /* -1, or whether they say its fields are shown */
} RowCard;

struct _BcTableEditor
{
  GtkWidget      parent_instance;

  const BcField *table;
  char          *lang;
  BcFieldEditor *header;

  /* template children */
  GtkWidget     *header_slot;
  GtkWidget     *empty_label;
  GtkWidget     *rows_box;
  GtkWidget     *rows_area;  /* BcRowsArea: the cards, at their rows' places */
  BcReport      *report;     /* the rows' values, for cards made later */
  GtkAdjustment *vadjustment; /* of the form's scrolled window, while mapped */
  GtkWidget     *scrolled;
  int            estimate;   /* the height of a card not measured yet */
  guint          window_tick;
  GtkWidget     *add_button;
  GtkWidget     *summary_box;
  GtkGrid       *summary_grid;

  GPtrArray     *rows;       /* RowCard*, in order */
  GHashTable    *by_id;      /* gint64* row id → RowCard* */
  gboolean       read_only;
  gboolean       busy;       /* a row operation is on its way */
  gboolean       compact;    /* rows are a line each, their cells shown on demand */
  GHashTable    *expanded;   /* gint64* row ids whose cells are shown */
  GPtrArray     *spare;      /* BcFieldEditor*, a row's cells made ahead, or NULL */
  guint          spare_idle;
};

enum {
  EDITOR_ADDED,
  ROW_SHOWN,
  ADD_ROW,
  REMOVE_ROW,
  MOVE_ROW,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (BcTableEditor, bc_table_editor, GTK_TYPE_WIDGET)

static void
row_card_free (RowCard *row)
{
  g_clear_pointer (&row->cells, g_ptr_array_unref);
  g_free (row);
}

static void
on_add_clicked (GtkButton     *button,
                BcTableEditor *self)
{
  g_signal_emit (self, signals[ADD_ROW], 0);
}

/* The row's position in the snapshot shown, found by its id: never one
 * that an operation still on its way is about to change. */
static gboolean
row_position (RowCard *row,
              guint   *position)
{
  BcTableEditor *self = row->editor;

  if (self->busy || self->read_only)
    return FALSE;

  return g_ptr_array_find (self->rows, g_hash_table_lookup (self->by_id, &row->row_id), position);
}

static void
on_up_clicked (GtkButton *button,
               RowCard   *row)
{
  guint position;

  if (row_position (row, &position) && position > 0)
    g_signal_emit (row->editor, signals[MOVE_ROW], 0, row->row_id, position - 1);
}

static void
on_down_clicked (GtkButton *button,
                 RowCard   *row)
{
  guint position;

  if (row_position (row, &position) && position + 1 < row->editor->rows->len)
    g_signal_emit (row->editor, signals[MOVE_ROW], 0, row->row_id, position + 1);
}

static void
on_remove_clicked (GtkButton *button,
                   RowCard   *row)
{
  guint position;

  /* No confirmation: the removal, with the row's values, is kept in the
   * workbook's history. */
  if (row_position (row, &position))
    g_signal_emit (row->editor, signals[REMOVE_ROW], 0, row->row_id);
}

static GtkWidget *
new_row_button (const char *icon_name)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon_name);

  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);

  return button;
}

char *
bc_table_editor_dup_row_name (const BcField *table,
                              guint          number,
                              const char    *lang)
{
  const char *row_label;

  g_return_val_if_fail (table != NULL, NULL);

  row_label = bc_text_get (&table->row_label, lang);
  if (*row_label != '\0')
    /* TRANSLATORS: a table row named by the template's word for a row and
     * its number: "Finding 12" */
    return g_strdup_printf (C_("row name", "%s %u"), row_label, number);

  /* TRANSLATORS: a row of a table, as the form shows it: "Findings and remediation, row 3" */
  return g_strdup_printf (_("%s, row %u"), bc_text_get (&table->label, lang), number);
}

static void
row_card_update_labels (RowCard *row)
{
  BcTableEditor *self = row->editor;
  guint n = row->index + 1;
  g_autofree char *row_name = NULL;
  g_autofree char *title = NULL;
  g_autofree char *up = NULL;
  g_autofree char *down = NULL;
  g_autofree char *remove = NULL;
  gboolean moved;

  if (row->card == NULL)
    return;

  /* Texts only when the row moved: a long table redoes this for every row
   * at every row operation. */
  moved = row->labelled != n;
  if (!moved)
    goto texts_done;
  row->labelled = n;

  row_name = bc_table_editor_dup_row_name (self->table, n, self->lang);
  if (*bc_text_get (&self->table->row_label, self->lang) != '\0')
    title = g_strdup (row_name);
  else
    /* TRANSLATORS: the title of a table row's card */
    title = g_strdup_printf (_("Row %u"), n);
  gtk_label_set_text (GTK_LABEL (row->title), title);

  up = g_strdup_printf (_("Move row %u up"), n);
  down = g_strdup_printf (_("Move row %u down"), n);
  remove = g_strdup_printf (_("Remove row %u"), n);
  gtk_widget_set_tooltip_text (row->up, up);
  gtk_widget_set_tooltip_text (row->down, down);
  gtk_widget_set_tooltip_text (row->remove, remove);
  /* Named with the row's name, which says the table when the template has
   * no word for a row: every control's name is unique in the form. */
  {
    /* TRANSLATORS: accessible names of a table row's buttons: "Finding 3: move up" */
    g_autofree char *up_name = g_strdup_printf (_("%s: move up"), row_name);
    g_autofree char *down_name = g_strdup_printf (_("%s: move down"), row_name);
    g_autofree char *remove_name = g_strdup_printf (_("%s: remove"), row_name);

    gtk_accessible_update_property (GTK_ACCESSIBLE (row->up), GTK_ACCESSIBLE_PROPERTY_LABEL, up_name, -1);
    gtk_accessible_update_property (GTK_ACCESSIBLE (row->down), GTK_ACCESSIBLE_PROPERTY_LABEL, down_name, -1);
    gtk_accessible_update_property (GTK_ACCESSIBLE (row->remove), GTK_ACCESSIBLE_PROPERTY_LABEL, remove_name, -1);
  }

texts_done:
  gtk_widget_set_sensitive (row->up, !self->read_only && row->index > 0);
  gtk_widget_set_sensitive (row->down, !self->read_only && row->index + 1 < self->rows->len);
  gtk_widget_set_sensitive (row->remove, !self->read_only);

  if (row->expand != NULL &&
      (moved || row->labelled_shown != (gint) gtk_widget_get_visible (row->cells_box)))
    {
      gboolean shown = gtk_widget_get_visible (row->cells_box);
      g_autofree char *name_of_row = bc_table_editor_dup_row_name (self->table, n, self->lang);
      g_autofree char *tip = shown ? g_strdup_printf (_("Hide row %u"), n)
                                   : g_strdup_printf (_("Show row %u"), n);
      /* TRANSLATORS: accessible names of the button that shows a row's fields: "Finding 3: show" */
      g_autofree char *name = shown ? g_strdup_printf (_("%s: hide"), name_of_row)
                                    : g_strdup_printf (_("%s: show"), name_of_row);

      row->labelled_shown = shown;
      gtk_button_set_icon_name (GTK_BUTTON (row->expand), shown ? "pan-down-symbolic" : "pan-end-symbolic");
      gtk_widget_set_tooltip_text (row->expand, tip);
      gtk_accessible_update_property (GTK_ACCESSIBLE (row->expand), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
      gtk_accessible_update_state (GTK_ACCESSIBLE (row->expand), GTK_ACCESSIBLE_STATE_EXPANDED, shown, -1);
    }
  gtk_widget_set_visible (row->remove, !self->read_only);
  gtk_widget_set_visible (row->up, !self->read_only);
  gtk_widget_set_visible (row->down, !self->read_only);

  for (guint c = 0; c < row->cells->len; c++)
    {
      BcFieldEditor *cell = g_ptr_array_index (row->cells, c);

      bc_field_editor_set_row (cell, row->row_id, row->index);
    }
}

static void on_expand_clicked (GtkButton *button,
                               RowCard   *row);

static RowCard *
row_card_new (BcTableEditor *self,
              gint64         row_id,
              guint          index)
{
  RowCard *row = g_new0 (RowCard, 1);

  row->editor = self;
  row->row_id = row_id;
  row->index = index;
  row->labelled_shown = -1;
  row->cells = g_ptr_array_new ();

  return row;
}

static void row_card_set_summary (RowCard  *row,
                                  BcReport *report);
static void row_card_show_problem (RowCard *row);

/* The card that comes before this row's among those made, or NULL. */
static GtkWidget *
card_before (BcTableEditor *self,
             guint          index)
{
  while (index-- > 0)
    {
      RowCard *before = g_ptr_array_index (self->rows, index);

      if (before->card != NULL)
        return before->card;
    }

  return NULL;
}

/* Makes the row's card (its header and, compact, its line), in its place
 * among the cards made. */
static void
row_card_build (RowCard *row)
{
  BcTableEditor *self = row->editor;
  GtkWidget *header;

  if (row->card != NULL)
    return;

  header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  row->labelled = 0;
  row->labelled_shown = -1;
  row->problem_shown = 0;

  row->card = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_widget_add_css_class (row->card, "card");

  gtk_widget_set_margin_start (header, 12);
  gtk_widget_set_margin_end (header, 6);
  gtk_widget_set_margin_top (header, 6);
  gtk_widget_set_margin_bottom (header, 6);
  row->title = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (row->title), 0);
  /* "Finding 12" may break in two on a narrow screen rather than widen it. */
  gtk_label_set_wrap (GTK_LABEL (row->title), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (row->title), PANGO_WRAP_WORD_CHAR);
  gtk_widget_set_hexpand (row->title, TRUE);
  gtk_widget_add_css_class (row->title, "heading");
  gtk_box_append (GTK_BOX (header), row->title);

  row->up = new_row_button ("go-up-symbolic");
  row->down = new_row_button ("go-down-symbolic");
  row->remove = new_row_button ("user-trash-symbolic");
  g_signal_connect (row->up, "clicked", G_CALLBACK (on_up_clicked), row);
  g_signal_connect (row->down, "clicked", G_CALLBACK (on_down_clicked), row);
  g_signal_connect (row->remove, "clicked", G_CALLBACK (on_remove_clicked), row);
  gtk_box_append (GTK_BOX (header), row->up);
  gtk_box_append (GTK_BOX (header), row->down);
  gtk_box_append (GTK_BOX (header), row->remove);

  gtk_box_append (GTK_BOX (row->card), header);
  gtk_box_append (GTK_BOX (row->card), gtk_separator_new (GTK_ORIENTATION_HORIZONTAL));

  row->cells_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_box_append (GTK_BOX (row->card), row->cells_box);

  if (self->compact)
    {
      /* A row is a line or two, its main values; its fields are built
       * when it is opened, so a long table costs little on screen. */
      row->expand = new_row_button ("pan-end-symbolic");
      g_signal_connect (row->expand, "clicked", G_CALLBACK (on_expand_clicked), row);
      gtk_box_prepend (GTK_BOX (header), row->expand);
      gtk_widget_set_margin_start (header, 6);

      /* What a closed row holds that needs looking at. */
      row->problem_icon = gtk_image_new ();
      gtk_widget_set_visible (row->problem_icon, FALSE);
      gtk_box_insert_child_after (GTK_BOX (header), row->problem_icon, row->title);

      row->summary = gtk_label_new (NULL);
      gtk_label_set_xalign (GTK_LABEL (row->summary), 0);
      gtk_label_set_wrap (GTK_LABEL (row->summary), TRUE);
      gtk_label_set_wrap_mode (GTK_LABEL (row->summary), PANGO_WRAP_WORD_CHAR);
      gtk_widget_set_margin_start (row->summary, 12);
      gtk_widget_set_margin_end (row->summary, 12);
      gtk_widget_set_margin_top (row->summary, 6);
      gtk_widget_set_margin_bottom (row->summary, 8);
      gtk_box_insert_child_after (GTK_BOX (row->card), row->summary, header);
      gtk_widget_set_visible (row->cells_box, FALSE);
      if (self->report != NULL)
        row_card_set_summary (row, self->report);
      row_card_show_problem (row);
    }

  gtk_widget_insert_after (row->card, self->rows_area, card_before (self, row->index));
  row_card_update_labels (row);
}

/* Lets a card go (a row far from the view, or removed). */
static void
row_card_unbuild (RowCard *row)
{
  if (row->card == NULL)
    return;

  g_signal_handlers_disconnect_by_data (row->up, row);
  g_signal_handlers_disconnect_by_data (row->down, row);
  g_signal_handlers_disconnect_by_data (row->remove, row);
  if (row->expand != NULL)
    g_signal_handlers_disconnect_by_data (row->expand, row);
  for (guint c = 0; c < row->cells->len; c++)
    g_signal_handlers_disconnect_matched (g_ptr_array_index (row->cells, c), G_SIGNAL_MATCH_DATA,
                                          0, 0, NULL, NULL, row->cells_box);
  g_ptr_array_set_size (row->cells, 0);
  gtk_widget_unparent (row->card);
  row->card = row->title = row->up = row->down = row->remove = NULL;
  row->expand = row->summary = row->problem_icon = row->cells_box = NULL;
}

/* A row's cells, made while nothing else waits, so that the next row
 * added or opened does not wait for them (a few milliseconds a row). */
static gboolean
make_spare_cb (gpointer user_data)
{
  BcTableEditor *self = user_data;

  self->spare_idle = 0;
  if (self->spare != NULL || self->read_only)
    return G_SOURCE_REMOVE;

  self->spare = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint c = 0; c < self->table->columns->len; c++)
    g_ptr_array_add (self->spare, g_object_ref_sink (bc_field_editor_new (g_ptr_array_index (self->table->columns, c),
                                                                          self->lang)));

  return G_SOURCE_REMOVE;
}

static void
make_spare_soon (BcTableEditor *self)
{
  if (self->spare == NULL && self->spare_idle == 0 && !self->read_only)
    self->spare_idle = g_idle_add_full (G_PRIORITY_LOW, make_spare_cb, self, NULL);
}

static void
row_card_build_cells (RowCard *row)
{
  BcTableEditor *self = row->editor;
  g_autoptr(GPtrArray) spare = NULL;

  if (row->cells->len > 0)
    return;

  spare = g_steal_pointer (&self->spare);
  for (guint c = 0; c < self->table->columns->len; c++)
    {
      const BcField *column = g_ptr_array_index (self->table->columns, c);
      GtkWidget *cell = spare != NULL ? g_ptr_array_index (spare, c)
                                      : bc_field_editor_new (column, self->lang);

      if (c > 0)
        gtk_box_append (GTK_BOX (row->cells_box), gtk_separator_new (GTK_ORIENTATION_HORIZONTAL));
      bc_field_editor_set_row (BC_FIELD_EDITOR (cell), row->row_id, row->index);
      bc_field_editor_set_read_only (BC_FIELD_EDITOR (cell), self->read_only);
      /* Columns hide and show with their conditions; so do their separators. */
      g_signal_connect_object (cell, "notify::visible", G_CALLBACK (bc_field_editor_update_separators),
                               row->cells_box, G_CONNECT_SWAPPED);
      gtk_box_append (GTK_BOX (row->cells_box), cell);
      g_ptr_array_add (row->cells, cell);
    }

  bc_field_editor_update_separators (row->cells_box);
  for (guint c = 0; c < row->cells->len; c++)
    g_signal_emit (self, signals[EDITOR_ADDED], 0, g_ptr_array_index (row->cells, c));
  make_spare_soon (self);
}

/* Shows or hides a row's fields, building them the first time. */
static void
row_card_show_cells (RowCard  *row,
                     gboolean  shown)
{
  BcTableEditor *self = row->editor;
  gboolean built = row->cells->len > 0;

  row_card_build (row);
  if (shown && !built)
    row_card_build_cells (row);
  gtk_widget_set_visible (row->cells_box, shown);
  gtk_widget_queue_resize (self->rows_area);
  if (shown)
    g_hash_table_add (self->expanded, g_memdup2 (&row->row_id, sizeof row->row_id));
  else
    g_hash_table_remove (self->expanded, &row->row_id);
  row_card_update_labels (row);

  /* Fresh fields: the form fills them in. */
  if (shown && !built)
    g_signal_emit (self, signals[ROW_SHOWN], 0, row->row_id);
}

static void
on_expand_clicked (GtkButton *button,
                   RowCard   *row)
{
  row_card_show_cells (row, !gtk_widget_get_visible (row->cells_box));
}

/* --- the cards at their rows' places ------------------------------------- */

#define BC_TYPE_ROWS_AREA (bc_rows_area_get_type ())
G_DECLARE_FINAL_TYPE (BcRowsArea, bc_rows_area, BC, ROWS_AREA, GtkWidget)

struct _BcRowsArea
{
  GtkWidget      parent_instance;
  BcTableEditor *editor;
};

G_DEFINE_FINAL_TYPE (BcRowsArea, bc_rows_area, GTK_TYPE_WIDGET)

static gboolean
windowed (BcTableEditor *self)
{
  return self->compact && self->rows->len > WINDOW_MIN_ROWS;
}

static int
row_height (BcTableEditor *self,
            RowCard       *row)
{
  return row->height > 0 ? row->height : self->estimate;
}

/* The row's top in the area. */
static int
row_top (BcTableEditor *self,
         guint          index)
{
  int y = 0;

  for (guint i = 0; i < index && i < self->rows->len; i++)
    y += row_height (self, g_ptr_array_index (self->rows, i)) + ROW_SPACING;

  return y;
}

/* A card kept whatever the view shows: its fields are open (they may be
 * being typed in), or it holds the focus. */
static gboolean
row_kept (BcTableEditor *self,
          RowCard       *row)
{
  return row->cells->len > 0 ||
         (row->card != NULL && gtk_widget_get_focus_child (self->rows_area) == row->card);
}

/* What the form's scrolled window scrolls: places in it do not move as
 * it scrolls. */
static GtkWidget *
scrolled_content (BcTableEditor *self)
{
  GtkWidget *child;

  if (self->scrolled == NULL)
    return NULL;
  child = gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (self->scrolled));
  if (GTK_IS_VIEWPORT (child))
    child = gtk_viewport_get_child (GTK_VIEWPORT (child));

  return child;
}

/* The part of the area to have cards for: what the view shows, and a
 * screen above and below it. FALSE while it is not known. */
static gboolean
wanted_span (BcTableEditor *self,
             double        *top,
             double        *bottom)
{
  GtkWidget *content;
  double x, y, value, page;

  if (self->vadjustment == NULL || (content = scrolled_content (self)) == NULL ||
      gtk_widget_get_width (self->rows_area) <= 0 ||
      !gtk_widget_translate_coordinates (self->rows_area, content, 0, 0, &x, &y))
    return FALSE;

  value = gtk_adjustment_get_value (self->vadjustment);
  page = gtk_adjustment_get_page_size (self->vadjustment);
  *top = value - y - page;
  *bottom = value - y + 2 * page;

  return TRUE;
}

/* Makes the cards of the rows near the view and lets the others go;
 * with `dry_run`, only says whether that would change anything. */
static gboolean
update_window (BcTableEditor *self,
               gboolean       dry_run)
{
  gboolean all = !windowed (self);
  gboolean changed = FALSE;
  double top = 0, bottom = 0;
  int y = 0;

  if (self->rows_area == NULL)
    return FALSE;

  if (!all && !wanted_span (self, &top, &bottom))
    {
      /* Not placed yet: the first screenful. */
      top = 0;
      bottom = 1600;
    }

  for (guint i = 0; i < self->rows->len; i++)
    {
      RowCard *row = g_ptr_array_index (self->rows, i);
      int height = row_height (self, row);
      gboolean want = all || row_kept (self, row) || (y + height >= top && y <= bottom);

      y += height + ROW_SPACING;
      if (want == (row->card != NULL))
        continue;
      changed = TRUE;
      if (dry_run)
        return TRUE;
      if (want)
        row_card_build (row);
      else
        row_card_unbuild (row);
    }

  if (changed)
    gtk_widget_queue_resize (self->rows_area);

  return changed;
}

static gboolean
window_tick_cb (GtkWidget     *widget,
                GdkFrameClock *clock,
                gpointer       user_data)
{
  BcTableEditor *self = user_data;

  self->window_tick = 0;
  update_window (self, FALSE);

  return G_SOURCE_REMOVE;
}

static void
update_window_soon (BcTableEditor *self)
{
  if (self->window_tick == 0 && self->rows_area != NULL)
    self->window_tick = gtk_widget_add_tick_callback (self->rows_area, window_tick_cb, self, NULL);
}

static void
on_scrolled (GtkAdjustment *adjustment,
             BcTableEditor *self)
{
  /* Not at once: this may come in the middle of the window's layout, too
   * late for new cards to be placed in it. The margin of a screen above
   * and below covers the frame in between. */
  if (windowed (self) && update_window (self, TRUE))
    update_window_soon (self);
}

static void
on_page_size (GtkAdjustment *adjustment,
              GParamSpec    *pspec,
              BcTableEditor *self)
{
  on_scrolled (adjustment, self);
}

static void
detach_scrolled (BcTableEditor *self)
{
  if (self->vadjustment != NULL)
    g_signal_handlers_disconnect_by_data (self->vadjustment, self);
  g_clear_object (&self->vadjustment);
  self->scrolled = NULL;
}

static void
bc_rows_area_map (GtkWidget *widget)
{
  BcTableEditor *self = BC_ROWS_AREA (widget)->editor;
  GtkWidget *scrolled = gtk_widget_get_ancestor (widget, GTK_TYPE_SCROLLED_WINDOW);

  GTK_WIDGET_CLASS (bc_rows_area_parent_class)->map (widget);

  detach_scrolled (self);
  if (scrolled != NULL)
    {
      self->scrolled = scrolled;
      self->vadjustment = g_object_ref (gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled)));
      g_signal_connect (self->vadjustment, "value-changed", G_CALLBACK (on_scrolled), self);
      g_signal_connect (self->vadjustment, "notify::page-size", G_CALLBACK (on_page_size), self);
    }
  update_window_soon (self);
}

static void
bc_rows_area_unmap (GtkWidget *widget)
{
  detach_scrolled (BC_ROWS_AREA (widget)->editor);

  GTK_WIDGET_CLASS (bc_rows_area_parent_class)->unmap (widget);
}

static void
bc_rows_area_measure (GtkWidget      *widget,
                      GtkOrientation  orientation,
                      int             for_size,
                      int            *minimum,
                      int            *natural,
                      int            *minimum_baseline,
                      int            *natural_baseline)
{
  BcTableEditor *self = BC_ROWS_AREA (widget)->editor;

  *minimum = *natural = 0;
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      for (GtkWidget *child = gtk_widget_get_first_child (widget);
           child != NULL;
           child = gtk_widget_get_next_sibling (child))
        {
          int min, nat;

          gtk_widget_measure (child, orientation, -1, &min, &nat, NULL, NULL);
          *minimum = MAX (*minimum, min);
          *natural = MAX (*natural, nat);
        }
      return;
    }

  for (guint i = 0; i < self->rows->len; i++)
    {
      RowCard *row = g_ptr_array_index (self->rows, i);

      if (row->card != NULL)
        {
          int min, nat;

          gtk_widget_measure (row->card, orientation, for_size, &min, &nat, NULL, NULL);
          if (for_size >= 0)
            row->height = MAX (min, nat);
        }
      *natural += row_height (self, row) + (i > 0 ? ROW_SPACING : 0);
    }
  *minimum = *natural;
}

static void
bc_rows_area_size_allocate (GtkWidget *widget,
                            int        width,
                            int        height,
                            int        baseline)
{
  BcTableEditor *self = BC_ROWS_AREA (widget)->editor;
  int y = 0, measured = 0, n_measured = 0;

  for (guint i = 0; i < self->rows->len; i++)
    {
      RowCard *row = g_ptr_array_index (self->rows, i);

      if (row->card != NULL)
        {
          int min, nat;

          gtk_widget_measure (row->card, GTK_ORIENTATION_VERTICAL, width, &min, &nat, NULL, NULL);
          row->height = MAX (min, nat);
          gtk_widget_size_allocate (row->card, &(GtkAllocation) { 0, y, width, row->height }, -1);
          if (row->cells->len == 0)
            {
              measured += row->height;
              n_measured++;
            }
        }
      y += row_height (self, row) + ROW_SPACING;
    }

  /* Rows not made yet are as tall as the closed ones made. */
  if (n_measured > 0)
    self->estimate = measured / n_measured;

  if (update_window (self, TRUE))
    update_window_soon (self);
}

/* Tab and the arrows go on into the rows whose cards are not made yet. */
static gboolean
bc_rows_area_focus (GtkWidget        *widget,
                    GtkDirectionType  direction)
{
  BcTableEditor *self = BC_ROWS_AREA (widget)->editor;
  GtkWidget *focus_child = gtk_widget_get_focus_child (widget);
  gboolean forward = direction == GTK_DIR_TAB_FORWARD || direction == GTK_DIR_DOWN;
  gboolean backward = direction == GTK_DIR_TAB_BACKWARD || direction == GTK_DIR_UP;
  guint target;

  if (!windowed (self) || self->rows->len == 0 || (!forward && !backward))
    return GTK_WIDGET_CLASS (bc_rows_area_parent_class)->focus (widget, direction);

  if (focus_child == NULL)
    target = forward ? 0 : self->rows->len - 1;
  else
    {
      guint i;

      if (gtk_widget_child_focus (focus_child, direction))
        return TRUE;
      for (i = 0; i < self->rows->len; i++)
        if (((RowCard *) g_ptr_array_index (self->rows, i))->card == focus_child)
          break;
      if (i >= self->rows->len || (forward && i + 1 >= self->rows->len) || (backward && i == 0))
        return FALSE;
      target = forward ? i + 1 : i - 1;
    }

  for (; target < self->rows->len; target = forward ? target + 1 : target - 1)
    {
      RowCard *row = g_ptr_array_index (self->rows, target);

      row_card_build (row);
      if (gtk_widget_child_focus (row->card, direction))
        {
          bc_table_editor_scroll_to_row (self, target);
          return TRUE;
        }
      if (!forward && target == 0)
        break;
    }

  return FALSE;
}

static void
bc_rows_area_dispose (GObject *object)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (bc_rows_area_parent_class)->dispose (object);
}

static void
bc_rows_area_class_init (BcRowsAreaClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = bc_rows_area_dispose;
  widget_class->map = bc_rows_area_map;
  widget_class->unmap = bc_rows_area_unmap;
  widget_class->measure = bc_rows_area_measure;
  widget_class->size_allocate = bc_rows_area_size_allocate;
  widget_class->focus = bc_rows_area_focus;
}

static void
bc_rows_area_init (BcRowsArea *self)
{
}

void
bc_table_editor_scroll_to_row (BcTableEditor *self,
                               guint          index)
{
  GtkWidget *content;
  double x, y, value, page, top;
  int height;

  g_return_if_fail (BC_IS_TABLE_EDITOR (self));

  if (index >= self->rows->len || self->vadjustment == NULL ||
      (content = scrolled_content (self)) == NULL ||
      !gtk_widget_translate_coordinates (self->rows_area, content, 0, 0, &x, &y))
    return;

  top = y + row_top (self, index);
  height = row_height (self, g_ptr_array_index (self->rows, index));
  value = gtk_adjustment_get_value (self->vadjustment);
  page = gtk_adjustment_get_page_size (self->vadjustment);
  /* Only when the row is not in full view; then with a little of what
   * comes before it. */
  if (top >= value && top + height <= value + page)
    return;
  gtk_adjustment_set_value (self->vadjustment, MAX (0.0, top - 48.0));
}


static void
bc_table_editor_dispose (GObject *object)
{
  BcTableEditor *self = BC_TABLE_EDITOR (object);

  detach_scrolled (self);
  if (self->window_tick != 0 && self->rows_area != NULL)
    gtk_widget_remove_tick_callback (self->rows_area, self->window_tick);
  self->window_tick = 0;
  g_clear_handle_id (&self->spare_idle, g_source_remove);
  g_clear_pointer (&self->spare, g_ptr_array_unref);
  if (self->rows != NULL)
    {
      /* The buttons' handlers point at the cards: cut them before the
       * cards go. */
      for (guint i = 0; i < self->rows->len; i++)
        row_card_unbuild (g_ptr_array_index (self->rows, i));
      g_hash_table_remove_all (self->by_id);
      g_ptr_array_set_size (self->rows, 0);
    }
  g_clear_object (&self->report);
  self->rows_area = NULL;

  gtk_widget_dispose_template (GTK_WIDGET (self), BC_TYPE_TABLE_EDITOR);

  G_OBJECT_CLASS (bc_table_editor_parent_class)->dispose (object);
}

static void
bc_table_editor_finalize (GObject *object)
{
  BcTableEditor *self = BC_TABLE_EDITOR (object);

  g_clear_pointer (&self->rows, g_ptr_array_unref);
  g_clear_pointer (&self->by_id, g_hash_table_unref);
  g_clear_pointer (&self->expanded, g_hash_table_unref);
  g_free (self->lang);

  G_OBJECT_CLASS (bc_table_editor_parent_class)->finalize (object);
}

static void
bc_table_editor_class_init (BcTableEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = bc_table_editor_dispose;
  object_class->finalize = bc_table_editor_finalize;

  /* A cell editor was created (with its row): connect to it. */
  signals[EDITOR_ADDED] =
    g_signal_new ("editor-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, BC_TYPE_FIELD_EDITOR);
  /* A compact row's fields were built to be shown (the row's stable id):
   * the form fills them in. */
  signals[ROW_SHOWN] =
    g_signal_new ("row-shown", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_INT64);
  signals[ADD_ROW] =
    g_signal_new ("add-row", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
  /* The row's stable id. */
  signals[REMOVE_ROW] =
    g_signal_new ("remove-row", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_INT64);
  /* The row's stable id and its new position (0-based). */
  signals[MOVE_ROW] =
    g_signal_new ("move-row", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_INT64, G_TYPE_UINT);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/baocao/Baocao/bc-table-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, BcTableEditor, header_slot);
  gtk_widget_class_bind_template_child (widget_class, BcTableEditor, empty_label);
  gtk_widget_class_bind_template_child (widget_class, BcTableEditor, rows_box);
  gtk_widget_class_bind_template_child (widget_class, BcTableEditor, add_button);
  gtk_widget_class_bind_template_child (widget_class, BcTableEditor, summary_box);
  gtk_widget_class_bind_template_child (widget_class, BcTableEditor, summary_grid);
  gtk_widget_class_bind_template_callback (widget_class, on_add_clicked);

  gtk_widget_class_set_css_name (widget_class, "bctableeditor");
}

static void
bc_table_editor_init (BcTableEditor *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) row_card_free);
  self->by_id = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->expanded = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->estimate = 90;

  self->rows_area = g_object_new (BC_TYPE_ROWS_AREA, NULL);
  BC_ROWS_AREA (self->rows_area)->editor = self;
  gtk_widget_set_hexpand (self->rows_area, TRUE);
  gtk_box_append (GTK_BOX (self->rows_box), self->rows_area);
}

GtkWidget *
bc_table_editor_new (const BcField *table,
                     const char    *lang)
{
  BcTableEditor *self;
  GtkWidget *header;
  g_autofree char *add_name = NULL;

  g_return_val_if_fail (table != NULL, NULL);
  g_return_val_if_fail (table->type == BC_FIELD_TABLE, NULL);

  self = g_object_new (BC_TYPE_TABLE_EDITOR, NULL);
  self->table = table;
  self->lang = g_strdup (lang != NULL ? lang : "vi");
  /* A table of many columns (a findings list) is compact: a line a row. */
  self->compact = table->columns->len > 4;

  header = bc_field_editor_new (table, self->lang);
  gtk_widget_set_margin_start (header, 0);
  gtk_widget_set_margin_end (header, 0);
  gtk_widget_set_margin_top (header, 0);
  gtk_widget_set_margin_bottom (header, 0);
  self->header = BC_FIELD_EDITOR (header);
  gtk_box_append (GTK_BOX (self->header_slot), header);

  /* TRANSLATORS: the accessible name of a table's "Add row" button */
  add_name = g_strdup_printf (_("Add a row to %s"), bc_text_get (&table->label, self->lang));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->add_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, add_name,
                                  -1);

  return GTK_WIDGET (self);
}

const BcField *
bc_table_editor_get_field (BcTableEditor *self)
{
  g_return_val_if_fail (BC_IS_TABLE_EDITOR (self), NULL);

  return self->table;
}

BcFieldEditor *
bc_table_editor_get_header (BcTableEditor *self)
{
  g_return_val_if_fail (BC_IS_TABLE_EDITOR (self), NULL);

  return self->header;
}

/* The columns a compact row shows on its line: the grouping column,
 * then choices, then short texts; three at most. */
static gboolean
summary_column (const BcField *table,
                const BcField *column,
                guint          pass)
{
  gboolean group = g_strcmp0 (table->group_by, column->id) == 0;
  gboolean choice = column->type == BC_FIELD_CHOICE || column->type == BC_FIELD_YES_NO;

  if (column->compute != NULL || column->type == BC_FIELD_LONG_TEXT)
    return FALSE;

  switch (pass)
    {
    case 0: return group;
    case 1: return !group && choice;
    default: return !group && !choice;
    }
}

static void
row_card_set_summary (RowCard  *row,
                      BcReport *report)
{
  BcTableEditor *self = row->editor;
  g_autoptr(GString) text = g_string_new (NULL);
  guint n = 0;

  for (guint pass = 0; pass < 3 && n < 3; pass++)
    for (guint c = 0; c < self->table->columns->len && n < 3; c++)
      {
        const BcField *column = g_ptr_array_index (self->table->columns, c);
        g_autofree char *key = NULL;
        g_autofree char *shown = NULL;
        const char *value;

        if (!summary_column (self->table, column, pass))
          continue;
        key = bc_field_dup_key (column);
        value = bc_report_get_value (report, key, row->row_id);
        if (value == NULL)
          continue;
        shown = bc_field_format_value (column, value, self->lang);
        if (text->len > 0)
          g_string_append (text, " · ");
        g_string_append (text, shown != NULL ? shown : value);
        n++;
      }

  /* TRANSLATORS: the line of a table row with nothing filled in yet */
  gtk_label_set_text (GTK_LABEL (row->summary), text->len > 0 ? text->str : _("Nothing filled in yet"));
}

void
bc_table_editor_refresh_summary (BcTableEditor *self,
                                 BcReport      *report,
                                 gint64         row_id)
{
  RowCard *row;

  g_return_if_fail (BC_IS_TABLE_EDITOR (self));

  if (report != self->report)
    g_set_object (&self->report, report);
  row = g_hash_table_lookup (self->by_id, &row_id);
  if (row != NULL && row->summary != NULL)
    row_card_set_summary (row, report);
}

gboolean
bc_table_editor_show_row (BcTableEditor *self,
                          gint64         row_id)
{
  RowCard *row;

  g_return_val_if_fail (BC_IS_TABLE_EDITOR (self), FALSE);

  row = g_hash_table_lookup (self->by_id, &row_id);
  if (row == NULL)
    return FALSE;
  row_card_build (row);
  if (!gtk_widget_get_visible (row->cells_box))
    row_card_show_cells (row, TRUE);

  return TRUE;
}

void
bc_table_editor_set_row_problems (BcTableEditor *self,
                                  GPtrArray     *issues)
{
  g_autoptr(GHashTable) worst = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autofree char *prefix = NULL;

  g_return_if_fail (BC_IS_TABLE_EDITOR (self));

  if (!self->compact)
    return;

  prefix = g_strconcat (self->table->id, ".", NULL);
  for (guint i = 0; issues != NULL && i < issues->len; i++)
    {
      BcIssue *issue = g_ptr_array_index (issues, i);
      gpointer was;

      if (issue->row_id == 0 || !g_str_has_prefix (issue->key, prefix) ||
          (issue->severity == BC_SEVERITY_WARNING && issue->justification != NULL))
        continue;
      was = g_hash_table_lookup (worst, &issue->row_id);
      if (was == NULL || issue->severity == BC_SEVERITY_ERROR)
        g_hash_table_insert (worst, &issue->row_id, GINT_TO_POINTER (issue->severity + 1));
    }

  for (guint i = 0; i < self->rows->len; i++)
    {
      RowCard *row = g_ptr_array_index (self->rows, i);

      row->problem = GPOINTER_TO_INT (g_hash_table_lookup (worst, &row->row_id));
      row_card_show_problem (row);
    }
}

static void
row_card_show_problem (RowCard *row)
{
  int severity = row->problem - 1;
  const char *icon = severity == BC_SEVERITY_ERROR ? "dialog-error-symbolic" : "dialog-warning-symbolic";

  /* Most rows keep what they show: an edit must cost the same with
   * 3 rows or 300. */
  if (row->problem_icon == NULL || row->problem_shown == row->problem)
    return;
  row->problem_shown = row->problem;
  gtk_widget_set_visible (row->problem_icon, severity >= 0);
  if (severity < 0)
    return;
  gtk_image_set_from_icon_name (GTK_IMAGE (row->problem_icon), icon);
  gtk_widget_set_tooltip_text (row->problem_icon, severity == BC_SEVERITY_ERROR
                               ? _("This row has errors")
                               : _("This row has warnings to justify"));
  gtk_widget_remove_css_class (row->problem_icon, severity == BC_SEVERITY_ERROR ? "warning" : "error");
  gtk_widget_add_css_class (row->problem_icon, severity == BC_SEVERITY_ERROR ? "error" : "warning");
}

void
bc_table_editor_set_rows (BcTableEditor *self,
                          BcReport      *report)
{
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GHashTable) kept = NULL;
  GtkWidget *previous = NULL;
  guint n_rows;

  g_return_if_fail (BC_IS_TABLE_EDITOR (self));
  g_return_if_fail (BC_IS_REPORT (report));

  g_set_object (&self->report, report);
  n_rows = bc_report_get_n_rows (report, self->table->id);
  rows = g_ptr_array_new_full (n_rows, NULL);
  kept = g_hash_table_new (NULL, NULL);

  /* Rows that remain keep their cards, with whatever is being typed in
   * them; they only move. */
  for (guint i = 0; i < n_rows; i++)
    {
      gint64 row_id = bc_report_get_row_id (report, self->table->id, i);
      RowCard *row = g_hash_table_lookup (self->by_id, &row_id);

      if (row == NULL)
        {
          row = row_card_new (self, row_id, i);
          g_hash_table_insert (self->by_id, g_memdup2 (&row_id, sizeof row_id), row);
        }
      else if (row->summary != NULL)
        row_card_set_summary (row, report);

      row->index = i;
      g_ptr_array_add (rows, row);
      g_hash_table_add (kept, row);
    }

  for (guint i = 0; i < self->rows->len; i++)
    {
      RowCard *row = g_ptr_array_index (self->rows, i);

      if (g_hash_table_contains (kept, row))
        continue;

      row_card_unbuild (row);
      g_hash_table_remove (self->expanded, &row->row_id);
      g_hash_table_remove (self->by_id, &row->row_id);
      row_card_free (row);
    }

  /* The old array must not free the cards that were kept. */
  g_ptr_array_set_free_func (self->rows, NULL);
  g_ptr_array_unref (self->rows);
  self->rows = g_steal_pointer (&rows);
  g_ptr_array_set_free_func (self->rows, (GDestroyNotify) row_card_free);

  /* The cards made, in the rows' order; then those near the view. */
  for (guint i = 0; i < self->rows->len; i++)
    {
      RowCard *row = g_ptr_array_index (self->rows, i);

      if (row->card == NULL)
        continue;
      if (gtk_widget_get_prev_sibling (row->card) != previous)
        gtk_widget_insert_after (row->card, self->rows_area, previous);
      previous = row->card;
    }
  update_window (self, FALSE);

  for (guint i = 0; i < self->rows->len; i++)
    {
      RowCard *row = g_ptr_array_index (self->rows, i);

      if (row->card == NULL)
        continue;
      if (!self->compact)
        row_card_build_cells (row);
      row_card_update_labels (row);
      bc_field_editor_update_separators (row->cells_box);
    }

  gtk_widget_set_visible (self->empty_label, n_rows == 0);
  gtk_widget_set_visible (self->rows_box, n_rows > 0);
  gtk_widget_queue_resize (self->rows_area);
  make_spare_soon (self);
}

guint
bc_table_editor_get_n_rows (BcTableEditor *self)
{
  g_return_val_if_fail (BC_IS_TABLE_EDITOR (self), 0);

  return self->rows->len;
}

gint64
bc_table_editor_get_row_id (BcTableEditor *self,
                            guint          row)
{
  g_return_val_if_fail (BC_IS_TABLE_EDITOR (self), 0);

  if (row >= self->rows->len)
    return 0;

  return ((RowCard *) g_ptr_array_index (self->rows, row))->row_id;
}

static BcFieldEditor *
row_cell (BcTableEditor *self,
          RowCard       *row,
          const char    *column)
{
  if (row == NULL || row->cells->len == 0)
    return NULL;

  for (guint c = 0; c < self->table->columns->len; c++)
    {
      const BcField *field = g_ptr_array_index (self->table->columns, c);

      if (g_str_equal (field->id, column))
        return g_ptr_array_index (row->cells, c);
    }

  return NULL;
}

BcFieldEditor *
bc_table_editor_get_cell (BcTableEditor *self,
                          gint64         row_id,
                          const char    *column)
{
  g_return_val_if_fail (BC_IS_TABLE_EDITOR (self), NULL);
  g_return_val_if_fail (column != NULL, NULL);

  return row_cell (self, g_hash_table_lookup (self->by_id, &row_id), column);
}

BcFieldEditor *
bc_table_editor_get_cell_at (BcTableEditor *self,
                             guint          row,
                             const char    *column)
{
  g_return_val_if_fail (BC_IS_TABLE_EDITOR (self), NULL);
  g_return_val_if_fail (column != NULL, NULL);

  if (row >= self->rows->len)
    return NULL;

  return row_cell (self, g_ptr_array_index (self->rows, row), column);
}

void
bc_table_editor_foreach_cell (BcTableEditor *self,
                              GFunc          func,
                              gpointer       user_data)
{
  g_return_if_fail (BC_IS_TABLE_EDITOR (self));
  g_return_if_fail (func != NULL);

  for (guint i = 0; i < self->rows->len; i++)
    {
      RowCard *row = g_ptr_array_index (self->rows, i);

      for (guint c = 0; c < row->cells->len; c++)
        func (g_ptr_array_index (row->cells, c), user_data);
    }
}

static GtkWidget *
summary_label (const char *text,
               gboolean    header,
               gboolean    number)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), number ? 1.0 : 0.0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  if (header)
    {
      gtk_widget_add_css_class (label, "caption-heading");
      gtk_widget_add_css_class (label, "dim-label");
    }
  if (number)
    gtk_widget_add_css_class (label, "numeric");

  return label;
}

void
bc_table_editor_set_summaries (BcTableEditor *self,
                               GPtrArray     *summaries)
{
  const BcField *group_column = NULL;
  GtkWidget *child;
  const char *group_label;
  int n_columns;

  g_return_if_fail (BC_IS_TABLE_EDITOR (self));

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->summary_grid))) != NULL)
    gtk_grid_remove (self->summary_grid, child);

  if (summaries == NULL || summaries->len == 0 || self->table->group_summaries == NULL ||
      self->rows->len == 0)
    {
      gtk_widget_set_visible (self->summary_box, FALSE);
      return;
    }

  for (guint c = 0; self->table->group_by != NULL && c < self->table->columns->len; c++)
    {
      const BcField *column = g_ptr_array_index (self->table->columns, c);

      if (g_str_equal (column->id, self->table->group_by))
        group_column = column;
    }

  group_label = group_column != NULL ? bc_text_get (&group_column->label, self->lang) : "";
  n_columns = MAX (1, (int) self->table->group_summaries->len);
  /* Each group's name on a line of its own, its figures under it: the
   * grid is as narrow as its figures' columns, for small screens. */
  gtk_grid_attach (self->summary_grid, summary_label (group_label, TRUE, FALSE), 0, 0, n_columns, 1);
  for (guint v = 0; v < self->table->group_summaries->len; v++)
    {
      const BcField *field = g_ptr_array_index (self->table->group_summaries, v);

      gtk_grid_attach (self->summary_grid,
                       summary_label (bc_text_get (&field->label, self->lang), TRUE, TRUE),
                       (int) v, 1, 1, 1);
    }

  for (guint g = 0; g < summaries->len; g++)
    {
      const BcGroupSummary *summary = g_ptr_array_index (summaries, g);
      g_autofree char *name = NULL;
      GtkWidget *label;

      if (summary->group == NULL)
        /* TRANSLATORS: the row of a table's summary that counts every row */
        name = g_strdup (C_("group summary", "Overall"));
      else if (*summary->group == '\0')
        /* TRANSLATORS: the group of rows whose group column is empty */
        name = g_strdup (_("(not filled in)"));
      else if (group_column != NULL)
        name = bc_field_format_value (group_column, summary->group, self->lang);
      else
        name = g_strdup (summary->group);

      label = summary_label (name, FALSE, FALSE);
      gtk_widget_set_hexpand (label, TRUE);
      if (summary->group == NULL)
        gtk_widget_add_css_class (label, "heading");
      gtk_widget_set_margin_top (label, 6);
      gtk_grid_attach (self->summary_grid, label, 0, 2 * (int) g + 2, n_columns, 1);

      for (guint v = 0; v < summary->n_values && v < self->table->group_summaries->len; v++)
        {
          const BcField *field = g_ptr_array_index (self->table->group_summaries, v);
          g_autofree char *stored = bc_field_value_to_canonical (field, &summary->values[v]);
          g_autofree char *text = stored != NULL ? bc_field_format_value (field, stored, self->lang) : NULL;

          label = summary_label (text != NULL && *text != '\0' ? text : "—", FALSE, TRUE);
          if (summary->group == NULL)
            gtk_widget_add_css_class (label, "heading");
          gtk_grid_attach (self->summary_grid, label, (int) v, 2 * (int) g + 3, 1, 1);
        }
    }

  gtk_widget_set_visible (self->summary_box, TRUE);
}

void
bc_table_editor_set_read_only (BcTableEditor *self,
                               gboolean       read_only)
{
  g_return_if_fail (BC_IS_TABLE_EDITOR (self));

  if (self->read_only == !!read_only)
    return;
  self->read_only = !!read_only;
  gtk_widget_set_visible (self->add_button, !read_only);
  bc_field_editor_set_read_only (self->header, read_only);

  for (guint i = 0; i < self->rows->len; i++)
    {
      RowCard *row = g_ptr_array_index (self->rows, i);

      for (guint c = 0; c < row->cells->len; c++)
        bc_field_editor_set_read_only (g_ptr_array_index (row->cells, c), read_only);
      row_card_update_labels (row);
    }
}

/* While a row operation is on its way, the rows' move and remove buttons
 * do nothing (row_position()); they are not greyed out: restyling every
 * card's buttons cost a 300-row table a whole frame for an operation of a
 * few milliseconds. */
void
bc_table_editor_set_busy (BcTableEditor *self,
                          gboolean       busy)
{
  g_return_if_fail (BC_IS_TABLE_EDITOR (self));

  if (self->busy == !!busy)
    return;

  self->busy = !!busy;
}
