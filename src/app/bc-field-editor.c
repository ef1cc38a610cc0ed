/* bc-field-editor.c: the input of one field of a form, and what is said about it.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bc-field-editor"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "bc-field-editor.h"
#include "bc-table-editor.h"
#include "bc-wrap-layout.h"

/* One error or warning shown under the field; a warning has an entry for
 * its written justification. */
typedef struct {
  BcFieldEditor *editor;
  char          *rule_id;
  gint64         row_id;
  BcSeverity     severity;
  GtkWidget     *box;
  GtkWidget     *icon;
  GtkWidget     *label;
  GtkWidget     *entry;       /* warnings only */
  GtkEventController *focus;
  char          *handed_over; /* the justification as last stored or handed over */
  guint          debounce_id;
  gboolean       dirty;
  gboolean       seen;
} IssueRow;

struct _BcFieldEditor
{
  GtkWidget      parent_instance;

  const BcField *field;
  char          *lang;
  gint64         row_id;
  guint          row;
  char          *context;       /* a section's title, when the label repeats */

  /* template children */
  GtkWidget     *header_box;
  GtkLabel      *title_label;
  GtkLabel      *note_label;
  GtkLabel      *target_label;
  const BcTarget *target;       /* the plan in force's, borrowed from the registry; NULL: none */
  GtkLabel      *help_label;
  GtkWidget     *inline_box;
  GtkWidget     *block_box;
  GtkLabel      *input_error_label;
  GtkWidget     *issues_box;

  /* inputs, by type */
  GtkWidget     *input;         /* the one that takes the focus */
  GtkWidget     *entry;         /* numbers, text, date */
  GtkWidget     *text_view;     /* long text */
  GtkWidget     *dropdown;      /* choice, yes/no */
  GtkWidget     *doc_entries[3];/* number, date, title */
  GtkWidget     *calendar_button;
  GtkWidget     *calendar;
  GtkWidget     *computed_label;

  char          *stored;        /* what the workbook holds */
  char          *handed_over;   /* what it will hold once committed */
  char          *parse_error;
  char          *hint;          /* why a keystroke was refused */
  char          *save_error;
  char          *computed;      /* computed fields: the canonical value */

  GHashTable    *issue_rows;    /* rule_id → IssueRow* */
  char          *issues_shown;  /* what set_issues() last showed, to skip repeats */
  guint          computed_shown : 1;

  guint          debounce_id;
  guint          updating  : 1; /* the input is being set from code */
  guint          value_dirty : 1;
  guint          dirty     : 1; /* value or a justification */
  guint          invalid   : 1;
  guint          read_only : 1;
  guint          disposed  : 1;
};

enum {
  PROP_0,
  PROP_DIRTY,
  PROP_INVALID,
  N_PROPS
};

enum {
  COMMIT,
  JUSTIFY,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (BcFieldEditor, bc_field_editor, GTK_TYPE_WIDGET)

static gboolean
field_is_number (const BcField *field)
{
  return field->type == BC_FIELD_INTEGER ||
         field->type == BC_FIELD_DECIMAL ||
         field->type == BC_FIELD_PERCENTAGE;
}

static const char *
field_label (BcFieldEditor *self)
{
  return bc_text_get (&self->field->label, self->lang);
}

/* The name assistive technologies (and tests) find an input by. */
static char *
dup_accessible_name (BcFieldEditor *self)
{
  if (self->field->table != NULL)
    {
      g_autofree char *row = bc_table_editor_dup_row_name (self->field->table, self->row + 1, self->lang);

      /* TRANSLATORS: the accessible name of a table cell's input, after the
       * row's name and the column: "Finding 2: Status" */
      return g_strdup_printf (_("%s: %s"), row, field_label (self));
    }

  if (self->context != NULL)
    /* TRANSLATORS: the accessible name of a field whose label repeats in
     * the form, with its section: "Other progress — 3. Document management" */
    return g_strdup_printf (_("%s — %s"), field_label (self), self->context);

  return g_strdup (field_label (self));
}

static void
set_accessible_label (GtkWidget  *widget,
                      const char *label)
{
  gtk_accessible_update_property (GTK_ACCESSIBLE (widget),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
}

/* What takes the focus inside a drop-down or a menu button is a toggle
 * button of its own: without a name, a screen reader announces it as
 * "GtkToggleButton". */
static void
set_button_label (GtkWidget  *widget,
                  const char *label)
{
  set_accessible_label (widget, label);

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_TOGGLE_BUTTON (child))
      set_accessible_label (child, label);
}

static void
update_accessible_names (BcFieldEditor *self)
{
  g_autofree char *name = dup_accessible_name (self);
  const char *help = bc_text_get (&self->field->help, self->lang);

  if (self->field->type == BC_FIELD_DOCUMENT_REF)
    {
      /* TRANSLATORS: the parts of a document reference: "Decision issuing the architecture: number" */
      g_autofree char *number = g_strdup_printf (_("%s: number"), name);
      g_autofree char *date = g_strdup_printf (_("%s: date"), name);
      g_autofree char *title = g_strdup_printf (_("%s: subject"), name);

      set_accessible_label (self->doc_entries[0], number);
      set_accessible_label (self->doc_entries[1], date);
      set_accessible_label (self->doc_entries[2], title);
    }
  else if (self->dropdown != NULL)
    set_button_label (self->dropdown, name);
  else if (self->input != NULL)
    set_accessible_label (self->input, name);

  if (self->calendar_button != NULL)
    {
      /* TRANSLATORS: the accessible name of the button that opens a calendar */
      g_autofree char *choose = g_strdup_printf (_("Choose a date: %s"), name);

      set_button_label (self->calendar_button, choose);
    }

  if (self->input != NULL && help != NULL && *help != '\0')
    gtk_accessible_update_property (GTK_ACCESSIBLE (self->input),
                                    GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, help,
                                    -1);
  if (self->input != NULL && self->field->required)
    gtk_accessible_update_property (GTK_ACCESSIBLE (self->input),
                                    GTK_ACCESSIBLE_PROPERTY_REQUIRED, TRUE,
                                    -1);
}

/* --- dirty state ----------------------------------------------------------- */

static void
update_dirty (BcFieldEditor *self)
{
  gboolean dirty = self->value_dirty;
  GHashTableIter iter;
  IssueRow *row;

  g_hash_table_iter_init (&iter, self->issue_rows);
  while (!dirty && g_hash_table_iter_next (&iter, NULL, (gpointer *) &row))
    dirty = row->dirty;

  if (dirty != self->dirty)
    {
      self->dirty = dirty;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DIRTY]);
    }
}

static void
set_invalid (BcFieldEditor *self,
             gboolean       invalid)
{
  if (self->invalid == invalid)
    return;

  self->invalid = invalid;
  if (self->input != NULL)
    gtk_accessible_update_state (GTK_ACCESSIBLE (self->input),
                                 GTK_ACCESSIBLE_STATE_INVALID,
                                 invalid ? GTK_ACCESSIBLE_INVALID_TRUE : GTK_ACCESSIBLE_INVALID_FALSE,
                                 -1);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INVALID]);
}

/* The line under the input: what is wrong with what is being typed, why it
 * could not be saved, or why a keystroke was refused. */
