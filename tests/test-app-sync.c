/* test-app-sync.c: the window's sync against a real baocao-server process.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs under xvfb-run and dbus-run-session (see tests/meson.build). Starts
 * `baocao-server serve` on 127.0.0.1 with a unit and an account, opens a
 * workbook with one report ready to send in the real window, and drives it
 * through accessible names: enrol from the sync indicator, send, see the
 * receipt above the report; return the report on the server with a
 * comment, sync, and see the comment on top of the report; take it back to
 * draft, correct a field, and find "old → new" for it in the list of
 * changes since sent, by its accessible name, which takes the form back to
 * the field. Also: enrol from Preferences, and resolve a conflict with a
 * copy of the workbook, keeping fields from both sides. And the training
 * server: a demo workbook's whole cycle with no server process (returned
 * with the training reviewer's comment, corrected, accepted), a real
 * workbook refusing the training server and a demo workbook a real one,
 * in the window's words.
 */
#define G_LOG_DOMAIN "test-app-sync"

#include "config.h"

#include <locale.h>
#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#ifdef __linux__
#include <signal.h>
#include <sys/prctl.h>
#endif

#include "bc-application.h"
#include "bc-conflict-dialog.h"
#include "bc-demo.h"
#include "bc-entry.h"
#include "bc-form-view.h"
#include "bc-gui-test.h"
#include "bc-i18n.h"
#include "bc-outbox.h"
#include "bc-sync-client.h"
#include "bc-preferences-window.h"
#include "bc-review-banner.h"
#include "bc-sync-indicator.h"
#include "bc-training.h"
#include "bc-window.h"
#include "bc-test-util.h"

#define DEADLINE_SECONDS 60

#define REPORT_ID "11111111-2222-4333-8444-555555555555"
#define USER      "ubnd-son-tinh"
#define PASSWORD  "mật-khẩu đúng 1"
#define UNIT      "QNG-SONTINH"
#define COMMENT   "Bổ sung số liệu mục 4."

/* The window's words in the language it runs in (English unless the
 * screenshots ask for Vietnamese). */
#define T(s) g_dgettext (GETTEXT_PACKAGE, s)

/* A label's words without the mnemonic's underscore, as read aloud. */
static char *
plain (const char *label)
{
  GString *out = g_string_new (NULL);

  for (const char *p = label; *p != '\0'; p++)
    if (*p != '_')
      g_string_append_c (out, *p);
  return g_string_free (out, FALSE);
}

/* A format's text before its first conversion. */
static char *
prefix_of (const char *format)
{
  const char *percent = strchr (format, '%');

  return g_strndup (format, percent != NULL ? (gsize) (percent - format) : strlen (format));
}

static BcApplication *app;

typedef struct {
  BcWindow    *window;
  char        *dir;
  char        *data;
  char        *url;
  GSubprocess *server;
} Fixture;

typedef gboolean (*Condition) (gpointer data);

static gboolean
deadline_cb (gpointer data)
{
  gboolean *expired = data;

  *expired = TRUE;
  return G_SOURCE_REMOVE;
}

static void
spin_until_impl (Condition   condition,
                 gpointer    data,
                 const char *what)
{
  gboolean expired = FALSE;
  guint id = g_timeout_add_seconds (DEADLINE_SECONDS, deadline_cb, &expired);

  while (!condition (data) && !expired)
    g_main_context_iteration (NULL, TRUE);

  if (expired)
    g_error ("Timed out after %d s waiting for: %s", DEADLINE_SECONDS, what);
  g_source_remove (id);
}

#define spin_until(cond, data) spin_until_impl ((Condition) (cond), (data), #cond)

static void
drain (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

typedef gboolean (*WidgetMatch) (GtkWidget *widget, gconstpointer data);

static GtkWidget *
find_widget (GtkWidget     *root,
             WidgetMatch    match,
             gconstpointer  data)
{
  if (match (root, data))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, match, data);

      if (found != NULL)
        return found;
    }

  /* A menu button's popover is not among its children in 4.8's walk. */
  if (GTK_IS_MENU_BUTTON (root) && gtk_menu_button_get_popover (GTK_MENU_BUTTON (root)) != NULL)
    return find_widget (GTK_WIDGET (gtk_menu_button_get_popover (GTK_MENU_BUTTON (root))), match, data);

  return NULL;
}

static gboolean
match_type (GtkWidget     *widget,
            gconstpointer  type)
{
  return G_TYPE_CHECK_INSTANCE_TYPE (widget, GPOINTER_TO_SIZE (type));
}

static gboolean
match_editable_label (GtkWidget     *widget,
                      gconstpointer  label)
{
  g_autofree char *mismatch = NULL;

  if (!GTK_IS_EDITABLE (widget) || GTK_IS_TEXT (widget))
    return FALSE;
  /* Labelled by a visible label: the name a screen reader reads. */
  mismatch = gtk_test_accessible_check_property (GTK_ACCESSIBLE (widget),
                                                 GTK_ACCESSIBLE_PROPERTY_LABEL, label);
  if (mismatch == NULL)
    return TRUE;
  for (GtkWidget *sibling = gtk_widget_get_prev_sibling (widget); sibling != NULL;
       sibling = gtk_widget_get_prev_sibling (sibling))
    if (GTK_IS_LABEL (sibling))
      return gtk_label_get_mnemonic_widget (GTK_LABEL (sibling)) == widget
             && g_strcmp0 (gtk_label_get_text (GTK_LABEL (sibling)), label) == 0;
  return FALSE;
}

static gboolean
match_button_label (GtkWidget     *widget,
                    gconstpointer  label)
{
  return GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0;
}

static void
click (gpointer    root,
       const char *label)
{
  GtkWidget *button = find_widget (GTK_WIDGET (root), match_button_label, label);

  if (button == NULL)
    g_error ("No button “%s”", label);
  g_assert_true (gtk_widget_is_sensitive (button));
  gtk_widget_activate (button);
}

static GtkWidget *
find_input (gpointer    root,
            const char *label)
{
  GtkWidget *input = find_widget (GTK_WIDGET (root), match_editable_label, label);

  if (input == NULL)
    g_error ("No input named “%s”", label);
  return input;
}

static void
type_text (GtkWidget  *editable,
           const char *text)
{
  gtk_editable_delete_text (GTK_EDITABLE (editable), 0, -1);
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      int position = gtk_editable_get_position (GTK_EDITABLE (editable));
      char one[8] = { 0 };

      g_unichar_to_utf8 (g_utf8_get_char (p), one);
      gtk_editable_insert_text (GTK_EDITABLE (editable), one, -1, &position);
      gtk_editable_set_position (GTK_EDITABLE (editable), position);
    }
}

/* --- the server ------------------------------------------------------------ */

G_GNUC_UNUSED static void
die_with_parent (gpointer user_data)
{
  (void) user_data;
#ifdef __linux__
  prctl (PR_SET_PDEATHSIG, SIGTERM);
#endif
}

G_GNUC_NULL_TERMINATED
static void
admin (Fixture    *fixture,
       const char *first,
       ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  va_list args;

  g_ptr_array_add (argv, (gpointer) g_getenv ("BAOCAO_SERVER"));
  va_start (args, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, (gpointer) "--data");
  g_ptr_array_add (argv, fixture->data);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_newv ((const char * const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, NULL, &err, &error);
  g_assert_no_error (error);
  if (g_subprocess_get_exit_status (process) != 0)
    g_error ("baocao-server %s failed: %s", first, err);
}

/* On `listen` (host:port; port 0: any). */
static void
start_server_at (Fixture    *fixture,
                 const char *listen)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autofree char *line = NULL;
  const char *argv[] = { g_getenv ("BAOCAO_SERVER"), "serve", "--data", fixture->data,
                         "--listen", listen, "--rate-limit", "0", NULL };
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);

  /* Its first line is read, in English. */
  g_subprocess_launcher_setenv (launcher, "BAOCAO_LANGUAGE", "en", TRUE);
