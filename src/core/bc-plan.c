/* bc-plan.c: plans (calendar and targets) loaded from *.plan.json files.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The format is documented in docs/plans.md.
 */
#define G_LOG_DOMAIN "bc-plan"

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "bc-plan.h"
#include "bc-json-reader.h"
#include "bc-template-private.h"

/* A report not yet submitted counts as "due" from this many days before. */
#define DUE_SOON_DAYS 7

/* A day given relative to a period's last month. */
typedef struct {
  gboolean set;
  int      month;  /* months after the period's last month (0: that month, -3: three before) */
  int      day;    /* 1 … 31, the month's last day when it is shorter */
} DayRule;

typedef struct {
  DayRule window_start;
  DayRule window_end;
  DayRule due;
} KindCalendar;

typedef struct {
  char     *template_id;  /* NULL: any template with that field */
  char     *field_id;
  BcTarget  target;
} PlanTarget;

struct _BcPlan
{
  GObject       parent_instance;

  char         *filename;
  char         *id;
  BcText        name;
  BcText        title;
  BcText        issuer;
  char         *from;
  char         *to;
  GStrv         units;      /* normalized; "QNG-*" matches by prefix; NULL: every unit */
  KindCalendar  calendar[2]; /* BC_PERIOD_QUARTER, BC_PERIOD_YEAR */
  GPtrArray    *targets;    /* PlanTarget* */
};

G_DEFINE_FINAL_TYPE (BcPlan, bc_plan, G_TYPE_OBJECT)

#define text_clear(text) _bc_text_clear (text)

static void
plan_target_free (PlanTarget *target)
{
  g_free (target->template_id);
  g_free (target->field_id);
  text_clear (&target->target.source);
  g_free (target->target.from);
  g_free (target->target.to);
  g_free (target);
}

static void
bc_plan_finalize (GObject *object)
{
  BcPlan *self = BC_PLAN (object);

  g_free (self->filename);
  g_free (self->id);
  text_clear (&self->name);
  text_clear (&self->title);
  text_clear (&self->issuer);
  g_free (self->from);
  g_free (self->to);
  g_strfreev (self->units);
  g_ptr_array_unref (self->targets);

  G_OBJECT_CLASS (bc_plan_parent_class)->finalize (object);
}

static void
bc_plan_class_init (BcPlanClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = bc_plan_finalize;
}

static void
bc_plan_init (BcPlan *self)
{
  self->targets = g_ptr_array_new_with_free_func ((GDestroyNotify) plan_target_free);
}

/* --- loading -------------------------------------------------------------- */

typedef struct {
  BcPlan       *self;
  BcJsonReader  json;   /* the file's name, the error to set */
} Loader;

/* The JSON getters of bc-json-reader.h, on the loader's file. */
#define fail(loader, ...) _bc_json_fail (&(loader)->json, __VA_ARGS__)
#define check_keys(loader, ...) _bc_json_check_keys (&(loader)->json, __VA_ARGS__)
#define get_object(loader, ...) _bc_json_get_object (&(loader)->json, __VA_ARGS__)
#define get_string(loader, ...) _bc_json_get_string (&(loader)->json, __VA_ARGS__)
#define get_text(loader, ...) _bc_json_get_text (&(loader)->json, __VA_ARGS__)
#define child_path _bc_json_child_path

static gboolean
get_int (Loader     *loader,
         JsonObject *object,
         const char *path,
         const char *key,
         int         min,
         int         max,
         int        *out)
{
  gint64 value = 0;

  if (!_bc_json_get_integer (&loader->json, object, path, key, TRUE, min, max, &value, NULL))
    return FALSE;

  *out = (int) value;
  return TRUE;
}

static gboolean
get_period (Loader      *loader,
            JsonObject  *object,
            const char  *path,
            const char  *key,
            gboolean     required,
            char       **out)
{
  g_autofree char *text = NULL;
  BcPeriod period;

  if (!get_string (loader, object, path, key, required, &text))
    return FALSE;
  if (text == NULL)
    return TRUE;

  if (!bc_period_parse (text, &period, NULL) || period.type == BC_PERIOD_ONE_OFF)
    {
      g_autofree char *where = child_path (path, key);

      return fail (loader, where,
                   _("“%s” is not a period; write a year such as 2019 or a quarter such as 2019Q2"),
                   text);
    }

  g_free (*out);
  *out = bc_period_to_id (&period);
  return TRUE;
}

