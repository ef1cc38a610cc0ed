/* bc-template-registry.c: every version of every template found in a set of folders.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bc-template-registry"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "bc-plan.h"
#include "bc-template.h"

#define PLAN_SUFFIX ".plan.json"

struct _BcTemplateRegistry
{
  GObject    parent_instance;

  GPtrArray *templates;  /* BcTemplate*, owned */
  GPtrArray *retired;    /* BcTemplate*, owned: replaced, but still borrowed by callers */
  GPtrArray *problems;   /* GError*: the files load_directory() set aside */
  GPtrArray *plans;      /* BcPlan*, owned, in the order loaded */
  /* Sync adds the forms and plans the province publishes from its worker
   * thread while the window looks them up: the lists are read and changed
   * under this lock (recursive: lookups call one another). */
  GRecMutex  lock;
};

G_DEFINE_FINAL_TYPE (BcTemplateRegistry, bc_template_registry, G_TYPE_OBJECT)

static void
bc_template_registry_finalize (GObject *object)
{
  BcTemplateRegistry *self = (BcTemplateRegistry *)object;

  g_clear_pointer (&self->templates, g_ptr_array_unref);
  g_clear_pointer (&self->retired, g_ptr_array_unref);
  g_clear_pointer (&self->problems, g_ptr_array_unref);
  g_clear_pointer (&self->plans, g_ptr_array_unref);
  g_rec_mutex_clear (&self->lock);

  G_OBJECT_CLASS (bc_template_registry_parent_class)->finalize (object);
}

static void
bc_template_registry_class_init (BcTemplateRegistryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = bc_template_registry_finalize;
}

static void
bc_template_registry_init (BcTemplateRegistry *self)
{
  self->templates = g_ptr_array_new_with_free_func (g_object_unref);
  self->retired = g_ptr_array_new_with_free_func (g_object_unref);
  self->problems = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);
  self->plans = g_ptr_array_new_with_free_func (g_object_unref);
  g_rec_mutex_init (&self->lock);
}

/* Held from a function's start to its end (NULL, for the checks to
 * catch, when `self` is not a registry). */
static GRecMutexLocker *
lock_registry (BcTemplateRegistry *self)
{
  return BC_IS_TEMPLATE_REGISTRY (self) ? g_rec_mutex_locker_new (&self->lock) : NULL;
}

BcTemplateRegistry *
bc_template_registry_new (void)
{
  return g_object_new (BC_TYPE_TEMPLATE_REGISTRY, NULL);
}

static BcTemplate *
find (GPtrArray  *templates,
      const char *id,
      int         version)
{
  for (guint i = 0; i < templates->len; i++)
    {
      BcTemplate *template_ = g_ptr_array_index (templates, i);

      if (g_str_equal (bc_template_get_id (template_), id) &&
          bc_template_get_version (template_) == version)
        return template_;
    }

  return NULL;
}

/* A template of the same id and version replaces the one there for
 * lookups. The one replaced is kept alive until the registry goes:
 * lookups hand out borrowed pointers, and a report, a validation or a
 * window may still be using it and the records it owns. */
void
bc_template_registry_add (BcTemplateRegistry *self,
                          BcTemplate         *template_)
{
  g_autoptr(GRecMutexLocker) locker = lock_registry (self);
  BcTemplate *old;
  guint index;

  g_return_if_fail (BC_IS_TEMPLATE_REGISTRY (self));
  g_return_if_fail (BC_IS_TEMPLATE (template_));

  old = find (self->templates, bc_template_get_id (template_), bc_template_get_version (template_));
  if (old == template_)
    return;
  if (old != NULL && g_ptr_array_find (self->templates, old, &index))
    g_ptr_array_add (self->retired, g_ptr_array_steal_index (self->templates, index));

  g_ptr_array_add (self->templates, g_object_ref (template_));
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *)a, *(const char * const *)b);
}

static BcPlan *
find_plan (GPtrArray  *plans,
           const char *id)
{
  for (guint i = 0; i < plans->len; i++)
    if (g_str_equal (bc_plan_get_id (g_ptr_array_index (plans, i)), id))
      return g_ptr_array_index (plans, i);

  return NULL;
}

/* Loads the plan at `path` into `plans`; FALSE with `error` when it is
 * broken or a second file of a plan id already there. */