#ifdef G_OS_UNIX
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
#endif
  fixture->server = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (fixture->server));
  line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (line, "Listening on http://127.0.0.1:"));
  g_free (fixture->url);
  fixture->url = g_strdup (line + strlen ("Listening on "));
}

static void
start_server (Fixture *fixture)
{
  start_server_at (fixture, "127.0.0.1:0");
}

/* Adds the demo's complete 2018Q1 quarterly report to `workbook` as `id`
 * (for `unit` and `period` when given), ready to send. */
static void
add_ready_report (BcWorkbook *workbook,
                  const char *id,
                  const char *unit,
                  const char *period)
{
  g_autofree char *sample = g_build_filename (g_getenv ("G_TEST_SRCDIR"), "..", "data", "demo",
                                              "quang-ngai-2018q2.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonArray *reports;
  JsonObject *complete = NULL;

  json_parser_load_from_file (parser, sample, &error);
  g_assert_no_error (error);
  reports = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "reports");
  for (guint i = 0; i < json_array_get_length (reports); i++)
    {
      JsonObject *report = json_array_get_object_element (reports, i);

      if (g_str_equal (json_object_get_string_member (report, "period"), "2018Q1"))
        complete = report;
    }
  g_assert_nonnull (complete);
  json_object_set_string_member (complete, "id", id);
  if (unit != NULL)
    json_object_set_string_member (complete, "unit", unit);
  if (period != NULL)
    json_object_set_string_member (complete, "period", period);
  json_object_set_string_member (complete, "status", "draft");
  json_object_ref (complete);
  while (json_array_get_length (reports) > 0)
    json_array_remove_element (reports, 0);
  json_array_add_object_element (reports, complete);

  g_assert_cmpuint (bc_workbook_import_json (workbook, json_parser_get_root (parser), &error), ==, 1);
  g_assert_no_error (error);
  g_assert_true (bc_workbook_set_status (workbook, id, BC_STATUS_READY, NULL, &error));
  g_assert_no_error (error);
}

/* A workbook of the unit with one report, complete and ready to send. */
static char *
prepare_workbook (Fixture *fixture)
{
  g_autofree char *path = g_build_filename (fixture->dir, "officer.baocao", NULL);
  g_autoptr(BcTemplateRegistry) templates = NULL;
  g_autoptr(BcWorkbook) workbook = NULL;
  g_autoptr(GError) error = NULL;

  templates = bc_template_registry_new_default (&error);
  g_assert_no_error (error);
  workbook = bc_workbook_open (path, templates, BC_WORKBOOK_OPEN_CREATE, &error);
  g_assert_no_error (error);
  add_ready_report (workbook, REPORT_ID, UNIT, NULL);
  bc_workbook_close (workbook);

  return g_steal_pointer (&path);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *units = NULL;
  g_autofree char *password = NULL;

  (void) user_data;

  fixture->dir = g_dir_make_tmp ("test-app-sync-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->data = g_build_filename (fixture->dir, "server", NULL);
  units = g_build_filename (fixture->dir, "units.json", NULL);
  g_file_set_contents (units,
                       "{\"units\": ["
                       " {\"code\": \"QNG\", \"name\": \"UBND tỉnh Quảng Ngãi\", \"level\": \"province\"},"
                       " {\"code\": \"QNG-SONTINH\", \"name\": \"UBND huyện Sơn Tịnh\", \"level\": \"district\","
                       "  \"parent\": \"QNG\"}]}", -1, &error);
  g_assert_no_error (error);
  password = g_build_filename (fixture->dir, "password", NULL);
  g_file_set_contents (password, PASSWORD "\n", -1, &error);
  g_assert_no_error (error);
  admin (fixture, "units", "load", units, NULL);
  admin (fixture, "users", "add", USER, "--unit", UNIT, "--password-file", password, NULL);
  start_server (fixture);

  fixture->window = bc_window_new (app);
  gtk_window_present (GTK_WINDOW (fixture->window));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  (void) user_data;

  gtk_window_destroy (GTK_WINDOW (fixture->window));
  drain ();
  if (fixture->server != NULL)
    {
      g_subprocess_send_signal (fixture->server, 15);
      g_subprocess_wait (fixture->server, NULL, NULL);
      g_clear_object (&fixture->server);
    }
  bc_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->data);
  g_free (fixture->url);
}

/* --- conditions --------------------------------------------------------------- */

#define window_ready bc_gui_test_window_ready

static gboolean
controller_ready (BcSyncIndicator *indicator)
{
  BcSyncController *controller = bc_sync_indicator_get_controller (indicator);

  return controller != NULL && bc_sync_controller_get_ready (controller);
}

static guint wanted_syncs;

static gboolean
synced (BcSyncIndicator *indicator)
{
  BcSyncController *controller = bc_sync_indicator_get_controller (indicator);

  if (bc_sync_controller_get_last_error (controller) != NULL)
    g_error ("Sync failed: %s", bc_sync_controller_get_last_error (controller));
  return bc_sync_controller_get_enrolled (controller)
         && bc_sync_controller_get_n_synced (controller) >= wanted_syncs
         && !bc_sync_controller_get_running (controller);
}

static gboolean
new_controller_ready (BcSyncIndicator *indicator)
{
  BcSyncController *controller = bc_sync_indicator_get_controller (indicator);
  BcWindow *window = BC_WINDOW (gtk_widget_get_root (GTK_WIDGET (indicator)));

  return controller != NULL && bc_sync_controller_get_ready (controller)
         && bc_sync_controller_get_workbook (controller) == bc_window_get_workbook (window);
}

static gboolean
sync_failed (BcSyncController *controller)
{
  return bc_sync_controller_get_last_error (controller) != NULL
         && !bc_sync_controller_get_running (controller);
}

static gboolean
has_receipt (BcReviewBanner *banner)
{
  return bc_review_banner_get_receipt (banner) != NULL;
}

static gboolean
match_visible_comment (GtkWidget     *widget,
                       gconstpointer  text)
{
  return GTK_IS_LABEL (widget) && gtk_widget_is_drawable (widget)
         && strstr (gtk_label_get_text (GTK_LABEL (widget)), text) != NULL;
}

/* The reviewer's comment is on screen, above the form. */
static gboolean
comment_shown (BcWindow *window)
{
  return find_widget (GTK_WIDGET (window), match_visible_comment, COMMENT) != NULL;
}

static gboolean
match_name (GtkWidget     *widget,
            gconstpointer  name)
{
  return g_strcmp0 (gtk_widget_get_name (widget), name) == 0;
}

static GtkWidget *
find_named_menu_button (BcWindow *window)
{
  return find_widget (GTK_WIDGET (window), match_name, "sync-indicator");
}

/* With BAOCAO_SHOT_DIR set, a screenshot of the whole screen there (to
 * look at; nothing is checked on it). */
