/* bc-cli.c: baocao-cli, the core without a window.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every command opens the workbook, does one thing through the core, and
 * exits 0 on success, 1 when the core refused (with the reason on stderr,
 * in the user's language) and 2 for a command line it does not understand.
 */
#define G_LOG_DOMAIN "bc-cli"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "bc-changes.h"
#include "bc-cli.h"
#include "bc-conflict.h"
#include "bc-document.h"
#include "bc-entry.h"
#include "bc-i18n.h"
#include "bc-period.h"
#include "bc-plan.h"
#include "bc-spreadsheet.h"
#include "bc-validate.h"
#include "bc-workbook.h"
#include "bc-outbox.h"
#include "bc-sync-client.h"
#include "bc-sync-bundle.h"
#include "bc-training.h"
#include "bc-wire.h"

#ifdef G_OS_UNIX
#include <termios.h>
#include <unistd.h>
#endif
#ifdef G_OS_WIN32
#include <windows.h>
#endif

#define EXIT_REFUSED 1
#define EXIT_USAGE   2

typedef struct
{
  char               *workbook_path;
  char              **template_dirs;
  const char         *lang;
  BcTemplateRegistry *templates;
  BcWorkbook         *workbook;
} Cli;

typedef int (*CommandFunc) (Cli *cli, int argc, char **argv);

typedef struct
{
  const char  *name;
  const char  *arguments;
  const char  *summary;
  CommandFunc  func;
  gboolean     needs_workbook;
  gboolean     creates;        /* may create the named workbook */
} Command;

/* Output is UTF-8 whatever the locale: Vietnamese must not turn into '?'. */
G_GNUC_PRINTF (1, 2)
static void
out (const char *format,
     ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);

  fputs (text, stdout);
}

G_GNUC_PRINTF (1, 2)
static void
err (const char *format,
     ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);

  fprintf (stderr, "baocao-cli: %s\n", text);
}

/* printf's %-14s counts bytes; Vietnamese needs columns counted in characters. */
static char *
pad (const char *text,
     guint       width)
{
  glong length = g_utf8_strlen (text, -1);
  GString *padded = g_string_new (text);

  while ((guint) length++ < width)
    g_string_append_c (padded, ' ');

  return g_string_free (padded, FALSE);
}

#define PAD(text, width) (g_ptr_array_add (pads, pad ((text), (width))), \
                          (const char *) g_ptr_array_index (pads, pads->len - 1))

static int
fail (GError *error)
{
  err ("%s", error->message);
  return EXIT_REFUSED;
}

/* Says which template files were set aside, and why, without stopping. */
static void
report_template_problems (BcTemplateRegistry *templates)
{
  GPtrArray *problems = bc_template_registry_get_problems (templates);

  for (guint i = 0; i < problems->len; i++)
    {
      const GError *problem = g_ptr_array_index (problems, i);

      /* Each message starts with its file's name: a plan's ends in .plan.json. */
      if (strstr (problem->message, ".plan.json:") != NULL)
        /* TRANSLATORS: %s says which plan file, where in it and what is wrong */
        err (_("warning: a plan was set aside and cannot be used (its due dates and targets are not shown): %s"),
             problem->message);
      else
        /* TRANSLATORS: %s says which template file, where in it and what is wrong */
        err (_("warning: a template was set aside and cannot be used: %s"), problem->message);
    }
}

static int
usage (const char *command,
       const char *arguments)
{
  /* TRANSLATORS: first %s is a command, second its arguments */
  err (_("usage: baocao-cli %s %s"), command, arguments);
  return EXIT_USAGE;
}

static void
print_json (JsonNode *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);
  json_generator_set_root (generator, node);
  text = json_generator_to_data (generator, NULL);
  out ("%s\n", text);
}

/* Parses a command's options; leaves the positional arguments in argv. */
/* Commands whose arguments are free text (set, justify) take "--help" as a
 * value, never as a request that would exit 0 without storing anything. */
static gboolean
parse_options_full (const char    *command,
                    const char    *arguments,
                    GOptionEntry  *entries,
                    gboolean       help_enabled,
                    int           *argc,
                    char        ***argv);

static void drop_end_of_options (int   *argc,
                                 char **argv);

static gboolean
parse_options (const char    *command,
               const char    *arguments,
               GOptionEntry  *entries,
               int           *argc,
               char        ***argv)
{
  return parse_options_full (command, arguments, entries, TRUE, argc, argv);
}

static gboolean
parse_options_full (const char    *command,
                    const char    *arguments,
                    GOptionEntry  *entries,
                    gboolean       help_enabled,
                    int           *argc,
                    char        ***argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *parameter = g_strdup_printf ("%s %s", command, arguments);

  context = g_option_context_new (parameter);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  /* Values such as "-3" or "- Như trên;" are values, not options. */
  g_option_context_set_ignore_unknown_options (context, TRUE);
  g_option_context_set_help_enabled (context, help_enabled);
  if (entries != NULL)
    g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);

  if (!g_option_context_parse (context, argc, argv, &error))
    {
      err ("%s", error->message);
      return FALSE;
    }

  /* Ignoring unknown options, GOption leaves "--" in place. It ends the
   * options (`set ID FIELD -- -1`): take it out, so that what follows is
   * only arguments. */
  drop_end_of_options (argc, *argv);

  return TRUE;
}

static char *
format_time_local (gint64 usec)
{
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) local = NULL;

  if (usec <= 0)
    return g_strdup ("");

  utc = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC);
  local = g_date_time_to_local (utc);

  return g_date_time_format (local, "%d/%m/%Y %H:%M");
}

static void
get_today (GDate *today)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  g_date_clear (today, 1);
  g_date_set_dmy (today,
                  g_date_time_get_day_of_month (now),
                  g_date_time_get_month (now),
                  g_date_time_get_year (now));
}

static char *
format_date (const GDate *date)
{
  return g_strdup_printf ("%02d/%02d/%04d",
                          g_date_get_day (date),
                          g_date_get_month (date),
                          g_date_get_year (date));
}

/* Through the plan in force for the unit and period (NO_DUE_DATE without
 * one); `known` is FALSE when the period id does not parse. */
static BcTimeliness
report_timeliness (Cli        *cli,
                   const char *period_id,
                   const char *unit,
                   gint64      submitted_at,
                   gboolean   *known)
{
  BcPeriod period;
  GDate today;
  GDate submitted;

  *known = bc_period_parse (period_id, &period, NULL);
  if (!*known)
    return BC_TIMELINESS_NO_DUE_DATE;

  get_today (&today);

  if (submitted_at > 0)
    {
      g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (submitted_at / G_USEC_PER_SEC);
      g_autoptr(GDateTime) local = g_date_time_to_local (utc);

      g_date_clear (&submitted, 1);
      g_date_set_dmy (&submitted,
                      g_date_time_get_day_of_month (local),
                      g_date_time_get_month (local),
                      g_date_time_get_year (local));
      return bc_template_registry_timeliness (cli->templates, period_id, unit, &today, &submitted);
    }

  return bc_template_registry_timeliness (cli->templates, period_id, unit, &today, NULL);
}

/* Loads a report named by id or id prefix, with its template. */
static BcReport *
load_report (Cli         *cli,
             const char  *id_or_prefix,
             BcTemplate **template_out,
             GError     **error)
{
  g_autofree char *id = NULL;
  g_autoptr(BcReport) report = NULL;

  id = bc_workbook_resolve_report_id (cli->workbook, id_or_prefix, error);
  if (id == NULL)
    return NULL;

  report = bc_workbook_load_report (cli->workbook, id, error);
  if (report == NULL)
    return NULL;

  if (template_out != NULL)
    {
      *template_out = bc_workbook_get_report_template (cli->workbook, report, error);
      if (*template_out == NULL)
        return NULL;
    }

  return g_steal_pointer (&report);
}

/* --- receipts and reviews ------------------------------------------------ */

/* A review's decision as the statuses name it: “Accepted”, “Returned”. */
static const char *
decision_label (const char *decision)
{
  BcStatus status;

  if (bc_status_from_string (decision, &status))
    return bc_status_label (status);

  return decision;
}

/* Who decided and when: “(Nguyễn Văn A, 05/12/2026 10:00)”. */
static char *
review_by (const BcReview *review)
{
  g_autofree char *when = format_time_local (review->decided_at);

  if (review->reviewer != NULL && *review->reviewer != '\0')
    /* TRANSLATORS: who decided on a report, and the date and time */
    return g_strdup_printf (_("(%s, %s)"), review->reviewer, when);

  return g_strdup_printf ("(%s)", when);
}

/* “Accepted, revision 3”. */
static char *
review_decision (const BcReview *review)
{
  g_autofree char *revision = g_strdup_printf ("%" G_GINT64_FORMAT, review->revision);

  /* TRANSLATORS: a decision (“Accepted”, “Returned”) and the revision of
   * the report it was made on */
  return g_strdup_printf (_("%s, revision %s"), decision_label (review->decision), revision);
}

/* The newest receipt as JSON, {number, received_at, revision, conflict},
 * or null. */
static JsonNode *
receipt_to_json (const BcSyncState *state)
{
  g_autoptr(JsonBuilder) builder = NULL;
  g_autofree char *at = NULL;

  if (state == NULL || state->receipt_number == NULL)
    return json_node_new (JSON_NODE_NULL);

  builder = json_builder_new ();
  at = bc_wire_format_time (state->received_at);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "number");
  json_builder_add_string_value (builder, state->receipt_number);
  json_builder_set_member_name (builder, "received_at");
  json_builder_add_string_value (builder, at);
  json_builder_set_member_name (builder, "revision");
  json_builder_add_int_value (builder, state->acked_revision);
  json_builder_set_member_name (builder, "conflict");
  json_builder_add_boolean_value (builder, state->conflict);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

/* A review as JSON, {[report_id,] revision, decision, comment, reviewer,
 * decided_at, current}, or null. */
static JsonNode *
review_to_json (const BcReview *review,
                gboolean        with_report)
{
  g_autoptr(JsonBuilder) builder = NULL;
  g_autofree char *decided_at = NULL;

  if (review == NULL)
    return json_node_new (JSON_NODE_NULL);

  builder = json_builder_new ();
  decided_at = bc_wire_format_time (review->decided_at);
  json_builder_begin_object (builder);
  if (with_report)
    {
      json_builder_set_member_name (builder, "report_id");
      json_builder_add_string_value (builder, review->report_id);
    }
  json_builder_set_member_name (builder, "revision");
  json_builder_add_int_value (builder, review->revision);
  json_builder_set_member_name (builder, "decision");
  json_builder_add_string_value (builder, review->decision);
  /* Either may be absent: an acceptance without a word, no name given. */
  json_builder_set_member_name (builder, "comment");
  if (review->comment != NULL)
    json_builder_add_string_value (builder, review->comment);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "reviewer");
  if (review->reviewer != NULL)
    json_builder_add_string_value (builder, review->reviewer);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "decided_at");
  json_builder_add_string_value (builder, decided_at);
  json_builder_set_member_name (builder, "current");
  json_builder_add_boolean_value (builder, review->current);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

/* What the province said, under the status in `show`: the receipt, the
 * decision the report stands on with its comment, then earlier decisions
 * (newest first), each labelled with its revision so that a return that
 * was answered is never read as the current one. */
static void
show_receipt_and_reviews (BcReport          *report,
                          const BcSyncState *state,
                          GPtrArray         *reviews)
{
  g_autoptr(GPtrArray) pads = g_ptr_array_new_with_free_func (g_free);
  const char *comment = bc_report_get_review_comment (report);
  BcStatus status = bc_report_get_status (report);

  if (state != NULL && state->receipt_number != NULL)
    {
      g_autofree char *when = format_time_local (state->received_at);
      /* TRANSLATORS: a receipt number and the date and time it was given */
      g_autofree char *text = g_strdup_printf (_("%s at %s"), state->receipt_number, when);

      out ("%s %s\n", PAD (_("Receipt:"), 14), text);
    }

  for (guint i = 0; i < reviews->len; i++)
    {
      const BcReview *review = g_ptr_array_index (reviews, i);
      g_autofree char *decision = NULL;
      g_autofree char *by = NULL;

      if (!review->current)
        continue;
      decision = review_decision (review);
      by = review_by (review);
      if (review->comment != NULL && *review->comment != '\0')
        {
          out ("%s %s\n", PAD (_("Review:"), 14), decision);
          out ("%s %s %s\n", PAD (_("Reviewer's comment:"), 14), review->comment, by);
        }
      else
        out ("%s %s %s\n", PAD (_("Review:"), 14), decision, by);
    }

  /* A report imported as returned or accepted has its comment but no
   * reviews from a server. */
  if (reviews->len == 0 && comment != NULL && *comment != '\0'
      && status != BC_STATUS_QUEUED && status != BC_STATUS_SENT)
    out ("%s %s\n", PAD (_("Reviewer's comment:"), 14), comment);

  for (guint i = reviews->len; i-- > 0;)
    {
      const BcReview *review = g_ptr_array_index (reviews, i);
      g_autofree char *decision = NULL;
      g_autofree char *by = NULL;

      if (review->current)
        continue;
      decision = review_decision (review);
      by = review_by (review);
      if (review->comment != NULL && *review->comment != '\0')
        out ("%s %s %s: %s\n", PAD (_("Earlier review:"), 14), decision, by, review->comment);
      else
        out ("%s %s %s\n", PAD (_("Earlier review:"), 14), decision, by);
    }
}

/* --- templates, fields --------------------------------------------------- */

static int
cmd_templates (Cli   *cli,
               int    argc,
               char **argv)
{
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL }
  };
  g_autoptr(GPtrArray) latest = NULL;

  if (!parse_options ("templates", "", entries, &argc, &argv))
    return EXIT_USAGE;

  latest = bc_template_registry_list_latest (cli->templates);

  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_array (builder);
      for (guint i = 0; i < latest->len; i++)
        {
          BcTemplate *template_ = g_ptr_array_index (latest, i);
          const BcText *title = bc_template_get_title (template_);

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "id");
          json_builder_add_string_value (builder, bc_template_get_id (template_));
          json_builder_set_member_name (builder, "version");
          json_builder_add_int_value (builder, bc_template_get_version (template_));
          json_builder_set_member_name (builder, "period_type");
          json_builder_add_string_value (builder, bc_period_type_to_string (bc_template_get_period_type (template_)));
          json_builder_set_member_name (builder, "title_vi");
          json_builder_add_string_value (builder, bc_text_get (title, "vi"));
          json_builder_set_member_name (builder, "title_en");
          json_builder_add_string_value (builder, bc_text_get (title, "en"));
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      root = json_builder_get_root (builder);
      print_json (root);
      return 0;
    }

  for (guint i = 0; i < latest->len; i++)
    {
      BcTemplate *template_ = g_ptr_array_index (latest, i);

      /* TRANSLATORS: a template's id, version and title */
      out (_("%-24s version %d  %s\n"),
           bc_template_get_id (template_),
           bc_template_get_version (template_),
           bc_text_get (bc_template_get_title (template_), cli->lang));
    }

  return 0;
}

