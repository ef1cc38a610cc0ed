/* bc-server-admin.c: baocao-server's commands (serve, and the administrator's).
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every command works on a data directory (--data DIR). The administrator's
 * commands may run while the server serves the same directory: the store
 * orders their writes with the server's, and the server sees what they
 * changed on its next request.
 */
#define G_LOG_DOMAIN "bc-server"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <gio/gio.h>
#ifdef G_OS_UNIX
#include <glib-unix.h>
#include <termios.h>
#include <unistd.h>
#endif

#include "bc-bundle.h"
#include "bc-i18n.h"
#include "bc-period.h"
#include "bc-plan.h"
#include "bc-server.h"
#include "bc-server-admin.h"
#include "bc-server-auth.h"
#include "bc-server-bundle.h"
#include "bc-server-store.h"
#include "bc-server-templates.h"
#include "bc-server-transfer.h"
#include "bc-wire.h"

#define MIN_PASSWORD_LENGTH 8

static char *opt_data = NULL;
static char *opt_store = NULL;
static gboolean opt_json = FALSE;

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
  fprintf (stderr, "baocao-server: %s\n", text);
}

static int
fail (const GError *error)
{
  err ("%s", error->message);
  return BC_SERVER_EXIT_FAILED;
}

static int
usage (const char *command,
       const char *arguments)
{
  /* TRANSLATORS: first %s is a command, second its arguments */
  err (_("usage: baocao-server %s --data DIR %s"), command, arguments);
  return BC_SERVER_EXIT_USAGE;
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
  printf ("%s\n", text);
}

/* Parses --data and the command's own options; leaves the positional
 * arguments in argv. */
static gboolean
parse_options (const char    *command,
               const char    *arguments,
               GOptionEntry  *entries,
               int           *argc,
               char        ***argv)
{
  GOptionEntry common[] = {
    { "data", 0, 0, G_OPTION_ARG_FILENAME, &opt_data, N_("The server's data directory"), N_("DIR") },
    { "store", 0, 0, G_OPTION_ARG_STRING, &opt_store, N_("A PostgreSQL database instead of a data directory (a libpq URI)"), N_("URL") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *parameter = g_strdup_printf ("%s %s", command, arguments);

  context = g_option_context_new (parameter);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, common, GETTEXT_PACKAGE);
  if (entries != NULL)
    g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      err ("%s", error->message);
      return FALSE;
    }
  if ((opt_data == NULL) == (opt_store == NULL))
    {
      err (_("Name the server's data directory with --data DIR, or its PostgreSQL database with --store URL (one of them)."));
      return FALSE;
    }
  return TRUE;
}

static BcServerStore *
open_store (void)
{
  g_autoptr(GError) error = NULL;
  BcServerStore *store = opt_store != NULL ? bc_server_store_open_postgres (opt_store, &error)
                                            : bc_server_store_open_sqlite (opt_data, &error);

  if (store == NULL)
    fail (error);
  return store;
}

static BcTemplateRegistry *
shipped_templates (void)
{
  g_autoptr(GError) error = NULL;
  BcTemplateRegistry *registry = bc_template_registry_new_default (&error);

  /* A server without installed templates still takes published ones. */
  if (registry == NULL)
    {
      err (_("The installed templates cannot be read (%s); only published templates are known."),
           error->message);
      registry = bc_template_registry_new ();
    }
  return registry;
}

/* The installed templates and plans, and the plans published into the
 * store: the due dates the units' clients have. */
static BcTemplateRegistry *
province_templates (BcServerStore *store)
{
  g_autoptr(GError) error = NULL;
  BcTemplateRegistry *registry = shipped_templates ();
  g_autoptr(JsonArray) published = bc_server_store_list_plans (store, &error);

  if (published == NULL)
    {
      err (_("The published plans cannot be read (%s); only the installed plans are used."),
           error->message);
      return registry;
    }
  for (guint i = 0; i < json_array_get_length (published); i++)
    {
      g_autofree char *text = json_to_string (json_array_get_element (published, i), FALSE);
      g_autoptr(BcPlan) plan = bc_plan_new_from_data (text, -1, _("a published plan"), &error);

      /* An installed plan of the same id is the same plan: publishing
       * other content under its id is refused. */
      if (plan != NULL)
        bc_template_registry_add_plan (registry, plan);
      else
        {
          err (_("warning: a plan was set aside and cannot be used (its due dates and targets are not shown): %s"),
               error->message);
          g_clear_error (&error);
        }
    }
  return registry;
}

static char *
format_time (gint64 usec)
{
  g_autoptr(GDateTime) time = NULL;

  if (usec <= 0)
    return g_strdup ("—");
  time = g_date_time_new_from_unix_local (usec / G_USEC_PER_SEC);
  return g_date_time_format (time, "%Y-%m-%d %H:%M");
}

/* serve */

static GMainLoop *serve_loop = NULL;

#ifdef G_OS_UNIX
static gboolean
on_signal (gpointer user_data)
{
  g_main_loop_quit (serve_loop);
  return G_SOURCE_CONTINUE;
}
#endif