static void
update_input_message (BcFieldEditor *self)
{
  g_autofree char *text = NULL;

  if (self->parse_error != NULL)
    /* TRANSLATORS: under a field whose typed value does not fit; %s says why */
    text = g_strdup_printf (_("Not saved: %s"), self->parse_error);
  else if (self->save_error != NULL)
    /* TRANSLATORS: under a field whose value could not be written; %s says why */
    text = g_strdup_printf (_("Could not save: %s"), self->save_error);
  else if (self->hint != NULL)
    text = g_strdup (self->hint);

  gtk_label_set_text (self->input_error_label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->input_error_label), text != NULL);
}

static void
set_parse_error (BcFieldEditor *self,
                 const char    *message)
{
  if (g_strcmp0 (self->parse_error, message) == 0)
    return;

  g_free (self->parse_error);
  self->parse_error = g_strdup (message);
  update_input_message (self);
}

/* --- reading and showing values -------------------------------------------- */

static const char *
entry_text (GtkWidget *entry)
{
  return gtk_editable_get_text (GTK_EDITABLE (entry));
}

char *
bc_field_editor_dup_text (BcFieldEditor *self)
{
  g_return_val_if_fail (BC_IS_FIELD_EDITOR (self), NULL);

  switch (self->field->type)
    {
    case BC_FIELD_INTEGER:
    case BC_FIELD_DECIMAL:
    case BC_FIELD_PERCENTAGE:
    case BC_FIELD_TEXT:
    case BC_FIELD_DATE:
      if (self->field->compute != NULL)
        return g_strdup (gtk_label_get_text (GTK_LABEL (self->computed_label)));
      return g_strdup (entry_text (self->entry));

    case BC_FIELD_LONG_TEXT:
      {
        GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->text_view));
        GtkTextIter start, end;

        gtk_text_buffer_get_bounds (buffer, &start, &end);
        return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
      }

    case BC_FIELD_CHOICE:
      {
        guint selected = gtk_drop_down_get_selected (GTK_DROP_DOWN (self->dropdown));
        const BcChoice *choice;

        if (selected == 0 || selected == GTK_INVALID_LIST_POSITION ||
            selected > self->field->choices->len)
          return g_strdup ("");
        choice = g_ptr_array_index (self->field->choices, selected - 1);
        return g_strdup (choice->value);
      }

    case BC_FIELD_YES_NO:
      if (self->field->compute != NULL)
        return g_strdup (gtk_label_get_text (GTK_LABEL (self->computed_label)));
      switch (gtk_drop_down_get_selected (GTK_DROP_DOWN (self->dropdown)))
        {
        case 1: return g_strdup ("yes");
        case 2: return g_strdup ("no");
        default: return g_strdup ("");
        }

    case BC_FIELD_DOCUMENT_REF:
      {
        const char *number = entry_text (self->doc_entries[0]);
        const char *date = entry_text (self->doc_entries[1]);
        const char *title = entry_text (self->doc_entries[2]);
        g_autoptr(JsonBuilder) builder = NULL;
        g_autoptr(JsonNode) root = NULL;

        if (*number == '\0' && *date == '\0' && *title == '\0')
          return g_strdup ("");

        /* The "number | date | title" form, unless a part holds a bar. */
        if (strchr (number, '|') == NULL && strchr (date, '|') == NULL &&
            strchr (title, '|') == NULL)
          return g_strdup_printf ("%s | %s | %s", number, date, title);

        builder = json_builder_new ();
        json_builder_begin_object (builder);
        json_builder_set_member_name (builder, "number");
        json_builder_add_string_value (builder, number);
        json_builder_set_member_name (builder, "date");
        json_builder_add_string_value (builder, date);
        json_builder_set_member_name (builder, "title");
        json_builder_add_string_value (builder, title);
        json_builder_end_object (builder);
        root = json_builder_get_root (builder);
        return json_to_string (root, FALSE);
      }

    case BC_FIELD_TABLE:
    default:
      return g_strdup ("");
    }
}

/* The text an input shows for a stored value: the display form when the
 * field reads it back as the same value, else the canonical text. */
static char *
dup_display_text (BcFieldEditor *self,
                  const char    *stored)
{
  g_autofree char *display = NULL;
  g_autofree char *again = NULL;

  if (stored == NULL)
    return g_strdup ("");

  display = bc_field_format_value (self->field, stored, self->lang);
  if (display == NULL)
    return g_strdup (stored);

  if (self->field->type == BC_FIELD_PERCENTAGE)
    {
      /* The unit is shown beside the input. */
      g_strstrip (display);
      if (g_str_has_suffix (display, "%"))
        display[strlen (display) - 1] = '\0';
      g_strstrip (display);
    }

  if (!bc_field_parse_value (self->field, display, &again, NULL) ||
      g_strcmp0 (again, stored) != 0)
    return g_strdup (stored);

  return g_steal_pointer (&display);
}

static void
set_entry_text (GtkWidget  *entry,
                const char *text)
{
  if (g_strcmp0 (entry_text (entry), text) != 0)
    gtk_editable_set_text (GTK_EDITABLE (entry), text);
}

static char *
date_for_people (const char *iso)
{
  int y, m, d;

  if (iso == NULL || sscanf (iso, "%d-%d-%d", &y, &m, &d) != 3)
    return g_strdup (iso != NULL ? iso : "");

  return g_strdup_printf ("%02d/%02d/%04d", d, m, y);
}

static void
show_value (BcFieldEditor *self,
            const char    *stored)
{
  self->updating = TRUE;

  switch (self->field->type)
    {
    case BC_FIELD_INTEGER:
    case BC_FIELD_DECIMAL:
    case BC_FIELD_PERCENTAGE:
    case BC_FIELD_TEXT:
    case BC_FIELD_DATE:
      {
        g_autofree char *text = dup_display_text (self, stored);

        set_entry_text (self->entry, text);
      }
      break;

    case BC_FIELD_LONG_TEXT:
      {
        GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->text_view));
        g_autofree char *current = bc_field_editor_dup_text (self);

        if (g_strcmp0 (current, stored != NULL ? stored : "") != 0)
          gtk_text_buffer_set_text (buffer, stored != NULL ? stored : "", -1);
      }
      break;

    case BC_FIELD_CHOICE:
      {
        guint selected = 0;

        for (guint i = 0; stored != NULL && i < self->field->choices->len; i++)
          {
            const BcChoice *choice = g_ptr_array_index (self->field->choices, i);

            if (g_strcmp0 (choice->value, stored) == 0)
              selected = i + 1;
          }
        gtk_drop_down_set_selected (GTK_DROP_DOWN (self->dropdown), selected);
      }
      break;

    case BC_FIELD_YES_NO:
      gtk_drop_down_set_selected (GTK_DROP_DOWN (self->dropdown),
                                  g_strcmp0 (stored, "yes") == 0 ? 1
                                  : g_strcmp0 (stored, "no") == 0 ? 2 : 0);
      break;

    case BC_FIELD_DOCUMENT_REF:
      {
        g_autoptr(JsonParser) parser = json_parser_new ();
        const char *number = "", *title = "";
        g_autofree char *date = NULL;
        JsonObject *object = NULL;

        if (stored != NULL && json_parser_load_from_data (parser, stored, -1, NULL) &&
            JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
          {
            object = json_node_get_object (json_parser_get_root (parser));
            number = json_object_get_string_member_with_default (object, "number", "");
            title = json_object_get_string_member_with_default (object, "title", "");
            date = date_for_people (json_object_get_string_member_with_default (object, "date", NULL));
          }

        set_entry_text (self->doc_entries[0], number);
        set_entry_text (self->doc_entries[1], date != NULL ? date : "");
        set_entry_text (self->doc_entries[2], title);
      }
      break;

    case BC_FIELD_TABLE:
    default:
      break;
    }

  self->updating = FALSE;
}