static gboolean
load_plan (GPtrArray   *plans,
           const char  *path,
           GError     **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(BcPlan) plan = bc_plan_new_from_file (file, error);
  BcPlan *other;

  if (plan == NULL)
    return FALSE;

  other = find_plan (plans, bc_plan_get_id (plan));
  if (other != NULL)
    {
      g_set_error (error, BC_TEMPLATE_ERROR, BC_TEMPLATE_ERROR_INVALID,
                   _("%s and %s are both the plan “%s”; remove one of them or give it another id."),
                   bc_plan_get_filename (other), bc_plan_get_filename (plan), bc_plan_get_id (plan));
      return FALSE;
    }

  g_ptr_array_add (plans, g_steal_pointer (&plan));
  return TRUE;
}

gboolean
bc_template_registry_add_directory (BcTemplateRegistry  *self,
                                    const char          *directory,
                                    GError             **error)
{
  g_autoptr(GRecMutexLocker) locker = lock_registry (self);
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) loaded = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) plans = g_ptr_array_new_with_free_func (g_object_unref);
  const char *name;

  g_return_val_if_fail (BC_IS_TEMPLATE_REGISTRY (self), FALSE);
  g_return_val_if_fail (directory != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* The plans already there first, so that a second file of one is refused. */
  for (guint i = 0; i < self->plans->len; i++)
    g_ptr_array_add (plans, g_object_ref (g_ptr_array_index (self->plans, i)));

  dir = g_dir_open (directory, 0, error);
  if (dir == NULL)
    return FALSE;

  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".json"))
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);

  /* Load the whole folder before adding any of it, so that a bad file
   * leaves the registry as it was. */
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (directory, g_ptr_array_index (names, i), NULL);
      g_autoptr(GFile) file = g_file_new_for_path (path);
      BcTemplate *template_;
      BcTemplate *other;

      if (g_str_has_suffix (g_ptr_array_index (names, i), PLAN_SUFFIX))
        continue;
      template_ = bc_template_new_from_file (file, error);
      if (template_ == NULL)
        return FALSE;
      g_ptr_array_add (loaded, template_);

      other = find (self->templates, bc_template_get_id (template_), bc_template_get_version (template_));
      if (other == NULL)
        {
          other = find (loaded, bc_template_get_id (template_), bc_template_get_version (template_));
          if (other == template_)
            other = NULL;
        }
      if (other != NULL)
        {
          g_set_error (error, BC_TEMPLATE_ERROR, BC_TEMPLATE_ERROR_INVALID,
                       _("%s and %s are both version %d of the template “%s”; remove one of them or give it a new version."),
                       bc_template_get_filename (other), bc_template_get_filename (template_),
                       bc_template_get_version (template_), bc_template_get_id (template_));
          return FALSE;
        }
    }

  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = NULL;

      if (!g_str_has_suffix (g_ptr_array_index (names, i), PLAN_SUFFIX))
        continue;
      path = g_build_filename (directory, g_ptr_array_index (names, i), NULL);
      if (!load_plan (plans, path, error))
        return FALSE;
    }

  for (guint i = 0; i < loaded->len; i++)
    g_ptr_array_add (self->templates, g_object_ref (g_ptr_array_index (loaded, i)));
  for (guint i = self->plans->len; i < plans->len; i++)
    g_ptr_array_add (self->plans, g_object_ref (g_ptr_array_index (plans, i)));

  return TRUE;
}

GPtrArray *
bc_template_registry_load_directory (BcTemplateRegistry *self,
                                     const char         *directory)
{
  g_autoptr(GRecMutexLocker) locker = lock_registry (self);
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  GPtrArray *problems = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);
  GError *error = NULL;
  const char *name;

  g_return_val_if_fail (BC_IS_TEMPLATE_REGISTRY (self), problems);
  g_return_val_if_fail (directory != NULL, problems);

  dir = g_dir_open (directory, 0, &error);
  if (dir == NULL)
    {
      g_ptr_array_add (problems, error);
      g_ptr_array_add (self->problems, g_error_copy (error));
      return problems;
    }

  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".json"))
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);

  /* One broken file (or a second file of one version) is set aside, named
   * with its line and cause; the others load, so that every other form and
   * every report on them keeps working. */
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (directory, g_ptr_array_index (names, i), NULL);
      g_autoptr(GFile) file = g_file_new_for_path (path);
      g_autoptr(BcTemplate) template_ = NULL;
      BcTemplate *other;

      /* A plan beside the templates: set aside like a template when broken. */
      if (g_str_has_suffix (g_ptr_array_index (names, i), PLAN_SUFFIX))
        {
          if (!load_plan (self->plans, path, &error))
            {
              g_ptr_array_add (self->problems, g_error_copy (error));
              g_ptr_array_add (problems, g_steal_pointer (&error));
            }
          continue;
        }

      template_ = bc_template_new_from_file (file, &error);
      if (template_ == NULL)
        {
          g_ptr_array_add (self->problems, g_error_copy (error));
          g_ptr_array_add (problems, g_steal_pointer (&error));
          continue;
        }

      other = find (self->templates, bc_template_get_id (template_), bc_template_get_version (template_));
      if (other != NULL)
        {
          error = g_error_new (BC_TEMPLATE_ERROR, BC_TEMPLATE_ERROR_INVALID,
                               _("%s and %s are both version %d of the template “%s”; remove one of them or give it a new version."),
                               bc_template_get_filename (other), bc_template_get_filename (template_),
                               bc_template_get_version (template_), bc_template_get_id (template_));
          g_ptr_array_add (self->problems, g_error_copy (error));
          g_ptr_array_add (problems, g_steal_pointer (&error));
          continue;
        }

      g_ptr_array_add (self->templates, g_steal_pointer (&template_));
    }

  return problems;
}

