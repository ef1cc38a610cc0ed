/* bc-document.c: a report laid out as a Vietnamese administrative document.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The text of the document's frame ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
 * "Số:", "Kính gửi:", "Nơi nhận:") is not translated: it is the wording the
 * decree prescribes for a Vietnamese document, whatever language the person
 * printing it reads. Values are always written the Vietnamese way.
 */
#define G_LOG_DOMAIN "bc-document"

#include "config.h"

#include <string.h>

#include <cairo-pdf.h>
#include <glib/gi18n-lib.h>
#include <pango/pangocairo.h>

#include "bc-document.h"
#include "bc-plan.h"
#include "bc-entry.h"
#include "bc-output-format.h"
#include "bc-print-layout.h"
#include "bc-validate.h"

/* Decree 30/2020/NĐ-CP, Appendix I: A4, margins top and bottom 20–25 mm,
 * left 30–35 mm, right 15–20 mm. Lengths below are in points. */
#define MM            (72.0 / 25.4)
#define PAGE_WIDTH    (210.0 * MM)
#define PAGE_HEIGHT   (297.0 * MM)
#define MARGIN_TOP    (20.0 * MM)
#define MARGIN_BOTTOM (20.0 * MM)
#define MARGIN_LEFT   (30.0 * MM)
#define MARGIN_RIGHT  (15.0 * MM)
#define TEXT_WIDTH    (PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT)
#define PAGE_BOTTOM   (PAGE_HEIGHT - MARGIN_BOTTOM)
/* The masthead's two columns: the issuing body left, the national name right. */
#define LEFT_COLUMN   (TEXT_WIDTH * 0.42)
#define RIGHT_COLUMN  (TEXT_WIDTH - LEFT_COLUMN)

#define SIZE_BODY       13.0
#define SIZE_TITLE      14.0
#define SIZE_HEADER     13.0
#define SIZE_NATION     12.5
#define SIZE_TABLE      10.5
#define SIZE_RECIPIENTS 11.0
#define INDENT          (12.7 * MM)   /* first-line indent 1.27 cm */
#define PARAGRAPH_SPACE 6.0           /* at least 6 pt between paragraphs */
#define CELL_PADDING    3.0
#define SIGNATURE_SPACE (25.0 * MM)   /* for the signature and the seal */

typedef enum {
  OP_LINE,    /* one line of a layout, its baseline's left end at (x, y) */
  OP_LAYOUT,  /* a whole layout, its top left corner at (x, y) */
  OP_RULE,    /* a line from (x, y) to (x + w, y + h) */
  OP_BOX,     /* a cell's border */
} OpKind;

typedef struct {
  OpKind       kind;
  PangoLayout *layout;
  int          line;
  double       x, y, w, h;
} Op;

typedef enum {
  STYLE_REGULAR = 0,
  STYLE_BOLD    = 1 << 0,
  STYLE_ITALIC  = 1 << 1,
} TextStyle;

struct _BcDocument
{
  GObject         parent_instance;

  PangoFontMap   *font_map;
  PangoContext   *context;
  GPtrArray      *pages;      /* GArray of Op */
  gboolean        training;   /* printed from a demo workbook */
  double          y;          /* where the next block goes on the last page */

  /* only while laying out: the last block of body text (Placed) */
  GArray         *last_block;
  gboolean        last_block_open;   /* it ends with a heading */
  guint           last_block_page;
  guint           last_block_n_ops;
  double          last_block_y;

  /* only while laying out */
  BcTemplate     *template_;
  BcReport       *report;
  BcTemplateRegistry *templates;  /* while laying out; may be NULL */
  BcReport       *previous;
  BcPrintLayout  *layout;
};

G_DEFINE_FINAL_TYPE (BcDocument, bc_document, G_TYPE_OBJECT)

/* What the last block of body text was (a paragraph, and the headings just
 * above it) and where it began, so that it can be placed again with the
 * signature: a signed page that holds no text of the report could be
 * swapped for another. */
typedef struct {
  PangoLayout *layout;
  double       space_before;
  double       keep;
} Placed;

static void
placed_clear (Placed *placed)
{
  g_clear_object (&placed->layout);
}

static void
op_clear (Op *op)
{
  g_clear_object (&op->layout);
}

static void
bc_document_finalize (GObject *object)
{
  BcDocument *self = (BcDocument *) object;

  g_clear_pointer (&self->pages, g_ptr_array_unref);
  g_clear_pointer (&self->last_block, g_array_unref);
  g_clear_object (&self->context);
  g_clear_object (&self->font_map);

  G_OBJECT_CLASS (bc_document_parent_class)->finalize (object);
}

static void
bc_document_class_init (BcDocumentClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = bc_document_finalize;
}

