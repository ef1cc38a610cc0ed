/* bc-report-list.c: a workbook's reports as a GListModel, for lists of reports.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bc-report-list"

#include "config.h"

#include <string.h>

#include "bc-i18n.h"
#include "bc-plan.h"
#include "bc-report-list.h"

/* --- BcReportItem --------------------------------------------------------- */

struct _BcReportItem
{
  GObject       parent_instance;

  char         *id;
  char         *template_id;
  int           template_version;
  char         *title;
  char         *period_id;
  char         *period_label;
  gboolean      period_known;
  BcPeriod      period;
  GDate         due_date;
  char         *unit;
  BcStatus      status;
  BcTimeliness  timeliness;
  gint64        revision;
  gint64        updated_at;
  gint64        submitted_at;
  /* The folded words of the title, unit and period, for search. */
  GStrv         words;
  /* Collation keys of title and unit: sorting a thousand reports would
   * otherwise collate the same strings again and again. */
  char         *title_key;
  char         *unit_key;
};

enum {
  ITEM_PROP_0,
  ITEM_PROP_ID,
  ITEM_PROP_TEMPLATE_ID,
  ITEM_PROP_TEMPLATE_VERSION,
  ITEM_PROP_TITLE,
  ITEM_PROP_PERIOD_ID,
  ITEM_PROP_PERIOD_LABEL,
  ITEM_PROP_UNIT,
  ITEM_PROP_STATUS,
  ITEM_PROP_TIMELINESS,
  ITEM_PROP_REVISION,
  ITEM_PROP_UPDATED_AT,
  ITEM_PROP_SUBMITTED_AT,
  ITEM_N_PROPS
};

static GParamSpec *item_properties[ITEM_N_PROPS];

G_DEFINE_FINAL_TYPE (BcReportItem, bc_report_item, G_TYPE_OBJECT)

static void
bc_report_item_finalize (GObject *object)
{
  BcReportItem *self = BC_REPORT_ITEM (object);

  g_free (self->id);
  g_free (self->template_id);
  g_free (self->title);
  g_free (self->period_id);
  g_free (self->period_label);
  g_free (self->unit);
  g_strfreev (self->words);
  g_free (self->title_key);
  g_free (self->unit_key);

  G_OBJECT_CLASS (bc_report_item_parent_class)->finalize (object);
}

