package web

import "regexp"

// problemPatterns recognise the problems services name for a field (in
// English, the language of the API) so that the console can show them in
// the reader's language. A problem no pattern knows is shown as it is.
var problemPatterns = []struct {
	re  *regexp.Regexp
	key string
}{
	{regexp.MustCompile(`^is required$`), "problem.required"},
	{regexp.MustCompile(`^incorrect$`), "problem.incorrect"},
	{regexp.MustCompile(`^does not match the (?:new )?password$`), "problem.mismatch"},
	{regexp.MustCompile(`^must be a whole number$`), "problem.integer"},
	{regexp.MustCompile(`^must not be negative$`), "problem.negative"},
	{regexp.MustCompile(`^is not valid JSON$`), "problem.json"},
	{regexp.MustCompile(`^must be a date \(YYYY-MM-DD\)$`), "problem.date"},
	{regexp.MustCompile(`^must be success or failure$`), "problem.result"},
	{regexp.MustCompile(`^must differ from the current password$`), "problem.same_password"},
	{regexp.MustCompile(`^use 3 of: lower case, upper case, digits, symbols$`), "problem.weak_password"},
	{regexp.MustCompile(`^too common, or contains the login name, city or system name$`), "problem.common_password"},
	{regexp.MustCompile(`^must be 1–32 letters, digits or hyphens$`), "problem.code"},
	{regexp.MustCompile(`^must be a mobile number`), "problem.phone"},
	{regexp.MustCompile(`^must be 1, 2 or 3$`), "problem.grid_level"},
	{regexp.MustCompile(`^cannot be created under this unit$`), "problem.kind"},
	{regexp.MustCompile(`^unknown unit (\S+)$`), "problem.unknown_unit"},
	{regexp.MustCompile(`^unknown grid (\S+)$`), "problem.unknown_grid"},
	{regexp.MustCompile(`^(?:must be )?at least (\d+) characters$`), "problem.min_chars"},
	{regexp.MustCompile(`^(?:must be )?at most (\d+) characters$`), "problem.max_chars"},
}

// problem translates a field problem for a page in lang.
func (s *server) problem(lang, p string) string {
	if lang == langEN {
		return p
	}
	for _, pp := range problemPatterns {
		if m := pp.re.FindStringSubmatch(p); m != nil {
			args := make([]any, 0, len(m)-1)
			for _, x := range m[1:] {
				args = append(args, x)
			}
			return s.cat.translator(lang)(pp.key, args...)
		}
	}
	return p
}
