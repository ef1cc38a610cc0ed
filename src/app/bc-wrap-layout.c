/* bc-wrap-layout.c: two children side by side where they fit, else one under the other.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bc-wrap-layout"

#include "config.h"

#include "bc-wrap-layout.h"

struct _BcWrapLayout {
  GtkLayoutManager parent_instance;

  int spacing;
};

G_DEFINE_FINAL_TYPE (BcWrapLayout, bc_wrap_layout, GTK_TYPE_LAYOUT_MANAGER)

/* The first two visible children; `second` is NULL when only one shows. */
static void
get_children (GtkWidget  *widget,
              GtkWidget **first,
              GtkWidget **second)
{
  *first = *second = NULL;
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (!gtk_widget_should_layout (child))
        continue;
      if (*first == NULL)
        *first = child;
      else if (*second == NULL)
        *second = child;
    }
}

/* Side by side, each child has its minimum and the rest of the line is
 * shared toward their natural widths (as GtkBox does); -1 when their
 * minimums do not fit on the line. */
static int
second_width (BcWrapLayout *self,
              GtkWidget    *first,
              GtkWidget    *second,
              int           width)
{
  GtkRequestedSize sizes[2];
  int extra;

  gtk_widget_measure (first, GTK_ORIENTATION_HORIZONTAL, -1, &sizes[0].minimum_size,
                      &sizes[0].natural_size, NULL, NULL);
  gtk_widget_measure (second, GTK_ORIENTATION_HORIZONTAL, -1, &sizes[1].minimum_size,
                      &sizes[1].natural_size, NULL, NULL);
  extra = width - self->spacing - sizes[0].minimum_size - sizes[1].minimum_size;
  if (extra < 0)
    return -1;

  sizes[0].data = first;
  sizes[1].data = second;
  gtk_distribute_natural_allocation (extra, 2, sizes);
  return sizes[1].minimum_size;
}

static GtkSizeRequestMode
bc_wrap_layout_get_request_mode (GtkLayoutManager *manager,
                                 GtkWidget        *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
bc_wrap_layout_measure (GtkLayoutManager *manager,
                        GtkWidget        *widget,
                        GtkOrientation    orientation,
                        int               for_size,
                        int              *minimum,
                        int              *natural,
                        int              *minimum_baseline,
                        int              *natural_baseline)
{
  BcWrapLayout *self = BC_WRAP_LAYOUT (manager);
  GtkWidget *first, *second;
  int first_min = 0, first_nat = 0, second_min = 0, second_nat = 0;

  get_children (widget, &first, &second);
  *minimum = *natural = 0;
  if (first == NULL)
    return;
  if (second == NULL)
    {
      gtk_widget_measure (first, orientation, for_size, minimum, natural, NULL, NULL);
      return;
    }

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      /* At its narrowest, one under the other; at ease, on one line. */
      gtk_widget_measure (first, orientation, -1, &first_min, &first_nat, NULL, NULL);
      gtk_widget_measure (second, orientation, -1, &second_min, &second_nat, NULL, NULL);
      *minimum = MAX (first_min, second_min);
      *natural = first_nat + self->spacing + second_nat;
      return;
    }

  {
    int width = for_size;
    int second_w;

    if (width < 0)
      gtk_widget_measure (widget, GTK_ORIENTATION_HORIZONTAL, -1, NULL, &width, NULL, NULL);
    second_w = second_width (self, first, second, width);
    if (second_w < 0)
      {
        gtk_widget_measure (first, orientation, width, &first_min, &first_nat, NULL, NULL);
        gtk_widget_measure (second, orientation, width, &second_min, &second_nat, NULL, NULL);
        *minimum = first_min + self->spacing + second_min;
        *natural = first_nat + self->spacing + second_nat;
      }
    else
      {
        gtk_widget_measure (first, orientation, width - self->spacing - second_w, &first_min,
                            &first_nat, NULL, NULL);
        gtk_widget_measure (second, orientation, second_w, &second_min, &second_nat, NULL, NULL);
        *minimum = MAX (first_min, second_min);
        *natural = MAX (first_nat, second_nat);
      }
  }
}

static void
bc_wrap_layout_allocate (GtkLayoutManager *manager,
                         GtkWidget        *widget,
                         int               width,
                         int               height,
                         int               baseline)
{
  BcWrapLayout *self = BC_WRAP_LAYOUT (manager);
  GtkWidget *first, *second;
  int second_w, first_h, second_h;

  get_children (widget, &first, &second);
  if (first == NULL)
    return;
  if (second == NULL)
    {
      gtk_widget_allocate (first, width, height, -1, NULL);
      return;
    }

  second_w = second_width (self, first, second, width);
  if (second_w < 0)
    {
      /* One under the other; the second keeps its natural width (at most
       * the line) and its side, as on one line. */
      int second_nat;

      gtk_widget_measure (first, GTK_ORIENTATION_VERTICAL, width, &first_h, NULL, NULL, NULL);
      gtk_widget_measure (second, GTK_ORIENTATION_HORIZONTAL, -1, NULL, &second_nat, NULL, NULL);
      second_w = gtk_widget_get_hexpand (second) ? width : MIN (second_nat, width);
      gtk_widget_measure (second, GTK_ORIENTATION_VERTICAL, second_w, &second_h, NULL, NULL, NULL);
      gtk_widget_allocate (first, width, first_h, -1, NULL);
      gtk_widget_allocate (second, second_w, second_h, -1,
                           gsk_transform_translate (NULL, &GRAPHENE_POINT_INIT (0, first_h + self->spacing)));
      return;
    }

  {
    int first_w = width - self->spacing - second_w;

    gtk_widget_measure (second, GTK_ORIENTATION_VERTICAL, second_w, &second_h, NULL, NULL, NULL);
    gtk_widget_allocate (first, first_w, height, -1, NULL);
    /* Middle of the line, as the label beside it. */
    gtk_widget_allocate (second, second_w, MIN (second_h, height), -1,
                         gsk_transform_translate (NULL, &GRAPHENE_POINT_INIT (first_w + self->spacing,
                                                                               (height - MIN (second_h, height)) / 2)));
  }
}

static void
bc_wrap_layout_class_init (BcWrapLayoutClass *klass)
{
  GtkLayoutManagerClass *manager_class = GTK_LAYOUT_MANAGER_CLASS (klass);

  manager_class->get_request_mode = bc_wrap_layout_get_request_mode;
  manager_class->measure = bc_wrap_layout_measure;
  manager_class->allocate = bc_wrap_layout_allocate;
}

static void
bc_wrap_layout_init (BcWrapLayout *self)
{
}

GtkLayoutManager *
bc_wrap_layout_new (int spacing)
{
  BcWrapLayout *self = g_object_new (BC_TYPE_WRAP_LAYOUT, NULL);

  self->spacing = spacing;
  return GTK_LAYOUT_MANAGER (self);
}