static void
describe_field (JsonBuilder   *builder,
                const BcField *field,
                const char    *path,
                const char    *lang)
{
  if (builder != NULL)
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "path");
      json_builder_add_string_value (builder, path);
      json_builder_set_member_name (builder, "type");
      json_builder_add_string_value (builder, bc_field_get_type_name (field));
      json_builder_set_member_name (builder, "label_vi");
      json_builder_add_string_value (builder, bc_text_get (&field->label, "vi"));
      json_builder_set_member_name (builder, "label_en");
      json_builder_add_string_value (builder, bc_text_get (&field->label, "en"));
      json_builder_set_member_name (builder, "required");
      json_builder_add_boolean_value (builder, field->required);
      json_builder_set_member_name (builder, "computed");
      json_builder_add_boolean_value (builder, field->compute != NULL);
      if (field->choices != NULL)
        {
          json_builder_set_member_name (builder, "choices");
          json_builder_begin_array (builder);
          for (guint i = 0; i < field->choices->len; i++)
            json_builder_add_string_value (builder, ((BcChoice *) g_ptr_array_index (field->choices, i))->value);
          json_builder_end_array (builder);
        }
      json_builder_end_object (builder);
      return;
    }

  out ("  %-40s %-13s %s%s%s\n",
       path,
       bc_field_get_type_name (field),
       bc_text_get (&field->label, lang),
       field->required ? " *" : "",
       field->compute != NULL ? _(" (computed)") : "");

  if (field->choices != NULL)
    {
      for (guint i = 0; i < field->choices->len; i++)
        {
          const BcChoice *choice = g_ptr_array_index (field->choices, i);

          out ("  %-40s   = %s: %s\n", "", choice->value, bc_text_get (&choice->label, lang));
        }
    }
}

static int
cmd_fields (Cli   *cli,
            int    argc,
            char **argv)
{
  gboolean json = FALSE;
  int version = 0;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { "version", 0, 0, G_OPTION_ARG_INT, &version, N_("A version other than the newest"), N_("N") },
    { NULL }
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  BcTemplate *template_;
  GPtrArray *sections;

  if (!parse_options ("fields", "TEMPLATE_ID", entries, &argc, &argv))
    return EXIT_USAGE;
  if (argc != 2)
    return usage ("fields", "TEMPLATE_ID [--json]");

  template_ = version > 0
    ? bc_template_registry_lookup (cli->templates, argv[1], version, &error)
    : bc_template_registry_lookup_latest (cli->templates, argv[1], &error);
  if (template_ == NULL)
    return fail (error);

  if (json)
    {
      builder = json_builder_new ();
      json_builder_begin_array (builder);
    }

  sections = bc_template_get_sections (template_);
  for (guint s = 0; s < sections->len; s++)
    {
      const BcSection *section = g_ptr_array_index (sections, s);

      if (builder == NULL)
        out ("%s\n", bc_text_get (&section->title, cli->lang));

      for (guint f = 0; f < section->fields->len; f++)
        {
          const BcField *field = g_ptr_array_index (section->fields, f);

          describe_field (builder, field, field->id, cli->lang);

          if (field->type == BC_FIELD_TABLE)
            {
              for (guint c = 0; c < field->columns->len; c++)
                {
                  const BcField *column = g_ptr_array_index (field->columns, c);
                  g_autofree char *path = g_strdup_printf ("%s[N].%s", field->id, column->id);

                  describe_field (builder, column, path, cli->lang);
                }
            }
        }
    }

  if (builder != NULL)
    {
      g_autoptr(JsonNode) root = NULL;

      json_builder_end_array (builder);
      root = json_builder_get_root (builder);
      print_json (root);
    }

  return 0;
}

/* --- new, set, clear, rows ------------------------------------------------ */

static int
cmd_new (Cli   *cli,
         int    argc,
         char **argv)
{
  g_autofree char *period_id = NULL;
  g_autofree char *unit = NULL;
  GOptionEntry entries[] = {
    { "period", 0, 0, G_OPTION_ARG_STRING, &period_id, N_("The period, e.g. 2018Q2 (default: the current one)"), N_("PERIOD") },
    { "unit", 0, 0, G_OPTION_ARG_STRING, &unit, N_("The reporting unit's code (default: the workbook's unit)"), N_("UNIT") },
    { NULL }
  };
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  BcTemplate *template_;

  if (!parse_options ("new", "TEMPLATE_ID", entries, &argc, &argv))
    return EXIT_USAGE;
  if (argc != 2)
    return usage ("new", "TEMPLATE_ID --period 2018Q2 --unit UNIT_CODE");

  template_ = bc_template_registry_lookup_latest (cli->templates, argv[1], &error);
  if (template_ == NULL)
    return fail (error);

  if (unit == NULL)
    unit = bc_workbook_get_setting (cli->workbook, "unit");
  /* Enrolled: the unit it sends for. */
  if (unit == NULL)
    unit = bc_outbox_get_sync_setting (cli->workbook, BC_SYNC_SETTING_UNIT);
  if (unit == NULL)
    {
      err (_("Say which unit the report is for with --unit, e.g. --unit UBND-QNG."));
      return EXIT_USAGE;
    }
  if (!bc_outbox_check_unit (cli->workbook, unit, &error))
    return fail (error);

  if (period_id == NULL)
    {
      BcPeriod period;
      GDate today;

      get_today (&today);
      bc_period_to_report (bc_template_get_period_type (template_), &today, &period);
      period_id = bc_period_to_id (&period);
    }

  id = bc_workbook_create_report (cli->workbook, argv[1], period_id, unit, &error);
  if (id == NULL)
    return fail (error);

  out ("%s\n", id);

  return 0;
}

/* `set` takes its arguments as they are ("-3", "- Như trên;"), but people
 * and scripts write `set ID FIELD -- -1` as with every other command: a
 * first "--" ends the options and is not itself an argument. */
static void
drop_end_of_options (int   *argc,
                     char **argv)
{
  for (int i = 1; i < *argc; i++)
    {
      if (g_str_equal (argv[i], "--"))
        {
          memmove (&argv[i], &argv[i + 1], (*argc - i) * sizeof (char *));
          (*argc)--;
          return;
        }
    }
}

static int
cmd_set (Cli   *cli,
         int    argc,
         char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;

  drop_end_of_options (&argc, argv);
  if (argc != 4)
    return usage ("set", "REPORT_ID FIELD_PATH VALUE");

  id = bc_workbook_resolve_report_id (cli->workbook, argv[1], &error);
  if (id == NULL || !bc_workbook_enter_value (cli->workbook, id, argv[2], argv[3], &error))
    {
      fail (error);
      if (g_error_matches (error, BC_TEMPLATE_ERROR, BC_TEMPLATE_ERROR_NOT_FOUND))
        err (_("`baocao-cli fields TEMPLATE_ID` lists the fields of a form."));
      return EXIT_REFUSED;
    }

  return 0;
}

static int
cmd_clear (Cli   *cli,
           int    argc,
           char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;

  if (argc != 3)
    return usage ("clear", "REPORT_ID FIELD_PATH");

  id = bc_workbook_resolve_report_id (cli->workbook, argv[1], &error);
  if (id == NULL || !bc_workbook_enter_value (cli->workbook, id, argv[2], NULL, &error))
    return fail (error);

  return 0;
}

static const BcField *
lookup_table (BcTemplate  *template_,
              const char  *name,
              GError     **error)
{
  const BcField *table = bc_template_lookup_field (template_, name);

  if (table == NULL || table->type != BC_FIELD_TABLE)
    {
      g_set_error (error, BC_TEMPLATE_ERROR, BC_TEMPLATE_ERROR_NOT_FOUND,
                   _("The form “%s” has no table “%s”. Run `baocao-cli fields %s` to list its fields."),
                   bc_template_get_id (template_), name, bc_template_get_id (template_));
      return NULL;
    }

  return table;
}


/* The report named by argv[1] and its table named by argv[2]. */
static BcReport *
load_report_table (Cli            *cli,
                   const char     *report_id,
                   const char     *table_name,
                   const BcField **table,
                   GError        **error)
{
  g_autoptr(BcReport) report = NULL;
  BcTemplate *template_ = NULL;

  report = load_report (cli, report_id, &template_, error);
  if (report == NULL)
    return NULL;

  *table = lookup_table (template_, table_name, error);
  if (*table == NULL)
    return NULL;

  return g_steal_pointer (&report);
}

static int
cmd_add_row (Cli   *cli,
             int    argc,
             char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcReport) report = NULL;
  g_autoptr(BcReport) after = NULL;
  const BcField *table;
  gint64 row_id;

  if (!parse_options ("add-row", "REPORT_ID TABLE_PATH", NULL, &argc, &argv))
    return EXIT_USAGE;
  if (argc != 3)
    return usage ("add-row", "REPORT_ID TABLE_PATH");

  report = load_report_table (cli, argv[1], argv[2], &table, &error);
  if (report == NULL)
    return fail (error);

  row_id = bc_workbook_add_row (cli->workbook, bc_report_get_id (report), table->id, &error);
  if (row_id == 0)
    return fail (error);

  after = bc_workbook_load_report (cli->workbook, bc_report_get_id (report), &error);
  if (after == NULL)
    return fail (error);

  out ("%d\n", bc_report_find_row (after, table->id, row_id) + 1);

  return 0;
}

static int
cmd_remove_row (Cli   *cli,
                int    argc,
                char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcReport) report = NULL;
  const BcField *table;
  gint64 row_id;

  if (!parse_options ("remove-row", "REPORT_ID TABLE_PATH ROW", NULL, &argc, &argv))
    return EXIT_USAGE;
  if (argc != 4)
    return usage ("remove-row", "REPORT_ID TABLE_PATH ROW");

  report = load_report_table (cli, argv[1], argv[2], &table, &error);
  if (report == NULL)
    return fail (error);

  row_id = bc_report_row_at (report, table->id, argv[3], NULL, &error);
  if (row_id == 0 ||
      !bc_workbook_remove_row (cli->workbook, bc_report_get_id (report), table->id, row_id, &error))
    return fail (error);

  return 0;
}

static int
cmd_move_row (Cli   *cli,
              int    argc,
              char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcReport) report = NULL;
  const BcField *table;
  guint64 to = 0;
  gint64 row_id;

  if (!parse_options ("move-row", "REPORT_ID TABLE_PATH ROW NEW_ROW", NULL, &argc, &argv))
    return EXIT_USAGE;
  if (argc != 5)
    return usage ("move-row", "REPORT_ID TABLE_PATH ROW NEW_ROW");

  report = load_report_table (cli, argv[1], argv[2], &table, &error);
  if (report == NULL)
    return fail (error);

  row_id = bc_report_row_at (report, table->id, argv[3], NULL, &error);
  if (row_id == 0)
    return fail (error);

  if (!g_ascii_string_to_unsigned (argv[4], 10, 1, bc_report_get_n_rows (report, table->id), &to, NULL))
    {
      err (_("The new row must be a number from 1 to %u."), bc_report_get_n_rows (report, table->id));
      return EXIT_USAGE;
    }

  if (!bc_workbook_move_row (cli->workbook, bc_report_get_id (report), table->id, row_id,
                             (guint) to - 1, &error))
    return fail (error);

  return 0;
}

/* --- show, validate -------------------------------------------------------- */

static void
show_value_line (Cli           *cli,
                 BcTemplate    *template_,
                 BcReport      *report,
                 BcReport      *previous,
                 const BcField *field,
                 guint          row,
                 const char    *indent)
{
  g_autofree char *text = NULL;
  g_autofree char *target = NULL;
  const BcTarget *plan_target;

  if (field->compute != NULL)
    {
      g_auto(BcValue) value = BC_VALUE_INIT;
      g_autoptr(GError) error = NULL;

      if (bc_report_field_value (template_, report, previous, field, row, &value, &error))
        {
          g_autofree char *stored = bc_field_value_to_canonical (field, &value);

          text = bc_field_format_value (field, stored, cli->lang);
        }
      else
        text = g_strdup_printf ("(%s)", error->message);
    }
  else
    {
      g_autofree char *key = bc_field_dup_key (field);
      gint64 row_id = field->table != NULL ? bc_report_get_row_id (report, field->table->id, row) : 0;

      text = bc_field_format_value (field, bc_report_get_value (report, key, row_id), cli->lang);
    }

  /* Only the target of the plan in force for this report's unit and period. */
  plan_target = bc_template_registry_lookup_target (cli->templates, template_, field,
                                                    bc_report_get_period_id (report),
                                                    bc_report_get_unit (report));
  if (plan_target != NULL)
    {
      const char *op = plan_target->op == BC_TARGET_AT_LEAST ? "≥"
                     : plan_target->op == BC_TARGET_AT_MOST ? "≤" : "=";

      /* TRANSLATORS: a target beside an indicator: "(target ≥ 90, Plan 61)" */
      target = g_strdup_printf (_("  (target %s %g, %s)"), op, plan_target->value,
                                bc_text_get (&plan_target->source, cli->lang));
    }

  /* Long texts keep their lines under the label. */
  if (text != NULL && strchr (text, '\n') != NULL)
    {
      g_autofree char *continuation = g_strconcat ("\n", indent, "  ", NULL);
      g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

      g_free (text);
      text = g_strjoinv (continuation, lines);
    }

  out ("%s%s: %s%s%s\n", indent, bc_text_get (&field->label, cli->lang),
       text != NULL && *text != '\0' ? text : "—",
       field->compute != NULL ? _(" (computed)") : "",
       target != NULL ? target : "");
}

static void
show_table (Cli           *cli,
            BcTemplate    *template_,
            BcReport      *report,
            BcReport      *previous,
            const BcField *table)
{
  guint n_rows = bc_report_get_n_rows (report, table->id);
  g_autoptr(GPtrArray) groups = NULL;

  out ("  %s:%s\n", bc_text_get (&table->label, cli->lang), n_rows == 0 ? _(" (no rows)") : "");

  for (guint row = 0; row < n_rows; row++)
    {
      out ("    [%u]\n", row + 1);
      for (guint c = 0; c < table->columns->len; c++)
        {
          const BcField *column = g_ptr_array_index (table->columns, c);

          if (bc_report_field_visible (template_, report, previous, column, row))
            show_value_line (cli, template_, report, previous, column, row, "      ");
        }
    }

  groups = bc_report_group_summaries (template_, report, previous, table, NULL);
  for (guint g = 0; groups != NULL && g < groups->len; g++)
    {
      const BcGroupSummary *summary = g_ptr_array_index (groups, g);

      out ("    %s\n", summary->group != NULL ? summary->group : _("Overall"));
      for (guint v = 0; v < summary->n_values; v++)
        {
          const BcField *field = g_ptr_array_index (table->group_summaries, v);
          g_autofree char *stored = bc_field_value_to_canonical (field, &summary->values[v]);
          g_autofree char *text = bc_field_format_value (field, stored, cli->lang);

          out ("      %s: %s\n", bc_text_get (&field->label, cli->lang), *text != '\0' ? text : "—");
        }
    }
}

