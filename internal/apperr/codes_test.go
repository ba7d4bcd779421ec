package apperr_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestNoEnglishProblems keeps field problems codes: a string literal where
// a service names a problem (apperr.Field(name, "…"), errs.Add(name, "…"))
// would compile, since a PCode is a string, but would name no code of the
// catalogue and reach users as it is.
func TestNoEnglishProblems(t *testing.T) {
	literal := regexp.MustCompile(`(apperr\.Field|\.Add)\([^,()]+(\([^()]*\))?[^,()]*, "|apperr\.P\("`)
	root := filepath.Join("..")
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(b), "\n") {
			if literal.MatchString(line) && (strings.Contains(line, "apperr") || strings.Contains(line, "errs.")) {
				t.Errorf("%s:%d: a problem given as text, not as a code: %s", p, i+1, strings.TrimSpace(line))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