GPtrArray *
bc_template_registry_get_problems (BcTemplateRegistry *self)
{
  g_return_val_if_fail (BC_IS_TEMPLATE_REGISTRY (self), NULL);

  return self->problems;
}

static gboolean
can_open (const char  *directory,
          GError     **error)
{
  g_autoptr(GDir) dir = g_dir_open (directory, 0, error);

  return dir != NULL;
}

BcTemplateRegistry *
bc_template_registry_new_default (GError **error)
{
  g_autoptr(BcTemplateRegistry) self = bc_template_registry_new ();
  const char *env = g_getenv ("BAOCAO_TEMPLATE_DIR");
  g_autofree char *installed = g_build_filename (PKGDATADIR, "templates", NULL);

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (env != NULL && *env != '\0')
    {
      g_auto(GStrv) directories = g_strsplit (env, G_SEARCHPATH_SEPARATOR_S, -1);

      for (guint i = 0; directories[i] != NULL; i++)
        {
          if (*directories[i] == '\0')
            continue;
          /* A folder that is not there is a wrong setting, not a broken
           * template: say so. */
          if (!can_open (directories[i], error))
            return NULL;
          g_ptr_array_unref (bc_template_registry_load_directory (self, directories[i]));
        }
    }
  else
    {
      /* Without an installed copy we are running uninstalled, from the
       * source tree. */
      const char *directory = g_file_test (installed, G_FILE_TEST_IS_DIR) ? installed : BUILD_TEMPLATEDIR;

      if (!can_open (directory, error))
        return NULL;
      g_ptr_array_unref (bc_template_registry_load_directory (self, directory));
    }

  return g_steal_pointer (&self);
}

static int
compare_versions (gconstpointer a,
                  gconstpointer b)
{
  int version_a = bc_template_get_version (*(BcTemplate * const *)a);
  int version_b = bc_template_get_version (*(BcTemplate * const *)b);

  return (version_a > version_b) - (version_a < version_b);
}

/* "There is no form “x”" and what there is instead. The message is for the
 * window as much as for the command line, so it lists the forms rather
 * than naming a command to run. */
static void
set_no_template_error (BcTemplateRegistry  *self,
                       const char          *id,
                       GError             **error)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new ();
  g_autoptr(GString) list = g_string_new (NULL);

  for (guint i = 0; i < self->templates->len; i++)
    {
      const char *other = bc_template_get_id (g_ptr_array_index (self->templates, i));
      gboolean seen = FALSE;

      for (guint j = 0; j < ids->len && !seen; j++)
        seen = g_str_equal (g_ptr_array_index (ids, j), other);
      if (!seen)
        g_ptr_array_add (ids, (gpointer)other);
    }
  g_ptr_array_sort (ids, compare_names);

  if (ids->len == 0)
    {
      g_set_error (error, BC_TEMPLATE_ERROR, BC_TEMPLATE_ERROR_NOT_FOUND,
                   _("There is no form “%s”, and no forms are installed."), id);
      return;
    }

  for (guint i = 0; i < ids->len; i++)
    g_string_append_printf (list, "%s%s", i > 0 ? ", " : "", (const char *)g_ptr_array_index (ids, i));
  g_set_error (error, BC_TEMPLATE_ERROR, BC_TEMPLATE_ERROR_NOT_FOUND,
               _("There is no form “%s”. The installed forms are: %s."), id, list->str);
}