static void
shot (Fixture    *fixture,
      const char *name,
      gboolean    popup)
{
  const char *dir = g_getenv ("BAOCAO_SHOT_DIR");
  int widths[] = { 1280, 360 };

  if (dir == NULL)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (widths); i++)
    {
      g_autofree char *command = NULL;
      gint64 until;

      GtkMenuButton *button = GTK_MENU_BUTTON (find_named_menu_button (fixture->window));

      gtk_window_set_default_size (GTK_WINDOW (fixture->window), widths[i], 760);
      if (popup)
        gtk_menu_button_popup (button);
      else
        gtk_menu_button_popdown (button);
      until = g_get_monotonic_time () + G_USEC_PER_SEC;
      while (g_get_monotonic_time () < until)
        g_main_context_iteration (NULL, FALSE);
      command = g_strdup_printf ("import -window root %s/%s-%d-%s.png", dir, name, widths[i],
                                 g_getenv ("BAOCAO_LANGUAGE"));
      g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL);
    }
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), 1280, 760);
  /* Back at its width before the test goes on: at 360 px the form is laid
   * out otherwise. */
  {
    gint64 until = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;

    while (gtk_widget_get_width (GTK_WIDGET (fixture->window)) < 1280 && g_get_monotonic_time () < until)
      g_main_context_iteration (NULL, FALSE);
    drain ();
  }
}

/* --- changes since sent ------------------------------------------------------- */

static BcWindow *current_window;

static gboolean
report_is_draft (BcWindow *window)
{
  BcFormView *form = BC_FORM_VIEW (find_widget (GTK_WIDGET (window), match_type,
                                                GSIZE_TO_POINTER (BC_TYPE_FORM_VIEW)));
  BcReport *report = bc_form_view_get_report (form);

  return report != NULL && bc_report_get_status (report) == BC_STATUS_DRAFT;
}

static BcTemplate *
egov_template (void)
{
  static BcTemplateRegistry *templates;
  g_autoptr(GError) error = NULL;
  BcTemplate *template_;

  if (templates == NULL)
    templates = bc_template_registry_new_default (&error);
  g_assert_no_error (error);
  template_ = bc_template_registry_lookup (templates, "egov-quarterly", 1, &error);
  g_assert_no_error (error);
  return template_;
}

/* The field's label, as the form shows it. */
static const char *
field_name (const char *id)
{
  const BcField *field = bc_template_lookup_field (egov_template (), id);

  g_assert_nonnull (field);
  return bc_text_get (&field->label, bc_i18n_language ());
}

/* Where the change list says the field is: its section › its label. */
static char *
field_label (const char *id)
{
  const BcField *field = bc_template_lookup_field (egov_template (), id);
  const char *lang = bc_i18n_language ();

  return g_strdup_printf ("%s › %s", bc_text_get (&field->section->title, lang),
                          bc_text_get (&field->label, lang));
}

static gboolean
match_change (GtkWidget     *widget,
              gconstpointer  name)
{
  GtkWidget *list = gtk_widget_get_parent (widget);
  g_autofree char *mismatch = NULL;

  if (!GTK_IS_BUTTON (widget) || list == NULL
      || !gtk_widget_has_css_class (widget, "change"))
    return FALSE;
  if (name == NULL)
    return gtk_widget_is_drawable (widget);
  /* Named so for a screen reader. */
  mismatch = gtk_test_accessible_check_property (GTK_ACCESSIBLE (widget),
                                                 GTK_ACCESSIBLE_PROPERTY_LABEL, name);
  return mismatch == NULL;
}

/* A change button of the list named `name` (NULL: any shown). */
static GtkWidget *
find_change (BcWindow   *window,
             const char *name)
{
  return find_widget (GTK_WIDGET (window), match_change, name);
}

static gboolean
change_shown (const char *name)
{
  GtkWidget *change = find_change (current_window, name);

  return change != NULL && gtk_widget_is_drawable (change);
}

static gboolean
no_change_shown (BcWindow *window)
{
  return find_change (window, NULL) == NULL;
}

static GtkWidget *focus_wanted;

/* The focus is in `focus_wanted` (in its text, for an entry). */
static gboolean
input_focused (BcWindow *window)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (window));

  return focus != NULL && (focus == focus_wanted || gtk_widget_is_ancestor (focus, focus_wanted));
}

/* --- the test ------------------------------------------------------------------ */