/* --- handing values over --------------------------------------------------- */

static void
flush_value (BcFieldEditor *self)
{
  g_autofree char *text = NULL;
  g_autofree char *canonical = NULL;
  g_autoptr(GError) error = NULL;
  gboolean retry;

  g_clear_handle_id (&self->debounce_id, g_source_remove);

  if (self->field->compute != NULL || self->field->type == BC_FIELD_TABLE ||
      self->read_only || self->disposed)
    return;

  retry = self->save_error != NULL;
  if (!self->value_dirty && !retry)
    return;

  text = bc_field_editor_dup_text (self);
  if (!bc_field_parse_value (self->field, text, &canonical, &error))
    {
      set_parse_error (self, error->message);
      set_invalid (self, TRUE);
      self->value_dirty = FALSE;
      update_dirty (self);
      return;
    }

  set_parse_error (self, NULL);
  set_invalid (self, FALSE);

  if (retry || g_strcmp0 (canonical, self->handed_over) != 0)
    {
      g_free (self->handed_over);
      self->handed_over = g_strdup (canonical);
      /* Handed over before it stops being dirty, so that the form never
       * looks saved in between. */
      g_signal_emit (self, signals[COMMIT], 0, canonical);
    }

  self->value_dirty = FALSE;
  update_dirty (self);
}

static gboolean
debounce_cb (gpointer user_data)
{
  BcFieldEditor *self = user_data;

  self->debounce_id = 0;
  flush_value (self);

  return G_SOURCE_REMOVE;
}

static void
input_changed (BcFieldEditor *self)
{
  if (self->updating)
    return;

  self->value_dirty = TRUE;
  update_dirty (self);

  /* Numbers are short: say at once when one does not fit (150 %). Dates
   * and references are checked when typing pauses, not at every digit. */
  if (field_is_number (self->field) || self->field->type == BC_FIELD_TEXT ||
      self->field->type == BC_FIELD_LONG_TEXT)
    {
      g_autofree char *text = bc_field_editor_dup_text (self);
      g_autofree char *canonical = NULL;
      g_autoptr(GError) error = NULL;

      if (bc_field_parse_value (self->field, text, &canonical, &error))
        set_parse_error (self, NULL);
      else
        set_parse_error (self, error->message);
    }

  update_input_message (self);

  if (self->dropdown != NULL)
    {
      flush_value (self);
      return;
    }

  g_clear_handle_id (&self->debounce_id, g_source_remove);
  self->debounce_id = g_timeout_add (BC_FIELD_EDITOR_DEBOUNCE_MS, debounce_cb, self);
}

static void
on_editable_changed (GtkEditable   *editable,
                     BcFieldEditor *self)
{
  input_changed (self);
}

static void
on_buffer_changed (GtkTextBuffer *buffer,
                   BcFieldEditor *self)
{
  input_changed (self);
}

static void
update_dropdown_tooltip (BcFieldEditor *self)
{
  GtkStringObject *item = gtk_drop_down_get_selected_item (GTK_DROP_DOWN (self->dropdown));
  const char *text = item != NULL ? gtk_string_object_get_string (item) : NULL;

  gtk_widget_set_tooltip_text (self->dropdown, g_strcmp0 (text, "—") != 0 ? text : NULL);
}

static void
on_selected_changed (GObject       *object,
                     GParamSpec    *pspec,
                     BcFieldEditor *self)
{
  update_dropdown_tooltip (self);
  input_changed (self);
}

static void
on_entry_activate (GtkEntry      *entry,
                   BcFieldEditor *self)
{
  bc_field_editor_flush (self);
}

static void
on_focus_leave (GtkEventControllerFocus *controller,
                BcFieldEditor           *self)
{
  /* Why a keystroke was refused matters while typing, not after. */
  if (self->hint != NULL)
    {
      g_clear_pointer (&self->hint, g_free);
      update_input_message (self);
    }

  bc_field_editor_flush (self);
}

/* Number inputs refuse what cannot be part of a number as it is typed,
 * so a stray letter never reaches the value. */
static void
on_number_insert_text (GtkEditable   *editable,
                       const char    *text,
                       int            length,
                       int           *position,
                       BcFieldEditor *self)
{
  g_autoptr(GString) kept = g_string_new (NULL);
  const char *end = length < 0 ? text + strlen (text) : text + length;
  gboolean refused = FALSE;

  for (const char *p = text; p < end; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if ((c >= '0' && c <= '9') || c == '.' || c == ',' || c == ' ' ||
          c == '-' || c == '+' || c == 0x00A0 ||
          (c == '%' && self->field->type == BC_FIELD_PERCENTAGE))
        g_string_append_unichar (kept, c);
      else
        refused = TRUE;
    }

  if (!refused)
    return;

  g_signal_stop_emission_by_name (editable, "insert-text");

  g_clear_pointer (&self->hint, g_free);
  self->hint = g_strdup (_("Only digits can be typed here: letters and other signs are left out."));
  update_input_message (self);
  gtk_widget_error_bell (GTK_WIDGET (self));

  if (kept->len > 0)
    {
      g_signal_handlers_block_by_func (editable, on_number_insert_text, self);
      gtk_editable_insert_text (editable, kept->str, (int) kept->len, position);
      g_signal_handlers_unblock_by_func (editable, on_number_insert_text, self);
    }
}

/* --- date picker ----------------------------------------------------------- */

static void
on_calendar_day_selected (GtkCalendar   *calendar,
                          BcFieldEditor *self)
{
  g_autoptr(GDateTime) date = NULL;
  g_autofree char *text = NULL;
  GtkWidget *popover;

  if (self->updating)
    return;

  date = gtk_calendar_get_date (calendar);
  text = g_date_time_format (date, "%d/%m/%Y");
  gtk_editable_set_text (GTK_EDITABLE (self->entry), text);
  bc_field_editor_flush (self);

  popover = gtk_widget_get_ancestor (GTK_WIDGET (calendar), GTK_TYPE_POPOVER);
  if (popover != NULL)
    gtk_popover_popdown (GTK_POPOVER (popover));
  gtk_widget_grab_focus (self->entry);
}

static void
on_calendar_popover_show (GtkWidget     *popover,
                          BcFieldEditor *self)
{
  g_autofree char *canonical = NULL;
  g_autofree char *text = bc_field_editor_dup_text (self);
  int y, m, d;

  /* Open the calendar on the date typed, else on today. */
  self->updating = TRUE;
  if (bc_field_parse_value (self->field, text, &canonical, NULL) && canonical != NULL &&
      sscanf (canonical, "%d-%d-%d", &y, &m, &d) == 3)
    {
      g_autoptr(GDateTime) date = g_date_time_new_local (y, m, d, 0, 0, 0);

      if (date != NULL)
        gtk_calendar_select_day (GTK_CALENDAR (self->calendar), date);
    }
  else
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_local ();

      gtk_calendar_select_day (GTK_CALENDAR (self->calendar), now);
    }
  self->updating = FALSE;
}

/* --- building the inputs --------------------------------------------------- */

