/* bc-expr.c: the expression language of conditions, computed fields and rules.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A hand-written lexer and recursive-descent parser build an immutable tree;
 * an evaluator walks it against a BcExprResolver. Chains of operators of one
 * precedence (a + b - c, x and y and z) are single nodes with many operands,
 * so the height of the tree, and with it the recursion of every walk, is
 * bounded by the nesting limit rather than by the length of the source.
 */
#define G_LOG_DOMAIN "bc-expr"

#include "config.h"

#include <float.h>
#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "bc-expr.h"

G_DEFINE_QUARK (bc-expr-error-quark, bc_expr_error)

/* Numbers with decimals closer than this, relative to their size, are equal:
 * 0.1 + 0.2 must equal 0.3 in a rule. Whole numbers compare exactly. */
#define NUMBER_EQUAL_TOLERANCE 1e-12

/* Joining texts costs one evaluation step per this many bytes of result. */
#define TEXT_BYTES_PER_STEP 64

/* ------------------------------------------------------------------------ */
/* Values                                                                   */
/* ------------------------------------------------------------------------ */

/* Every BcValue function expects an initialised value (BC_VALUE_INIT). */

void
bc_value_clear (BcValue *value)
{
  g_return_if_fail (value != NULL);

  g_clear_pointer (&value->text, g_free);
  value->kind = BC_VALUE_BLANK;
  value->number = 0.0;
  value->boolean = FALSE;
}

void
bc_value_copy (const BcValue *src,
               BcValue       *dest)
{
  char *text = NULL;

  g_return_if_fail (src != NULL);
  g_return_if_fail (dest != NULL);

  if (src == dest)
    return;

  if (src->kind == BC_VALUE_TEXT)
    text = g_strdup (src->text != NULL ? src->text : "");

  bc_value_clear (dest);
  dest->kind = src->kind;
  dest->number = src->number;
  dest->boolean = src->boolean;
  dest->text = text;
}

void
bc_value_set_blank (BcValue *value)
{
  g_return_if_fail (value != NULL);

  bc_value_clear (value);
}

void
bc_value_set_number (BcValue *value,
                     double   number)
{
  g_return_if_fail (value != NULL);

  bc_value_clear (value);
  /* A number is always finite: NaN and infinities are blank. */
  if (!isfinite (number))
    return;
  value->kind = BC_VALUE_NUMBER;
  /* Adding zero turns -0 into 0, which prints as "0". */
  value->number = number + 0.0;
}

void
bc_value_set_text (BcValue    *value,
                   const char *text)
{
  g_return_if_fail (value != NULL);

  bc_value_take_text (value, g_strdup (text));
}

void
bc_value_take_text (BcValue *value,
                    char    *text)
{
  g_return_if_fail (value != NULL);

  bc_value_clear (value);
  if (text == NULL)
    return;
  value->kind = BC_VALUE_TEXT;
  value->text = text;
}

void
bc_value_set_boolean (BcValue  *value,
                      gboolean  boolean)
{
  g_return_if_fail (value != NULL);

  bc_value_clear (value);
  value->kind = BC_VALUE_BOOLEAN;
  value->boolean = boolean != FALSE;
}

void
bc_value_set_date (BcValue *value,
                   guint32  julian_day)
{
  g_return_if_fail (value != NULL);

  bc_value_clear (value);
  if (!g_date_valid_julian (julian_day))
    return;
  value->kind = BC_VALUE_DATE;
  value->number = julian_day;
}

gboolean
bc_value_truthy (const BcValue *value)
{
  g_return_val_if_fail (value != NULL, FALSE);

  switch (value->kind)
    {
    case BC_VALUE_NUMBER:
      return value->number != 0.0;
    case BC_VALUE_TEXT:
      return value->text != NULL && value->text[0] != '\0';
    case BC_VALUE_BOOLEAN:
      return value->boolean;
    case BC_VALUE_DATE:
      return TRUE;
    case BC_VALUE_BLANK:
    default:
      return FALSE;
    }
}

gboolean
bc_value_is_blank (const BcValue *value)
{
  g_return_val_if_fail (value != NULL, TRUE);

  return value->kind == BC_VALUE_BLANK;
}

static char *
format_number (double number)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (number == floor (number) && fabs (number) < 1e15)
    return g_strdup_printf ("%.0f", number + 0.0);

  /* 15 significant digits: every digit a person wrote survives (a budget of
   * 1234567890123.5 đồng), while binary noise such as 0.30000000000000004
   * or 1.0000000000000001e+300 does not reach a message. g_ascii_formatd: a
   * dot whatever the locale. */
  g_ascii_formatd (buf, sizeof buf, "%.15g", number);
  return g_strdup (buf);
}

char *
bc_value_to_string (const BcValue *value)
{
  g_return_val_if_fail (value != NULL, NULL);

  switch (value->kind)
    {
    case BC_VALUE_NUMBER:
      return format_number (value->number);
    case BC_VALUE_TEXT:
      return g_strdup (value->text != NULL ? value->text : "");
    case BC_VALUE_BOOLEAN:
      return g_strdup (value->boolean ? "true" : "false");
    case BC_VALUE_DATE:
      {
        GDate date;

        if (!(value->number >= 1.0 && value->number <= G_MAXUINT32)
            || !g_date_valid_julian ((guint32) value->number))
          return g_strdup ("");
        g_date_clear (&date, 1);
        g_date_set_julian (&date, (guint32) value->number);
        return g_strdup_printf ("%04d-%02d-%02d",
                                g_date_get_year (&date),
                                g_date_get_month (&date),
                                g_date_get_day (&date));
      }
    case BC_VALUE_BLANK:
    default:
      return g_strdup ("");
    }
}

/* The value with an article, for messages: "a number", "a text", … */
static const char *
kind_noun (BcValueKind kind)
{
  switch (kind)
    {
    case BC_VALUE_NUMBER:
      return _("a number");
    case BC_VALUE_TEXT:
      return _("a text");
    case BC_VALUE_BOOLEAN:
      return _("a yes/no value");
    case BC_VALUE_DATE:
      return _("a date");
    case BC_VALUE_BLANK:
    default:
      return _("a blank");
    }
}

/* Makes a value from a resolver safe to compute with: finite numbers, valid
 * UTF-8 texts, valid dates, a known kind. */
static void
sanitize_value (BcValue *value)
{
  switch (value->kind)
    {
    case BC_VALUE_NUMBER:
      bc_value_set_number (value, value->number);
      break;
    case BC_VALUE_TEXT:
      if (value->text == NULL)
        bc_value_clear (value);
      else if (!g_utf8_validate (value->text, -1, NULL))
        bc_value_take_text (value, g_utf8_make_valid (value->text, -1));
      break;
    case BC_VALUE_BOOLEAN:
      bc_value_set_boolean (value, value->boolean);
      break;
    case BC_VALUE_DATE:
      if (!(value->number >= 1.0 && value->number <= G_MAXUINT32
            && value->number == floor (value->number)))
        bc_value_clear (value);
      else
        bc_value_set_date (value, (guint32) value->number);
      break;
    case BC_VALUE_BLANK:
    default:
      bc_value_clear (value);
      break;
    }
}

/* Moves `src` into `dest`, leaving `src` blank. */
static void
value_move (BcValue *src,
            BcValue *dest)
{
  bc_value_clear (dest);
  *dest = *src;
  src->text = NULL;
  bc_value_clear (src);
}

/* Parses "YYYY-MM-DD" strictly. */
static gboolean
parse_iso_date (const char *text,
                guint32    *julian)
{
  GDate date;
  int year, month, day;

  if (strlen (text) != 10 || text[4] != '-' || text[7] != '-')
    return FALSE;
  for (int i = 0; i < 10; i++)
    if (i != 4 && i != 7 && !g_ascii_isdigit (text[i]))
      return FALSE;

  year = (text[0] - '0') * 1000 + (text[1] - '0') * 100 + (text[2] - '0') * 10 + (text[3] - '0');
  month = (text[5] - '0') * 10 + (text[6] - '0');
  day = (text[8] - '0') * 10 + (text[9] - '0');
  if (!g_date_valid_dmy (day, month, year))
    return FALSE;

  g_date_clear (&date, 1);
  g_date_set_dmy (&date, day, month, year);
  *julian = g_date_get_julian (&date);
  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* Functions                                                                */
/* ------------------------------------------------------------------------ */

typedef enum {
  FN_BLANK,
  FN_PRESENT,
  FN_COALESCE,
  FN_IF,
  FN_MIN,
  FN_MAX,
  FN_ABS,
  FN_ROUND,
  FN_LEN,
  FN_DATE,
  FN_PREV,
  FN_COUNT,
  FN_SUM,
  FN_AVG,
  FN_MIN_OF,
  FN_MAX_OF,
  FN_ANY,
  FN_ALL,
} FuncId;

#define ARGS_UNBOUNDED G_MAXINT

typedef struct {
  const char *name;
  FuncId      id;
  int         min_args;
  int         max_args;
  gboolean    aggregate;
  gboolean    needs_column; /* the one-argument form is table.column */
} FuncInfo;

static const FuncInfo functions[] = {
  { "blank",    FN_BLANK,    1, 1,              FALSE, FALSE },
  { "present",  FN_PRESENT,  1, 1,              FALSE, FALSE },
  { "coalesce", FN_COALESCE, 1, ARGS_UNBOUNDED, FALSE, FALSE },
  { "if",       FN_IF,       3, 3,              FALSE, FALSE },
  { "min",      FN_MIN,      1, ARGS_UNBOUNDED, FALSE, FALSE },
  { "max",      FN_MAX,      1, ARGS_UNBOUNDED, FALSE, FALSE },
  { "abs",      FN_ABS,      1, 1,              FALSE, FALSE },
  { "round",    FN_ROUND,    1, 2,              FALSE, FALSE },
  { "len",      FN_LEN,      1, 1,              FALSE, FALSE },
  { "date",     FN_DATE,     1, 1,              FALSE, FALSE },
  { "prev",     FN_PREV,     1, 1,              FALSE, FALSE },
  { "count",    FN_COUNT,    1, 2,              TRUE,  FALSE },
  { "sum",      FN_SUM,      1, 2,              TRUE,  TRUE },
  { "avg",      FN_AVG,      1, 2,              TRUE,  TRUE },
  { "min_of",   FN_MIN_OF,   1, 2,              TRUE,  TRUE },
  { "max_of",   FN_MAX_OF,   1, 2,              TRUE,  TRUE },
  { "any",      FN_ANY,      2, 2,              TRUE,  FALSE },
  { "all",      FN_ALL,      2, 2,              TRUE,  FALSE },
};

static const FuncInfo *
lookup_function (const char *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (functions); i++)
    if (g_ascii_strcasecmp (functions[i].name, name) == 0)
      return &functions[i];
  return NULL;
}

