package calendar

import (
	"time"
)

// maxWalkDays bounds every day-by-day walk, so a calendar made only of
// holidays (by a bad import) cannot loop forever.
const maxWalkDays = 366 * 400

// Deadline returns when limit l, received at from, runs out, in the
// calendar's zone:
//   - N wh counts only time inside working periods of working days, starting
//     at receipt (a receipt outside working hours starts at the next period);
//   - N wd ends at the close of the last working period of the N-th working
//     day after the day of receipt (the day of receipt never counts);
//   - N h and N m are plain elapsed time.
//
// A limit that ParseLimit would refuse (N < 1, unknown unit) returns from.
func (c *Calendar) Deadline(from time.Time, l Limit) time.Time {
	from = from.In(c.loc)
	if l.N < 1 {
		return from
	}
	if d, ok := l.natural(); ok {
		return from.Add(d)
	}
	switch l.Unit {
	case WorkingHours:
		return c.addWorking(from, time.Duration(l.N)*time.Hour)
	case WorkingDays:
		return c.addWorkdays(from, l.N)
	}
	return from
}

// DeadlineFor parses limit and returns its deadline from from.
func (c *Calendar) DeadlineFor(from time.Time, limit string) (time.Time, error) {
	l, err := ParseLimit(limit)
	if err != nil {
		return time.Time{}, err
	}
	return c.Deadline(from, l), nil
}

// at returns the instant at offset off from the midnight of day's date.
func (c *Calendar) at(day time.Time, off time.Duration) time.Time {
	y, m, d := day.Date()
	h, mi := int(off/time.Hour), int(off%time.Hour/time.Minute)
	s := off % time.Minute
	return time.Date(y, m, d, h, mi, 0, 0, c.loc).Add(s)
}

// nextDay returns the midnight of the day after t's date.
func (c *Calendar) nextDay(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, c.loc)
}

func (c *Calendar) workday(t time.Time) bool { return c.isWorkday(dateOf(t), t.Weekday()) }

// addWorking adds rest of working time to t.
func (c *Calendar) addWorking(t time.Time, rest time.Duration) time.Time {
	for i := 0; i < maxWalkDays; i++ {
		if c.workday(t) {
			for _, p := range c.periods {
				start, end := c.at(t, p.Start), c.at(t, p.End)
				if !t.Before(end) {
					continue
				}
				if t.After(start) {
					start = t
				}
				avail := end.Sub(start)
				if rest <= avail {
					return start.Add(rest)
				}
				rest -= avail
			}
		}
		t = c.nextDay(t)
	}
	return t
}

// addWorkdays returns the close of the n-th working day after t's date.
func (c *Calendar) addWorkdays(t time.Time, n int) time.Time {
	day := t
	for i := 0; i < maxWalkDays && n > 0; i++ {
		day = c.nextDay(day)
		if c.workday(day) {
			n--
		}
	}
	return c.at(day, c.periods[len(c.periods)-1].End)
}

// WorkingDuration returns the working time between from and to: the parts
// of working periods of working days that fall between them (0 when to is
// not after from).
func (c *Calendar) WorkingDuration(from, to time.Time) time.Duration {
	from, to = from.In(c.loc), to.In(c.loc)
	var sum time.Duration
	for day := from; day.Before(to); day = c.nextDay(day) {
		if !c.workday(day) {
			continue
		}
		for _, p := range c.periods {
			start, end := c.at(day, p.Start), c.at(day, p.End)
			if start.Before(from) {
				start = from
			}
			if end.After(to) {
				end = to
			}
			if end.After(start) {
				sum += end.Sub(start)
			}
		}
	}
	return sum
}