static GtkWidget *
new_entry (BcFieldEditor *self)
{
  GtkWidget *entry = gtk_entry_new ();

  g_signal_connect (entry, "changed", G_CALLBACK (on_editable_changed), self);
  g_signal_connect (entry, "activate", G_CALLBACK (on_entry_activate), self);

  return entry;
}

static void
add_unit (BcFieldEditor *self)
{
  const char *unit = bc_text_get (&self->field->unit, self->lang);
  GtkWidget *label;

  if (unit == NULL || *unit == '\0')
    return;

  label = gtk_label_new (unit);
  gtk_widget_add_css_class (label, "dim-label");
  gtk_box_append (GTK_BOX (self->inline_box), label);
}

static void
build_number (BcFieldEditor *self)
{
  self->entry = self->input = new_entry (self);
  gtk_entry_set_input_purpose (GTK_ENTRY (self->entry),
                               self->field->type == BC_FIELD_INTEGER ? GTK_INPUT_PURPOSE_DIGITS
                                                                     : GTK_INPUT_PURPOSE_NUMBER);
  gtk_editable_set_alignment (GTK_EDITABLE (self->entry), 1.0);
  /* Narrow at least, so that label and number share a line on a small
   * screen with large text too. */
  gtk_editable_set_width_chars (GTK_EDITABLE (self->entry), 4);
  gtk_editable_set_max_width_chars (GTK_EDITABLE (self->entry), 12);
  gtk_widget_add_css_class (self->entry, "numeric");
  g_signal_connect (gtk_editable_get_delegate (GTK_EDITABLE (self->entry)), "insert-text",
                    G_CALLBACK (on_number_insert_text), self);

  gtk_box_append (GTK_BOX (self->inline_box), self->entry);
  add_unit (self);
  gtk_widget_set_visible (self->inline_box, TRUE);
}

static void
build_text (BcFieldEditor *self)
{
  self->entry = self->input = new_entry (self);
  gtk_widget_set_hexpand (self->entry, TRUE);
  gtk_box_append (GTK_BOX (self->block_box), self->entry);
  gtk_widget_set_visible (self->block_box, TRUE);
}

static void
build_long_text (BcFieldEditor *self)
{
  GtkWidget *frame = gtk_frame_new (NULL);
  GtkTextBuffer *buffer;

  /* No scrolled window: the text view grows with what is written, and the
   * form scrolls as a whole. */
  self->text_view = self->input = gtk_text_view_new ();
  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (self->text_view), GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_accepts_tab (GTK_TEXT_VIEW (self->text_view), FALSE);
  gtk_text_view_set_top_margin (GTK_TEXT_VIEW (self->text_view), 8);
  gtk_text_view_set_bottom_margin (GTK_TEXT_VIEW (self->text_view), 8);
  gtk_text_view_set_left_margin (GTK_TEXT_VIEW (self->text_view), 10);
  gtk_text_view_set_right_margin (GTK_TEXT_VIEW (self->text_view), 10);
  gtk_widget_set_size_request (self->text_view, -1, 64);
  gtk_frame_set_child (GTK_FRAME (frame), self->text_view);

  buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->text_view));
  g_signal_connect (buffer, "changed", G_CALLBACK (on_buffer_changed), self);

  gtk_box_append (GTK_BOX (self->block_box), frame);
  gtk_widget_set_visible (self->block_box, TRUE);
}

static void
build_date (BcFieldEditor *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  GtkWidget *popover = gtk_popover_new ();

  gtk_widget_add_css_class (box, "linked");

  self->entry = self->input = new_entry (self);
  gtk_editable_set_width_chars (GTK_EDITABLE (self->entry), 11);
  /* TRANSLATORS: the placeholder of a date input */
  gtk_entry_set_placeholder_text (GTK_ENTRY (self->entry), _("dd/mm/yyyy"));
  gtk_box_append (GTK_BOX (box), self->entry);

  self->calendar = gtk_calendar_new ();
  g_signal_connect (self->calendar, "day-selected", G_CALLBACK (on_calendar_day_selected), self);
  gtk_popover_set_child (GTK_POPOVER (popover), self->calendar);
  g_signal_connect (popover, "show", G_CALLBACK (on_calendar_popover_show), self);

  self->calendar_button = gtk_menu_button_new ();
  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (self->calendar_button), "x-office-calendar-symbolic");
  gtk_widget_set_tooltip_text (self->calendar_button, _("Choose a date"));
  gtk_menu_button_set_popover (GTK_MENU_BUTTON (self->calendar_button), popover);
  gtk_box_append (GTK_BOX (box), self->calendar_button);

  /* Under the label: a date and its button do not fit beside it on a
   * small screen. */
  gtk_widget_set_halign (box, GTK_ALIGN_START);
  gtk_box_append (GTK_BOX (self->block_box), box);
  gtk_widget_set_visible (self->block_box, TRUE);
}

static void
setup_item_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               gpointer                  user_data)
{
  gboolean in_list = GPOINTER_TO_INT (user_data);
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  if (in_list)
    {
      /* In the open list an item wraps rather than widening the popup. */
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
      gtk_label_set_max_width_chars (GTK_LABEL (label), 40);
    }
  else
    {
      /* On the button a long choice is cut with "…" rather than making the
       * form wider than a small screen (a GtkDropDown of GTK 4.8 cannot
       * wrap it); the list and the tooltip show it whole. */
      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
      gtk_label_set_width_chars (GTK_LABEL (label), 3);
    }
  gtk_list_item_set_child (item, label);
}

static void
bind_item_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              gpointer                  user_data)
{
  GtkStringObject *string = gtk_list_item_get_item (item);

  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (item)),
                      string != NULL ? gtk_string_object_get_string (string) : "");
}

static GtkListItemFactory *
new_item_factory (gboolean in_list)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();

  g_signal_connect (factory, "setup", G_CALLBACK (setup_item_cb), GINT_TO_POINTER (in_list));
  g_signal_connect (factory, "bind", G_CALLBACK (bind_item_cb), NULL);

  return factory;
}

static void
build_dropdown (BcFieldEditor *self,
                const char   **items)
{
  g_autoptr(GtkListItemFactory) factory = new_item_factory (FALSE);
  g_autoptr(GtkListItemFactory) list_factory = new_item_factory (TRUE);
  gboolean wide = FALSE;

  self->dropdown = self->input = gtk_drop_down_new_from_strings (items);
  gtk_drop_down_set_factory (GTK_DROP_DOWN (self->dropdown), factory);
  gtk_drop_down_set_list_factory (GTK_DROP_DOWN (self->dropdown), list_factory);
  gtk_widget_set_valign (self->dropdown, GTK_ALIGN_CENTER);
  g_signal_connect (self->dropdown, "notify::selected", G_CALLBACK (on_selected_changed), self);

  /* Long choices ("Official e-mail system (Directive 34/2008/CT-TTg)") go
   * under the label, the width of the form; short ones beside it. */
  for (guint i = 0; items[i] != NULL; i++)
    wide |= g_utf8_strlen (items[i], -1) > 16;

  if (wide)
    {
      gtk_widget_set_hexpand (self->dropdown, TRUE);
      gtk_box_append (GTK_BOX (self->block_box), self->dropdown);
      gtk_widget_set_visible (self->block_box, TRUE);
    }
  else
    {
      gtk_box_append (GTK_BOX (self->inline_box), self->dropdown);
      gtk_widget_set_visible (self->inline_box, TRUE);
    }
}