/* "2" for the path "findings[2].status", or NULL for a scalar field. */
static char *
row_of_path (const char *path)
{
  const char *open = strchr (path, '[');
  const char *close = open != NULL ? strchr (open, ']') : NULL;

  if (open == NULL || close == NULL)
    return NULL;

  return g_strndup (open + 1, close - open - 1);
}

static void
print_issues (GPtrArray  *issues,
              const char *report_id)
{
  g_autofree char *short_id = g_strndup (report_id, 8);

  guint n_errors = 0;
  guint n_warnings = 0;
  guint n_justified = 0;

  for (guint i = 0; i < issues->len; i++)
    {
      const BcIssue *issue = g_ptr_array_index (issues, i);

      if (issue->severity == BC_SEVERITY_ERROR)
        {
          n_errors++;
          out ("%s  %s: %s\n", _("error  "), issue->path, issue->message);
        }
      else
        {
          g_autofree char *row = row_of_path (issue->path);
          g_autofree char *row_option = row != NULL ? g_strdup_printf (" --row %s", row) : g_strdup ("");

          n_warnings++;
          /* The rule's id is what `justify` takes. */
          out ("%s  %s: %s [%s]\n", _("warning"), issue->path, issue->message, issue->rule_id);
          if (issue->justification != NULL)
            {
              n_justified++;
              out ("           %s %s\n", _("justified:"), issue->justification);
            }
          else
            {
              g_autofree char *command = g_strdup_printf ("baocao-cli justify %s %s%s \"…\"",
                                                          short_id, issue->rule_id, row_option);

              /* The command line to copy follows on the next line. */
              out ("           %s\n", _("needs a written justification:"));
              out ("             %s\n", command);
            }
        }
    }

  if (issues->len == 0)
    out ("%s\n", _("No errors or warnings."));
  else
    {
      g_autofree char *errors = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u error", "%u errors", n_errors), n_errors);
      g_autofree char *warnings = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u warning", "%u warnings", n_warnings), n_warnings);

      /* TRANSLATORS: "2 errors, 1 warning (1 justified)" */
      out (_("%s, %s (%u justified)\n"), errors, warnings, n_justified);
    }
}

static int
cmd_show (Cli   *cli,
          int    argc,
          char **argv)
{
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL }
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(BcReport) report = NULL;
  g_autoptr(BcReport) previous = NULL;
  g_autoptr(BcSyncState) state = NULL;
  g_autoptr(GPtrArray) reviews = NULL;
  g_autoptr(GPtrArray) issues = NULL;
  g_autofree char *period_label = NULL;
  g_autoptr(GPtrArray) pads = g_ptr_array_new_with_free_func (g_free);
  BcTemplate *template_ = NULL;
  GPtrArray *sections;
  gboolean known = FALSE;
  BcTimeliness timeliness;
  BcPeriod period;

  if (!parse_options ("show", "REPORT_ID", entries, &argc, &argv))
    return EXIT_USAGE;
  if (argc != 2)
    return usage ("show", "REPORT_ID [--json]");

  report = load_report (cli, argv[1], &template_, &error);
  if (report == NULL)
    return fail (error);

  previous = bc_workbook_load_previous (cli->workbook, report, &error);
  if (previous == NULL && error != NULL)
    return fail (error);

  state = bc_outbox_get_state (cli->workbook, bc_report_get_id (report), &error);
  if (state == NULL && error != NULL)
    return fail (error);
  reviews = bc_outbox_list_reviews (cli->workbook, bc_report_get_id (report), 0, &error);
  if (reviews == NULL)
    return fail (error);

  if (json)
    {
      g_autoptr(JsonNode) root = bc_report_to_json (template_, report, previous, TRUE, cli->lang);
      JsonObject *object = json_node_get_object (root);

      /* Members of `show` only: the entry format (export, import) does
       * not carry what the server said. */
      json_object_set_member (object, "receipt", receipt_to_json (state));
      json_object_set_member (object, "review",
                              review_to_json (reviews->len > 0
                                              ? g_ptr_array_index (reviews, reviews->len - 1)
                                              : NULL, FALSE));
      print_json (root);
      return 0;
    }

  if (bc_period_parse (bc_report_get_period_id (report), &period, NULL))
    period_label = bc_period_label (&period, cli->lang);
  timeliness = report_timeliness (cli, bc_report_get_period_id (report), bc_report_get_unit (report),
                                  bc_report_get_submitted_at (report), &known);

  out ("%s\n", bc_text_get (bc_template_get_title (template_), cli->lang));
  out ("%s %s\n", PAD (_("Report:"), 14), bc_report_get_id (report));
  out ("%s %s (%s)\n", PAD (_("Period:"), 14), period_label != NULL ? period_label : "",
       bc_report_get_period_id (report));
  out ("%s %s\n", PAD (_("Unit:"), 14), bc_report_get_unit (report));
  out ("%s %s%s%s\n", PAD (_("Status:"), 14), bc_status_label (bc_report_get_status (report)),
       known ? " · " : "", known ? bc_timeliness_label (timeliness) : "");
  {
    BcPlan *plan = bc_template_registry_lookup_plan (cli->templates, bc_report_get_period_id (report),
                                                     bc_report_get_unit (report));
    GDate due;
    g_autofree char *due_text = NULL;

    bc_template_registry_due_date (cli->templates, bc_report_get_period_id (report),
                                   bc_report_get_unit (report), &due);
    due_text = bc_plan_format_due_date (&due);
    if (plan != NULL && g_date_valid (&due))
      out ("%s %s (%s)\n", PAD (_("Due:"), 14), due_text, bc_text_get (bc_plan_get_name (plan), cli->lang));
    else
      out ("%s %s\n", PAD (_("Due:"), 14), due_text);
  }
  show_receipt_and_reviews (report, state, reviews);
  out ("%s %d · %s %" G_GINT64_FORMAT "\n", PAD (_("Template:"), 14),
       bc_report_get_template_version (report), _("revision"), bc_report_get_revision (report));
  out ("\n");

  sections = bc_template_get_sections (template_);
  for (guint s = 0; s < sections->len; s++)
    {
      const BcSection *section = g_ptr_array_index (sections, s);
      gboolean shown_title = FALSE;

      for (guint f = 0; f < section->fields->len; f++)
        {
          const BcField *field = g_ptr_array_index (section->fields, f);

          if (!bc_report_field_visible (template_, report, previous, field, 0))
            continue;

          if (!shown_title)
            {
              out ("%s\n", bc_text_get (&section->title, cli->lang));
              shown_title = TRUE;
            }

          if (field->type == BC_FIELD_TABLE)
            show_table (cli, template_, report, previous, field);
          else
            show_value_line (cli, template_, report, previous, field, 0, "  ");
        }

      if (shown_title)
        out ("\n");
    }

  issues = bc_validate_report (template_, report, previous, cli->lang);
  print_issues (issues, bc_report_get_id (report));

  return 0;
}

static int
cmd_validate (Cli   *cli,
              int    argc,
              char **argv)
{
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL }
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(BcReport) report = NULL;
  g_autoptr(BcReport) previous = NULL;
  g_autoptr(GPtrArray) issues = NULL;
  BcTemplate *template_ = NULL;
  gboolean has_errors = FALSE;

  if (!parse_options ("validate", "REPORT_ID", entries, &argc, &argv))
    return EXIT_USAGE;
  if (argc != 2)
    return usage ("validate", "REPORT_ID [--json]");

  report = load_report (cli, argv[1], &template_, &error);
  if (report == NULL)
    return fail (error);

  previous = bc_workbook_load_previous (cli->workbook, report, &error);
  if (previous == NULL && error != NULL)
    return fail (error);

  issues = bc_validate_report (template_, report, previous, cli->lang);
  for (guint i = 0; i < issues->len; i++)
    has_errors |= ((BcIssue *) g_ptr_array_index (issues, i))->severity == BC_SEVERITY_ERROR;

  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "report");
      json_builder_add_string_value (builder, bc_report_get_id (report));
      json_builder_set_member_name (builder, "valid");
      json_builder_add_boolean_value (builder, !has_errors);
      json_builder_set_member_name (builder, "issues");
      json_builder_add_value (builder, bc_issues_to_json (issues));
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      print_json (root);
    }
  else
    print_issues (issues, bc_report_get_id (report));

  return has_errors ? EXIT_REFUSED : 0;
}

/* --- justify, status -------------------------------------------------------- */

static int
cmd_justify (Cli   *cli,
             int    argc,
             char **argv)
{
  g_autofree char *row_text = NULL;
  GOptionEntry entries[] = {
    { "row", 0, 0, G_OPTION_ARG_STRING, &row_text, N_("The row, for a warning on a table's row"), N_("ROW") },
    { NULL }
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(BcReport) report = NULL;
  BcTemplate *template_ = NULL;
  const BcRule *rule;
  gint64 row_id = 0;

  if (!parse_options_full ("justify", "REPORT_ID RULE_ID TEXT", entries, FALSE, &argc, &argv))
    return EXIT_USAGE;
  if (argc != 4)
    return usage ("justify", "REPORT_ID RULE_ID [--row N] TEXT");

  report = load_report (cli, argv[1], &template_, &error);
  if (report == NULL)
    return fail (error);

  rule = bc_template_lookup_rule (template_, argv[2]);
  if (rule == NULL)
    {
      err (_("The form has no check “%s”. `baocao-cli validate` names the checks that need a justification."),
           argv[2]);
      return EXIT_REFUSED;
    }

  if (rule->severity != BC_SEVERITY_WARNING)
    {
      err (_("“%s” is an error, not a warning: it cannot be justified, only fixed."), rule->id);
      return EXIT_REFUSED;
    }

  if (rule->table != NULL)
    {
      if (row_text == NULL)
        {
          err (_("The check “%s” applies to each row of “%s”: say which with --row N."),
               rule->id, rule->table);
          return EXIT_USAGE;
        }

      row_id = bc_report_row_at (report, rule->table, row_text, NULL, &error);
      if (row_id == 0)
        return fail (error);
    }

  if (!bc_workbook_set_justification (cli->workbook, bc_report_get_id (report), rule->id, row_id,
                                      *argv[3] != '\0' ? argv[3] : NULL, &error))
    return fail (error);

  return 0;
}

static int
change_status (Cli        *cli,
               const char *command,
               int         argc,
               char      **argv,
               BcStatus    status)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;

  if (!parse_options (command, "REPORT_ID", NULL, &argc, &argv))
    return EXIT_USAGE;
  if (argc != 2)
    return usage (command, "REPORT_ID");

  id = bc_workbook_resolve_report_id (cli->workbook, argv[1], &error);
  if (id == NULL || !bc_workbook_set_status (cli->workbook, id, status, NULL, &error))
    return fail (error);

  out (_("%s is now: %s\n"), id, bc_status_label (status));

  return 0;
}

static int
cmd_ready (Cli   *cli,
           int    argc,
           char **argv)
{
  return change_status (cli, "ready", argc, argv, BC_STATUS_READY);
}

static int
cmd_draft (Cli   *cli,
           int    argc,
           char **argv)
{
  return change_status (cli, "draft", argc, argv, BC_STATUS_DRAFT);
}

static int
cmd_delete (Cli   *cli,
            int    argc,
            char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;

  if (!parse_options ("delete", "REPORT_ID", NULL, &argc, &argv))
    return EXIT_USAGE;
  if (argc != 2)
    return usage ("delete", "REPORT_ID");

  id = bc_workbook_resolve_report_id (cli->workbook, argv[1], &error);
  if (id == NULL || !bc_workbook_delete_report (cli->workbook, id, &error))
    return fail (error);

  out (_("Deleted the draft %s.\n"), id);
  return EXIT_SUCCESS;
}

static int
cmd_purge_history (Cli   *cli,
                   int    argc,
                   char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;

  if (!parse_options ("purge-history", "REPORT_ID", NULL, &argc, &argv))
    return EXIT_USAGE;
  if (argc != 2)
    return usage ("purge-history", "REPORT_ID");

  id = bc_workbook_resolve_report_id (cli->workbook, argv[1], &error);
  if (id == NULL || !bc_workbook_purge_history (cli->workbook, id, &error))
    return fail (error);

  out (_("Forgot every recorded change of %s; its values stay as they are.\n"), id);
  return EXIT_SUCCESS;
}

/* One line per stored value under `key`: "  obsolete: bỏ đi", a cell with
 * its row ("  items.label (row 2): Việc hai"). */
typedef struct {
  const char *key;
  BcReport   *report;
} LostValues;

static void
print_lost_value (const char *key,
                  gint64      row_id,
                  const char *value,
                  gpointer    user_data)
{
  LostValues *lost = user_data;

  if (!g_str_equal (key, lost->key))
    return;

  if (row_id == 0)
    fprintf (stderr, "  %s: %s\n", key, value);
  else
    {
      const char *dot = strchr (key, '.');
      g_autofree char *table = dot != NULL ? g_strndup (key, dot - key) : g_strdup (key);
      int index = bc_report_find_row (lost->report, table, row_id);
      g_autofree char *row = g_strdup_printf ("%d", index + 1);

      /* TRANSLATORS: a value that would be lost: the cell's key, its row number, its value */
      fprintf (stderr, _("  %s (row %s): %s\n"), key, row, value);
    }
}

static void
print_lost_values (BcReport   *report,
                   const char *key)
{
  LostValues lost = { key, report };

  bc_report_foreach_value (report, print_lost_value, &lost);
}

static int
cmd_carry_over (Cli   *cli,
                int    argc,
                char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcReport) report = NULL;
  g_autofree char *id = NULL;
  g_auto(GStrv) drop = NULL;
  g_auto(GStrv) losses = NULL;
  GOptionEntry entries[] = {
    { "drop", 0, 0, G_OPTION_ARG_STRING_ARRAY, &drop,
      N_("Let the value of this field go, when the newest version has no place for it (may be repeated)"),
      N_("FIELD") },
    { NULL }
  };
  guint n_refused = 0;

  if (!parse_options ("carry-over", "REPORT_ID [--drop FIELD]…", entries, &argc, &argv))
    return EXIT_USAGE;
  if (argc != 2)
    return usage ("carry-over", "REPORT_ID [--drop FIELD]…");

  id = bc_workbook_resolve_report_id (cli->workbook, argv[1], &error);
  if (id == NULL)
    return fail (error);

  /* Name every value that would be lost, with what it holds, before
   * anything changes: the person decides, field by field. */
  losses = bc_workbook_carry_over_losses (cli->workbook, id, &error);
  if (losses == NULL)
    return fail (error);
  report = bc_workbook_load_report (cli->workbook, id, &error);
  if (report == NULL)
    return fail (error);
  for (guint i = 0; losses[i] != NULL; i++)
    {
      if (drop != NULL && g_strv_contains ((const char * const *) drop, losses[i]))
        continue;
      if (n_refused++ == 0)
        err (_("The newest version of the form has no place for these values; carrying the report over would lose them:"));
      print_lost_values (report, losses[i]);
    }
  if (n_refused > 0)
    {
      err (_("Nothing was changed. Copy them elsewhere first, or run carry-over again with --drop FIELD for each value that may go."));
      return EXIT_REFUSED;
    }
  g_clear_object (&report);

  if (!bc_workbook_carry_over_dropping (cli->workbook, id, (const char * const *) drop, &error))
    return fail (error);

  report = bc_workbook_load_report (cli->workbook, id, &error);
  if (report == NULL)
    return fail (error);

  out (_("%s is on version %d of “%s”.\n"), id,
       bc_report_get_template_version (report), bc_report_get_template_id (report));

  return 0;
}

