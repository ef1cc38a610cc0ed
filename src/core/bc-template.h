/* bc-template.h: form templates loaded from versioned JSON files.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The format is documented in docs/templates.md. A BcTemplate is immutable
 * once loaded; the records it hands out (sections, fields, rules, …) belong
 * to it and live as long as it does.
 *
 * Field ids are unique across a whole template (a section id may not reuse a
 * field id), so a field is named by its id alone ("level3"), or by its
 * section and id ("services.level3"). A table's cell is "findings[2].status",
 * with rows counted from 1. In the workbook a scalar field is stored under
 * its id, a cell under "table.column" with the row's stable id.
 */
#pragma once

#include <gio/gio.h>

#include "bc-expr.h"
#include "bc-period.h"

G_BEGIN_DECLS

#define BC_TEMPLATE_ERROR (bc_template_error_quark ())

typedef enum {
  BC_TEMPLATE_ERROR_INVALID,    /* a template file is not valid: says file, where, what */
  BC_TEMPLATE_ERROR_NOT_FOUND,  /* no such template, version, field or choice */
  BC_TEMPLATE_ERROR_VALUE,      /* an input value does not fit the field */
} BcTemplateError;

typedef enum {
  BC_FIELD_INTEGER,
  BC_FIELD_DECIMAL,
  BC_FIELD_PERCENTAGE,   /* a number 0 … 100 */
  BC_FIELD_TEXT,
  BC_FIELD_LONG_TEXT,
  BC_FIELD_DATE,         /* stored "YYYY-MM-DD" */
  BC_FIELD_CHOICE,       /* stored as the choice's value */
  BC_FIELD_YES_NO,       /* stored "yes" / "no" */
  BC_FIELD_DOCUMENT_REF, /* stored as JSON {"number":…, "date":"YYYY-MM-DD", "title":…} */
  BC_FIELD_TABLE,        /* variable rows of `columns` */
} BcFieldType;

typedef enum {
  BC_SEVERITY_ERROR,    /* blocks marking ready and sending */
  BC_SEVERITY_WARNING,  /* needs a written justification */
} BcSeverity;

/* A text in both languages; `en` falls back to `vi` when the file has none. */
typedef struct {
  char *vi;
  char *en;
} BcText;

typedef struct {
  char   *value;
  BcText  label;
} BcChoice;

typedef enum {
  BC_TARGET_AT_LEAST,  /* ">=" */
  BC_TARGET_AT_MOST,   /* "<=" */
  BC_TARGET_EQUAL,     /* "=" */
} BcTargetOp;

/* A target shown beside an indicator, e.g. Plan 61's "≥ 90%". */
typedef struct {
  BcTargetOp  op;
  double      value;
  BcText      source;  /* "Kế hoạch 61/KH-UBND (2019–2020)" */
  /* The periods the plan that sets it is in force for ("2019", "2020Q4"),
   * canonical; NULL: open on that side. */
  char       *from;
  char       *to;
} BcTarget;

/* Whether `target` applies to a report of `period_id`: its period's data
 * window meets the window from `from` to `to`. A period that does not parse
 * gets no target: no target rather than another year's. */
gboolean         bc_target_in_force             (const BcTarget *target,
                                                 const char     *period_id);

/* What a text field holds when its template type is not plain text. */
typedef enum {
  BC_TEXT_PLAIN,
  BC_TEXT_MONTH,        /* type "month": stored "2015-10", shown "10/2015" */
  BC_TEXT_MONTH_RANGE,  /* type "month_range": stored "2015-10/2015-11" (or one
                         * month), shown "10–11/2015" */
} BcTextFormat;

typedef struct _BcField   BcField;
typedef struct _BcSection BcSection;

struct _BcField {
  char         *id;
  BcFieldType   type;
  BcText        label;
  BcText        help;          /* may be empty */
  BcText        unit;          /* "hồ sơ", "%", may be empty */
  gboolean      required;
  gboolean      has_min;
  gboolean      has_max;
  double        min;
  double        max;
  guint         max_length;    /* 0: the default limit of the type */
  GPtrArray    *choices;       /* BcChoice*, CHOICE only */
  BcExpr       *visible_if;    /* NULL: always shown */
  BcExpr       *compute;       /* NULL: entered by the user; else read-only */
  BcTarget     *target;        /* NULL: no target */
  /* TABLE only */
  GPtrArray    *columns;       /* BcField* */
  BcText        row_label;     /* what one row is called ("Finding"), may be empty */
  BcExpr       *carry_forward_if; /* rows copied into the next period's report when true */
  char         *group_by;      /* column id whose values group the rows, or NULL */
  GPtrArray    *group_summaries; /* BcField* (computed, evaluated per group), may be NULL */
  /* back pointers */
  const BcField   *table;      /* the table of a column, else NULL */
  const BcSection *section;
  /* TABLE only: 0 = no limit */
  guint         min_rows;
  guint         max_rows;
  /* TEXT only: a month or a range of months instead of free text */
  BcTextFormat  text_format;
};

