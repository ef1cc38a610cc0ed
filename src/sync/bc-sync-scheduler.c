/* bc-sync-scheduler.c: runs sync when online, on a schedule, on demand.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bc-sync"

#include "config.h"

#include "bc-sync-scheduler.h"

struct _BcSyncScheduler
{
  GObject          parent_instance;

  BcSyncClient    *client;
  guint            interval;
  GNetworkMonitor *monitor;
  gulong           network_handler;
  GCancellable    *cancellable;
  GSource         *timer;
  gint64           due;        /* monotonic µs of the timer, 0 if none */
  guint            failures;
  gboolean         started;
  gboolean         running;
  gboolean         again;      /* sync_now while running */
  gboolean         stuck;      /* a failure that needs a person */
};

G_DEFINE_FINAL_TYPE (BcSyncScheduler, bc_sync_scheduler, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CLIENT,
  PROP_INTERVAL,
  PROP_RUNNING,
  PROP_FAILURES,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void start_sync (BcSyncScheduler *self);

guint
bc_sync_backoff_delay (guint  failures,
                       guint  retry_after,
                       guint  base,
                       guint  max,
                       double random)
{
  guint64 delay = MAX (base, 1);
  guint wait;

  for (guint i = 1; i < failures && delay < max; i++)
    delay *= 2;
  delay = MIN (delay, (guint64) max);

  /* Full jitter over the upper half: clients cut off together do not come
   * back together. */
  wait = (guint) (delay / 2 + (guint64) (random * (double) (delay - delay / 2)));

  return MAX (wait, retry_after);
}

static void
clear_timer (BcSyncScheduler *self)
{
  if (self->timer != NULL)
    {
      g_source_destroy (self->timer);
      g_clear_pointer (&self->timer, g_source_unref);
    }
  self->due = 0;
}

static gboolean
timer_fired (gpointer user_data)
{
  BcSyncScheduler *self = user_data;

  g_clear_pointer (&self->timer, g_source_unref);
  self->due = 0;
  start_sync (self);

  return G_SOURCE_REMOVE;
}

static void
arm (BcSyncScheduler *self,
     guint            seconds)
{
  clear_timer (self);
  self->timer = g_timeout_source_new_seconds (seconds);
  g_source_set_callback (self->timer, timer_fired, self, NULL);
  g_source_attach (self->timer, g_main_context_get_thread_default ());
  self->due = g_get_monotonic_time () + (gint64) seconds * G_USEC_PER_SEC;
}

static void
sync_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(BcSyncScheduler) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(BcSyncSummary) summary = NULL;

  summary = bc_sync_client_sync_finish (BC_SYNC_CLIENT (source), result, &error);
  self->running = FALSE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && !self->started)
    return;

  if (summary != NULL)
    {
      self->failures = 0;
      self->stuck = FALSE;
    }
  else if (bc_sync_error_is_transient (error))
    self->failures++;
  else
    self->stuck = TRUE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FAILURES]);

  g_signal_emit (self, signals[SIGNAL_FINISHED], 0, summary, error);

  if (!self->started)
    return;

  if (self->again)
    {
      self->again = FALSE;
      start_sync (self);
    }
  else if (self->failures > 0)
    arm (self, bc_sync_backoff_delay (self->failures,
                                      bc_sync_client_get_retry_after (BC_SYNC_CLIENT (source)),
                                      BC_SYNC_BACKOFF_BASE, BC_SYNC_BACKOFF_MAX,
                                      g_random_double ()));
  else if (!self->stuck && self->interval > 0)
    arm (self, self->interval);
}

static void
start_sync (BcSyncScheduler *self)
{
  if (self->running)
    {
      self->again = TRUE;
      return;
    }

  clear_timer (self);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->running = TRUE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
  bc_sync_client_sync_async (self->client, self->cancellable, sync_done, g_object_ref (self));
}

static void
network_changed (GNetworkMonitor *monitor,
                 gboolean         available,
                 gpointer         user_data)
{
  BcSyncScheduler *self = user_data;

  (void) monitor;

  /* A link came back: what waits in the outbox goes now, unless the
   * server asked for a pause or a person must act first. */
  if (available && self->started && !self->running && !self->stuck
      && bc_sync_client_get_retry_after (self->client) == 0)
    start_sync (self);
}