static void
bc_report_item_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  BcReportItem *self = BC_REPORT_ITEM (object);

  switch (prop_id)
    {
    case ITEM_PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case ITEM_PROP_TEMPLATE_ID:
      g_value_set_string (value, self->template_id);
      break;
    case ITEM_PROP_TEMPLATE_VERSION:
      g_value_set_int (value, self->template_version);
      break;
    case ITEM_PROP_TITLE:
      g_value_set_string (value, self->title);
      break;
    case ITEM_PROP_PERIOD_ID:
      g_value_set_string (value, self->period_id);
      break;
    case ITEM_PROP_PERIOD_LABEL:
      g_value_set_string (value, self->period_label);
      break;
    case ITEM_PROP_UNIT:
      g_value_set_string (value, self->unit);
      break;
    case ITEM_PROP_STATUS:
      g_value_set_int (value, self->status);
      break;
    case ITEM_PROP_TIMELINESS:
      g_value_set_int (value, self->timeliness);
      break;
    case ITEM_PROP_REVISION:
      g_value_set_int64 (value, self->revision);
      break;
    case ITEM_PROP_UPDATED_AT:
      g_value_set_int64 (value, self->updated_at);
      break;
    case ITEM_PROP_SUBMITTED_AT:
      g_value_set_int64 (value, self->submitted_at);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bc_report_item_class_init (BcReportItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = bc_report_item_finalize;
  object_class->get_property = bc_report_item_get_property;

  item_properties[ITEM_PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, NULL, flags);
  item_properties[ITEM_PROP_TEMPLATE_ID] =
    g_param_spec_string ("template-id", NULL, NULL, NULL, flags);
  item_properties[ITEM_PROP_TEMPLATE_VERSION] =
    g_param_spec_int ("template-version", NULL, NULL, 0, G_MAXINT, 0, flags);
  item_properties[ITEM_PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL, flags);
  item_properties[ITEM_PROP_PERIOD_ID] =
    g_param_spec_string ("period-id", NULL, NULL, NULL, flags);
  item_properties[ITEM_PROP_PERIOD_LABEL] =
    g_param_spec_string ("period-label", NULL, NULL, NULL, flags);
  item_properties[ITEM_PROP_UNIT] =
    g_param_spec_string ("unit", NULL, NULL, NULL, flags);
  /* BcStatus and BcTimeliness values; the core registers no enum types. */
  item_properties[ITEM_PROP_STATUS] =
    g_param_spec_int ("status", NULL, NULL, 0, BC_STATUS_LAST, BC_STATUS_DRAFT, flags);
  item_properties[ITEM_PROP_TIMELINESS] =
    g_param_spec_int ("timeliness", NULL, NULL,
                      0, BC_TIMELINESS_NO_DUE_DATE, BC_TIMELINESS_NO_DUE_DATE, flags);
  item_properties[ITEM_PROP_REVISION] =
    g_param_spec_int64 ("revision", NULL, NULL, 0, G_MAXINT64, 0, flags);
  item_properties[ITEM_PROP_UPDATED_AT] =
    g_param_spec_int64 ("updated-at", NULL, NULL, 0, G_MAXINT64, 0, flags);
  item_properties[ITEM_PROP_SUBMITTED_AT] =
    g_param_spec_int64 ("submitted-at", NULL, NULL, 0, G_MAXINT64, 0, flags);

  g_object_class_install_properties (object_class, ITEM_N_PROPS, item_properties);
}

static void
bc_report_item_init (BcReportItem *self)
{
  g_date_clear (&self->due_date, 1);
}

const char *
bc_report_item_get_id (BcReportItem *self)
{
  g_return_val_if_fail (BC_IS_REPORT_ITEM (self), NULL);

  return self->id;
}

const char *
bc_report_item_get_template_id (BcReportItem *self)
{
  g_return_val_if_fail (BC_IS_REPORT_ITEM (self), NULL);

  return self->template_id;
}

int
bc_report_item_get_template_version (BcReportItem *self)
{
  g_return_val_if_fail (BC_IS_REPORT_ITEM (self), 0);

  return self->template_version;
}

const char *
bc_report_item_get_title (BcReportItem *self)
{
  g_return_val_if_fail (BC_IS_REPORT_ITEM (self), NULL);

  return self->title;
}

const char *
bc_report_item_get_period_id (BcReportItem *self)
{
  g_return_val_if_fail (BC_IS_REPORT_ITEM (self), NULL);

  return self->period_id;
}

const char *
bc_report_item_get_period_label (BcReportItem *self)
{
  g_return_val_if_fail (BC_IS_REPORT_ITEM (self), NULL);

  return self->period_label;
}

const char *
bc_report_item_get_unit (BcReportItem *self)
{
  g_return_val_if_fail (BC_IS_REPORT_ITEM (self), NULL);

  return self->unit;
}

BcStatus
bc_report_item_get_status (BcReportItem *self)
{
  g_return_val_if_fail (BC_IS_REPORT_ITEM (self), BC_STATUS_DRAFT);

  return self->status;
}

BcTimeliness
bc_report_item_get_timeliness (BcReportItem *self)
{
  g_return_val_if_fail (BC_IS_REPORT_ITEM (self), BC_TIMELINESS_NO_DUE_DATE);

  return self->timeliness;
}

const GDate *
bc_report_item_get_due_date (BcReportItem *self)
{
  g_return_val_if_fail (BC_IS_REPORT_ITEM (self), NULL);

  return g_date_valid (&self->due_date) ? &self->due_date : NULL;
}

gint64
bc_report_item_get_revision (BcReportItem *self)
{
  g_return_val_if_fail (BC_IS_REPORT_ITEM (self), 0);

  return self->revision;
}

gint64
bc_report_item_get_updated_at (BcReportItem *self)
{
  g_return_val_if_fail (BC_IS_REPORT_ITEM (self), 0);

  return self->updated_at;
}

gint64
bc_report_item_get_submitted_at (BcReportItem *self)
{
  g_return_val_if_fail (BC_IS_REPORT_ITEM (self), 0);

  return self->submitted_at;
}

/* Lower case without diacritics, "đ" as "d", split into words: how people
 * type when they search, with or without a Vietnamese keyboard. Done here
 * rather than with g_str_match_string(), whose ASCII alternates depend on
 * the locale and leave "Đ" alone. */
static GStrv
fold_words (const char *text)
{
  g_autofree char *decomposed = g_utf8_normalize (text != NULL ? text : "", -1, G_NORMALIZE_NFD);
  g_autoptr(GStrvBuilder) words = g_strv_builder_new ();
  g_autoptr(GString) word = g_string_new (NULL);

  for (const char *p = decomposed; p != NULL && *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_ismark (c))
        continue;
      if (c == 0x0110 || c == 0x0111)  /* Đ đ */
        c = 'd';

      if (g_unichar_isalnum (c))
        g_string_append_unichar (word, g_unichar_tolower (c));
      else if (word->len > 0)
        {
          g_strv_builder_add (words, word->str);
          g_string_truncate (word, 0);
        }
    }
  if (word->len > 0)
    g_strv_builder_add (words, word->str);

  return g_strv_builder_end (words);
}