static int
cmd_serve (int argc, char **argv)
{
  g_autofree char *listen = NULL;
  g_autofree char *cert_file = NULL;
  g_autofree char *key_file = NULL;
  g_autofree char *name = NULL;
  double rate = 120;
  int burst = 30;
  GOptionEntry entries[] = {
    { "listen", 0, 0, G_OPTION_ARG_STRING, &listen, N_("Address and port to listen on"), N_("ADDR:PORT") },
    { "tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &cert_file, N_("The TLS certificate (PEM)"), N_("FILE") },
    { "tls-key", 0, 0, G_OPTION_ARG_FILENAME, &key_file, N_("The TLS private key (PEM)"), N_("FILE") },
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, N_("The name clients show for this server"), N_("NAME") },
    { "rate-limit", 0, 0, G_OPTION_ARG_DOUBLE, &rate, N_("Requests a minute for each device (0: no limit)"), N_("N") },
    { "burst", 0, 0, G_OPTION_ARG_INT, &burst, N_("Requests a device may make at once"), N_("N") },
    { NULL }
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(BcTemplateRegistry) shipped = NULL;
  g_autoptr(BcServer) server = NULL;
  g_autofree char *url = NULL;
  BcServerStore *store;

  if (!parse_options ("serve", "--listen ADDR:PORT [--tls-cert FILE --tls-key FILE]",
                      entries, &argc, &argv))
    return BC_SERVER_EXIT_USAGE;
  if (listen == NULL || argc != 1 || (cert_file == NULL) != (key_file == NULL) || rate < 0 || burst < 1)
    return usage ("serve", "--listen ADDR:PORT [--tls-cert FILE --tls-key FILE]");

  if (cert_file != NULL)
    {
      certificate = g_tls_certificate_new_from_files (cert_file, key_file, &error);
      if (certificate == NULL)
        {
          err (_("The TLS certificate or key cannot be read: %s"), error->message);
          return BC_SERVER_EXIT_FAILED;
        }
    }

  store = open_store ();
  if (store == NULL)
    return BC_SERVER_EXIT_FAILED;
  if (name != NULL && !bc_server_store_set_meta (store, "name", name, &error))
    {
      bc_server_store_free (store);
      return fail (error);
    }
  shipped = shipped_templates ();
  server = bc_server_new (store, shipped, &error);
  if (server == NULL)
    return fail (error);
  bc_server_set_rate_limit (server, rate, (guint) burst);
  if (!bc_server_listen (server, listen, certificate, &error))
    return fail (error);

  url = bc_server_get_url (server);
  /* TRANSLATORS: %s is a URL such as https://0.0.0.0:8443 */
  printf (_("Listening on %s\n"), url);
  fflush (stdout);

  serve_loop = g_main_loop_new (NULL, FALSE);
#ifdef G_OS_UNIX
  g_unix_signal_add (SIGINT, on_signal, NULL);
  g_unix_signal_add (SIGTERM, on_signal, NULL);
#endif
  g_main_loop_run (serve_loop);

  /* Stop taking requests, then let those in the store's hands finish. */
  bc_server_stop (server);
  while (bc_server_get_n_pending (server) > 0)
    g_main_context_iteration (NULL, TRUE);
  g_clear_pointer (&serve_loop, g_main_loop_unref);
  printf ("%s\n", _("Stopped."));
  return BC_SERVER_EXIT_OK;
}

/* units */

static gboolean
valid_date (const char *text)
{
  int y, m, d;
  char tail;

  return text == NULL ||
         (strlen (text) == 10 && sscanf (text, "%4d-%2d-%2d%c", &y, &m, &d, &tail) == 3 &&
          g_date_valid_dmy ((GDateDay) d, (GDateMonth) m, (GDateYear) y));
}

/* The unit list as the store takes it: each unit with exactly code, name,
 * level, parent, valid_from and valid_to; codes unique; parents in the list;
 * no unit its own ancestor. */
static JsonArray *
check_units (JsonNode  *root,
             GError   **error)
{
  static const char *optional[] = { "parent", "valid_from", "valid_to" };
  g_autoptr(JsonArray) units = json_array_new ();
  g_autoptr(GHashTable) parents = g_hash_table_new (g_str_hash, g_str_equal);
  JsonArray *input = NULL;
  GHashTableIter iter;
  gpointer key, value;

  if (JSON_NODE_HOLDS_ARRAY (root))
    input = json_node_get_array (root);
  else if (JSON_NODE_HOLDS_OBJECT (root) &&
           json_object_has_member (json_node_get_object (root), "units") &&
           JSON_NODE_HOLDS_ARRAY (json_object_get_member (json_node_get_object (root), "units")))
    input = json_object_get_array_member (json_node_get_object (root), "units");
  if (input == NULL || json_array_get_length (input) == 0)
    {
      g_set_error_literal (error, BC_SERVER_STORE_ERROR, BC_SERVER_STORE_ERROR_INVALID,
                           _("The unit file must hold a list of units, or an object with a \"units\" list."));
      return NULL;
    }

  for (guint i = 0; i < json_array_get_length (input); i++)
    {
      JsonNode *node = json_array_get_element (input, i);
      JsonObject *in, *out;
      const char *code, *name, *level;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        goto bad_unit;
      in = json_node_get_object (node);
      code = json_object_has_member (in, "code") ? json_object_get_string_member_with_default (in, "code", NULL) : NULL;
      name = json_object_get_string_member_with_default (in, "name", NULL);
      level = json_object_get_string_member_with_default (in, "level", NULL);
      if (code == NULL || *code == '\0' || name == NULL || *name == '\0' ||
          level == NULL || *level == '\0')
        goto bad_unit;
      if (g_hash_table_contains (parents, code))
        {
          g_set_error (error, BC_SERVER_STORE_ERROR, BC_SERVER_STORE_ERROR_INVALID,
                       _("Unit %s is in the list twice."), code);
          return NULL;
        }
      out = json_object_new ();
      json_object_set_string_member (out, "code", code);
      json_object_set_string_member (out, "name", name);
      json_object_set_string_member (out, "level", level);
      for (guint o = 0; o < G_N_ELEMENTS (optional); o++)
        {
          JsonNode *member = json_object_get_member (in, optional[o]);

          if (member == NULL || JSON_NODE_HOLDS_NULL (member))
            json_object_set_null_member (out, optional[o]);
          else if (JSON_NODE_HOLDS_VALUE (member) &&
                   json_node_get_value_type (member) == G_TYPE_STRING &&
                   (o == 0 ? *json_node_get_string (member) != '\0'
                           : valid_date (json_node_get_string (member))))
            json_object_set_string_member (out, optional[o], json_node_get_string (member));
          else
            {
              json_object_unref (out);
              g_set_error (error, BC_SERVER_STORE_ERROR, BC_SERVER_STORE_ERROR_INVALID,
                           _("Unit %s: %s must be %s or null."), code, optional[o],
                           o == 0 ? _("a unit code") : "YYYY-MM-DD");
              return NULL;
            }
        }
      g_hash_table_insert (parents, (gpointer) json_object_get_string_member (out, "code"),
                           (gpointer) json_object_get_string_member_with_default (out, "parent", NULL));
      json_array_add_object_element (units, out);
      continue;

    bad_unit:
      g_set_error (error, BC_SERVER_STORE_ERROR, BC_SERVER_STORE_ERROR_INVALID,
                   _("Unit %u of the list needs a code, a name and a level."), i + 1);
      return NULL;
    }

  g_hash_table_iter_init (&iter, parents);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const char *parent = value;
      guint steps = 0;

      if (parent != NULL && !g_hash_table_contains (parents, parent))
        {
          g_set_error (error, BC_SERVER_STORE_ERROR, BC_SERVER_STORE_ERROR_INVALID,
                       _("The parent %s of unit %s is not in the list."), parent, (const char *) key);
          return NULL;
        }
      for (; parent != NULL; parent = g_hash_table_lookup (parents, parent))
        if (g_str_equal (parent, key) || ++steps > g_hash_table_size (parents))
          {
            g_set_error (error, BC_SERVER_STORE_ERROR, BC_SERVER_STORE_ERROR_INVALID,
                         _("Unit %s is among its own parents."), (const char *) key);
            return NULL;
          }
    }
  return g_steal_pointer (&units);
}

static JsonNode *
read_json_file (const char  *path,
                GError     **error)
{
  g_autofree char *contents = NULL;
  gsize length;

  if (!g_file_get_contents (path, &contents, &length, error))
    return NULL;
  return bc_wire_parse (contents, length, BC_WIRE_MAX_INFLATED_BODY, BC_WIRE_MAX_DEPTH, error);
}

static int
cmd_units_load (int argc, char **argv)
{
  g_autoptr(BcServerStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonArray) units = NULL;

  if (!parse_options ("units load", "FILE", NULL, &argc, &argv))
    return BC_SERVER_EXIT_USAGE;
  if (argc != 2)
    return usage ("units load", "FILE");
  root = read_json_file (argv[1], &error);
  if (root == NULL)
    return fail (error);
  units = check_units (root, &error);
  if (units == NULL)
    return fail (error);
  store = open_store ();
  if (store == NULL)
    return BC_SERVER_EXIT_FAILED;
  if (!bc_server_store_load_units (store, units, g_get_real_time (), &error))
    return fail (error);
  printf (g_dngettext (GETTEXT_PACKAGE, "Loaded %u unit.\n", "Loaded %u units.\n",
                       json_array_get_length (units)),
          json_array_get_length (units));
  return BC_SERVER_EXIT_OK;
}

static int
cmd_units_list (int argc, char **argv)
{
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &opt_json, N_("Print JSON"), NULL },
    { NULL }
  };
  g_autoptr(BcServerStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) units = NULL;

  if (!parse_options ("units list", "[--json]", entries, &argc, &argv))
    return BC_SERVER_EXIT_USAGE;
  if (argc != 1)
    return usage ("units list", "[--json]");
  store = open_store ();
  if (store == NULL)
    return BC_SERVER_EXIT_FAILED;
  units = bc_server_store_list_units (store, &error);
  if (units == NULL)
    return fail (error);
  if (opt_json)
    {
      g_autoptr(JsonNode) node = json_node_init_array (json_node_alloc (), units);

      print_json (node);
      return BC_SERVER_EXIT_OK;
    }
  for (guint i = 0; i < json_array_get_length (units); i++)
    {
      JsonObject *unit = json_array_get_object_element (units, i);
      const char *parent = json_object_get_string_member_with_default (unit, "parent", NULL);
      const char *valid_to = json_object_get_string_member_with_default (unit, "valid_to", NULL);

      printf ("%-16s %-10s %-16s %s%s%s\n", json_object_get_string_member (unit, "code"),
              json_object_get_string_member (unit, "level"), parent != NULL ? parent : "—",
              json_object_get_string_member (unit, "name"),
              valid_to != NULL ? " → " : "", valid_to != NULL ? valid_to : "");
    }
  return BC_SERVER_EXIT_OK;
}