static void
build_choice (BcFieldEditor *self)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new ();

  /* The first item stands for blank, so a choice can be taken back. */
  g_ptr_array_add (items, (gpointer) "—");
  for (guint i = 0; i < self->field->choices->len; i++)
    {
      const BcChoice *choice = g_ptr_array_index (self->field->choices, i);

      g_ptr_array_add (items, (gpointer) bc_text_get (&choice->label, self->lang));
    }
  g_ptr_array_add (items, NULL);

  build_dropdown (self, (const char **) items->pdata);
}

static void
build_yes_no (BcFieldEditor *self)
{
  /* Not a switch: blank ("not answered yet") must stay possible. The
   * answers are in the form's language, as the core writes them. */
  g_autofree char *yes = bc_field_format_value (self->field, "yes", self->lang);
  g_autofree char *no = bc_field_format_value (self->field, "no", self->lang);
  const char *items[] = { "—", yes, no, NULL };

  build_dropdown (self, items);
}

static void
build_document_ref (BcFieldEditor *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *line = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  const char *number_hint;

  for (guint i = 0; i < G_N_ELEMENTS (self->doc_entries); i++)
    self->doc_entries[i] = new_entry (self);

  /* Number and date on a line where they fit, else the date under the
   * number; the subject under them. */
  gtk_widget_set_layout_manager (line, bc_wrap_layout_new (6));
  gtk_box_append (GTK_BOX (line), self->doc_entries[0]);
  gtk_box_append (GTK_BOX (line), self->doc_entries[1]);
  gtk_box_append (GTK_BOX (box), line);
  gtk_box_append (GTK_BOX (box), self->doc_entries[2]);

  /* TRANSLATORS: placeholders of the three parts of a document reference */
  number_hint = _("Number and symbol");
  gtk_entry_set_placeholder_text (GTK_ENTRY (self->doc_entries[0]), number_hint);
  /* Wide enough for its placeholder, which would be cut short else. */
  gtk_editable_set_width_chars (GTK_EDITABLE (self->doc_entries[0]),
                                MAX (8, (int) g_utf8_strlen (number_hint, -1) + 1));
  gtk_widget_set_hexpand (self->doc_entries[0], TRUE);
  gtk_entry_set_placeholder_text (GTK_ENTRY (self->doc_entries[1]), _("dd/mm/yyyy"));
  gtk_editable_set_width_chars (GTK_EDITABLE (self->doc_entries[1]), 10);
  gtk_entry_set_placeholder_text (GTK_ENTRY (self->doc_entries[2]), _("Subject"));
  gtk_editable_set_width_chars (GTK_EDITABLE (self->doc_entries[2]), 8);
  gtk_widget_set_hexpand (self->doc_entries[2], TRUE);

  self->input = self->doc_entries[0];
  gtk_box_append (GTK_BOX (self->block_box), box);
  gtk_widget_set_visible (self->block_box, TRUE);
}

static void
build_computed (BcFieldEditor *self)
{
  self->computed_label = gtk_label_new ("—");
  /* Selectable, so that the value can be copied; but no Tab stop: a
   * selectable label claims Tab even when it cannot take the focus, which
   * trapped the keyboard here (GTK 4.8), so the focus chain skips it. */
  gtk_label_set_selectable (GTK_LABEL (self->computed_label), TRUE);
  gtk_widget_set_focusable (self->computed_label, FALSE);
  gtk_widget_set_can_focus (self->computed_label, FALSE);
  gtk_widget_add_css_class (self->computed_label, "numeric");
  gtk_widget_add_css_class (self->computed_label, "heading");
  gtk_box_append (GTK_BOX (self->inline_box), self->computed_label);
  if (self->field->type != BC_FIELD_PERCENTAGE)
    add_unit (self);
  gtk_widget_set_visible (self->inline_box, TRUE);

  gtk_label_set_text (self->note_label, _("Computed from other fields"));
  gtk_widget_set_visible (GTK_WIDGET (self->note_label), TRUE);

  /* A label is what a screen reader reads here; name it after the field. */
  self->input = NULL;
}

static char *
dup_target_text (BcFieldEditor *self)
{
  const BcTarget *target = self->target;
  char number[G_ASCII_DTOSTR_BUF_SIZE];
  g_autofree char *value = NULL;
  const char *source = bc_text_get (&target->source, self->lang);

  g_ascii_formatd (number, sizeof number, "%.15g", target->value);
  value = bc_field_format_value (self->field, number, self->lang);

  switch (target->op)
    {
    case BC_TARGET_AT_MOST:
      /* TRANSLATORS: a target beside an indicator: "Target ≤ 5% — Plan 61/KH-UBND" */
      return g_strdup_printf (_("Target ≤ %s — %s"), value, source);
    case BC_TARGET_EQUAL:
      return g_strdup_printf (_("Target = %s — %s"), value, source);
    case BC_TARGET_AT_LEAST:
    default:
      /* TRANSLATORS: a target beside an indicator: "Target ≥ 90% — Plan 61/KH-UBND" */
      return g_strdup_printf (_("Target ≥ %s — %s"), value, source);
    }
}

/* Colours the target by whether the value shown meets it. */
static void
update_target (BcFieldEditor *self)
{
  const BcTarget *target = self->target;
  const char *value = self->field->compute != NULL ? self->computed : self->stored;
  GtkWidget *label = GTK_WIDGET (self->target_label);
  double number;
  gboolean met;

  if (target == NULL)
    return;

  gtk_widget_remove_css_class (label, "success");
  gtk_widget_remove_css_class (label, "warning");
  gtk_widget_add_css_class (label, "dim-label");

  if (value == NULL)
    return;

  number = g_ascii_strtod (value, NULL);
  switch (target->op)
    {
    case BC_TARGET_AT_MOST: met = number <= target->value; break;
    case BC_TARGET_EQUAL: met = number == target->value; break;
    case BC_TARGET_AT_LEAST:
    default: met = number >= target->value; break;
    }

  gtk_widget_remove_css_class (label, "dim-label");
  gtk_widget_add_css_class (label, met ? "success" : "warning");
}

static void
build (BcFieldEditor *self)
{
  const BcField *field = self->field;
  const char *help = bc_text_get (&field->help, self->lang);

  if (field->required && field->compute == NULL)
    {
      g_autofree char *markup = g_markup_printf_escaped ("%s <b>*</b>", field_label (self));

      gtk_label_set_markup (self->title_label, markup);
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->title_label), _("Required"));
    }
  else
    gtk_label_set_text (self->title_label, field_label (self));

  if (help != NULL && *help != '\0' && field->table != NULL)
    /* A column's help would repeat in every row: it is the title's
     * tooltip there (and the input's accessible description). */
    gtk_widget_set_tooltip_text (GTK_WIDGET (self->title_label), help);
  else if (help != NULL && *help != '\0')
    {
      gtk_label_set_text (self->help_label, help);
      gtk_widget_set_visible (GTK_WIDGET (self->help_label), TRUE);
    }


  if (field->compute != NULL)
    build_computed (self);
  else
    switch (field->type)
      {
      case BC_FIELD_INTEGER:
      case BC_FIELD_DECIMAL:
      case BC_FIELD_PERCENTAGE:
        build_number (self);
        break;
      case BC_FIELD_TEXT:
        build_text (self);
        break;
      case BC_FIELD_LONG_TEXT:
        build_long_text (self);
        break;
      case BC_FIELD_DATE:
        build_date (self);
        break;
      case BC_FIELD_CHOICE:
        build_choice (self);
        break;
      case BC_FIELD_YES_NO:
        build_yes_no (self);
        break;
      case BC_FIELD_DOCUMENT_REF:
        build_document_ref (self);
        break;
      case BC_FIELD_TABLE:
        /* The header of a table: its label, help and the issues about
         * the table as a whole; the rows are drawn by BcTableEditor. */
        gtk_widget_add_css_class (GTK_WIDGET (self->title_label), "heading");
        break;
      default:
        g_assert_not_reached ();
      }

  if (self->computed_label != NULL)
    {
      g_autofree char *name = dup_accessible_name (self);

      set_accessible_label (self->computed_label, name);
    }

  update_accessible_names (self);
}