gboolean
bc_report_item_matches (BcReportItem *self,
                        const char   *query)
{
  g_auto(GStrv) wanted = NULL;

  g_return_val_if_fail (BC_IS_REPORT_ITEM (self), FALSE);

  wanted = fold_words (query);

  /* Every word typed starts some word of the report; a number must be a
   * whole word, or "2" would find every year of this century. */
  for (guint i = 0; wanted[i] != NULL; i++)
    {
      gboolean number = TRUE;
      gboolean found = FALSE;

      for (const char *c = wanted[i]; *c != '\0' && number; c++)
        number = g_ascii_isdigit (*c);

      for (guint j = 0; self->words[j] != NULL && !found; j++)
        found = number ? g_str_equal (self->words[j], wanted[i])
                       : g_str_has_prefix (self->words[j], wanted[i]);
      if (!found)
        return FALSE;
    }

  return TRUE;
}

static void
local_date_of (gint64  usec,
               GDate  *date)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC);
  g_autoptr(GDateTime) local = g_date_time_to_local (utc);

  g_date_clear (date, 1);
  g_date_set_dmy (date,
                  g_date_time_get_day_of_month (local),
                  g_date_time_get_month (local),
                  g_date_time_get_year (local));
}

/* Fills the item from a summary, notifying what changed when `notify`. */
static void
bc_report_item_update (BcReportItem          *self,
                       const BcReportSummary *summary,
                       BcTemplateRegistry    *templates,
                       const char            *lang,
                       const GDate           *today,
                       gboolean               notify)
{
  BcTemplate *template_ = NULL;
  g_autofree char *title = NULL;
  g_autofree char *period_label = NULL;
  BcTimeliness timeliness;
  gboolean changed[ITEM_N_PROPS] = { FALSE, };

#define SET_STRING(field, prop, val) \
  G_STMT_START { \
    if (g_strcmp0 (self->field, (val)) != 0) \
      { \
        g_free (self->field); \
        self->field = g_strdup (val); \
        changed[prop] = TRUE; \
      } \
  } G_STMT_END
#define SET_SCALAR(field, prop, val) \
  G_STMT_START { \
    if (self->field != (val)) \
      { \
        self->field = (val); \
        changed[prop] = TRUE; \
      } \
  } G_STMT_END

  if (templates != NULL)
    {
      template_ = bc_template_registry_lookup (templates, summary->template_id,
                                               summary->template_version, NULL);
      if (template_ == NULL)
        template_ = bc_template_registry_lookup_latest (templates, summary->template_id, NULL);
    }
  if (template_ != NULL)
    title = g_strdup (bc_text_get (bc_template_get_title (template_), lang));
  if (title == NULL || *title == '\0')
    {
      g_free (title);
      title = g_strdup (summary->template_id);
    }

  self->period_known = bc_period_parse (summary->period_id, &self->period, NULL);
  g_date_clear (&self->due_date, 1);
  timeliness = BC_TIMELINESS_NO_DUE_DATE;
  if (self->period_known)
    {
      period_label = bc_period_label (&self->period, lang);
      /* The due date is the plan's in force for the unit and period: none
       * without one (or without templates to find plans beside). */
      if (templates != NULL &&
          bc_template_registry_due_date (templates, summary->period_id, summary->unit, &self->due_date))
        {
          if (summary->submitted_at > 0)
            {
              GDate submitted;

              local_date_of (summary->submitted_at, &submitted);
              timeliness = bc_timeliness_for_due (&self->due_date, today, &submitted);
            }
          else
            timeliness = bc_timeliness_for_due (&self->due_date, today, NULL);
        }
    }
  else
    period_label = g_strdup (summary->period_id);

  SET_STRING (id, ITEM_PROP_ID, summary->id);
  SET_STRING (template_id, ITEM_PROP_TEMPLATE_ID, summary->template_id);
  SET_SCALAR (template_version, ITEM_PROP_TEMPLATE_VERSION, summary->template_version);
  SET_STRING (title, ITEM_PROP_TITLE, title);
  SET_STRING (period_id, ITEM_PROP_PERIOD_ID, summary->period_id);
  SET_STRING (period_label, ITEM_PROP_PERIOD_LABEL, period_label);
  SET_STRING (unit, ITEM_PROP_UNIT, summary->unit);
  SET_SCALAR (status, ITEM_PROP_STATUS, summary->status);
  SET_SCALAR (timeliness, ITEM_PROP_TIMELINESS, timeliness);
  SET_SCALAR (revision, ITEM_PROP_REVISION, summary->revision);
  SET_SCALAR (updated_at, ITEM_PROP_UPDATED_AT, summary->updated_at);
  SET_SCALAR (submitted_at, ITEM_PROP_SUBMITTED_AT, summary->submitted_at);

#undef SET_STRING
#undef SET_SCALAR

  {
    /* People write "quý 2" as often as "Quý II": the quarter's number and
     * "q2" are words of the report too. */
    g_autofree char *quarter = self->period_known && self->period.type == BC_PERIOD_QUARTER
      ? g_strdup_printf ("%d q%d", self->period.quarter, self->period.quarter)
      : g_strdup ("");
    g_autofree char *text = g_strjoin (" ", self->title, self->unit != NULL ? self->unit : "",
                                       self->period_label, self->period_id, quarter, NULL);

    g_strfreev (self->words);
    self->words = fold_words (text);
  }

  if (changed[ITEM_PROP_TITLE] || self->title_key == NULL)
    {
      g_free (self->title_key);
      self->title_key = g_utf8_collate_key (self->title, -1);
    }
  if (changed[ITEM_PROP_UNIT] || self->unit_key == NULL)
    {
      g_free (self->unit_key);
      self->unit_key = g_utf8_collate_key (self->unit != NULL ? self->unit : "", -1);
    }

  if (notify)
    {
      for (guint i = 1; i < ITEM_N_PROPS; i++)
        if (changed[i])
          g_object_notify_by_pspec (G_OBJECT (self), item_properties[i]);
    }
}