/* users */

static char *
read_password (const char  *file,
               GError     **error)
{
  g_autofree char *contents = NULL;
  char line[1024];

  if (file != NULL)
    {
      if (!g_file_get_contents (file, &contents, NULL, error))
        return NULL;
      g_strchomp (contents);
      return g_steal_pointer (&contents);
    }

#ifdef G_OS_UNIX
  if (isatty (STDIN_FILENO))
    {
      struct termios saved, quiet;
      gboolean hidden = tcgetattr (STDIN_FILENO, &saved) == 0;

      fprintf (stderr, "%s", _("Password: "));
      if (hidden)
        {
          quiet = saved;
          quiet.c_lflag &= ~(tcflag_t) ECHO;
          tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet);
        }
      contents = fgets (line, sizeof line, stdin) != NULL ? g_strdup (line) : NULL;
      if (hidden)
        tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved);
      fprintf (stderr, "\n");
    }
  else
#endif
    contents = fgets (line, sizeof line, stdin) != NULL ? g_strdup (line) : NULL;

  memset (line, 0, sizeof line);
  if (contents == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("No password was given. Type one, or name a file with --password-file."));
      return NULL;
    }
  g_strchomp (contents);
  return g_steal_pointer (&contents);
}

static int
cmd_users_add (int argc, char **argv)
{
  g_autofree char *unit = NULL;
  g_autofree char *password_file = NULL;
  GOptionEntry entries[] = {
    { "unit", 0, 0, G_OPTION_ARG_STRING, &unit, N_("The unit the account reports for"), N_("CODE") },
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &password_file, N_("Read the password from a file"), N_("FILE") },
    { NULL }
  };
  g_autoptr(BcServerStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) units = NULL;
  g_autofree char *password = NULL;
  g_autofree char *hash = NULL;
  gboolean known = FALSE;

  if (!parse_options ("users add", "USER --unit CODE [--password-file FILE]", entries, &argc, &argv))
    return BC_SERVER_EXIT_USAGE;
  if (argc != 2 || unit == NULL || *argv[1] == '\0')
    return usage ("users add", "USER --unit CODE [--password-file FILE]");
  store = open_store ();
  if (store == NULL)
    return BC_SERVER_EXIT_FAILED;
  units = bc_server_store_list_units (store, &error);
  if (units == NULL)
    return fail (error);
  for (guint i = 0; i < json_array_get_length (units); i++)
    known |= g_strcmp0 (json_object_get_string_member (json_array_get_object_element (units, i), "code"), unit) == 0;
  if (!known)
    {
      err (_("There is no unit %s. Load the unit list first (baocao-server units load)."), unit);
      return BC_SERVER_EXIT_FAILED;
    }
  password = read_password (password_file, &error);
  if (password == NULL)
    return fail (error);
  if (g_utf8_strlen (password, -1) < MIN_PASSWORD_LENGTH)
    {
      err (_("The password is too short: use at least %d characters."), MIN_PASSWORD_LENGTH);
      return BC_SERVER_EXIT_FAILED;
    }
  if (!bc_server_auth_init () || (hash = bc_server_hash_password (password)) == NULL)
    {
      err (_("The password cannot be hashed (out of memory?)."));
      return BC_SERVER_EXIT_FAILED;
    }
  memset (password, 0, strlen (password));
  if (!bc_server_store_add_user (store, argv[1], unit, hash, g_get_real_time (), &error))
    return fail (error);
  printf (_("Account %s added for unit %s.\n"), argv[1], unit);
  return BC_SERVER_EXIT_OK;
}

static int
cmd_users_list (int argc, char **argv)
{
  g_autoptr(BcServerStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) users = NULL;

  if (!parse_options ("users list", "", NULL, &argc, &argv))
    return BC_SERVER_EXIT_USAGE;
  if (argc != 1)
    return usage ("users list", "");
  store = open_store ();
  if (store == NULL)
    return BC_SERVER_EXIT_FAILED;
  users = bc_server_store_list_users (store, &error);
  if (users == NULL)
    return fail (error);
  for (guint i = 0; i < users->len; i++)
    {
      BcStoreUser *user = g_ptr_array_index (users, i);
      g_autofree char *created = format_time (user->created_at);

      printf ("%-24s %-16s %s  ", user->name, user->unit, created);
      printf (g_dngettext (GETTEXT_PACKAGE, "%u device\n", "%u devices\n", user->n_devices),
              user->n_devices);
    }
  return BC_SERVER_EXIT_OK;
}

/* devices */

static int
cmd_devices_list (int argc, char **argv)
{
  g_autoptr(BcServerStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) devices = NULL;

  if (!parse_options ("devices list", "", NULL, &argc, &argv))
    return BC_SERVER_EXIT_USAGE;
  if (argc != 1)
    return usage ("devices list", "");
  store = open_store ();
  if (store == NULL)
    return BC_SERVER_EXIT_FAILED;
  devices = bc_server_store_list_devices (store, &error);
  if (devices == NULL)
    return fail (error);
  for (guint i = 0; i < devices->len; i++)
    {
      BcStoreDevice *device = g_ptr_array_index (devices, i);
      g_autofree char *created = format_time (device->created_at);
      g_autofree char *seen = format_time (device->last_seen);

      printf ("%s  %-20s %-12s %s  %s  %s  %s\n", device->id, device->user, device->unit,
              created, seen, device->revoked_at != 0 ? _("revoked") : _("active"), device->name);
    }
  return BC_SERVER_EXIT_OK;
}

static int
cmd_devices_revoke (int argc, char **argv)
{
  g_autoptr(BcServerStore) store = NULL;
  g_autoptr(GError) error = NULL;

  if (!parse_options ("devices revoke", "DEVICE_ID", NULL, &argc, &argv))
    return BC_SERVER_EXIT_USAGE;
  if (argc != 2)
    return usage ("devices revoke", "DEVICE_ID");
  store = open_store ();
  if (store == NULL)
    return BC_SERVER_EXIT_FAILED;
  if (!bc_server_store_revoke_device (store, argv[1], g_get_real_time (), &error))
    return fail (error);
  printf (_("Device %s revoked: its token is refused from now on.\n"), argv[1]);
  return BC_SERVER_EXIT_OK;
}

/* templates */