static void
test_enrol_send_return (Fixture       *fixture,
                        gconstpointer  user_data)
{
  g_autofree char *path = prepare_workbook (fixture);
  g_autofree char *token_file = g_build_filename (fixture->dir, "token", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  BcSyncIndicator *indicator;
  BcSyncController *controller;
  BcReviewBanner *banner;
  const char *status;
  g_autofree char *address_label = plain (T ("Server _address"));
  g_autofree char *user_label = plain (T ("_User name"));
  g_autofree char *password_label = plain (T ("_Password"));
  g_autofree char *synced_prefix = prefix_of (T ("Synced at %s"));
  g_autofree char *receipt_prefix = prefix_of (T ("Received by the province: receipt %s at %s."));

  (void) user_data;

  current_window = fixture->window;
  bc_window_open_workbook (fixture->window, file);
  spin_until (window_ready, fixture->window);
  indicator = BC_SYNC_INDICATOR (find_widget (GTK_WIDGET (fixture->window), match_type,
                                              GSIZE_TO_POINTER (BC_TYPE_SYNC_INDICATOR)));
  g_assert_nonnull (indicator);
  spin_until (controller_ready, indicator);
  controller = bc_sync_indicator_get_controller (indicator);
  /* No keyring on the test's session bus: the token goes to a file. */
  bc_sync_controller_set_token_file (controller, token_file);

  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (indicator)));
  shot (fixture, "enrol", TRUE);
  g_assert_false (bc_sync_controller_get_enrolled (controller));
  g_assert_cmpstr (bc_sync_indicator_get_status (indicator), ==, T ("Not set up"));

  /* The officer opens the indicator's popover, as a click on it does. */
  gtk_menu_button_popup (GTK_MENU_BUTTON (find_widget (GTK_WIDGET (indicator), match_type,
                                                       GSIZE_TO_POINTER (GTK_TYPE_MENU_BUTTON))));
  drain ();

  /* A wrong password is said in plain words, and nothing is enrolled. */
  type_text (find_input (indicator, address_label), fixture->url);
  type_text (find_input (indicator, user_label), USER);
  type_text (find_input (indicator, password_label), "sai");
  click (indicator, T ("Sign _In"));
  spin_until (gtk_widget_is_sensitive, find_widget (GTK_WIDGET (indicator), match_button_label, T ("Sign _In")));
  g_assert_false (bc_sync_controller_get_enrolled (controller));
  g_assert_false (g_file_test (token_file, G_FILE_TEST_EXISTS));

  type_text (find_input (indicator, password_label), PASSWORD);
  click (indicator, T ("Sign _In"));

  /* Enrolled, it sends at once by itself: the report goes, and its receipt
   * shows above it. */
  wanted_syncs = 1;
  spin_until (synced, indicator);
  g_assert_null (bc_sync_controller_get_last_error (controller));
  g_assert_true (g_file_test (token_file, G_FILE_TEST_EXISTS));
  status = bc_sync_indicator_get_status (indicator);
  g_assert_true (g_str_has_prefix (status, synced_prefix));

  g_assert_true (bc_window_select_report (fixture->window, REPORT_ID));
  banner = BC_REVIEW_BANNER (find_widget (GTK_WIDGET (fixture->window), match_type,
                                          GSIZE_TO_POINTER (BC_TYPE_REVIEW_BANNER)));
  g_assert_nonnull (banner);
  spin_until (has_receipt, banner);
  g_assert_nonnull (strstr (bc_review_banner_get_receipt (banner), receipt_prefix));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (banner)));
  g_assert_false (comment_shown (fixture->window));
  shot (fixture, "receipt", FALSE);

  /* The province returns it with a comment; "Send Now" brings it back and
   * the comment is on top of the report. */
  admin (fixture, "review", "return", REPORT_ID, "--comment", COMMENT, "--reviewer", "Nguyễn Văn A", NULL);
  gtk_menu_button_popup (GTK_MENU_BUTTON (find_widget (GTK_WIDGET (indicator), match_type,
                                                       GSIZE_TO_POINTER (GTK_TYPE_MENU_BUTTON))));
  drain ();
  click (indicator, T ("_Send Now"));
  wanted_syncs = 2;
  spin_until (synced, indicator);
  spin_until (comment_shown, fixture->window);
  /* Said once, and its own full stop is not followed by another. */
  {
    g_autoptr(GPtrArray) labels = bc_gui_test_collect_by_type (GTK_WIDGET (fixture->window), GTK_TYPE_LABEL);
    guint n_shown = 0;

    bc_gui_test_spin (300);
    for (guint i = 0; i < labels->len; i++)
      if (match_visible_comment (g_ptr_array_index (labels, i), COMMENT))
        {
          const char *text = gtk_label_get_text (GTK_LABEL (g_ptr_array_index (labels, i)));

          g_test_message ("comment shown in: %s", text);
          g_assert_null (strstr (text, ".”."));
          n_shown++;
        }
    g_assert_cmpuint (n_shown, ==, 1);
  }
  /* The receipt stays: the province has that revision. */
  spin_until (has_receipt, banner);
  shot (fixture, "returned", FALSE);

  /* The officer takes it back to draft and corrects a field: under the
   * comment, which stays, the change is listed as "old → new", a button
   * named so that takes the form back to the field. */
  click (fixture->window, T ("_Back to Draft"));
  spin_until (report_is_draft, fixture->window);
  g_assert_true (comment_shown (fixture->window));
  g_assert_null (find_change (fixture->window, NULL));
  {
    g_autofree char *label = field_label ("services_level3");
    g_autofree char *expected = g_strdup_printf (T ("%s: %s → %s"), label, "60", "61");
    GtkWidget *input = find_input (fixture->window, field_name ("services_level3"));
    GtkWidget *change;

    g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (input)), ==, "60");
    gtk_widget_grab_focus (input);
    type_text (input, "61");
    spin_until_impl ((Condition) change_shown, expected, expected);
    change = find_change (fixture->window, expected);
    g_assert_true (gtk_widget_is_drawable (change));
    g_assert_true (comment_shown (fixture->window));
    shot (fixture, "changed", FALSE);

    /* Elsewhere in the form, then the change takes the officer back. */
    gtk_widget_grab_focus (find_input (fixture->window, field_name ("services_level4")));
    g_assert_false (gtk_widget_has_focus (input));
    gtk_widget_activate (find_change (fixture->window, expected));
    /* A button's activation clicks it a moment later. */
    focus_wanted = input;
    spin_until (input_focused, fixture->window);

    /* Put back as it was sent, the field is no longer a change. */
    type_text (input, "60");
    spin_until (no_change_shown, fixture->window);
  }

  /* Opened again after a restart with the server gone, the window still
   * knows when it last synced: the time is kept in the workbook, and a
   * sync that fails does not move it. */
  {
    gint64 last = bc_sync_controller_get_last_synced (controller);

    g_assert_cmpint (last, >, 0);
    g_subprocess_force_exit (fixture->server);
    g_subprocess_wait (fixture->server, NULL, NULL);
    g_clear_object (&fixture->server);
    bc_window_open_workbook (fixture->window, file);
    spin_until (window_ready, fixture->window);
    indicator = BC_SYNC_INDICATOR (find_widget (GTK_WIDGET (fixture->window), match_type,
                                                GSIZE_TO_POINTER (BC_TYPE_SYNC_INDICATOR)));
    /* The indicator takes the new workbook's controller when the window
     * tells it, which may come after the window is ready. */
    spin_until (new_controller_ready, indicator);
    controller = bc_sync_indicator_get_controller (indicator);
    g_assert_true (bc_sync_controller_get_workbook (controller) == bc_window_get_workbook (fixture->window));
    g_assert_cmpint (bc_sync_controller_get_last_synced (controller), ==, last);
    spin_until (sync_failed, controller);
    g_assert_cmpuint (bc_sync_controller_get_n_synced (controller), ==, 0);
    g_assert_cmpint (bc_sync_controller_get_last_synced (controller), ==, last);
  }
}

/* Enrolment from Preferences: the Provincial Server group says the workbook
 * is not set up, signs it in with the address, user name and password (a
 * wrong password is said and enrols nothing), then says what it sends to,
 * and the indicator in the window follows. */
static BcPreferencesWindow *
find_preferences (void)
{
  return BC_PREFERENCES_WINDOW (bc_gui_test_find_toplevel (BC_TYPE_PREFERENCES_WINDOW));
}

static gboolean
preferences_shown (gpointer unused)
{
  (void) unused;
  return find_preferences () != NULL;
}

static GtkWidget *
find_named (gpointer    root,
            const char *name)
{
  GtkWidget *widget = find_widget (GTK_WIDGET (root), match_name, name);

  if (widget == NULL)
    g_error ("No widget named “%s”", name);
  return widget;
}

static gboolean
not_enrolling (GtkWidget *button)
{
  /* Sensitive again once the answer came, or hidden once enrolled. */
  return gtk_widget_is_sensitive (button) || !gtk_widget_get_visible (gtk_widget_get_parent (button));
}