/* Newest period first, then title, then unit; unparsable periods last. */
static int
compare_items (gconstpointer a,
               gconstpointer b)
{
  BcReportItem *x = *(BcReportItem **) a;
  BcReportItem *y = *(BcReportItem **) b;
  int cmp;

  if (x->period_known != y->period_known)
    return x->period_known ? -1 : 1;
  if (x->period_known)
    {
      cmp = bc_period_compare (&y->period, &x->period);
      if (cmp != 0)
        return cmp;
    }
  else
    {
      cmp = g_strcmp0 (y->period_id, x->period_id);
      if (cmp != 0)
        return cmp;
    }

  cmp = strcmp (x->title_key, y->title_key);
  if (cmp != 0)
    return cmp;
  cmp = strcmp (x->unit_key, y->unit_key);
  if (cmp != 0)
    return cmp;

  return g_strcmp0 (x->id, y->id);
}

/* --- BcReportList --------------------------------------------------------- */

struct _BcReportList
{
  GObject      parent_instance;

  BcWorkbook  *workbook;
  char        *lang;
  GPtrArray   *items;        /* BcReportItem*, sorted */
  GDate        today;        /* invalid: use the local date at refresh time */
  gboolean     loaded;
};

enum {
  PROP_0,
  PROP_WORKBOOK,
  PROP_LANG,
  PROP_LOADED,
  PROP_ITEM_TYPE,
  PROP_N_ITEMS,
  N_PROPS
};

static guint refreshed_signal;
static GParamSpec *properties[N_PROPS];

