package db

import "strings"

// Text search. LIKE is case-insensitive for ASCII on SQLite and
// case-sensitive on PostgreSQL; these helpers lower both sides, so the same
// search finds the same rows on both. The term's own %, _ and \ match
// themselves. (SQLite's LOWER folds ASCII letters only: a search that
// differs from the text only in the case of a non-ASCII letter, such as
// "é" for "É", matches on PostgreSQL alone. Chinese has no case.)

// Contains returns a condition, with one ? placeholder, matching rows
// whose col contains term in any letter case, and the argument for it.
func Contains(col, term string) (string, any) {
	return foldLike(col), "%" + Like(term) + "%"
}

// HasPrefix returns a condition matching rows whose col starts with term
// in any letter case, and its argument.
func HasPrefix(col, term string) (string, any) {
	return foldLike(col), Like(term) + "%"
}

// ContainsAny returns a condition matching rows where any of cols contains
// term in any letter case, with one argument per column.
func ContainsAny(term string, cols ...string) (string, []any) {
	conds := make([]string, len(cols))
	args := make([]any, len(cols))
	for i, c := range cols {
		conds[i], args[i] = Contains(c, term)
	}
	return "(" + strings.Join(conds, " OR ") + ")", args
}

func foldLike(col string) string {
	return "LOWER(" + col + ") LIKE LOWER(?) ESCAPE '\\'"
}