struct _BcSection {
  char       *id;
  BcText      title;
  BcText      help;
  BcExpr     *visible_if;
  GPtrArray  *fields;          /* BcField* */
};

typedef struct {
  char        *id;
  BcSeverity   severity;
  BcExpr      *when;           /* NULL: always applies */
  BcExpr      *check;          /* must be true; blank counts as not violated */
  BcText       message;
  char        *table;          /* per-row rule over this table, or NULL */
  GStrv        fields;         /* field ids the rule is shown beside */
} BcRule;

/* How drafts of an older version carry over to this one. */
typedef struct {
  int          from_version;
  GHashTable  *renamed;        /* old key → new key (keys as stored: "id" or "table.column") */
  GHashTable  *defaults;       /* key → canonical value for fields new in this version */
  GStrv        removed;        /* keys dropped */
} BcMigration;

#define BC_TYPE_TEMPLATE (bc_template_get_type ())
G_DECLARE_FINAL_TYPE (BcTemplate, bc_template, BC, TEMPLATE, GObject)

GQuark           bc_template_error_quark        (void);
const char      *bc_text_get                    (const BcText   *text,
                                                 const char     *lang);
const char      *bc_field_type_to_string        (BcFieldType     type);
/* The type as the template names it: bc_field_type_to_string(), or "month"
 * and "month_range" for those kinds of text field. */
const char      *bc_field_get_type_name         (const BcField  *field);
const char      *bc_severity_to_string          (BcSeverity      severity); /* "error", "warning" */

BcTemplate      *bc_template_new_from_file      (GFile          *file,
                                                 GError        **error);
/* `filename` names the source in error messages. */
BcTemplate      *bc_template_new_from_data      (const char     *data,
                                                 gssize          length,
                                                 const char     *filename,
                                                 GError        **error);
/* Whether this version is for a report of `period_id` by `unit`: the
 * template's optional "applies" says from and to which periods, and for
 * which issuing units; without it a version applies to every report. */
gboolean         bc_template_applies_to         (BcTemplate     *self,
                                                 const char     *period_id,
                                                 const char     *unit);
const char      *bc_template_get_id             (BcTemplate     *self);
int              bc_template_get_version        (BcTemplate     *self);
const BcText    *bc_template_get_title          (BcTemplate     *self);
const BcText    *bc_template_get_description    (BcTemplate     *self);
BcPeriodType     bc_template_get_period_type    (BcTemplate     *self);
const char      *bc_template_get_filename       (BcTemplate     *self);
GPtrArray       *bc_template_get_sections       (BcTemplate     *self); /* BcSection*, owned */
GPtrArray       *bc_template_get_rules          (BcTemplate     *self); /* BcRule*, owned */
/* Every field in form order, tables but not their columns. */
GPtrArray       *bc_template_get_fields         (BcTemplate     *self);
/* By id, "section.id", or "table.column" (a column). */
const BcField   *bc_template_lookup_field       (BcTemplate     *self,
                                                 const char     *name);
const BcRule    *bc_template_lookup_rule        (BcTemplate     *self,
                                                 const char     *rule_id);
const BcMigration *bc_template_get_migration    (BcTemplate     *self,
                                                 int             from_version);
/* The template's "print" object (its layout on paper) as JSON text, or NULL
 * when it has none. Read and checked by the output library. */
const char      *bc_template_get_print_json     (BcTemplate     *self);

/* The storage key of a field: "level3", or "findings.status" for a column. */
char            *bc_field_dup_key               (const BcField  *field);

/* Checks `input`, as a person typed it, against the field's type and limits
 * and returns the canonical stored text in *canonical (NULL for an empty
 * input, i.e. blank). Accepts "12,5" and "12.5" for decimals, "25" and "25%"
 * for percentages, dates as "2018-06-21" or "21/6/2018", yes/no as
 * "yes"/"no"/"có"/"không"/"true"/"false", a choice by value or by label, a
 * document reference as JSON or "number | date | title". Numbers are read
 * in the convention of the user's language, as bc_field_format_value()
 * shows them: in Vietnamese "1.250" is 1250 and "1,25" is 1.25, in English
 * "1,250" is 1250 and "1.25" is 1.25 (docs/templates.md has the whole rule).
 * The error message is translated and says what to do. */
gboolean         bc_field_parse_value           (const BcField  *field,
                                                 const char     *input,
                                                 char          **canonical,
                                                 GError        **error);