static char *
known_functions (void)
{
  GString *list = g_string_new (NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (functions); i++)
    {
      if (i > 0)
        g_string_append (list, ", ");
      g_string_append (list, functions[i].name);
    }
  return g_string_free (list, FALSE);
}

/* ------------------------------------------------------------------------ */
/* Lexer                                                                    */
/* ------------------------------------------------------------------------ */

typedef enum {
  TOK_END,
  TOK_NUMBER,
  TOK_STRING,
  TOK_NAME,
  TOK_LPAREN,
  TOK_RPAREN,
  TOK_COMMA,
  TOK_PLUS,
  TOK_MINUS,
  TOK_STAR,
  TOK_SLASH,
  TOK_PERCENT,
  TOK_EQ,
  TOK_NE,
  TOK_LT,
  TOK_LE,
  TOK_GT,
  TOK_GE,
  TOK_AND,
  TOK_OR,
  TOK_NOT,
  TOK_TRUE,
  TOK_FALSE,
  TOK_BLANK,
} TokenType;

typedef struct {
  TokenType type;
  int       column;  /* 1-based, in characters */
  gsize     start;   /* in bytes */
  gsize     end;
  double    number;  /* NUMBER */
  char     *text;    /* STRING: unescaped; NAME: the name */
} Token;

typedef struct {
  const char *source;
  gsize       length;
  gsize       pos;
  /* Columns are counted incrementally: positions only move forward. */
  gsize       column_pos;
  int         column;
  GArray     *tokens;
  GError     *error;
} Lexer;

static int
lexer_column (Lexer *lexer,
              gsize  pos)
{
  g_assert (pos >= lexer->column_pos);

  for (; lexer->column_pos < pos; lexer->column_pos++)
    if (((guchar) lexer->source[lexer->column_pos] & 0xC0) != 0x80)
      lexer->column++;
  return lexer->column;
}

static gboolean
is_name_start (char c)
{
  return g_ascii_isalpha (c) || c == '_';
}

static gboolean
is_name_char (char c)
{
  return g_ascii_isalnum (c) || c == '_';
}

static void
token_clear (gpointer data)
{
  Token *token = data;

  g_clear_pointer (&token->text, g_free);
}

static gboolean
lex_number (Lexer *lexer,
            Token *token)
{
  const char *s = lexer->source;
  gsize p = lexer->pos;
  g_autofree char *copy = NULL;

  while (g_ascii_isdigit (s[p]))
    p++;
  if (s[p] == '.' && g_ascii_isdigit (s[p + 1]))
    {
      p++;
      while (g_ascii_isdigit (s[p]))
        p++;
    }
  if (s[p] == 'e' || s[p] == 'E')
    {
      gsize q = p + 1;

      if (s[q] == '+' || s[q] == '-')
        q++;
      if (g_ascii_isdigit (s[q]))
        {
          while (g_ascii_isdigit (s[q]))
            q++;
          p = q;
        }
    }

  /* "12abc", "1.2.3", "1e", "1." are mistakes, not two tokens. */
  if (is_name_char (s[p]) || s[p] == '.')
    {
      g_set_error (&lexer->error, BC_EXPR_ERROR, BC_EXPR_ERROR_SYNTAX,
                   _("The number at column %d is not written correctly. "
                     "Write numbers like 12, 12.5 or 1e3, without thousands separators."),
                   token->column);
      return FALSE;
    }

  copy = g_strndup (s + lexer->pos, p - lexer->pos);
  token->number = g_ascii_strtod (copy, NULL);
  if (!isfinite (token->number))
    {
      g_set_error (&lexer->error, BC_EXPR_ERROR, BC_EXPR_ERROR_SYNTAX,
                   _("The number at column %d is too large."),
                   token->column);
      return FALSE;
    }

  token->type = TOK_NUMBER;
  lexer->pos = p;
  return TRUE;
}

static gboolean
lex_string (Lexer *lexer,
            Token *token)
{
  const char *s = lexer->source;
  char quote = s[lexer->pos];
  gsize p = lexer->pos + 1;
  GString *text = g_string_new (NULL);

  for (;;)
    {
      if (s[p] == '\0')
        {
          g_set_error (&lexer->error, BC_EXPR_ERROR, BC_EXPR_ERROR_SYNTAX,
                       _("The text starting at column %d has no closing quote. "
                         "End it with %c."),
                       token->column, quote);
          g_string_free (text, TRUE);
          return FALSE;
        }
      if (s[p] == quote)
        break;
      if (s[p] == '\\')
        {
          if (s[p + 1] == '"' || s[p + 1] == '\'' || s[p + 1] == '\\')
            {
              g_string_append_c (text, s[p + 1]);
              p += 2;
              continue;
            }
          g_set_error (&lexer->error, BC_EXPR_ERROR, BC_EXPR_ERROR_SYNTAX,
                       _("Unknown escape at column %d inside a text. "
                         "A backslash may only come before a quote or another backslash."),
                       lexer_column (lexer, p));
          g_string_free (text, TRUE);
          return FALSE;
        }
      g_string_append_c (text, s[p]);
      p++;
    }

  token->type = TOK_STRING;
  token->text = g_string_free (text, FALSE);
  lexer->pos = p + 1;
  return TRUE;
}

static void
lex_name (Lexer *lexer,
          Token *token)
{
  static const struct {
    const char *word;
    TokenType   type;
  } keywords[] = {
    { "and", TOK_AND },
    { "or", TOK_OR },
    { "not", TOK_NOT },
    { "true", TOK_TRUE },
    { "false", TOK_FALSE },
    { "blank", TOK_BLANK },
  };
  const char *s = lexer->source;
  gsize p = lexer->pos;

  for (;;)
    {
      while (is_name_char (s[p]))
        p++;
      /* A dot joins two names only when a name follows it. */
      if (s[p] == '.' && is_name_start (s[p + 1]))
        p++;
      else
        break;
    }

  token->type = TOK_NAME;
  token->text = g_strndup (s + lexer->pos, p - lexer->pos);
  lexer->pos = p;

  for (gsize i = 0; i < G_N_ELEMENTS (keywords); i++)
    if (g_ascii_strcasecmp (token->text, keywords[i].word) == 0)
      token->type = keywords[i].type;
}

static void
set_unexpected_character (Lexer *lexer,
                          int    column)
{
  const char *here = lexer->source + lexer->pos;
  gunichar c = g_utf8_get_char (here);
  char utf8[8] = { 0 };

  g_unichar_to_utf8 (c, utf8);

  if (c == 0x201C || c == 0x201D || c == 0x2018 || c == 0x2019)
    g_set_error (&lexer->error, BC_EXPR_ERROR, BC_EXPR_ERROR_SYNTAX,
                 _("Unexpected curly quote %s at column %d. "
                   "Put texts between straight quotes: \"done\" or 'done'."),
                 utf8, column);
  else if (c == '&' || c == '|')
    g_set_error (&lexer->error, BC_EXPR_ERROR, BC_EXPR_ERROR_SYNTAX,
                 _("Unexpected character “%s” at column %d. Write “and” or “or” instead."),
                 utf8, column);
  else if (c == '!')
    g_set_error (&lexer->error, BC_EXPR_ERROR, BC_EXPR_ERROR_SYNTAX,
                 _("Unexpected character “!” at column %d. "
                   "Write “not” to negate a condition and “!=” for “is not equal to”."),
                 column);
  else
    g_set_error (&lexer->error, BC_EXPR_ERROR, BC_EXPR_ERROR_SYNTAX,
                 _("Unexpected character “%s” at column %d."),
                 utf8, column);
}