/* --- list, history ------------------------------------------------------------ */

static int
cmd_list (Cli   *cli,
          int    argc,
          char **argv)
{
  gboolean json = FALSE;
  g_autofree char *period = NULL;
  g_autofree char *status_name = NULL;
  g_autofree char *unit = NULL;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { "period", 0, 0, G_OPTION_ARG_STRING, &period, N_("Only this period"), N_("PERIOD") },
    { "status", 0, 0, G_OPTION_ARG_STRING, &status_name, N_("Only reports in this status"), N_("STATUS") },
    { "unit", 0, 0, G_OPTION_ARG_STRING, &unit, N_("Only this unit"), N_("UNIT") },
    { NULL }
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) reports = NULL;
  g_autoptr(GHashTable) states = NULL;
  g_autoptr(GPtrArray) reviews = NULL;
  g_autoptr(GHashTable) last_reviews = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  BcStatus status = BC_STATUS_DRAFT;

  if (!parse_options ("list", "", entries, &argc, &argv))
    return EXIT_USAGE;
  if (argc != 1)
    return usage ("list", "[--json] [--period P] [--status S] [--unit U]");

  if (status_name != NULL && !bc_status_from_string (status_name, &status))
    {
      err (_("Unknown status “%s”. Use draft, ready, queued, sent, accepted or returned."), status_name);
      return EXIT_USAGE;
    }

  if (period != NULL)
    {
      BcPeriod parsed;

      if (!bc_period_parse (period, &parsed, &error))
        return fail (error);
      g_free (period);
      period = bc_period_to_id (&parsed);
    }

  /* Compare units the way the workbook stores them (NFC, trimmed). */
  if (unit != NULL)
    {
      char *normalized = bc_workbook_normalize_unit (unit, &error);

      if (normalized == NULL)
        return fail (error);
      g_free (unit);
      unit = normalized;
    }

  reports = bc_workbook_list_reports (cli->workbook, &error);
  if (reports == NULL)
    return fail (error);

  if (json)
    {
      /* Each report's newest receipt and newest review, read at once. */
      states = bc_outbox_list_states (cli->workbook, &error);
      if (states == NULL)
        return fail (error);
      reviews = bc_outbox_list_reviews (cli->workbook, NULL, 0, &error);
      if (reviews == NULL)
        return fail (error);
      last_reviews = g_hash_table_new (g_str_hash, g_str_equal);
      for (guint i = 0; i < reviews->len; i++)
        {
          BcReview *review = g_ptr_array_index (reviews, i);

          g_hash_table_replace (last_reviews, review->report_id, review);
        }

      builder = json_builder_new ();
      json_builder_begin_array (builder);
    }

  for (guint i = 0; i < reports->len; i++)
    {
      const BcReportSummary *summary = g_ptr_array_index (reports, i);
      gboolean known = FALSE;
      BcTimeliness timeliness;

      if ((period != NULL && g_strcmp0 (period, summary->period_id) != 0) ||
          (status_name != NULL && summary->status != status) ||
          (unit != NULL && g_strcmp0 (unit, summary->unit) != 0))
        continue;

      timeliness = report_timeliness (cli, summary->period_id, summary->unit, summary->submitted_at, &known);

      if (builder != NULL)
        {
          g_autofree char *updated = NULL;

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "id");
          json_builder_add_string_value (builder, summary->id);
          json_builder_set_member_name (builder, "template");
          json_builder_add_string_value (builder, summary->template_id);
          json_builder_set_member_name (builder, "template_version");
          json_builder_add_int_value (builder, summary->template_version);
          json_builder_set_member_name (builder, "period");
          json_builder_add_string_value (builder, summary->period_id);
          json_builder_set_member_name (builder, "unit");
          json_builder_add_string_value (builder, summary->unit);
          json_builder_set_member_name (builder, "status");
          json_builder_add_string_value (builder, bc_status_to_string (summary->status));
          json_builder_set_member_name (builder, "timeliness");
          json_builder_add_string_value (builder, known ? bc_timeliness_to_string (timeliness) : "unknown");
          json_builder_set_member_name (builder, "revision");
          json_builder_add_int_value (builder, summary->revision);
          json_builder_set_member_name (builder, "receipt");
          json_builder_add_value (builder,
                                  receipt_to_json (g_hash_table_lookup (states, summary->id)));
          json_builder_set_member_name (builder, "review");
          json_builder_add_value (builder,
                                  review_to_json (g_hash_table_lookup (last_reviews, summary->id),
                                                  FALSE));
          json_builder_end_object (builder);
        }
      else
        {
          g_autofree char *short_id = g_strndup (summary->id, 8);
          g_autoptr(GPtrArray) pads = g_ptr_array_new_with_free_func (g_free);

          out ("%s  %s  %s  %s  %s  %s\n",
               short_id, PAD (summary->period_id, 7), PAD (summary->unit, 14),
               PAD (summary->template_id, 24), PAD (bc_status_label (summary->status), 16),
               known ? bc_timeliness_label (timeliness) : "");
        }
    }

  if (builder != NULL)
    {
      g_autoptr(JsonNode) root = NULL;

      json_builder_end_array (builder);
      root = json_builder_get_root (builder);
      print_json (root);
    }

  return 0;
}

static char *
history_path (BcReport      *report,
              BcTemplate    *template_,
              const BcEdit  *edit)
{
  const char *dot = strchr (edit->key, '.');
  const char *rule_id = bc_edit_get_justification_rule (edit);
  g_autofree char *table = NULL;
  int index;

  /* A warning's justification, named as `justify` takes it: the rule, and
   * the row of a per-row rule (its place now, as the wire has it). */
  if (rule_id != NULL)
    {
      const BcRule *rule = template_ != NULL ? bc_template_lookup_rule (template_, rule_id) : NULL;

      if (edit->row_id == 0)
        return g_strdup_printf ("justification:%s", rule_id);
      index = rule != NULL && rule->table != NULL ? bc_report_find_row (report, rule->table, edit->row_id) : -1;
      if (index < 0)
        /* TRANSLATORS: the justification of a warning on a row that has since been removed */
        return g_strdup_printf (_("justification:%s@removed"), rule_id);
      return g_strdup_printf ("justification:%s@%d", rule_id, index + 1);
    }

  if (dot == NULL || edit->row_id == 0)
    return g_strdup (edit->key);

  table = g_strndup (edit->key, dot - edit->key);
  index = bc_report_find_row (report, table, edit->row_id);
  if (index < 0)
    /* TRANSLATORS: a cell of a row that has since been removed */
    return g_strdup_printf (_("%s[removed].%s"), table, dot + 1);

  return g_strdup_printf ("%s[%d].%s", table, index + 1, dot + 1);
}

static int
cmd_history (Cli   *cli,
             int    argc,
             char **argv)
{
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL }
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(BcReport) report = NULL;
  g_autoptr(GPtrArray) edits = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  BcTemplate *template_ = NULL;

  if (!parse_options ("history", "REPORT_ID", entries, &argc, &argv))
    return EXIT_USAGE;
  if (argc != 2)
    return usage ("history", "REPORT_ID [--json]");

  report = load_report (cli, argv[1], NULL, &error);
  if (report == NULL)
    return fail (error);
  /* For the rows of justifications; the history is shown without it too. */
  template_ = bc_workbook_get_report_template (cli->workbook, report, NULL);

  edits = bc_workbook_get_history (cli->workbook, bc_report_get_id (report), &error);
  if (edits == NULL)
    return fail (error);

  if (json)
    {
      builder = json_builder_new ();
      json_builder_begin_array (builder);
    }

  for (guint i = 0; i < edits->len; i++)
    {
      const BcEdit *edit = g_ptr_array_index (edits, i);
      g_autofree char *path = history_path (report, template_, edit);
      g_autofree char *when = format_time_local (edit->at);

      if (builder != NULL)
        {
          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "path");
          json_builder_add_string_value (builder, path);
          json_builder_set_member_name (builder, "key");
          json_builder_add_string_value (builder, edit->key);
          json_builder_set_member_name (builder, "row_id");
          json_builder_add_int_value (builder, edit->row_id);
          json_builder_set_member_name (builder, "old");
          if (edit->old_value != NULL)
            json_builder_add_string_value (builder, edit->old_value);
          else
            json_builder_add_null_value (builder);
          json_builder_set_member_name (builder, "new");
          if (edit->new_value != NULL)
            json_builder_add_string_value (builder, edit->new_value);
          else
            json_builder_add_null_value (builder);
          json_builder_set_member_name (builder, "at_usec");
          json_builder_add_int_value (builder, edit->at);
          json_builder_set_member_name (builder, "revision");
          json_builder_add_int_value (builder, edit->revision);
          json_builder_end_object (builder);
        }
      else
        out ("%s  r%-5" G_GINT64_FORMAT " %s: %s → %s\n", when, edit->revision, path,
             edit->old_value != NULL ? edit->old_value : "—",
             edit->new_value != NULL ? edit->new_value : "—");
    }

  if (builder != NULL)
    {
      g_autoptr(JsonNode) root = NULL;

      json_builder_end_array (builder);
      root = json_builder_get_root (builder);
      print_json (root);
    }

  return 0;
}

/* --- changes since sent --------------------------------------------------------- */

static const char *
change_kind_name (BcChangeKind kind)
{
  switch (kind)
    {
    case BC_CHANGE_ROW_ADDED:   return "row_added";
    case BC_CHANGE_ROW_REMOVED: return "row_removed";
    case BC_CHANGE_JUSTIFICATION: return "justification";
    case BC_CHANGE_VALUE:
    default:                    return "value";
    }
}

static void
add_nullable_string (JsonBuilder *builder,
                     const char  *name,
                     const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static int
cmd_changes (Cli   *cli,
             int    argc,
             char **argv)
{
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL }
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(BcReport) report = NULL;
  g_autoptr(GPtrArray) changes = NULL;
  BcTemplate *template_ = NULL;
  gint64 sent_revision = 0;

  if (!parse_options ("changes", "REPORT_ID", entries, &argc, &argv))
    return EXIT_USAGE;
  if (argc != 2)
    return usage ("changes", "REPORT_ID [--json]");

  report = load_report (cli, argv[1], &template_, &error);
  if (report == NULL)
    return fail (error);
  changes = bc_changes_since_sent (cli->workbook, bc_report_get_id (report), &sent_revision, &error);
  if (changes == NULL)
    return fail (error);

  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "sent_revision");
      json_builder_add_int_value (builder, sent_revision);
      json_builder_set_member_name (builder, "revision");
      json_builder_add_int_value (builder, bc_report_get_revision (report));
      json_builder_set_member_name (builder, "changes");
      json_builder_begin_array (builder);
      for (guint i = 0; i < changes->len; i++)
        {
          const BcChange *change = g_ptr_array_index (changes, i);
          g_autofree char *label = bc_change_dup_label (change, template_, cli->lang);
          g_autofree char *old_text = bc_change_dup_old_text (change, template_, cli->lang);
          g_autofree char *new_text = bc_change_dup_new_text (change, template_, cli->lang);

          json_builder_begin_object (builder);
          add_nullable_string (builder, "kind", change_kind_name (change->kind));
          add_nullable_string (builder, "path", change->path);
          add_nullable_string (builder, "key", change->key);
          add_nullable_string (builder, "table", change->table);
          add_nullable_string (builder, "column", change->column);
          json_builder_set_member_name (builder, "row_id");
          json_builder_add_int_value (builder, change->row_id);
          json_builder_set_member_name (builder, "old_row");
          json_builder_add_int_value (builder, change->old_row);
          json_builder_set_member_name (builder, "new_row");
          json_builder_add_int_value (builder, change->new_row);
          add_nullable_string (builder, "old", change->old_value);
          add_nullable_string (builder, "new", change->new_value);
          add_nullable_string (builder, "label", label);
          add_nullable_string (builder, "old_text", old_text);
          add_nullable_string (builder, "new_text", new_text);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      print_json (root);
      return 0;
    }

  if (sent_revision == 0)
    {
      out ("%s\n", _("This report has not been received by the province yet: there is nothing to compare with."));
      return 0;
    }
  {
    g_autofree char *revision = g_strdup_printf ("%" G_GINT64_FORMAT, sent_revision);

    if (changes->len == 0)
      {
        /* TRANSLATORS: %s is a revision number */
        out (_("Nothing changed since revision %s was sent.\n"), revision);
        return 0;
      }
    /* TRANSLATORS: %s is a revision number */
    out (_("Changed since revision %s was sent:\n"), revision);
  }
  for (guint i = 0; i < changes->len; i++)
    {
      const BcChange *change = g_ptr_array_index (changes, i);
      g_autofree char *label = bc_change_dup_label (change, template_, cli->lang);
      g_autofree char *old_text = bc_change_dup_old_text (change, template_, cli->lang);
      g_autofree char *new_text = bc_change_dup_new_text (change, template_, cli->lang);

      switch (change->kind)
        {
        case BC_CHANGE_ROW_ADDED:
          /* TRANSLATORS: a table row added since sending; %s are where and its cells */
          out (_("  %s (added): %s\n"), label, new_text);
          break;
        case BC_CHANGE_ROW_REMOVED:
          /* TRANSLATORS: a table row removed since sending; %s are where and its cells */
          out (_("  %s (removed): %s\n"), label, old_text);
          break;
        case BC_CHANGE_VALUE:
        default:
          out ("  %s: %s → %s\n", label, old_text, new_text);
          break;
        }
    }

  return 0;
}

/* --- calendar ----------------------------------------------------------------- */

static void
add_date_member (JsonBuilder *builder,
                 const char  *name,
                 const GDate *date)
{
  char iso[16];

  json_builder_set_member_name (builder, name);
  if (date == NULL || !g_date_valid (date))
    {
      json_builder_add_null_value (builder);
      return;
    }
  g_date_strftime (iso, sizeof iso, "%Y-%m-%d", date);
  json_builder_add_string_value (builder, iso);
}

/* A period's data window and due date come from the plan in force for it
 * (and `unit`, when one is known): none without one. */