static int
cmd_templates_publish (int argc, char **argv)
{
  g_autoptr(BcServerStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(BcTemplate) template_ = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *basename = NULL;
  gsize length;

  if (!parse_options ("templates publish", "FILE", NULL, &argc, &argv))
    return BC_SERVER_EXIT_USAGE;
  if (argc != 2)
    return usage ("templates publish", "FILE");
  if (!g_file_get_contents (argv[1], &contents, &length, &error))
    return fail (error);
  basename = g_path_get_basename (argv[1]);
  template_ = bc_template_new_from_data (contents, (gssize) length, basename, &error);
  if (template_ == NULL)
    return fail (error);
  store = open_store ();
  if (store == NULL)
    return BC_SERVER_EXIT_FAILED;
  if (!bc_server_store_publish_template (store, bc_template_get_id (template_),
                                         bc_template_get_version (template_), contents,
                                         g_get_real_time (), &error))
    return fail (error);
  printf (_("Published version %d of template %s.\n"), bc_template_get_version (template_),
          bc_template_get_id (template_));
  return BC_SERVER_EXIT_OK;
}

/* plans */

/* Whether the installed plan `installed` says the same as `contents`. */
static gboolean
same_plan (BcPlan     *installed,
           const char *contents)
{
  g_autoptr(GFile) file = g_file_new_for_path (bc_plan_get_filename (installed));
  g_autofree char *text = NULL;
  g_autoptr(JsonNode) a = NULL;
  g_autoptr(JsonNode) b = NULL;

  if (!g_file_load_contents (file, NULL, &text, NULL, NULL, NULL))
    return FALSE;
  a = json_from_string (text, NULL);
  b = json_from_string (contents, NULL);
  return a != NULL && b != NULL && json_node_equal (a, b);
}

static int
cmd_plans_publish (int argc, char **argv)
{
  g_autoptr(BcServerStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(BcPlan) plan = NULL;
  g_autoptr(BcTemplateRegistry) shipped = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *basename = NULL;
  BcPlan *installed;
  gsize length;

  if (!parse_options ("plans publish", "FILE", NULL, &argc, &argv))
    return BC_SERVER_EXIT_USAGE;
  if (argc != 2)
    return usage ("plans publish", "FILE");
  if (!g_file_get_contents (argv[1], &contents, &length, &error))
    return fail (error);
  basename = g_path_get_basename (argv[1]);
  /* The loader the clients use: what it refuses would be set aside on
   * every officer's machine. */
  plan = bc_plan_new_from_data (contents, (gssize) length, basename, &error);
  if (plan == NULL)
    {
      /* TRANSLATORS: %s says which file, where in it and what is wrong */
      err (_("The plan was not published: %s"), error->message);
      return BC_SERVER_EXIT_FAILED;
    }

  /* Every client has the plans installed with Baocao, and keeps its own
   * copy of a plan id it holds. */
  shipped = shipped_templates ();
  installed = bc_template_registry_get_plan (shipped, bc_plan_get_id (plan));
  if (installed != NULL && !same_plan (installed, contents))
    {
      err (_("The plan %s is installed with Baocao with other content, and clients keep their own copy. Publish the changed plan under an id of its own."),
           bc_plan_get_id (plan));
      return BC_SERVER_EXIT_FAILED;
    }

  store = open_store ();
  if (store == NULL)
    return BC_SERVER_EXIT_FAILED;
  if (!bc_server_store_publish_plan (store, bc_plan_get_id (plan), contents, &error))
    return fail (error);
  printf (_("Published the plan %s.\n"), bc_plan_get_id (plan));
  return BC_SERVER_EXIT_OK;
}

/* A report's state for people; the JSON keeps the protocol's words. */
static const char *
state_label (const char *state)
{
  if (state == NULL)
    return C_("report state", "missing");
  if (g_str_equal (state, "received"))
    return C_("report state", "received");
  if (g_str_equal (state, "accepted"))
    return C_("report state", "accepted");
  if (g_str_equal (state, "returned"))
    return C_("report state", "returned");
  return state;
}

/* printf's %-10s counts bytes; Vietnamese needs columns counted in characters. */
static char *
pad (const char *text,
     guint       width)
{
  GString *padded = g_string_new (text);

  for (glong length = g_utf8_strlen (text, -1); (guint) length < width; length++)
    g_string_append_c (padded, ' ');
  return g_string_free (padded, FALSE);
}

/* reports */

/* The unit holding `report_id`: `unit` if given and it holds it, else the
 * only one that does. */
static char *
resolve_report_unit (BcServerStore  *store,
                     const char     *report_id,
                     const char     *unit,
                     GError        **error)
{
  g_auto(GStrv) units = bc_server_store_report_units (store, report_id, error);

  if (units == NULL)
    return NULL;
  if (unit != NULL && g_strv_contains ((const char * const *) units, unit))
    return g_strdup (unit);
  if (unit == NULL && g_strv_length (units) == 1)
    return g_strdup (units[0]);
  if (unit == NULL && g_strv_length (units) > 1)
    g_set_error (error, BC_SERVER_STORE_ERROR, BC_SERVER_STORE_ERROR_INVALID,
                 _("Several units hold a report %s. Name one with --unit."), report_id);
  else
    g_set_error (error, BC_SERVER_STORE_ERROR, BC_SERVER_STORE_ERROR_NOT_FOUND,
                 _("There is no report %s on this server. See `baocao-server reports list`."),
                 report_id);
  return NULL;
}

static int
cmd_reports_list (int argc, char **argv)
{
  g_autofree char *period = NULL;
  g_autofree char *unit = NULL;
  GOptionEntry entries[] = {
    { "period", 0, 0, G_OPTION_ARG_STRING, &period, N_("Only this period (2018Q2)"), N_("PERIOD") },
    { "unit", 0, 0, G_OPTION_ARG_STRING, &unit, N_("Only this unit"), N_("CODE") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &opt_json, N_("Print JSON"), NULL },
    { NULL }
  };
  g_autoptr(BcServerStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) reports = NULL;
  g_autoptr(JsonArray) array = json_array_new ();
  g_autofree char *period_id = NULL;

  if (!parse_options ("reports list", "[--period PERIOD] [--unit CODE] [--json]", entries, &argc, &argv))
    return BC_SERVER_EXIT_USAGE;
  if (argc != 1)
    return usage ("reports list", "[--period PERIOD] [--unit CODE] [--json]");
  if (period != NULL)
    {
      BcPeriod parsed;

      if (!bc_period_parse (period, &parsed, &error))
        return fail (error);
      period_id = bc_period_to_id (&parsed);
    }
  store = open_store ();
  if (store == NULL)
    return BC_SERVER_EXIT_FAILED;
  reports = bc_server_store_list_reports (store, period_id, unit, &error);
  if (reports == NULL)
    return fail (error);
  for (guint i = 0; i < reports->len; i++)
    {
      BcStoreReport *report = g_ptr_array_index (reports, i);
      g_autofree char *received = format_time (report->received_at);
      g_autofree char *state_pad = NULL;

      if (opt_json)
        {
          JsonObject *object = json_object_new ();
          g_autofree char *time = bc_wire_format_time (report->received_at);

          json_object_set_string_member (object, "report_id", report->report_id);
          json_object_set_string_member (object, "unit", report->unit);
          json_object_set_string_member (object, "period", report->period);
          json_object_set_string_member (object, "template", report->template_id);
          json_object_set_int_member (object, "template_version", report->template_version);
          json_object_set_int_member (object, "current_revision", report->current_revision);
          json_object_set_string_member (object, "state", report->state);
          json_object_set_string_member (object, "receipt", report->receipt_number);
          json_object_set_string_member (object, "received_at", time);
          json_object_set_int_member (object, "conflicts", report->n_conflicts);
          json_array_add_object_element (array, object);
          continue;
        }
      printf ("%s  %-8s %-16s %-22s r%-3" G_GINT64_FORMAT " %s %s  %s%s\n", report->report_id,
              report->period, report->unit, report->template_id, report->current_revision,
              state_pad = pad (state_label (report->state), 10), report->receipt_number, received,
              report->n_conflicts > 0 ? _("  (conflicting copies)") : "");
    }
  if (opt_json)
    {
      g_autoptr(JsonNode) node = json_node_init_array (json_node_alloc (), array);

      print_json (node);
    }
  return BC_SERVER_EXIT_OK;
}

static int
cmd_reports_show (int argc, char **argv)
{
  g_autofree char *unit = NULL;
  GOptionEntry entries[] = {
    { "unit", 0, 0, G_OPTION_ARG_STRING, &unit, N_("The unit holding the report"), N_("CODE") },
    { NULL }
  };
  g_autoptr(BcServerStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *holder = NULL;
  g_autoptr(JsonObject) report = NULL;
  g_autoptr(JsonNode) node = NULL;

  if (!parse_options ("reports show", "ID [--unit CODE]", entries, &argc, &argv))
    return BC_SERVER_EXIT_USAGE;
  if (argc != 2)
    return usage ("reports show", "ID [--unit CODE]");
  store = open_store ();
  if (store == NULL)
    return BC_SERVER_EXIT_FAILED;
  holder = resolve_report_unit (store, argv[1], unit, &error);
  if (holder == NULL)
    return fail (error);
  report = bc_server_store_get_report (store, holder, argv[1], &error);
  if (report == NULL)
    return fail (error);
  node = json_node_init_object (json_node_alloc (), report);
  print_json (node);
  return BC_SERVER_EXIT_OK;
}

static int
review (int argc, char **argv, const char *decision)
{
  g_autofree char *unit = NULL;
  g_autofree char *comment = NULL;
  g_autofree char *reviewer = NULL;
  GOptionEntry entries[] = {
    { "comment", 0, 0, G_OPTION_ARG_STRING, &comment, N_("What the unit must change"), N_("TEXT") },
    { "reviewer", 0, 0, G_OPTION_ARG_STRING, &reviewer, N_("Who decides"), N_("NAME") },
    { "unit", 0, 0, G_OPTION_ARG_STRING, &unit, N_("The unit holding the report"), N_("CODE") },
    { NULL }
  };
  gboolean returning = g_str_equal (decision, "returned");
  const char *command = returning ? "review return" : "review accept";
  const char *arguments = returning ? "ID --comment TEXT [--reviewer NAME]" : "ID [--comment TEXT] [--reviewer NAME]";
  g_autoptr(BcServerStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *holder = NULL;

  if (!parse_options (command, arguments, entries, &argc, &argv))
    return BC_SERVER_EXIT_USAGE;
  if (argc != 2 || (returning && (comment == NULL || *comment == '\0')))
    return usage (command, arguments);
  store = open_store ();
  if (store == NULL)
    return BC_SERVER_EXIT_FAILED;
  holder = resolve_report_unit (store, argv[1], unit, &error);
  if (holder == NULL)
    return fail (error);
  if (!bc_server_store_review (store, holder, argv[1], decision, comment, reviewer,
                               g_get_real_time (), &error))
    return fail (error);
  if (returning)
    printf (_("Report %s returned to unit %s.\n"), argv[1], holder);
  else
    printf (_("Report %s of unit %s accepted.\n"), argv[1], holder);
  return BC_SERVER_EXIT_OK;
}

static int
cmd_review_accept (int argc, char **argv)
{
  return review (argc, argv, "accepted");
}

static int
cmd_review_return (int argc, char **argv)
{
  return review (argc, argv, "returned");
}

/* completeness, totals, export-csv */


/* Whether a unit existed during any of the period's window. */
static gboolean
unit_in_period (JsonObject     *unit,
                const BcPeriod *period)
{
  const char *from = json_object_get_string_member_with_default (unit, "valid_from", NULL);
  const char *to = json_object_get_string_member_with_default (unit, "valid_to", NULL);
  GDate start, end;
  char first[11], last[11];

  bc_period_window (period, &start, &end);
  g_snprintf (first, sizeof first, "%04d-%02d-%02d", g_date_get_year (&start),
              g_date_get_month (&start), g_date_get_day (&start));
  g_snprintf (last, sizeof last, "%04d-%02d-%02d", g_date_get_year (&end),
              g_date_get_month (&end), g_date_get_day (&end));
  return (from == NULL || strcmp (from, last) <= 0) && (to == NULL || strcmp (to, first) >= 0);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* The templates a period is looked at for: the one named, else those of
 * its reports and the installed ones of the period's type. Sorted. */
static GPtrArray *
period_templates (GPtrArray          *reports,
                  const BcPeriod     *period,
                  const char         *only,
                  BcTemplateRegistry *shipped)
{
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) latest = NULL;

  if (only != NULL)
    {
      g_ptr_array_add (ids, g_strdup (only));
      return ids;
    }
  for (guint i = 0; i < reports->len; i++)
    {
      BcStoreReport *report = g_ptr_array_index (reports, i);

      if (!g_ptr_array_find_with_equal_func (ids, report->template_id, g_str_equal, NULL))
        g_ptr_array_add (ids, g_strdup (report->template_id));
    }
  latest = bc_template_registry_list_latest (shipped);
  for (guint i = 0; latest != NULL && i < latest->len; i++)
    {
      BcTemplate *template_ = g_ptr_array_index (latest, i);

      if (bc_template_get_period_type (template_) == period->type &&
          !g_ptr_array_find_with_equal_func (ids, bc_template_get_id (template_), g_str_equal, NULL))
        g_ptr_array_add (ids, g_strdup (bc_template_get_id (template_)));
    }
  g_ptr_array_sort (ids, compare_strings);
  return ids;
}

static gboolean
open_period (const char      *text,
             BcPeriod        *period,
             char           **period_id,
             BcServerStore  **store,
             GPtrArray      **reports)
{
  g_autoptr(GError) error = NULL;

  if (!bc_period_parse (text, period, &error))
    {
      fail (error);
      return FALSE;
    }
  *period_id = bc_period_to_id (period);
  *store = open_store ();
  if (*store == NULL)
    return FALSE;
  *reports = bc_server_store_list_reports (*store, *period_id, NULL, &error);
  if (*reports == NULL)
    {
      fail (error);
      return FALSE;
    }
  return TRUE;
}

static int
cmd_completeness (int argc, char **argv)
{
  g_autofree char *only = NULL;
  GOptionEntry entries[] = {
    { "template", 0, 0, G_OPTION_ARG_STRING, &only, N_("Only this template"), N_("ID") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &opt_json, N_("Print JSON"), NULL },
    { NULL }
  };
  g_autoptr(BcServerStore) store = NULL;
  g_autoptr(GPtrArray) reports = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) units = NULL;
  g_autoptr(BcTemplateRegistry) shipped = NULL;
  g_autoptr(GPtrArray) ids = NULL;
  g_autoptr(JsonArray) rows = json_array_new ();
  g_autofree char *period_id = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  GDate today, due;
  BcPeriod period;
  guint n_seen = 0;
  gboolean same_due = TRUE;

  if (!parse_options ("completeness", "PERIOD [--template ID] [--json]", entries, &argc, &argv))
    return BC_SERVER_EXIT_USAGE;
  if (argc != 2)
    return usage ("completeness", "PERIOD [--template ID] [--json]");
  if (!open_period (argv[1], &period, &period_id, &store, &reports))
    return BC_SERVER_EXIT_FAILED;
  units = bc_server_store_list_units (store, &error);
  if (units == NULL)
    return fail (error);
  shipped = province_templates (store);
  ids = period_templates (reports, &period, only, shipped);
  g_date_clear (&today, 1);
  g_date_set_dmy (&today, (GDateDay) g_date_time_get_day_of_month (now),
                  (GDateMonth) g_date_time_get_month (now), (GDateYear) g_date_time_get_year (now));
  /* The due date is the plan's in force for each unit: the header gives it
   * when every unit has the same one. */
  g_date_clear (&due, 1);
  for (guint u = 0; u < json_array_get_length (units); u++)
    {
      JsonObject *unit = json_array_get_object_element (units, u);
      GDate unit_due;

      if (!unit_in_period (unit, &period))
        continue;
      bc_template_registry_due_date (shipped, period_id, json_object_get_string_member (unit, "code"),
                                     &unit_due);
      if (n_seen++ == 0)
        due = unit_due;
      else if (g_date_valid (&due) != g_date_valid (&unit_due) ||
               (g_date_valid (&due) && g_date_compare (&due, &unit_due) != 0))
        same_due = FALSE;
    }

  if (!opt_json)
    {
      char due_text[16];

      if (!same_due)
        /* TRANSLATORS: a period ("2018Q2") whose units have different due dates */
        printf (_("Period %s, due dates differ by unit\n"), period_id);
      else if (g_date_valid (&due))
        {
          g_date_strftime (due_text, sizeof due_text, "%d/%m/%Y", &due);
          /* TRANSLATORS: a period ("2018Q2") and its due date */
          printf (_("Period %s, due %s\n"), period_id, due_text);
        }
      else
        /* TRANSLATORS: a period ("2016Q2") under no plan that sets a due date */
        printf (_("Period %s, no due date set (no plan in force sets one)\n"), period_id);
    }

  for (guint t = 0; t < ids->len; t++)
    {
      const char *template_id = g_ptr_array_index (ids, t);
      guint n_units = 0, n_received = 0, n_on_time = 0, n_late = 0;

      if (!opt_json)
        printf ("\n%s\n", template_id);
      for (guint u = 0; u < json_array_get_length (units); u++)
        {
          JsonObject *unit = json_array_get_object_element (units, u);
          const char *code = json_object_get_string_member (unit, "code");
          BcStoreReport *found = NULL;
          BcTimeliness timeliness;
          g_autofree char *received = NULL;
          JsonObject *row;

          if (!unit_in_period (unit, &period))
            continue;
          n_units++;
          /* Of several reports of one unit, the first received decides. */
          for (guint r = 0; r < reports->len; r++)
            {
              BcStoreReport *report = g_ptr_array_index (reports, r);

              if (g_str_equal (report->unit, code) && g_str_equal (report->template_id, template_id) &&
                  (found == NULL || report->first_received_at < found->first_received_at))
                found = report;
            }
          if (found != NULL)
            {
              g_autoptr(GDateTime) at = g_date_time_new_from_unix_local (found->first_received_at / G_USEC_PER_SEC);
              GDate submitted;

              g_date_clear (&submitted, 1);
              g_date_set_dmy (&submitted, (GDateDay) g_date_time_get_day_of_month (at),
                              (GDateMonth) g_date_time_get_month (at),
                              (GDateYear) g_date_time_get_year (at));
              timeliness = bc_template_registry_timeliness (shipped, period_id, code, &today, &submitted);
              received = format_time (found->first_received_at);
              n_received++;
              if (timeliness == BC_TIMELINESS_ON_TIME)
                n_on_time++;
              else if (timeliness == BC_TIMELINESS_SUBMITTED_LATE)
                n_late++;
            }
          else
            timeliness = bc_template_registry_timeliness (shipped, period_id, code, &today, NULL);

          row = json_object_new ();
          json_object_set_string_member (row, "template", template_id);
          json_object_set_string_member (row, "unit", code);
          json_object_set_string_member (row, "name", json_object_get_string_member (unit, "name"));
          json_object_set_string_member (row, "status", found != NULL ? found->state : "missing");
          json_object_set_string_member (row, "timeliness", bc_timeliness_to_string (timeliness));
          if (found != NULL)
            {
              g_autofree char *time = bc_wire_format_time (found->first_received_at);

              json_object_set_string_member (row, "report_id", found->report_id);
              json_object_set_string_member (row, "received_at", time);
            }
          json_array_add_object_element (rows, row);
          if (!opt_json)
            {
              g_autofree char *state = pad (state_label (found != NULL ? found->state : NULL), 10);
              g_autofree char *when = pad (bc_timeliness_label (timeliness), 14);
              g_autofree char *at = pad (received != NULL ? received : "—", 16);

              printf ("  %-16s %s %s %s %s\n", code, state, when, at,
                      json_object_get_string_member (unit, "name"));
            }
        }
      if (!opt_json)
        /* TRANSLATORS: counts of units for one template in a period */
        printf (_("  %u of %u units reported: %u on time, %u late.\n"),
                n_received, n_units, n_on_time, n_late);
    }
  if (opt_json)
    {
      g_autoptr(JsonNode) node = json_node_init_array (json_node_alloc (), rows);

      print_json (node);
    }
  return BC_SERVER_EXIT_OK;
}

static gboolean
is_numeric (const BcField *field)
{
  return field->compute == NULL &&
         (field->type == BC_FIELD_INTEGER || field->type == BC_FIELD_DECIMAL ||
          field->type == BC_FIELD_PERCENTAGE);
}

typedef struct {
  const BcField *field;
  char          *key;
  double         sum;
  guint          n;
} Total;

static void
total_free (Total *total)
{
  g_free (total->key);
  g_free (total);
}

static void
add_value (GHashTable    *totals,
           GPtrArray     *order,
           const BcField *field,
           const char    *key,
           const char    *text)
{
  Total *total = g_hash_table_lookup (totals, key);
  char *end = NULL;
  double value;

  if (text == NULL || *text == '\0')
    return;
  value = g_ascii_strtod (text, &end);
  if (end == text)
    return;
  if (total == NULL)
    {
      total = g_new0 (Total, 1);
      total->field = field;
      total->key = g_strdup (key);
      g_hash_table_insert (totals, total->key, total);
      g_ptr_array_add (order, total);
    }
  total->sum += value;
  total->n++;
}

static int
cmd_totals (int argc, char **argv)
{
  g_autofree char *only = NULL;
  GOptionEntry entries[] = {
    { "template", 0, 0, G_OPTION_ARG_STRING, &only, N_("Only this template"), N_("ID") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &opt_json, N_("Print JSON"), NULL },
    { NULL }
  };
  g_autoptr(BcServerStore) store = NULL;
  g_autoptr(GPtrArray) reports = NULL;
  g_autoptr(BcTemplateRegistry) shipped = NULL;
  g_autoptr(BcServerTemplates) templates = NULL;
  g_autoptr(JsonArray) out = json_array_new ();
  g_autofree char *period_id = NULL;
  const char *lang = bc_i18n_language ();
  BcPeriod period;

  if (!parse_options ("totals", "PERIOD [--template ID] [--json]", entries, &argc, &argv))
    return BC_SERVER_EXIT_USAGE;
  if (argc != 2)
    return usage ("totals", "PERIOD [--template ID] [--json]");
  if (!open_period (argv[1], &period, &period_id, &store, &reports))
    return BC_SERVER_EXIT_FAILED;
  shipped = shipped_templates ();
  templates = bc_server_templates_new (store, shipped);

  /* One pass per template: numeric fields are summed over the units'
   * current revisions (percentages are averaged: a sum of shares is none). */
  {
    g_autoptr(GPtrArray) ids = period_templates (reports, &period, only, shipped);

    for (guint t = 0; t < ids->len; t++)
      {
        const char *template_id = g_ptr_array_index (ids, t);
        g_autoptr(GHashTable) totals = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                              (GDestroyNotify) total_free);
        g_autoptr(GPtrArray) order = g_ptr_array_new ();
        g_autoptr(GHashTable) units = g_hash_table_new (g_str_hash, g_str_equal);
        g_autoptr(GPtrArray) templates_used = g_ptr_array_new_with_free_func (g_object_unref);

        for (guint i = 0; i < reports->len; i++)
          {
            BcStoreReport *report = g_ptr_array_index (reports, i);
            g_autoptr(GError) error = NULL;
            g_autoptr(JsonNode) content = NULL;
            BcTemplate *template_;
            JsonObject *values, *tables;
            g_autoptr(GList) names = NULL;

            if (!g_str_equal (report->template_id, template_id))
              continue;
            template_ = bc_server_templates_lookup (templates, report->template_id,
                                                    report->template_version, &error);
            content = json_from_string (report->content, NULL);
            if (template_ == NULL || content == NULL || !JSON_NODE_HOLDS_OBJECT (content))
              {
                err (_("Report %s is left out: %s"), report->report_id,
                     error != NULL ? error->message : _("its content cannot be read"));
                continue;
              }
            g_ptr_array_add (templates_used, template_);
            g_hash_table_add (units, report->unit);
            values = json_object_get_object_member (json_node_get_object (content), "values");
            tables = json_object_get_object_member (json_node_get_object (content), "tables");
            names = values != NULL ? json_object_get_members (values) : NULL;
            for (GList *l = names; l != NULL; l = l->next)
              {
                const BcField *field = bc_template_lookup_field (template_, l->data);

                if (field != NULL && is_numeric (field))
                  add_value (totals, order, field, l->data,
                             json_object_get_string_member_with_default (values, l->data, NULL));
              }
            g_clear_pointer (&names, g_list_free);
            names = tables != NULL ? json_object_get_members (tables) : NULL;
            for (GList *l = names; l != NULL; l = l->next)
              {
                JsonArray *rows = json_object_get_array_member (tables, l->data);

                for (guint r = 0; rows != NULL && r < json_array_get_length (rows); r++)
                  {
                    JsonObject *row = json_array_get_object_element (rows, r);
                    g_autoptr(GList) cells = row != NULL ? json_object_get_members (row) : NULL;

                    for (GList *c = cells; c != NULL; c = c->next)
                      {
                        g_autofree char *key = g_strdup_printf ("%s.%s", (const char *) l->data,
                                                                (const char *) c->data);
                        const BcField *field = bc_template_lookup_field (template_, key);
                        JsonNode *cell = json_object_get_member (row, c->data);

                        if (field != NULL && is_numeric (field) && JSON_NODE_HOLDS_VALUE (cell) &&
                            json_node_get_value_type (cell) == G_TYPE_STRING)
                          add_value (totals, order, field, key, json_node_get_string (cell));
                      }
                  }
              }
          }

        if (!opt_json)
          /* TRANSLATORS: a template id, a period and how many units reported */
          printf (g_dngettext (GETTEXT_PACKAGE, "%s, %s: %u unit reported\n",
                               "%s, %s: %u units reported\n", g_hash_table_size (units)),
                  template_id, period_id, g_hash_table_size (units));
        for (guint i = 0; i < order->len; i++)
          {
            Total *total = g_ptr_array_index (order, i);
            gboolean average = total->field->type == BC_FIELD_PERCENTAGE;
            double value = average ? total->sum / total->n : total->sum;
            JsonObject *row = json_object_new ();

            json_object_set_string_member (row, "template", template_id);
            json_object_set_string_member (row, "field", total->key);
            json_object_set_string_member (row, "label", bc_text_get (&total->field->label, lang));
            json_object_set_string_member (row, "aggregate", average ? "average" : "sum");
            json_object_set_double_member (row, "value", value);
            json_object_set_int_member (row, "reports", total->n);
            json_array_add_object_element (out, row);
            if (!opt_json)
              printf ("  %-28s %14.6g%s  %s\n", total->key, value,
                      average ? _(" (average)") : "", bc_text_get (&total->field->label, lang));
          }
      }
  }
  if (opt_json)
    {
      g_autoptr(JsonNode) node = json_node_init_array (json_node_alloc (), out);

      print_json (node);
    }
  return BC_SERVER_EXIT_OK;
}

/* Text a unit typed that a spreadsheet would run as a formula ("=…",
 * "+…", "@…", "-…" that is not a number) is kept as text with a leading
 * apostrophe: the province opens these files in Excel. */
static gboolean
looks_like_formula (const char *text)
{
  return text[0] == '=' || text[0] == '+' || text[0] == '@' || text[0] == '\t' ||
         text[0] == '\r' || (text[0] == '-' && !g_ascii_isdigit (text[1]));
}

static void
csv_field (GString    *line,
           const char *text)
{
  /* A comma before every field but a record's first (after the line
   * break, or the byte order mark that starts the file). */
  if (line->len > 0 && line->str[line->len - 1] != '\n' &&
      !(line->len == 3 && memcmp (line->str, "\xef\xbb\xbf", 3) == 0))
    g_string_append_c (line, ',');
  if (text == NULL)
    return;
  if (strpbrk (text, ",\"\r\n") == NULL && !looks_like_formula (text))
    {
      g_string_append (line, text);
      return;
    }
  g_string_append_c (line, '"');
  if (looks_like_formula (text))
    g_string_append_c (line, '\'');
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (line, '"');
      g_string_append_c (line, *p);
    }
  g_string_append_c (line, '"');
}

static int
cmd_export_csv (int argc, char **argv)
{
  g_autoptr(BcServerStore) store = NULL;
  g_autoptr(GPtrArray) reports = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) units = NULL;
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) csv = g_string_new (NULL);
  g_autofree char *period_id = NULL;
  static const char *header[] = { "unit", "unit_name", "report_id", "template", "template_version",
                                  "period", "revision", "state", "receipt", "received_at" };
  BcPeriod period;

  if (!parse_options ("export-csv", "PERIOD FILE", NULL, &argc, &argv))
    return BC_SERVER_EXIT_USAGE;
  if (argc != 3)
    return usage ("export-csv", "PERIOD FILE");
  if (!open_period (argv[1], &period, &period_id, &store, &reports))
    return BC_SERVER_EXIT_FAILED;
  units = bc_server_store_list_units (store, &error);
  if (units == NULL)
    return fail (error);

  /* The columns: every stored value's field id, in order; tables as JSON. */
  for (guint i = 0; i < reports->len; i++)
    {
      BcStoreReport *report = g_ptr_array_index (reports, i);
      g_autoptr(JsonNode) content = json_from_string (report->content, NULL);
      JsonObject *values = content != NULL && JSON_NODE_HOLDS_OBJECT (content)
                           ? json_object_get_object_member (json_node_get_object (content), "values")
                           : NULL;
      g_autoptr(GList) names = values != NULL ? json_object_get_members (values) : NULL;

      for (GList *l = names; l != NULL; l = l->next)
        if (!g_ptr_array_find_with_equal_func (keys, l->data, g_str_equal, NULL))
          g_ptr_array_add (keys, g_strdup (l->data));
    }
  g_ptr_array_sort (keys, compare_strings);

  /* UTF-8 with a byte order mark: Excel reads Vietnamese right only so. */
  g_string_append (csv, "\xef\xbb\xbf");
  for (guint h = 0; h < G_N_ELEMENTS (header); h++)
    csv_field (csv, header[h]);
  for (guint k = 0; k < keys->len; k++)
    csv_field (csv, g_ptr_array_index (keys, k));
  csv_field (csv, "tables");
  g_string_append (csv, "\r\n");

  for (guint i = 0; i < reports->len; i++)
    {
      BcStoreReport *report = g_ptr_array_index (reports, i);
      g_autoptr(JsonNode) content = json_from_string (report->content, NULL);
      JsonObject *object = content != NULL && JSON_NODE_HOLDS_OBJECT (content)
                           ? json_node_get_object (content) : NULL;
      JsonObject *values = object != NULL ? json_object_get_object_member (object, "values") : NULL;
      JsonNode *tables = object != NULL ? json_object_get_member (object, "tables") : NULL;
      g_autofree char *version = g_strdup_printf ("%" G_GINT64_FORMAT, report->template_version);
      g_autofree char *revision = g_strdup_printf ("%" G_GINT64_FORMAT, report->current_revision);
      g_autofree char *time = bc_wire_format_time (report->received_at);
      g_autofree char *tables_text = tables != NULL ? bc_wire_canonical_json (tables) : NULL;
      const char *name = NULL;

      for (guint u = 0; u < json_array_get_length (units); u++)
        if (g_str_equal (json_object_get_string_member (json_array_get_object_element (units, u), "code"),
                         report->unit))
          name = json_object_get_string_member (json_array_get_object_element (units, u), "name");

      csv_field (csv, report->unit);
      csv_field (csv, name);
      csv_field (csv, report->report_id);
      csv_field (csv, report->template_id);
      csv_field (csv, version);
      csv_field (csv, report->period);
      csv_field (csv, revision);
      csv_field (csv, report->state);
      csv_field (csv, report->receipt_number);
      csv_field (csv, time);
      for (guint k = 0; k < keys->len; k++)
        csv_field (csv, values != NULL ? json_object_get_string_member_with_default (values, g_ptr_array_index (keys, k), NULL) : NULL);
      csv_field (csv, tables_text);
      g_string_append (csv, "\r\n");
    }

  if (!g_file_set_contents (argv[2], csv->str, (gssize) csv->len, &error))
    return fail (error);
  printf (g_dngettext (GETTEXT_PACKAGE, "Wrote %u report to %s.\n", "Wrote %u reports to %s.\n",
                       reports->len),
          reports->len, argv[2]);
  return BC_SERVER_EXIT_OK;
}