static guint
count_files (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  guint n = 0;

  while (dir != NULL && g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

static void
test_enrol_from_preferences (Fixture       *fixture,
                             gconstpointer  user_data)
{
  g_autofree char *path = prepare_workbook (fixture);
  g_autofree char *tokens_dir = g_build_filename (g_get_user_data_dir (), "baocao", "tokens", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autofree char *synced_prefix = prefix_of (T ("Synced at %s"));
  BcPreferencesWindow *preferences;
  BcSyncIndicator *indicator;
  BcSyncController *controller;
  GtkWidget *account, *error_label, *sign_in;
  const char *subtitle;

  (void) user_data;

  bc_window_open_workbook (fixture->window, file);
  spin_until (window_ready, fixture->window);
  indicator = BC_SYNC_INDICATOR (find_widget (GTK_WIDGET (fixture->window), match_type,
                                              GSIZE_TO_POINTER (BC_TYPE_SYNC_INDICATOR)));
  spin_until (controller_ready, indicator);
  controller = bc_sync_indicator_get_controller (indicator);
  g_assert_true (bc_window_get_sync_controller (fixture->window) == controller);
  /* No token file named, and no keyring on the test's session bus: the
   * window keeps the token in a file of the user's own. */

  /* Preferences (Ctrl+,) over this window. */
  g_action_group_activate_action (G_ACTION_GROUP (app), "preferences", NULL);
  spin_until (preferences_shown, NULL);
  preferences = find_preferences ();
  drain ();

  account = find_named (preferences, "account-row");
  g_assert_true (gtk_widget_get_visible (find_named (preferences, "user-row")));
  g_assert_true (gtk_widget_get_visible (find_named (preferences, "password-row")));
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (account)), ==,
                   T ("Not set up: enter the user name and password the province gave you, then Sign In."));

  gtk_editable_set_text (GTK_EDITABLE (find_named (preferences, "server-row")), fixture->url);
  type_text (find_named (preferences, "user-row"), USER);
  type_text (find_named (preferences, "password-row"), "sai");
  sign_in = find_widget (GTK_WIDGET (preferences), match_button_label, T ("Sign _In"));
  g_assert_nonnull (sign_in);
  /* Clicked at once (a keyboard activation clicks only 250 ms later). */
  g_signal_emit_by_name (sign_in, "clicked");
  g_assert_false (gtk_widget_is_sensitive (sign_in));
  spin_until (not_enrolling, sign_in);
  error_label = find_named (preferences, "enrol-error");
  g_assert_true (gtk_widget_get_visible (error_label));
  g_test_message ("wrong password: %s", gtk_label_get_text (GTK_LABEL (error_label)));
  /* Said once, in plain words, with what to do. */
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (error_label)), ==,
                   T ("The user name or password is wrong. Check them and try again."));
  g_assert_false (bc_sync_controller_get_enrolled (controller));
  g_assert_cmpuint (count_files (tokens_dir), ==, 0);
  g_assert_true (gtk_widget_get_visible (find_named (preferences, "password-row")));
  bc_gui_test_save_png (GTK_WIDGET (preferences), "preferences-wrong-password");

  type_text (find_named (preferences, "password-row"), PASSWORD);
  g_signal_emit_by_name (sign_in, "clicked");
  wanted_syncs = 1;
  spin_until (synced, indicator);
  {
    g_autoptr(GDir) dir = g_dir_open (tokens_dir, 0, NULL);
    const char *name = dir != NULL ? g_dir_read_name (dir) : NULL;
    g_autofree char *token = name != NULL ? g_build_filename (tokens_dir, name, NULL) : NULL;
    GStatBuf st;

    g_assert_nonnull (name);
    g_assert_true (g_str_has_suffix (name, ".token"));
    g_assert_cmpint (g_stat (token, &st), ==, 0);
#ifndef G_OS_WIN32
    g_assert_cmpint (st.st_mode & 0077, ==, 0);
#endif
  }
  subtitle = adw_action_row_get_subtitle (ADW_ACTION_ROW (account));
  g_test_message ("account row: %s", subtitle);
  g_assert_nonnull (strstr (subtitle, fixture->url));
  g_assert_nonnull (strstr (subtitle, "Sơn Tịnh"));
  g_assert_false (gtk_widget_get_visible (find_named (preferences, "password-row")));
  /* The password is not kept on screen. */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (find_named (preferences, "password-row"))), ==, "");
  g_assert_true (g_str_has_prefix (bc_sync_indicator_get_status (indicator), synced_prefix));
  bc_gui_test_save_png (GTK_WIDGET (preferences), "preferences-enrolled");
  gtk_window_destroy (GTK_WINDOW (preferences));
  drain ();
}

/* --- a conflict, resolved per field ------------------------------------------- */

#define PROVINCE_POLICIES "Bản tỉnh: chính sách"
#define PROVINCE_ARCH     "Bản tỉnh: kiến trúc"
#define MINE_POLICIES     "Máy này: chính sách"
#define MINE_ARCH         "Máy này: kiến trúc"
#define MINE_DIFFICULTIES "Máy này: khó khăn"

static void
on_result (GObject      *source,
           GAsyncResult *result,
           gpointer      data)
{
  (void) source;
  *(GAsyncResult **) data = g_object_ref (result);
}

static gboolean
have_result (GAsyncResult **slot)
{
  return *slot != NULL;
}

/* Another device's part, without the window: a client of `path` syncs
 * (enrolling first when `enrol`), and the results are checked. */
static void
device_sync (Fixture    *fixture,
             BcWorkbook *workbook,
             gboolean    enrol,
             const char *expected)
{
  g_autofree char *token_file = g_build_filename (fixture->dir, "device-token", NULL);
  g_autoptr(BcSyncClient) client = bc_sync_client_new (workbook);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(BcSyncSummary) summary = NULL;

  bc_sync_client_set_token_file (client, token_file);
  if (enrol)
    {
      g_autoptr(BcSyncEnrolment) enrolment = NULL;

      bc_sync_client_enrol_async (client, fixture->url, USER, PASSWORD, "test", NULL, on_result, &result);
      spin_until (have_result, &result);
      enrolment = bc_sync_client_enrol_finish (client, result, &error);
      g_assert_no_error (error);
      g_clear_object (&result);
    }
  bc_sync_client_sync_async (client, NULL, on_result, &result);
  spin_until (have_result, &result);
  summary = bc_sync_client_sync_finish (client, result, &error);
  g_assert_no_error (error);
  if (expected != NULL)
    {
      g_assert_cmpuint (summary->results->len, ==, 1);
      g_assert_cmpstr (bc_sync_result_kind_to_string (((BcSyncPushResult *) g_ptr_array_index (summary->results, 0))->result),
                       ==, expected);
    }
}

static BcWorkbook *
open_workbook (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BcTemplateRegistry) templates = bc_template_registry_new_default (&error);
  BcWorkbook *workbook;

  g_assert_no_error (error);
  workbook = bc_workbook_open (path, templates, BC_WORKBOOK_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  return workbook;
}

static void
edit (BcWorkbook  *workbook,
      const char  *first_key,
      ...)
{
  g_autoptr(GError) error = NULL;
  va_list args;

  g_assert_true (bc_workbook_set_status (workbook, REPORT_ID, BC_STATUS_DRAFT, NULL, &error));
  va_start (args, first_key);
  for (const char *key = first_key; key != NULL; key = va_arg (args, const char *))
    {
      const char *value = va_arg (args, const char *);

      g_assert_true (bc_workbook_set_value (workbook, REPORT_ID, key, 0, value, &error));
      g_assert_no_error (error);
    }
  va_end (args);
  g_assert_true (bc_workbook_set_status (workbook, REPORT_ID, BC_STATUS_READY, NULL, &error));
  g_assert_no_error (error);
}

/* The report as the server holds it (`reports show`). */
static JsonNode *
server_report (Fixture *fixture)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  JsonNode *root;

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, g_getenv ("BAOCAO_SERVER"),
                              "reports", "show", REPORT_ID, "--data", fixture->data, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
  root = json_from_string (out, &error);
  g_assert_no_error (error);
  return root;
}

static const char *
server_value (JsonNode   *report,
              const char *key)
{
  JsonObject *content = json_object_get_object_member (json_node_get_object (report), "content");

  return json_object_get_string_member_with_default (json_object_get_object_member (content, "values"),
                                                     key, NULL);
}

static BcConflictDialog *
find_conflict_dialog (void)
{
  return (BcConflictDialog *) bc_gui_test_find_toplevel (BC_TYPE_CONFLICT_DIALOG);
}

static gboolean
conflict_dialog_shown (gpointer unused)
{
  (void) unused;
  return find_conflict_dialog () != NULL;
}

static gboolean
conflict_dialog_gone (gpointer unused)
{
  (void) unused;
  return find_conflict_dialog () == NULL;
}

static gboolean
compare_shown (BcWindow *window)
{
  GtkWidget *button = find_widget (GTK_WIDGET (window), match_button_label, T ("_Compare…"));

  return button != NULL && gtk_widget_is_drawable (button);
}

static gboolean
compare_hidden (BcWindow *window)
{
  return !compare_shown (window);
}

static gboolean
match_accessible_toggle (GtkWidget     *widget,
                         gconstpointer  name)
{
  g_autofree char *mismatch = NULL;

  if (!GTK_IS_TOGGLE_BUTTON (widget))
    return FALSE;
  mismatch = gtk_test_accessible_check_property (GTK_ACCESSIBLE (widget),
                                                 GTK_ACCESSIBLE_PROPERTY_LABEL, name);
  return mismatch == NULL;
}