static void
print_period (Cli            *cli,
              JsonBuilder    *builder,
              const BcPeriod *period,
              const char     *unit,
              const GDate    *today)
{
  const char *lang = cli->lang;
  g_autofree char *id = bc_period_to_id (period);
  g_autofree char *label = bc_period_label (period, lang);
  BcPlan *plan = NULL;
  BcTimeliness timeliness;
  GDate start, end, due;
  gboolean has_window = FALSE;

  g_date_clear (&start, 1);
  g_date_clear (&end, 1);
  g_date_clear (&due, 1);
  if (unit != NULL)
    plan = bc_template_registry_lookup_plan (cli->templates, id, unit);
  else
    {
      /* No unit: the newest plan in force for the period, whoever it is for. */
      GPtrArray *plans = bc_template_registry_get_plans (cli->templates);

      for (guint i = 0; i < plans->len; i++)
        {
          BcPlan *candidate = g_ptr_array_index (plans, i);
          BcTarget span = { 0 };

          span.from = (char *) bc_plan_get_from (candidate);
          span.to = (char *) bc_plan_get_to (candidate);
          if (bc_target_in_force (&span, id))
            plan = candidate;
        }
    }
  if (plan != NULL)
    {
      has_window = bc_plan_window (plan, period, &start, &end);
      bc_plan_due_date (plan, period, &due);
    }
  timeliness = bc_timeliness_for_due (&due, today, NULL);

  if (builder != NULL)
    {
      g_autofree char *vi = bc_period_label (period, "vi");
      g_autofree char *en = bc_period_label (period, "en");

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_string_value (builder, id);
      json_builder_set_member_name (builder, "label_vi");
      json_builder_add_string_value (builder, vi);
      json_builder_set_member_name (builder, "label_en");
      json_builder_add_string_value (builder, en);
      json_builder_set_member_name (builder, "plan");
      if (plan != NULL)
        json_builder_add_string_value (builder, bc_plan_get_id (plan));
      else
        json_builder_add_null_value (builder);
      add_date_member (builder, "window_start", has_window ? &start : NULL);
      add_date_member (builder, "window_end", has_window ? &end : NULL);
      add_date_member (builder, "due", &due);
      json_builder_set_member_name (builder, "timeliness");
      json_builder_add_string_value (builder, bc_timeliness_to_string (timeliness));
      json_builder_end_object (builder);
      return;
    }

  if (plan == NULL)
    {
      /* TRANSLATORS: period id, label; no plan sets its calendar */
      out (_("%-7s %-16s no plan in force: no data window or due date set\n"), id, label);
      return;
    }

  if (has_window && g_date_valid (&due))
    {
      g_autofree char *start_text = format_date (&start);
      g_autofree char *end_text = format_date (&end);
      g_autofree char *due_text = format_date (&due);

      /* TRANSLATORS: period id, label, data window start–end, last day to report, state, plan */
      out (_("%-7s %-16s data %s – %s, due by %s  %s (%s)\n"),
           id, label, start_text, end_text, due_text, bc_timeliness_label (timeliness),
           bc_text_get (bc_plan_get_name (plan), lang));
    }
  else
    {
      g_autofree char *due_text = bc_plan_format_due_date (&due);

      /* TRANSLATORS: period id, label, the due date or "No due date set", plan */
      out (_("%-7s %-16s due by: %s (%s)\n"), id, label, due_text,
           bc_text_get (bc_plan_get_name (plan), lang));
    }
}

static int
cmd_calendar (Cli   *cli,
              int    argc,
              char **argv)
{
  gboolean json = FALSE;
  g_autofree char *date_text = NULL;
  g_autofree char *unit = NULL;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { "date", 0, 0, G_OPTION_ARG_STRING, &date_text, N_("Today's date, for what is due (YYYY-MM-DD)"), N_("DATE") },
    { "unit", 0, 0, G_OPTION_ARG_STRING, &unit, N_("The reporting unit whose plan sets the calendar (default: the workbook's unit)"), N_("UNIT") },
    { NULL }
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  BcPeriod period;
  GDate today;

  if (!parse_options ("calendar", "[PERIOD|YEAR]", entries, &argc, &argv))
    return EXIT_USAGE;
  if (argc > 2)
    return usage ("calendar", "[PERIOD|YEAR] [--unit U] [--date YYYY-MM-DD] [--json]");
  if (unit == NULL && cli->workbook != NULL)
    unit = bc_workbook_get_setting (cli->workbook, "unit");

  if (date_text != NULL)
    {
      guint64 year = 0, month = 0, day = 0;
      g_auto(GStrv) parts = g_strsplit (date_text, "-", -1);

      /* Exactly YYYY-MM-DD: a looser parser would take "2018-06-2x" for 2 June. */
      if (g_strv_length (parts) != 3 || strlen (parts[0]) != 4 || strlen (parts[1]) != 2 ||
          strlen (parts[2]) != 2 ||
          !g_ascii_string_to_unsigned (parts[0], 10, 1900, 9999, &year, NULL) ||
          !g_ascii_string_to_unsigned (parts[1], 10, 1, 12, &month, NULL) ||
          !g_ascii_string_to_unsigned (parts[2], 10, 1, 31, &day, NULL) ||
          !g_date_valid_dmy ((GDateDay) day, (GDateMonth) month, (GDateYear) year))
        {
          err (_("“%s” is not a date. Write it as YYYY-MM-DD, e.g. 2018-06-21."), date_text);
          return EXIT_USAGE;
        }

      g_date_clear (&today, 1);
      g_date_set_dmy (&today, (GDateDay) day, (GDateMonth) month, (GDateYear) year);
    }
  else
    get_today (&today);

  if (json)
    {
      builder = json_builder_new ();
      json_builder_begin_array (builder);
    }

  if (argc == 1)
    {
      bc_period_to_report (BC_PERIOD_QUARTER, &today, &period);
      print_period (cli, builder, &period, unit, &today);
    }
  else
    {
      if (!bc_period_parse (argv[1], &period, &error))
        return fail (error);

      if (period.type == BC_PERIOD_YEAR)
        {
          /* A year: its four quarters, then the year itself. */
          for (int q = 1; q <= 4; q++)
            {
              BcPeriod quarter = { BC_PERIOD_QUARTER, period.year, q };

              print_period (cli, builder, &quarter, unit, &today);
            }
        }
      print_period (cli, builder, &period, unit, &today);
    }

  if (builder != NULL)
    {
      g_autoptr(JsonNode) root = NULL;

      json_builder_end_array (builder);
      root = json_builder_get_root (builder);
      print_json (root);
    }

  return 0;
}

/* --- import, create-demo ---------------------------------------------------------- */

static gboolean
import_files (BcWorkbook  *workbook,
              char       **files,
              guint       *n_imported,
              GError     **error)
{
  for (guint i = 0; files[i] != NULL; i++)
    {
      guint n = 0;
      gboolean ok = bc_workbook_import_file (workbook, files[i], &n, error);

      *n_imported += n;
      if (!ok)
        return FALSE;
    }

  return TRUE;
}

static int
cmd_import (Cli   *cli,
            int    argc,
            char **argv)
{
  g_autoptr(GError) error = NULL;
  guint n_imported = 0;

  if (!parse_options ("import", "FILE…", NULL, &argc, &argv))
    return EXIT_USAGE;
  if (argc < 2)
    return usage ("import", "FILE…");

  if (!import_files (cli->workbook, argv + 1, &n_imported, &error))
    {
      fail (error);
      if (n_imported > 0)
        err (g_dngettext (GETTEXT_PACKAGE,
                          "%u report was imported before the error and is kept; the rest were not imported.",
                          "%u reports were imported before the error and are kept; the rest were not imported.",
                          n_imported), n_imported);
      return EXIT_REFUSED;
    }

  out (g_dngettext (GETTEXT_PACKAGE, "Imported %u report.\n", "Imported %u reports.\n", n_imported),
       n_imported);

  return 0;
}

static gboolean
remove_workbook_files (const char  *path,
                       GError     **error)
{
  static const char *suffixes[] = { "", "-wal", "-shm" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *name = g_strconcat (path, suffixes[i], NULL);
      g_autoptr(GFile) file = g_file_new_for_path (name);
      g_autoptr(GError) local_error = NULL;

      if (!g_file_delete (file, NULL, &local_error) &&
          !g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
    }

  return TRUE;
}

static int
cmd_create_demo (Cli   *cli,
                 int    argc,
                 char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcWorkbook) workbook = NULL;
  g_autofree char *partial = NULL;
  guint n_imported = 0;

  if (!parse_options ("create-demo", "OUTPUT FILE…", NULL, &argc, &argv))
    return EXIT_USAGE;
  if (argc < 3)
    return usage ("create-demo", "OUTPUT FILE…");

  /* Only ever replace a demo workbook: OUTPUT might be someone's real one. */
  if (g_file_test (argv[1], G_FILE_TEST_EXISTS))
    {
      g_autoptr(BcWorkbook) existing = bc_workbook_open (argv[1], cli->templates,
                                                         BC_WORKBOOK_OPEN_DEFAULT, &error);

      if (existing == NULL)
        return fail (error);
      if (bc_workbook_get_kind (existing) != BC_WORKBOOK_KIND_DEMO)
        {
          err (_("“%s” is a workbook with real reports, not a demo workbook: it is left as it is. Choose another file name."),
               argv[1]);
          return EXIT_REFUSED;
        }
      bc_workbook_close (existing);
    }

  /* Built aside and moved into place whole, so a failure leaves nothing half made. */
  partial = g_strconcat (argv[1], ".partial", NULL);
  if (!remove_workbook_files (partial, &error))
    return fail (error);

  workbook = bc_workbook_open (partial, cli->templates, BC_WORKBOOK_OPEN_CREATE, &error);
  if (workbook == NULL ||
      !bc_workbook_set_kind (workbook, BC_WORKBOOK_KIND_DEMO, &error) ||
      !import_files (workbook, argv + 2, &n_imported, &error))
    {
      g_clear_object (&workbook);
      remove_workbook_files (partial, NULL);
      return fail (error);
    }

  bc_workbook_close (workbook);

  if (!remove_workbook_files (argv[1], &error))
    return fail (error);

  {
    g_autoptr(GFile) source = g_file_new_for_path (partial);
    g_autoptr(GFile) target = g_file_new_for_path (argv[1]);

    if (!g_file_move (source, target, G_FILE_COPY_NONE, NULL, NULL, NULL, &error))
      return fail (error);
  }

  return 0;
}

/* --- export ------------------------------------------------------------------ */

static int
export_report (Cli        *cli,
               const char *id_or_prefix,
               const char *pdf,
               const char *xlsx,
               const char *csv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcExportItem) item = NULL;
  g_autofree char *id = bc_workbook_resolve_report_id (cli->workbook, id_or_prefix, &error);

  if (id == NULL)
    return fail (error);
  item = bc_export_item_load (cli->workbook, id, &error);
  if (item == NULL)
    return fail (error);

  if (pdf != NULL)
    {
      g_autoptr(BcDocument) document = bc_document_new_with_plans (item->template_, item->report,
                                                                   item->previous, cli->templates,
                                                                   &error);

      if (document != NULL)
        bc_document_set_training (document, item->training);
      if (document == NULL || !bc_document_write_pdf (document, pdf, &error))
        return fail (error);
      out (_("Wrote %s: %u pages.\n"), pdf, bc_document_get_n_pages (document));
    }
  if (xlsx != NULL)
    {
      if (!bc_report_write_xlsx (item, xlsx, &error))
        return fail (error);
      out (_("Wrote %s.\n"), xlsx);
    }
  if (csv != NULL)
    {
      if (!bc_report_write_csv (item, csv, &error))
        return fail (error);
      out (_("Wrote %s.\n"), csv);
    }

  return 0;
}

static int
export_period (Cli        *cli,
               const char *period_text,
               const char *template_id,
               const char *xlsx,
               const char *csv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autofree char *period_id = NULL;
  BcPeriod period;

  if (!bc_period_parse (period_text, &period, &error))
    return fail (error);
  period_id = bc_period_to_id (&period);

  items = bc_export_items_for_period (cli->workbook, period_id, template_id, &error);
  if (items == NULL)
    return fail (error);

  if (xlsx != NULL)
    {
      if (!bc_period_write_xlsx (items, period_id, xlsx, &error))
        return fail (error);
      out (_("Wrote %s: %u reports.\n"), xlsx, items->len);
    }
  if (csv != NULL)
    {
      if (!bc_period_write_csv (items, csv, &error))
        return fail (error);
      out (_("Wrote %s: %u reports.\n"), csv, items->len);
    }

  return 0;
}

static int
cmd_export (Cli   *cli,
            int    argc,
            char **argv)
{
  g_autofree char *pdf = NULL;
  g_autofree char *xlsx = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *period = NULL;
  g_autofree char *template_id = NULL;
  GOptionEntry entries[] = {
    { "pdf", 0, 0, G_OPTION_ARG_FILENAME, &pdf, N_("Write the report as a PDF document"), N_("FILE") },
    { "xlsx", 0, 0, G_OPTION_ARG_FILENAME, &xlsx, N_("Write a spreadsheet (XLSX)"), N_("FILE") },
    { "csv", 0, 0, G_OPTION_ARG_FILENAME, &csv, N_("Write comma-separated values (CSV)"), N_("FILE") },
    { "period", 0, 0, G_OPTION_ARG_STRING, &period, N_("Every report of this period, one row per unit"), N_("PERIOD") },
    { "template", 0, 0, G_OPTION_ARG_STRING, &template_id, N_("With --period: only this form"), N_("TEMPLATE_ID") },
    { NULL }
  };
  const char *arguments = "REPORT_ID --pdf FILE | --xlsx FILE | --csv FILE\n"
                          "       baocao-cli export --period P [--template T] --xlsx FILE | --csv FILE";

  if (!parse_options ("export", "", entries, &argc, &argv))
    return EXIT_USAGE;

  if (period != NULL)
    {
      if (argc != 1 || pdf != NULL || (xlsx == NULL && csv == NULL))
        return usage ("export", arguments);
      return export_period (cli, period, template_id, xlsx, csv);
    }

  if (argc != 2 || template_id != NULL || (pdf == NULL && xlsx == NULL && csv == NULL) ||
      g_str_has_prefix (argv[1], "-"))
    return usage ("export", arguments);
  return export_report (cli, argv[1], pdf, xlsx, csv);
}

/* ------------------------------------------------------------------------ */
/* Sync: enrol, sync, outbox (docs/cli.md lists their exit statuses)        */

#define EXIT_OFFLINE         10
#define EXIT_CERTIFICATE     11
#define EXIT_BAD_PASSWORD    12
#define EXIT_REVOKED         13
#define EXIT_CONFLICT        14
#define EXIT_SERVER_TOO_OLD  15
#define EXIT_SERVER_TOO_NEW  16
#define EXIT_TIMEOUT         17
#define EXIT_NOT_ENROLLED    18
#define EXIT_SERVER_BUSY     19
#define EXIT_BAD_ANSWER      20
#define EXIT_REPORT_REFUSED  21
#define EXIT_NOT_SENT        23