/* --- issues ---------------------------------------------------------------- */

/* Cuts the entry's handlers, which point at the row: the entry may
 * outlive it for a moment while it is destroyed. */
static void
issue_row_disconnect (IssueRow *row)
{
  if (row->entry == NULL)
    return;

  g_signal_handlers_disconnect_by_data (row->entry, row);
  g_signal_handlers_disconnect_by_data (row->focus, row);
  row->entry = NULL;
  row->focus = NULL;
}

/* Takes the row's widgets out of the editor; the row is freed after. */
static void
issue_row_remove (IssueRow *row)
{
  issue_row_disconnect (row);
  gtk_box_remove (GTK_BOX (row->editor->issues_box), row->box);
}

static void
issue_row_free (IssueRow *row)
{
  g_clear_handle_id (&row->debounce_id, g_source_remove);
  issue_row_disconnect (row);
  g_free (row->rule_id);
  g_free (row->handed_over);
  g_free (row);
}

static void
issue_row_flush (IssueRow *row)
{
  BcFieldEditor *self = row->editor;
  g_autofree char *text = NULL;

  g_clear_handle_id (&row->debounce_id, g_source_remove);
  if (!row->dirty || row->entry == NULL || self->disposed)
    return;

  text = g_strstrip (g_strdup (entry_text (row->entry)));
  if (*text == '\0')
    g_clear_pointer (&text, g_free);

  if (g_strcmp0 (text, row->handed_over) != 0)
    {
      g_free (row->handed_over);
      row->handed_over = g_strdup (text);
      g_signal_emit (self, signals[JUSTIFY], 0, row->rule_id, row->row_id, text);
    }

  row->dirty = FALSE;
  update_dirty (self);
}

static gboolean
issue_row_debounce_cb (gpointer user_data)
{
  IssueRow *row = user_data;

  row->debounce_id = 0;
  issue_row_flush (row);

  return G_SOURCE_REMOVE;
}

static void
on_justification_changed (GtkEditable *editable,
                          IssueRow    *row)
{
  if (row->editor->updating)
    return;

  row->dirty = TRUE;
  update_dirty (row->editor);
  g_clear_handle_id (&row->debounce_id, g_source_remove);
  row->debounce_id = g_timeout_add (BC_FIELD_EDITOR_DEBOUNCE_MS, issue_row_debounce_cb, row);
}

static void
on_justification_activate (GtkEntry *entry,
                           IssueRow *row)
{
  issue_row_flush (row);
}

static void
on_justification_leave (GtkEventControllerFocus *controller,
                        IssueRow                *row)
{
  issue_row_flush (row);
}

static IssueRow *
issue_row_new (BcFieldEditor *self,
               const BcIssue *issue)
{
  IssueRow *row = g_new0 (IssueRow, 1);
  GtkWidget *line = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);

  row->editor = self;
  row->rule_id = g_strdup (issue->rule_id);
  row->row_id = issue->row_id;
  row->severity = issue->severity;

  row->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  row->icon = gtk_image_new_from_icon_name (issue->severity == BC_SEVERITY_ERROR
                                            ? "dialog-error-symbolic"
                                            : "dialog-warning-symbolic");
  gtk_widget_set_valign (row->icon, GTK_ALIGN_START);
  row->label = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (row->label), 0);
  gtk_label_set_wrap (GTK_LABEL (row->label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (row->label), PANGO_WRAP_WORD_CHAR);
  gtk_widget_set_hexpand (row->label, TRUE);
  gtk_box_append (GTK_BOX (line), row->icon);
  gtk_box_append (GTK_BOX (line), row->label);
  gtk_box_append (GTK_BOX (row->box), line);

  if (issue->severity == BC_SEVERITY_WARNING)
    {
      GtkEventController *focus = row->focus = gtk_event_controller_focus_new ();
      g_autofree char *field = dup_accessible_name (self);
      /* TRANSLATORS: the accessible name of the justification input of a
       * warning: the field's name ("Row 3: Planned completion"), then the warning */
      g_autofree char *name = g_strdup_printf (_("Justification for %s: %s"), field, issue->message);

      row->entry = gtk_entry_new ();
      /* A short placeholder, whole on a small screen; the tooltip says more. */
      gtk_entry_set_placeholder_text (GTK_ENTRY (row->entry), _("Why this is correct"));
      gtk_widget_set_tooltip_text (row->entry,
                                   _("Write why this is correct (needed to mark the report ready)"));
      gtk_widget_set_margin_start (row->entry, 22);
      set_accessible_label (row->entry, name);
      gtk_widget_set_name (row->entry, "justification");
      gtk_widget_set_sensitive (row->entry, !self->read_only);
      g_signal_connect (row->entry, "changed", G_CALLBACK (on_justification_changed), row);
      g_signal_connect (row->entry, "activate", G_CALLBACK (on_justification_activate), row);
      g_signal_connect (focus, "leave", G_CALLBACK (on_justification_leave), row);
      gtk_widget_add_controller (row->entry, focus);
      gtk_box_append (GTK_BOX (row->box), row->entry);
    }

  return row;
}

static void
issue_row_update (IssueRow      *row,
                  const BcIssue *issue)
{
  BcFieldEditor *self = row->editor;
  gboolean justified = issue->severity == BC_SEVERITY_WARNING && issue->justification != NULL;

  gtk_label_set_text (GTK_LABEL (row->label), issue->message);

  gtk_widget_remove_css_class (row->label, "error");
  gtk_widget_remove_css_class (row->label, "warning");
  gtk_widget_remove_css_class (row->icon, "error");
  gtk_widget_remove_css_class (row->icon, "warning");
  gtk_widget_remove_css_class (row->icon, "dim-label");
  if (issue->severity == BC_SEVERITY_ERROR)
    {
      gtk_widget_add_css_class (row->label, "error");
      gtk_widget_add_css_class (row->icon, "error");
    }
  else if (!justified)
    {
      gtk_widget_add_css_class (row->label, "warning");
      gtk_widget_add_css_class (row->icon, "warning");
    }
  else
    gtk_widget_add_css_class (row->icon, "dim-label");

  if (row->entry != NULL && !row->dirty && row->debounce_id == 0)
    {
      g_free (row->handed_over);
      row->handed_over = g_strdup (issue->justification);
      self->updating = TRUE;
      set_entry_text (row->entry, issue->justification != NULL ? issue->justification : "");
      self->updating = FALSE;
    }
}