/* The choice "Province: value" (`province`) or "This computer: value". */
static GtkToggleButton *
find_choice (gpointer    root,
             gboolean    province,
             const char *value)
{
  g_autofree char *name = province ? g_strdup_printf (T ("Province: %s"), value)
                                   : g_strdup_printf (T ("This computer: %s"), value);
  GtkWidget *toggle = find_widget (GTK_WIDGET (root), match_accessible_toggle, name);

  if (toggle == NULL)
    g_error ("No choice named “%s”", name);
  return GTK_TOGGLE_BUTTON (toggle);
}

static BcSyncController *conflict_controller;
static guint conflict_syncs;

/* A sync after the one counted in conflict_syncs ended well, and the
 * report is no longer in conflict here. */
static gboolean
resolved_and_sent (BcWorkbook *workbook)
{
  g_autoptr(BcSyncState) state = NULL;

  if (bc_sync_controller_get_n_synced (conflict_controller) <= conflict_syncs
      || bc_sync_controller_get_running (conflict_controller)
      || bc_sync_controller_get_last_error (conflict_controller) != NULL)
    return FALSE;
  state = bc_outbox_get_state (workbook, REPORT_ID, NULL);
  return state != NULL && !state->conflict && state->acked_revision > 0
         && state->receipt_number != NULL;
}

/* The same report changed in this workbook and in a copy of it: the copy
 * sent first, this one is kept beside it as a conflict. The window says so
 * above the report; "Compare…" fetches the province's copy (offline:
 * said in plain words, "Try Again" once the server is back), shows each
 * difference with "This computer" chosen, and the officer takes the
 * province's policies and keeps their own architecture and difficulties.
 * "Keep These" sends the mix, now the province's current revision, and
 * every earlier revision stays on the server. */
static void
test_conflict (Fixture       *fixture,
               gconstpointer  user_data)
{
  g_autofree char *path = prepare_workbook (fixture);
  g_autofree char *other = g_build_filename (fixture->dir, "other.baocao", NULL);
  g_autofree char *token_file = g_build_filename (fixture->dir, "token", NULL);
  g_autofree char *device_token = g_build_filename (fixture->dir, "device-token", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *listen = NULL;
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) before = NULL;
  g_autoptr(JsonNode) after = NULL;
  g_autofree char *offline_prefix = prefix_of (T ("Cannot reach the server %s (%s). Check the network connection; "
                                                  "your reports stay here and go at the first sync once it is back."));
  BcWorkbook *workbook;
  BcSyncIndicator *indicator;
  BcConflictDialog *dialog;
  gsize length;

  (void) user_data;

  /* Sent, returned, copied; the copy sends first, this one conflicts. */
  workbook = open_workbook (path);
  device_sync (fixture, workbook, TRUE, "stored");
  admin (fixture, "review", "return", REPORT_ID, "--comment", COMMENT, NULL);
  device_sync (fixture, workbook, FALSE, NULL);
  bc_workbook_close (workbook);
  g_object_unref (workbook);
  g_assert_true (g_file_get_contents (path, &contents, &length, &error));
  g_assert_true (g_file_set_contents (other, contents, (gssize) length, &error));
  g_assert_no_error (error);

  workbook = open_workbook (other);
  edit (workbook, "policies_text", PROVINCE_POLICIES, "architecture_text", PROVINCE_ARCH, NULL);
  device_sync (fixture, workbook, FALSE, "stored");
  bc_workbook_close (workbook);
  g_object_unref (workbook);

  workbook = open_workbook (path);
  edit (workbook, "policies_text", MINE_POLICIES, "architecture_text", MINE_ARCH,
        "difficulties_text", MINE_DIFFICULTIES, NULL);
  device_sync (fixture, workbook, FALSE, "conflict");
  bc_workbook_close (workbook);
  g_object_unref (workbook);
  before = server_report (fixture);

  /* In the window: the conflict is said above the report. */
  g_assert_true (g_file_copy (g_file_new_for_path (device_token), g_file_new_for_path (token_file),
                              G_FILE_COPY_NONE, NULL, NULL, NULL, &error));
  bc_window_open_workbook (fixture->window, file);
  spin_until (window_ready, fixture->window);
  indicator = BC_SYNC_INDICATOR (find_widget (GTK_WIDGET (fixture->window), match_type,
                                              GSIZE_TO_POINTER (BC_TYPE_SYNC_INDICATOR)));
  spin_until (controller_ready, indicator);
  conflict_controller = bc_sync_indicator_get_controller (indicator);
  bc_sync_controller_set_token_file (conflict_controller, token_file);
  g_assert_true (bc_window_select_report (fixture->window, REPORT_ID));
  spin_until (compare_shown, fixture->window);
  shot (fixture, "conflict", FALSE);

  /* Offline: said plainly, and "Try Again" once the link is back. */
  listen = g_strdup (fixture->url + strlen ("http://"));
  g_subprocess_force_exit (fixture->server);
  g_subprocess_wait (fixture->server, NULL, NULL);
  g_clear_object (&fixture->server);
  click (fixture->window, T ("_Compare…"));
  spin_until (conflict_dialog_shown, NULL);
  dialog = find_conflict_dialog ();
  spin_until (bc_conflict_dialog_get_ready, dialog);
  g_test_message ("offline: %s", bc_conflict_dialog_get_error (dialog));
  g_assert_nonnull (bc_conflict_dialog_get_error (dialog));
  g_assert_true (g_str_has_prefix (bc_conflict_dialog_get_error (dialog), offline_prefix));
  g_assert_false (gtk_widget_is_sensitive (find_widget (GTK_WIDGET (dialog), match_button_label,
                                                        T ("_Keep These"))));
  bc_gui_test_save_png (GTK_WIDGET (dialog), "conflict-offline");

  start_server_at (fixture, listen);
  /* Clicked at once (a keyboard activation clicks only 250 ms later). */
  g_signal_emit_by_name (find_widget (GTK_WIDGET (dialog), match_button_label, T ("_Try Again")), "clicked");
  g_assert_false (bc_conflict_dialog_get_ready (dialog));
  spin_until (bc_conflict_dialog_get_ready, dialog);
  g_assert_null (bc_conflict_dialog_get_error (dialog));

  /* Side by side, this computer chosen at first. */
  g_assert_true (gtk_toggle_button_get_active (find_choice (dialog, FALSE, MINE_POLICIES)));
  g_assert_false (gtk_toggle_button_get_active (find_choice (dialog, TRUE, PROVINCE_POLICIES)));
  g_assert_true (gtk_toggle_button_get_active (find_choice (dialog, FALSE, MINE_ARCH)));
  g_assert_true (gtk_toggle_button_get_active (find_choice (dialog, FALSE, MINE_DIFFICULTIES)));
  find_choice (dialog, TRUE, "—");

  /* The province's policies; the rest from here. */
  g_signal_emit_by_name (find_choice (dialog, TRUE, PROVINCE_POLICIES), "clicked");
  g_assert_true (gtk_toggle_button_get_active (find_choice (dialog, TRUE, PROVINCE_POLICIES)));
  g_assert_false (gtk_toggle_button_get_active (find_choice (dialog, FALSE, MINE_POLICIES)));
  bc_gui_test_save_png (GTK_WIDGET (dialog), "conflict-compare");
  conflict_syncs = bc_sync_controller_get_n_synced (conflict_controller);
  click (dialog, T ("_Keep These"));
  spin_until (conflict_dialog_gone, NULL);
  spin_until (resolved_and_sent, bc_window_get_workbook (fixture->window));
  spin_until (compare_hidden, fixture->window);

  /* On the server: the mix is current, and nothing was lost. */
  after = server_report (fixture);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (after), "current_revision"), >,
                   json_object_get_int_member (json_node_get_object (before), "current_revision"));
  g_assert_cmpstr (server_value (after, "policies_text"), ==, PROVINCE_POLICIES);
  g_assert_cmpstr (server_value (after, "architecture_text"), ==, MINE_ARCH);
  g_assert_cmpstr (server_value (after, "difficulties_text"), ==, MINE_DIFFICULTIES);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (after), "revisions")),
                    ==, json_array_get_length (json_object_get_array_member (json_node_get_object (before), "revisions")) + 1);
}