static int
sync_exit_status (const GError *error)
{
  if (error->domain != BC_SYNC_ERROR)
    return EXIT_REFUSED;

  switch ((BcSyncError) error->code)
    {
    case BC_SYNC_ERROR_OFFLINE:         return EXIT_OFFLINE;
    case BC_SYNC_ERROR_CERTIFICATE:     return EXIT_CERTIFICATE;
    case BC_SYNC_ERROR_BAD_CREDENTIALS: return EXIT_BAD_PASSWORD;
    case BC_SYNC_ERROR_UNAUTHORIZED:    return EXIT_REVOKED;
    case BC_SYNC_ERROR_CONFLICT:        return EXIT_CONFLICT;
    case BC_SYNC_ERROR_SERVER_TOO_OLD:  return EXIT_SERVER_TOO_OLD;
    case BC_SYNC_ERROR_SERVER_TOO_NEW:  return EXIT_SERVER_TOO_NEW;
    case BC_SYNC_ERROR_TIMEOUT:         return EXIT_TIMEOUT;
    case BC_SYNC_ERROR_NOT_ENROLLED:
    case BC_SYNC_ERROR_NO_KEYRING:
    case BC_SYNC_ERROR_DEMO:            return EXIT_NOT_ENROLLED;
    case BC_SYNC_ERROR_RATE_LIMITED:
    case BC_SYNC_ERROR_SERVER:
    case BC_SYNC_ERROR_INTERRUPTED:     return EXIT_SERVER_BUSY;
    case BC_SYNC_ERROR_PROTOCOL:        return EXIT_BAD_ANSWER;
    case BC_SYNC_ERROR_REFUSED:         return EXIT_REPORT_REFUSED;
    default:                            return EXIT_REFUSED;
    }
}

static int
sync_fail (GError *error)
{
  err ("%s", error->message);
  return sync_exit_status (error);
}

static void
got_result (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  GAsyncResult **out = user_data;

  (void) source;
  *out = g_object_ref (result);
}

/* Runs the default main context until an _async call has finished. */
static GAsyncResult *
wait_for (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);

  return *slot;
}

/* The first line of a file (a password), without its line ending. */
static char *
read_first_line (const char  *path,
                 GError     **error)
{
  g_autofree char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, error))
    return NULL;
  text[strcspn (text, "\r\n")] = '\0';

  return g_steal_pointer (&text);
}

/* Asks for the password on the terminal without showing it; from a pipe,
 * reads one line. Never stored. */
static char *
prompt_password (const char *user)
{
  char buffer[1024];
  gboolean hidden = FALSE;
#ifdef G_OS_UNIX
  struct termios saved, quiet;

  if (isatty (STDIN_FILENO) && tcgetattr (STDIN_FILENO, &saved) == 0)
    {
      quiet = saved;
      quiet.c_lflag &= ~(tcflag_t) ECHO;
      hidden = tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
    }
#elif defined (G_OS_WIN32)
  HANDLE console = GetStdHandle (STD_INPUT_HANDLE);
  DWORD saved = 0;

  if (GetConsoleMode (console, &saved))
    hidden = SetConsoleMode (console, saved & ~ENABLE_ECHO_INPUT);
#endif

  /* TRANSLATORS: %s is a user name */
  fprintf (stderr, _("Password for %s: "), user);
  fflush (stderr);
  if (fgets (buffer, sizeof buffer, stdin) == NULL)
    buffer[0] = '\0';

#ifdef G_OS_UNIX
  if (hidden)
    tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved);
#elif defined (G_OS_WIN32)
  if (hidden)
    SetConsoleMode (console, saved);
#endif
  if (hidden)
    fputc ('\n', stderr);

  buffer[strcspn (buffer, "\r\n")] = '\0';
  {
    char *password = g_strdup (buffer);

    memset (buffer, 0, sizeof buffer);
    return password;
  }
}

static BcSyncClient *
make_sync_client (Cli        *cli,
                  const char *token_file,
                  const char *ca_file)
{
  BcSyncClient *client = bc_sync_client_new (cli->workbook);
  g_autofree char *saved_token_file = NULL;
  g_autofree char *saved_ca_file = NULL;

  /* The files named at enrolment are remembered (their paths, never the
   * token): `sync` needs no options after `enrol --token-file`. */
  if (token_file == NULL)
    token_file = saved_token_file = bc_outbox_get_sync_setting (cli->workbook, "token_file");
  if (ca_file == NULL)
    ca_file = saved_ca_file = bc_outbox_get_sync_setting (cli->workbook, "ca_file");
  bc_sync_client_set_token_file (client, token_file);
  bc_sync_client_set_ca_file (client, ca_file);

  return client;
}

static int
cmd_enrol (Cli   *cli,
           int    argc,
           char **argv)
{
  g_autofree char *user = NULL;
  g_autofree char *password_file = NULL;
  g_autofree char *token_file = NULL;
  g_autofree char *ca_file = NULL;
  g_autofree char *device = NULL;
  GOptionEntry entries[] = {
    { "user", 0, 0, G_OPTION_ARG_STRING, &user, N_("The unit's user name"), N_("USER") },
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &password_file, N_("Read the password from this file"), N_("FILE") },
    { "token-file", 0, 0, G_OPTION_ARG_FILENAME, &token_file, N_("Keep the device's token in this file (mode 0600), not the keyring"), N_("FILE") },
    { "ca-file", 0, 0, G_OPTION_ARG_FILENAME, &ca_file, N_("Also trust the CA certificate in this file"), N_("FILE") },
    { "device", 0, 0, G_OPTION_ARG_STRING, &device, N_("A name for this device"), N_("NAME") },
    { NULL }
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(BcSyncClient) client = NULL;
  g_autoptr(BcSyncEnrolment) enrolment = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *password = NULL;
  g_autofree char *absolute_token_file = NULL;
  g_autofree char *absolute_ca_file = NULL;

  if (!parse_options ("enrol", "", entries, &argc, &argv))
    return EXIT_USAGE;
  if (argc != 2 || user == NULL)
    return usage ("enrol", "URL --user U [--password-file F] [--token-file F] [--ca-file F] [--device NAME]");

  if (password_file != NULL)
    {
      password = read_first_line (password_file, &error);
      if (password == NULL)
        return fail (error);
    }
  else
    password = prompt_password (user);

  if (token_file != NULL)
    absolute_token_file = g_canonicalize_filename (token_file, NULL);
  if (ca_file != NULL)
    absolute_ca_file = g_canonicalize_filename (ca_file, NULL);

  client = bc_sync_client_new (cli->workbook);
  bc_sync_client_set_token_file (client, absolute_token_file);
  bc_sync_client_set_ca_file (client, absolute_ca_file);
  bc_sync_client_enrol_async (client, argv[1], user, password, device, NULL, got_result, &result);
  memset (password, 0, strlen (password));
  enrolment = bc_sync_client_enrol_finish (client, wait_for (&result), &error);
  if (enrolment == NULL)
    return sync_fail (error);

  if (!bc_outbox_set_sync_settings (cli->workbook, &error,
                                    "token_file", absolute_token_file,
                                    "ca_file", absolute_ca_file,
                                    NULL))
    return fail (error);

  /* TRANSLATORS: %s are the unit's name, its code, and the server address */
  out (_("This device is enrolled for %s (%s) on %s.\n"),
       enrolment->unit_name != NULL ? enrolment->unit_name : enrolment->unit_code,
       enrolment->unit_code, argv[1]);
  if (absolute_token_file != NULL)
    out (_("Its token is in %s (readable by you only).\n"), absolute_token_file);
  else
    out (_("Its token is in the desktop keyring.\n"));

  return 0;
}

/* “10ca6e61 Ứng dụng CNTT, Quý II/2018, QNG-SONTINH”: a report a sync
 * speaks of, as the officer knows it. The short id alone for one this
 * workbook does not hold (another device of the unit sent it). */
static char *
describe_report (Cli        *cli,
                 const char *report_id)
{
  g_autoptr(BcReport) report = bc_workbook_load_report (cli->workbook, report_id, NULL);
  g_autofree char *short_id = g_strndup (report_id, 8);
  g_autofree char *period_label = NULL;
  BcTemplate *template_;
  BcPeriod period;

  if (report == NULL)
    return g_steal_pointer (&short_id);

  template_ = bc_workbook_get_report_template (cli->workbook, report, NULL);
  if (bc_period_parse (bc_report_get_period_id (report), &period, NULL))
    period_label = bc_period_label (&period, cli->lang);

  return g_strdup_printf ("%s %s, %s, %s", short_id,
                          template_ != NULL
                          ? bc_text_get (bc_template_get_title (template_), cli->lang)
                          : bc_report_get_template_id (report),
                          period_label != NULL ? period_label : bc_report_get_period_id (report),
                          bc_report_get_unit (report));
}

/* Under “N reviews received.”: which report, and what the province
 * decided on which revision. */
static void
print_reviewed (Cli       *cli,
                GPtrArray *reviewed)
{
  for (guint i = 0; i < reviewed->len; i++)
    {
      const BcReview *review = g_ptr_array_index (reviewed, i);
      g_autofree char *report = describe_report (cli, review->report_id);
      g_autofree char *decision = review_decision (review);
      g_autofree char *by = review_by (review);

      if (review->comment != NULL && *review->comment != '\0')
        out ("  %s: %s %s: %s\n", report, decision, by, review->comment);
      else
        out ("  %s: %s %s\n", report, decision, by);
    }
}

static const char *
result_label (const BcSyncPushResult *result)
{
  switch (result->result)
    {
    case BC_SYNC_RESULT_STORED:
      return result->replayed ? _("already received") : _("received");
    case BC_SYNC_RESULT_CONFLICT:
      return _("conflict");
    case BC_SYNC_RESULT_REFUSED:
    default:
      return _("refused");
    }
}

/* The form versions and plans the province published, received by a sync
 * or a reply bundle. */
static void
print_published (BcSyncSummary *summary)
{
  if (summary->n_templates > 0)
    out (g_dngettext (GETTEXT_PACKAGE, "%u new form version received.\n",
                      "%u new form versions received.\n", summary->n_templates),
         summary->n_templates);
  if (summary->n_plans > 0)
    out (g_dngettext (GETTEXT_PACKAGE, "%u new plan received: its due dates and targets apply now.\n",
                      "%u new plans received: their due dates and targets apply now.\n",
                      summary->n_plans),
         summary->n_plans);
}

static int
cmd_sync (Cli   *cli,
          int    argc,
          char **argv)
{
  gboolean json = FALSE;
  g_autofree char *token_file = NULL;
  g_autofree char *ca_file = NULL;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { "token-file", 0, 0, G_OPTION_ARG_FILENAME, &token_file, N_("Read the device's token from this file"), N_("FILE") },
    { "ca-file", 0, 0, G_OPTION_ARG_FILENAME, &ca_file, N_("Also trust the CA certificate in this file"), N_("FILE") },
    { NULL }
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(BcTrainingServer) training = NULL;
  g_autoptr(BcSyncClient) client = NULL;
  g_autoptr(BcSyncSummary) summary = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) reviewed = NULL;
  guint n_conflicts = 0, n_refused = 0;
  gint64 since;

  if (!parse_options ("sync", "", entries, &argc, &argv))
    return EXIT_USAGE;
  if (argc != 1)
    return usage ("sync", "[--json] [--token-file F] [--ca-file F]");

  /* A demo workbook syncs with the training server, in this process. */
  if (bc_workbook_get_kind (cli->workbook) == BC_WORKBOOK_KIND_DEMO)
    {
      training = bc_training_server_open_for_workbook (cli->workbook, &error);
      if (training == NULL)
        return sync_fail (error);
    }

  /* The reviews this sync brings are those after the feed's cursor now. */
  since = bc_outbox_get_cursor (cli->workbook, &error);
  if (since < 0)
    return fail (error);

  client = make_sync_client (cli, token_file, ca_file);
  bc_sync_client_sync_async (client, NULL, got_result, &result);
  summary = bc_sync_client_sync_finish (client, wait_for (&result), &error);
  if (summary == NULL)
    return sync_fail (error);

  reviewed = bc_outbox_list_reviews (cli->workbook, NULL, since, &error);
  if (reviewed == NULL)
    return fail (error);

  for (guint i = 0; i < summary->results->len; i++)
    {
      BcSyncPushResult *item = g_ptr_array_index (summary->results, i);

      n_conflicts += item->result == BC_SYNC_RESULT_CONFLICT;
      n_refused += item->result == BC_SYNC_RESULT_REFUSED;
    }

  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "server");
      json_builder_add_string_value (builder, summary->server_name);
      json_builder_set_member_name (builder, "results");
      json_builder_begin_array (builder);
      for (guint i = 0; i < summary->results->len; i++)
        {
          BcSyncPushResult *item = g_ptr_array_index (summary->results, i);

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "report_id");
          json_builder_add_string_value (builder, item->report_id);
          json_builder_set_member_name (builder, "revision");
          json_builder_add_int_value (builder, item->revision);
          json_builder_set_member_name (builder, "result");
          json_builder_add_string_value (builder, bc_sync_result_kind_to_string (item->result));
          json_builder_set_member_name (builder, "replayed");
          json_builder_add_boolean_value (builder, item->replayed);
          if (item->receipt_number != NULL)
            {
              g_autofree char *at = bc_wire_format_time (item->received_at);

              json_builder_set_member_name (builder, "receipt");
              json_builder_begin_object (builder);
              json_builder_set_member_name (builder, "number");
              json_builder_add_string_value (builder, item->receipt_number);
              json_builder_set_member_name (builder, "received_at");
              json_builder_add_string_value (builder, at);
              json_builder_end_object (builder);
            }
          if (item->server_revision != 0)
            {
              json_builder_set_member_name (builder, "server_revision");
              json_builder_add_int_value (builder, item->server_revision);
            }
          if (item->error_code != NULL)
            {
              json_builder_set_member_name (builder, "error");
              json_builder_begin_object (builder);
              json_builder_set_member_name (builder, "code");
              json_builder_add_string_value (builder, item->error_code);
              json_builder_set_member_name (builder, "message");
              json_builder_add_string_value (builder, item->error_message);
              json_builder_end_object (builder);
            }
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      json_builder_set_member_name (builder, "skipped");
      json_builder_add_int_value (builder, summary->n_skipped);
      json_builder_set_member_name (builder, "not_sent");
      json_builder_begin_array (builder);
      for (guint i = 0; summary->not_sent != NULL && i < summary->not_sent->len; i++)
        {
          const BcSyncNotSent *item = g_ptr_array_index (summary->not_sent, i);

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "report_id");
          json_builder_add_string_value (builder, item->report_id);
          json_builder_set_member_name (builder, "unit");
          json_builder_add_string_value (builder, item->unit);
          json_builder_set_member_name (builder, "message");
          json_builder_add_string_value (builder, item->message);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      json_builder_set_member_name (builder, "changes");
      json_builder_add_int_value (builder, summary->n_changes);
      json_builder_set_member_name (builder, "reviews");
      json_builder_add_int_value (builder, summary->n_reviews);
      json_builder_set_member_name (builder, "reviewed");
      json_builder_begin_array (builder);
      for (guint i = 0; i < reviewed->len; i++)
        json_builder_add_value (builder, review_to_json (g_ptr_array_index (reviewed, i), TRUE));
      json_builder_end_array (builder);
      json_builder_set_member_name (builder, "templates");
      json_builder_add_int_value (builder, summary->n_templates);
      json_builder_set_member_name (builder, "plans");
      json_builder_add_int_value (builder, summary->n_plans);
      json_builder_set_member_name (builder, "carried_over");
      json_builder_add_int_value (builder, summary->n_carried);
      json_builder_set_member_name (builder, "cursor");
      json_builder_add_int_value (builder, summary->cursor);
      json_builder_set_member_name (builder, "bytes_sent");
      json_builder_add_int_value (builder, (gint64) bc_sync_client_get_bytes_sent (client));
      json_builder_set_member_name (builder, "bytes_received");
      json_builder_add_int_value (builder, (gint64) bc_sync_client_get_bytes_received (client));
      json_builder_set_member_name (builder, "items_done");
      json_builder_add_int_value (builder, bc_sync_client_get_items_done (client));
      json_builder_set_member_name (builder, "items_total");
      json_builder_add_int_value (builder, bc_sync_client_get_items_total (client));
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      print_json (root);
    }
  else
    {
      for (guint i = 0; i < summary->results->len; i++)
        {
          BcSyncPushResult *item = g_ptr_array_index (summary->results, i);
          g_autofree char *at = item->receipt_number != NULL
                                ? format_time_local (item->received_at) : NULL;

          if (item->receipt_number != NULL)
            /* TRANSLATORS: report id, what happened, receipt number, time */
            out (_("%s: %s, receipt %s at %s\n"), item->report_id, result_label (item),
                 item->receipt_number, at);
          else
            out ("%s: %s: %s\n", item->report_id, result_label (item),
                 item->error_message != NULL ? item->error_message : item->error_code);
        }
      for (guint i = 0; summary->not_sent != NULL && i < summary->not_sent->len; i++)
        {
          const BcSyncNotSent *item = g_ptr_array_index (summary->not_sent, i);

          /* TRANSLATORS: a ready report no sync from this workbook can send: its id, then why */
          out (_("%s: not sent: %s\n"), item->report_id, item->message);
        }
      if (summary->results->len == 0 && (summary->not_sent == NULL || summary->not_sent->len == 0))
        out (_("Nothing to send.\n"));
      if (summary->n_skipped > 0)
        out (g_dngettext (GETTEXT_PACKAGE, "%u report could not be sent: see `baocao-cli outbox`.\n",
                          "%u reports could not be sent: see `baocao-cli outbox`.\n",
                          summary->n_skipped),
             summary->n_skipped);
      if (summary->n_reviews > 0)
        out (g_dngettext (GETTEXT_PACKAGE, "%u review received.\n", "%u reviews received.\n",
                          summary->n_reviews),
             summary->n_reviews);
      print_reviewed (cli, reviewed);
      print_published (summary);
    }

  if (n_conflicts > 0)
    {
      err (_("A report conflicts with the server's copy: both are kept; the province "
             "decides which stands."));
      err (_("See the differences and choose per field with `baocao-cli conflict REPORT_ID`."));
      return EXIT_CONFLICT;
    }
  if (n_refused > 0)
    {
      err (_("The server refused a report: it is a draft again. Fix it and mark it ready."));
      return EXIT_REPORT_REFUSED;
    }
  if (summary->not_sent != NULL && summary->not_sent->len > 0)
    return EXIT_NOT_SENT;

  return 0;
}