void
bc_field_editor_set_issues (BcFieldEditor *self,
                            GPtrArray     *issues)
{
  GHashTableIter iter;
  IssueRow *row;
  GtkWidget *previous = NULL;
  GString *shown = g_string_new (NULL);

  g_return_if_fail (BC_IS_FIELD_EDITOR (self));

  /* Most saved edits leave most fields' issues as they were: nothing to
   * redo then. */
  for (guint i = 0; issues != NULL && i < issues->len; i++)
    {
      const BcIssue *issue = g_ptr_array_index (issues, i);

      g_string_append_printf (shown, "%s\x1f%d\x1f%s\x1f%s\x1f%s\x1e", issue->rule_id,
                              (int) issue->severity, issue->path, issue->message,
                              issue->justification != NULL ? issue->justification : "\x1d");
    }
  if (g_strcmp0 (shown->str, self->issues_shown) == 0)
    {
      g_string_free (shown, TRUE);
      return;
    }
  g_free (self->issues_shown);
  self->issues_shown = g_string_free (shown, FALSE);

  g_hash_table_iter_init (&iter, self->issue_rows);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &row))
    row->seen = FALSE;

  for (guint i = 0; issues != NULL && i < issues->len; i++)
    {
      const BcIssue *issue = g_ptr_array_index (issues, i);

      row = g_hash_table_lookup (self->issue_rows, issue->rule_id);
      if (row != NULL && row->severity != issue->severity)
        {
          issue_row_remove (row);
          g_hash_table_remove (self->issue_rows, issue->rule_id);
          row = NULL;
        }
      if (row == NULL)
        {
          row = issue_row_new (self, issue);
          g_hash_table_insert (self->issue_rows, row->rule_id, row);
          gtk_box_append (GTK_BOX (self->issues_box), row->box);
        }

      issue_row_update (row, issue);
      row->seen = TRUE;
      gtk_box_reorder_child_after (GTK_BOX (self->issues_box), row->box, previous);
      previous = row->box;
    }

  /* A warning that no longer applies goes, with what was being typed in
   * its justification handed over first. */
  g_hash_table_iter_init (&iter, self->issue_rows);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &row))
    if (!row->seen)
      {
        issue_row_flush (row);
        issue_row_remove (row);
        g_hash_table_iter_remove (&iter);
      }

  gtk_widget_set_visible (self->issues_box, g_hash_table_size (self->issue_rows) > 0);
  update_dirty (self);
}

/* --- GObject --------------------------------------------------------------- */

static void
bc_field_editor_dispose (GObject *object)
{
  BcFieldEditor *self = BC_FIELD_EDITOR (object);

  /* Whoever owns the form flushes before destroying it; nothing is handed
   * over from a dying editor. */
  self->disposed = TRUE;
  g_clear_handle_id (&self->debounce_id, g_source_remove);
  if (self->issue_rows != NULL)
    g_hash_table_remove_all (self->issue_rows);
  gtk_widget_dispose_template (GTK_WIDGET (self), BC_TYPE_FIELD_EDITOR);

  G_OBJECT_CLASS (bc_field_editor_parent_class)->dispose (object);
}

static void
bc_field_editor_finalize (GObject *object)
{
  BcFieldEditor *self = BC_FIELD_EDITOR (object);

  g_clear_pointer (&self->issue_rows, g_hash_table_unref);
  g_free (self->issues_shown);
  g_free (self->context);
  g_free (self->lang);
  g_free (self->stored);
  g_free (self->handed_over);
  g_free (self->parse_error);
  g_free (self->hint);
  g_free (self->save_error);
  g_free (self->computed);

  G_OBJECT_CLASS (bc_field_editor_parent_class)->finalize (object);
}

static void
bc_field_editor_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  BcFieldEditor *self = BC_FIELD_EDITOR (object);

  switch (prop_id)
    {
    case PROP_DIRTY:
      g_value_set_boolean (value, self->dirty);
      break;
    case PROP_INVALID:
      g_value_set_boolean (value, self->invalid);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bc_field_editor_class_init (BcFieldEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = bc_field_editor_dispose;
  object_class->finalize = bc_field_editor_finalize;
  object_class->get_property = bc_field_editor_get_property;

  properties[PROP_DIRTY] =
    g_param_spec_boolean ("dirty", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_INVALID] =
    g_param_spec_boolean ("invalid", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* A checked value to store: canonical text, NULL for blank. */
  signals[COMMIT] =
    g_signal_new ("commit", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);
  /* The justification of a warning: rule id, row id, text (NULL removes it). */
  signals[JUSTIFY] =
    g_signal_new ("justify", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_INT64, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/baocao/Baocao/bc-field-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, BcFieldEditor, header_box);
  gtk_widget_class_bind_template_child (widget_class, BcFieldEditor, title_label);
  gtk_widget_class_bind_template_child (widget_class, BcFieldEditor, note_label);
  gtk_widget_class_bind_template_child (widget_class, BcFieldEditor, target_label);
  gtk_widget_class_bind_template_child (widget_class, BcFieldEditor, help_label);
  gtk_widget_class_bind_template_child (widget_class, BcFieldEditor, inline_box);
  gtk_widget_class_bind_template_child (widget_class, BcFieldEditor, block_box);
  gtk_widget_class_bind_template_child (widget_class, BcFieldEditor, input_error_label);
  gtk_widget_class_bind_template_child (widget_class, BcFieldEditor, issues_box);

  gtk_widget_class_set_css_name (widget_class, "bcfieldeditor");
}

static void
bc_field_editor_init (BcFieldEditor *self)
{
  GtkEventController *focus;

  gtk_widget_init_template (GTK_WIDGET (self));
  /* The input beside its label where both fit, else under it: a label is
   * never squeezed into breaking its words (360 px, large text). */
  gtk_widget_set_layout_manager (self->header_box, bc_wrap_layout_new (8));

  self->issue_rows = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                            (GDestroyNotify) issue_row_free);

  /* Leaving the field hands over what was typed at once. */
  focus = gtk_event_controller_focus_new ();
  g_signal_connect (focus, "leave", G_CALLBACK (on_focus_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self), focus);
}

GtkWidget *
bc_field_editor_new (const BcField *field,
                     const char    *lang)
{
  BcFieldEditor *self;
  g_autofree char *key = NULL;

  g_return_val_if_fail (field != NULL, NULL);

  self = g_object_new (BC_TYPE_FIELD_EDITOR, NULL);
  self->field = field;
  /* Named by its storage key, so that a form can be walked by field. */
  key = bc_field_dup_key (field);
  gtk_widget_set_name (GTK_WIDGET (self), key);
  self->lang = g_strdup (lang != NULL ? lang : "vi");

  build (self);

  return GTK_WIDGET (self);
}

void
bc_field_editor_set_target (BcFieldEditor  *self,
                            const BcTarget *target)
{
  g_return_if_fail (BC_IS_FIELD_EDITOR (self));

  self->target = target;
  if (target == NULL)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->target_label), FALSE);
      return;
    }

  {
    g_autofree char *text = dup_target_text (self);

    gtk_label_set_text (self->target_label, text);
    gtk_widget_set_visible (GTK_WIDGET (self->target_label), TRUE);
    update_target (self);
  }
}

const BcField *
bc_field_editor_get_field (BcFieldEditor *self)
{
  g_return_val_if_fail (BC_IS_FIELD_EDITOR (self), NULL);

  return self->field;
}

void
bc_field_editor_set_row (BcFieldEditor *self,
                         gint64         row_id,
                         guint          row)
{
  g_return_if_fail (BC_IS_FIELD_EDITOR (self));

  if (self->row_id == row_id && self->row == row)
    return;

  self->row_id = row_id;
  self->row = row;

  update_accessible_names (self);
  if (self->computed_label != NULL)
    {
      g_autofree char *name = dup_accessible_name (self);

      set_accessible_label (self->computed_label, name);
    }
}