/* --- the training server ------------------------------------------------------ */

#define TRAINING_REPORT_ID "99999999-2222-4333-8444-555555555555"

/* The demo workbook of the app, installed at dir/name, with one more
 * report (the complete 2018Q1 one, for 2019Q1) ready to send. */
static char *
prepare_demo (Fixture    *fixture,
              const char *name)
{
  g_autofree char *path = g_build_filename (fixture->dir, name, NULL);
  g_autoptr(BcTemplateRegistry) templates = NULL;
  g_autoptr(BcWorkbook) workbook = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (bc_demo_install (path, &error));
  g_assert_no_error (error);
  templates = bc_template_registry_new_default (&error);
  g_assert_no_error (error);
  workbook = bc_workbook_open (path, templates, BC_WORKBOOK_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_cmpint (bc_workbook_get_kind (workbook), ==, BC_WORKBOOK_KIND_DEMO);
  add_ready_report (workbook, TRAINING_REPORT_ID, NULL, "2019Q1");
  bc_workbook_close (workbook);
  return g_steal_pointer (&path);
}

static guint wanted_demo_syncs;

static gboolean
demo_synced (BcSyncController *controller)
{
  if (bc_sync_controller_get_last_error (controller) != NULL)
    g_error ("Sync failed: %s", bc_sync_controller_get_last_error (controller));
  return bc_sync_controller_get_n_synced (controller) >= wanted_demo_syncs
         && !bc_sync_controller_get_running (controller);
}

static BcStatus wanted_status;

static gboolean
report_has_status (BcWindow *window)
{
  BcReport *report = bc_form_view_get_report (bc_window_get_form_view (window));

  return report != NULL && g_strcmp0 (bc_report_get_id (report), TRAINING_REPORT_ID) == 0
         && bc_report_get_status (report) == wanted_status;
}

static guint wanted_waiting;

/* The indicator's words say `wanted_waiting` reports wait to be sent
 * (none: no such words). */
static gboolean
indicator_counts_waiting (BcSyncIndicator *indicator)
{
  const char *status = bc_sync_indicator_get_status (indicator);
  g_autofree char *one = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u report waiting to send",
                                                       "%u reports waiting to send", 1), 1u);
  g_autofree char *wanted = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u report waiting to send",
                                                          "%u reports waiting to send", wanted_waiting),
                                             wanted_waiting);
  const char *words = strchr (one, ' ');

  if (wanted_waiting == 0)
    return status != NULL && strstr (status, words) == NULL;
  return g_strcmp0 (status, wanted) == 0;
}

static const char *wanted_text;

static gboolean
text_shown (BcWindow *window)
{
  return find_widget (GTK_WIDGET (window), match_visible_comment, wanted_text) != NULL;
}

static void
send_now (BcSyncIndicator *indicator)
{
  gtk_menu_button_popup (GTK_MENU_BUTTON (find_widget (GTK_WIDGET (indicator), match_type,
                                                       GSIZE_TO_POINTER (GTK_TYPE_MENU_BUTTON))));
  drain ();
  click (indicator, T ("_Send Now"));
}

/* A trainee's whole cycle in the window, with no server but the training
 * one inside Baocao: send → the training reviewer returns the report with
 * a comment, shown on top of it → back to draft, correct, mark ready →
 * send again → accepted. */
static void
test_training_cycle (Fixture       *fixture,
                     gconstpointer  user_data)
{
  g_autofree char *path = NULL;
  g_autoptr(GFile) file = NULL;
  BcSyncIndicator *indicator;
  BcSyncController *controller;
  GtkWidget *input;

  (void) user_data;

  /* No server process: the demo workbook brings its own. */
  g_subprocess_force_exit (fixture->server);
  g_subprocess_wait (fixture->server, NULL, NULL);
  g_clear_object (&fixture->server);

  path = prepare_demo (fixture, "demo.baocao");
  file = g_file_new_for_path (path);
  current_window = fixture->window;
  bc_window_open_workbook (fixture->window, file);
  spin_until (window_ready, fixture->window);
  g_assert_true (bc_window_get_demo (fixture->window));
  indicator = BC_SYNC_INDICATOR (find_widget (GTK_WIDGET (fixture->window), match_type,
                                              GSIZE_TO_POINTER (BC_TYPE_SYNC_INDICATOR)));
  spin_until (new_controller_ready, indicator);
  controller = bc_sync_indicator_get_controller (indicator);
  g_assert_true (bc_sync_controller_get_demo (controller));

  /* A demo workbook sends when asked. */
  send_now (indicator);
  wanted_demo_syncs = 1;
  spin_until (demo_synced, controller);

  g_assert_true (bc_window_select_report (fixture->window, TRAINING_REPORT_ID));
  wanted_status = BC_STATUS_RETURNED;
  spin_until (report_has_status, fixture->window);
  wanted_text = T ("Training: check the figures against your records, "
                   "correct what is wrong and send the report again.");
  spin_until (text_shown, fixture->window);
  /* Nothing is waiting to send any more: the indicator says so, although
   * the list's items only changed their status in place. */
  wanted_waiting = 0;
  spin_until (indicator_counts_waiting, indicator);
  shot (fixture, "training-returned", FALSE);

  /* Corrected and sent again, it is accepted. */
  click (fixture->window, T ("_Back to Draft"));
  wanted_status = BC_STATUS_DRAFT;
  spin_until (report_has_status, fixture->window);
  input = find_input (fixture->window, field_name ("doc_number"));
  gtk_widget_grab_focus (input);
  type_text (input, "12/BC-UBND");
  bc_gui_test_wait_saved (bc_window_get_form_view (fixture->window));
  click (fixture->window, T ("_Mark Ready"));
  wanted_status = BC_STATUS_READY;
  spin_until (report_has_status, fixture->window);
  wanted_waiting = 1;
  spin_until (indicator_counts_waiting, indicator);

  send_now (indicator);
  wanted_demo_syncs = 2;
  spin_until (demo_synced, controller);
  wanted_status = BC_STATUS_ACCEPTED;
  spin_until (report_has_status, fixture->window);
  g_assert_cmpstr (bc_report_get_value (bc_form_view_get_report (bc_window_get_form_view (fixture->window)),
                                        "doc_number", 0), ==, "12/BC-UBND");
  shot (fixture, "training-accepted", FALSE);
}

static gboolean
enrol_answered (gpointer data)
{
  return *(GAsyncResult **) data != NULL;
}

/* A real workbook refuses the training server, and a demo workbook a real
 * server: both said in the window's words, and nothing is enrolled. */