/* The first day of `from`'s window is not after the last day of `to`'s. */
static gboolean
span_is_ordered (const char *from,
                 const char *to)
{
  BcPeriod a, b;
  GDate a_start, a_end, b_start, b_end;

  if (from == NULL || to == NULL)
    return TRUE;

  bc_period_parse (from, &a, NULL);
  bc_period_parse (to, &b, NULL);
  bc_period_window (&a, &a_start, &a_end);
  bc_period_window (&b, &b_start, &b_end);

  return g_date_compare (&a_start, &b_end) <= 0;
}

static gboolean
is_valid_id (const char *id,
             gboolean    dashes)
{
  gsize i;

  if (!g_ascii_islower (id[0]))
    return FALSE;
  for (i = 1; id[i] != '\0'; i++)
    if (!g_ascii_islower (id[i]) && !g_ascii_isdigit (id[i]) && id[i] != (dashes ? '-' : '_'))
      return FALSE;

  return i <= 64;
}

static gboolean
parse_day_rule (Loader     *loader,
                JsonObject *object,
                const char *path,
                const char *key,
                DayRule    *out)
{
  static const char * const keys[] = { "month", "day", NULL };
  g_autofree char *where = child_path (path, key);
  JsonObject *rule = NULL;

  if (!get_object (loader, object, path, key, FALSE, &rule))
    return FALSE;
  if (rule == NULL)
    return TRUE;

  if (!check_keys (loader, rule, where, keys) ||
      !get_int (loader, rule, where, "month", -24, 12, &out->month) ||
      !get_int (loader, rule, where, "day", 1, 31, &out->day))
    return FALSE;

  out->set = TRUE;
  return TRUE;
}

static gboolean
parse_calendar (Loader     *loader,
                JsonObject *object)
{
  static const char * const kinds[] = { "quarter", "year", NULL };
  static const char * const kind_keys[] = { "window", "due", NULL };
  static const char * const window_keys[] = { "start", "end", NULL };
  JsonObject *calendar = NULL;

  if (!get_object (loader, object, "", "calendar", FALSE, &calendar))
    return FALSE;
  if (calendar == NULL)
    return TRUE;
  if (!check_keys (loader, calendar, "calendar", kinds))
    return FALSE;

  for (guint k = 0; kinds[k] != NULL; k++)
    {
      KindCalendar *out = &loader->self->calendar[k == 0 ? BC_PERIOD_QUARTER : BC_PERIOD_YEAR];
      g_autofree char *where = child_path ("calendar", kinds[k]);
      g_autofree char *window_where = child_path (where, "window");
      JsonObject *kind = NULL;
      JsonObject *window = NULL;

      if (!get_object (loader, calendar, "calendar", kinds[k], FALSE, &kind))
        return FALSE;
      if (kind == NULL)
        continue;
      if (!check_keys (loader, kind, where, kind_keys) ||
          !get_object (loader, kind, where, "window", FALSE, &window) ||
          !parse_day_rule (loader, kind, where, "due", &out->due))
        return FALSE;
      if (window != NULL &&
          (!check_keys (loader, window, window_where, window_keys) ||
           !parse_day_rule (loader, window, window_where, "start", &out->window_start) ||
           !parse_day_rule (loader, window, window_where, "end", &out->window_end)))
        return FALSE;
      if (window != NULL && (!out->window_start.set || !out->window_end.set))
        return fail (loader, window_where, _("a window needs both “start” and “end”"));
      if (window != NULL &&
          (out->window_start.month > out->window_end.month ||
           (out->window_start.month == out->window_end.month && out->window_start.day > out->window_end.day)))
        return fail (loader, window_where, _("the window ends before it starts"));
    }

  return TRUE;
}