static void
bc_document_init (BcDocument *self)
{
  cairo_font_options_t *options = cairo_font_options_create ();

  /* A font map of its own: pango's default one belongs to a thread. Unhinted
   * metrics make the layout the same on a PDF, a printer and the screen. */
  self->font_map = pango_cairo_font_map_new ();
  self->context = pango_font_map_create_context (self->font_map);
  pango_cairo_context_set_resolution (self->context, 72.0);
  cairo_font_options_set_hint_metrics (options, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_hint_style (options, CAIRO_HINT_STYLE_NONE);
  pango_cairo_context_set_font_options (self->context, options);
  pango_context_set_round_glyph_positions (self->context, FALSE);
  cairo_font_options_destroy (options);

  self->pages = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  self->last_block = g_array_new (FALSE, TRUE, sizeof (Placed));
  g_array_set_clear_func (self->last_block, (GDestroyNotify) placed_clear);
}

/* ------------------------------------------------------------------------ */
/* Pages and what is drawn on them                                          */

static GArray *
current_page (BcDocument *self)
{
  return g_ptr_array_index (self->pages, self->pages->len - 1);
}

static void
new_page (BcDocument *self)
{
  GArray *ops = g_array_new (FALSE, TRUE, sizeof (Op));

  g_array_set_clear_func (ops, (GDestroyNotify) op_clear);
  g_ptr_array_add (self->pages, ops);
  self->y = MARGIN_TOP;
}

static gboolean
at_page_top (BcDocument *self)
{
  return self->y <= MARGIN_TOP + 0.01;
}

static void
ensure_space (BcDocument *self,
              double      height)
{
  if (self->y + height > PAGE_BOTTOM && !at_page_top (self))
    new_page (self);
}

static void
add_op (BcDocument  *self,
        OpKind       kind,
        PangoLayout *layout,
        int          line,
        double       x,
        double       y,
        double       w,
        double       h)
{
  Op op = { kind, layout != NULL ? g_object_ref (layout) : NULL, line, x, y, w, h };

  g_array_append_val (current_page (self), op);
}

/* Numbers and symbols such as "140/BC-UBND", "Quý II/2018" or "05/6/2018"
 * may not break at their "/" or "-", as Unicode would let them: an officer
 * reads "Quý II/" at the end of a line as a mistake. Long ones (web
 * addresses) still break, so that they fit a narrow table cell. */
#define MAX_WHOLE_TOKEN 40  /* bytes */

static void
keep_tokens_whole (PangoLayout *layout,
                   const char  *text)
{
  PangoAttrList *attrs = NULL;
  const char *p = text;

  while (*p != '\0')
    {
      const char *start, *end;
      gboolean joined = FALSE;

      while (*p == ' ' || *p == '\n' || *p == '\t')
        p++;
      start = p;
      while (*p != '\0' && *p != ' ' && *p != '\n' && *p != '\t')
        {
          if ((*p == '/' || *p == '-') && p > start && p[1] != '\0' && p[1] != ' ' && p[1] != '\n')
            joined = TRUE;
          p++;
        }
      end = p;

      if (joined && end - start <= MAX_WHOLE_TOKEN)
        {
          PangoAttribute *attr = pango_attr_allow_breaks_new (FALSE);

          attr->start_index = start - text;
          attr->end_index = end - text;
          if (attrs == NULL)
            attrs = pango_attr_list_new ();
          pango_attr_list_insert (attrs, attr);
        }
    }

  if (attrs != NULL)
    {
      int width;

      pango_layout_set_attributes (layout, attrs);
      pango_attr_list_unref (attrs);

      /* A token wider than the column (a narrow table cell) breaks after all. */
      pango_layout_get_size (layout, &width, NULL);
      if (width > pango_layout_get_width (layout))
        pango_layout_set_attributes (layout, NULL);
    }
}

static PangoLayout *
make_layout (BcDocument     *self,
             const char     *text,
             double          size,
             TextStyle       style,
             double          width,
             PangoAlignment  alignment,
             gboolean        justify,
             double          indent)
{
  PangoLayout *layout = pango_layout_new (self->context);
  PangoFontDescription *font = pango_font_description_from_string (BC_DOCUMENT_FONT);

  pango_font_description_set_absolute_size (font, size * PANGO_SCALE);
  pango_font_description_set_weight (font, style & STYLE_BOLD ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
  pango_font_description_set_style (font, style & STYLE_ITALIC ? PANGO_STYLE_ITALIC : PANGO_STYLE_NORMAL);
  pango_layout_set_font_description (layout, font);
  pango_font_description_free (font);

  pango_layout_set_width (layout, (int) (width * PANGO_SCALE));
  pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
  pango_layout_set_alignment (layout, alignment);
  pango_layout_set_justify (layout, justify);
  pango_layout_set_indent (layout, (int) (indent * PANGO_SCALE));
  pango_layout_set_text (layout, text, -1);
  keep_tokens_whole (layout, text);

  return layout;
}

static double
layout_height (PangoLayout *layout)
{
  int height;

  pango_layout_get_size (layout, NULL, &height);
  return (double) height / PANGO_SCALE;
}

static double
first_line_height (PangoLayout *layout)
{
  PangoRectangle logical;

  pango_layout_line_get_extents (pango_layout_get_line_readonly (layout, 0), NULL, &logical);
  return (double) logical.height / PANGO_SCALE;
}

typedef struct {
  double top;       /* from the top of the layout */
  double height;
  double baseline;  /* from the line's top */
  double x;         /* from the layout's left edge */
} LineBox;

static GArray *
line_boxes (PangoLayout *layout)
{
  GArray *boxes = g_array_new (FALSE, FALSE, sizeof (LineBox));
  PangoLayoutIter *iter = pango_layout_get_iter (layout);

  do
    {
      PangoRectangle in_layout, own;
      LineBox box;

      pango_layout_iter_get_line_extents (iter, NULL, &in_layout);
      pango_layout_line_get_extents (pango_layout_iter_get_line_readonly (iter), NULL, &own);
      box.top = (double) in_layout.y / PANGO_SCALE;
      box.height = (double) in_layout.height / PANGO_SCALE;
      box.baseline = (double) (pango_layout_iter_get_baseline (iter) - in_layout.y) / PANGO_SCALE;
      box.x = (double) (in_layout.x - own.x) / PANGO_SCALE;
      g_array_append_val (boxes, box);
    }
  while (pango_layout_iter_next_line (iter));

  pango_layout_iter_free (iter);
  return boxes;
}

/* Places a layout line by line at the cursor, so a long paragraph breaks
 * across pages between its lines (and its text is never drawn twice).
 * `keep` more points must follow its last line on the same page: as many
 * of its last lines as can go with them move to the next page when they
 * do not fit. */
static void
place_lines (BcDocument  *self,
             PangoLayout *layout,
             double       x,
             double       keep)
{
  g_autoptr(GArray) boxes = line_boxes (layout);
  g_autofree double *after = g_new0 (double, boxes->len + 1);
  const double page_room = PAGE_BOTTOM - MARGIN_TOP;

  for (guint i = boxes->len; i-- > 0;)
    after[i] = after[i + 1] + g_array_index (boxes, LineBox, i).height;

  for (guint i = 0; i < boxes->len; i++)
    {
      const LineBox *box = &g_array_index (boxes, LineBox, i);
      gboolean line_fits = self->y + box->height <= PAGE_BOTTOM;
      gboolean rest_fits = self->y + after[i] + keep <= PAGE_BOTTOM;
      gboolean rest_fits_a_page = after[i] + keep <= page_room;

      if (!at_page_top (self) && (!line_fits || (keep > 0 && !rest_fits && rest_fits_a_page)))
        new_page (self);

      add_op (self, OP_LINE, layout, i, x + box->x, self->y + box->baseline, 0, 0);
      self->y += box->height;
    }
}

static void
forget_last_block (BcDocument *self)
{
  g_array_set_size (self->last_block, 0);
  self->last_block_open = FALSE;
}

static void
note_paragraph (BcDocument  *self,
                PangoLayout *layout,
                double       space_before,
                double       keep)
{
  Placed placed = { g_object_ref (layout), space_before, keep };

  /* A heading opens a block that the paragraphs under it join. */
  if (!self->last_block_open)
    {
      forget_last_block (self);
      self->last_block_page = self->pages->len - 1;
      self->last_block_n_ops = current_page (self)->len;
      self->last_block_y = self->y;
    }
  g_array_append_val (self->last_block, placed);
  self->last_block_open = keep > 0;
}

/* A paragraph of body text; `keep` more points must fit below its first
 * line on the same page (a heading stays with what follows it). */
static void
place_paragraph (BcDocument     *self,
                 const char     *text,
                 double          size,
                 TextStyle       style,
                 PangoAlignment  alignment,
                 gboolean        justify,
                 double          indent,
                 double          space_before,
                 double          keep)
{
  g_autoptr(PangoLayout) layout = make_layout (self, text, size, style, TEXT_WIDTH,
                                               alignment, justify, indent);

  note_paragraph (self, layout, space_before, keep);
  if (!at_page_top (self))
    self->y += space_before;
  ensure_space (self, keep > 0 ? layout_height (layout) + keep
                                : first_line_height (layout));
  place_lines (self, layout, MARGIN_LEFT, 0);
}

/* Takes the last block of body text off the pages and places it again so
 * that `keep` points (the closing and the signature) fit under it. */
static void
replace_last_block (BcDocument *self,
                    double      keep)
{
  const double page_room = PAGE_BOTTOM - MARGIN_TOP;
  g_autoptr(GArray) block = NULL;
  GArray *ops;

  if (self->last_block->len == 0)
    return;

  block = g_array_copy (self->last_block);
  for (guint i = 0; i < block->len; i++)
    g_object_ref (g_array_index (block, Placed, i).layout);
  g_array_set_clear_func (block, (GDestroyNotify) placed_clear);

  g_ptr_array_set_size (self->pages, self->last_block_page + 1);
  ops = current_page (self);
  g_array_remove_range (ops, self->last_block_n_ops, ops->len - self->last_block_n_ops);
  self->y = self->last_block_y;
  forget_last_block (self);

  for (guint i = 0; i < block->len; i++)
    {
      const Placed *placed = &g_array_index (block, Placed, i);
      double rest = keep;

      for (guint j = i + 1; j < block->len; j++)
        rest += g_array_index (block, Placed, j).space_before +
                layout_height (g_array_index (block, Placed, j).layout);

      /* The whole rest goes with it where a page can hold it; else a
       * heading keeps its few lines, and the last paragraph breaks so that
       * its end goes with the signature. */
      if (layout_height (placed->layout) + rest > page_room)
        rest = i + 1 < block->len ? placed->keep : keep;

      if (!at_page_top (self))
        self->y += placed->space_before;
      place_lines (self, placed->layout, MARGIN_LEFT, rest);
    }
}

static void
place_body (BcDocument *self,
            const char *text)
{
  place_paragraph (self, text, SIZE_BODY, STYLE_REGULAR, PANGO_ALIGN_LEFT, TRUE, INDENT,
                   PARAGRAPH_SPACE, 0);
}

/* At least `keep` points of what follows stay on the heading's page. */
static void
place_heading_keep (BcDocument *self,
                    const char *text,
                    TextStyle   style,
                    double      keep)
{
  place_paragraph (self, text, SIZE_BODY, style, PANGO_ALIGN_LEFT, TRUE, INDENT,
                   PARAGRAPH_SPACE, keep);
}

static void
place_heading (BcDocument *self,
               const char *text,
               TextStyle   style)
{
  /* Three lines of what follows keep a heading off the bottom of a page. */
  place_heading_keep (self, text, style, 3 * SIZE_BODY * 1.2);
}

/* A table's header and a few lines of its first row. */
#define TABLE_KEEP (PARAGRAPH_SPACE + 4 * SIZE_TABLE * 1.2 + 6 * SIZE_TABLE * 1.2)

/* A short solid line centred under a block, as the decree draws them. */
static void
place_rule (BcDocument *self,
            double      centre,
            double      y,
            double      width)
{
  add_op (self, OP_RULE, NULL, 0, centre - width / 2, y, width, 0);
}

static double
text_width (PangoLayout *layout)
{
  PangoRectangle logical;

  pango_layout_get_extents (layout, NULL, &logical);
  return (double) logical.width / PANGO_SCALE;
}

/* ------------------------------------------------------------------------ */
/* Values                                                                   */

static char *
stored_value (BcDocument    *self,
              const BcField *field,
              guint          row)
{
  if (field == NULL)
    return NULL;
  return bc_output_field_value (self->template_, self->report, self->previous, field, row);
}

/* The value for people, NULL when blank. */
static char *
shown_value (BcDocument    *self,
             const BcField *field,
             guint          row)
{
  g_autofree char *stored = stored_value (self, field, row);

  return field != NULL ? bc_output_format_value (field, stored) : NULL;
}

static char *
expand_field (const BcField *field,
              gpointer       user_data)
{
  return shown_value (user_data, field, 0);
}

static char *
cell_value (const BcField *column,
            guint          row,
            gpointer       user_data)
{
  return shown_value (user_data, column, row);
}

static char *
upper (const char *text)
{
  return text != NULL ? g_utf8_strup (text, -1) : NULL;
}

/* ------------------------------------------------------------------------ */
/* The masthead, the title and the addressee                                */

static double
place_centred (BcDocument *self,
               const char *text,
               double      size,
               TextStyle   style,
               double      x,
               double      width,
               double      y,
               double     *drawn_width)
{
  g_autoptr(PangoLayout) layout = make_layout (self, text, size, style, width,
                                               PANGO_ALIGN_CENTER, FALSE, 0);

  add_op (self, OP_LAYOUT, layout, 0, x, y, 0, 0);
  if (drawn_width != NULL)
    *drawn_width = MIN (text_width (layout), width);
  return y + layout_height (layout);
}

static void
place_masthead (BcDocument *self)
{
  BcPrintLayout *print = self->layout;
  g_autofree char *parent = shown_value (self, print->parent_body, 0);
  g_autofree char *issuer = shown_value (self, print->issuing_body, 0);
  g_autofree char *number = shown_value (self, print->number, 0);
  g_autofree char *place = shown_value (self, print->place, 0);
  g_autofree char *date = stored_value (self, print->date, 0);
  g_autofree char *parent_upper = upper (parent);
  g_autofree char *issuer_upper = upper (issuer);
  g_autofree char *number_line = g_strdup_printf ("Số: %s", number != NULL ? number : BC_OUTPUT_BLANK);
  g_autofree char *dateline = bc_output_format_dateline (place, date);
  double left_x = MARGIN_LEFT, right_x = MARGIN_LEFT + LEFT_COLUMN;
  double left_y = self->y, right_y = self->y, width = 0;

  /* Right: the national name and the motto, a line as long as the motto. */
  right_y = place_centred (self, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", SIZE_NATION, STYLE_BOLD,
                           right_x, RIGHT_COLUMN, right_y, NULL);
  right_y = place_centred (self, "Độc lập - Tự do - Hạnh phúc", SIZE_HEADER, STYLE_BOLD,
                           right_x, RIGHT_COLUMN, right_y, &width);
  place_rule (self, right_x + RIGHT_COLUMN / 2, right_y + 3, width);

  /* Left: the parent body, the issuing body in bold, a short line. */
  if (parent_upper != NULL)
    left_y = place_centred (self, parent_upper, SIZE_HEADER, STYLE_REGULAR,
                            left_x, LEFT_COLUMN, left_y, NULL);
  left_y = place_centred (self, issuer_upper != NULL ? issuer_upper : BC_OUTPUT_BLANK,
                          SIZE_HEADER, STYLE_BOLD, left_x, LEFT_COLUMN, left_y, &width);
  place_rule (self, left_x + LEFT_COLUMN / 2, left_y + 4, MIN (width, LEFT_COLUMN) / 3);

  /* The number and the dateline share a line below both. */
  left_y = right_y = MAX (left_y, right_y) + 8;
  left_y = place_centred (self, number_line, SIZE_HEADER, STYLE_REGULAR,
                          left_x, LEFT_COLUMN, left_y, NULL);
  right_y = place_centred (self, dateline, SIZE_HEADER, STYLE_ITALIC,
                           right_x, RIGHT_COLUMN, right_y, NULL);

  self->y = MAX (left_y, right_y) + 14;
}

static void
place_title (BcDocument *self)
{
  BcPrintLayout *print = self->layout;
  g_autofree char *subject = shown_value (self, print->subject, 0);
  g_autofree char *addressee = shown_value (self, print->addressee, 0);
  g_autofree char *kind = upper (print->document_type.vi);
  double width = 0;

  self->y = place_centred (self, kind, SIZE_TITLE, STYLE_BOLD, MARGIN_LEFT, TEXT_WIDTH, self->y, NULL);
  if (subject == NULL && print->subject == NULL)
    subject = g_strdup (bc_text_get (bc_template_get_title (self->template_), "vi"));
  self->y = place_centred (self, subject != NULL ? subject : BC_OUTPUT_BLANK, SIZE_TITLE, STYLE_BOLD,
                           MARGIN_LEFT + TEXT_WIDTH * 0.05, TEXT_WIDTH * 0.9, self->y, &width);
  place_rule (self, MARGIN_LEFT + TEXT_WIDTH / 2, self->y + 6, TEXT_WIDTH / 5);
  self->y += 16;

  if (print->addressee != NULL && addressee != NULL && strpbrk (addressee, ";\n") != NULL)
    {
      /* Several addressees: "Kính gửi:" and beside it one per line, "- …;". */
      g_auto(GStrv) parts = g_regex_split_simple ("\\s*[;\n]\\s*", addressee, 0, 0);
      g_autoptr(GString) list = g_string_new (NULL);
      g_autoptr(PangoLayout) label = NULL;
      g_autoptr(PangoLayout) items = NULL;
      double x = MARGIN_LEFT + TEXT_WIDTH * 0.2;

      for (guint k = 0; parts[k] != NULL; k++)
        {
          const char *part = g_strstrip (parts[k]);

          if (*part == '\0')
            continue;
          if (list->len > 0)
            g_string_append (list, ";\n");
          g_string_append_printf (list, "%s%s", g_str_has_prefix (part, "-") ? "" : "- ", part);
        }
      g_string_append_c (list, '.');

      label = make_layout (self, "Kính gửi:", SIZE_TITLE, STYLE_REGULAR, TEXT_WIDTH * 0.2,
                           PANGO_ALIGN_LEFT, FALSE, 0);
      items = make_layout (self, list->str, SIZE_TITLE, STYLE_REGULAR,
                           MARGIN_LEFT + TEXT_WIDTH - x - text_width (label) - 6,
                           PANGO_ALIGN_LEFT, FALSE, 0);
      add_op (self, OP_LAYOUT, label, 0, x, self->y, 0, 0);
      add_op (self, OP_LAYOUT, items, 0, x + text_width (label) + 6, self->y, 0, 0);
      self->y += MAX (layout_height (label), layout_height (items)) + 6;
    }
  else if (print->addressee != NULL)
    {
      g_autofree char *line = g_strdup_printf ("Kính gửi: %s", addressee != NULL ? addressee : BC_OUTPUT_BLANK);

      self->y = place_centred (self, line, SIZE_TITLE, STYLE_REGULAR, MARGIN_LEFT, TEXT_WIDTH,
                               self->y, NULL) + 6;
    }
}

/* ------------------------------------------------------------------------ */
/* Tables                                                                   */

static double
column_weight (const BcField *field)
{
  switch (field->type)
    {
    case BC_FIELD_LONG_TEXT:
      return 2.4;
    case BC_FIELD_TEXT:
    case BC_FIELD_DOCUMENT_REF:
      return 1.4;
    case BC_FIELD_CHOICE:
      return 1.5;
    case BC_FIELD_DATE:
      return 1.2;
    case BC_FIELD_YES_NO:
      return 0.9;
    case BC_FIELD_INTEGER:
    case BC_FIELD_DECIMAL:
    case BC_FIELD_PERCENTAGE:
    case BC_FIELD_TABLE:
    default:
      return 1.1;
    }
}

static gboolean
is_number (const BcField *field)
{
  return field->type == BC_FIELD_INTEGER || field->type == BC_FIELD_DECIMAL ||
         field->type == BC_FIELD_PERCENTAGE;
}

/* A composed column ("4.500/7.800 hộp thư (57,7 %)") is text, as wide as
 * its widest part and wide enough for "4.500/7.800" on a line. */
static gboolean
column_is_number (const BcPrintColumn *column)
{
  return column->field != NULL && is_number (column->field);
}

static double
print_column_weight (const BcPrintColumn *column)
{
  double weight = 1.8;

  if (column->field != NULL)
    return column_weight (column->field);
  for (guint i = 0; i < column->fields->len; i++)
    weight = MAX (weight, column_weight (g_ptr_array_index (column->fields, i)));
  return weight;
}

typedef struct {
  guint        n_columns;
  double      *widths;
  PangoLayout **header;   /* n_columns */
  double       header_height;
} TableHead;

static void
table_head_clear (TableHead *head)
{
  for (guint c = 0; c < head->n_columns; c++)
    g_clear_object (&head->header[c]);
  g_clear_pointer (&head->header, g_free);
  g_clear_pointer (&head->widths, g_free);
}

static double
place_row (BcDocument   *self,
           TableHead    *head,
           PangoLayout **cells,
           double        height)
{
  double x = MARGIN_LEFT;

  for (guint c = 0; c < head->n_columns; c++)
    {
      add_op (self, OP_BOX, NULL, 0, x, self->y, head->widths[c], height);
      if (cells[c] != NULL)
        add_op (self, OP_LAYOUT, cells[c], 0, x + CELL_PADDING, self->y + CELL_PADDING, 0, 0);
      x += head->widths[c];
    }

  return self->y + height;
}

/* Places a row that is too tall for what is left of the page: each cell's
 * lines go on until the page is full, the rest continue on the next page
 * under the repeated header. */
static void
place_row_split (BcDocument   *self,
                 TableHead    *head,
                 PangoLayout **cells)
{
  g_autofree guint *start = g_new0 (guint, head->n_columns);
  g_autoptr(GPtrArray) boxes = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);

  for (guint c = 0; c < head->n_columns; c++)
    g_ptr_array_add (boxes, line_boxes (cells[c]));

  for (;;)
    {
      double room = PAGE_BOTTOM - self->y - 2 * CELL_PADDING;
      double used = 0, x = MARGIN_LEFT;
      gboolean done = TRUE;
      g_autofree guint *end = g_new0 (guint, head->n_columns);

      for (guint c = 0; c < head->n_columns; c++)
        {
          GArray *lines = g_ptr_array_index (boxes, c);
          double first = start[c] < lines->len ? g_array_index (lines, LineBox, start[c]).top : 0;

          end[c] = start[c];
          while (end[c] < lines->len)
            {
              const LineBox *box = &g_array_index (lines, LineBox, end[c]);

              if (box->top + box->height - first > room)
                break;
              end[c]++;
            }
          if (end[c] > start[c])
            {
              const LineBox *last = &g_array_index (lines, LineBox, end[c] - 1);

              used = MAX (used, last->top + last->height - first);
            }
          done &= end[c] == lines->len;
        }

      /* Whatever happens, the row goes forward: at least one line of a cell. */
      if (!done && used == 0 && at_page_top (self))
        for (guint c = 0; c < head->n_columns; c++)
          if (start[c] < ((GArray *) g_ptr_array_index (boxes, c))->len)
            {
              end[c] = start[c] + 1;
              break;
            }

      for (guint c = 0; c < head->n_columns; c++)
        {
          GArray *lines = g_ptr_array_index (boxes, c);
          double first = start[c] < lines->len ? g_array_index (lines, LineBox, start[c]).top : 0;
          double height = done ? used + 2 * CELL_PADDING : PAGE_BOTTOM - self->y;

          add_op (self, OP_BOX, NULL, 0, x, self->y, head->widths[c], height);
          for (guint l = start[c]; l < end[c]; l++)
            {
              const LineBox *box = &g_array_index (lines, LineBox, l);

              add_op (self, OP_LINE, cells[c], l, x + CELL_PADDING + box->x,
                      self->y + CELL_PADDING + box->top - first + box->baseline, 0, 0);
            }
          start[c] = end[c];
          x += head->widths[c];
        }

      if (done)
        {
          self->y += used + 2 * CELL_PADDING;
          return;
        }

      new_page (self);
      self->y = place_row (self, head, head->header, head->header_height);
    }
}

/* A bordered table whose header row is repeated on every page it reaches:
 * "TT" (the row's number), then `columns` of rows `rows` (0-based rows of
 * the table). No rows prints one empty row: visibly blank. */
static void
place_table (BcDocument    *self,
             const BcField *table,
             GPtrArray     *columns,
             GArray        *rows)
{
  TableHead head = { 0 };
  double total = 0, fixed = 0;
  guint n_rows = MAX (rows->len, 1);
  const double number_width = 42, row_number_width = 22;
  const double page_room = PAGE_BOTTOM - MARGIN_TOP;

  /* Numbers and the row number get what "100,0 %" needs; text shares the rest. */
  head.n_columns = columns->len + 1;
  head.widths = g_new0 (double, head.n_columns);
  head.header = g_new0 (PangoLayout *, head.n_columns);
  fixed = row_number_width;
  for (guint c = 0; c < columns->len; c++)
    {
      const BcPrintColumn *column = g_ptr_array_index (columns, c);

      if (column_is_number (column))
        fixed += number_width;
      else
        total += print_column_weight (column);
    }
  for (guint c = 0; c < head.n_columns; c++)
    {
      const BcPrintColumn *column = c > 0 ? g_ptr_array_index (columns, c - 1) : NULL;

      if (column == NULL)
        head.widths[c] = row_number_width;
      else if (column_is_number (column))
        head.widths[c] = number_width;
      else
        head.widths[c] = (TEXT_WIDTH - fixed) * print_column_weight (column) / total;
      head.header[c] = make_layout (self, column != NULL ? bc_print_column_label (column) : "TT",
                                    SIZE_TABLE, STYLE_BOLD, head.widths[c] - 2 * CELL_PADDING,
                                    PANGO_ALIGN_CENTER, FALSE, 0);
      head.header_height = MAX (head.header_height, layout_height (head.header[c]) + 2 * CELL_PADDING);
    }

  /* The text before a table cannot move on without it. */
  forget_last_block (self);
  self->y += PARAGRAPH_SPACE;
  for (guint r = 0; r < n_rows; r++)
    {
      g_autofree PangoLayout **cells = g_new0 (PangoLayout *, head.n_columns);
      double height = 0, room;
      gboolean top;

      for (guint c = 0; c < head.n_columns; c++)
        {
          const BcPrintColumn *column = c > 0 ? g_ptr_array_index (columns, c - 1) : NULL;
          g_autofree char *text = NULL;

          if (r >= rows->len)
            text = g_strdup ("");
          else if (column == NULL)
            text = g_strdup_printf ("%u", r + 1);
          else if (column->field != NULL)
            text = shown_value (self, column->field, g_array_index (rows, guint, r));
          else
            text = bc_print_column_expand (column, table, g_array_index (rows, guint, r),
                                           cell_value, self);

          cells[c] = make_layout (self, text != NULL ? text : "", SIZE_TABLE, STYLE_REGULAR,
                                  head.widths[c] - 2 * CELL_PADDING,
                                  column == NULL ? PANGO_ALIGN_CENTER
                                  : column_is_number (column) ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT,
                                  FALSE, 0);
          height = MAX (height, layout_height (cells[c]) + 2 * CELL_PADDING);
        }
      height = MAX (height, SIZE_TABLE * 1.2 + 2 * CELL_PADDING);

      /* The header goes first, and again at the top of every page the table
       * continues on; it never stands alone at the bottom of a page. A row
       * that does not fit moves to the next page when it is short, and is
       * split between pages when it is tall, rather than leaving half a page
       * empty. */
      top = r == 0;
      room = PAGE_BOTTOM - self->y - (top ? head.header_height : 0);
      if (height > room && !at_page_top (self) &&
          (height < page_room / 6 || room < 4 * SIZE_TABLE * 1.2))
        {
          new_page (self);
          top = TRUE;
        }
      if (top)
        self->y = place_row (self, &head, head.header, head.header_height);
      if (self->y + height <= PAGE_BOTTOM)
        self->y = place_row (self, &head, cells, height);
      else
        place_row_split (self, &head, cells);

      for (guint c = 0; c < head.n_columns; c++)
        g_clear_object (&cells[c]);
    }

  table_head_clear (&head);
}

/* ------------------------------------------------------------------------ */
/* The body                                                                 */

static void
place_text_value (BcDocument *self,
                  const char *lead,
                  const char *value)
{
  g_auto(GStrv) paragraphs = g_strsplit (value != NULL ? value : BC_OUTPUT_BLANK, "\n", -1);
  gboolean first = TRUE;

  for (guint i = 0; paragraphs[i] != NULL; i++)
    {
      g_autofree char *text = NULL;

      if (*g_strstrip (paragraphs[i]) == '\0')
        continue;
      text = first && lead != NULL ? g_strconcat (lead, paragraphs[i], NULL) : g_strdup (paragraphs[i]);
      place_body (self, text);
      first = FALSE;
    }
}

/* The target of the plan in force for the report's unit and period (or the
 * template's own where in force): none rather than another year's. */
static char *
target_text (BcDocument    *self,
             const BcField *field)
{
  const BcTarget *target;
  const char *op;
  char number[G_ASCII_DTOSTR_BUF_SIZE];
  g_autofree char *shown = NULL;

  target = bc_template_registry_lookup_target (self->templates, self->template_, field,
                                               bc_report_get_period_id (self->report),
                                               bc_report_get_unit (self->report));
  if (target == NULL)
    return NULL;

  op = target->op == BC_TARGET_AT_LEAST ? "≥ " : target->op == BC_TARGET_AT_MOST ? "≤ " : "";
  g_ascii_formatd (number, sizeof number, "%.10g", target->value);
  shown = bc_output_format_value (field, number);
  if (target->source.vi != NULL && *target->source.vi != '\0')
    return g_strdup_printf (" (chỉ tiêu %s%s theo %s)", op, shown, target->source.vi);
  return g_strdup_printf (" (chỉ tiêu: %s%s)", op, shown);
}

static void
place_table_field (BcDocument    *self,
                   const BcField *table,
                   BcPrintStyle   style)
{
  GPtrArray *columns = bc_print_layout_columns (self->layout, table);
  guint n_rows = bc_report_get_n_rows (self->report, table->id);
  const BcField *group_column = NULL;

  if (style != BC_PRINT_STYLE_PLAIN)
    {
      g_autofree char *label = g_strdup_printf ("- %s:", bc_text_get (&table->label, "vi"));

      place_heading_keep (self, label, STYLE_REGULAR, TABLE_KEEP);
    }

  if (table->group_by != NULL)
    for (guint c = 0; c < table->columns->len; c++)
      if (g_str_equal (((BcField *) g_ptr_array_index (table->columns, c))->id, table->group_by))
        group_column = g_ptr_array_index (table->columns, c);

  if (group_column == NULL || n_rows == 0)
    {
      g_autoptr(GArray) rows = g_array_new (FALSE, FALSE, sizeof (guint));

      for (guint r = 0; r < n_rows; r++)
        g_array_append_val (rows, r);
      place_table (self, table, columns, rows);
      return;
    }

  /* One block per group (an inspected unit), numbered, with its summaries. */
  {
    g_autoptr(GPtrArray) groups = g_ptr_array_new_with_free_func (g_free);
    g_autoptr(GPtrArray) summaries = bc_report_group_summaries (self->template_, self->report,
                                                                self->previous, table, NULL);

    for (guint r = 0; r < n_rows; r++)
      {
        g_autofree char *group = stored_value (self, group_column, r);

        if (!g_ptr_array_find_with_equal_func (groups, group != NULL ? group : "", g_str_equal, NULL))
          g_ptr_array_add (groups, g_strdup (group != NULL ? group : ""));
      }

    for (guint g = 0; g < groups->len; g++)
      {
        const char *group = g_ptr_array_index (groups, g);
        g_autoptr(GArray) rows = g_array_new (FALSE, FALSE, sizeof (guint));
        g_autofree char *shown = *group != '\0' ? bc_output_format_value (group_column, group) : NULL;
        g_autofree char *heading = g_strdup_printf ("%u. %s", g + 1, shown != NULL ? shown : BC_OUTPUT_BLANK);

        for (guint r = 0; r < n_rows; r++)
          {
            g_autofree char *value = stored_value (self, group_column, r);

            if (g_strcmp0 (value != NULL ? value : "", group) == 0)
              g_array_append_val (rows, r);
          }

        place_heading_keep (self, heading, STYLE_BOLD, TABLE_KEEP);
        place_table (self, table, columns, rows);

        for (guint s = 0; summaries != NULL && s < summaries->len; s++)
          {
            BcGroupSummary *summary = g_ptr_array_index (summaries, s);

            if (summary->group == NULL || g_strcmp0 (summary->group, group) != 0)
              continue;
            for (guint v = 0; v < summary->n_values; v++)
              {
                const BcField *field = g_ptr_array_index (table->group_summaries, v);
                g_autofree char *stored = bc_field_value_to_canonical (field, &summary->values[v]);
                g_autofree char *value = bc_output_format_value (field, stored);
                g_autofree char *line = g_strdup_printf ("- %s: %s", bc_text_get (&field->label, "vi"),
                                                         value != NULL ? value : BC_OUTPUT_BLANK);

                place_body (self, line);
              }
          }
      }
  }
}

static void
place_field (BcDocument    *self,
             const BcField *field)
{
  BcPrintStyle style = bc_print_layout_style (self->layout, field);
  const char *label = bc_text_get (&field->label, "vi");
  g_autofree char *value = NULL;

  if (field->type == BC_FIELD_TABLE)
    {
      place_table_field (self, field, style);
      return;
    }

  value = shown_value (self, field, 0);

  switch (style)
    {
    case BC_PRINT_STYLE_HEADING:
      place_heading (self, label, STYLE_BOLD);
      place_text_value (self, NULL, value);
      break;

    case BC_PRINT_STYLE_HIDDEN:
      break;

    case BC_PRINT_STYLE_PLAIN:
      if (value != NULL)
        {
          place_text_value (self, NULL, value);
          break;
        }
      /* A blank alone would be dots with nothing to say what is missing. */
      G_GNUC_FALLTHROUGH;

    case BC_PRINT_STYLE_AUTO:
    default:
      {
        g_autofree char *lead = g_strdup_printf ("- %s: ", label);
        const char *unit = bc_text_get (&field->unit, "vi");
        g_autofree char *target = target_text (self, field);

        if (field->type == BC_FIELD_LONG_TEXT || value == NULL)
          {
            place_text_value (self, lead, value);
          }
        else
          {
            g_autofree char *line = g_strconcat (lead, value,
                                                 unit != NULL && *unit != '\0' && field->type != BC_FIELD_PERCENTAGE ? " " : "",
                                                 field->type != BC_FIELD_PERCENTAGE && unit != NULL ? unit : "",
                                                 target != NULL ? target : "", ".", NULL);

            place_body (self, line);
          }
      }
      break;
    }
}

static gboolean
printed_in_body (BcDocument    *self,
                 const BcField *field)
{
  return !g_hash_table_contains (self->layout->in_header, field) &&
         bc_print_layout_style (self->layout, field) != BC_PRINT_STYLE_HIDDEN &&
         bc_report_field_visible (self->template_, self->report, self->previous, field, 0);
}

static void
place_body_parts (BcDocument *self)
{
  for (guint p = 0; p < self->layout->parts->len; p++)
    {
      BcPrintPart *part = g_ptr_array_index (self->layout->parts, p);
      gboolean heading_placed = FALSE;

      for (guint s = 0; s < part->sections->len; s++)
        {
          const BcSection *section = g_ptr_array_index (part->sections, s);
          gboolean title_placed = FALSE;

          for (guint f = 0; f < section->fields->len; f++)
            {
              const BcField *field = g_ptr_array_index (section->fields, f);

              if (!printed_in_body (self, field))
                continue;

              /* A heading is printed with the first thing under it, so a part
               * or a section with nothing to show leaves no orphan title. */
              if (!heading_placed && part->heading.vi != NULL)
                place_heading (self, part->heading.vi, STYLE_BOLD);
              heading_placed = TRUE;
              if (!title_placed && part->section_titles)
                place_heading (self, bc_text_get (&section->title, "vi"), STYLE_BOLD);
              title_placed = TRUE;

              place_field (self, field);
            }
        }
    }
}

/* ------------------------------------------------------------------------ */
/* The closing, "Nơi nhận" and the signature                                */

typedef struct {
  PangoLayout *authority;   /* right: "KT. CHỦ TỊCH", the title */
  PangoLayout *name;        /* right, under the space for the signature */
  PangoLayout *heading;     /* left: "Nơi nhận:" */
  PangoLayout *recipients;  /* left, one a line */
  double       height;
} Signature;

static void
signature_clear (Signature *signature)
{
  g_clear_object (&signature->authority);
  g_clear_object (&signature->name);
  g_clear_object (&signature->heading);
  g_clear_object (&signature->recipients);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Signature, signature_clear)

#define SIGNATURE_GAP 12.0  /* between the text and the signature block */

static void
make_signature (BcDocument *self,
                Signature  *signature)
{
  BcPrintLayout *print = self->layout;
  const BcField *authority[] = { print->signer_on_behalf, print->signer_authority, print->signer_title };
  g_autofree char *recipients = shown_value (self, print->recipients, 0);
  g_autofree char *name = shown_value (self, print->signer_name, 0);
  g_autoptr(GString) right = g_string_new (NULL);
  g_autoptr(GString) left = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (authority); i++)
    {
      g_autofree char *value = shown_value (self, authority[i], 0);
      g_autofree char *value_upper = upper (value);

      if (value_upper != NULL)
        g_string_append_printf (right, "%s%s", right->len > 0 ? "\n" : "", value_upper);
    }
  signature->authority = make_layout (self, right->len > 0 ? right->str : BC_OUTPUT_BLANK, SIZE_BODY,
                                      STYLE_BOLD, RIGHT_COLUMN, PANGO_ALIGN_CENTER, FALSE, 0);
  signature->name = make_layout (self, name != NULL ? name : BC_OUTPUT_BLANK, SIZE_BODY, STYLE_BOLD,
                                 RIGHT_COLUMN, PANGO_ALIGN_CENTER, FALSE, 0);

  signature->heading = make_layout (self, "Nơi nhận:", 12.0, STYLE_BOLD | STYLE_ITALIC, LEFT_COLUMN,
                                    PANGO_ALIGN_LEFT, FALSE, 0);
  if (recipients != NULL)
    {
      g_auto(GStrv) lines = g_strsplit (recipients, "\n", -1);

      for (guint i = 0; lines[i] != NULL; i++)
        {
          const char *line = g_strstrip (lines[i]);

          if (*line == '\0')
            continue;
          if (left->len > 0)
            g_string_append_c (left, '\n');
          g_string_append_printf (left, "%s%s", g_str_has_prefix (line, "-") ? "" : "- ", line);
        }
    }
  signature->recipients = make_layout (self, left->len > 0 ? left->str : "- " BC_OUTPUT_BLANK,
                                       SIZE_RECIPIENTS, STYLE_REGULAR, LEFT_COLUMN, PANGO_ALIGN_LEFT,
                                       FALSE, 0);

  signature->height = MAX (layout_height (signature->heading) + layout_height (signature->recipients),
                           layout_height (signature->authority) + SIGNATURE_SPACE +
                           layout_height (signature->name));
}