static GType
bc_report_list_get_item_type (GListModel *model)
{
  return BC_TYPE_REPORT_ITEM;
}

static guint
bc_report_list_get_n_items (GListModel *model)
{
  return BC_REPORT_LIST (model)->items->len;
}

static gpointer
bc_report_list_get_item (GListModel *model,
                         guint       position)
{
  BcReportList *self = BC_REPORT_LIST (model);

  if (position >= self->items->len)
    return NULL;

  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
bc_report_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = bc_report_list_get_item_type;
  iface->get_n_items = bc_report_list_get_n_items;
  iface->get_item = bc_report_list_get_item;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (BcReportList, bc_report_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, bc_report_list_model_init))

static void
bc_report_list_finalize (GObject *object)
{
  BcReportList *self = BC_REPORT_LIST (object);

  g_clear_object (&self->workbook);
  g_clear_pointer (&self->lang, g_free);
  g_clear_pointer (&self->items, g_ptr_array_unref);

  G_OBJECT_CLASS (bc_report_list_parent_class)->finalize (object);
}

static void
bc_report_list_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  BcReportList *self = BC_REPORT_LIST (object);

  switch (prop_id)
    {
    case PROP_WORKBOOK:
      g_value_set_object (value, self->workbook);
      break;
    case PROP_LANG:
      g_value_set_string (value, self->lang);
      break;
    case PROP_LOADED:
      g_value_set_boolean (value, self->loaded);
      break;
    case PROP_ITEM_TYPE:
      g_value_set_gtype (value, BC_TYPE_REPORT_ITEM);
      break;
    case PROP_N_ITEMS:
      g_value_set_uint (value, self->items->len);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bc_report_list_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  BcReportList *self = BC_REPORT_LIST (object);

  switch (prop_id)
    {
    case PROP_WORKBOOK:
      self->workbook = g_value_dup_object (value);
      break;
    case PROP_LANG:
      self->lang = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bc_report_list_constructed (GObject *object)
{
  BcReportList *self = BC_REPORT_LIST (object);

  G_OBJECT_CLASS (bc_report_list_parent_class)->constructed (object);

  if (self->lang == NULL)
    self->lang = g_strdup (bc_i18n_language ());
}

static void
bc_report_list_class_init (BcReportListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = bc_report_list_finalize;
  object_class->get_property = bc_report_list_get_property;
  object_class->set_property = bc_report_list_set_property;
  object_class->constructed = bc_report_list_constructed;

  properties[PROP_WORKBOOK] =
    g_param_spec_object ("workbook", NULL, NULL, BC_TYPE_WORKBOOK,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LANG] =
    g_param_spec_string ("lang", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LOADED] =
    g_param_spec_boolean ("loaded", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ITEM_TYPE] =
    g_param_spec_gtype ("item-type", NULL, NULL, G_TYPE_OBJECT,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_ITEMS] =
    g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

g_object_class_install_properties (object_class, N_PROPS, properties);

  /* "refreshed": a refresh has been applied. Items of reports still there
   * change their properties in place without "items-changed"; whatever
   * counts them (reports waiting to send) counts again here. */
  refreshed_signal = g_signal_new ("refreshed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
bc_report_list_init (BcReportList *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
  g_date_clear (&self->today, 1);
}

BcReportList *
bc_report_list_new (BcWorkbook *workbook,
                    const char *lang)
{
  g_return_val_if_fail (BC_IS_WORKBOOK (workbook), NULL);

  return g_object_new (BC_TYPE_REPORT_LIST,
                       "workbook", workbook,
                       "lang", lang,
                       NULL);
}

BcWorkbook *
bc_report_list_get_workbook (BcReportList *self)
{
  g_return_val_if_fail (BC_IS_REPORT_LIST (self), NULL);

  return self->workbook;
}

gboolean
bc_report_list_get_loaded (BcReportList *self)
{
  g_return_val_if_fail (BC_IS_REPORT_LIST (self), FALSE);

  return self->loaded;
}

void
bc_report_list_set_today (BcReportList *self,
                          const GDate  *today)
{
  g_return_if_fail (BC_IS_REPORT_LIST (self));
  g_return_if_fail (today == NULL || g_date_valid (today));

  if (today != NULL)
    self->today = *today;
  else
    g_date_clear (&self->today, 1);
}

BcReportItem *
bc_report_list_find (BcReportList *self,
                     const char   *report_id,
                     guint        *position)
{
  g_return_val_if_fail (BC_IS_REPORT_LIST (self), NULL);
  g_return_val_if_fail (report_id != NULL, NULL);

  for (guint i = 0; i < self->items->len; i++)
    {
      BcReportItem *item = g_ptr_array_index (self->items, i);

      if (g_str_equal (item->id, report_id))
        {
          if (position != NULL)
            *position = i;
          return item;
        }
    }

  return NULL;
}

/* Replaces the items with `fresh` (sorted), keeping the unchanged head and
 * tail of the list so that views keep their selection and scroll position,
 * and updating kept items in place. */
static void
bc_report_list_apply (BcReportList *self,
                      GPtrArray    *summaries)
{
  BcTemplateRegistry *templates = bc_workbook_get_templates (self->workbook);
  g_autoptr(GPtrArray) fresh = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GHashTable) old_by_id = g_hash_table_new (g_str_hash, g_str_equal);
  GDate today = self->today;
  guint old_len = self->items->len;
  guint head = 0;
  guint tail = 0;
  gboolean was_loaded = self->loaded;

  if (!g_date_valid (&today))
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_local ();

      g_date_clear (&today, 1);
      g_date_set_dmy (&today,
                      g_date_time_get_day_of_month (now),
                      g_date_time_get_month (now),
                      g_date_time_get_year (now));
    }

  for (guint i = 0; i < old_len; i++)
    {
      BcReportItem *item = g_ptr_array_index (self->items, i);

      g_hash_table_insert (old_by_id, item->id, item);
    }

  /* New reports get new items; kept ones are reused. */
  for (guint i = 0; i < summaries->len; i++)
    {
      const BcReportSummary *summary = g_ptr_array_index (summaries, i);
      BcReportItem *item = g_hash_table_lookup (old_by_id, summary->id);

      if (item == NULL)
        {
          item = g_object_new (BC_TYPE_REPORT_ITEM, NULL);
          bc_report_item_update (item, summary, templates, self->lang, &today, FALSE);
        }
      else
        g_object_ref (item);

      g_ptr_array_add (fresh, item);
    }

  /* Kept items take their new values (and say so) before sorting, which
   * depends on them. */
  for (guint i = 0; i < summaries->len; i++)
    {
      const BcReportSummary *summary = g_ptr_array_index (summaries, i);
      BcReportItem *item = g_hash_table_lookup (old_by_id, summary->id);

      if (item != NULL)
        bc_report_item_update (item, summary, templates, self->lang, &today, TRUE);
    }

  g_ptr_array_sort (fresh, compare_items);

  while (head < old_len && head < fresh->len &&
         g_ptr_array_index (self->items, head) == g_ptr_array_index (fresh, head))
    head++;
  while (tail < old_len - head && tail < fresh->len - head &&
         g_ptr_array_index (self->items, old_len - 1 - tail) ==
         g_ptr_array_index (fresh, fresh->len - 1 - tail))
    tail++;

  g_ptr_array_unref (self->items);
  self->items = g_steal_pointer (&fresh);
  self->loaded = TRUE;

  if (old_len - head - tail > 0 || self->items->len - head - tail > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), head,
                                old_len - head - tail,
                                self->items->len - head - tail);
  if (old_len != self->items->len)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
  if (!was_loaded)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADED]);
  g_signal_emit (self, refreshed_signal, 0);
}

static void
list_reports_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  BcReportList *self = g_task_get_source_object (task);
  g_autoptr(GPtrArray) summaries = NULL;
  GError *error = NULL;

  summaries = bc_workbook_list_reports_finish (BC_WORKBOOK (source), result, &error);
  if (summaries == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  bc_report_list_apply (self, summaries);
  g_task_return_boolean (task, TRUE);
}

void
bc_report_list_refresh_async (BcReportList        *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (BC_IS_REPORT_LIST (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, bc_report_list_refresh_async);

  bc_workbook_list_reports_async (self->workbook, cancellable,
                                  list_reports_cb, g_steal_pointer (&task));
}

gboolean
bc_report_list_refresh_finish (BcReportList  *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (BC_IS_REPORT_LIST (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