/* ------------------------------------------------------------------------ */
/* Bundles (docs/sync-protocol.md "Bundles", docs/cli.md)                   */

#define EXIT_BAD_BUNDLE      22

static int
bundle_fail (GError *error)
{
  if (error->domain != BC_BUNDLE_ERROR)
    return sync_fail (error);
  err ("%s", error->message);
  return EXIT_BAD_BUNDLE;
}

static int
bundle_export (Cli        *cli,
               const char *path,
               const char *token_file)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcBundleExport) done = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *saved_token_file = NULL;

  if (token_file == NULL)
    token_file = saved_token_file = bc_outbox_get_sync_setting (cli->workbook, "token_file");
  /* The window's way (off its thread), so that both are the same code. */
  bc_sync_bundle_export_async (cli->workbook, token_file, path, NULL, got_result, &result);
  done = bc_sync_bundle_export_finish (cli->workbook, wait_for (&result), &error);
  if (done == NULL)
    return bundle_fail (error);

  out (g_dngettext (GETTEXT_PACKAGE, "Wrote %u report to %s.\n", "Wrote %u reports to %s.\n",
                    done->n_items),
       done->n_items, path);
  if (!done->signed_)
    out (_("The bundle is not signed (this computer has no token): only the server's "
           "administrator can import it.\n"));
  out (_("The reports stay in the outbox until a receipt comes back, by a reply bundle or "
         "a sync.\n"));
  for (guint i = 0; done->not_sent != NULL && i < done->not_sent->len; i++)
    {
      const BcSyncNotSent *item = g_ptr_array_index (done->not_sent, i);

      out (_("%s: not sent: %s\n"), item->report_id, item->message);
    }
  if (done->not_sent != NULL && done->not_sent->len > 0)
    return EXIT_NOT_SENT;
  return 0;
}

static int
bundle_relay (Cli        *cli,
              const char *path,
              const char *reply_path,
              const char *token_file,
              const char *ca_file)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcSyncClient) client = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(JsonObject) opened = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *default_reply = NULL;
  gsize length;
  const char *data;
  JsonArray *results;

  if (!g_file_get_contents (path, &contents, &length, &error))
    return fail (error);
  if (reply_path == NULL)
    reply_path = default_reply = g_strconcat (path, ".reply", NULL);

  client = make_sync_client (cli, token_file, ca_file);
  {
    g_autoptr(GBytes) body = g_bytes_new_take (g_steal_pointer (&contents), length);

    bc_sync_client_relay_bundle_async (client, body, NULL, got_result, &result);
  }
  reply = bc_sync_client_relay_bundle_finish (client, wait_for (&result), &error);
  if (reply == NULL)
    return sync_fail (error);

  /* The reply is checked like any bundle before it is written for the
   * unit to carry home. */
  data = g_bytes_get_data (reply, &length);
  {
    g_autofree char *canonical = NULL;
    g_autofree char *text = NULL;
    g_autoptr(JsonNode) root = bc_wire_parse (data, length, BC_BUNDLE_MAX_SIZE, BC_WIRE_MAX_DEPTH,
                                              &error);

    if (root == NULL)
      return fail (error);
    canonical = bc_wire_canonical_json (root);
    text = g_strconcat (canonical, "\n", NULL);
    opened = bc_bundle_open (text, strlen (text), &error);
    if (opened == NULL || !bc_bundle_write_file (reply_path, text, &error))
      return bundle_fail (error);
  }
  results = bc_bundle_get_array (opened, "results");
  out (g_dngettext (GETTEXT_PACKAGE, "The server took the bundle (%u report). Reply bundle for the unit: %s\n",
                    "The server took the bundle (%u reports). Reply bundle for the unit: %s\n",
                    results != NULL ? json_array_get_length (results) : 0),
       results != NULL ? json_array_get_length (results) : 0, reply_path);
  return 0;
}

static int
bundle_apply (Cli        *cli,
              const char *path,
              const char *token_file)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcSyncSummary) summary = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) reviewed = NULL;
  g_autofree char *saved_token_file = NULL;
  gint64 since;

  /* The reviews the reply brings are those after the feed's cursor now. */
  since = bc_outbox_get_cursor (cli->workbook, &error);
  if (since < 0)
    return fail (error);

  if (token_file == NULL)
    token_file = saved_token_file = bc_outbox_get_sync_setting (cli->workbook, "token_file");
  bc_sync_bundle_import_reply_async (cli->workbook, token_file, path, NULL, got_result, &result);
  summary = bc_sync_bundle_import_reply_finish (cli->workbook, wait_for (&result), &error);
  if (summary == NULL)
    return bundle_fail (error);

  reviewed = bc_outbox_list_reviews (cli->workbook, NULL, since, &error);
  if (reviewed == NULL)
    return fail (error);

  for (guint i = 0; i < summary->results->len; i++)
    {
      BcSyncPushResult *item = g_ptr_array_index (summary->results, i);
      g_autofree char *at = item->receipt_number != NULL
                            ? format_time_local (item->received_at) : NULL;

      if (item->receipt_number != NULL)
        out (_("%s: %s, receipt %s at %s\n"), item->report_id, result_label (item),
             item->receipt_number, at);
      else
        out ("%s: %s: %s\n", item->report_id, result_label (item),
             item->error_message != NULL ? item->error_message : item->error_code);
    }
  out (g_dngettext (GETTEXT_PACKAGE, "%u review received.\n", "%u reviews received.\n",
                    summary->n_reviews),
       summary->n_reviews);
  print_reviewed (cli, reviewed);
  print_published (summary);
  return 0;
}

static int
cmd_bundle (Cli   *cli,
            int    argc,
            char **argv)
{
  g_autofree char *token_file = NULL;
  g_autofree char *ca_file = NULL;
  g_autofree char *reply_path = NULL;
  GOptionEntry entries[] = {
    { "reply", 0, 0, G_OPTION_ARG_FILENAME, &reply_path, N_("Write the reply bundle of a relayed bundle to this file (default: FILE.reply)"), N_("FILE") },
    { "token-file", 0, 0, G_OPTION_ARG_FILENAME, &token_file, N_("Read the device's token from this file"), N_("FILE") },
    { "ca-file", 0, 0, G_OPTION_ARG_FILENAME, &ca_file, N_("Also trust the CA certificate in this file"), N_("FILE") },
    { NULL }
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) bundle = NULL;

  if (!parse_options ("bundle", "export|import FILE", entries, &argc, &argv))
    return EXIT_USAGE;
  if (argc != 3 || (!g_str_equal (argv[1], "export") && !g_str_equal (argv[1], "import")))
    return usage ("bundle", "export FILE | import FILE [--reply FILE]");

  if (g_str_equal (argv[1], "export"))
    return bundle_export (cli, argv[2], token_file);

  /* Checked whole before anything is sent or applied. */
  bundle = bc_bundle_open_file (argv[2], &error);
  if (bundle == NULL)
    return bundle_fail (error);
  if (g_strcmp0 (bc_bundle_get_string (bundle, "kind"), BC_BUNDLE_KIND_OUTBOX) == 0)
    return bundle_relay (cli, argv[2], reply_path, token_file, ca_file);
  return bundle_apply (cli, argv[2], token_file);
}

/* --- conflicts ----------------------------------------------------------------- */

static void
print_conflict_json (BcSyncServerReport *province,
                     const char         *report_id,
                     GPtrArray          *changes,
                     BcTemplate         *template_,
                     const char         *lang)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "report_id");
  json_builder_add_string_value (builder, report_id);
  json_builder_set_member_name (builder, "server_revision");
  json_builder_add_int_value (builder, province->current_revision);
  json_builder_set_member_name (builder, "server_revisions");
  json_builder_add_int_value (builder, province->n_revisions);
  json_builder_set_member_name (builder, "differences");
  json_builder_begin_array (builder);
  for (guint i = 0; i < changes->len; i++)
    {
      const BcChange *change = g_ptr_array_index (changes, i);
      g_autofree char *id = bc_conflict_change_id (change);
      g_autofree char *label = bc_change_dup_label (change, template_, lang);
      g_autofree char *mine = bc_change_dup_old_text (change, template_, lang);
      g_autofree char *theirs = bc_change_dup_new_text (change, template_, lang);

      json_builder_begin_object (builder);
      add_nullable_string (builder, "field", id);
      add_nullable_string (builder, "kind", change_kind_name (change->kind));
      add_nullable_string (builder, "label", label);
      add_nullable_string (builder, "mine", change->old_value);
      add_nullable_string (builder, "province", change->new_value);
      add_nullable_string (builder, "mine_text", mine);
      add_nullable_string (builder, "province_text", theirs);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  print_json (root);
}

static int
cmd_conflict (Cli   *cli,
              int    argc,
              char **argv)
{
  gboolean json = FALSE;
  gboolean keep_mine_rest = FALSE;
  g_auto(GStrv) take = NULL;
  g_autofree char *token_file = NULL;
  g_autofree char *ca_file = NULL;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { "take-province", 0, 0, G_OPTION_ARG_STRING_ARRAY, &take,
      N_("Take this difference from the province's copy (repeat for more)"), N_("FIELD") },
    { "keep-mine-rest", 0, 0, G_OPTION_ARG_NONE, &keep_mine_rest,
      N_("Keep this computer's copy of every other difference, and resolve"), NULL },
    { "token-file", 0, 0, G_OPTION_ARG_FILENAME, &token_file, N_("Read the device's token from this file"), N_("FILE") },
    { "ca-file", 0, 0, G_OPTION_ARG_FILENAME, &ca_file, N_("Also trust the CA certificate in this file"), N_("FILE") },
    { NULL }
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(BcTrainingServer) training = NULL;
  g_autoptr(BcSyncClient) client = NULL;
  g_autoptr(BcSyncServerReport) province = NULL;
  g_autoptr(BcSyncState) state = NULL;
  g_autoptr(BcReport) report = NULL;
  g_autoptr(GPtrArray) changes = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  BcTemplate *template_ = NULL;
  const char *id;
  guint n_taken = 0;

  if (!parse_options ("conflict", "REPORT_ID", entries, &argc, &argv))
    return EXIT_USAGE;
  if (argc != 2)
    return usage ("conflict", "REPORT_ID [--json] [--take-province FIELD]… [--keep-mine-rest]");

  report = load_report (cli, argv[1], &template_, &error);
  if (report == NULL)
    return fail (error);
  id = bc_report_get_id (report);
  state = bc_outbox_get_state (cli->workbook, id, &error);
  if (error != NULL)
    return fail (error);
  if (state == NULL || !state->conflict || bc_report_get_status (report) != BC_STATUS_SENT)
    {
      err ("%s", _("This report is not in conflict with the province's copy: there is nothing to resolve."));
      return EXIT_REFUSED;
    }

  /* The province's copy, from the server (the training server for a demo
   * workbook, as for sync). */
  if (bc_workbook_get_kind (cli->workbook) == BC_WORKBOOK_KIND_DEMO)
    {
      training = bc_training_server_open_for_workbook (cli->workbook, &error);
      if (training == NULL)
        return sync_fail (error);
    }
  client = make_sync_client (cli, token_file, ca_file);
  bc_sync_client_fetch_report_async (client, id, NULL, got_result, &result);
  province = bc_sync_client_fetch_report_finish (client, wait_for (&result), &error);
  if (province == NULL)
    return sync_fail (error);

  changes = bc_conflict_compare (cli->workbook, id, province->content, NULL, &error);
  if (changes == NULL)
    return fail (error);

  if (take == NULL && !keep_mine_rest)
    {
      if (json)
        {
          print_conflict_json (province, id, changes, template_, cli->lang);
          return 0;
        }
      {
        g_autofree char *revision = g_strdup_printf ("%" G_GINT64_FORMAT, province->current_revision);

        /* TRANSLATORS: %s is the province's revision number */
        out (_("This computer's copy and the province's (revision %s) differ:\n"), revision);
      }
      for (guint i = 0; i < changes->len; i++)
        {
          const BcChange *change = g_ptr_array_index (changes, i);
          g_autofree char *field = bc_conflict_change_id (change);
          g_autofree char *label = bc_change_dup_label (change, template_, cli->lang);
          g_autofree char *mine = bc_change_dup_old_text (change, template_, cli->lang);
          g_autofree char *theirs = bc_change_dup_new_text (change, template_, cli->lang);

          out ("  %s (%s)\n", label, field);
          /* TRANSLATORS: this computer's value of a field in conflict */
          out (_("      this computer: %s\n"), mine);
          /* TRANSLATORS: the province's value of a field in conflict; align with the line above */
          out (_("      province:      %s\n"), theirs);
        }
      if (changes->len == 0)
        out (_("  (no difference in the values: resolving sends this copy again)\n"));
      out (_("Choose with: baocao-cli conflict %s --take-province FIELD … --keep-mine-rest\n"), id);
      return 0;
    }

  /* Every difference must be decided: those not taken are kept only when
   * the officer says so. */
  n_taken = take != NULL ? g_strv_length (take) : 0;
  if (!keep_mine_rest && n_taken < changes->len)
    {
      err ("%s", _("Some differences are not decided. Name each one to take from the province "
                   "with --take-province, and add --keep-mine-rest to keep this computer's "
                   "copy of the others."));
      return EXIT_USAGE;
    }

  if (!bc_conflict_resolve (cli->workbook, id, province->content, province->current_revision,
                            province->max_revision, (const char * const *) take, &error))
    return fail (error);

  out (g_dngettext (GETTEXT_PACKAGE,
                    "Resolved: %u difference taken from the province's copy, ",
                    "Resolved: %u differences taken from the province's copy, ", n_taken),
       n_taken);
  out (g_dngettext (GETTEXT_PACKAGE,
                    "%u kept from this computer. The report is queued: run `baocao-cli sync` to send it.\n",
                    "%u kept from this computer. The report is queued: run `baocao-cli sync` to send it.\n",
                    changes->len - n_taken),
       changes->len - n_taken);
  return 0;
}