/* "Nơi nhận" and the signature side by side, whole; the caller made room. */
static void
place_signature (BcDocument *self,
                 Signature  *signature)
{
  double right_x = MARGIN_LEFT + LEFT_COLUMN, top;

  self->y += SIGNATURE_GAP;
  ensure_space (self, signature->height);
  top = self->y;

  add_op (self, OP_LAYOUT, signature->heading, 0, MARGIN_LEFT, top, 0, 0);
  add_op (self, OP_LAYOUT, signature->recipients, 0, MARGIN_LEFT,
          top + layout_height (signature->heading), 0, 0);
  add_op (self, OP_LAYOUT, signature->authority, 0, right_x, top, 0, 0);
  add_op (self, OP_LAYOUT, signature->name, 0, right_x,
          top + layout_height (signature->authority) + SIGNATURE_SPACE, 0, 0);
  self->y = top + signature->height;
}

/* The end of the document: the last paragraph of the body, the closing
 * ("Kính báo cáo./.") and the signature stay on one page, so that the
 * signed page carries the report's own text (Decree 30/2020/NĐ-CP); when
 * they do not fit they move to the next page together. */
static void
place_ending (BcDocument *self,
              const char *closing)
{
  g_auto(Signature) signature = { 0 };
  g_autoptr(PangoLayout) closing_layout = NULL;
  double tail;

  make_signature (self, &signature);
  tail = SIGNATURE_GAP + signature.height;
  if (closing != NULL)
    closing_layout = make_layout (self, closing, SIZE_BODY, STYLE_REGULAR, TEXT_WIDTH,
                                  PANGO_ALIGN_LEFT, TRUE, INDENT);

  replace_last_block (self, tail + (closing_layout != NULL
                                    ? PARAGRAPH_SPACE + layout_height (closing_layout) : 0));
  if (closing_layout != NULL)
    {
      if (!at_page_top (self))
        self->y += PARAGRAPH_SPACE;
      place_lines (self, closing_layout, MARGIN_LEFT, tail);
    }
  place_signature (self, &signature);
}

