package db

import (
	"strconv"
	"strings"
	"time"
)

// Rebind turns ? placeholders into $1, $2 … on PostgreSQL, leaving question
// marks inside quoted strings and identifiers alone.
func (d *DB) Rebind(q string) string {
	if d.Dialect != Postgres || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 8)
	n := 0
	var quote byte
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// args converts arguments for the dialect: on SQLite times become
// fixed-width UTC text so that stored order is time order.
func (d *DB) args(args []any) []any {
	if d.Dialect != SQLite {
		for i, a := range args {
			if t, ok := a.(time.Time); ok {
				args[i] = t.UTC()
			}
		}
		return args
	}
	for i, a := range args {
		switch t := a.(type) {
		case time.Time:
			args[i] = t.UTC().Format(timeLayout)
		case *time.Time:
			if t == nil {
				args[i] = nil
			} else {
				args[i] = t.UTC().Format(timeLayout)
			}
		}
	}
	return args
}

// Like escapes s for use in a LIKE pattern with ESCAPE '\'.
func Like(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}