/* Splits the (valid UTF-8) source into tokens, ending with TOK_END. */
static gboolean
lex (Lexer *lexer)
{
  const char *s = lexer->source;

  for (;;)
    {
      Token token = { TOK_END, 0, 0, 0, 0.0, NULL };
      char c;

      /* Whitespace, including the no-break space word processors insert. */
      for (;;)
        {
          if (s[lexer->pos] == ' ' || s[lexer->pos] == '\t'
              || s[lexer->pos] == '\n' || s[lexer->pos] == '\r')
            lexer->pos++;
          else if ((guchar) s[lexer->pos] == 0xC2 && (guchar) s[lexer->pos + 1] == 0xA0)
            lexer->pos += 2;
          else
            break;
        }

      c = s[lexer->pos];
      token.start = lexer->pos;
      token.column = lexer_column (lexer, lexer->pos);

      if (c == '\0')
        {
          token.type = TOK_END;
          token.end = lexer->pos;
          g_array_append_val (lexer->tokens, token);
          return TRUE;
        }
      else if (g_ascii_isdigit (c))
        {
          if (!lex_number (lexer, &token))
            return FALSE;
        }
      else if (c == '"' || c == '\'')
        {
          if (!lex_string (lexer, &token))
            return FALSE;
        }
      else if (is_name_start (c))
        {
          lex_name (lexer, &token);
        }
      else
        {
          char next = s[lexer->pos + 1];
          gsize width = 1;

          switch (c)
            {
            case '(': token.type = TOK_LPAREN; break;
            case ')': token.type = TOK_RPAREN; break;
            case ',': token.type = TOK_COMMA; break;
            case '+': token.type = TOK_PLUS; break;
            case '-': token.type = TOK_MINUS; break;
            case '*': token.type = TOK_STAR; break;
            case '/': token.type = TOK_SLASH; break;
            case '%': token.type = TOK_PERCENT; break;
            case '=':
              token.type = TOK_EQ;
              width = next == '=' ? 2 : 1;
              break;
            case '!':
              if (next != '=')
                {
                  set_unexpected_character (lexer, token.column);
                  return FALSE;
                }
              token.type = TOK_NE;
              width = 2;
              break;
            case '<':
              if (next == '=')
                token.type = TOK_LE, width = 2;
              else if (next == '>')
                token.type = TOK_NE, width = 2;
              else
                token.type = TOK_LT;
              break;
            case '>':
              if (next == '=')
                token.type = TOK_GE, width = 2;
              else
                token.type = TOK_GT;
              break;
            default:
              set_unexpected_character (lexer, token.column);
              return FALSE;
            }
          lexer->pos += width;
        }

      token.end = lexer->pos;
      g_array_append_val (lexer->tokens, token);
    }
}

/* ------------------------------------------------------------------------ */
/* Tree                                                                     */
/* ------------------------------------------------------------------------ */

typedef enum {
  NODE_LITERAL,
  NODE_NAME,
  NODE_UNARY,     /* - or + */
  NODE_NOT,
  NODE_ARITH,     /* a chain of + - or of * / % */
  NODE_COMPARE,
  NODE_AND,
  NODE_OR,
  NODE_CALL,
  NODE_AGGREGATE,
} NodeKind;

typedef enum {
  OP_ADD,
  OP_SUB,
  OP_MUL,
  OP_DIV,
  OP_MOD,
  OP_EQ,
  OP_NE,
  OP_LT,
  OP_LE,
  OP_GT,
  OP_GE,
} Op;

static const char * const op_symbols[] = {
  [OP_ADD] = "+", [OP_SUB] = "-", [OP_MUL] = "*", [OP_DIV] = "/", [OP_MOD] = "%",
  [OP_EQ] = "=", [OP_NE] = "!=", [OP_LT] = "<", [OP_LE] = "<=", [OP_GT] = ">", [OP_GE] = ">=",
};

typedef enum {
  BLANK_TEST_NONE,
  BLANK_TEST_LEFT,   /* `blank = x`: the left side is the literal */
  BLANK_TEST_RIGHT,  /* `x = blank` */
} BlankTest;

typedef struct _Node Node;

struct _Node {
  NodeKind        kind;
  int             column;
  Op              op;            /* UNARY, COMPARE */
  BlankTest       blank_test;    /* COMPARE */
  BcValue         literal;       /* LITERAL */
  char           *name;          /* NAME: the field; AGGREGATE: the table */
  char           *column_name;   /* AGGREGATE written as table.column */
  gboolean        previous;      /* NAME inside prev() */
  const FuncInfo *func;          /* CALL, AGGREGATE */
  Node          **children;      /* AGGREGATE: the row expression, if any */
  guint           n_children;
  Op             *ops;           /* ARITH: ops[i] comes before children[i], i ≥ 1 */
  int            *op_columns;
};

struct _BcExpr {
  gatomicrefcount  ref_count;
  char            *source;
  Node            *root;
};

static void
node_free (Node *node)
{
  if (node == NULL)
    return;

  for (guint i = 0; i < node->n_children; i++)
    node_free (node->children[i]);
  g_free (node->children);
  g_free (node->ops);
  g_free (node->op_columns);
  g_free (node->name);
  g_free (node->column_name);
  bc_value_clear (&node->literal);
  g_free (node);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Node, node_free)

/* ------------------------------------------------------------------------ */
/* Parser                                                                   */
/* ------------------------------------------------------------------------ */

typedef struct {
  const char  *source;
  const Token *tokens;
  guint        pos;
  guint        n_nodes;
  GError      *error;
} Parser;

static Node *parse_expression (Parser *parser,
                               int     depth);

static const Token *
peek (Parser *parser)
{
  return &parser->tokens[parser->pos];
}

static const Token *
peek_next (Parser *parser)
{
  const Token *token = &parser->tokens[parser->pos];

  return token->type == TOK_END ? token : token + 1;
}

static const Token *
advance (Parser *parser)
{
  const Token *token = &parser->tokens[parser->pos];

  if (token->type != TOK_END)
    parser->pos++;
  return token;
}

static Node *
node_new (Parser   *parser,
          NodeKind  kind,
          int       column)
{
  Node *node;

  if (++parser->n_nodes > BC_EXPR_MAX_NODES)
    {
      g_set_error (&parser->error, BC_EXPR_ERROR, BC_EXPR_ERROR_TOO_COMPLEX,
                   _("The expression is too large at column %d: it has more than %d parts. "
                     "Split it into several computed fields."),
                   column, BC_EXPR_MAX_NODES);
      return NULL;
    }

  node = g_new0 (Node, 1);
  node->kind = kind;
  node->column = column;
  return node;
}

static gboolean
check_depth (Parser *parser,
             int     depth,
             int     column)
{
  if (depth <= BC_EXPR_MAX_DEPTH)
    return TRUE;

  g_set_error (&parser->error, BC_EXPR_ERROR, BC_EXPR_ERROR_TOO_COMPLEX,
               _("The expression is nested too deeply at column %d: at most %d levels of "
                 "parentheses, function calls, “not” and signs are allowed. "
                 "Split it into several computed fields."),
               column, BC_EXPR_MAX_DEPTH);
  return FALSE;
}

static char *
token_text (Parser      *parser,
            const Token *token)
{
  return g_strndup (parser->source + token->start, token->end - token->start);
}

static void
set_expected_value (Parser      *parser,
                    const Token *token)
{
  g_autofree char *text = NULL;

  if (token->type == TOK_END)
    {
      g_set_error (&parser->error, BC_EXPR_ERROR, BC_EXPR_ERROR_SYNTAX,
                   _("The expression ends too early at column %d: a value is missing."),
                   token->column);
      return;
    }

  text = token_text (parser, token);
  g_set_error (&parser->error, BC_EXPR_ERROR, BC_EXPR_ERROR_SYNTAX,
               _("Expected a value at column %d, but found “%s”."),
               token->column, text);
}

/* Builds a node with the given children (taking them). */
static Node *
node_with_children (Parser    *parser,
                    NodeKind   kind,
                    int        column,
                    GPtrArray *children)
{
  Node *node = node_new (parser, kind, column);

  if (node == NULL)
    return NULL;
  node->n_children = children->len;
  node->children = (Node **) g_ptr_array_steal (children, NULL);
  return node;
}