static void
lay_out (BcDocument *self)
{
  BcPrintLayout *print = self->layout;
  g_autofree char *closing = NULL;

  new_page (self);
  place_masthead (self);
  place_title (self);

  if (print->opening.vi != NULL)
    {
      g_autofree char *opening = bc_print_layout_expand (self->template_, print->opening.vi,
                                                         expand_field, self);

      if (opening != NULL)
        place_body (self, opening);
    }

  place_body_parts (self);

  if (print->closing.vi != NULL)
    closing = bc_print_layout_expand (self->template_, print->closing.vi, expand_field, self);
  place_ending (self, closing);
  forget_last_block (self);
}

/* ------------------------------------------------------------------------ */
/* Public                                                                   */

BcDocument *
bc_document_new (BcTemplate  *template_,
                 BcReport    *report,
                 BcReport    *previous,
                 GError     **error)
{
  return bc_document_new_with_plans (template_, report, previous, NULL, error);
}

BcDocument *
bc_document_new_with_plans (BcTemplate         *template_,
                            BcReport           *report,
                            BcReport           *previous,
                            BcTemplateRegistry *templates,
                            GError            **error)
{
  g_autoptr(BcDocument) self = NULL;
  g_autoptr(BcPrintLayout) layout = NULL;

  g_return_val_if_fail (BC_IS_TEMPLATE (template_), NULL);
  g_return_val_if_fail (BC_IS_REPORT (report), NULL);
  g_return_val_if_fail (previous == NULL || BC_IS_REPORT (previous), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  layout = bc_print_layout_new (template_, error);
  if (layout == NULL)
    return NULL;

  self = g_object_new (BC_TYPE_DOCUMENT, NULL);
  self->template_ = template_;
  self->report = report;
  self->previous = previous;
  self->layout = layout;
  self->templates = templates;

  lay_out (self);

  /* The pages hold what they draw; nothing of the report is kept. */
  self->template_ = NULL;
  self->report = NULL;
  self->previous = NULL;
  self->layout = NULL;
  self->templates = NULL;

  return g_steal_pointer (&self);
}

void
bc_document_set_training (BcDocument *self,
                          gboolean    training)
{
  g_return_if_fail (BC_IS_DOCUMENT (self));

  self->training = !!training;
}

gboolean
bc_document_get_training (BcDocument *self)
{
  g_return_val_if_fail (BC_IS_DOCUMENT (self), FALSE);

  return self->training;
}

/* Across the page in light grey, under the text, drawn as outlines so that
 * it is not read into the document's text; and at the foot as text, which
 * a photocopy or a text search still shows. */
static void
draw_training_mark (BcDocument *self,
                    cairo_t    *cr)
{
  const char *mark = bc_output_training_mark ();
  g_autoptr(PangoLayout) across = make_layout (self, mark, 30.0, STYLE_BOLD, PAGE_HEIGHT * 0.95,
                                               PANGO_ALIGN_CENTER, FALSE, 0);
  g_autoptr(PangoLayout) foot = make_layout (self, mark, SIZE_RECIPIENTS, STYLE_BOLD, TEXT_WIDTH,
                                             PANGO_ALIGN_CENTER, FALSE, 0);
  const double diagonal = 0.9553;  /* atan (297 / 210): corner to corner of A4 */

  cairo_save (cr);
  cairo_translate (cr, PAGE_WIDTH / 2, PAGE_HEIGHT / 2);
  cairo_rotate (cr, -diagonal);
  cairo_move_to (cr, -PAGE_HEIGHT * 0.95 / 2, -layout_height (across) / 2);
  pango_cairo_layout_path (cr, across);
  cairo_set_source_rgb (cr, 0.85, 0.85, 0.85);
  cairo_fill (cr);
  cairo_restore (cr);

  cairo_move_to (cr, MARGIN_LEFT, PAGE_BOTTOM + (MARGIN_BOTTOM - layout_height (foot)) / 2);
  pango_cairo_show_layout (cr, foot);
}

guint
bc_document_get_n_pages (BcDocument *self)
{
  g_return_val_if_fail (BC_IS_DOCUMENT (self), 0);

  return self->pages->len;
}

void
bc_document_get_page_size (BcDocument *self,
                           double     *width,
                           double     *height)
{
  g_return_if_fail (BC_IS_DOCUMENT (self));

  if (width != NULL)
    *width = PAGE_WIDTH;
  if (height != NULL)
    *height = PAGE_HEIGHT;
}

void
bc_document_draw_page (BcDocument *self,
                       cairo_t    *cr,
                       guint       page)
{
  GArray *ops;

  g_return_if_fail (BC_IS_DOCUMENT (self));
  g_return_if_fail (cr != NULL);
  g_return_if_fail (page < self->pages->len);

  ops = g_ptr_array_index (self->pages, page);

  cairo_save (cr);
  cairo_set_source_rgb (cr, 0, 0, 0);
  cairo_set_line_width (cr, 0.6);

  if (self->training)
    draw_training_mark (self, cr);

  /* Page numbers at the top centre, from the second page on. */
  if (page > 0)
    {
      g_autofree char *number = g_strdup_printf ("%u", page + 1);
      g_autoptr(PangoLayout) layout = make_layout (self, number, SIZE_BODY, STYLE_REGULAR, TEXT_WIDTH,
                                                   PANGO_ALIGN_CENTER, FALSE, 0);

      cairo_move_to (cr, MARGIN_LEFT, MARGIN_TOP / 2 - SIZE_BODY / 2);
      pango_cairo_show_layout (cr, layout);
    }

  for (guint i = 0; i < ops->len; i++)
    {
      const Op *op = &g_array_index (ops, Op, i);

      switch (op->kind)
        {
        case OP_LINE:
          cairo_move_to (cr, op->x, op->y);
          pango_cairo_show_layout_line (cr, pango_layout_get_line_readonly (op->layout, op->line));
          break;

        case OP_LAYOUT:
          cairo_move_to (cr, op->x, op->y);
          pango_cairo_show_layout (cr, op->layout);
          break;

        case OP_RULE:
          cairo_move_to (cr, op->x, op->y);
          cairo_line_to (cr, op->x + op->w, op->y + op->h);
          cairo_stroke (cr);
          break;

        case OP_BOX:
          cairo_rectangle (cr, op->x, op->y, op->w, op->h);
          cairo_stroke (cr);
          break;

        default:
          g_assert_not_reached ();
        }
    }

  cairo_restore (cr);
}

static cairo_status_t
write_to_stream (void                *closure,
                 const unsigned char *data,
                 unsigned int         length)
{
  GOutputStream *stream = closure;

  return g_output_stream_write_all (stream, data, length, NULL, NULL, NULL)
         ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

gboolean
bc_document_write_pdf (BcDocument  *self,
                       const char  *path,
                       GError     **error)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileOutputStream) stream = NULL;
  cairo_surface_t *surface;
  cairo_status_t status;
  cairo_t *cr;

  g_return_val_if_fail (BC_IS_DOCUMENT (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* g_file_replace() writes beside the file and renames it on close. */
  file = g_file_new_for_path (path);
  stream = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION, NULL, error);
  if (stream == NULL)
    return FALSE;

  surface = cairo_pdf_surface_create_for_stream (write_to_stream, stream, PAGE_WIDTH, PAGE_HEIGHT);
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATOR, "Baocao " PACKAGE_VERSION);
  cr = cairo_create (surface);
  for (guint page = 0; page < self->pages->len; page++)
    {
      bc_document_draw_page (self, cr, page);
      cairo_show_page (cr);
    }
  cairo_destroy (cr);
  cairo_surface_finish (surface);
  status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);

  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_autofree char *name = g_filename_display_name (path);
      g_autoptr(GCancellable) abandon = g_cancellable_new ();

      /* Closing a replacement that was cancelled leaves the old file alone. */
      g_cancellable_cancel (abandon);
      g_output_stream_close (G_OUTPUT_STREAM (stream), abandon, NULL);
      g_set_error (error, BC_OUTPUT_ERROR, BC_OUTPUT_ERROR_WRITE,
                   _("Could not write the PDF “%s” (%s). Check that the disk has room and the folder can be written to."),
                   name, cairo_status_to_string (status));
      return FALSE;
    }

  return g_output_stream_close (G_OUTPUT_STREAM (stream), NULL, error);
}