void
bc_sync_scheduler_start (BcSyncScheduler *self)
{
  g_return_if_fail (BC_IS_SYNC_SCHEDULER (self));

  if (self->started)
    return;
  self->started = TRUE;
  self->monitor = g_object_ref (g_network_monitor_get_default ());
  self->network_handler = g_signal_connect (self->monitor, "network-changed",
                                            G_CALLBACK (network_changed), self);

  if (g_network_monitor_get_network_available (self->monitor))
    start_sync (self);
  else if (self->interval > 0)
    arm (self, self->interval);
}

void
bc_sync_scheduler_stop (BcSyncScheduler *self)
{
  g_return_if_fail (BC_IS_SYNC_SCHEDULER (self));

  self->started = FALSE;
  self->again = FALSE;
  clear_timer (self);
  if (self->monitor != NULL)
    {
      g_clear_signal_handler (&self->network_handler, self->monitor);
      g_clear_object (&self->monitor);
    }
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
}

void
bc_sync_scheduler_sync_now (BcSyncScheduler *self)
{
  g_return_if_fail (BC_IS_SYNC_SCHEDULER (self));

  self->failures = 0;
  self->stuck = FALSE;
  start_sync (self);
}

gboolean
bc_sync_scheduler_get_running (BcSyncScheduler *self)
{
  g_return_val_if_fail (BC_IS_SYNC_SCHEDULER (self), FALSE);

  return self->running;
}

guint
bc_sync_scheduler_get_failures (BcSyncScheduler *self)
{
  g_return_val_if_fail (BC_IS_SYNC_SCHEDULER (self), 0);

  return self->failures;
}

gint64
bc_sync_scheduler_get_next_in (BcSyncScheduler *self)
{
  g_return_val_if_fail (BC_IS_SYNC_SCHEDULER (self), -1);

  if (self->due == 0)
    return -1;

  return MAX (self->due - g_get_monotonic_time (), 0) / G_USEC_PER_SEC;
}

BcSyncScheduler *
bc_sync_scheduler_new (BcSyncClient *client,
                       guint         interval)
{
  g_return_val_if_fail (BC_IS_SYNC_CLIENT (client), NULL);

  return g_object_new (BC_TYPE_SYNC_SCHEDULER, "client", client, "interval", interval, NULL);
}

static void
bc_sync_scheduler_dispose (GObject *object)
{
  BcSyncScheduler *self = (BcSyncScheduler *) object;

  bc_sync_scheduler_stop (self);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->client);

  G_OBJECT_CLASS (bc_sync_scheduler_parent_class)->dispose (object);
}

static void
bc_sync_scheduler_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  BcSyncScheduler *self = BC_SYNC_SCHEDULER (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      g_value_set_object (value, self->client);
      break;
    case PROP_INTERVAL:
      g_value_set_uint (value, self->interval);
      break;
    case PROP_RUNNING:
      g_value_set_boolean (value, self->running);
      break;
    case PROP_FAILURES:
      g_value_set_uint (value, self->failures);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bc_sync_scheduler_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  BcSyncScheduler *self = BC_SYNC_SCHEDULER (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      self->client = g_value_dup_object (value);
      break;
    case PROP_INTERVAL:
      if (self->interval != g_value_get_uint (value))
        {
          self->interval = g_value_get_uint (value);
          if (self->started && !self->running && self->failures == 0 && !self->stuck)
            {
              if (self->interval > 0)
                arm (self, self->interval);
              else
                clear_timer (self);
            }
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bc_sync_scheduler_class_init (BcSyncSchedulerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = bc_sync_scheduler_dispose;
  object_class->get_property = bc_sync_scheduler_get_property;
  object_class->set_property = bc_sync_scheduler_set_property;

  properties[PROP_CLIENT] =
    g_param_spec_object ("client", NULL, NULL, BC_TYPE_SYNC_CLIENT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_INTERVAL] =
    g_param_spec_uint ("interval", NULL, NULL, 0, G_MAXUINT / 1000, 0,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FAILURES] =
    g_param_spec_uint ("failures", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_FINISHED] =
    g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_POINTER, G_TYPE_ERROR);
}

static void
bc_sync_scheduler_init (BcSyncScheduler *self)
{
  (void) self;
}