static int
cmd_backup (int argc, char **argv)
{
  g_autoptr(BcServerStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;
  g_autofree char *path = NULL;

  if (!parse_options ("backup", "FILE", NULL, &argc, &argv))
    return BC_SERVER_EXIT_USAGE;
  if (argc != 2)
    return usage ("backup", "FILE");
  file = g_file_new_for_commandline_arg (argv[1]);
  path = g_file_get_path (file);
  store = open_store ();
  if (store == NULL)
    return BC_SERVER_EXIT_FAILED;
  if (!bc_server_store_backup (store, path, &error))
    return fail (error);
  printf (_("Backup written to %s.\n"), path);
  return BC_SERVER_EXIT_OK;
}

/* import-bundle (bc-server-bundle.c, docs/server.md) */

static int
cmd_import_bundle (int argc, char **argv)
{
  g_autofree char *reply_path = NULL;
  gboolean trust_unsigned = FALSE;
  GOptionEntry entries[] = {
    { "reply", 0, 0, G_OPTION_ARG_FILENAME, &reply_path, N_("Write the reply bundle to this file (default: FILE.reply)"), N_("FILE") },
    { "trust-unsigned", 0, 0, G_OPTION_ARG_NONE, &trust_unsigned, N_("Import a bundle that no device signed (you know where it comes from)"), NULL },
    { NULL }
  };
  g_autoptr(BcServerStore) store = NULL;
  g_autoptr(BcTemplateRegistry) shipped = NULL;
  g_autoptr(BcServer) server = NULL;
  g_autoptr(JsonObject) bundle = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *reply = NULL;
  guint n_items = 0, n_new = 0;

  if (!parse_options ("import-bundle", "FILE [--reply FILE] [--trust-unsigned]", entries, &argc, &argv))
    return BC_SERVER_EXIT_USAGE;
  if (argc != 2)
    return usage ("import-bundle", "FILE [--reply FILE] [--trust-unsigned]");
  if (reply_path == NULL)
    reply_path = g_strconcat (argv[1], ".reply", NULL);

  /* Opened (checksum and all) before the store: a damaged file touches nothing. */
  bundle = bc_bundle_open_file (argv[1], &error);
  if (bundle == NULL)
    return fail (error);
  store = open_store ();
  if (store == NULL)
    return BC_SERVER_EXIT_FAILED;
  shipped = shipped_templates ();
  server = bc_server_new (g_steal_pointer (&store), shipped, &error);
  if (server == NULL)
    return fail (error);
  /* Messages in the administrator's language (and so the reply's too). */
  reply = bc_server_bundle_apply (server, g_str_has_prefix (bc_i18n_language (), "vi") ? "vi" : "en",
                                  bundle, NULL, trust_unsigned, &n_items, &n_new, &error);
  if (reply == NULL)
    return fail (error);
  if (!bc_bundle_write_file (reply_path, reply, &error))
    return fail (error);
  /* TRANSLATORS: %u items in a bundle, %u of them new; then the reply file */
  printf (_("Imported %u items (%u new, the others already received). Reply bundle: %s\n"),
          n_items, n_new, reply_path);
  return BC_SERVER_EXIT_OK;
}

/* Opening a store brings its schema up to this server's (both stores
 * migrate on open, each step in one transaction) or refuses a newer one. */
static int
cmd_migrate (int argc, char **argv)
{
  g_autoptr(BcServerStore) store = NULL;

  if (!parse_options ("migrate", "", NULL, &argc, &argv))
    return BC_SERVER_EXIT_USAGE;
  if (argc != 1)
    return usage ("migrate", "");
  store = open_store ();
  if (store == NULL)
    return BC_SERVER_EXIT_FAILED;
  printf ("%s\n", _("The store's schema is up to date."));
  return BC_SERVER_EXIT_OK;
}

/* export FILE / import FILE: a province's data between stores (SQLite ↔
 * PostgreSQL), checked by each table's row count and SHA-256. */
static int
cmd_export (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) summary = g_string_new (NULL);

  if (!parse_options ("export", "FILE", NULL, &argc, &argv))
    return BC_SERVER_EXIT_USAGE;
  if (argc != 2)
    return usage ("export", "FILE");
  if (!bc_server_transfer_export (opt_store != NULL ? NULL : opt_data, opt_store, argv[1],
                                  summary, &error))
    return fail (error);
  printf ("%s", summary->str);
  printf (_("Exported to %s.\n"), argv[1]);
  return BC_SERVER_EXIT_OK;
}