/* The same, for a reader of `lang` ("vi" or "en"; NULL: bc_i18n_language()):
 * numbers are read in that language's convention, and the field's label, the
 * choices' labels and the limits' numbers in the error are given in that
 * language. The sentence around them comes from the message catalogue.
 * bc_field_parse_value() is this with bc_i18n_language(). */
gboolean         bc_field_parse_value_lang      (const BcField  *field,
                                                 const char     *input,
                                                 const char     *lang,
                                                 char          **canonical,
                                                 GError        **error);
/* Checks a value written by a program rather than typed: a stored value,
 * one in an imported file or on the wire, a template's default. It is read
 * as bc_field_parse_value_lang() reads it, except numbers, which are read
 * the same in every language: a lone "." is the decimal mark ("1.125" is
 * 1.125, as stored), but separates thousands in an integer field ("1.200").
 * Every stored value reads back as itself. `lang` is the language of the
 * error message only. */
gboolean         bc_field_parse_stored_lang     (const BcField  *field,
                                                 const char     *text,
                                                 const char     *lang,
                                                 char          **canonical,
                                                 GError        **error);
/* Converts a canonical stored text (NULL = blank) to an expression value. */
void             bc_field_stored_to_value       (const BcField  *field,
                                                 const char     *stored,
                                                 BcValue        *out);
/* For people: "25%", "21/06/2018", "Có", the choice's label, "139/QĐ-UBND ngày 02/02/2018: …". */
char            *bc_field_format_value          (const BcField  *field,
                                                 const char     *stored,
                                                 const char     *lang);

/* All versions of all templates found in a set of directories. */
#define BC_TYPE_TEMPLATE_REGISTRY (bc_template_registry_get_type ())
G_DECLARE_FINAL_TYPE (BcTemplateRegistry, bc_template_registry, BC, TEMPLATE_REGISTRY, GObject)

BcTemplateRegistry *bc_template_registry_new           (void);
/* Loads every *.json in `directory`; fails on the first bad file, naming it. */
gboolean         bc_template_registry_add_directory    (BcTemplateRegistry *self,
                                                        const char         *directory,
                                                        GError            **error);
/* Adds a reference to `template_`. One of the same id and version that is
 * already there is replaced for lookups but stays alive (its records too)
 * until the registry is finalized, because lookups hand out borrowed
 * pointers that callers may still hold. (Refusing the replacement would be
 * the other safe choice, but it needs a GError and so a new signature;
 * add_directory() already refuses two files with the same version.) */
void             bc_template_registry_add              (BcTemplateRegistry *self,
                                                        BcTemplate         *template_);
/* Loads every *.json in `directory` that loads: a broken file, or a second
 * file of a version already there, is set aside and the others load.
 * Returns what was set aside, as GError*s whose messages name the file,
 * where in it (line:column or JSON path) and the cause (empty: all
 * loaded). The registry keeps them too (get_problems). */
GPtrArray       *bc_template_registry_load_directory   (BcTemplateRegistry *self,
                                                        const char         *directory);
/* Every file set aside by load_directory() so far. GError*, borrowed: the
 * registry's own list, read once loading is done. The registry's other
 * calls may be made from any thread (it locks its lists). */
GPtrArray       *bc_template_registry_get_problems     (BcTemplateRegistry *self);
/* The shipped templates: $BAOCAO_TEMPLATE_DIR if set, else the installed
 * data dir, else the source tree's data/templates (uninstalled runs).
 * Loaded with load_directory(): a broken file is set aside (see
 * get_problems), never a reason to fail; a folder that cannot be opened is
 * (a wrong setting). */
BcTemplateRegistry *bc_template_registry_new_default   (GError            **error);
/* Borrowed: valid as long as the registry. A template or version that is
 * not there is BC_TEMPLATE_ERROR_NOT_FOUND, with a message listing the
 * installed forms (or versions) that suits the window and the CLI alike. */
BcTemplate      *bc_template_registry_lookup           (BcTemplateRegistry *self,
                                                        const char         *id,
                                                        int                 version,
                                                        GError            **error);
BcTemplate      *bc_template_registry_lookup_latest    (BcTemplateRegistry *self,
                                                        const char         *id,
                                                        GError            **error);
/* The newest version of `id` that applies to a report of `period_id` by
 * `unit` (bc_template_applies_to()). NOT_FOUND when the form is not there,
 * or no version of it applies, saying which. Borrowed. */
BcTemplate      *bc_template_registry_lookup_for       (BcTemplateRegistry *self,
                                                        const char         *id,
                                                        const char         *period_id,
                                                        const char         *unit,
                                                        GError            **error);
/* The newest version of every template, sorted by id. BcTemplate*, owned. */
GPtrArray       *bc_template_registry_list_latest      (BcTemplateRegistry *self);

G_END_DECLS