static char *
year_of (const char *period_id)
{
  return g_strndup (period_id, 4);
}

static gboolean
parse_target (Loader     *loader,
              JsonObject *object,
              const char *path)
{
  static const char * const keys[] = { "template", "field", "op", "value", "from", "to", "source", NULL };
  BcPlan *self = loader->self;
  PlanTarget *target = g_new0 (PlanTarget, 1);
  g_autofree char *op = NULL;
  JsonNode *value;

  g_ptr_array_add (self->targets, target);

  if (!check_keys (loader, object, path, keys) ||
      !get_string (loader, object, path, "template", FALSE, &target->template_id) ||
      !get_string (loader, object, path, "field", TRUE, &target->field_id) ||
      !get_string (loader, object, path, "op", TRUE, &op) ||
      !get_period (loader, object, path, "from", FALSE, &target->target.from) ||
      !get_period (loader, object, path, "to", FALSE, &target->target.to) ||
      !get_text (loader, object, path, "source", FALSE, &target->target.source))
    return FALSE;

  if (target->template_id != NULL && !is_valid_id (target->template_id, TRUE))
    {
      g_autofree char *where = child_path (path, "template");

      return fail (loader, where, _("“%s” is not a valid template id"), target->template_id);
    }
  if (!is_valid_id (target->field_id, FALSE))
    {
      g_autofree char *where = child_path (path, "field");

      return fail (loader, where, _("“%s” is not a valid field id"), target->field_id);
    }

  if (g_str_equal (op, ">="))
    target->target.op = BC_TARGET_AT_LEAST;
  else if (g_str_equal (op, "<="))
    target->target.op = BC_TARGET_AT_MOST;
  else if (g_str_equal (op, "="))
    target->target.op = BC_TARGET_EQUAL;
  else
    {
      g_autofree char *where = child_path (path, "op");

      return fail (loader, where, _("unknown operator “%s”; use “>=”, “<=” or “=”"), op);
    }

  value = _bc_json_member (object, "value");
  if (value == NULL)
    return fail (loader, path, _("the key “%s” is missing"), "value");
  if (!JSON_NODE_HOLDS_VALUE (value) ||
      (json_node_get_value_type (value) != G_TYPE_INT64 &&
       json_node_get_value_type (value) != G_TYPE_DOUBLE) ||
      !isfinite (json_node_get_double (value)) || fabs (json_node_get_double (value)) >= 1e15)
    {
      g_autofree char *where = child_path (path, "value");

      return fail (loader, where, _("must be a number"));
    }
  target->target.value = json_node_get_double (value);

  /* A target is in force within its plan only. */
  if (target->target.from == NULL)
    target->target.from = g_strdup (self->from);
  if (target->target.to == NULL)
    target->target.to = g_strdup (self->to);
  if (!span_is_ordered (target->target.from, target->target.to))
    {
      g_autofree char *where = child_path (path, "to");

      return fail (loader, where, _("the target ends (%s) before it starts (%s)"),
                   target->target.to, target->target.from);
    }
  /* It applies where both it and its plan are in force: a target of no
   * year of the plan is a mistake. */
  if (!span_is_ordered (self->from, target->target.to) ||
      !span_is_ordered (target->target.from, self->to))
    return fail (loader, path, _("the target (%s–%s) is outside the plan's years (%s–%s)"),
                 target->target.from, target->target.to, self->from, self->to);

  /* "Kế hoạch 61/KH-UBND, 2019–2020" unless the file says otherwise. */
  if (target->target.source.vi == NULL)
    {
      g_autofree char *first = year_of (target->target.from);
      g_autofree char *last = year_of (target->target.to);
      g_autofree char *years = g_str_equal (first, last) ? g_strdup (first)
                                                         : g_strdup_printf ("%s–%s", first, last);

      target->target.source.vi = g_strdup_printf ("%s, %s", self->name.vi, years);
      target->target.source.en = g_strdup_printf ("%s, %s", self->name.en, years);
    }

  return TRUE;
}