static void
test_training_refusals (Fixture       *fixture,
                        gconstpointer  user_data)
{
  g_autofree char *real = prepare_workbook (fixture);
  g_autofree char *demo = prepare_demo (fixture, "demo.baocao");
  g_autofree char *token_file = g_build_filename (fixture->dir, "token", NULL);
  g_autofree char *training_prefix = prefix_of (T ("The server at %s is a training server: it takes only "
                                                   "demo workbooks. This workbook holds real reports; "
                                                   "send them to your province's server."));
  g_autofree char *demo_prefix = prefix_of (T ("This is a demo workbook: it syncs only with the training "
                                               "server, never with a real server such as %s. Open your "
                                               "own workbook to send reports."));
  g_autofree char *address_label = plain (T ("Server _address"));
  g_autofree char *user_label = plain (T ("_User name"));
  g_autofree char *password_label = plain (T ("_Password"));
  g_autoptr(GFile) real_file = g_file_new_for_path (real);
  g_autoptr(GFile) demo_file = g_file_new_for_path (demo);
  g_autoptr(BcTrainingServer) training = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  BcSyncIndicator *indicator;
  BcSyncController *controller;
  BcPreferencesWindow *preferences;
  GtkWidget *sign_in, *error_label;

  (void) user_data;

  /* A real workbook, given the training server's address (a trainer's
   * laptop on the same network, say). */
  training = bc_training_server_start (NULL, &error);
  g_assert_no_error (error);
  current_window = fixture->window;
  bc_window_open_workbook (fixture->window, real_file);
  spin_until (window_ready, fixture->window);
  indicator = BC_SYNC_INDICATOR (find_widget (GTK_WIDGET (fixture->window), match_type,
                                              GSIZE_TO_POINTER (BC_TYPE_SYNC_INDICATOR)));
  spin_until (new_controller_ready, indicator);
  controller = bc_sync_indicator_get_controller (indicator);
  bc_sync_controller_set_token_file (controller, token_file);
  gtk_menu_button_popup (GTK_MENU_BUTTON (find_widget (GTK_WIDGET (indicator), match_type,
                                                       GSIZE_TO_POINTER (GTK_TYPE_MENU_BUTTON))));
  drain ();
  type_text (find_input (indicator, address_label), bc_training_server_get_url (training));
  type_text (find_input (indicator, user_label), BC_TRAINING_USER);
  type_text (find_input (indicator, password_label), "bat-ky");
  /* Clicked at once (a keyboard activation clicks only 250 ms later). */
  sign_in = find_widget (GTK_WIDGET (indicator), match_button_label, T ("Sign _In"));
  g_signal_emit_by_name (sign_in, "clicked");
  g_assert_false (gtk_widget_is_sensitive (sign_in));
  spin_until (gtk_widget_is_sensitive, sign_in);
  error_label = find_widget (GTK_WIDGET (indicator), match_visible_comment, training_prefix);
  if (error_label == NULL)
    g_error ("The indicator does not say the server is a training server");
  g_test_message ("real workbook, training server: %s", gtk_label_get_text (GTK_LABEL (error_label)));
  g_assert_false (bc_sync_controller_get_enrolled (controller));
  g_assert_false (g_file_test (token_file, G_FILE_TEST_EXISTS));
  g_assert_null (bc_sync_controller_get_server_url (controller));
  gtk_popover_popdown (gtk_menu_button_get_popover (GTK_MENU_BUTTON (
    find_widget (GTK_WIDGET (indicator), match_type, GSIZE_TO_POINTER (GTK_TYPE_MENU_BUTTON)))));

  /* A demo workbook offers no address to type: the indicator has no
   * sign-in, and Preferences says where it sends. */
  bc_window_open_workbook (fixture->window, demo_file);
  spin_until (window_ready, fixture->window);
  spin_until (new_controller_ready, indicator);
  controller = bc_sync_indicator_get_controller (indicator);
  g_assert_true (bc_sync_controller_get_demo (controller));
  g_assert_false (bc_gui_test_is_shown (find_widget (GTK_WIDGET (indicator), match_button_label, T ("Sign _In"))));
  g_action_group_activate_action (G_ACTION_GROUP (app), "preferences", NULL);
  spin_until (preferences_shown, NULL);
  preferences = find_preferences ();
  drain ();
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (find_named (preferences, "account-row"))), ==,
                   T ("A demo workbook sends only to the training server inside Baocao."));
  sign_in = find_widget (GTK_WIDGET (preferences), match_button_label, T ("Sign _In"));
  g_assert_true (sign_in == NULL || !bc_gui_test_is_shown (sign_in) || !gtk_widget_is_sensitive (sign_in));
  gtk_window_destroy (GTK_WINDOW (preferences));
  drain ();

  /* Asked all the same (the way both forms sign in), it refuses the real
   * server, in the words the window shows, and keeps the training one. */
  {
    g_autofree char *demo_token = g_build_filename (fixture->dir, "demo-token", NULL);

    /* (No keyring on the test's session bus.) */
    bc_sync_controller_set_token_file (controller, demo_token);
    bc_sync_controller_enrol_async (controller, fixture->url, USER, PASSWORD, NULL, on_result, &result);
    spin_until (enrol_answered, &result);
    g_assert_false (g_file_test (demo_token, G_FILE_TEST_EXISTS));
  }
  g_assert_false (bc_sync_controller_enrol_finish (controller, result, &error));
  g_assert_nonnull (error);
  {
    g_autofree char *said = bc_sync_controller_describe_error (error);

    g_test_message ("demo workbook, real server: %s", said);
    g_assert_true (g_str_has_prefix (said, demo_prefix));
  }
  g_assert_true (bc_sync_controller_get_demo (controller));
  g_assert_cmpstr (bc_sync_controller_get_server_url (controller), !=, fixture->url);

  {
    g_autofree char *store = g_strdup (bc_training_server_get_directory (training));

    g_clear_pointer (&training, bc_training_server_free);
    bc_test_remove_tree (store);
  }
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp_home = NULL;
  const char *dirs[] = { "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME" };
  int status;

  tmp_home = g_dir_make_tmp ("test-app-sync-home-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("HOME", tmp_home, TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      g_autofree char *dir = g_build_filename (tmp_home, dirs[i], NULL);

      g_mkdir_with_parents (dir, 0700);
      g_setenv (dirs[i], dir, TRUE);
    }
  /* An empty LC_ALL would keep gettext in the C locale (bc-i18n.c). */
  if (g_getenv ("BAOCAO_SHOT_LANGUAGE") != NULL)
    g_unsetenv ("LC_ALL");
  g_setenv ("BAOCAO_LANGUAGE", g_getenv ("BAOCAO_SHOT_LANGUAGE") != NULL ? g_getenv ("BAOCAO_SHOT_LANGUAGE") : "en", TRUE);

  setlocale (LC_ALL, "");
  bc_i18n_init ();
  gtk_test_init (&argc, &argv, NULL);
  bc_test_allow_short_frame_warning ();

  app = bc_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  g_application_hold (G_APPLICATION (app));

  g_test_add ("/app/sync/enrol-send-return", Fixture, NULL, fixture_set_up,
              test_enrol_send_return, fixture_tear_down);
  g_test_add ("/app/sync/enrol-from-preferences", Fixture, NULL, fixture_set_up,
              test_enrol_from_preferences, fixture_tear_down);
  g_test_add ("/app/sync/conflict", Fixture, NULL, fixture_set_up,
              test_conflict, fixture_tear_down);
  g_test_add ("/app/sync/training-cycle", Fixture, NULL, fixture_set_up,
              test_training_cycle, fixture_tear_down);
  g_test_add ("/app/sync/training-refusals", Fixture, NULL, fixture_set_up,
              test_training_refusals, fixture_tear_down);

  status = g_test_run ();
  g_application_release (G_APPLICATION (app));
  g_object_unref (app);
  bc_test_remove_tree (tmp_home);
  return status;
}