static int
cmd_import (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) summary = g_string_new (NULL);

  if (!parse_options ("import", "FILE", NULL, &argc, &argv))
    return BC_SERVER_EXIT_USAGE;
  if (argc != 2)
    return usage ("import", "FILE");
  if (!bc_server_transfer_import (opt_store != NULL ? NULL : opt_data, opt_store, argv[1],
                                  summary, &error))
    return fail (error);
  printf ("%s", summary->str);
  printf ("%s\n", _("Imported: every table reads back with the count and hash of the file."));
  return BC_SERVER_EXIT_OK;
}

typedef struct {
  const char *group;     /* NULL: a command of one word */
  const char *name;
  int (*run) (int argc, char **argv);
  const char *summary;
} Command;

static const Command commands[] = {
  { NULL, "serve", cmd_serve, N_("Serve the sync protocol") },
  { "units", "load", cmd_units_load, N_("Load the unit hierarchy from a JSON file") },
  { "units", "list", cmd_units_list, N_("List the units") },
  { "users", "add", cmd_users_add, N_("Add a unit's account") },
  { "users", "list", cmd_users_list, N_("List the accounts") },
  { "devices", "list", cmd_devices_list, N_("List enrolled devices") },
  { "devices", "revoke", cmd_devices_revoke, N_("Revoke a device's token") },
  { "templates", "publish", cmd_templates_publish, N_("Publish a template version") },
  { "plans", "publish", cmd_plans_publish, N_("Publish a plan (due dates and targets)") },
  { "reports", "list", cmd_reports_list, N_("List received reports") },
  { "reports", "show", cmd_reports_show, N_("Show a received report") },
  { "review", "accept", cmd_review_accept, N_("Accept a report") },
  { "review", "return", cmd_review_return, N_("Return a report with a comment") },
  { NULL, "completeness", cmd_completeness, N_("Which units reported a period, on time or late") },
  { NULL, "totals", cmd_totals, N_("The province's totals for a period") },
  { NULL, "export-csv", cmd_export_csv, N_("Write a period's reports as CSV") },
  { NULL, "backup", cmd_backup, N_("Copy the data to a file while serving") },
  { NULL, "import-bundle", cmd_import_bundle, N_("Apply a unit's bundle and write its reply bundle") },
  { NULL, "migrate", cmd_migrate, N_("Bring the store's schema up to this server's") },
  { NULL, "export", cmd_export, N_("Write the whole store to a file (to move it)") },
  { NULL, "import", cmd_import, N_("Load an exported file into a new, empty store") },
};