static int
cmd_outbox (Cli   *cli,
            int    argc,
            char **argv)
{
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL }
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = NULL;

  if (!parse_options ("outbox", "", entries, &argc, &argv))
    return EXIT_USAGE;
  if (argc != 1)
    return usage ("outbox", "[--json]");

  items = bc_outbox_list (cli->workbook, &error);
  if (items == NULL)
    return fail (error);

  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_array (builder);
      for (guint i = 0; i < items->len; i++)
        {
          BcOutboxItem *item = g_ptr_array_index (items, i);
          g_autofree char *queued_at = bc_wire_format_time (item->queued_at);

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "report_id");
          json_builder_add_string_value (builder, item->report_id);
          json_builder_set_member_name (builder, "template");
          json_builder_add_string_value (builder, item->template_id);
          json_builder_set_member_name (builder, "period");
          json_builder_add_string_value (builder, item->period_id);
          json_builder_set_member_name (builder, "unit");
          json_builder_add_string_value (builder, item->unit);
          json_builder_set_member_name (builder, "revision");
          json_builder_add_int_value (builder, item->revision);
          json_builder_set_member_name (builder, "base_revision");
          json_builder_add_int_value (builder, item->base_revision);
          json_builder_set_member_name (builder, "content_hash");
          json_builder_add_string_value (builder, item->content_hash);
          json_builder_set_member_name (builder, "queued_at");
          json_builder_add_string_value (builder, queued_at);
          json_builder_set_member_name (builder, "attempts");
          json_builder_add_int_value (builder, item->attempts);
          json_builder_set_member_name (builder, "last_error");
          json_builder_add_string_value (builder, item->last_error);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      root = json_builder_get_root (builder);
      print_json (root);
      return 0;
    }

  if (items->len == 0)
    {
      out (_("The outbox is empty.\n"));
      return 0;
    }

  for (guint i = 0; i < items->len; i++)
    {
      BcOutboxItem *item = g_ptr_array_index (items, i);
      g_autofree char *queued_at = format_time_local (item->queued_at);
      g_autofree char *revision = g_strdup_printf ("%" G_GINT64_FORMAT, item->revision);

      /* TRANSLATORS: report id, form, period, unit, revision, time queued, attempts */
      out (_("%s  %s %s %s  revision %s, queued %s, %d attempts\n"), item->report_id,
           item->template_id, item->period_id, item->unit, revision, queued_at, item->attempts);
      if (item->last_error != NULL)
        out ("    %s\n", item->last_error);
    }

  return 0;
}

static const Command commands[] = {
  { "templates",  "[--json]",                                N_("List the form templates"), cmd_templates, FALSE, FALSE },
  { "fields",     "TEMPLATE_ID [--json]",                    N_("List a form's fields and their paths"), cmd_fields, FALSE, FALSE },
  { "calendar",   "[PERIOD|YEAR] [--unit U] [--date D] [--json]",       N_("Show reporting periods, windows and due dates"), cmd_calendar, FALSE, FALSE },
  { "new",        "TEMPLATE_ID --period P --unit U",         N_("Start a report and print its id"), cmd_new, TRUE, TRUE },
  { "set",        "REPORT_ID FIELD_PATH VALUE",              N_("Set a value, e.g. services.level3 or findings[2].status"), cmd_set, TRUE, FALSE },
  { "clear",      "REPORT_ID FIELD_PATH",                    N_("Clear a value"), cmd_clear, TRUE, FALSE },
  { "add-row",    "REPORT_ID TABLE_PATH",                    N_("Add a row to a table and print its index"), cmd_add_row, TRUE, FALSE },
  { "remove-row", "REPORT_ID TABLE_PATH ROW",                N_("Remove a row from a table"), cmd_remove_row, TRUE, FALSE },
  { "move-row",   "REPORT_ID TABLE_PATH ROW NEW_ROW",        N_("Move a row within a table"), cmd_move_row, TRUE, FALSE },
  { "show",       "REPORT_ID [--json]",                      N_("Show a report"), cmd_show, TRUE, FALSE },
  { "validate",   "REPORT_ID [--json]",                      N_("Check a report; exit 0 only when it has no error"), cmd_validate, TRUE, FALSE },
  { "justify",    "REPORT_ID RULE_ID [--row N] TEXT",        N_("Write the justification of a warning"), cmd_justify, TRUE, FALSE },
  { "ready",      "REPORT_ID",                               N_("Mark a report ready to send"), cmd_ready, TRUE, FALSE },
  { "draft",      "REPORT_ID",                               N_("Take a report back to draft"), cmd_draft, TRUE, FALSE },
  { "carry-over", "REPORT_ID [--drop FIELD]…",               N_("Move a draft to the newest version of its form"), cmd_carry_over, TRUE, FALSE },
  { "list",       "[--json] [--period P] [--status S]",      N_("List the workbook's reports"), cmd_list, TRUE, FALSE },
  { "history",    "REPORT_ID [--json]",                      N_("Show every change made to a report"), cmd_history, TRUE, FALSE },
  { "changes",    "REPORT_ID [--json]",                      N_("Show what changed since the report was sent"), cmd_changes, TRUE, FALSE },
  { "import",     "FILE…",                                   N_("Import reports from JSON files"), cmd_import, TRUE, TRUE },
  { "create-demo","OUTPUT FILE…",                            N_("Make a fresh demo workbook from sample data"), cmd_create_demo, FALSE, FALSE },
  { "export",     "REPORT_ID|--period P --pdf|--xlsx|--csv F", N_("Write a report as PDF, XLSX or CSV, or a period's table"), cmd_export, TRUE, FALSE },
  { "delete",     "REPORT_ID",                               N_("Delete a draft"), cmd_delete, TRUE, FALSE },
  { "purge-history", "REPORT_ID",                            N_("Forget a report's recorded changes (its old values)"), cmd_purge_history, TRUE, FALSE },
  { "enrol",      "URL --user U [--token-file F]",           N_("Sign this device in to the provincial server"), cmd_enrol, TRUE, TRUE },
  { "sync",       "[--json] [--token-file F]",               N_("Send the outbox and receive the server's news"), cmd_sync, TRUE, FALSE },
  { "outbox",     "[--json]",                                N_("List the reports waiting to be sent"), cmd_outbox, TRUE, FALSE },
  { "conflict",   "REPORT_ID [--take-province F]…",         N_("Compare a report in conflict with the province's copy, and choose per field"), cmd_conflict, TRUE, FALSE },
  { "bundle",     "export FILE | import FILE [--reply F]",   N_("Write the outbox to a bundle file, or import one"), cmd_bundle, TRUE, FALSE },
};

static void
print_help (FILE *stream)
{
  g_autoptr(GString) text = g_string_new (NULL);

  g_string_append_printf (text, "%s\n\n", _("Usage: baocao-cli [--workbook FILE] [--templates DIR] COMMAND …"));
  g_string_append_printf (text, "%s\n", _("Commands:"));
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_autofree char *name = pad (commands[i].name, 13);
      g_autofree char *arguments = pad (commands[i].arguments, 38);
      const char *summary = g_dgettext (GETTEXT_PACKAGE, commands[i].summary);

      /* Columns counted in characters ("…" is one); a name or arguments
       * too long for their column put the summary on a line of its own,
       * in its column, rather than pushing it out of line. */
      if (g_utf8_strlen (commands[i].name, -1) > 13 || g_utf8_strlen (commands[i].arguments, -1) > 38)
        g_string_append_printf (text, "  %s %s\n  %13s %38s %s\n", commands[i].name,
                                commands[i].arguments, "", "", summary);
      else
        g_string_append_printf (text, "  %s %s %s\n", name, arguments, summary);
    }
  g_string_append_printf (text, "\n%s\n", _("The default workbook is in your data folder; --workbook or BAOCAO_WORKBOOK names another."));
  fputs (text->str, stream);
}

int
bc_cli_run (int    argc,
            char **argv)
{
  Cli cli = { 0 };
  g_autoptr(GError) error = NULL;
  const Command *command = NULL;
  gboolean default_workbook = FALSE;
  int status;
  int i;

  bc_i18n_init ();
  cli.lang = bc_i18n_language ();

  /* Everything downstream (paths, values, messages) assumes UTF-8. */
  for (i = 1; i < argc; i++)
    {
      if (!g_utf8_validate (argv[i], -1, NULL))
        {
          err (_("Argument %d is not valid UTF-8 text. Type it again, or save the script as UTF-8."), i);
          return EXIT_USAGE;
        }
    }

  /* Global options come before the command. */
  for (i = 1; i < argc; i++)
    {
      const char *arg = argv[i];

      if (g_str_equal (arg, "--help") || g_str_equal (arg, "-h"))
        {
          print_help (stdout);
          g_free (cli.workbook_path);
          g_strfreev (cli.template_dirs);
          return 0;
        }
      else if (g_str_equal (arg, "--version"))
        {
          out ("baocao-cli %s\n", PACKAGE_VERSION);
          g_free (cli.workbook_path);
          g_strfreev (cli.template_dirs);
          return 0;
        }
      else if ((g_str_equal (arg, "--workbook") || g_str_equal (arg, "--templates")) && i + 1 < argc)
        {
          if (g_str_equal (arg, "--workbook"))
            {
              g_free (cli.workbook_path);
              cli.workbook_path = g_strdup (argv[++i]);
            }
          else
            {
              g_autoptr(GStrvBuilder) dirs = g_strv_builder_new ();

              if (cli.template_dirs != NULL)
                g_strv_builder_addv (dirs, (const char **) cli.template_dirs);
              g_strv_builder_add (dirs, argv[++i]);
              g_strfreev (cli.template_dirs);
              cli.template_dirs = g_strv_builder_end (dirs);
            }
        }
      else if (g_str_has_prefix (arg, "-"))
        {
          err (_("Unknown option “%s”. Run `baocao-cli --help`."), arg);
          g_free (cli.workbook_path);
          g_strfreev (cli.template_dirs);
          return EXIT_USAGE;
        }
      else
        break;
    }

  if (i >= argc)
    {
      print_help (stderr);
      g_free (cli.workbook_path);
      g_strfreev (cli.template_dirs);
      return EXIT_USAGE;
    }

  for (guint c = 0; c < G_N_ELEMENTS (commands); c++)
    {
      if (g_str_equal (argv[i], commands[c].name))
        command = &commands[c];
    }

  if (command == NULL)
    {
      err (_("Unknown command “%s”. Run `baocao-cli --help` to list the commands."), argv[i]);
      g_free (cli.workbook_path);
      g_strfreev (cli.template_dirs);
      return EXIT_USAGE;
    }

  cli.templates = bc_template_registry_new_default (&error);
  /* The forms the server published, where sync stores them. */
  if (cli.templates != NULL)
    bc_outbox_load_user_templates (cli.templates, NULL);
  for (guint d = 0; cli.templates != NULL && cli.template_dirs != NULL && cli.template_dirs[d] != NULL; d++)
    g_ptr_array_unref (bc_template_registry_load_directory (cli.templates, cli.template_dirs[d]));

  if (cli.templates == NULL)
    {
      status = fail (error);
      goto out;
    }

  /* A broken template file is set aside; everything else goes on. */
  report_template_problems (cli.templates);

  if (command->needs_workbook)
    {
      if (cli.workbook_path == NULL && g_getenv ("BAOCAO_WORKBOOK") != NULL)
        cli.workbook_path = g_strdup (g_getenv ("BAOCAO_WORKBOOK"));
      if (cli.workbook_path == NULL)
        {
          cli.workbook_path = bc_workbook_default_path ();
          default_workbook = TRUE;
        }

      /* The user's own workbook is made on first use; a workbook named on the
       * command line is created only by commands that add reports, so that a
       * mistyped --workbook does not silently start an empty one. */
      cli.workbook = bc_workbook_open (cli.workbook_path, cli.templates,
                                       default_workbook || command->creates
                                       ? BC_WORKBOOK_OPEN_CREATE : BC_WORKBOOK_OPEN_DEFAULT,
                                       &error);
      if (cli.workbook == NULL)
        {
          status = fail (error);
          goto out;
        }
    }

  status = command->func (&cli, argc - i, argv + i);

out:
  if (cli.workbook != NULL)
    bc_workbook_close (cli.workbook);
  g_clear_object (&cli.workbook);
  g_clear_object (&cli.templates);
  g_free (cli.workbook_path);
  g_strfreev (cli.template_dirs);
  fflush (stdout);

  return status;
}