static Node *
parse_call (Parser *parser,
            int     depth)
{
  const Token *name_token = advance (parser);
  const FuncInfo *func;
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func ((GDestroyNotify) node_free);
  const Token *open;
  int n_args;
  g_autoptr(Node) node = NULL;

  /* `blank` is a keyword as a value and a function when called. */
  func = lookup_function (name_token->type == TOK_BLANK ? "blank" : name_token->text);
  if (func == NULL)
    {
      g_autofree char *list = known_functions ();

      g_set_error (&parser->error, BC_EXPR_ERROR, BC_EXPR_ERROR_UNKNOWN_NAME,
                   _("Unknown function “%s” at column %d. Known functions: %s."),
                   name_token->text, name_token->column, list);
      return NULL;
    }

  if (!check_depth (parser, depth + 1, name_token->column))
    return NULL;

  open = advance (parser);
  g_assert (open->type == TOK_LPAREN);

  if (peek (parser)->type != TOK_RPAREN)
    {
      for (;;)
        {
          Node *arg = parse_expression (parser, depth + 1);

          if (arg == NULL)
            return NULL;
          g_ptr_array_add (args, arg);

          if (peek (parser)->type == TOK_COMMA)
            {
              advance (parser);
              continue;
            }
          if (peek (parser)->type == TOK_RPAREN)
            break;

          if (peek (parser)->type == TOK_END)
            g_set_error (&parser->error, BC_EXPR_ERROR, BC_EXPR_ERROR_SYNTAX,
                         _("Missing “)” at column %d to close the call of %s() at column %d."),
                         peek (parser)->column, func->name, name_token->column);
          else
            {
              g_autofree char *text = token_text (parser, peek (parser));

              g_set_error (&parser->error, BC_EXPR_ERROR, BC_EXPR_ERROR_SYNTAX,
                           _("Unexpected “%s” at column %d in the call of %s(): "
                             "expected “,” or “)”."),
                           text, peek (parser)->column, func->name);
            }
          return NULL;
        }
    }
  advance (parser); /* ) */

  n_args = args->len;
  if (n_args < func->min_args || n_args > func->max_args)
    {
      if (func->min_args == func->max_args)
        g_set_error (&parser->error, BC_EXPR_ERROR, BC_EXPR_ERROR_ARGUMENTS,
                     g_dngettext (GETTEXT_PACKAGE,
                                  "%s() at column %d takes exactly %d argument, but %d were given.",
                                  "%s() at column %d takes exactly %d arguments, but %d were given.",
                                  func->min_args),
                     func->name, name_token->column, func->min_args, n_args);
      else if (func->max_args == ARGS_UNBOUNDED)
        g_set_error (&parser->error, BC_EXPR_ERROR, BC_EXPR_ERROR_ARGUMENTS,
                     g_dngettext (GETTEXT_PACKAGE,
                                  "%s() at column %d takes at least %d argument, but %d were given.",
                                  "%s() at column %d takes at least %d arguments, but %d were given.",
                                  func->min_args),
                     func->name, name_token->column, func->min_args, n_args);
      else
        g_set_error (&parser->error, BC_EXPR_ERROR, BC_EXPR_ERROR_ARGUMENTS,
                     _("%s() at column %d takes %d or %d arguments, but %d were given."),
                     func->name, name_token->column, func->min_args, func->max_args, n_args);
      return NULL;
    }

  if (func->id == FN_PREV)
    {
      Node *arg = g_ptr_array_index (args, 0);

      if (arg->kind != NODE_NAME || arg->previous)
        {
          g_set_error (&parser->error, BC_EXPR_ERROR, BC_EXPR_ERROR_ARGUMENTS,
                       _("prev() at column %d needs the name of a field, "
                         "for example prev(services_total)."),
                       name_token->column);
          return NULL;
        }
      /* prev(x) is the name x looked up in the previous period. */
      arg = g_ptr_array_steal_index (args, 0);
      arg->previous = TRUE;
      return arg;
    }

  if (func->id == FN_DATE)
    {
      Node *arg = g_ptr_array_index (args, 0);
      guint32 julian;

      /* A date written in the expression is checked once, when it is loaded. */
      if (arg->kind == NODE_LITERAL && arg->literal.kind == BC_VALUE_TEXT
          && !parse_iso_date (arg->literal.text, &julian))
        {
          g_set_error (&parser->error, BC_EXPR_ERROR, BC_EXPR_ERROR_ARGUMENTS,
                       _("“%s” at column %d is not a date. Write dates as "
                         "date(\"YYYY-MM-DD\"), for example date(\"2018-06-21\")."),
                       arg->literal.text, arg->column);
          return NULL;
        }
    }

  if (func->aggregate)
    {
      g_autoptr(Node) table = g_ptr_array_steal_index (args, 0);

      if (table->kind != NODE_NAME || table->previous)
        {
          g_set_error (&parser->error, BC_EXPR_ERROR, BC_EXPR_ERROR_ARGUMENTS,
                       _("The first argument of %s() at column %d must be the name of a "
                         "table, for example %s(findings, …)."),
                       func->name, table->column, func->name);
          return NULL;
        }

      node = node_with_children (parser, NODE_AGGREGATE, name_token->column, args);
      if (node == NULL)
        return NULL;
      node->func = func;

      if (n_args == 1 && func->needs_column)
        {
          const char *dot = strrchr (table->name, '.');
          Node *column;

          if (dot == NULL)
            {
              g_set_error (&parser->error, BC_EXPR_ERROR, BC_EXPR_ERROR_ARGUMENTS,
                           _("%s() at column %d needs a column of the table: write "
                             "%s(%s.column) or %s(%s, expression)."),
                           func->name, name_token->column,
                           func->name, table->name, func->name, table->name);
              return NULL;
            }

          /* sum(findings.done) is sum(findings, done). */
          column = node_new (parser, NODE_NAME, table->column + (int) (dot - table->name) + 1);
          if (column == NULL)
            return NULL;
          column->name = g_strdup (dot + 1);
          g_free (node->children);
          node->name = g_strndup (table->name, dot - table->name);
          node->column_name = g_strdup (dot + 1);
          node->n_children = 1;
          node->children = g_new (Node *, 1);
          node->children[0] = column;
        }
      else
        {
          node->name = g_steal_pointer (&table->name);
        }
      return g_steal_pointer (&node);
    }

  node = node_with_children (parser, NODE_CALL, name_token->column, args);
  if (node == NULL)
    return NULL;
  node->func = func;
  return g_steal_pointer (&node);
}

static Node *
parse_primary (Parser *parser,
               int     depth)
{
  const Token *token = peek (parser);
  Node *node;

  switch (token->type)
    {
    case TOK_NUMBER:
      node = node_new (parser, NODE_LITERAL, token->column);
      if (node != NULL)
        bc_value_set_number (&node->literal, token->number);
      advance (parser);
      return node;

    case TOK_STRING:
      node = node_new (parser, NODE_LITERAL, token->column);
      if (node != NULL)
        bc_value_set_text (&node->literal, token->text);
      advance (parser);
      return node;

    case TOK_TRUE:
    case TOK_FALSE:
      node = node_new (parser, NODE_LITERAL, token->column);
      if (node != NULL)
        bc_value_set_boolean (&node->literal, token->type == TOK_TRUE);
      advance (parser);
      return node;

    case TOK_BLANK:
      if (peek_next (parser)->type == TOK_LPAREN)
        return parse_call (parser, depth);
      node = node_new (parser, NODE_LITERAL, token->column);
      advance (parser);
      return node;

    case TOK_NAME:
      if (peek_next (parser)->type == TOK_LPAREN)
        return parse_call (parser, depth);
      node = node_new (parser, NODE_NAME, token->column);
      if (node != NULL)
        node->name = g_strdup (token->text);
      advance (parser);
      return node;

    case TOK_LPAREN:
      {
        g_autoptr(Node) inner = NULL;

        if (!check_depth (parser, depth + 1, token->column))
          return NULL;
        advance (parser);
        inner = parse_expression (parser, depth + 1);
        if (inner == NULL)
          return NULL;
        if (peek (parser)->type != TOK_RPAREN)
          {
            if (peek (parser)->type == TOK_END)
              g_set_error (&parser->error, BC_EXPR_ERROR, BC_EXPR_ERROR_SYNTAX,
                           _("Missing “)” at column %d to close the parenthesis opened at column %d."),
                           peek (parser)->column, token->column);
            else
              {
                g_autofree char *text = token_text (parser, peek (parser));

                g_set_error (&parser->error, BC_EXPR_ERROR, BC_EXPR_ERROR_SYNTAX,
                             _("Unexpected “%s” at column %d: expected “)” to close the "
                               "parenthesis opened at column %d."),
                             text, peek (parser)->column, token->column);
              }
            return NULL;
          }
        advance (parser);
        return g_steal_pointer (&inner);
      }

    case TOK_END:
    case TOK_RPAREN:
    case TOK_COMMA:
    case TOK_PLUS:
    case TOK_MINUS:
    case TOK_STAR:
    case TOK_SLASH:
    case TOK_PERCENT:
    case TOK_EQ:
    case TOK_NE:
    case TOK_LT:
    case TOK_LE:
    case TOK_GT:
    case TOK_GE:
    case TOK_AND:
    case TOK_OR:
    case TOK_NOT:
    default:
      set_expected_value (parser, token);
      return NULL;
    }
}

static Node *
parse_unary (Parser *parser,
             int     depth)
{
  const Token *token = peek (parser);
  g_autoptr(Node) operand = NULL;
  Node *node;

  if (token->type != TOK_MINUS && token->type != TOK_PLUS)
    return parse_primary (parser, depth);

  if (!check_depth (parser, depth + 1, token->column))
    return NULL;
  advance (parser);
  operand = parse_unary (parser, depth + 1);
  if (operand == NULL)
    return NULL;

  /* -12 is a number, not an operation. */
  if (operand->kind == NODE_LITERAL && operand->literal.kind == BC_VALUE_NUMBER)
    {
      if (token->type == TOK_MINUS)
        bc_value_set_number (&operand->literal, -operand->literal.number);
      operand->column = token->column;
      return g_steal_pointer (&operand);
    }

  node = node_new (parser, NODE_UNARY, token->column);
  if (node == NULL)
    return NULL;
  node->op = token->type == TOK_MINUS ? OP_SUB : OP_ADD;
  node->n_children = 1;
  node->children = g_new (Node *, 1);
  node->children[0] = g_steal_pointer (&operand);
  return node;
}

/* A left-associative chain of one precedence level, as one node. */
static Node *
parse_chain (Parser  *parser,
             int      depth,
             gboolean additive)
{
  g_autoptr(GPtrArray) operands = g_ptr_array_new_with_free_func ((GDestroyNotify) node_free);
  g_autoptr(GArray) ops = g_array_new (FALSE, FALSE, sizeof (Op));
  g_autoptr(GArray) op_columns = g_array_new (FALSE, FALSE, sizeof (int));
  Node *first;
  Node *node;

  first = additive ? parse_chain (parser, depth, FALSE) : parse_unary (parser, depth);
  if (first == NULL)
    return NULL;
  g_ptr_array_add (operands, first);
  g_array_append_val (ops, (Op) { OP_ADD });
  g_array_append_val (op_columns, first->column);

  for (;;)
    {
      const Token *token = peek (parser);
      Op op;
      Node *operand;

      if (additive && token->type == TOK_PLUS)
        op = OP_ADD;
      else if (additive && token->type == TOK_MINUS)
        op = OP_SUB;
      else if (!additive && token->type == TOK_STAR)
        op = OP_MUL;
      else if (!additive && token->type == TOK_SLASH)
        op = OP_DIV;
      else if (!additive && token->type == TOK_PERCENT)
        op = OP_MOD;
      else
        break;

      advance (parser);
      operand = additive ? parse_chain (parser, depth, FALSE) : parse_unary (parser, depth);
      if (operand == NULL)
        return NULL;
      g_ptr_array_add (operands, operand);
      g_array_append_val (ops, op);
      g_array_append_val (op_columns, token->column);
    }

  if (operands->len == 1)
    return g_ptr_array_steal_index (operands, 0);

  node = node_with_children (parser, NODE_ARITH, first->column, operands);
  if (node == NULL)
    return NULL;
  node->ops = (Op *) (void *) g_array_free (g_steal_pointer (&ops), FALSE);
  node->op_columns = (int *) (void *) g_array_free (g_steal_pointer (&op_columns), FALSE);
  return node;
}