static void
set_no_version_error (BcTemplateRegistry  *self,
                      const char          *id,
                      int                  version,
                      GError             **error)
{
  g_autoptr(GPtrArray) versions = g_ptr_array_new ();
  g_autoptr(GString) list = g_string_new (NULL);

  for (guint i = 0; i < self->templates->len; i++)
    {
      BcTemplate *template_ = g_ptr_array_index (self->templates, i);

      if (g_str_equal (bc_template_get_id (template_), id))
        g_ptr_array_add (versions, template_);
    }
  g_ptr_array_sort (versions, compare_versions);

  for (guint i = 0; i < versions->len; i++)
    g_string_append_printf (list, "%s%d", i > 0 ? ", " : "",
                            bc_template_get_version (g_ptr_array_index (versions, i)));
  g_set_error (error, BC_TEMPLATE_ERROR, BC_TEMPLATE_ERROR_NOT_FOUND,
               _("There is no version %d of the form “%s”. Its installed versions are: %s."),
               version, id, list->str);
}

BcTemplate *
bc_template_registry_lookup (BcTemplateRegistry  *self,
                             const char          *id,
                             int                  version,
                             GError             **error)
{
  g_autoptr(GRecMutexLocker) locker = lock_registry (self);
  BcTemplate *template_;

  g_return_val_if_fail (BC_IS_TEMPLATE_REGISTRY (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  template_ = find (self->templates, id, version);
  if (template_ != NULL)
    return template_;

  if (bc_template_registry_lookup_latest (self, id, NULL) == NULL)
    set_no_template_error (self, id, error);
  else
    set_no_version_error (self, id, version, error);

  return NULL;
}

BcTemplate *
bc_template_registry_lookup_latest (BcTemplateRegistry  *self,
                                    const char          *id,
                                    GError             **error)
{
  g_autoptr(GRecMutexLocker) locker = lock_registry (self);
  BcTemplate *latest = NULL;

  g_return_val_if_fail (BC_IS_TEMPLATE_REGISTRY (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  for (guint i = 0; i < self->templates->len; i++)
    {
      BcTemplate *template_ = g_ptr_array_index (self->templates, i);

      if (g_str_equal (bc_template_get_id (template_), id) &&
          (latest == NULL || bc_template_get_version (template_) > bc_template_get_version (latest)))
        latest = template_;
    }

  if (latest == NULL)
    set_no_template_error (self, id, error);

  return latest;
}

BcTemplate *
bc_template_registry_lookup_for (BcTemplateRegistry  *self,
                                 const char          *id,
                                 const char          *period_id,
                                 const char          *unit,
                                 GError             **error)
{
  g_autoptr(GRecMutexLocker) locker = lock_registry (self);
  BcTemplate *found = NULL;

  g_return_val_if_fail (BC_IS_TEMPLATE_REGISTRY (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (bc_template_registry_lookup_latest (self, id, error) == NULL)
    return NULL;

  for (guint i = 0; i < self->templates->len; i++)
    {
      BcTemplate *template_ = g_ptr_array_index (self->templates, i);

      if (g_str_equal (bc_template_get_id (template_), id) &&
          (found == NULL || bc_template_get_version (template_) > bc_template_get_version (found)) &&
          bc_template_applies_to (template_, period_id, unit))
        found = template_;
    }

  if (found == NULL)
    g_set_error (error, BC_TEMPLATE_ERROR, BC_TEMPLATE_ERROR_NOT_FOUND,
                 _("No version of the form “%s” is for period %s and unit “%s”. Choose another "
                   "period or form, or install the version your province issued for it."),
                 id, period_id != NULL ? period_id : "", unit != NULL ? unit : "");

  return found;
}

static int
compare_ids (gconstpointer a,
             gconstpointer b)
{
  BcTemplate *template_a = *(BcTemplate * const *)a;
  BcTemplate *template_b = *(BcTemplate * const *)b;

  return strcmp (bc_template_get_id (template_a), bc_template_get_id (template_b));
}

GPtrArray *
bc_template_registry_list_latest (BcTemplateRegistry *self)
{
  g_autoptr(GRecMutexLocker) locker = lock_registry (self);
  GPtrArray *list;

  g_return_val_if_fail (BC_IS_TEMPLATE_REGISTRY (self), NULL);

  list = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < self->templates->len; i++)
    {
      BcTemplate *template_ = g_ptr_array_index (self->templates, i);

      if (bc_template_registry_lookup_latest (self, bc_template_get_id (template_), NULL) == template_)
        g_ptr_array_add (list, g_object_ref (template_));
    }
  g_ptr_array_sort (list, compare_ids);

  return list;
}

/* --- plans ----------------------------------------------------------------- */

GPtrArray *
bc_template_registry_get_plans (BcTemplateRegistry *self)
{
  g_return_val_if_fail (BC_IS_TEMPLATE_REGISTRY (self), NULL);

  return self->plans;
}

BcPlan *
bc_template_registry_get_plan (BcTemplateRegistry *self,
                               const char         *plan_id)
{
  g_autoptr(GRecMutexLocker) locker = lock_registry (self);

  g_return_val_if_fail (BC_IS_TEMPLATE_REGISTRY (self), NULL);
  g_return_val_if_fail (plan_id != NULL, NULL);

  return find_plan (self->plans, plan_id);
}

/* Plans are only ever added, so that the borrowed pointers lookups hand
 * out stay valid as long as the registry. */
gboolean
bc_template_registry_add_plan (BcTemplateRegistry *self,
                               BcPlan             *plan)
{
  g_autoptr(GRecMutexLocker) locker = lock_registry (self);

  g_return_val_if_fail (BC_IS_TEMPLATE_REGISTRY (self), FALSE);
  g_return_val_if_fail (BC_IS_PLAN (plan), FALSE);

  if (find_plan (self->plans, bc_plan_get_id (plan)) != NULL)
    return FALSE;
  g_ptr_array_add (self->plans, g_object_ref (plan));
  return TRUE;
}

BcPlan *
bc_template_registry_lookup_plan (BcTemplateRegistry *self,
                                  const char         *period_id,
                                  const char         *unit)
{
  g_autoptr(GRecMutexLocker) locker = lock_registry (self);
  BcPlan *found = NULL;

  g_return_val_if_fail (BC_IS_TEMPLATE_REGISTRY (self), NULL);

  for (guint i = 0; i < self->plans->len; i++)
    {
      BcPlan *plan = g_ptr_array_index (self->plans, i);
      BcPeriod a, b;

      if (!bc_plan_in_force (plan, period_id, unit))
        continue;
      /* Two plans in force: the later one is the one that replaced the other. */
      if (found != NULL &&
          bc_period_parse (bc_plan_get_from (found), &a, NULL) &&
          bc_period_parse (bc_plan_get_from (plan), &b, NULL) &&
          bc_period_compare (&b, &a) <= 0)
        continue;
      found = plan;
    }

  return found;
}

gboolean
bc_template_registry_due_date (BcTemplateRegistry *self,
                               const char         *period_id,
                               const char         *unit,
                               GDate              *due)
{
  BcPlan *plan;
  BcPeriod period;

  g_return_val_if_fail (BC_IS_TEMPLATE_REGISTRY (self), FALSE);
  g_return_val_if_fail (due != NULL, FALSE);

  g_date_clear (due, 1);
  if (period_id == NULL || !bc_period_parse (period_id, &period, NULL))
    return FALSE;

  /* A one-off report's period is the day the letter it answers sets. */
  if (period.type == BC_PERIOD_ONE_OFF)
    {
      g_date_set_dmy (due, (GDateDay) period.day, (GDateMonth) period.month, (GDateYear) period.year);
      return TRUE;
    }

  plan = bc_template_registry_lookup_plan (self, period_id, unit);
  return plan != NULL && bc_plan_due_date (plan, &period, due);
}

BcTimeliness
bc_template_registry_timeliness (BcTemplateRegistry *self,
                                 const char         *period_id,
                                 const char         *unit,
                                 const GDate        *today,
                                 const GDate        *submitted)
{
  GDate due;

  g_return_val_if_fail (BC_IS_TEMPLATE_REGISTRY (self), BC_TIMELINESS_NO_DUE_DATE);

  if (!bc_template_registry_due_date (self, period_id, unit, &due))
    return BC_TIMELINESS_NO_DUE_DATE;

  return bc_timeliness_for_due (&due, today, submitted);
}

const BcTarget *
bc_template_registry_lookup_target (BcTemplateRegistry *self,
                                    BcTemplate         *template_,
                                    const BcField      *field,
                                    const char         *period_id,
                                    const char         *unit)
{
  BcPlan *plan;

  g_return_val_if_fail (self == NULL || BC_IS_TEMPLATE_REGISTRY (self), NULL);
  g_return_val_if_fail (field != NULL, NULL);

  if (period_id == NULL)
    return NULL;

  /* A plan names fields, not table columns: a column's target is the
   * form's own. */
  plan = self != NULL && field->table == NULL ? bc_template_registry_lookup_plan (self, period_id, unit) : NULL;
  if (plan != NULL)
    {
      const BcTarget *target = bc_plan_lookup_target (plan,
                                                      template_ != NULL ? bc_template_get_id (template_) : NULL,
                                                      field->id, period_id);

      if (target != NULL)
        return target;
    }

  /* A target the form itself sets, where its from/to hold the period. */
  if (field->target != NULL && bc_target_in_force (field->target, period_id))
    return field->target;

  return NULL;
}