void
bc_field_editor_set_context (BcFieldEditor *self,
                             const char    *context)
{
  g_return_if_fail (BC_IS_FIELD_EDITOR (self));

  if (g_strcmp0 (self->context, context) == 0)
    return;

  g_free (self->context);
  self->context = g_strdup (context);

  update_accessible_names (self);
  if (self->computed_label != NULL)
    {
      g_autofree char *name = dup_accessible_name (self);

      set_accessible_label (self->computed_label, name);
    }
}

gint64
bc_field_editor_get_row_id (BcFieldEditor *self)
{
  g_return_val_if_fail (BC_IS_FIELD_EDITOR (self), 0);

  return self->row_id;
}

guint
bc_field_editor_get_row (BcFieldEditor *self)
{
  g_return_val_if_fail (BC_IS_FIELD_EDITOR (self), 0);

  return self->row;
}

char *
bc_field_editor_dup_path (BcFieldEditor *self)
{
  g_return_val_if_fail (BC_IS_FIELD_EDITOR (self), NULL);

  return bc_report_cell_path (self->field, self->row);
}

void
bc_field_editor_set_stored (BcFieldEditor *self,
                            const char    *stored,
                            gboolean       force)
{
  g_return_if_fail (BC_IS_FIELD_EDITOR (self));

  if (self->stored != stored)
    {
      g_free (self->stored);
      self->stored = g_strdup (stored);
    }

  update_target (self);

  if (self->field->compute != NULL || self->field->type == BC_FIELD_TABLE)
    return;

  /* What the user typed and has not seen saved stays as typed. */
  if (!force && (self->value_dirty || self->invalid || self->save_error != NULL ||
                 self->debounce_id != 0))
    return;

  if (!force && g_strcmp0 (stored, self->handed_over) == 0)
    return;

  if (self->handed_over != stored)
    {
      g_free (self->handed_over);
      self->handed_over = g_strdup (stored);
    }
  g_clear_handle_id (&self->debounce_id, g_source_remove);
  self->value_dirty = FALSE;
  set_parse_error (self, NULL);
  set_invalid (self, FALSE);
  g_clear_pointer (&self->save_error, g_free);
  g_clear_pointer (&self->hint, g_free);
  update_input_message (self);
  show_value (self, stored);
  update_dirty (self);
}

void
bc_field_editor_set_computed (BcFieldEditor *self,
                              const char    *value)
{
  g_autofree char *text = NULL;

  g_return_if_fail (BC_IS_FIELD_EDITOR (self));

  if (self->computed_label == NULL)
    return;

  if (self->computed_shown && g_strcmp0 (value, self->computed) == 0)
    return;
  self->computed_shown = TRUE;

  g_free (self->computed);
  self->computed = g_strdup (value);

  if (value != NULL)
    text = bc_field_format_value (self->field, value, self->lang);

  gtk_label_set_text (GTK_LABEL (self->computed_label),
                      text != NULL && *text != '\0' ? text : "—");
  update_target (self);
}

void
bc_field_editor_set_read_only (BcFieldEditor *self,
                               gboolean       read_only)
{
  GHashTableIter iter;
  IssueRow *row;

  g_return_if_fail (BC_IS_FIELD_EDITOR (self));

  if (self->read_only == !!read_only)
    return;
  self->read_only = !!read_only;

  if (self->input != NULL)
    gtk_widget_set_sensitive (self->input, !read_only);
  if (self->calendar_button != NULL)
    gtk_widget_set_sensitive (self->calendar_button, !read_only);
  for (guint i = 0; i < G_N_ELEMENTS (self->doc_entries); i++)
    if (self->doc_entries[i] != NULL)
      gtk_widget_set_sensitive (self->doc_entries[i], !read_only);

  g_hash_table_iter_init (&iter, self->issue_rows);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &row))
    if (row->entry != NULL)
      gtk_widget_set_sensitive (row->entry, !read_only);
}

void
bc_field_editor_set_save_error (BcFieldEditor *self,
                                const char    *message)
{
  g_return_if_fail (BC_IS_FIELD_EDITOR (self));

  if (g_strcmp0 (self->save_error, message) == 0)
    return;

  g_free (self->save_error);
  self->save_error = g_strdup (message);
  update_input_message (self);
}

gboolean
bc_field_editor_get_dirty (BcFieldEditor *self)
{
  g_return_val_if_fail (BC_IS_FIELD_EDITOR (self), FALSE);

  return self->dirty;
}

gboolean
bc_field_editor_get_invalid (BcFieldEditor *self)
{
  g_return_val_if_fail (BC_IS_FIELD_EDITOR (self), FALSE);

  return self->invalid;
}

void
bc_field_editor_flush (BcFieldEditor *self)
{
  GHashTableIter iter;
  IssueRow *row;

  g_return_if_fail (BC_IS_FIELD_EDITOR (self));

  flush_value (self);

  g_hash_table_iter_init (&iter, self->issue_rows);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &row))
    issue_row_flush (row);
}

/* Focuses the input with the caret after what it holds, nothing selected:
 * coming back to a field, the first key must not replace its text. */
static gboolean
grab_focus_at_end (GtkWidget *input)
{
  if (GTK_IS_ENTRY (input))
    {
      if (!gtk_entry_grab_focus_without_selecting (GTK_ENTRY (input)))
        return FALSE;
      gtk_editable_set_position (GTK_EDITABLE (input), -1);
      return TRUE;
    }

  if (GTK_IS_TEXT_VIEW (input))
    {
      GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (input));
      GtkTextIter end;

      if (!gtk_widget_grab_focus (input))
        return FALSE;
      gtk_text_buffer_get_end_iter (buffer, &end);
      gtk_text_buffer_place_cursor (buffer, &end);
      gtk_text_view_scroll_mark_onscreen (GTK_TEXT_VIEW (input), gtk_text_buffer_get_insert (buffer));
      return TRUE;
    }

  return gtk_widget_grab_focus (input);
}

gboolean
bc_field_editor_focus_input (BcFieldEditor *self)
{
  g_return_val_if_fail (BC_IS_FIELD_EDITOR (self), FALSE);

  if (self->input != NULL && gtk_widget_get_sensitive (self->input))
    return grab_focus_at_end (self->input);

  if (self->computed_label != NULL)
    return FALSE;

  return self->input != NULL && grab_focus_at_end (self->input);
}

char *
bc_field_editor_dup_name (BcFieldEditor *self)
{
  g_return_val_if_fail (BC_IS_FIELD_EDITOR (self), NULL);

  return dup_accessible_name (self);
}

/* Separators between the visible editors of a card, none around hidden ones. */
void
bc_field_editor_update_separators (GtkWidget *box)
{
  gboolean seen_visible = FALSE;

  g_return_if_fail (GTK_IS_WIDGET (box));

  for (GtkWidget *child = gtk_widget_get_first_child (box);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *next;

      if (!GTK_IS_SEPARATOR (child))
        {
          seen_visible |= gtk_widget_get_visible (child);
          continue;
        }

      next = gtk_widget_get_next_sibling (child);
      gtk_widget_set_visible (child, seen_visible && next != NULL && gtk_widget_get_visible (next));
    }
}