static gboolean
comparison_op (TokenType  type,
               Op        *op)
{
  switch (type)
    {
    case TOK_EQ: *op = OP_EQ; return TRUE;
    case TOK_NE: *op = OP_NE; return TRUE;
    case TOK_LT: *op = OP_LT; return TRUE;
    case TOK_LE: *op = OP_LE; return TRUE;
    case TOK_GT: *op = OP_GT; return TRUE;
    case TOK_GE: *op = OP_GE; return TRUE;
    case TOK_END:
    case TOK_NUMBER:
    case TOK_STRING:
    case TOK_NAME:
    case TOK_LPAREN:
    case TOK_RPAREN:
    case TOK_COMMA:
    case TOK_PLUS:
    case TOK_MINUS:
    case TOK_STAR:
    case TOK_SLASH:
    case TOK_PERCENT:
    case TOK_AND:
    case TOK_OR:
    case TOK_NOT:
    case TOK_TRUE:
    case TOK_FALSE:
    case TOK_BLANK:
    default:
      return FALSE;
    }
}

static gboolean
is_blank_literal (const Node *node)
{
  return node->kind == NODE_LITERAL && node->literal.kind == BC_VALUE_BLANK;
}

static Node *
parse_comparison (Parser *parser,
                  int     depth)
{
  g_autoptr(Node) left = NULL;
  g_autoptr(Node) right = NULL;
  const Token *token;
  Op op;
  Node *node;

  left = parse_chain (parser, depth, TRUE);
  if (left == NULL)
    return NULL;

  token = peek (parser);
  if (!comparison_op (token->type, &op))
    return g_steal_pointer (&left);
  advance (parser);

  right = parse_chain (parser, depth, TRUE);
  if (right == NULL)
    return NULL;

  if (comparison_op (peek (parser)->type, &(Op) { OP_EQ }))
    {
      g_set_error (&parser->error, BC_EXPR_ERROR, BC_EXPR_ERROR_SYNTAX,
                   _("Comparisons cannot be chained at column %d: "
                     "write “a < b and b < c” instead of “a < b < c”."),
                   peek (parser)->column);
      return NULL;
    }

  node = node_new (parser, NODE_COMPARE, token->column);
  if (node == NULL)
    return NULL;
  node->op = op;
  if (op == OP_EQ || op == OP_NE)
    {
      if (is_blank_literal (right))
        node->blank_test = BLANK_TEST_RIGHT;
      else if (is_blank_literal (left))
        node->blank_test = BLANK_TEST_LEFT;
    }
  node->n_children = 2;
  node->children = g_new (Node *, 2);
  node->children[0] = g_steal_pointer (&left);
  node->children[1] = g_steal_pointer (&right);
  return node;
}

static Node *
parse_not (Parser *parser,
           int     depth)
{
  const Token *token = peek (parser);
  Node *operand;
  Node *node;

  if (token->type != TOK_NOT)
    return parse_comparison (parser, depth);

  if (!check_depth (parser, depth + 1, token->column))
    return NULL;
  advance (parser);
  operand = parse_not (parser, depth + 1);
  if (operand == NULL)
    return NULL;

  node = node_new (parser, NODE_NOT, token->column);
  if (node == NULL)
    {
      node_free (operand);
      return NULL;
    }
  node->n_children = 1;
  node->children = g_new (Node *, 1);
  node->children[0] = operand;
  return node;
}

/* `and` chains (and_level) or `or` chains, as one node with n operands. */
static Node *
parse_logic (Parser   *parser,
             int       depth,
             gboolean  and_level)
{
  g_autoptr(GPtrArray) operands = g_ptr_array_new_with_free_func ((GDestroyNotify) node_free);
  TokenType type = and_level ? TOK_AND : TOK_OR;
  Node *first;

  first = and_level ? parse_not (parser, depth) : parse_logic (parser, depth, TRUE);
  if (first == NULL)
    return NULL;
  g_ptr_array_add (operands, first);

  while (peek (parser)->type == type)
    {
      Node *operand;

      advance (parser);
      operand = and_level ? parse_not (parser, depth) : parse_logic (parser, depth, TRUE);
      if (operand == NULL)
        return NULL;
      g_ptr_array_add (operands, operand);
    }

  if (operands->len == 1)
    return g_ptr_array_steal_index (operands, 0);

  return node_with_children (parser, and_level ? NODE_AND : NODE_OR, first->column, operands);
}

static Node *
parse_expression (Parser *parser,
                  int     depth)
{
  return parse_logic (parser, depth, FALSE);
}