static gboolean
parse_plan (Loader   *loader,
            JsonNode *root)
{
  static const char * const keys[] = {
    "format", "id", "name", "title", "issuer", "in_force", "units", "calendar", "targets", NULL
  };
  static const char * const in_force_keys[] = { "from", "to", NULL };
  BcPlan *self = loader->self;
  JsonObject *object;
  JsonObject *in_force = NULL;
  JsonNode *node;
  gint64 format;

  if (!JSON_NODE_HOLDS_OBJECT (root))
    return fail (loader, NULL, _("a plan must be a JSON object { … }"));
  object = json_node_get_object (root);

  node = _bc_json_member (object, "format");
  if (node == NULL)
    return fail (loader, NULL, _("the key “%s” is missing"), "format");
  format = JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64
           ? json_node_get_int (node) : 0;
  if (format != 1)
    return fail (loader, "format", _("this plan is not in format 1, the only one this version of Baocao reads"));

  if (!check_keys (loader, object, "", keys) ||
      !get_string (loader, object, "", "id", TRUE, &self->id))
    return FALSE;
  if (!is_valid_id (self->id, TRUE))
    return fail (loader, "id",
                 _("“%s” is not a valid plan id: use at most 64 lower case letters, digits and “-”"),
                 self->id);

  if (!get_text (loader, object, "", "name", TRUE, &self->name) ||
      !get_text (loader, object, "", "title", TRUE, &self->title) ||
      !get_text (loader, object, "", "issuer", TRUE, &self->issuer) ||
      !get_object (loader, object, "", "in_force", TRUE, &in_force) ||
      !check_keys (loader, in_force, "in_force", in_force_keys) ||
      !get_period (loader, in_force, "in_force", "from", TRUE, &self->from) ||
      !get_period (loader, in_force, "in_force", "to", TRUE, &self->to))
    return FALSE;
  if (!span_is_ordered (self->from, self->to))
    return fail (loader, "in_force.to", _("the plan ends (%s) before it starts (%s)"),
                 self->to, self->from);

  node = _bc_json_member (object, "units");
  if (node != NULL)
    {
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
      JsonArray *units;

      if (!JSON_NODE_HOLDS_ARRAY (node))
        return fail (loader, "units", _("must be an array [ … ]"));
      units = json_node_get_array (node);
      for (guint i = 0; i < json_array_get_length (units); i++)
        {
          JsonNode *element = json_array_get_element (units, i);
          g_autofree char *normalized = NULL;

          if (!_bc_json_is_string (element) ||
              (normalized = _bc_normalize_issuer (json_node_get_string (element))) == NULL ||
              *normalized == '\0' || g_str_equal (normalized, "*"))
            {
              g_autofree char *where = g_strdup_printf ("units[%u]", i);

              return fail (loader, where,
                           _("a unit must be a unit's code or name as a text, or the beginning of codes followed by “*”"));
            }
          g_strv_builder_add (builder, normalized);
        }
      self->units = g_strv_builder_end (builder);
    }

  if (!parse_calendar (loader, object))
    return FALSE;

  node = _bc_json_member (object, "targets");
  if (node != NULL)
    {
      JsonArray *targets;

      if (!JSON_NODE_HOLDS_ARRAY (node))
        return fail (loader, "targets", _("must be an array [ … ]"));
      targets = json_node_get_array (node);
      for (guint i = 0; i < json_array_get_length (targets); i++)
        {
          JsonNode *element = json_array_get_element (targets, i);
          g_autofree char *where = g_strdup_printf ("targets[%u]", i);

          if (!JSON_NODE_HOLDS_OBJECT (element))
            return fail (loader, where, _("must be an object { … }"));
          if (!parse_target (loader, json_node_get_object (element), where))
            return FALSE;
        }
    }

  return TRUE;
}

