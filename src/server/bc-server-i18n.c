/* bc-server-i18n.c: the server's messages in the language each request asks for.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bc-server"

#include "config.h"

#include <string.h>

#include "bc-server-i18n.h"

#define MO_MAGIC 0x950412deU

static guint32
read_u32 (const guchar *data,
          gsize         offset,
          gboolean      swapped)
{
  guint32 value;

  memcpy (&value, data + offset, sizeof value);
  return swapped ? GUINT32_SWAP_LE_BE (value) : value;
}

/* A GNU .mo file: a header, then two tables of (length, offset) pairs, the
 * originals and their translations. Anything out of bounds ends the read. */
static GHashTable *
load_catalogue (const char *path)
{
  GHashTable *table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autofree guchar *data = NULL;
  gsize length = 0;
  gboolean swapped;
  guint32 n, originals, translations;

  if (!g_file_get_contents (path, (char **) &data, &length, NULL) || length < 28)
    return table;
  swapped = read_u32 (data, 0, FALSE) != MO_MAGIC;
  if (read_u32 (data, 0, swapped) != MO_MAGIC)
    return table;
  n = read_u32 (data, 8, swapped);
  originals = read_u32 (data, 12, swapped);
  translations = read_u32 (data, 16, swapped);
  if ((guint64) originals + (guint64) n * 8 > length ||
      (guint64) translations + (guint64) n * 8 > length)
    return table;

  for (guint32 i = 0; i < n; i++)
    {
      guint32 olen = read_u32 (data, originals + i * 8, swapped);
      guint32 ooff = read_u32 (data, originals + i * 8 + 4, swapped);
      guint32 tlen = read_u32 (data, translations + i * 8, swapped);
      guint32 toff = read_u32 (data, translations + i * 8 + 4, swapped);

      if ((guint64) ooff + olen >= length || (guint64) toff + tlen >= length || olen == 0)
        continue;
      g_hash_table_replace (table, g_strndup ((const char *) data + ooff, olen),
                            g_strndup ((const char *) data + toff, tlen));
    }
  return table;
}

static GHashTable *
vietnamese (void)
{
  static GHashTable *table = NULL;
  static gsize loaded = 0;

  if (g_once_init_enter (&loaded))
    {
      const char *dir = g_getenv ("BAOCAO_LOCALEDIR");
      g_autofree char *installed = g_build_filename (LOCALEDIR, "vi", "LC_MESSAGES",
                                                     GETTEXT_PACKAGE ".mo", NULL);
      g_autofree char *path = NULL;

      if (dir != NULL && *dir != '\0')
        path = g_build_filename (dir, "vi", "LC_MESSAGES", GETTEXT_PACKAGE ".mo", NULL);
      else if (g_file_test (installed, G_FILE_TEST_EXISTS))
        path = g_strdup (installed);
      else
        path = g_build_filename (BUILD_LOCALEDIR, "vi", "LC_MESSAGES", GETTEXT_PACKAGE ".mo", NULL);
      table = load_catalogue (path);
      g_once_init_leave (&loaded, 1);
    }
  return table;
}

const char *
bc_server_language_from_header (const char *accept_language)
{
  g_auto(GStrv) ranges = NULL;

  if (accept_language == NULL)
    return "vi";
  /* The first of vi and en in the client's order; quality values are rare
   * in what Baocao's clients send, and an order suffices for two languages. */
  ranges = g_strsplit (accept_language, ",", 16);
  for (guint i = 0; ranges[i] != NULL; i++)
    {
      const char *range = g_strstrip (ranges[i]);

      if (g_ascii_strncasecmp (range, "vi", 2) == 0)
        return "vi";
      if (g_ascii_strncasecmp (range, "en", 2) == 0)
        return "en";
    }
  return "vi";
}

const char *
bc_server_translate (const char *lang,
                     const char *msgid)
{
  const char *translated;

  if (lang == NULL || !g_str_equal (lang, "vi"))
    return msgid;
  translated = g_hash_table_lookup (vietnamese (), msgid);
  return translated != NULL && *translated != '\0' ? translated : msgid;
}