BcExpr *
bc_expr_parse (const char  *source,
               GError     **error)
{
  g_autoptr(GArray) tokens = NULL;
  Lexer lexer = { 0 };
  Parser parser = { 0 };
  const char *invalid = NULL;
  gsize length;
  Node *root;
  BcExpr *expr;

  g_return_val_if_fail (source != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* Checked before anything else reads the text, so a huge input costs
   * nothing more than finding its end. */
  length = strlen (source);
  if (length > BC_EXPR_MAX_SOURCE_LENGTH)
    {
      g_set_error (error, BC_EXPR_ERROR, BC_EXPR_ERROR_TOO_COMPLEX,
                   _("The expression is too long: it has %lu bytes, more than the limit of %d. "
                     "Split it into several computed fields."),
                   (gulong) length, BC_EXPR_MAX_SOURCE_LENGTH);
      return NULL;
    }

  if (!g_utf8_validate (source, length, &invalid))
    {
      g_set_error (error, BC_EXPR_ERROR, BC_EXPR_ERROR_SYNTAX,
                   _("The expression is not valid UTF-8 text at column %ld. "
                     "Save the template file as UTF-8."),
                   g_utf8_pointer_to_offset (source, invalid) + 1);
      return NULL;
    }

  tokens = g_array_new (FALSE, FALSE, sizeof (Token));
  g_array_set_clear_func (tokens, token_clear);

  lexer.source = source;
  lexer.length = length;
  lexer.column = 1;
  lexer.tokens = tokens;
  if (!lex (&lexer))
    {
      g_propagate_error (error, lexer.error);
      return NULL;
    }

  if (g_array_index (tokens, Token, 0).type == TOK_END)
    {
      g_set_error (error, BC_EXPR_ERROR, BC_EXPR_ERROR_SYNTAX,
                   _("The expression is empty at column 1. Write a value or a condition."));
      return NULL;
    }

  parser.source = source;
  parser.tokens = (const Token *) (void *) tokens->data;
  root = parse_expression (&parser, 0);
  if (root == NULL)
    {
      g_assert (parser.error != NULL);
      g_propagate_error (error, parser.error);
      return NULL;
    }

  if (peek (&parser)->type != TOK_END)
    {
      const Token *token = peek (&parser);
      g_autofree char *text = token_text (&parser, token);

      if (token->type == TOK_COMMA && token > parser.tokens
          && (token - 1)->type == TOK_NUMBER && (token - 1)->end == token->start
          && g_ascii_isdigit (source[token->end]))
        g_set_error (error, BC_EXPR_ERROR, BC_EXPR_ERROR_SYNTAX,
                     _("Unexpected comma at column %d. Write decimal numbers with a dot "
                       "(12.5) and no thousands separators (1200)."),
                     token->column);
      else if (token->type == TOK_RPAREN)
        g_set_error (error, BC_EXPR_ERROR, BC_EXPR_ERROR_SYNTAX,
                     _("Unexpected “)” at column %d: there is no “(” for it to close."),
                     token->column);
      else
        g_set_error (error, BC_EXPR_ERROR, BC_EXPR_ERROR_SYNTAX,
                     _("Unexpected “%s” at column %d: an operator or the end of the "
                       "expression was expected."),
                     text, token->column);
      node_free (root);
      return NULL;
    }

  expr = g_new0 (BcExpr, 1);
  g_atomic_ref_count_init (&expr->ref_count);
  expr->source = g_strdup (source);
  expr->root = root;
  return expr;
}

BcExpr *
bc_expr_ref (BcExpr *expr)
{
  g_return_val_if_fail (expr != NULL, NULL);

  g_atomic_ref_count_inc (&expr->ref_count);
  return expr;
}

void
bc_expr_unref (BcExpr *expr)
{
  g_return_if_fail (expr != NULL);

  if (g_atomic_ref_count_dec (&expr->ref_count))
    {
      node_free (expr->root);
      g_free (expr->source);
      g_free (expr);
    }
}

const char *
bc_expr_get_source (BcExpr *expr)
{
  g_return_val_if_fail (expr != NULL, NULL);

  return expr->source;
}

static void
foreach_reference (const Node          *node,
                   BcExprReferenceFunc  func,
                   gpointer             user_data)
{
  switch (node->kind)
    {
    case NODE_NAME:
      func (BC_EXPR_REF_FIELD, node->name, NULL, node->previous, user_data);
      return;

    case NODE_AGGREGATE:
      if (node->column_name != NULL)
        {
          /* Its only child is the column, already reported here. */
          func (BC_EXPR_REF_TABLE_COLUMN, node->name, node->column_name, FALSE, user_data);
          return;
        }
      func (BC_EXPR_REF_TABLE, node->name, NULL, FALSE, user_data);
      break;

    case NODE_LITERAL:
    case NODE_UNARY:
    case NODE_NOT:
    case NODE_ARITH:
    case NODE_COMPARE:
    case NODE_AND:
    case NODE_OR:
    case NODE_CALL:
    default:
      break;
    }

  for (guint i = 0; i < node->n_children; i++)
    foreach_reference (node->children[i], func, user_data);
}

void
bc_expr_foreach_reference (BcExpr              *expr,
                           BcExprReferenceFunc  func,
                           gpointer             user_data)
{
  g_return_if_fail (expr != NULL);
  g_return_if_fail (func != NULL);

  foreach_reference (expr->root, func, user_data);
}

static void
add_field_id (GPtrArray  *ids,
              const char *name)
{
  /* "services.level3" names the field "level3": ids are unique per template. */
  const char *dot = strrchr (name, '.');
  const char *id = dot != NULL ? dot + 1 : name;

  for (guint i = 0; i < ids->len; i++)
    if (g_str_equal (g_ptr_array_index (ids, i), id))
      return;

  g_ptr_array_add (ids, g_strdup (id));
}

static void
collect_field_id (BcExprRefKind  kind,
                  const char    *name,
                  const char    *column,
                  gboolean       previous,
                  gpointer       user_data)
{
  GPtrArray *ids = user_data;

  add_field_id (ids, name);
  if (column != NULL)
    add_field_id (ids, column);
}

char **
bc_expr_dup_field_ids (BcExpr *expr)
{
  GPtrArray *ids;

  g_return_val_if_fail (expr != NULL, NULL);

  ids = g_ptr_array_new ();
  foreach_reference (expr->root, collect_field_id, ids);
  g_ptr_array_add (ids, NULL);

  return (char **) g_ptr_array_free (ids, FALSE);
}

/* ------------------------------------------------------------------------ */
/* Evaluation                                                               */
/* ------------------------------------------------------------------------ */

typedef struct {
  const BcExprResolver *resolver;
  gpointer              user_data;
  BcExprBudget         *budget;
  /* Whether the budget is shared with other evaluations: the message then
   * cannot blame this expression alone. */
  gboolean              shared_budget;
  GError              **error;
} Eval;

/* The row context: the table and row that column names refer to, if any. */
typedef struct {
  const char *table;
  guint       row;
} Row;

typedef enum {
  TRI_FALSE,
  TRI_TRUE,
  TRI_BLANK,
} Tri;

static gboolean eval_node (Eval       *ev,
                           const Node *node,
                           const Row  *row,
                           BcValue    *out);

static Tri
value_tri (const BcValue *value)
{
  if (value->kind == BC_VALUE_BLANK)
    return TRI_BLANK;
  return bc_value_truthy (value) ? TRI_TRUE : TRI_FALSE;
}

/* `shared`: the steps ran out in work done together with other expressions
 * (a shared budget, or computed fields the resolver worked out). */
static void
set_budget_error (Eval     *ev,
                  int       column,
                  gboolean  shared)
{
  if (shared)
    g_set_error (ev->error, BC_EXPR_ERROR, BC_EXPR_ERROR_BUDGET,
                 _("The expression at column %d could not be computed: together with the "
                   "computed fields and checks worked out with it, it needs more steps than "
                   "allowed. Simplify the form’s computed fields and rules."),
                 column);
  else
    g_set_error (ev->error, BC_EXPR_ERROR, BC_EXPR_ERROR_BUDGET,
                 _("The expression at column %d needs more than %d steps to compute. "
                   "Simplify it, or split it into several computed fields."),
                 column, BC_EXPR_MAX_STEPS);
}

static gboolean
take_steps (Eval  *ev,
            guint  n,
            int    column)
{
  if (n > ev->budget->steps_left)
    {
      /* Spent: whatever else shares this budget stops at once too. */
      ev->budget->steps_left = 0;
      set_budget_error (ev, column, ev->shared_budget);
      return FALSE;
    }
  ev->budget->steps_left -= n;
  return TRUE;
}

static gboolean
eval_name (Eval       *ev,
           const Node *node,
           const Row  *row,
           BcValue    *out)
{
  g_autoptr(GError) local_error = NULL;
  g_auto(BcValue) value = BC_VALUE_INIT;

  if (!ev->resolver->lookup (ev->user_data, node->name,
                             row != NULL ? row->table : NULL,
                             row != NULL ? row->row : 0,
                             node->previous, &value, &local_error))
    {
      if (local_error == NULL)
        g_set_error (ev->error, BC_EXPR_ERROR, BC_EXPR_ERROR_UNKNOWN_NAME,
                     _("Unknown field “%s” at column %d."),
                     node->name, node->column);
      else if (g_error_matches (local_error, BC_EXPR_ERROR, BC_EXPR_ERROR_BUDGET))
        /* Computing the field ran out of steps: say so here, once, rather
         * than nest one “At column …” per computed field in the chain. */
        set_budget_error (ev, node->column, TRUE);
      else if (g_error_matches (local_error, BC_EXPR_ERROR, BC_EXPR_ERROR_TOO_COMPLEX))
        /* It names the computed field where the chain got too deep: one
         * “At column …” per link would only bury that. */
        g_propagate_error (ev->error, g_steal_pointer (&local_error));
      else
        g_set_error (ev->error, local_error->domain, local_error->code,
                     _("At column %d: %s"),
                     node->column, local_error->message);
      return FALSE;
    }

  sanitize_value (&value);
  value_move (&value, out);
  return TRUE;
}

static int
compare_numbers (double a,
                 double b)
{
  double scale = MAX (1.0, MAX (fabs (a), fabs (b)));

  if (a == b)
    return 0;
  if ((a != floor (a) || b != floor (b))
      && fabs (a - b) <= NUMBER_EQUAL_TOLERANCE * scale)
    return 0;
  return a < b ? -1 : 1;
}

static gboolean
eval_arith (Eval          *ev,
            Op             op,
            int            column,
            const BcValue *a,
            const BcValue *b,
            BcValue       *out)
{
  if (a->kind == BC_VALUE_BLANK || b->kind == BC_VALUE_BLANK)
    {
      bc_value_set_blank (out);
      return TRUE;
    }

  if (a->kind == BC_VALUE_NUMBER && b->kind == BC_VALUE_NUMBER)
    {
      double x = a->number, y = b->number;

      switch (op)
        {
        case OP_ADD: bc_value_set_number (out, x + y); break;
        case OP_SUB: bc_value_set_number (out, x - y); break;
        case OP_MUL: bc_value_set_number (out, x * y); break;
        case OP_DIV:
          if (y == 0.0)
            bc_value_set_blank (out);
          else
            bc_value_set_number (out, x / y);
          break;
        case OP_MOD:
          if (y == 0.0)
            bc_value_set_blank (out);
          else
            bc_value_set_number (out, fmod (x, y));
          break;
        case OP_EQ:
        case OP_NE:
        case OP_LT:
        case OP_LE:
        case OP_GT:
        case OP_GE:
        default:
          g_assert_not_reached ();
        }
      return TRUE;
    }

  if (op == OP_ADD && a->kind == BC_VALUE_TEXT && b->kind == BC_VALUE_TEXT)
    {
      gsize length = strlen (a->text) + strlen (b->text);

      /* Joining costs steps by length: a + a + a + … over a long text field
       * would otherwise copy gigabytes within the node limit. */
      if (!take_steps (ev, (guint) MIN (length / TEXT_BYTES_PER_STEP, G_MAXUINT), column))
        return FALSE;
      bc_value_take_text (out, g_strconcat (a->text, b->text, NULL));
      return TRUE;
    }

  /* date ± days, days + date, date - date. */
  if ((op == OP_ADD || op == OP_SUB)
      && a->kind == BC_VALUE_DATE && b->kind == BC_VALUE_NUMBER)
    {
      double day = a->number + (op == OP_ADD ? 1 : -1) * round (b->number);

      if (day >= 1.0 && day <= G_MAXUINT32)
        bc_value_set_date (out, (guint32) day);
      else
        bc_value_set_blank (out);
      return TRUE;
    }
  if (op == OP_ADD && a->kind == BC_VALUE_NUMBER && b->kind == BC_VALUE_DATE)
    return eval_arith (ev, op, column, b, a, out);
  if (op == OP_SUB && a->kind == BC_VALUE_DATE && b->kind == BC_VALUE_DATE)
    {
      bc_value_set_number (out, a->number - b->number);
      return TRUE;
    }

  g_set_error (ev->error, BC_EXPR_ERROR, BC_EXPR_ERROR_ARGUMENTS,
               _("Cannot use “%s” on %s and %s at column %d."),
               op_symbols[op], kind_noun (a->kind), kind_noun (b->kind), column);
  return FALSE;
}

static gboolean
eval_compare (Eval       *ev,
              const Node *node,
              const Row  *row,
              BcValue    *out)
{
  g_auto(BcValue) a = BC_VALUE_INIT;
  g_auto(BcValue) b = BC_VALUE_INIT;
  int cmp;
  gboolean result;

  if (node->blank_test != BLANK_TEST_NONE)
    {
      const Node *other = node->children[node->blank_test == BLANK_TEST_RIGHT ? 0 : 1];

      if (!eval_node (ev, other, row, &a))
        return FALSE;
      bc_value_set_boolean (out, (a.kind == BC_VALUE_BLANK) == (node->op == OP_EQ));
      return TRUE;
    }

  if (!eval_node (ev, node->children[0], row, &a)
      || !eval_node (ev, node->children[1], row, &b))
    return FALSE;

  if (a.kind == BC_VALUE_BLANK || b.kind == BC_VALUE_BLANK)
    {
      bc_value_set_blank (out);
      return TRUE;
    }

  if (a.kind != b.kind)
    {
      g_set_error (ev->error, BC_EXPR_ERROR, BC_EXPR_ERROR_ARGUMENTS,
                   _("Cannot compare %s with %s at column %d."),
                   kind_noun (a.kind), kind_noun (b.kind), node->column);
      return FALSE;
    }

  switch (a.kind)
    {
    case BC_VALUE_NUMBER:
    case BC_VALUE_DATE:
      cmp = compare_numbers (a.number, b.number);
      break;
    case BC_VALUE_TEXT:
      /* Equality is exact; order follows the user's language. */
      if (node->op == OP_EQ || node->op == OP_NE)
        cmp = strcmp (a.text, b.text) == 0 ? 0 : 1;
      else
        cmp = g_utf8_collate (a.text, b.text);
      break;
    case BC_VALUE_BOOLEAN:
      if (node->op != OP_EQ && node->op != OP_NE)
        {
          g_set_error (ev->error, BC_EXPR_ERROR, BC_EXPR_ERROR_ARGUMENTS,
                       _("Yes/no values have no order: “%s” at column %d can only be "
                         "“=” or “!=”."),
                       op_symbols[node->op], node->column);
          return FALSE;
        }
      cmp = a.boolean == b.boolean ? 0 : 1;
      break;
    case BC_VALUE_BLANK:
    default:
      g_assert_not_reached ();
    }

  switch (node->op)
    {
    case OP_EQ: result = cmp == 0; break;
    case OP_NE: result = cmp != 0; break;
    case OP_LT: result = cmp < 0; break;
    case OP_LE: result = cmp <= 0; break;
    case OP_GT: result = cmp > 0; break;
    case OP_GE: result = cmp >= 0; break;
    case OP_ADD:
    case OP_SUB:
    case OP_MUL:
    case OP_DIV:
    case OP_MOD:
    default:
      g_assert_not_reached ();
    }

  bc_value_set_boolean (out, result);
  return TRUE;
}

static gboolean
eval_logic (Eval       *ev,
            const Node *node,
            const Row  *row,
            BcValue    *out)
{
  /* Three-valued: for `and`, false wins over blank, blank over true. */
  Tri decisive = node->kind == NODE_AND ? TRI_FALSE : TRI_TRUE;
  Tri result = node->kind == NODE_AND ? TRI_TRUE : TRI_FALSE;

  for (guint i = 0; i < node->n_children; i++)
    {
      g_auto(BcValue) value = BC_VALUE_INIT;
      Tri tri;

      if (!eval_node (ev, node->children[i], row, &value))
        return FALSE;
      tri = value_tri (&value);
      if (tri == decisive)
        {
          result = decisive;
          break;
        }
      if (tri == TRI_BLANK)
        result = TRI_BLANK;
    }

  if (result == TRI_BLANK)
    bc_value_set_blank (out);
  else
    bc_value_set_boolean (out, result == TRI_TRUE);
  return TRUE;
}

static void
set_argument_kind_error (Eval           *ev,
                         const Node     *node,
                         const char     *wanted,
                         const BcValue  *given)
{
  g_set_error (ev->error, BC_EXPR_ERROR, BC_EXPR_ERROR_ARGUMENTS,
               _("%s() at column %d needs %s, but was given %s."),
               node->func->name, node->column, wanted, kind_noun (given->kind));
}

/* Folds `value` into the running minimum or maximum `best`. */
static gboolean
fold_extreme (Eval          *ev,
              const Node    *node,
              gboolean       maximum,
              BcValue       *value,
              BcValue       *best)
{
  if (value->kind == BC_VALUE_BLANK)
    return TRUE;

  if (value->kind != BC_VALUE_NUMBER && value->kind != BC_VALUE_DATE)
    {
      set_argument_kind_error (ev, node, _("numbers or dates"), value);
      return FALSE;
    }

  if (best->kind == BC_VALUE_BLANK)
    {
      value_move (value, best);
      return TRUE;
    }

  if (best->kind != value->kind)
    {
      g_set_error (ev->error, BC_EXPR_ERROR, BC_EXPR_ERROR_ARGUMENTS,
                   _("%s() at column %d cannot mix numbers and dates."),
                   node->func->name, node->column);
      return FALSE;
    }

  if (maximum ? value->number > best->number : value->number < best->number)
    value_move (value, best);
  return TRUE;
}

static double
round_half_away (double x,
                 int    digits)
{
  double scale = pow (10.0, digits);
  double scaled = x * scale;
  double magnitude = fabs (scaled);
  double whole = floor (magnitude);

  /* Beyond 2^52 every double is whole; nothing to round. */
  if (magnitude >= 4503599627370496.0)
    return x;

  /* 2.675 is stored as 2.67499999…: a fraction within a few units in the
   * last place of one half is a decimal half, and goes away from zero. */
  if (magnitude - whole >= 0.5 - 8 * DBL_EPSILON * MAX (magnitude, 1.0))
    whole += 1.0;

  return copysign (whole, x) / scale;
}

static gboolean
eval_call (Eval       *ev,
           const Node *node,
           const Row  *row,
           BcValue    *out)
{
  g_auto(BcValue) a = BC_VALUE_INIT;
  g_auto(BcValue) b = BC_VALUE_INIT;

  switch (node->func->id)
    {
    case FN_BLANK:
    case FN_PRESENT:
      if (!eval_node (ev, node->children[0], row, &a))
        return FALSE;
      bc_value_set_boolean (out, (a.kind == BC_VALUE_BLANK) == (node->func->id == FN_BLANK));
      return TRUE;

    case FN_COALESCE:
      /* Stops at the first value that is not blank. */
      for (guint i = 0; i < node->n_children; i++)
        {
          if (!eval_node (ev, node->children[i], row, &a))
            return FALSE;
          if (a.kind != BC_VALUE_BLANK)
            break;
        }
      value_move (&a, out);
      return TRUE;

    case FN_IF:
      if (!eval_node (ev, node->children[0], row, &a))
        return FALSE;
      return eval_node (ev, node->children[value_tri (&a) == TRI_TRUE ? 1 : 2], row, out);

    case FN_MIN:
    case FN_MAX:
      for (guint i = 0; i < node->n_children; i++)
        {
          g_auto(BcValue) value = BC_VALUE_INIT;

          if (!eval_node (ev, node->children[i], row, &value)
              || !fold_extreme (ev, node, node->func->id == FN_MAX, &value, &a))
            return FALSE;
        }
      value_move (&a, out);
      return TRUE;

    case FN_ABS:
      if (!eval_node (ev, node->children[0], row, &a))
        return FALSE;
      if (a.kind == BC_VALUE_BLANK)
        bc_value_set_blank (out);
      else if (a.kind == BC_VALUE_NUMBER)
        bc_value_set_number (out, fabs (a.number));
      else
        {
          set_argument_kind_error (ev, node, _("a number"), &a);
          return FALSE;
        }
      return TRUE;

    case FN_ROUND:
      {
        double digits = 0;

        if (!eval_node (ev, node->children[0], row, &a))
          return FALSE;
        if (node->n_children == 2 && !eval_node (ev, node->children[1], row, &b))
          return FALSE;
        if (a.kind == BC_VALUE_BLANK || (node->n_children == 2 && b.kind == BC_VALUE_BLANK))
          {
            bc_value_set_blank (out);
            return TRUE;
          }
        if (a.kind != BC_VALUE_NUMBER)
          {
            set_argument_kind_error (ev, node, _("a number"), &a);
            return FALSE;
          }
        if (node->n_children == 2)
          {
            if (b.kind != BC_VALUE_NUMBER || b.number != floor (b.number)
                || b.number < -15 || b.number > 15)
              {
                g_set_error (ev->error, BC_EXPR_ERROR, BC_EXPR_ERROR_ARGUMENTS,
                             _("The number of digits of round() at column %d must be a whole "
                               "number from -15 to 15."),
                             node->column);
                return FALSE;
              }
            digits = b.number;
          }
        bc_value_set_number (out, round_half_away (a.number, (int) digits));
        return TRUE;
      }

    case FN_LEN:
      if (!eval_node (ev, node->children[0], row, &a))
        return FALSE;
      if (a.kind == BC_VALUE_BLANK)
        bc_value_set_blank (out);
      else if (a.kind == BC_VALUE_TEXT)
        bc_value_set_number (out, g_utf8_strlen (a.text, -1));
      else
        {
          set_argument_kind_error (ev, node, _("a text"), &a);
          return FALSE;
        }
      return TRUE;

    case FN_DATE:
      if (!eval_node (ev, node->children[0], row, &a))
        return FALSE;
      if (a.kind == BC_VALUE_BLANK || a.kind == BC_VALUE_DATE)
        value_move (&a, out);
      else if (a.kind == BC_VALUE_TEXT)
        {
          guint32 julian;

          if (!parse_iso_date (a.text, &julian))
            {
              g_set_error (ev->error, BC_EXPR_ERROR, BC_EXPR_ERROR_ARGUMENTS,
                           _("“%s” at column %d is not a date. Write dates as "
                             "date(\"YYYY-MM-DD\"), for example date(\"2018-06-21\")."),
                           a.text, node->children[0]->column);
              return FALSE;
            }
          bc_value_set_date (out, julian);
        }
      else
        {
          set_argument_kind_error (ev, node, _("a text"), &a);
          return FALSE;
        }
      return TRUE;

    case FN_PREV:
    case FN_COUNT:
    case FN_SUM:
    case FN_AVG:
    case FN_MIN_OF:
    case FN_MAX_OF:
    case FN_ANY:
    case FN_ALL:
    default:
      g_assert_not_reached ();
    }
}

static gboolean
eval_aggregate (Eval       *ev,
                const Node *node,
                BcValue    *out)
{
  FuncId id = node->func->id;
  const Node *row_expression = node->n_children > 0 ? node->children[0] : NULL;
  guint n_rows = 0;
  double total = 0.0;
  guint n_values = 0;
  g_auto(BcValue) best = BC_VALUE_INIT;

  if (ev->resolver->n_rows != NULL)
    n_rows = ev->resolver->n_rows (ev->user_data, node->name, FALSE);

  if (row_expression == NULL)
    {
      g_assert (id == FN_COUNT);
      bc_value_set_number (out, n_rows);
      return TRUE;
    }

  /* Each row is a step: a table longer than the rest of the budget fails
   * at once rather than after a million lookups. */
  if (!take_steps (ev, n_rows, node->column))
    return FALSE;

  for (guint i = 0; i < n_rows; i++)
    {
      Row row = { node->name, i };
      g_auto(BcValue) value = BC_VALUE_INIT;
      Tri tri;

      if (!eval_node (ev, row_expression, &row, &value))
        return FALSE;

      switch (id)
        {
        case FN_COUNT:
          if (value_tri (&value) == TRI_TRUE)
            total += 1;
          break;

        case FN_ANY:
        case FN_ALL:
          tri = value_tri (&value);
          if (id == FN_ANY && tri == TRI_TRUE)
            {
              bc_value_set_boolean (out, TRUE);
              return TRUE;
            }
          if (id == FN_ALL && tri != TRI_TRUE)
            {
              bc_value_set_boolean (out, FALSE);
              return TRUE;
            }
          break;

        case FN_SUM:
        case FN_AVG:
          if (value.kind == BC_VALUE_BLANK)
            break;
          if (value.kind != BC_VALUE_NUMBER)
            {
              g_set_error (ev->error, BC_EXPR_ERROR, BC_EXPR_ERROR_ARGUMENTS,
                           _("%s() at column %d needs numbers, but row %u of “%s” gives %s."),
                           node->func->name, node->column, i + 1, node->name,
                           kind_noun (value.kind));
              return FALSE;
            }
          total += value.number;
          n_values++;
          break;

        case FN_MIN_OF:
        case FN_MAX_OF:
          if (value.kind != BC_VALUE_BLANK
              && value.kind != BC_VALUE_NUMBER && value.kind != BC_VALUE_DATE)
            {
              g_set_error (ev->error, BC_EXPR_ERROR, BC_EXPR_ERROR_ARGUMENTS,
                           _("%s() at column %d needs numbers or dates, but row %u of “%s” "
                             "gives %s."),
                           node->func->name, node->column, i + 1, node->name,
                           kind_noun (value.kind));
              return FALSE;
            }
          if (!fold_extreme (ev, node, id == FN_MAX_OF, &value, &best))
            return FALSE;
          break;

        case FN_BLANK:
        case FN_PRESENT:
        case FN_COALESCE:
        case FN_IF:
        case FN_MIN:
        case FN_MAX:
        case FN_ABS:
        case FN_ROUND:
        case FN_LEN:
        case FN_DATE:
        case FN_PREV:
        default:
          g_assert_not_reached ();
        }
    }

  switch (id)
    {
    case FN_COUNT:
    case FN_SUM:
      bc_value_set_number (out, total);
      break;
    case FN_AVG:
      if (n_values == 0)
        bc_value_set_blank (out);
      else
        bc_value_set_number (out, total / n_values);
      break;
    case FN_MIN_OF:
    case FN_MAX_OF:
      value_move (&best, out);
      break;
    case FN_ANY:
      bc_value_set_boolean (out, FALSE);
      break;
    case FN_ALL:
      bc_value_set_boolean (out, TRUE);
      break;
    case FN_BLANK:
    case FN_PRESENT:
    case FN_COALESCE:
    case FN_IF:
    case FN_MIN:
    case FN_MAX:
    case FN_ABS:
    case FN_ROUND:
    case FN_LEN:
    case FN_DATE:
    case FN_PREV:
    default:
      g_assert_not_reached ();
    }
  return TRUE;
}

/* `out` is blank on entry and holds the node's value when it returns TRUE. */
static gboolean
eval_node (Eval       *ev,
           const Node *node,
           const Row  *row,
           BcValue    *out)
{
  if (!take_steps (ev, 1, node->column))
    return FALSE;

  switch (node->kind)
    {
    case NODE_LITERAL:
      bc_value_copy (&node->literal, out);
      return TRUE;

    case NODE_NAME:
      return eval_name (ev, node, row, out);

    case NODE_UNARY:
      {
        g_auto(BcValue) operand = BC_VALUE_INIT;

        if (!eval_node (ev, node->children[0], row, &operand))
          return FALSE;
        if (operand.kind == BC_VALUE_BLANK)
          bc_value_set_blank (out);
        else if (operand.kind == BC_VALUE_NUMBER)
          bc_value_set_number (out, node->op == OP_SUB ? -operand.number : operand.number);
        else
          {
            g_set_error (ev->error, BC_EXPR_ERROR, BC_EXPR_ERROR_ARGUMENTS,
                         _("Cannot use the sign “%s” on %s at column %d."),
                         op_symbols[node->op], kind_noun (operand.kind), node->column);
            return FALSE;
          }
        return TRUE;
      }

    case NODE_NOT:
      {
        g_auto(BcValue) operand = BC_VALUE_INIT;

        if (!eval_node (ev, node->children[0], row, &operand))
          return FALSE;
        if (operand.kind == BC_VALUE_BLANK)
          bc_value_set_blank (out);
        else
          bc_value_set_boolean (out, !bc_value_truthy (&operand));
        return TRUE;
      }

    case NODE_ARITH:
      {
        g_auto(BcValue) acc = BC_VALUE_INIT;

        if (!eval_node (ev, node->children[0], row, &acc))
          return FALSE;
        for (guint i = 1; i < node->n_children; i++)
          {
            g_auto(BcValue) operand = BC_VALUE_INIT;
            g_auto(BcValue) result = BC_VALUE_INIT;

            if (!eval_node (ev, node->children[i], row, &operand)
                || !eval_arith (ev, node->ops[i], node->op_columns[i], &acc, &operand, &result))
              return FALSE;
            value_move (&result, &acc);
          }
        value_move (&acc, out);
        return TRUE;
      }

    case NODE_COMPARE:
      return eval_compare (ev, node, row, out);

    case NODE_AND:
    case NODE_OR:
      return eval_logic (ev, node, row, out);

    case NODE_CALL:
      return eval_call (ev, node, row, out);

    case NODE_AGGREGATE:
      return eval_aggregate (ev, node, out);

    default:
      g_assert_not_reached ();
    }
}

static gboolean
evaluate (BcExpr               *expr,
          const BcExprResolver *resolver,
          gpointer              user_data,
          const Row            *row,
          BcExprBudget         *budget,
          gboolean              shared_budget,
          BcValue              *result,
          GError              **error)
{
  Eval ev = { resolver, user_data, budget, shared_budget, error };
  g_auto(BcValue) value = BC_VALUE_INIT;

  bc_value_clear (result);
  if (!eval_node (&ev, expr->root, row, &value))
    return FALSE;
  value_move (&value, result);
  return TRUE;
}

gboolean
bc_expr_evaluate (BcExpr               *expr,
                  const BcExprResolver *resolver,
                  gpointer              user_data,
                  BcValue              *result,
                  GError              **error)
{
  BcExprBudget budget = BC_EXPR_BUDGET_INIT (BC_EXPR_MAX_STEPS);

  g_return_val_if_fail (expr != NULL, FALSE);
  g_return_val_if_fail (resolver != NULL && resolver->lookup != NULL, FALSE);
  g_return_val_if_fail (result != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return evaluate (expr, resolver, user_data, NULL, &budget, FALSE, result, error);
}

gboolean
bc_expr_evaluate_in_row (BcExpr               *expr,
                         const BcExprResolver *resolver,
                         gpointer              user_data,
                         const char           *table,
                         guint                 row,
                         BcValue              *result,
                         GError              **error)
{
  BcExprBudget budget = BC_EXPR_BUDGET_INIT (BC_EXPR_MAX_STEPS);
  Row context = { table, row };

  g_return_val_if_fail (expr != NULL, FALSE);
  g_return_val_if_fail (resolver != NULL && resolver->lookup != NULL, FALSE);
  g_return_val_if_fail (table != NULL, FALSE);
  g_return_val_if_fail (result != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return evaluate (expr, resolver, user_data, &context, &budget, FALSE, result, error);
}

gboolean
bc_expr_evaluate_with_budget (BcExpr               *expr,
                              const BcExprResolver *resolver,
                              gpointer              user_data,
                              const char           *table,
                              guint                 row,
                              BcExprBudget         *budget,
                              BcValue              *result,
                              GError              **error)
{
  Row context = { table, row };

  g_return_val_if_fail (expr != NULL, FALSE);
  g_return_val_if_fail (resolver != NULL && resolver->lookup != NULL, FALSE);
  g_return_val_if_fail (budget != NULL, FALSE);
  g_return_val_if_fail (result != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return evaluate (expr, resolver, user_data, table != NULL ? &context : NULL,
                   budget, TRUE, result, error);
}