BcPlan *
bc_plan_new_from_data (const char  *data,
                       gssize       length,
                       const char  *filename,
                       GError     **error)
{
  g_autoptr(BcPlan) self = NULL;
  g_autoptr(JsonNode) root = NULL;
  Loader loader;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (filename == NULL)
    filename = "<plan>";
  if (length < 0)
    length = strlen (data);

  root = _bc_json_parse_file_data (data, (gsize) length, filename, error);
  if (root == NULL || !_bc_json_check_strings (root, filename, error))
    return NULL;

  self = g_object_new (BC_TYPE_PLAN, NULL);
  self->filename = g_strdup (filename);
  loader.self = self;
  loader.json.filename = filename;
  loader.json.error = error;
  if (!parse_plan (&loader, root))
    return NULL;

  return g_steal_pointer (&self);
}

BcPlan *
bc_plan_new_from_file (GFile   *file,
                       GError **error)
{
  g_autoptr(GBytes) contents = NULL;
  g_autofree char *name = NULL;
  gsize length;
  const char *data;

  g_return_val_if_fail (G_IS_FILE (file), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  name = g_file_get_parse_name (file);
  contents = _bc_json_read_file (file, name, error);
  if (contents == NULL)
    return NULL;

  data = g_bytes_get_data (contents, &length);
  return bc_plan_new_from_data (length > 0 ? data : "", (gssize) length, name, error);
}

/* --- accessors and the calendar ------------------------------------------- */

const char *
bc_plan_get_id (BcPlan *self)
{
  g_return_val_if_fail (BC_IS_PLAN (self), NULL);
  return self->id;
}

const BcText *
bc_plan_get_name (BcPlan *self)
{
  g_return_val_if_fail (BC_IS_PLAN (self), NULL);
  return &self->name;
}

const BcText *
bc_plan_get_title (BcPlan *self)
{
  g_return_val_if_fail (BC_IS_PLAN (self), NULL);
  return &self->title;
}

const BcText *
bc_plan_get_issuer (BcPlan *self)
{
  g_return_val_if_fail (BC_IS_PLAN (self), NULL);
  return &self->issuer;
}

const char *
bc_plan_get_filename (BcPlan *self)
{
  g_return_val_if_fail (BC_IS_PLAN (self), NULL);
  return self->filename;
}

const char *
bc_plan_get_from (BcPlan *self)
{
  g_return_val_if_fail (BC_IS_PLAN (self), NULL);
  return self->from;
}

const char *
bc_plan_get_to (BcPlan *self)
{
  g_return_val_if_fail (BC_IS_PLAN (self), NULL);
  return self->to;
}

static gboolean
unit_matches (BcPlan     *self,
              const char *unit)
{
  g_autofree char *normalized = NULL;

  if (self->units == NULL)
    return TRUE;
  if (unit == NULL || (normalized = _bc_normalize_issuer (unit)) == NULL)
    return FALSE;

  for (guint i = 0; self->units[i] != NULL; i++)
    {
      const char *pattern = self->units[i];
      gsize length = strlen (pattern);

      if (pattern[length - 1] == '*' ? strncmp (normalized, pattern, length - 1) == 0
                                     : g_str_equal (normalized, pattern))
        return TRUE;
    }

  return FALSE;
}

gboolean
bc_plan_in_force (BcPlan     *self,
                  const char *period_id,
                  const char *unit)
{
  BcTarget span = { 0 };

  g_return_val_if_fail (BC_IS_PLAN (self), FALSE);

  if (period_id == NULL)
    return FALSE;

  /* The same test as a target's and a template version's: the period's
   * window meets the span. */
  span.from = self->from;
  span.to = self->to;
  return bc_target_in_force (&span, period_id) && unit_matches (self, unit);
}

/* The day `rule` names for a period whose last month is `last_month` of
 * `year`; a day past the month's end is its last day. */
static void
apply_rule (const DayRule *rule,
            int            year,
            int            last_month,
            GDate         *out)
{
  int months = year * 12 + (last_month - 1) + rule->month;
  int y = months / 12;
  int m = months % 12 + 1;
  int day = MIN (rule->day, (int) g_date_get_days_in_month ((GDateMonth) m, (GDateYear) y));

  g_date_clear (out, 1);
  g_date_set_dmy (out, (GDateDay) day, (GDateMonth) m, (GDateYear) y);
}

static const KindCalendar *
kind_calendar (BcPlan         *self,
               const BcPeriod *period)
{
  return period->type == BC_PERIOD_QUARTER || period->type == BC_PERIOD_YEAR
         ? &self->calendar[period->type] : NULL;
}

static void
one_off_day (const BcPeriod *period,
             GDate          *day)
{
  g_date_clear (day, 1);
  g_date_set_dmy (day, (GDateDay) period->day, (GDateMonth) period->month, (GDateYear) period->year);
}

gboolean
bc_plan_window (BcPlan         *self,
                const BcPeriod *period,
                GDate          *start,
                GDate          *end)
{
  const KindCalendar *calendar;
  int last_month;

  g_return_val_if_fail (BC_IS_PLAN (self), FALSE);
  g_return_val_if_fail (period != NULL && start != NULL && end != NULL, FALSE);

  g_date_clear (start, 1);
  g_date_clear (end, 1);
  if (period->type == BC_PERIOD_ONE_OFF)
    {
      one_off_day (period, start);
      *end = *start;
      return TRUE;
    }

  calendar = kind_calendar (self, period);
  if (calendar == NULL || !calendar->window_start.set)
    return FALSE;

  last_month = period->type == BC_PERIOD_YEAR ? 12 : period->quarter * 3;
  apply_rule (&calendar->window_start, period->year, last_month, start);
  apply_rule (&calendar->window_end, period->year, last_month, end);
  return TRUE;
}

gboolean
bc_plan_due_date (BcPlan         *self,
                  const BcPeriod *period,
                  GDate          *due)
{
  const KindCalendar *calendar;

  g_return_val_if_fail (BC_IS_PLAN (self), FALSE);
  g_return_val_if_fail (period != NULL && due != NULL, FALSE);

  g_date_clear (due, 1);
  if (period->type == BC_PERIOD_ONE_OFF)
    {
      one_off_day (period, due);
      return TRUE;
    }

  calendar = kind_calendar (self, period);
  if (calendar == NULL || !calendar->due.set)
    return FALSE;

  apply_rule (&calendar->due, period->year,
              period->type == BC_PERIOD_YEAR ? 12 : period->quarter * 3, due);
  return TRUE;
}

const BcTarget *
bc_plan_lookup_target (BcPlan     *self,
                       const char *template_id,
                       const char *field_id,
                       const char *period_id)
{
  g_return_val_if_fail (BC_IS_PLAN (self), NULL);
  g_return_val_if_fail (field_id != NULL, NULL);

  for (guint i = 0; i < self->targets->len; i++)
    {
      PlanTarget *target = g_ptr_array_index (self->targets, i);

      if (g_str_equal (target->field_id, field_id) &&
          (target->template_id == NULL || g_strcmp0 (target->template_id, template_id) == 0) &&
          bc_target_in_force (&target->target, period_id))
        return &target->target;
    }

  return NULL;
}

BcTimeliness
bc_timeliness_for_due (const GDate *due,
                       const GDate *today,
                       const GDate *submitted)
{
  g_return_val_if_fail (submitted == NULL || g_date_valid (submitted), BC_TIMELINESS_NO_DUE_DATE);

  if (due == NULL || !g_date_valid (due))
    return BC_TIMELINESS_NO_DUE_DATE;

  if (submitted != NULL)
    return g_date_compare (submitted, due) <= 0 ? BC_TIMELINESS_ON_TIME : BC_TIMELINESS_SUBMITTED_LATE;

  g_return_val_if_fail (today != NULL && g_date_valid (today), BC_TIMELINESS_OPEN);

  if (g_date_compare (today, due) > 0)
    return BC_TIMELINESS_LATE;
  if (g_date_days_between (today, due) <= DUE_SOON_DAYS)
    return BC_TIMELINESS_DUE;
  return BC_TIMELINESS_OPEN;
}

char *
bc_plan_format_due_date (const GDate *due)
{
  char text[32];

  if (due == NULL || !g_date_valid (due))
    /* TRANSLATORS: no plan in force sets a due date for this report */
    return g_strdup (_("No due date set"));

  g_date_strftime (text, sizeof text, "%d/%m/%Y", due);
  return g_strdup (text);
}