static void
print_usage (FILE *stream)
{
  fprintf (stream, "%s\n", _("usage: baocao-server COMMAND --data DIR [OPTIONS]"));
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_autofree char *name = g_strdup_printf ("%s%s%s", commands[i].group ? commands[i].group : "",
                                               commands[i].group ? " " : "", commands[i].name);

      fprintf (stream, "  %-20s %s\n", name, _(commands[i].summary));
    }
}

int
bc_server_admin_run (int    argc,
                     char **argv)
{
  bc_i18n_init ();
  textdomain (GETTEXT_PACKAGE);

  if (argc < 2 || g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h"))
    {
      print_usage (argc < 2 ? stderr : stdout);
      return argc < 2 ? BC_SERVER_EXIT_USAGE : BC_SERVER_EXIT_OK;
    }
  if (g_str_equal (argv[1], "--version"))
    {
      printf ("baocao-server %s\n", PACKAGE_VERSION);
      return BC_SERVER_EXIT_OK;
    }

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      const Command *command = &commands[i];

      if (command->group == NULL && g_str_equal (argv[1], command->name))
        return command->run (argc - 1, argv + 1);
      if (command->group != NULL && g_str_equal (argv[1], command->group) &&
          argc >= 3 && g_str_equal (argv[2], command->name))
        {
          /* "units load FILE": the command sees "load FILE". */
          return command->run (argc - 2, argv + 2);
        }
    }
  err (_("Unknown command “%s%s%s”."), argv[1], argc >= 3 && argv[2][0] != '-' ? " " : "",
       argc >= 3 && argv[2][0] != '-' ? argv[2] : "");
  print_usage (stderr);
  return BC_SERVER_EXIT_USAGE;
}
